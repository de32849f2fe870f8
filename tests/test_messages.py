"""Messages a clerk acts on: amounts in total-rule messages, fatal and error counted apart,
-q summary line, show --format json, examples in every command's --help."""

from __future__ import annotations

import json
from decimal import Decimal
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from einvoice.cli import main
from einvoice.validate import validate

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_amount_rules_name_the_amounts():
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes()
    broken = re.sub(rb'(<cbc:PayableAmount currencyID="NOK">)[^<]*', rb"\g<1>13000.00", xml)
    [co16] = [f for f in validate(broken).findings if f.rule == "BR-CO-16"]
    assert "stated 13000.00 NOK, computed 13123.75 NOK, difference -123.75 NOK" in co16.message
    cii = (SAMPLES / "facturx-en16931.xml").read_bytes()
    broken = re.sub(rb"(<ram:DuePayableAmount>)[^<]*", rb"\g<1>1.00", cii)
    [co16] = [f for f in validate(broken).findings if f.rule == "BR-CO-16"]
    assert re.search(r"stated 1\.00 EUR, computed [\d.]+ EUR, difference -[\d.]+ EUR", co16.message)
    # a line total that disagrees: BR-CO-10 says by how much
    broken = re.sub(rb'(<cbc:LineExtensionAmount currencyID="NOK">)10499.00', rb"\g<1>10490.00", xml)
    [co10] = [f for f in validate(broken).findings if f.rule == "BR-CO-10"]
    assert "stated 10490.00 NOK, computed 10499.00 NOK, difference -9.00 NOK" in co10.message


def test_amounts_are_of_the_totals_that_failed():
    """A UBL extension may hold a cac:LegalMonetaryTotal of its own (Serbian SRBDT invoices do), which the EN 16931
    rules judge too: its findings quoted the document's totals ("stated 10499.00, computed 10499.00, difference
    +0.00" on a failed rule). They name no amounts now; the document's own totals keep theirs."""
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes()
    xml = re.sub(rb'(<cbc:LineExtensionAmount currencyID="NOK">)10499.00', rb"\g<1>10490.00", xml)
    ext = (b'<ext:UBLExtensions xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2">'
           b"<ext:UBLExtension><ext:ExtensionContent><cac:LegalMonetaryTotal>"
           b'<cbc:PayableAmount currencyID="NOK">1.00</cbc:PayableAmount></cac:LegalMonetaryTotal>'
           b"</ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions><cbc:CustomizationID>")
    xml = xml.replace(b"<cbc:CustomizationID>", ext, 1)
    found = {(f.rule, "UBLExtensions" in (f.xpath or "")): f.message for f in validate(xml, schema=False).findings
             if f.rule in ("BR-CO-10", "BR-CO-16")}
    assert set(found) == {("BR-CO-10", True), ("BR-CO-10", False), ("BR-CO-16", True)}, found
    assert "stated 10490.00 NOK, computed 10499.00 NOK" in found["BR-CO-10", False]
    assert "stated" not in found["BR-CO-10", True] and "stated" not in found["BR-CO-16", True]


def test_a_second_tax_total_gets_its_own_amounts():
    """BR-CO-14 judges each UBL cac:TaxTotal with subtotals: a second one (repeated, or in the accounting currency
    with a breakdown) was given the first one's figures ("stated 2624.75, computed 2624.75, difference +0.00")
    on a failed rule. Each gets its own; a second cac:LegalMonetaryTotal gets none (the model reads the first)."""
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes()
    start = xml.index(b"<cac:TaxTotal>")
    end = xml.index(b"</cac:TaxTotal>") + len(b"</cac:TaxTotal>")
    total = xml[start:end]
    other = re.sub(rb'(<cbc:TaxAmount currencyID="NOK">)[^<]*(</cbc:TaxAmount>\s*<cac:TaxSubtotal>)', rb"\g<1>99.00\g<2>", total, 1)
    assert other != total
    doubled = xml[:end] + other + xml[end:]
    found = [f for f in validate(doubled, schema=False).findings if f.rule == "BR-CO-14"]
    assert [f.xpath for f in found] == ["/Invoice/cac:TaxTotal[2]"], found
    assert re.search(r"stated 99\.00 NOK, computed [\d.]+ NOK, difference -[\d.]+ NOK", found[0].message), found[0].message
    lmt = re.search(rb"<cac:LegalMonetaryTotal>.*?</cac:LegalMonetaryTotal>", xml, re.S)
    second = re.sub(rb'(<cbc:PayableAmount currencyID="NOK">)[^<]*', rb"\g<1>1.00", lmt[0])
    twice = xml[:lmt.end()] + second + xml[lmt.end():]
    found = {f.xpath: f.message for f in validate(twice, schema=False).findings if f.rule == "BR-CO-16"}
    assert list(found) == ["/Invoice/cac:LegalMonetaryTotal[2]"] and "stated" not in found["/Invoice/cac:LegalMonetaryTotal[2]"]


def test_breakdown_rules_name_the_amounts():
    """A VAT breakdown whose taxable amount (BR-S-08) or VAT amount (BR-S-09, BR-CO-17) is wrong says by how much:
    the taxable amount against the lines' net amounts of its category and rate, the VAT amount against taxable
    amount x rate, in both syntaxes, and under XRechnung's rules too."""
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes()
    broken = re.sub(rb'(<cac:TaxSubtotal>\s*<cbc:TaxableAmount currencyID="NOK">)10499.00', rb"\g<1>1234.50", xml)
    assert broken != xml
    found = {f.rule: f.message for f in validate(broken).findings}
    assert "stated 1234.50 NOK, computed 10499.00 NOK, difference -9264.50 NOK" in found["BR-S-08"], found
    for rid in ("BR-S-09", "BR-CO-17"):  # (25 % of 1234.50: 308.63)
        assert "stated 2624.75 NOK, computed 308.63 NOK, difference +2316.12 NOK" in found[rid], found
    cii = (SAMPLES / "facturx-en16931.xml").read_bytes()
    basis = re.search(rb"(<ram:ApplicableTradeTax>\s*<ram:CalculatedAmount>[^<]*</ram:CalculatedAmount>\s*"
                      rb"<ram:TypeCode>VAT</ram:TypeCode>\s*<ram:BasisAmount>)([^<]*)", cii)
    assert basis is not None
    broken = cii[:basis.start(2)] + b"999.00" + cii[basis.end(2):]
    found = {f.rule: f.message for f in validate(broken).findings}
    assert f"stated 999.00 EUR, computed {basis[2].decode()} EUR" in found["BR-S-08"], found
    assert re.search(r"stated [\d.]+ EUR, computed [\d.]+ EUR, difference -[\d.]+ EUR", found["BR-S-09"]), found
    xr = (SAMPLES / "xrechnung.yaml")
    if xr.exists():
        import einvoice
        from einvoice.build import load_input

        built = einvoice.build(load_input(xr), "xrechnung-ubl")
        sub = re.search(rb'(<cac:TaxSubtotal>\s*<cbc:TaxableAmount currencyID="EUR">)([^<]*)', built)
        broken = built[:sub.start(2)] + b"1.00" + built[sub.end(2):]
        found = {f.rule: f.message for f in validate(broken).findings}
        assert f"stated 1.00 EUR, computed {sub[2].decode()} EUR" in found["BR-S-08"], found


def test_a_breakdown_rule_without_figures_reads_as_before():
    """Where a breakdown's figures cannot be told (its amount is no number, a zero rated breakdown stating VAT), the
    message has no figures it cannot stand behind and no placeholder; a zero rated one says what it should be."""
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes()
    broken = re.sub(rb'(<cac:TaxSubtotal>\s*<cbc:TaxableAmount currencyID="NOK">)10499.00', rb"\g<1>10 499,00", xml)
    found = [f for f in validate(broken, schema=False).findings if f.rule in ("BR-S-08", "BR-S-09", "BR-CO-17")]
    assert found and all("{" not in f.message and "stated" not in f.message for f in found), found
    zero = xml.replace(b"<cbc:Percent>25</cbc:Percent>", b"<cbc:Percent>0</cbc:Percent>").replace(
        b"<cbc:ID>S</cbc:ID>", b"<cbc:ID>Z</cbc:ID>")
    found = {f.rule: f.message for f in validate(zero, schema=False).findings}
    assert "must be 0: stated 2624.75 NOK, computed 0.00 NOK, difference +2624.75 NOK" in found["BR-Z-09"], found
    for message in found.values():
        assert "{" not in message, message


def test_a_total_rule_failed_on_a_repeated_total_quotes_no_equal_amounts():
    """BR-CO-15 fails when the VAT total in the invoice currency is given twice: its message quoted "stated 4675.00,
    computed 4675.00, difference +0.00" before saying it may be repeated. Equal amounts are not quoted."""
    cii = (SAMPLES / "facturx-en16931.xml").read_bytes()
    total = re.search(rb"<ram:TaxTotalAmount[^>]*>[^<]*</ram:TaxTotalAmount>", cii)[0]
    doubled = cii.replace(total, total + total, 1)
    [co15] = [f for f in validate(doubled, schema=False).findings if f.rule == "BR-CO-15"]
    assert "stated" not in co15.message and "repeated" in co15.message, co15.message


def test_amount_message_without_amounts_reads_as_before():
    from einvoice.figures import amounts_text
    from einvoice.syntax import load

    doc = load(SAMPLES / "ehf-invoice.xml")
    assert amounts_text(SimpleNamespace(invoice=doc.invoice.model_copy(update={"totals": None})), "BR-CO-16") == ""
    assert amounts_text(SimpleNamespace(), "BR-CO-16") == ""  # (no model can be read: the message as before)
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes()
    no_payable = re.sub(rb'<cbc:PayableAmount currencyID="NOK">[^<]*</cbc:PayableAmount>', b"", xml)
    for f in validate(no_payable, schema=False).findings:
        assert "{" not in f.message, f


def test_fatal_and_error_counted_apart(tmp_path):
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes()
    broken = re.sub(rb'(<cbc:PayableAmount currencyID="NOK">)[^<]*', rb"\g<1>13000.00", xml)
    (tmp_path / "bad.xml").write_bytes(broken)
    res = run("validate", tmp_path / "bad.xml", SAMPLES / "peppol-se-bankgiro.xml")
    assert "INVALID (1 fatal, 0 errors, 0 warnings)" in res.output
    assert "findings: 1 fatal, 0 errors, 0 warnings" in res.output
    # with the sample itself in the batch, the number repeats: a cross-invoice error, named apart from the fatal
    res = run("validate", tmp_path / "bad.xml", SAMPLES / "ehf-invoice.xml")
    assert "INVALID (1 fatal, 1 error, 0 warnings)" in res.output and "findings: 1 fatal, 2 errors" in res.output
    data = json.loads(run("validate", tmp_path / "bad.xml", "--format", "json").stdout)
    assert data["summary"]["findings"] == {"fatal": 1, "error": 0, "warning": 0, "info": 0}


def test_quiet_prints_the_summary_line_also_when_all_is_valid():
    res = run("validate", "-q", SAMPLES / "ehf-invoice.xml")
    assert res.exit_code == 0
    assert res.output.strip().startswith("1 file: 1 valid, 0 with warnings, 0 invalid")
    assert "ehf-invoice.xml" not in res.output


def test_show_json():
    res = run("show", SAMPLES / "ehf-credit-note.xml", "--format", "json")
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert data["kind"] == "credit-note" and data["number"] == "CN-2024-0042" and data["syntax"] == "ubl"
    assert data["seller"]["name"] == "Fjordkraft Verksted AS" and data["currency"] == "NOK"
    assert data["totals"]["amount_due"] == "1561.88" and data["customer_number"] == ["10023"]
    res = run("show", SAMPLES / "ehf-invoice.xml", "--format", "json")
    assert json.loads(res.stdout)["payment"] == [{"means": "30", "accounts": ["15031111207"], "credit_transfers": [
        {"account": "15031111207", "bic": None, "account_name": "Fjordkraft Verksted AS"}], "reference": "1002344",
        "direct_debit": None, "card": None}]


def test_show_names_the_payee_and_the_vat_in_accounting_currency(tmp_path):
    """A factored invoice is paid to the factor (the payee, BG-10), not the seller: show named the seller and the
    account only, so a clerk read the account as the seller's. The payee is named, and so are the VAT accounting
    currency (BT-6) and the VAT total in it (BT-111); a document with neither reads as before."""
    xml = (SAMPLES / "ehf-invoice.xml").read_text(encoding="utf-8")
    payee = ("<cac:PayeeParty><cac:PartyIdentification><cbc:ID>FACTOR-1</cbc:ID></cac:PartyIdentification>"
             "<cac:PartyName><cbc:Name>Nordisk Factoring AS</cbc:Name></cac:PartyName></cac:PayeeParty>")
    at = xml.index("<cac:Delivery>") if "<cac:Delivery>" in xml else xml.index("<cac:PaymentMeans>")
    factored = tmp_path / "factored.xml"
    factored.write_text(xml[:at] + payee + xml[at:], encoding="utf-8")
    res = run("show", factored)
    assert "Payee:" in res.output and "Nordisk Factoring AS (paid instead of the seller)" in res.output, res.output
    data = json.loads(run("show", factored, "--format", "json").stdout)
    assert data["payee"]["name"] == "Nordisk Factoring AS" and data["tax_currency"] is None
    assert data["totals"]["vat_accounting"] is None
    plain = run("show", SAMPLES / "ehf-invoice.xml")
    assert "Payee" not in plain.output and "accounting currency" not in plain.output
    total = xml[xml.index("<cac:TaxTotal>"):xml.index("</cac:TaxTotal>") + len("</cac:TaxTotal>")]
    eur = ('<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">230.00</cbc:TaxAmount></cac:TaxTotal>')
    two = xml.replace(total, total + eur).replace("<cbc:DocumentCurrencyCode>NOK</cbc:DocumentCurrencyCode>",
                                                  "<cbc:DocumentCurrencyCode>NOK</cbc:DocumentCurrencyCode>"
                                                  "<cbc:TaxCurrencyCode>EUR</cbc:TaxCurrencyCode>")
    assert "<cbc:TaxCurrencyCode>EUR" in two
    (tmp_path / "two.xml").write_text(two, encoding="utf-8")
    res = run("show", tmp_path / "two.xml")
    assert "VAT in accounting currency: 230.00 EUR" in res.output and "2 624.75 NOK" in res.output, res.output
    data = json.loads(run("show", tmp_path / "two.xml", "--format", "json").stdout)
    assert data["tax_currency"] == "EUR" and data["totals"]["vat_accounting"] == "230.00" and data["totals"]["vat"] == "2624.75"


def test_the_vat_total_of_a_document_without_a_currency_is_its_first():
    """BT-110 is the VAT total in the invoice currency; a document stating none (a UBL 2.0 invoice) had none, and
    show said "VAT: -" beside a stated 17.50. Without an invoice currency, the first total not in the VAT accounting
    currency is it."""
    from einvoice.model.invoice import Invoice

    inv = Invoice.model_validate({"tax_totals": [{"tax_amount": {"value": "17.50", "currency_id": "GBP"}}]})
    assert inv.vat_total is not None and inv.vat_total.tax_amount.value == Decimal("17.50")
    inv = Invoice.model_validate({"tax_currency_code": "GBP", "tax_totals": [
        {"tax_amount": {"value": "1.00", "currency_id": "GBP"}}, {"tax_amount": {"value": "2.00", "currency_id": "USD"}}]})
    assert inv.vat_total.tax_amount.value == Decimal("2.00") and inv.vat_total_accounting.tax_amount.value == 1
    inv = Invoice.model_validate({"currency_code": "EUR", "tax_totals": [{"tax_amount": {"value": "3", "currency_id": "GBP"}}]})
    assert inv.vat_total is None  # (a currency stated: the total in it, or none)


@pytest.mark.parametrize("command", ["build", "validate", "convert", "show", "render", "extract", "attach", "conformance"])
def test_every_command_help_has_examples(command):
    from einvoice.cli import main as group

    cmd = group.commands[command]
    import click

    text = cmd.get_help(click.Context(cmd, info_name=command))
    assert "Examples:" in text and f"einvoice {command} " in text


def test_version():
    from einvoice import __version__

    res = run("--version")
    assert res.exit_code == 0 and __version__ in res.output


def test_unreadable_xml_is_one_clean_line_in_every_command(tmp_path):
    bad = tmp_path / "broken.xml"
    bad.write_bytes(b'<?xml version="1.0"?>\n<Invoice>\n<a>\n</Invoice>\n')
    expected = (f"einvoice: {bad}: not well-formed XML at line 4, column 11: "
                "opening and ending tag mismatch: a line 3 and Invoice")
    for args in (["validate", bad], ["show", bad], ["render", bad, "-o", tmp_path / "x.html"],
                 ["convert", bad, "--to", "cii", "-o", tmp_path / "y.xml"]):
        res = CliRunner().invoke(main, [str(a) for a in args])
        lines = [ln for ln in res.output.splitlines() if ln.startswith("einvoice: ")]
        assert res.exit_code == 2 and lines == [expected], (args, res.output)
        assert "<string>" not in res.output


def _last_name(context: str) -> str:
    """The element a context path ends with, its predicates left out (a predicate may hold a path: [ram:ID/@schemeID])."""
    depth, steps, cur = 0, [], ""
    for ch in context:
        depth += ch == "["
        depth -= ch == "]"
        if ch == "/" and depth == 0:
            steps.append(cur)
            cur = ""
        else:
            cur += ch
    last, depth, out = (steps + [cur])[-1], 0, ""
    for ch in last:
        depth += ch == "["
        if depth == 0:
            out += ch
        depth -= ch == "]"
    return out


def test_factur_x_count_messages_name_the_element_they_count_in():
    """A count, presence or code list check of a Factur-X profile says which element it counts in. The messages named
    a predicate's text ("ram:ID must occur exactly 1 time(s) in @schemeID="VA"." of ExchangedDocument's ID) or another
    context holding the same id (MINIMUM's buyer name was said to be the seller's)."""
    import re
    from pathlib import Path

    import yaml

    schemas = Path(__file__).resolve().parents[1] / "schemas"
    checked = 0
    for structure in sorted((schemas / "structure").glob("facturx-*.yaml")):
        name = structure.stem.removeprefix("facturx-")
        rules_file = schemas / "rules" / "facturx" / f"{name}.yaml"
        if not rules_file.exists():
            continue
        rules = yaml.safe_load(rules_file.read_text(encoding="utf-8"))
        where: dict[str, set[str]] = {}
        for group in yaml.safe_load(structure.read_text(encoding="utf-8"))["groups"]:
            for ctx in group["contexts"]:
                for check in ctx.get("checks", []):
                    where.setdefault(check[0], set()).add(_last_name(ctx["context"]))
        for rid, names in where.items():
            msg = (rules.get(rid) or {}).get("message", "")
            m = (re.fullmatch(r"\S+ (?:must occur (?:exactly|at least) (?:once|\S+ times)|may occur at most \S+) in (.+?)(?:; the document has more)?\.", msg)
                 or re.fullmatch(r"The value of (?:@\S+ of )?(.+?) is not one the Factur-X .+", msg))
            if m:
                checked += 1
                said = set(re.split(r", | or ", m.group(1)))
                assert said == names, (rules_file.name, rid, msg, names)
    assert checked > 500


def test_no_message_asks_for_something_zero_times():
    """CII-SR-470 said '...[(normalize-space(ram:TypeCode) = '30' ...)] must occur exactly 0 time(s)', with the hint 'Give
    each ram:ApplicableHeaderTradeSettlement exactly 0 ram:SpecifiedTradeSettlementPaymentMeans': a count of none is a
    condition, said in words (a credit transfer without an account)."""
    from pathlib import Path

    import yaml

    said = []
    for path in sorted((Path(__file__).resolve().parents[1] / "schemas" / "rules").rglob("*.yaml")):
        for rid, meta in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            if isinstance(meta, dict):
                said += [(path.name, rid) for key in ("message", "hint") if "exactly 0 " in str(meta.get(key, ""))]
    assert said == []


def test_no_message_names_a_root_the_document_may_not_have_or_opens_with_an_xpath():
    """The UBL-CR messages said "... (under ubl:Invoice) is not used by EN 16931" on credit notes too, some opening
    with "(cac:InvoiceLine|cac:CreditNoteLine)/" or "//"; count messages quoted a predicate ("ram:AdditionalReferenced
    Document[normalize-space(ram:TypeCode) = '916']/ram:Name may occur at most once"): said in words now."""
    import yaml

    said = []
    for path in sorted((ROOT / "schemas" / "rules").rglob("*.yaml")):
        for rid, meta in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            if not isinstance(meta, dict):
                continue
            for key in ("message", "hint"):
                text = str(meta.get(key, ""))
                if ("under ubl:Invoice" in text or "from ubl:Invoice" in text or text.startswith(("(cac:", "//"))
                        or "time(s)" in text or "cac:InvoiceLine" in text and "cac:CreditNoteLine" not in text
                        or re.search(r"\[(normalize-space\(|ram:|@)[^\]]*\]( may occur| in each)", text)):
                    said.append((path.name, rid, key, text[:90]))
    assert said == []
    cn = (SAMPLES / "ehf-credit-note.xml").read_bytes().replace(
        b"<cbc:ID>", b'<cbc:UUID>1</cbc:UUID><cbc:ID>', 1)
    [cr] = [f for f in validate(cn, profile="en16931", schema=False).findings if f.rule == "UBL-CR-005"]
    assert cr.message == "cbc:UUID is not used by EN 16931 and should be left out."


def test_business_rules_of_the_factur_x_profiles_say_what_they_check():
    """The profile tables worded an EN 16931 rule by its XPath ("One of ram:ID must be given here." for an export
    line that lacks the seller's VAT identifier; "Add ram:CountryID to ram:CategoryCode" for the deliver-to country):
    a BR-* rule of a profile in force says it in the terms of the rule, and a count's hint names the path it counts."""
    import re
    from pathlib import Path

    import yaml

    rules = Path(__file__).resolve().parents[1] / "schemas" / "rules"
    xpath_worded = re.compile(r"must be given here|must be given with a value|must be equal to|must not be used under"
                              r"|^\S+ must have ")
    for name in ("minimum-1.09.2", "basicwl", "basic-1.09.2", "en16931", "extended"):
        table = yaml.safe_load((rules / "facturx" / f"{name}.yaml").read_text(encoding="utf-8"))
        worded = [rid for rid, meta in table.items() if rid.startswith("BR-") and not rid.startswith("BR-FX")
                  and xpath_worded.search(meta.get("message", ""))]
        assert not worded, (name, worded)
    for path in sorted(rules.rglob("*.yaml")):
        for rid, meta in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            if not isinstance(meta, dict):
                continue
            m = re.fullmatch(r"(.+?) may occur at most \S+(?: times)? in .+; the document has more\.", (meta or {}).get("message", ""))
            if m and (meta.get("hint") or "").startswith("Keep "):
                counted = re.sub(r"^(An?|The) ", "", m.group(1))  # (a term said in words: "A VAT registration (...)")
                assert f" {counted} in " in meta["hint"], (path.name, rid, meta["hint"])


def _hints():
    """Every hint of the rule tables and releases: (file, rule id, hint)."""
    import yaml

    root = Path(__file__).resolve().parents[1] / "schemas"
    found = []

    def walk(path, node):
        for rid, meta in (node or {}).items():
            if isinstance(meta, dict):
                if isinstance(meta.get("hint"), str):
                    found.append((path.name, rid, meta["hint"]))
                walk(path, meta)

    for path in sorted([*(root / "rules").rglob("*.yaml"), *(root / "releases").glob("*.yaml")]):
        walk(path, yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def test_a_hint_names_the_elements_of_one_syntax():
    """A hint that names the elements of both syntaxes writes them as '[ubl: X | cii: Y]', and a finding's hint is in
    the words of its document's syntax (29,103 of 36,425 hints on the corpus named both, UBL first even for CII)."""
    from einvoice.basics import words_for

    ubl, cii = re.compile(r"\b(cbc|cac|ubl):"), re.compile(r"\b(ram|rsm|udt|qdt):")
    hints = _hints()
    marked = [h for _f, _rid, h in hints if "[ubl: " in h]
    assert len(hints) > 3000 and len(marked) > 500
    for name, rid, hint in hints:
        if "[ubl: " not in hint:  # one syntax's words only (a table of one syntax, or words of neither)
            assert not (ubl.search(hint) and cii.search(hint)), (name, rid, hint)
            continue
        as_ubl, as_cii, both = words_for(hint, "ubl"), words_for(hint, "cii"), words_for(hint, None)
        assert "[ubl:" not in as_ubl + as_cii + both and " | cii: " not in as_ubl + as_cii + both, (name, rid, hint)
        assert not cii.search(as_ubl) and not ubl.search(as_cii), (name, rid, as_ubl, as_cii)
        assert "(UBL) / " in both and "(CII)" in both, (name, rid, both)
    # a predicate's brackets inside a part are the part's own
    assert words_for("[ubl: a[b='1']/c | cii: d[@e='2']] then", "ubl") == "a[b='1']/c then"
    assert words_for("[ubl: a[b='1']/c | cii: d[@e='2']] then", "cii") == "d[@e='2'] then"
    assert words_for("x [ubl: a | cii: b] y [ubl: c | cii: d].", None) == "x a (UBL) / b (CII) y c (UBL) / d (CII)."
    assert words_for("unclosed [ubl: a | cii: b", "ubl") == "unclosed [ubl: a | cii: b"  # left as written
    assert words_for(None, "ubl") is None


def test_findings_hints_are_in_the_documents_syntax():
    ubl = (SAMPLES / "ehf-invoice.xml").read_bytes()
    cii = (SAMPLES / "facturx-en16931.xml").read_bytes()
    [f] = [f for f in validate(re.sub(rb"<cbc:IssueDate>[^<]*</cbc:IssueDate>", b"", ubl)).findings if f.rule == "BR-03"]
    assert f.hint == "Add cbc:IssueDate."
    broken = re.sub(rb"<ram:IssueDateTime>.*?</ram:IssueDateTime>", b"", cii, flags=re.S)
    [f] = [f for f in validate(broken).findings if f.rule == "BR-03"]
    assert f.hint == "Add rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString with format 102."
    findings = validate(re.sub(rb"<ram:RateApplicablePercent>[^<]*</ram:RateApplicablePercent>", b"", cii)).findings
    assert findings and all("cbc:" not in (f.hint or "") and "cac:" not in (f.hint or "") for f in findings)
    findings = validate(re.sub(rb"<cbc:Percent>[^<]*</cbc:Percent>", b"", ubl)).findings
    assert findings and all("ram:" not in (f.hint or "") for f in findings)


def test_a_message_names_the_terms_of_the_documents_syntax():
    """BR-CL-18 checks a line item's VAT category in UBL, and a breakdown's too in CII: a CII breakdown's wrong code
    was called the invoiced item's (BT-151)."""
    ubl = (SAMPLES / "ehf-invoice.xml").read_bytes()
    cii = (SAMPLES / "facturx-en16931.xml").read_bytes()
    broken = re.sub(rb"(<cac:ClassifiedTaxCategory>\s*<cbc:ID>)S<", rb"\g<1>X<", ubl, count=1)
    [f] = [f for f in validate(broken).findings if f.rule == "BR-CL-18"]
    assert f.message == 'The VAT category code "X" of an invoiced item (BT-151) is not an EN 16931 VAT category.'
    at = cii.index(b"<ram:ApplicableHeaderTradeSettlement>")
    broken = cii[:at] + re.sub(rb"<ram:CategoryCode>S<", b"<ram:CategoryCode>X<", cii[at:], count=1)
    found = [f for f in validate(broken).findings if f.rule == "BR-CL-18"]
    assert found and all("of a VAT breakdown (BT-118) or an invoiced item (BT-151)" in f.message for f in found)
    assert all("[ubl:" not in f.message for f in found)


def test_sarif_rule_text_names_both_syntaxes_labelled():
    from einvoice.output import _rule_text

    f = SimpleNamespace(layer="en16931", rule="BR-CL-18", message="")
    assert _rule_text(f) == ('The VAT category code "..." of an invoiced item (BT-151) (UBL) / of a VAT breakdown '
                             "(BT-118) or an invoiced item (BT-151) (CII) is not an EN 16931 VAT category.")


def test_a_total_with_an_amount_that_is_no_number_tells_no_computed_figure():
    """A line amount written with a decimal comma ('7600,00') was left out of the computed total: BR-CO-10 said
    "computed" a sum without it and a difference of the whole line; the schema's finding names the value, the total
    rule now states no figures it cannot compute."""
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes()
    broken = xml.replace(b'<cbc:LineExtensionAmount currencyID="NOK">7600.00<', b'<cbc:LineExtensionAmount currencyID="NOK">7600,00<')
    assert broken != xml
    findings = validate(broken, schema=True).findings
    assert any(f.rule == "XSD" and "7600,00" in f.message for f in findings)
    [co10] = [f for f in findings if f.rule == "BR-CO-10"]
    assert "computed" not in co10.message and co10.message.endswith("(BT-131).")


def test_currency_and_decimal_findings_quote_what_they_found():
    """PEPPOL-EN16931-R051 said an amount was in another currency without naming either currency, UBL-DT-01 that an
    amount had more than two decimals without the amount."""
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes()
    broken = xml.replace(b'<cbc:LineExtensionAmount currencyID="NOK">7600.00<',
                         b'<cbc:LineExtensionAmount currencyID="EUR">7600.001<')
    assert broken != xml
    found = {f.rule: f.message for f in validate(broken).findings}
    assert found["UBL-DT-01"] == "An amount (7600.001) has more than two decimals."
    assert found["PEPPOL-EN16931-R051"].startswith("An amount has currency EUR, not the invoice currency (BT-5) NOK;")
    bare = xml.replace(b'<cbc:LineExtensionAmount currencyID="NOK">7600.00<', b'<cbc:LineExtensionAmount>7600.00<')
    [r051] = [f for f in validate(bare).findings if f.rule == "PEPPOL-EN16931-R051"]
    assert r051.message.startswith("An amount has no currency, not the invoice currency (BT-5) NOK;")


def test_sarif_rule_texts_leave_out_every_format_field():
    """Six policy rules' SARIF descriptions showed a raw '{value!r}' / '{form!r}': the placeholder pattern missed
    conversions and format specs. No rule's description keeps a format field."""
    from einvoice.output import _PLACEHOLDER, _rule_text
    from einvoice.profiles import PROFILES
    from einvoice.rules.engine import known_metadata

    for field in ("{value}", "{value!r}", "{form!s}", "{amount:.2f}", "{n:>10}", "{party.name}", "{ids[0]}"):
        assert _PLACEHOLDER.sub("...", f"a {field} b") == "a ... b", field
    layers = {layer for p in PROFILES.values() for layer in p.layers} | {"policy"}
    checked = 0
    for layer in sorted(layers):
        for rule in known_metadata(layer):
            text = _rule_text(SimpleNamespace(layer=layer, rule=rule, message=""))
            assert not re.search(r"\{[^{}]*\}", text), (layer, rule, text)
            checked += 1
    assert checked > 1000
    for rule in ("EINV-P-008", "EINV-P-010", "EINV-P-012", "EINV-P-013", "EINV-P-017", "EINV-P-018"):
        assert "..." in _rule_text(SimpleNamespace(layer="policy", rule=rule, message=""))


def test_no_rule_hint_names_the_other_syntax():
    """Each registered rule's hint and message, as a document of each syntax the rule runs on gets it, names no element of the other
    syntax (PEPPOL-EN16931-R044 and R046 told a CII document to mend cbc:PriceAmount and cac:AllowanceCharge; a few
    more named both without the '[ubl: X | cii: Y]' form). BR-DEX-15 is said of CII only and names UBL's sub-lines
    on purpose: they exist only there."""
    from einvoice import profiles
    from einvoice.basics import words_for
    from einvoice.rules.engine import rule_table

    ubl, cii = re.compile(r"\b(cbc|cac):"), re.compile(r"\b(ram|rsm):")
    wrong, seen = [], 0
    for name in profiles.LAYERS:
        rules = profiles.layer(name)
        meta = rule_table(rules.layer)
        for rule in rules.rules:
            if rule.id not in meta or rule.id == "BR-DEX-15":
                continue
            syntax = getattr(rule.syntax, "value", rule.syntax)
            for text in (meta[rule.id].hint, meta[rule.id].message):  # (BR-CL-11's message named both too)
                for s in ("ubl", "cii") if text and syntax is None else (syntax,) if text else ():
                    seen += 1
                    said = words_for(text, s)
                    if (ubl if s == "cii" else cii).search(said):
                        wrong.append((name, rule.id, s, said))
    assert seen > 5000 and not wrong, wrong


def test_br_co_25_on_an_amount_due_that_is_no_number_says_why_it_fails():
    """BR-CO-25 (EN 16931 1.3.15, run with XRechnung) on a UBL amount due that is no number ('2024-02-30') said the
    amount was positive and no due date or terms were given, where the document has a due date: the official
    validator stops there (the cast of the amount fails), and the message now says so, naming the value."""
    import einvoice
    from einvoice.build import load_input

    xml = einvoice.build(load_input(SAMPLES / "xrechnung.yaml"), "xrechnung-ubl")
    broken = re.sub(rb"(<cbc:PayableAmount [^>]*>)[^<]*<", rb"\g<1>2024-02-30<", xml)
    assert broken != xml and b"<cbc:DueDate>" in broken
    [f] = [f for f in validate(broken, profile="xrechnung").findings if f.rule == "BR-CO-25"]
    assert "'2024-02-30'" in f.message and "stop" in f.message and "positive" not in f.message, f.message
    assert f.xpath == "/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount"


def test_factur_x_code_list_findings_quote_the_value():
    """The Factur-X profiles' code-list findings ("The value of ram:CountryID is not one the Factur-X BASIC profile
    allows here", 385 rules) did not say which value: they quote it, an attribute's too."""
    cii = (SAMPLES / "facturx-en16931.xml").read_bytes()
    assert b"<ram:CountryID>FR</ram:CountryID>" in cii and b'format="102"' in cii
    broken = cii.replace(b"<ram:CountryID>FR</ram:CountryID>", b"<ram:CountryID>ZZ</ram:CountryID>", 1)
    broken = broken.replace(b'format="102"', b'format="999"', 1)
    found = [f.message for f in validate(broken, profile="facturx-basic", schema=False).findings
             if "is not one the Factur-X" in f.message]
    assert "The value 'ZZ' of ram:CountryID is not one the Factur-X BASIC profile allows here." in found, found
    assert any(m.startswith("The value '999' of @format of udt:DateTimeString") for m in found), found
    assert not any("{" in m for m in found)


def test_a_vat_total_in_another_currency_is_said_as_such_in_factur_x():
    """A ram:TaxTotalAmount of a currency that is neither BT-5 nor BT-6 was refused as an element the Factur-X profile
    "does not use in this place", the reason only in the path's predicate: the message says the currency is wrong."""
    cii = (SAMPLES / "facturx-en16931.xml").read_bytes()
    broken = re.sub(rb'(<ram:TaxTotalAmount currencyID=")[^"]*"', rb'\1ZZ"', cii, count=1)
    assert broken != cii
    found = [f for f in validate(broken, profile="facturx-en16931", schema=False).findings if f.rule.startswith("FX-NOTUSED")]
    assert found and all("whose currencyID is neither the invoice currency (BT-5) nor the VAT accounting currency (BT-6)"
                         in f.message and "currencyID of ram:InvoiceCurrencyCode" in f.hint for f in found), found


@pytest.mark.parametrize("sample, tag", [("ehf-invoice.xml", "LineExtensionAmount"), ("ehf-invoice.xml", "TaxAmount"),
                                         ("facturx-en16931.xml", "LineTotalAmount"),
                                         ("facturx-en16931.xml", "BasisAmount")])
def test_a_decimals_rule_quotes_the_amount_it_refuses(sample, tag):
    """BR-DEC-*: 'has more than two decimals' quotes the amount (the rule stands at its line or breakdown, which holds
    several); each element of that name given a third decimal in turn is quoted as written."""
    from lxml import etree

    root = etree.parse(str(SAMPLES / sample)).getroot()
    count = sum(1 for el in root.iter(f"{{*}}{tag}") if re.fullmatch(r"\d+\.\d\d", (el.text or "").strip()))
    said = 0
    for i in range(count):
        doc = etree.fromstring(etree.tostring(root))
        el = [e for e in doc.iter(f"{{*}}{tag}") if re.fullmatch(r"\d+\.\d\d", (e.text or "").strip())][i]
        el.text = el.text.strip() + "7"
        found = [f for f in validate(etree.tostring(doc), schema=False).findings if f.rule.startswith("BR-DEC")]
        assert all(f.message.endswith(f"has more than two decimals ('{el.text}').") for f in found), found
        said += len(found)  # (UBL's header VAT total, BT-110: no BR-DEC-13 in the UBL binding)
    assert said
