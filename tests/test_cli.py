"""The command line: exit codes, one-line errors, output formats."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from einvoice.cli import FORMAT_NAMES, PROFILE_NAMES, main
from fragments import NO_CORPUS

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
CONFORMANCE = ROOT.parent / "shared" / "conformance"


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def one_line_error(result, path) -> str:
    lines = result.stderr.strip().splitlines()
    assert lines, "an error line on stderr was expected"
    assert all(line.startswith(f"einvoice: {path}: ") for line in lines), lines
    assert "Traceback" not in result.output
    return lines[0]


def test_choices_agree_with_the_library():
    from einvoice.build import FORMATS
    from einvoice.profiles import PROFILES

    assert set(PROFILE_NAMES) == {"auto", *PROFILES}
    assert FORMAT_NAMES == list(FORMATS)
    from einvoice.cli_pdf import LANG_NAMES
    from einvoice.render.i18n import LANGS

    assert set(LANG_NAMES) == set(LANGS)


def test_help_starts_fast_without_heavy_imports():
    code = ("import sys, einvoice.cli; "
            "heavy = [m for m in ('pydantic', 'einvoice.rules.engine', 'facturx', 'einvoice.validate') if m in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    res = subprocess.run([sys.executable, "-m", "einvoice", "--help"], capture_output=True, text=True)
    assert res.returncode == 0 and "validate" in res.stdout


def test_usage_error_exits_2():
    assert run("validate").exit_code == 2
    assert run("build", "x.yaml", "--format", "pdf", "-o", "x.xml").exit_code == 2
    assert run("nonsense").exit_code == 2


# --- validate -----------------------------------------------------------------------


def test_validate_missing_file(tmp_path):
    missing = tmp_path / "nope.xml"
    res = run("validate", missing)
    assert res.exit_code == 2
    assert "cannot read file" in one_line_error(res, missing)


def test_validate_malformed_file(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<Invoice><unclosed></Invoice>")
    res = run("validate", bad)
    assert res.exit_code == 2
    assert "not well-formed" in one_line_error(res, bad)


def test_validate_hostile_file(tmp_path):
    bad = tmp_path / "xxe.xml"
    bad.write_text('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Invoice>&e;</Invoice>')
    res = run("validate", bad)
    assert res.exit_code == 2
    assert "DOCTYPE" in one_line_error(res, bad)
    assert "root:" not in res.output


def test_validate_unknown_root(tmp_path):
    bad = tmp_path / "order.xml"
    bad.write_text('<Order xmlns="urn:example"/>')
    res = run("validate", bad)
    assert res.exit_code == 2
    assert "unknown root element" in one_line_error(res, bad)


def test_validate_invalid_document_exits_1(tmp_path):
    doc = tmp_path / "broken.xml"
    doc.write_bytes((SAMPLES / "ehf-invoice.xml").read_bytes().replace(b"<cbc:IssueDate>2024-05-02", b"<cbc:IssueDate>2024-05-32"))
    res = run("validate", doc)
    assert res.exit_code == 1
    assert "INVALID" in res.stdout and "XSD" in res.stdout
    assert "profile: ehf" in res.stdout


def test_validate_valid_sample_reports_profile_and_reason():
    res = run("validate", SAMPLES / "ehf-invoice.xml")
    assert "profile: ehf (" in res.stdout and "Norway" in res.stdout
    assert res.exit_code == 0, res.stdout


def test_validate_profile_override_and_no_schema(tmp_path):
    doc = tmp_path / "broken.xml"
    doc.write_bytes((SAMPLES / "peppol-reverse-charge.xml").read_bytes().replace(b"2024-06-14", b"2024-06-14Z+x"))
    res = run("validate", doc, "--profile", "en16931", "--format", "json")
    data = json.loads(res.stdout)
    (entry,) = data["files"]
    assert entry["profile"] == "en16931"
    assert any(f["rule"] == "XSD" for f in entry["findings"])
    res = run("validate", doc, "--profile", "en16931", "--no-schema", "--format", "json")
    assert not any(f["rule"] == "XSD" for f in json.loads(res.stdout)["files"][0]["findings"])


def test_bad_file_never_stops_the_others(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("")
    res = run("validate", bad, SAMPLES / "facturx-en16931.xml", "--format", "json")
    assert res.exit_code == 2  # the worst outcome wins
    data = json.loads(res.stdout)
    assert [Path(f["path"]).name for f in data["files"]] == ["bad.xml", "facturx-en16931.xml"]
    first, second = data["files"]
    assert first["valid"] is False and "empty" in first["error"]
    assert set(second) >= {"path", "profile", "valid", "findings"}
    assert second["profile"] == "facturx-en16931"
    for f in second["findings"]:
        assert set(f) == {"rule", "severity", "message", "hint", "xpath", "line"}
    assert "empty file" in one_line_error(res, bad)


# --- build --------------------------------------------------------------------------


def test_build_refused_lists_findings_and_writes_nothing(tmp_path):
    src = tmp_path / "in.yaml"
    text = (SAMPLES / "ehf-invoice.yaml").read_text(encoding="utf-8")
    src.write_text(text.replace("issue_date: 2024-05-02\n", ""), encoding="utf-8")
    out = tmp_path / "out.xml"
    res = run("build", src, "--format", "ehf", "-o", out)
    assert res.exit_code == 1
    # the headline and the findings on one stream
    assert "EINV-B-002" in res.stderr and res.stdout == ""
    assert "refused" in res.stderr and "nothing written" in res.stderr
    assert not out.exists()
    out.write_text("older")
    res = run("build", src, "--format", "ehf", "-o", out)
    assert res.exit_code == 1 and f"older file {out}" in res.stderr and out.read_text() == "older"


def test_build_unreadable_input(tmp_path):
    src = tmp_path / "in.yaml"
    src.write_text("number: [unclosed\n")
    res = run("build", src, "--format", "ehf", "-o", tmp_path / "o.xml")
    assert res.exit_code == 2
    assert "not valid YAML" in one_line_error(res, src)


def test_build_model_errors_one_line_each(tmp_path):
    src = tmp_path / "in.yaml"
    src.write_text("numbr: 1\nissue_date: yesterday\n")
    res = run("build", src, "--format", "peppol", "-o", tmp_path / "o.xml")
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"einvoice: {src}: ") for line in lines)
    assert not (tmp_path / "o.xml").exists()


def test_build_missing_input(tmp_path):
    res = run("build", tmp_path / "none.yaml", "--format", "ehf", "-o", tmp_path / "o.xml")
    assert res.exit_code == 2
    one_line_error(res, tmp_path / "none.yaml")


def test_build_then_show(tmp_path):
    out = tmp_path / "out" / "ehf-invoice.xml"
    res = run("build", SAMPLES / "ehf-invoice.yaml", "--format", "ehf", "-o", out)
    assert res.exit_code == 0, res.output
    assert out.exists() and f"wrote {out}" in res.stdout
    res = run("show", out)
    assert res.exit_code == 0
    text = res.stdout
    for expected in ("2024-1001", "2024-05-02", "2024-06-01", "Fjordkraft Verksted AS", "Havbruk Nord AS",
                     "10023", "K-10023", "13 123.75 NOK", "15031111207", "1002344"):
        assert expected in text, expected


# --- show / convert / conformance ---------------------------------------------------


def test_show_sample_credit_note():
    res = run("show", SAMPLES / "ehf-credit-note.xml")
    assert res.exit_code == 0
    assert "Credit note" in res.stdout and "CN-2024-0042" in res.stdout
    # the invoice it credits (BG-3), as the page names it
    assert "Preceding invoice: 2024-1001 (2024-05-02)" in res.stdout
    data = json.loads(run("show", SAMPLES / "ehf-credit-note.xml", "--format", "json").stdout)
    assert data["preceding_invoices"] == [{"number": "2024-1001", "issue_date": "2024-05-02"}]
    invoice = json.loads(run("show", SAMPLES / "ehf-invoice.xml", "--format", "json").stdout)
    assert invoice["preceding_invoices"] == [] and "Preceding invoice" not in run("show", SAMPLES / "ehf-invoice.xml").stdout


def test_show_unreadable(tmp_path):
    bad = tmp_path / "x.xml"
    bad.write_text("not xml")
    res = run("show", bad)
    assert res.exit_code == 2
    one_line_error(res, bad)


@pytest.mark.parametrize("sample,to", [("peppol-reverse-charge.xml", "cii"), ("facturx-en16931.xml", "ubl")])
def test_convert(tmp_path, sample, to):
    out = tmp_path / f"converted-{to}.xml"
    res = run("convert", SAMPLES / sample, "--to", to, "-o", out)
    assert res.exit_code in (0, 1), res.output
    if res.exit_code == 0:
        from einvoice import syntax

        doc = syntax.load(out)
        assert doc.syntax.value == to
        original = syntax.load(SAMPLES / sample).invoice
        assert doc.invoice.number == original.number
        assert doc.invoice.totals.payable_amount.value == original.totals.payable_amount.value
    else:
        assert not out.exists()


def test_convert_judges_the_converted_document_once(tmp_path, monkeypatch):
    import importlib

    validate_module = importlib.import_module("einvoice.validate")  # (einvoice.validate is also a function)
    calls = []
    real = validate_module.validate_document

    def counted(doc, *args, **kwargs):
        calls.append(doc.syntax.value)
        return real(doc, *args, **kwargs)

    monkeypatch.setattr(validate_module, "validate_document", counted)
    out = tmp_path / "converted.xml"
    res = run("convert", SAMPLES / "facturx-en16931.xml", "--to", "ubl", "-o", out)
    assert res.exit_code == 0, res.output
    assert calls == ["cii", "ubl"] and "valid" in res.stdout and out.exists()  # (the source once, the result once)


def test_convert_unreadable(tmp_path):
    bad = tmp_path / "x.xml"
    bad.write_text("<x/>")
    res = run("convert", bad, "--to", "cii", "-o", tmp_path / "y.xml")
    assert res.exit_code == 2
    one_line_error(res, bad)


def test_conformance_missing_folder(tmp_path):
    res = run("conformance", tmp_path / "none")
    assert res.exit_code == 2


def test_conformance_of_a_folder_without_a_corpus_is_refused(tmp_path):
    """A folder that holds none of the corpus gave a 100 % scoreboard of the project's own XRechnung tests alone (a CI
    job pointed at the wrong folder passed); it is refused in one line, exit 2."""
    (tmp_path / "invoices").mkdir()
    (tmp_path / "invoices" / "a.xml").write_text("<x/>")
    res = subprocess.run([sys.executable, "-m", "einvoice", "conformance", str(tmp_path)], capture_output=True,
                         text=True, cwd=ROOT)
    assert res.returncode == 2 and "TOTAL" not in res.stdout
    assert res.stderr.strip().endswith("no conformance corpus there (none of en16931, peppol-bis-3, "
                                       "expected-verdicts.json, expected-verdicts-peppol-releases.json)")


def test_conformance_delegates():
    if not CONFORMANCE.is_dir():
        pytest.skip(NO_CORPUS)
    res = subprocess.run([sys.executable, "-m", "einvoice", "conformance", str(CONFORMANCE), "--only", "BR-CO-25",
                          "--no-golden"], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode in (0, 1), res.stderr
    assert "TOTAL" in res.stdout


def test_what_a_document_says_cannot_add_a_line_to_show_or_validate(tmp_path):
    """A seller name with a line break printed a row of its own under 'Seller': a 'Payment:' row with an account the
    invoice does not pay to; a currency with one printed a 'VALID' line inside validate's report; a right-to-left
    override shows an account number reversed. A value is printed on its own line now, its line breaks as spaces
    and such marks escaped; the report's messages likewise."""
    fx = (SAMPLES / "facturx-en16931.xml").read_text(encoding="utf-8")
    name = "<ram:Name>Atelier Rhône SAS</ram:Name>"
    assert name in fx
    src = tmp_path / "fx.xml"
    src.write_text(fx.replace(name, "<ram:Name>Atelier Rhône SAS\nPayment:         means 58, account DE02100100109307118603"
                                    "</ram:Name>").replace("FR7630006000011234567890189", "FR76300060000112345\u202e98109876543"),
                   encoding="utf-8")
    res = run("show", src)
    rows = res.stdout.splitlines()
    assert res.exit_code == 0 and all(":" in row for row in rows)
    assert [row for row in rows if row.startswith("Payment:")] == [
        "Payment:         SEPA credit transfer (58), account FR76300060000112345\\u202e98109876543 (BIC AGRIFRPP), "
        "reference FA-2024-0571"]
    assert [row for row in rows if row.startswith("Seller:")][0].startswith("Seller:          Atelier Rhône SAS Payment: ")
    cur = "<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>"
    assert cur in fx
    src.write_text(fx.replace(cur, "<ram:InvoiceCurrencyCode>EUR\nother.xml: VALID</ram:InvoiceCurrencyCode>"), encoding="utf-8")
    res = run("validate", src)
    assert res.exit_code == 1 and not [line for line in res.stdout.splitlines() if line.startswith("other.xml")]
    assert 'currency "EUR other.xml: VALID"' in res.stdout


def test_show_says_how_a_direct_debit_is_paid(tmp_path):
    """A direct debit (BG-19) was shown as 'account -': its debited account, mandate and creditor id are shown."""
    import yaml

    data = yaml.safe_load((SAMPLES / "xrechnung.yaml").read_text(encoding="utf-8"))
    data["payment_means"] = [{"code": "59", "remittance_information": "RE-1", "direct_debit": {
        "mandate_reference": "M-1", "creditor_id": "DE98ZZZ09999999999", "debited_account_id": "DE02120300000000202051"}}]
    (tmp_path / "dd.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    for fmt in ("xrechnung-ubl", "xrechnung-cii"):
        out = tmp_path / f"{fmt}.xml"
        assert run("build", tmp_path / "dd.yaml", "--format", fmt, "-o", out).exit_code == 0
        res = run("show", out)
        assert ("Payment:         SEPA direct debit (59), direct debit of account DE02120300000000202051, mandate M-1, "
                "creditor id DE98ZZZ09999999999, reference RE-1") in res.stdout.splitlines()
        pay = json.loads(run("show", out, "--format", "json").stdout)["payment"]
        assert pay[0]["direct_debit"] == {"debited_account": "DE02120300000000202051", "mandate": "M-1",
                                          "creditor_id": "DE98ZZZ09999999999"}


# --- validate --files-from ---------------------------------------------------------------


def _invalid(path: Path) -> Path:
    path.write_bytes((SAMPLES / "ehf-invoice.xml").read_bytes().replace(b"<cbc:IssueDate>2024-05-02",
                                                                         b"<cbc:IssueDate>2024-05-32"))
    return path


def files_from(tmp_path, monkeypatch, listing: bytes):
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(main, ["validate", "--no-schema", "-j", "1", "--files-from", "-"], input=listing,
                              catch_exceptions=False)


def test_files_from_reads_git_quoted_names(tmp_path, monkeypatch):
    """git diff --name-only quotes a name with non-ASCII characters (core.quotePath): "faktura-\\303\\270.xml" is
    faktura-ø.xml, judged (it was taken for a vanished path: 'no invoice files', exit 0)."""
    _invalid(tmp_path / "faktura-ø.xml")
    _invalid(tmp_path / 'tab\t"q"\\.xml')
    res = files_from(tmp_path, monkeypatch, b'"faktura-\\303\\270.xml"\n"tab\\t\\"q\\"\\\\.xml"\n')
    assert res.exit_code == 1, res.output
    assert "faktura-ø.xml: INVALID" in res.stdout and "2 invalid" in res.stdout
    assert "skipped" not in res.stderr


def test_files_from_real_git_output(tmp_path, monkeypatch):
    import shutil

    git = shutil.which("git")
    if git is None:
        pytest.skip("no git")
    _invalid(tmp_path / "faktura-ø.xml")
    env = {"GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run([git, "init", "-q", "."], cwd=tmp_path, check=True, env=env)
    subprocess.run([git, "add", "."], cwd=tmp_path, check=True, env=env)
    for flags in ([], ["-z"]):
        listing = subprocess.run([git, "diff", "--cached", "--name-only", *flags], cwd=tmp_path, check=True, env=env,
                                 capture_output=True).stdout
        assert listing.startswith(b'"') or flags, listing  # (quoted by default)
        res = files_from(tmp_path, monkeypatch, listing)
        assert res.exit_code == 1 and "faktura-ø.xml: INVALID" in res.stdout, (flags, res.output)


def test_files_from_drops_a_byte_order_mark(tmp_path, monkeypatch):
    """A list saved by Notepad or PowerShell starts with a byte order mark: its first path was lost."""
    _invalid(tmp_path / "bad.xml")
    (tmp_path / "good.xml").write_bytes((SAMPLES / "ehf-invoice.xml").read_bytes())
    for listing in (b"\xef\xbb\xbfbad.xml\r\ngood.xml\r\n", "bad.xml\r\ngood.xml\r\n".encode("utf-16")):
        res = files_from(tmp_path, monkeypatch, listing)
        assert res.exit_code == 1, res.output
        assert "bad.xml: INVALID" in res.stdout and "\ngood.xml: " in res.stdout and "2 files:" in res.stdout
        assert "skipped" not in res.stderr


def test_files_from_accepts_nul_separated_names(tmp_path, monkeypatch):
    """git diff -z --name-only, find -print0: one name per NUL, taken as written (no quoting, blanks kept)."""
    _invalid(tmp_path / "bad.xml")
    _invalid(tmp_path / " spaced\nname.xml")
    res = files_from(tmp_path, monkeypatch, b"bad.xml\0 spaced\nname.xml\0")
    assert res.exit_code == 1, res.output
    assert "2 invalid" in res.stdout and "skipped" not in res.stderr


def test_files_from_refuses_a_list_that_is_no_list_of_paths(tmp_path, monkeypatch):
    """3 MB of random bytes given as the list held '/' and '/.' between NULs: the whole disk was walked. A list with a
    control character no listed name holds is refused in one line, exit 2; names with tabs stay readable."""
    import random

    noise = random.Random(7).randbytes(4096) + b"\0/\0"
    res = files_from(tmp_path, monkeypatch, noise)
    assert res.exit_code == 2 and "the list is no list of paths (a control character" in res.stderr, res.output
    assert len(res.stderr.strip().splitlines()) == 1
    _invalid(tmp_path / "tab\tname.xml")
    res = files_from(tmp_path, monkeypatch, b"tab\tname.xml\n")
    assert res.exit_code == 1 and "1 invalid" in res.stdout, res.output


@pytest.mark.parametrize("args", [
    ["convert", str(SAMPLES / "ehf-invoice.xml"), "--to", "cii", "-o", "{out}"],
    ["render", str(SAMPLES / "ehf-invoice.xml"), "-o", "{out}"],
    ["extract", str(SAMPLES / "ehf-invoice.xml"), "-o", "{out}"],
    ["build", str(SAMPLES / "ehf-invoice.yaml"), "--format", "ehf", "-o", "{out}"],
    ["build", str(SAMPLES / "ehf-invoice.yaml"), "--format", "facturx-en16931", "--pdf", "{out}"],
    ["validate", str(SAMPLES / "ehf-invoice.xml"), "--format", "json", "-o", "{out}"],
])
def test_an_output_that_is_a_folder_is_one_line(tmp_path, args):
    """-o naming a folder gave click's four-line usage block; every other refusal of an output is one line."""
    (tmp_path / "out.xml").mkdir()
    res = run(*[a.replace("{out}", str(tmp_path / "out.xml")) for a in args])
    assert res.exit_code == 2, res.output
    assert res.stderr.strip().splitlines() == [f"einvoice {args[0]}: --{'pdf' if '--pdf' in args else 'output'}: "
                                               f"{tmp_path / 'out.xml'} is a folder; name a file to write "
                                               f"(see einvoice {args[0]} --help)"]
    assert not any((tmp_path / "out.xml").iterdir())


@pytest.mark.parametrize("name, content, reason", [
    ("nul.bin", b"\0" * 1000, "neither XML nor PDF (binary or text content)"),
    ("inv.zip", b"PK\x03\x04" + bytes(range(256)) * 4, "neither XML nor PDF (binary or text content)"),
    ("garbage.xml", b"not xml at all", "neither XML nor PDF (binary or text content)"),
    ("empty.pdf", b"", "empty file"),
    ("text.pdf", b"hello", "not a PDF (no %PDF header)"),
])
def test_every_command_says_the_same_of_a_file_that_is_neither_xml_nor_pdf(tmp_path, name, content, reason):
    """show, convert and render said 'document is empty' of NUL bytes and "start tag expected, '<' not found" of a
    ZIP, where validate said 'neither XML nor PDF'; extract called an empty file 'not a PDF'."""
    import einvoice

    path = tmp_path / name
    path.write_bytes(content)
    commands = [["validate", path], ["show", path], ["convert", path, "--to", "cii", "-o", tmp_path / "o.xml"],
                ["render", path, "-o", tmp_path / "o.html"]]
    commands += [["extract", path, "-o", tmp_path / "o.xml"]] if name == "empty.pdf" else []
    for args in commands:
        res = run(*args)
        assert res.exit_code == 2 and res.stderr.strip() == f"einvoice: {path}: {reason}", (args, res.output)
    with pytest.raises(einvoice.UnreadableInput, match=re.escape(reason)):
        einvoice.validate(path)


def test_build_says_an_invoice_is_no_build_input(tmp_path):
    """An invoice given to build was 'the input must be a mapping of invoice fields, not str' (XML) or 'not UTF-8
    text' (a PDF)."""
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    for source, kind in ((SAMPLES / "ehf-invoice.xml", "XML"), (pdf, "a PDF")):
        res = run("build", source, "--format", "ehf", "-o", tmp_path / "out.xml")
        assert res.exit_code == 2 and res.stderr.strip() == (
            f"einvoice: {source}: {kind}, not a build input: build reads invoice fields in YAML or JSON (einvoice "
            "convert re-issues an invoice in the other syntax)"), res.output
    assert not (tmp_path / "out.xml").exists()


def test_standard_input_named_twice_is_a_usage_error():
    """validate - - read the invoice once and called the second '<stdin>: empty file'."""
    res = CliRunner().invoke(main, ["validate", "-", "-"], input=(SAMPLES / "ehf-invoice.xml").read_bytes())
    assert res.exit_code == 2 and res.stderr.strip() == ("einvoice validate: FILES: standard input (-) is named more "
                                                         "than once; it can be read once (see einvoice validate --help)"), res.output


@pytest.mark.parametrize("args", [["validate", "x.xml", "--max-size", "5q"], ["validate", "x.xml", "--timeout", "abc"],
                                  ["show", "x.xml", "--max-size", "-1"]])
def test_a_bad_option_value_names_the_command_as_other_usage_errors_do(args):
    """A bad --max-size or --timeout said 'einvoice: --max-size: ...' where click's usage errors say
    'einvoice validate: ... (see einvoice validate --help)': one form for every misuse."""
    res = CliRunner().invoke(main, args)
    line = res.stderr.strip()
    assert res.exit_code == 2 and "\n" not in line
    assert line.startswith(f"einvoice {args[0]}: {args[2]}: ") and line.endswith(f"(see einvoice {args[0]} --help)"), line


def test_an_output_in_a_loop_of_links_is_not_replaced(tmp_path):
    """convert -o a link in a loop of links exited 0 and replaced the link with a file, unsaid."""
    (tmp_path / "a.xml").symlink_to(tmp_path / "b.xml")
    (tmp_path / "b.xml").symlink_to(tmp_path / "a.xml")
    for args in (["convert", SAMPLES / "ehf-invoice.xml", "--to", "cii"], ["build", SAMPLES / "ehf-invoice.yaml",
                                                                             "--format", "ehf"]):
        res = run(*args, "-o", tmp_path / "a.xml")
        assert res.exit_code == 2 and "cannot write the output (Too many levels of symbolic links); nothing written" \
            in res.stderr, res.output
        assert (tmp_path / "a.xml").is_symlink() and sorted(p.name for p in tmp_path.iterdir()) == ["a.xml", "b.xml"]


def test_a_pdf_output_named_as_another_kind_of_file_is_refused(tmp_path):
    """attach -o a.xml wrote a PDF named .xml (render refuses an output it cannot tell the kind of)."""
    res = run("build", SAMPLES / "facturx-en16931.yaml", "--format", "facturx-en16931", "--pdf", tmp_path / "x.xml")
    assert res.exit_code == 2 and res.stderr.strip() == f"einvoice build: --pdf: {tmp_path / 'x.xml'} would be a PDF " \
                                                         "named .xml: name it .pdf (see einvoice build --help)", res.output
    assert run("build", SAMPLES / "facturx-en16931.yaml", "--format", "facturx-en16931", "--pdf",
               tmp_path / "x.pdf").exit_code == 0
    res = run("attach", tmp_path / "x.pdf", SAMPLES / "facturx-en16931.xml", "-o", tmp_path / "y.html")
    assert res.exit_code == 2 and "y.html would be a PDF named .html: name it .pdf" in res.stderr, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.pdf"]


def test_xml_of_another_kind_in_a_list_of_changed_files_is_skipped(tmp_path, monkeypatch):
    """A changed pom.xml failed the README's CI recipe (--files-from) and pre-commit hook (names): 'unknown root
    element', exit 2, whatever the invoices said. In a list of changed files (--files-from, --skip-other-xml) it is
    skipped and listed as such; named without the option it is still unreadable; a list with no invoice exits 0."""
    import shutil

    (tmp_path / "pom.xml").write_text('<project xmlns="http://maven.apache.org/POM/4.0.0"/>')
    shutil.copy(SAMPLES / "ehf-invoice.xml", tmp_path / "ehf-invoice.xml")
    _invalid(tmp_path / "bad.xml")
    monkeypatch.chdir(tmp_path)
    res = files_from(tmp_path, monkeypatch, b"pom.xml\nehf-invoice.xml\n")
    assert res.exit_code == 0 and "pom.xml: skipped (not an invoice: unknown root element <project>" in res.stdout
    assert "1 valid" in res.stdout and "1 skipped" in res.stdout
    assert files_from(tmp_path, monkeypatch, b"pom.xml\nbad.xml\n").exit_code == 1  # (the invoices still judged)
    res = run("validate", "--skip-other-xml", "pom.xml", "ehf-invoice.xml")
    assert res.exit_code == 0 and "1 skipped" in res.stdout
    res = run("validate", "--skip-other-xml", "pom.xml")
    assert res.exit_code == 0 and "no invoice among the 1 file(s): nothing to validate" in res.stderr
    res = run("validate", "pom.xml", "ehf-invoice.xml")  # named on purpose: no invoice is a mistake
    assert res.exit_code == 2 and "pom.xml: unknown root element" in res.stderr
    # a file that is no XML at all, or a broken invoice, is no other XML: still unreadable
    (tmp_path / "broken.xml").write_text("<Invoice")
    assert run("validate", "--skip-other-xml", "broken.xml").exit_code == 2
    # a root misnamed in an invoice's namespace is a broken invoice too, in a folder and a list as well
    for name, xml in (("typo.xml", '<Invoce xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'),
                      ("wrong.xml", '<rsm:myinvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"/>')):
        (tmp_path / name).write_text(xml)
        res = files_from(tmp_path, monkeypatch, f"pom.xml\nehf-invoice.xml\n{name}\n".encode())
        assert res.exit_code == 2 and f"{name}: root element <" in res.stderr and "is not the invoice root of its namespace" in res.stderr
        assert "1 unreadable" in res.stdout and "1 skipped" in res.stdout
        (tmp_path / name).unlink()
    # an invoice of a format not read here (Svefaktura, FatturaPA, a UBL invoice without its namespace) is no XML
    # of another kind: unreadable in a folder's run, with the format named; skipped only when asked (--skip-other-xml)
    sub = tmp_path / "other-formats"
    sub.mkdir()
    (sub / "sfti.xml").write_text('<Invoice xmlns="urn:sfti:documents:BasicInvoice:1:0"/>')
    (sub / "fpa.xml").write_text('<p:FatturaElettronica xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"/>')
    (sub / "bare.xml").write_text('<CreditNote/>')
    shutil.copy(SAMPLES / "ehf-invoice.xml", sub / "ehf-invoice.xml")
    res = run("validate", str(sub))
    assert res.exit_code == 2 and "3 unreadable" in res.stdout and "1 valid" in res.stdout
    assert "sfti.xml: <Invoice> in namespace urn:sfti:documents:BasicInvoice:1:0 is an invoice in a format einvoice " \
           "does not read (Svefaktura)" in res.stderr
    assert "fpa.xml: <FatturaElettronica> in namespace" in res.stderr and "(FatturaPA)" in res.stderr
    assert "bare.xml: <CreditNote> without namespace is an invoice in a format einvoice does not read (an invoice of " \
           "this name declares the namespace urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2)" in res.stderr
    res = run("validate", "--skip-other-xml", str(sub))
    assert res.exit_code == 0 and "3 skipped" in res.stdout and "sfti.xml: skipped (<Invoice> in namespace" in res.stdout
    shutil.rmtree(sub)
    # XML of another kind with a DOCTYPE (a web.xml, an XHTML page): skipped by the name its DOCTYPE declares, the
    # declaration not read; an invoice with one stays refused for safety, and so does the file named on its own
    (tmp_path / "web.xml").write_text('<!DOCTYPE web-app PUBLIC "-//Sun//DTD Web Application 2.3//EN" "x.dtd">\n<web-app/>')
    res = files_from(tmp_path, monkeypatch, b"web.xml\nehf-invoice.xml\n")
    assert res.exit_code == 0 and "web.xml: skipped (not an invoice: its DOCTYPE names <web-app> (not read))" in res.stdout
    (tmp_path / "evil.xml").write_text('<!DOCTYPE Invoice>\n<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>')
    res = files_from(tmp_path, monkeypatch, b"web.xml\nevil.xml\n")
    assert res.exit_code == 2 and "evil.xml: document has a DOCTYPE" in res.stderr
    # a DOCTYPE naming another root before an invoice's (an entity declared, a validity error XML parsers let
    # through) was skipped by that name: an invoice silently passed; it is refused, in a folder run too
    for name, root in (("named-x.xml", '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">'
                                       '&e;</Invoice>'),
                       ("named-y.xml", '<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:'
                                       'CrossIndustryInvoice:100">&e;</rsm:CrossIndustryInvoice>')):
        (tmp_path / name).write_text(f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "1">]>{root}')
        res = files_from(tmp_path, monkeypatch, f"web.xml\n{name}\n".encode())
        assert res.exit_code == 2 and f"{name}: document has a DOCTYPE" in res.stderr, res.output
        alone = tmp_path / "alone"
        alone.mkdir(exist_ok=True)
        shutil.copy(tmp_path / name, alone / name)
        res = run("validate", str(alone))
        assert res.exit_code == 2 and f"{name}: document has a DOCTYPE" in res.output and "skipped" not in res.output, res.output
        (alone / name).unlink()
    # an invoice inside another document (a SOAP envelope) was skipped as XML of another kind: another silent pass
    xml = (ROOT / "samples" / "ehf-invoice.xml").read_text(encoding="utf-8")
    body = xml[xml.index("?>") + 2:] if xml.startswith("<?xml") else xml
    (tmp_path / "soap.xml").write_text('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
                                       f"{body}</s:Body></s:Envelope>", encoding="utf-8")
    wrapped = tmp_path / "wrapped"
    wrapped.mkdir()
    shutil.move(tmp_path / "soap.xml", wrapped / "soap.xml")
    shutil.copy(ROOT / "samples" / "ehf-invoice.xml", wrapped / "ehf-invoice.xml")
    res = run("validate", str(wrapped))  # (a folder's run: unreadable, the CI run fails)
    assert res.exit_code == 2 and "soap.xml: <Envelope> in namespace" in res.stderr, res.output
    assert "it holds <Invoice> in namespace urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" in res.stderr
    res = run("validate", "--skip-other-xml", str(wrapped))  # (as another format's invoice: skipped, saying so)
    assert res.exit_code == 0 and "soap.xml: skipped (<Envelope> in namespace" in res.stdout, res.output
    assert run("validate", "web.xml").exit_code == 2
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "--skip-other-xml" in hooks
    # pre-commit splits the files over several processes unless told not to: the cross-invoice checks need them all
    assert re.search(r"^\s*require_serial:\s*true\b", hooks, re.M), hooks


def test_files_from_says_what_it_skipped(tmp_path, monkeypatch):
    """A deleted file and a file that is no invoice are skipped on purpose, and said so; a listed path that exists
    but cannot be read (a link to nothing) is no skip: it is reported unreadable (exit 2), never a silent pass."""
    _invalid(tmp_path / "bad.xml")
    (tmp_path / "notes.md").write_text("x")
    res = files_from(tmp_path, monkeypatch, b"bad.xml\nnotes.md\ngone.xml\n")
    assert res.exit_code == 1 and "bad.xml: INVALID" in res.stdout
    assert res.stderr.splitlines() == ["einvoice: --files-from: 2 of the 3 listed paths skipped "
                                       "(1 neither .xml nor .pdf; 1 not found, e.g. gone.xml)"]
    res = files_from(tmp_path, monkeypatch, b"notes.md\ngone.xml\n")
    assert res.exit_code == 0 and res.stderr.splitlines() == [
        "einvoice: no invoice files to validate: 2 of the 2 listed paths skipped "
        "(1 neither .xml nor .pdf; 1 not found, e.g. gone.xml)"]
    (tmp_path / "dangling.xml").symlink_to(tmp_path / "nowhere.xml")
    res = files_from(tmp_path, monkeypatch, b"dangling.xml\n")
    assert res.exit_code == 2 and "dangling.xml" in res.stderr and "link to nothing" in res.stderr
    res = files_from(tmp_path, monkeypatch, b"")
    assert res.exit_code == 0 and res.stderr.strip() == "einvoice: no invoice files to validate (the list names no file)"


def test_the_readme_command_line_block_runs_top_to_bottom(tmp_path):
    """The README's "Command line" block, run in order in a copy of the samples: every command on the files it makes
    works (a new user's first steps; its PDF was extracted before the line that built it). Lines on files of the
    reader's own (invoices/, invoice.xml, their-invoice.pdf) are left out."""
    import re
    import shlex
    import shutil
    import subprocess
    import sys

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Command line", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    shutil.copytree(SAMPLES, tmp_path / "samples")
    own = re.compile(r"(?<![\w./-])(invoices/|invoice\.xml|invoice\.pdf|their-invoice\.pdf)")
    run_lines = [ln.split("  #", 1)[0].strip() for ln in block.splitlines()
                 if ln.startswith("einvoice ") and not own.search(ln.split("  #", 1)[0])]
    assert len(run_lines) >= 10, run_lines
    exe = f"{shlex.quote(sys.executable)} -m einvoice"
    for line in run_lines:
        res = subprocess.run(line.replace("einvoice ", exe + " "), shell=True, cwd=tmp_path, capture_output=True,
                             text=True, timeout=300)
        assert res.returncode == 0, (line, res.stdout[-500:], res.stderr[-500:])
        assert "Traceback" not in res.stderr, (line, res.stderr[-500:])


def test_build_lang_without_pdf_is_a_usage_error(tmp_path):
    """--lang sets the PDF page's language; given without --pdf it was accepted and did nothing."""
    res = run("build", SAMPLES / "ehf-invoice.yaml", "-f", "ehf", "-o", tmp_path / "x.xml", "--lang", "de")
    assert res.exit_code == 2 and "--lang" in res.stderr and "--pdf" in res.stderr
    assert not (tmp_path / "x.xml").exists()


def test_show_tells_a_credit_from_a_payment_request_and_names_bic_and_contact(tmp_path):
    """'show' printed a credit note's and a negative invoice's account and reference as 'Payment' under 'Amount due'
    (the rendered page says no payment is asked); it left out the BIC (BT-86) and the seller contact (BG-6), and
    named the payment means by its code only; JSON names kept the XML's line breaks and trailing blanks."""
    xml = (SAMPLES / "ehf-invoice.xml").read_text(encoding="utf-8")
    res = run("show", SAMPLES / "ehf-invoice.xml")
    rows = res.stdout.splitlines()
    assert res.exit_code == 0
    assert [r for r in rows if r.startswith("Payment:")] == [
        "Payment:         Bank transfer (30), account 15031111207, reference 1002344"]
    [contact] = [r for r in rows if r.startswith("Seller contact:")]
    assert contact.split(":", 1)[1].strip() not in ("", "-")
    data = json.loads(run("show", SAMPLES / "ehf-invoice.xml", "--format", "json").stdout)
    assert data["payment_requested"] is True and data["seller_contact"]["name"]
    # a BIC next to its account
    src = tmp_path / "bic.xml"
    src.write_text(xml.replace("<cbc:ID>15031111207</cbc:ID>", "<cbc:ID>15031111207</cbc:ID><cac:FinancialInstitutionBranch>"
                               "<cbc:ID>DNBANOKK</cbc:ID></cac:FinancialInstitutionBranch>", 1), encoding="utf-8")
    assert "account 15031111207 (BIC DNBANOKK)" in run("show", src).stdout
    assert json.loads(run("show", src, "--format", "json").stdout)["payment"][0]["credit_transfers"][0]["bic"] == "DNBANOKK"
    # a negative amount due: no payment asked, no account or reference to pay to
    neg = tmp_path / "neg.xml"
    neg.write_text(re.sub(r'(<cbc:PayableAmount currencyID="NOK">)[^<]*', r"\g<1>-10.00", xml), encoding="utf-8")
    rows = run("show", neg).stdout.splitlines()
    assert "Amount due:      -10.00 NOK (negative: the seller owes the buyer, not a payment request)" in rows
    assert [r for r in rows if r.startswith("Payment:")] == ["Payment:         - (not a payment request)"]
    assert json.loads(run("show", neg, "--format", "json").stdout)["payment_requested"] is False
    # a name written over two lines of the XML, with trailing blanks, is one name in JSON as in the text
    spaced = tmp_path / "spaced.xml"
    spaced.write_text(xml.replace("<cbc:RegistrationName>Fjordkraft Verksted AS</cbc:RegistrationName>",
                                  "<cbc:RegistrationName>Fjordkraft\n   Verksted AS  </cbc:RegistrationName>", 1), encoding="utf-8")
    assert json.loads(run("show", spaced, "--format", "json").stdout)["seller"]["name"] == "Fjordkraft Verksted AS"


def _cii_with_mandate(tmp_path, second_means: str | None) -> Path:
    """samples/facturx-en16931.xml (a SEPA credit transfer, 58) with the document's mandate (BT-89, in the
    payment terms) and creditor identifier (BT-90), and optionally a second means after the transfer."""
    fx = (SAMPLES / "facturx-en16931.xml").read_text(encoding="utf-8")
    fx = fx.replace("<ram:PaymentReference>", "<ram:CreditorReferenceID>FR12ZZZ123456</ram:CreditorReferenceID>\n"
                    "      <ram:PaymentReference>", 1)
    fx = fx.replace("</ram:DueDateDateTime>", "</ram:DueDateDateTime>\n"
                    "        <ram:DirectDebitMandateID>MANDATE-9</ram:DirectDebitMandateID>", 1)
    if second_means:
        fx = fx.replace("</ram:SpecifiedTradeSettlementPaymentMeans>", "</ram:SpecifiedTradeSettlementPaymentMeans>\n"
                        f"      <ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>{second_means}</ram:TypeCode>"
                        "</ram:SpecifiedTradeSettlementPaymentMeans>", 1)
    out = tmp_path / f"mandate-{second_means}.xml"
    out.write_text(fx, encoding="utf-8")
    return out


@pytest.mark.parametrize("code", ["49", "59"])
def test_show_puts_a_cii_mandate_on_the_direct_debit_not_the_first_means(tmp_path, code):
    """A CII mandate and creditor id are the document's: they were shown under the first means, a credit transfer
    (58), while the second means was the direct debit. They belong to the direct debit, in UBL too."""
    from einvoice.render import build_view

    src = _cii_with_mandate(tmp_path, code)
    ubl = tmp_path / "mandate.ubl.xml"  # (two means codes: CII-SR-467 makes it invalid; shown and converted all the same)
    assert run("convert", src, "--to", "ubl", "-o", ubl, "--force").exit_code == 0
    name = {"49": "Direct debit", "59": "SEPA direct debit"}[code]
    for path in (src, ubl):
        rows = [r for r in run("show", path).stdout.splitlines() if r.startswith(("Payment:", "Direct debit:"))]
        assert len(rows) == 2 and rows[0].startswith("Payment:") and "mandate" not in rows[0], rows
        assert "account FR7630006000011234567890189" in rows[0]
        assert rows[1].startswith(f"Payment:         {name} ({code}), direct debit of account -, mandate MANDATE-9, "
                                  "creditor id FR12ZZZ123456"), rows
        pay = json.loads(run("show", path, "--format", "json").stdout)["payment"]
        assert [p["means"] for p in pay] == ["58", code]
        assert pay[0]["direct_debit"] is None
        assert pay[1]["direct_debit"] == {"debited_account": None, "mandate": "MANDATE-9", "creditor_id": "FR12ZZZ123456"}
    from einvoice.syntax import load

    blocks = build_view(load(src).invoice, "en")["payments"]
    assert len(blocks) == 2 and not [v for k, v in blocks[0] if "MANDATE-9" in v]
    assert ("Direct debit mandate", "MANDATE-9") in blocks[1]


def test_show_keeps_a_cii_mandate_without_a_direct_debit_means_at_document_level(tmp_path):
    """A credit transfer alone and the document's mandate: the mandate is a row of its own, not the transfer's;
    a conversion to UBL (which has no place for it but a means) still carries it."""
    from einvoice.render import build_view
    from einvoice.syntax import load

    src = _cii_with_mandate(tmp_path, None)
    res = run("show", src)
    rows = [r for r in res.stdout.splitlines() if r.startswith(("Payment:", "Direct debit:"))]
    assert rows[0].startswith("Payment:") and "mandate" not in rows[0] and "direct debit" not in rows[0], rows
    assert rows[1] == ("Direct debit:    mandate MANDATE-9, creditor id FR12ZZZ123456 "
                       "(the document's: none of its payment means is a direct debit)"), rows
    pay = json.loads(run("show", src, "--format", "json").stdout)["payment"]
    assert [p["means"] for p in pay] == ["58", None]
    assert pay[0]["direct_debit"] is None
    assert pay[1]["direct_debit"] == {"debited_account": None, "mandate": "MANDATE-9", "creditor_id": "FR12ZZZ123456"}
    inv = load(src).invoice
    assert inv.payment_means[0].direct_debit is None
    assert inv.payment_without_means.direct_debit.mandate_reference == "MANDATE-9"
    blocks = build_view(inv, "en")["payments"]
    assert len(blocks) == 2 and not [v for k, v in blocks[0] if "MANDATE-9" in v]
    assert blocks[1] == [("Direct debit mandate", "MANDATE-9"), ("Creditor ID", "FR12ZZZ123456")]
    ubl = tmp_path / "mandate.ubl.xml"
    assert run("convert", src, "--to", "ubl", "-o", ubl).exit_code == 0
    text = ubl.read_text(encoding="utf-8")
    assert "<cbc:ID>MANDATE-9</cbc:ID>" in text and ">FR12ZZZ123456<" in text
    back = tmp_path / "back.xml"
    assert run("convert", ubl, "--to", "cii", "-o", back).exit_code == 0
    assert load(back).invoice.payment_without_means.direct_debit.mandate_reference == "MANDATE-9"


def test_convert_counts_and_lists_the_warnings_of_what_it_wrote(tmp_path):
    """A converted document with a warning was said 'valid' where validate says 'VALID with warnings': counted and
    listed as a build lists them; the empty delivery CII requires (a UBL source without cac:Delivery) is explained
    as the source's, not as an element to remove."""
    import re as _re

    text = (SAMPLES / "ehf-invoice.xml").read_text(encoding="utf-8")
    src = tmp_path / "no-delivery.xml"
    src.write_text(_re.sub(r"<cac:Delivery>.*?</cac:Delivery>\s*", "", text, flags=_re.S), encoding="utf-8")
    assert "<cac:Delivery>" not in src.read_text(encoding="utf-8")
    out = tmp_path / "out.xml"
    res = run("convert", src, "--to", "cii", "-o", out)
    assert res.exit_code == 0 and out.exists(), res.output
    assert _re.search(r"^wrote .*\(CII, profile facturx-en16931, valid, 1 warning\)$", res.stdout, _re.M), res.stdout
    assert "WARNING PEPPOL-EN16931-R008" in res.stderr and "the source states no delivery information" in res.stderr
    assert "Remove empty elements" not in res.stderr and "WARNING" not in res.stdout  # (warnings: on standard error)


def test_show_a_cii_mandate_of_a_document_without_means_or_beside_an_empty_debited_account(tmp_path):
    """A CII mandate without any payment means read 'Payment: means -, direct debit of account -, ...': the row of its
    own says it. A card payment (48) with an empty debited account element was taken for a direct debit and given the
    document's mandate. Payment terms with a blank last line showed a trailing ' /'."""
    src = _cii_with_mandate(tmp_path, None)
    fx = src.read_text(encoding="utf-8")
    start, end = fx.index("<ram:SpecifiedTradeSettlementPaymentMeans>"), fx.index("</ram:SpecifiedTradeSettlementPaymentMeans>")
    none = tmp_path / "no-means.xml"
    none.write_text(fx[:start] + fx[end + len("</ram:SpecifiedTradeSettlementPaymentMeans>"):], encoding="utf-8")
    rows = [r for r in run("show", none).stdout.splitlines() if r.startswith(("Payment:", "Direct debit:"))]
    assert rows[-1] == ("Direct debit:    mandate MANDATE-9, creditor id FR12ZZZ123456 "
                        "(the document's: it states no payment means)"), rows
    assert rows[0] == "Payment:         reference FA-2024-0571 (it states no payment means)", rows
    assert not [r for r in rows if "means -" in r or "direct debit of account -" in r], rows
    card = tmp_path / "card.xml"
    card.write_text(fx.replace("</ram:SpecifiedTradeSettlementPaymentMeans>", "</ram:SpecifiedTradeSettlementPaymentMeans>\n"
                               "      <ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>48</ram:TypeCode>"
                               "<ram:PayerPartyDebtorFinancialAccount/></ram:SpecifiedTradeSettlementPaymentMeans>", 1),
                    encoding="utf-8")
    pay = json.loads(run("show", card, "--format", "json").stdout)["payment"]
    assert [p["means"] for p in pay] == ["58", "48", None] and pay[1]["direct_debit"] is None, pay
    assert pay[2]["direct_debit"]["mandate"] == "MANDATE-9"
    terms = tmp_path / "terms.xml"
    terms.write_text(re.sub(r"(<ram:SpecifiedTradePaymentTerms>\s*<ram:Description>)([^<]*)", r"\g<1>\g<2>\n  ", fx, count=1),
                     encoding="utf-8")
    row = next(r for r in run("show", terms).stdout.splitlines() if r.startswith("Payment terms:"))
    assert not row.rstrip().endswith("/"), row


@pytest.mark.parametrize("fmt", ["sarif", "junit", "json"])
def test_files_from_without_an_invoice_still_writes_the_report(tmp_path, monkeypatch, fmt):
    """The README's CI recipe (changed files to --files-from, --format sarif -o einvoice.sarif, then an upload): a
    change that touched no invoice exited 0 and wrote no report, so the upload step failed. An empty report is
    written (or printed), with exit 0."""
    (tmp_path / "notes.md").write_text("x")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / f"report.{fmt}"
    res = CliRunner().invoke(main, ["validate", "--files-from", "-", "--format", fmt, "-o", str(out)], input=b"notes.md\n")
    assert res.exit_code == 0 and out.is_file(), res.output
    text = out.read_text(encoding="utf-8")
    if fmt == "sarif":
        assert json.loads(text)["runs"][0]["results"] == []
    elif fmt == "json":
        assert json.loads(text)["files"] == []
    else:
        assert 'tests="0"' in text
    res = CliRunner().invoke(main, ["validate", "--files-from", "-", "--format", fmt], input=b"notes.md\n")
    assert res.exit_code == 0 and res.stdout.strip(), res.output


def test_show_gives_a_refunds_due_date_said_so(tmp_path):
    """'Due date: -' was printed for an invoice with a due date whose amount due is negative (a refund)."""
    src = tmp_path / "refund.xml"
    src.write_text((SAMPLES / "ehf-invoice.xml").read_text(encoding="utf-8").replace(
        '<cbc:PayableAmount currencyID="NOK">13123.75</cbc:PayableAmount>',
        '<cbc:PayableAmount currencyID="NOK">-225.14</cbc:PayableAmount>'), encoding="utf-8")
    out = run("show", str(src)).output
    assert "Due date:        2024-06-01 (refund)\n" in out, out
    assert "not a payment request" in out


def test_quiet_leaves_skipped_files_to_the_summary(tmp_path):
    """-q ('list only files with findings, and the summary') listed each skipped file (a pom.xml, a note), which has
    none: they are counted in the summary line only."""
    from click.testing import CliRunner

    from einvoice.cli import main

    (tmp_path / "inv.xml").write_bytes((ROOT / "samples" / "ehf-invoice.xml").read_bytes())
    (tmp_path / "pom.xml").write_text("<project/>")
    (tmp_path / "notes.txt").write_text("hello")
    res = CliRunner().invoke(main, ["validate", str(tmp_path), "-q"])
    assert res.exit_code == 0, res.output
    assert "skipped (" not in res.output and "2 skipped" in res.output, res.output


def test_unicode_line_separators_and_bidi_marks_in_file_names_are_escaped(tmp_path):
    """U+2028 and U+2029 in a file name were printed raw in the text report and on stderr: a reader that splits lines
    by Unicode's rules (Python's splitlines, JavaScript, log viewers) saw the name broken in two. They are escaped as
    the other controls are (NEL, C0/C1, and the bidirectional embeddings, overrides and isolates)."""
    from einvoice.errors import one_line, printable

    for ch in "\u2028\u2029\x85\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c":
        assert printable(f"a{ch}b") == (f"a\\u{ord(ch):04x}b" if ord(ch) > 0xff else f"a\\x{ord(ch):02x}b")
        assert ch not in one_line(f"a{ch}b")
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes()
    (tmp_path / "a\u2028b.xml").write_bytes(xml)
    (tmp_path / "c\u2029d.xml").write_bytes(b"<Invoice")
    report = tmp_path / "report.txt"
    res = run("validate", tmp_path, "-o", report)
    assert res.exit_code == 2
    text = report.read_text(encoding="utf-8")
    assert "a\\u2028b.xml: VALID" in text and "c\\u2029d.xml: UNREADABLE" in text, text
    assert "\u2028" not in text and "\u2029" not in text
    res = run("validate", tmp_path)
    assert "c\\u2029d.xml: " in res.stderr and "\u2029" not in res.stderr and "\u2028" not in res.output, res.output
    assert all(line.startswith(("einvoice: ", str(tmp_path), "", " ")) for line in res.stderr.splitlines())


def test_show_cuts_a_very_long_value_in_text_and_gives_it_whole_in_json(tmp_path):
    """A 1 MB seller name printed 1 MB of 'an invoice at a glance': the text cuts a value at 5,000 characters and
    counts the rest, as the page does; JSON, for programs, keeps it whole."""
    data = (SAMPLES / "ehf-invoice.xml").read_text(encoding="utf-8")
    name = "N" * 20_000
    assert "Fjordkraft Verksted AS" in data
    path = tmp_path / "long.xml"
    path.write_text(data.replace("Fjordkraft Verksted AS", name), encoding="utf-8")
    res = run("show", path)
    assert res.exit_code == 0
    assert max(len(line) for line in res.stdout.splitlines()) < 5_100
    seller = next(line for line in res.stdout.splitlines() if line.startswith("Seller:"))
    assert re.search(r" N{5000}… \(\+15,000\) \| reg\. \d{9} \| VAT NO\d{9}MVA \| ", seller)  # (the name's rest counted)
    assert name in run("show", path, "--format", "json").stdout


def test_show_cuts_each_value_not_the_row_it_stands_in(tmp_path):
    """The cut at 5,000 characters was of the row's joined text: a seller name of 4,990 characters (within the bound)
    cut the organisation number in the middle and hid the VAT id and the city. Each value is cut on its own."""
    data = (SAMPLES / "ehf-invoice.xml").read_text(encoding="utf-8")
    path = tmp_path / "long.xml"
    path.write_text(data.replace("Fjordkraft Verksted AS", "N" * 4_990), encoding="utf-8")
    res = run("show", path)
    seller = next(line for line in res.stdout.splitlines() if line.startswith("Seller:"))
    whole = next(line for line in run("show", SAMPLES / "ehf-invoice.xml").stdout.splitlines() if line.startswith("Seller:"))
    assert seller.split(" | ", 1)[1] == whole.split(" | ", 1)[1] and "…" not in seller


def test_show_json_is_utf_8_whatever_the_file_name(tmp_path: Path):
    """A file name's bytes that are not UTF-8 went into show's JSON as they were: a strict reader (json.loads of the
    bytes) refused the whole document. They are shown as \\xNN, as in validate's reports."""
    import os

    name = os.fsencode(tmp_path) + b"/latin1-\xe9\xff.xml"
    try:
        with open(name, "wb") as f:
            f.write((Path(__file__).resolve().parents[1] / "samples" / "ehf-invoice.xml").read_bytes())
    except (OSError, UnicodeError):  # pragma: no cover - a file system that takes only UTF-8 names
        pytest.skip("this file system refuses a name that is not UTF-8")
    res = subprocess.run([sys.executable, "-m", "einvoice", "show", name, "--format", "json"], capture_output=True)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)  # (bytes: decoded as UTF-8, strictly)
    assert data["path"].endswith("latin1-\\xe9\\xff.xml")


def test_validate_never_writes_its_report_over_an_invoice_it_read(tmp_path: Path):
    """`validate FOLDER -o FOLDER/invoice.xml` replaced the invoice with the report: the refusal looked at the inputs as
    named, not at the files a folder or a pattern gave. Every file read is now refused as the output, in one line, exit
    2, the invoice untouched; a file skipped as no invoice (the previous run's JUnit report) is replaced as asked."""
    folder = tmp_path / "inv"
    folder.mkdir()
    invoice = folder / "invoice.xml"
    original = (SAMPLES / "ehf-invoice.xml").read_bytes()
    invoice.write_bytes(original)
    for given in ([invoice], [folder], [str(folder / "*.xml")]):
        res = run("validate", *given, "--no-schema", "-o", invoice)
        assert res.exit_code == 2, (given, res.output)
        assert res.stderr.strip().endswith("refused (choose another output file)")
        assert invoice.read_bytes() == original
    report = folder / "report.xml"
    for _ in range(2):  # (the second run finds the first one's report in the folder: skipped, and replaced)
        res = run("validate", folder, "--no-schema", "--format", "junit", "-o", report)
        assert res.exit_code == 0, res.output
        assert etree.fromstring(report.read_bytes()).tag == "testsuites"


def test_an_output_encoding_without_a_documents_character_shows_it_escaped(tmp_path: Path):
    """Standard output in an encoding that lacks a character of the document (€ under latin-1; a Windows pipe's ANSI
    code page): the report was lost, an internal error, exit 2. The character is shown escaped (\\u20ac), as Python's
    stderr does, and the command does its work."""
    import os

    data = (SAMPLES / "ehf-invoice.xml").read_text(encoding="utf-8").replace("Fjordkraft Verksted AS", "Fjord € AS")
    src = tmp_path / "inv-€.xml"
    src.write_text(data, encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    for args in (["validate", src], ["show", src], ["render", src, "-o", tmp_path / "page-€.html"]):
        res = subprocess.run([sys.executable, "-m", "einvoice", *map(str, args)], capture_output=True, env=env)
        assert res.returncode == 0, (args, res.stderr)
        assert b"\\u20ac" in res.stdout and b"internal error" not in res.stderr, (args, res.stdout)


def test_a_working_folder_deleted_under_the_command_is_no_internal_error(tmp_path: Path):
    """A CI step whose temporary working folder was cleaned away: validate of an absolute path said 'internal error:
    FileNotFoundError' (the configuration's search started at the working folder), and a relative name the same.
    The absolute path is validated (SARIF too); a relative name is a file that is not there, in one line."""
    import shlex

    gone = tmp_path / "gone"
    sample = SAMPLES / "ehf-invoice.xml"
    for args, code in ((["validate", str(sample), "--policy"], 0), (["validate", str(sample), "--format", "sarif"], 0),
                       (["validate", "x.xml"], 2), (["show", "x.xml"], 2)):
        gone.mkdir()
        cmd = f"cd {shlex.quote(str(gone))} && rmdir {shlex.quote(str(gone))} && " \
              f"{shlex.quote(sys.executable)} -m einvoice {' '.join(map(shlex.quote, args))}"
        res = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True)
        assert res.returncode == code, (args, res.stderr)
        assert "internal error" not in res.stderr and "Traceback" not in res.stderr, res.stderr
        if code == 2:
            assert res.stderr.strip() == "einvoice: x.xml: cannot read file (no such file or folder)"


def test_want_of_memory_is_said_as_such_by_every_command(monkeypatch, tmp_path):
    """Under a memory limit (ulimit -v) show, render and convert said 'internal error: MemoryError (please report it)'
    and render 'AttributeError: NoneType has no attribute seller' (an allocation that failed in compiled code left the
    model None), where validate says it wants memory. Every command says so now, exit 2."""
    from einvoice import cli, syntax

    def starved(*_a, **_k):
        raise MemoryError

    monkeypatch.setattr(syntax, "load", starved)
    for args in (["show", SAMPLES / "ehf-invoice.xml"], ["render", SAMPLES / "ehf-invoice.xml", "-o", tmp_path / "p.html"],
                 ["convert", SAMPLES / "ehf-invoice.xml", "--to", "cii", "-o", tmp_path / "c.xml"]):
        res = CliRunner().invoke(main, [str(a) for a in args])
        assert res.exit_code == 2 and res.stderr.startswith("einvoice: not enough memory for this command"), res.output
    monkeypatch.undo()
    monkeypatch.setattr(cli, "_near_memory_limit", lambda: True)  # (near the limit: another error is taken for it)
    monkeypatch.setattr(cli, "_show_json", lambda *_a: None.seller)
    res = CliRunner().invoke(main, ["show", str(SAMPLES / "ehf-invoice.xml"), "--format", "json"])
    assert res.exit_code == 2 and "not enough memory" in res.stderr and "internal error" not in res.stderr, res.output
    assert cli._after_memory_error(AttributeError().with_traceback(None)) is False
    try:
        try:
            raise MemoryError
        except MemoryError:
            raise AttributeError("'NoneType' object has no attribute 'seller'")
    except AttributeError as exc:
        assert cli._after_memory_error(exc)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_help_and_a_full_standard_error_keep_one_line_and_the_exit_status():
    """--help and --version written to a full disk printed a traceback (exit 1): they are read before the command's
    guard; and an unreadable file's reason on a full standard error turned its exit status 2 into 1 (the handler's own
    line failed too, and the interpreter ended 'lost sys.stderr'). One line and exit 2 in both."""
    run_ = [sys.executable, "-m", "einvoice"]
    for args in (["--help"], ["--version"], ["validate", "--help"]):
        with open("/dev/full", "w") as full:
            res = subprocess.run(run_ + args, stdout=full, stderr=subprocess.PIPE, text=True)
        assert res.returncode == 2 and res.stderr == "einvoice: cannot write the output to standard output: No space left on device\n", \
            (args, res.stderr)
    with open("/dev/full", "w") as full:
        res = subprocess.run(run_ + ["validate", "/nonexistent/x.xml"], stdout=subprocess.PIPE, stderr=full)
    assert res.returncode == 2


def test_standard_input_read_from_the_output_file_is_refused_as_the_file_named(tmp_path: Path):
    """`validate - -o a.xml < a.xml` (or convert, extract) replaced the invoice standard input was read from, where the
    same file named is refused: standard input redirected from the output file is refused too, the file untouched."""
    src = tmp_path / "a.xml"
    original = (SAMPLES / "ehf-invoice.xml").read_bytes()
    src.write_bytes(original)
    for args in (["validate", "-", "-o", src], ["convert", "-", "--to", "cii", "-o", src]):
        with open(src, "rb") as stdin:
            res = subprocess.run([sys.executable, "-m", "einvoice", *map(str, args)], stdin=stdin, capture_output=True,
                                 text=True)
        assert res.returncode == 2 and "the output is the file standard input reads; refused" in res.stderr, res.stderr
        assert src.read_bytes() == original
    with open(src, "rb") as stdin:  # (another output: as before)
        res = subprocess.run([sys.executable, "-m", "einvoice", "convert", "-", "--to", "cii", "-o", str(tmp_path / "c.xml")],
                             stdin=stdin, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_no_color_and_a_dumb_terminal_get_no_colours(monkeypatch):
    """The text report coloured a terminal whatever NO_COLOR (no-color.org) or TERM=dumb said."""
    import io as io_

    from einvoice import cli

    class Terminal(io_.StringIO):
        def isatty(self):
            return True

    bad = SAMPLES / "ehf-invoice.xml"
    for env, coloured in (({}, True), ({"NO_COLOR": "1"}, False), ({"TERM": "dumb"}, False)):
        monkeypatch.delenv("NO_COLOR", raising=False)
        monkeypatch.setenv("TERM", "xterm")
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        out = Terminal()
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(cli.click, "echo", lambda text="", err=False, **_k: None if err else out.write(f"{text}\n"))
        with pytest.raises(SystemExit):
            cli.main.main(["validate", str(bad), "--no-schema"], standalone_mode=False)
        assert ("\x1b[" in out.getvalue()) is coloured, (env, out.getvalue()[:200])


def test_build_lists_what_it_dropped_on_standard_error(tmp_path):
    """README: --allow-lossy lists each dropped field (EINV-B-031) on standard error, as convert lists its notes; they
    went to standard output with the line saying what was written."""
    out = tmp_path / "min.xml"
    res = run("build", SAMPLES / "ehf-invoice.yaml", "-f", "facturx-minimum", "-o", out, "--allow-lossy")
    assert res.exit_code == 0 and out.exists(), res.output
    assert res.stdout.strip().startswith("wrote ") and len(res.stdout.strip().splitlines()) == 1, res.stdout
    assert "WARNING EINV-B-031" in res.stderr


def test_a_misused_command_is_said_in_one_line():
    """An unknown option, a value outside its choices or a release that does not exist was said in click's three-line
    usage banner ('Usage: ...', 'Try ...', 'Error: ...'); now one line naming the command, exit status 2."""
    for args, said in [(("validate", "x.xml", "--rules", "peppol=3.0.22"), "no release '3.0.22' of 'peppol'"),
                       (("validate", "--bogus"), "No such option '--bogus'"), (("nonsense",), "No such command"),
                       (("build", "x.yaml"), "Missing option '--format'")]:
        res = subprocess.run([sys.executable, "-m", "einvoice", *args], capture_output=True, text=True)
        assert res.returncode == 2, args
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and said in lines[0] and lines[0].startswith("einvoice"), res.stderr
        assert "--help" in lines[0] and "Usage:" not in res.stderr


def test_a_missing_option_value_names_the_command_and_no_arguments_show_the_help():
    """click's parser reports an option's missing value without the subcommand's context: the line said 'einvoice:'
    and pointed to the group's help. A call without arguments shows the group's help as it did (exit 2), not one line."""
    res = subprocess.run([sys.executable, "-m", "einvoice", "build", "x.yaml", "-o"], capture_output=True, text=True)
    assert res.returncode == 2 and res.stderr.strip() == ("einvoice build: Option '-o' requires an argument. "
                                                          "(see einvoice build --help)")
    res = subprocess.run([sys.executable, "-m", "einvoice"], capture_output=True, text=True)
    assert res.returncode == 2 and res.stderr.startswith("Usage: einvoice") and len(res.stderr.splitlines()) > 10


def test_a_forced_conversion_counts_its_errors_once_and_no_warning_it_does_not_have(tmp_path):
    """A forced conversion of an invoice with one error said "1 error, 1 warning": the error was counted again as a
    warning. The line counts each once; each finding is then on its own line."""
    text = (ROOT / "samples" / "ehf-invoice.xml").read_text(encoding="utf-8")
    stated = re.search(r'<cbc:PayableAmount currencyID="NOK">([0-9.]+)<', text).group(1)
    bad = tmp_path / "bad-total.xml"
    bad.write_text(text.replace(f'<cbc:PayableAmount currencyID="NOK">{stated}<',
                                '<cbc:PayableAmount currencyID="NOK">1.00<'), encoding="utf-8")
    res = run("convert", bad, "--to", "cii", "-o", tmp_path / "bad.cii.xml", "--force")
    assert res.exit_code == 0, res.output
    line = res.stdout.strip()
    fatal = [f for f in res.stderr.splitlines() if f.lstrip().startswith(("FATAL", "ERROR"))]
    warned = [f for f in res.stderr.splitlines() if f.lstrip().startswith("WARNING")]
    assert fatal and f"{len(fatal)} error" in line, (line, res.stderr)
    assert ("warning" in line) == bool(warned), (line, res.stderr)


def test_a_misused_conformance_command_is_one_line():
    """einvoice conformance --bogus printed argparse's usage block and error on three lines; one line, exit 2."""
    res = CliRunner().invoke(main, ["conformance", "--bogus"])
    assert res.exit_code == 2
    assert res.stderr.strip() == "einvoice conformance: unrecognized arguments: --bogus (see einvoice conformance --help)"
    res = CliRunner().invoke(main, ["conformance", "--rule"])
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1 and "--rule" in res.stderr


def test_a_text_report_led_to_a_file_names_the_unreadable_files(tmp_path):
    """``einvoice validate ... > report.txt``: the report counted "1 unreadable" without naming it, which went to the
    terminal only (standard error); a report led elsewhere names it as a report file (-o) does. Where both streams go
    to one place (2>&1, a terminal) it is said once, on standard error."""
    good, bad = tmp_path / "good.xml", tmp_path / "bad.xml"
    good.write_bytes((ROOT / "samples" / "ehf-invoice.xml").read_bytes())
    bad.write_text("garbage")
    report = tmp_path / "report.txt"
    with open(report, "w") as out:
        res = subprocess.run([sys.executable, "-m", "einvoice", "validate", str(good), str(bad)], stdout=out,
                             stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    assert res.returncode == 2
    text = report.read_text()
    assert f"{bad}: UNREADABLE" in text and "1 unreadable" in text
    assert str(bad) in res.stderr
    both = tmp_path / "both.txt"
    with open(both, "w") as out:
        subprocess.run([sys.executable, "-m", "einvoice", "validate", str(good), str(bad)], stdout=out,
                       stderr=subprocess.STDOUT, text=True, cwd=tmp_path)
    said = both.read_text()
    assert f"einvoice: {bad}: " in said and "UNREADABLE" not in said  # (once: its line on standard error)
