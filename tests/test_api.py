"""The Python API: model classes and functions exported from einvoice, plain amounts, policy=True,
and the README's example of an EHF invoice built from Python objects (run as written)."""

from __future__ import annotations

import importlib
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

import einvoice

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- example: ehf-from-python[^>]*-->\s*```python\n(.*?)```", text, re.S)
    assert m, "the README example is missing"
    return m.group(1)


def test_readme_example_builds_a_valid_ehf_invoice(tmp_path, monkeypatch, capsys):
    code = readme_example()
    assert len(code.strip().splitlines()) < 30
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    xml = namespace["xml"]
    report = einvoice.validate(xml)
    assert report.valid and report.profile == "ehf"
    assert capsys.readouterr().out.strip() == "True"
    inv = einvoice.load(xml).invoice
    assert inv.totals.payable_amount.value == Decimal("12623.75")  # (8 x 950 + 2 x 1249.50) x 1.25


def test_model_classes_and_functions_are_exported():
    for name in ("Invoice", "InvoiceLine", "Item", "Price", "Party", "Address", "Contact", "PaymentMeans",
                 "CreditTransfer", "TaxCategory", "Amount", "Identifier", "render", "convert", "extract",
                 "build_pdf", "attach", "validate", "build"):
        assert name in einvoice.__all__ and getattr(einvoice, name) is not None, name
    assert einvoice.Invoice.__module__ == "einvoice.model.invoice"
    for module in ("einvoice.render.render", "einvoice.facturx_pdf", "einvoice.api"):
        importlib.import_module(module)  # importing submodules keeps the functions
    for name in ("render", "build_pdf", "convert", "extract", "attach", "validate", "build"):
        assert callable(getattr(einvoice, name)), name


@pytest.mark.parametrize("value", [Decimal("950.00"), "950.00", 950])
def test_amounts_take_plain_values(value):
    price = einvoice.Price(net_amount=value)
    assert isinstance(price.net_amount, einvoice.Amount) and price.net_amount.value == Decimal("950")
    assert einvoice.Party(identifiers=["10023"]).identifiers[0].value == "10023"
    with pytest.raises(Exception):
        einvoice.Price(net_amount=True)  # a flag is no amount


def test_functions(tmp_path):
    html = einvoice.render(SAMPLES / "ehf-invoice.xml", lang="en")
    assert "Amount due" in html and "2024-1001" in html
    assert einvoice.render(SAMPLES / "ehf-invoice.xml", format="pdf").startswith(b"%PDF-")
    cii = einvoice.convert(SAMPLES / "ehf-invoice.xml", to="cii")
    assert b"CrossIndustryInvoice" in cii and einvoice.validate(cii).valid
    from einvoice.build import load_input

    pdf = einvoice.build_pdf(load_input(SAMPLES / "facturx-en16931.yaml"))
    assert einvoice.extract(pdf) == einvoice.extract(_write(tmp_path / "fx.pdf", pdf))
    foreign = einvoice.render(SAMPLES / "facturx-en16931.xml", format="pdf")
    out = einvoice.attach(foreign, SAMPLES / "facturx-en16931.xml")
    assert einvoice.extract(out) == (SAMPLES / "facturx-en16931.xml").read_bytes()
    with pytest.raises(ValueError):
        einvoice.convert(SAMPLES / "ehf-invoice.xml", to="pdf")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_validate_with_policy(tmp_path, monkeypatch):
    plain = einvoice.validate(SAMPLES / "ehf-credit-note.xml")
    with_policy = einvoice.validate(SAMPLES / "ehf-credit-note.xml", policy=True)
    assert "with the house policy" in with_policy.profile_reason
    assert not any(f.rule.startswith("EINV-P-") for f in plain.findings)
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes().replace(b"<cbc:DueDate>2024-06-01</cbc:DueDate>", b"")
    assert "EINV-P-003" in {f.rule for f in einvoice.validate(xml, policy=True, schema=False).findings}
    from einvoice import config

    monkeypatch.chdir(tmp_path)
    (tmp_path / "einvoice.toml").write_text("[einvoice]\nduedays = 3\n")
    config.load.cache_clear()
    try:
        with pytest.raises(einvoice.UnreadableInput):
            einvoice.validate(SAMPLES / "ehf-invoice.xml", policy=True)
    finally:
        config.load.cache_clear()


SAMPLE = SAMPLES / "ehf-invoice.xml"


def test_validate_reads_a_binary_file_object_within_the_size_limit():
    import io

    with open(SAMPLE, "rb") as fh:
        report = einvoice.validate(fh)
    assert report.valid and report.path == str(SAMPLE)
    assert einvoice.validate(io.BytesIO(SAMPLE.read_bytes())).valid
    with pytest.raises(einvoice.UnreadableInput, match="over the limit"):
        einvoice.validate(io.BytesIO(b" " * (einvoice.xmlsafe.MAX_BYTES + 1)))
    with open(SAMPLE, encoding="utf-8") as fh, pytest.raises(TypeError, match="binary mode"):
        einvoice.validate(fh)


@pytest.mark.parametrize("source", [None, 0, 1, True, ["a.xml"], 1.5])
def test_validate_refuses_a_source_of_another_type_with_a_type_error(source):
    """An int was taken for a file descriptor (0: standard input, read until it ends), None and lists ended in
    os.stat's own message."""
    with pytest.raises(TypeError, match="expected XML as bytes, a file path"):
        einvoice.validate(source)


def test_validate_of_xml_text_given_as_str_says_to_give_bytes():
    text = SAMPLE.read_text(encoding="utf-8")
    with pytest.raises(einvoice.UnreadableInput, match="give the XML as bytes") as info:
        einvoice.validate(text)
    assert "\n" not in str(info.value)
    assert einvoice.validate(text.encode("utf-8")).valid


def test_the_model_round_trips_through_json_with_a_binary_attachment():
    """model_dump_json() of an invoice with a binary attachment (BT-125) failed ('invalid utf-8 sequence'); bytes
    are base64 in JSON both ways, so the JSON reads back to the same invoice."""
    import base64

    pdf = b"%PDF-1.4\n\xff\xfe\x00\x81 binary"
    ref = ('<cac:AdditionalDocumentReference><cbc:ID>att</cbc:ID><cac:Attachment>'
           '<cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="a.pdf">'
           f'{base64.b64encode(pdf).decode()}</cbc:EmbeddedDocumentBinaryObject></cac:Attachment>'
           '</cac:AdditionalDocumentReference>')
    xml = SAMPLE.read_bytes().replace(b"<cac:AccountingSupplierParty>", ref.encode() + b"<cac:AccountingSupplierParty>", 1)
    invoice = einvoice.load(xml).invoice
    assert any(d.attachment and d.attachment.content == pdf for d in invoice.supporting_documents)
    text = invoice.model_dump_json()
    assert base64.urlsafe_b64encode(pdf).decode() in text  # (pydantic writes the URL-safe alphabet)
    back = einvoice.Invoice.model_validate_json(text)
    assert back.model_dump() == invoice.model_dump()


_EHF_XML = Path(__file__).resolve().parent.parent / "samples" / "ehf-invoice.xml"
_EHF_YAML = Path(__file__).resolve().parent.parent / "samples" / "ehf-invoice.yaml"


@pytest.mark.parametrize("call, error, words", [
    (lambda: einvoice.validate(_EHF_XML, layers=["nonesuch"]), ValueError, "unknown layer 'nonesuch'"),
    (lambda: einvoice.validate(_EHF_XML, layers="peppol"), TypeError, "layers must be a list"),
    (lambda: einvoice.validate(_EHF_XML, rules=5), TypeError, "rules must be a dict"),
    (lambda: einvoice.validate(_EHF_XML, rules=["peppol=3.0.20"]), TypeError, "rules must be a dict"),
    (lambda: einvoice.validate(_EHF_XML, profile=["ehf"]), TypeError, "profile must be a str"),
    (lambda: einvoice.validate("no-such-file.xml", profile="ehff"), ValueError, "unknown profile 'ehff'"),
    (lambda: einvoice.validate("no-such-file.xml", rules={"peppol": "3.0.2"}), ValueError, "no release '3.0.2'"),
    (lambda: einvoice.validate(_EHF_XML, policy="no"), TypeError, "policy must be True or False"),
    (lambda: einvoice.load(_EHF_XML, max_bytes=0), TypeError, "max_bytes must be a positive int"),
        (lambda: einvoice.load(_EHF_XML, max_bytes="50MB"), TypeError, "max_bytes must be a positive int"),
    (lambda: einvoice.convert(_EHF_XML, to="cii", dropped=()), TypeError, "dropped must be a list"),
    (lambda: einvoice.convert(_EHF_XML, to="cii", supplied="x"), TypeError, "supplied must be a list"),
    (lambda: einvoice.build_file(_EHF_YAML, "ehf", None), TypeError, "output_path must be a file path"),
    (lambda: einvoice.build(_load_input(_EHF_YAML), "ehf", policy="no"), TypeError, "policy must be True"),
    (lambda: einvoice.build_pdf(_load_input(_EHF_YAML), allow_lossy="yes"), TypeError, "allow_lossy must be"),
    # (these raised UnknownRelease, ValueError and InvalidModelInput, or failed deep inside)
    (lambda: einvoice.validate(_EHF_XML, rules={"peppol": 5}), TypeError, "rules must map each family to a version"),
    (lambda: einvoice.render(_EHF_XML, format=5), TypeError, "format must be a str"),
    (lambda: einvoice.render(_EHF_XML, lang=5), TypeError, "lang must be a str or None"),
    (lambda: einvoice.build(5, "ehf"), TypeError, "the input must be a dict of invoice fields or an einvoice.Invoice"),
    (lambda: einvoice.build_pdf([], "facturx-en16931"), TypeError, "the input must be a dict"),
    (lambda: einvoice.build(_load_input(_EHF_YAML), "nope"), ValueError, "unknown format 'nope'"),
])
def test_a_wrong_argument_is_named_before_any_work(call, error, words):
    """A wrong type or unknown name among the public functions' arguments is a TypeError or ValueError naming
    the argument (internal KeyError, AttributeError and TypeError leaked before; 'no' was a true policy)."""
    with pytest.raises(error, match=re.escape(words)):
        call()


def _load_input(path):
    from einvoice.build import load_input

    return load_input(path)


def test_yaml_read_by_another_reader_is_explained_and_load_input_is_public():
    """The README's "the same from a dict or YAML": a dict read by yaml.safe_load has False for an unquoted NO
    (Norway), which was refused as "Input should be a valid string"; the line says why now, and the reader that
    reads every value as written is public (einvoice.load_input), with ConversionRefused among the errors."""
    import yaml

    data = yaml.safe_load(_EHF_YAML.read_text(encoding="utf-8").replace("country_code: 'NO'", "country_code: NO")
                          .replace('country_code: "NO"', "country_code: NO"))
    assert data["seller"]["address"]["country_code"] is False
    with pytest.raises(einvoice.InvalidModelInput) as info:
        einvoice.build(data, "ehf")
    lines = str(info.value).splitlines()
    assert any(line.startswith("seller.address.country_code: False where text is expected")
               and "einvoice.load_input" in line for line in lines), lines
    assert not any("valid string" in line for line in lines), lines
    assert einvoice.load_input(_EHF_YAML)["seller"]["address"]["country_code"] == "NO"
    assert issubclass(einvoice.ConversionRefused, einvoice.EinvoiceError)
    assert {"load_input", "ConversionRefused"} <= set(einvoice.__all__)


def test_a_factur_x_profile_asked_for_a_ubl_document_is_refused():
    """--profile facturx-en16931 on a UBL invoice said VALID: the profile's rules are CII's, and the official Factur-X
    schema refuses a UBL root element. One fatal XSD finding says so and what to do."""
    for profile in ("facturx-en16931", "facturx-extended", "facturx-minimum"):
        report = einvoice.validate(_EHF_XML, profile=profile)
        assert not report.valid
        assert [(f.rule, f.severity.value) for f in report.findings] == [("XSD", "fatal")], report.findings
        assert "UBL Invoice is no Factur-X invoice" in report.findings[0].message
    assert einvoice.validate(_EHF_XML, profile="en16931").valid  # (a profile of both syntaxes: as before)


def test_a_refusal_names_its_findings_when_printed():
    """An uncaught BuildRefused (or a SourceInvalid of a conversion) said a count only: 'invoice refused: 1 finding'."""
    data = einvoice.load_input(ROOT / "samples" / "ehf-invoice.yaml")
    data["due_date"] = "2020-01-01"
    with pytest.raises(einvoice.BuildRefused) as info:
        einvoice.build(data, "ehf", policy=True)
    assert str(info.value).splitlines() == [
        "invoice refused: 1 finding",
        "  EINV-P-004: The due date 2020-01-01 is before the issue date 2024-05-02. (input: due_date / issue_date)"]


def test_a_severity_prints_as_its_word_and_sorts_by_its_rank():
    """f'{finding.severity}' gave 'Severity.WARNING'; sorted by severity, findings came alphabetically (error before
    fatal); a report's as_dict lacked what the command line's JSON says of a file (its profile's reason, its status)."""
    from einvoice.rules.engine import Severity

    assert f"{Severity.WARNING}" == str(Severity.WARNING) == "warning"
    assert sorted(Severity, key=lambda s: s.rank) == [Severity.FATAL, Severity.ERROR, Severity.WARNING, Severity.INFO]
    report = einvoice.validate(ROOT / "samples" / "ehf-invoice.xml")
    as_dict = report.as_dict()
    assert json.loads(json.dumps(as_dict))["status"] == "valid" and as_dict["profile_reason"] == report.profile_reason


# --------------------------------------------------------------------------- misuse: errors of ours, one line each

def _small_invoice():
    return einvoice.Invoice(number="1", issue_date="2024-05-02", currency_code="NOK",
                            payment_means=[einvoice.PaymentMeans(code="30")],
                            lines=[einvoice.InvoiceLine(id="1", quantity=1, price=einvoice.Price(net_amount="10"))])


def test_render_checks_an_invoice_given_as_build_does():
    # a field set after construction is not validated by the model: render raised AttributeError / TypeError, and a
    # lone surrogate gave a page that could not be encoded (UnicodeEncodeError from the PDF)
    inv = _small_invoice()
    inv.payment_means[0].code = 30
    with pytest.raises(einvoice.InvalidModelInput):
        einvoice.render(inv)
    inv = _small_invoice()
    inv.lines = None
    with pytest.raises(einvoice.InvalidModelInput):
        einvoice.render(inv)
    inv = einvoice.Invoice(number="2024-1", seller=einvoice.Party(name="Acme \ud800 AS"))
    for fmt in ("html", "pdf"):
        with pytest.raises(einvoice.InvalidModelInput, match=r"seller\.name: contains the character U\+D800"):
            einvoice.render(inv, format=fmt)
    assert "Acme" in einvoice.render(_small_invoice().model_copy(update={"seller": einvoice.Party(name="Acme AS")}))


@pytest.mark.parametrize("out, reason", [
    ("{tmp}", "it is a folder; name a file to write"),
    ("/proc/no-such-folder/x.xml", "No such file or directory"),
    ("{tmp}/a\0b.xml", "the name holds a NUL character"),
    ("{tmp}/" + "n" * 300 + ".xml", "File name too long"),
])
def test_build_file_says_which_output_cannot_be_written(tmp_path, out, reason):
    from einvoice.errors import CannotWrite

    out = out.format(tmp=tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(CannotWrite) as caught:
        einvoice.build_file(SAMPLES / "ehf-invoice.yaml", "ehf", out)
    exc = caught.value
    assert isinstance(exc, OSError) and isinstance(exc, einvoice.EinvoiceError)
    text = str(exc)
    assert len(text.splitlines()) == 1 and reason in text and text.endswith("; nothing written")
    assert text.startswith(out.replace("\0", "\\x00")[:40])  # (named as given, not as a temporary file)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no file left


def test_a_file_name_with_a_line_break_is_one_line_in_the_message():
    with pytest.raises(einvoice.UnreadableInput) as caught:
        einvoice.validate("/tmp/no\nsuch.xml")
    assert str(caught.value) == "/tmp/no\\x0asuch.xml: cannot read file (no such file or folder)"
    assert caught.value.path == "/tmp/no\nsuch.xml"  # (the path as given)


@pytest.mark.parametrize("arg", [None, 5, b"samples/ehf-invoice.yaml", True])
def test_load_input_names_its_argument_when_of_another_type(arg):
    with pytest.raises(TypeError, match=r"^load_input takes the path \(str or os.PathLike\) of a YAML or JSON file"):
        einvoice.load_input(arg)


@pytest.mark.parametrize("text", ["number: '1'\nissue_date: 2024-05-02\n", '{"number": "1"}',
                                  (SAMPLES / "ehf-invoice.xml").read_text(encoding="utf-8")])
def test_load_input_of_a_documents_text_says_it_reads_a_file(text):
    with pytest.raises(einvoice.UnreadableInput) as caught:
        einvoice.load_input(text)
    message = str(caught.value)
    assert len(message.splitlines()) == 1 and len(message) < 300
    assert "load_input reads a YAML or JSON file" in message


def test_a_file_object_that_cannot_be_read_is_unreadable_input(tmp_path):
    f = open(SAMPLES / "ehf-invoice.xml", "rb")
    f.close()
    with pytest.raises(einvoice.UnreadableInput, match=r"cannot read the file object \(.*closed file"):
        einvoice.validate(f)

    class Flaky:
        name = "upload.xml"

        def read(self, n=-1):
            if n == 0:
                return b""
            raise ConnectionResetError(104, "Connection reset by peer")

    with pytest.raises(einvoice.UnreadableInput, match=r"^upload.xml: cannot read the file object \(Connection reset"):
        einvoice.validate(Flaky())


def test_convert_checks_its_profile_before_reading_the_source():
    bare = b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'
    with pytest.raises(ValueError, match=r"unknown UBL profile 'nope' for to='ubl'"):
        einvoice.convert(bare, "ubl", profile="nope")
    with pytest.raises(ValueError, match=r"unknown Factur-X profile 'ehf' for to='cii'"):
        einvoice.convert(bare, "cii", profile="ehf")
    with pytest.raises(einvoice.SourceInvalid):  # (a known profile: the source is judged)
        einvoice.convert(bare, "cii", profile="facturx-basic")


def test_a_model_error_names_the_kind_given_with_its_article():
    with pytest.raises(ValueError, match=r"Price\.net_amount: .* not an ellipsis$"):  # (was 'not a ellipsis')
        einvoice.Price(net_amount=...)
    with pytest.raises(ValueError, match=r"not a set$"):
        einvoice.Price(net_amount={1})


def test_the_size_limit_of_a_read_can_be_raised_or_lowered_from_python(tmp_path):
    """The command line's --max-size had no counterpart in the library: 50 MB, fixed. ``validate(max_size=)`` sets it
    for one call, ``einvoice.max_size(n)`` for every read in a block (load, convert, render, show ...)."""
    data = (Path(__file__).resolve().parents[1] / "samples" / "ehf-invoice.xml").read_bytes()
    assert einvoice.validate(data, max_size=len(data)).valid
    with pytest.raises(einvoice.UnreadableInput, match=f"over the limit of {len(data) - 1} bytes"):
        einvoice.validate(data, max_size=len(data) - 1)
    with einvoice.max_size(len(data) - 1):
        with pytest.raises(einvoice.UnreadableInput, match="over the limit"):
            einvoice.load(data)
        with pytest.raises(einvoice.UnreadableInput, match="over the limit"):
            einvoice.convert(data, to="cii")
        assert einvoice.validate(data, max_size=len(data)).valid  # (the call's own limit first)
    assert einvoice.load(data).invoice.number  # (the block's limit ends with it)
    for wrong in (0, -1, "50MB", 1.5, True):
        with pytest.raises(TypeError, match="positive int"):
            einvoice.validate(data, max_size=wrong)
        with pytest.raises(TypeError, match="positive int"):
            einvoice.max_size(wrong)


def test_warm_up_loads_what_first_validations_would(tmp_path):
    """A service warms up once at start: the first validations of each profile then import nothing and compile no
    table or schema (their first requests take no longer than the rest, and a time limit or a cancellation no longer
    lands in an import). Checked in a fresh process: after warm_up, validating documents of each kind imports no
    module of einvoice."""
    import subprocess
    import sys

    script = r'''
import sys
import einvoice
warmed = einvoice.warm_up()
assert "ehf" in warmed and "facturx-en16931" in warmed and "xrechnung" in warmed, warmed
before = {m for m in sys.modules if m.startswith("einvoice")}
for path in sys.argv[1:]:
    einvoice.validate(path)
    einvoice.validate(path, profile="auto", policy=True)
after = {m for m in sys.modules if m.startswith("einvoice")}
print(sorted(after - before))
'''
    samples = [str(ROOT / "samples" / n) for n in ("ehf-invoice.xml", "ehf-credit-note.xml", "facturx-en16931.xml")]
    out = subprocess.run([sys.executable, "-c", script, *samples], capture_output=True, text=True, cwd=ROOT,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", out.stdout
    import einvoice

    with pytest.raises(ValueError, match="profile"):
        einvoice.warm_up(["no-such-profile"])
    with pytest.raises(TypeError):
        einvoice.warm_up("ehf")


def test_a_loaded_document_is_validated_as_its_source_is():
    """`einvoice.load` reads a document once (its model for a program); `einvoice.validate` refused it (TypeError), so
    a program that had loaded it read it again to validate it. A loaded document is validated as its source would be,
    under several profiles in turn, a Factur-X PDF's container findings included."""
    import einvoice

    for path in ("samples/ehf-invoice.xml", "samples/facturx-en16931.xml"):
        source = Path(__file__).resolve().parents[1] / path
        doc = einvoice.load(source)
        for profile in ("auto", "en16931"):
            got, want = einvoice.validate(doc, profile=profile, policy=True), einvoice.validate(source, profile=profile, policy=True)
            assert (got.profile, [f.as_dict() for f in got.findings]) == (want.profile, [f.as_dict() for f in want.findings])
    with pytest.raises(TypeError):
        einvoice.validate(object())


def test_a_date_or_number_given_as_bytes_is_refused_not_read_as_a_unix_time():
    """pydantic reads b"0" given for a date as a Unix time: an invoice was issued dated 1970-01-01. Bytes are refused
    for a date or a number, as a number given for a date is, in the constructor, a mapping and an assignment alike."""
    from einvoice.errors import InvalidModelInput

    data = einvoice.load_input(Path(__file__).resolve().parents[1] / "samples" / "ehf-invoice.yaml")
    data["issue_date"] = b"0"
    with pytest.raises(InvalidModelInput, match=r"issue_date: b'0' is bytes, not text"):
        einvoice.build(data, "ehf")
    data["issue_date"] = "2024-05-02"
    from einvoice.build import to_invoice

    inv = to_invoice(data)
    inv.due_date = b"86400"
    with pytest.raises(InvalidModelInput, match=r"due_date: b'86400' is bytes, not text"):
        einvoice.build(inv, "ehf")
    with pytest.raises(InvalidModelInput, match=r"is bytes, not text"):
        einvoice.Invoice(issue_date=b"0")


def test_build_pdf_of_a_ubl_format_is_a_wrong_argument():
    """build_pdf(data, "ehf") raised InvalidModelInput, the error of the input's data, which a program shows the clerk;
    a UBL format for a Factur-X PDF is the program's mistake: a ValueError naming the formats a PDF takes."""
    data = einvoice.load_input(Path(__file__).resolve().parents[1] / "samples" / "facturx-en16931.yaml")
    for fmt in ("ehf", "xrechnung-ubl"):
        with pytest.raises(ValueError, match=rf"format '{fmt}' is UBL: a Factur-X PDF embeds a CII; choose one of .*facturx-en16931"):
            einvoice.build_pdf(data, fmt)


def test_a_misspelt_field_set_by_model_copy_is_refused_not_dropped():
    """model_copy(update=...) keeps a misspelt field unchecked and model_dump leaves it out: the build went on without
    it, silently (the same typo in a mapping is refused). It is refused naming its place, on a line's copy too."""
    from einvoice.build import to_invoice
    from einvoice.errors import InvalidModelInput

    inv = to_invoice(einvoice.load_input(Path(__file__).resolve().parents[1] / "samples" / "ehf-invoice.yaml"))
    with pytest.raises(InvalidModelInput, match=r"^buyer_refrence: unknown field"):
        einvoice.build(inv.model_copy(update={"buyer_refrence": "PO-NEW-77"}), "ehf")
    line = inv.lines[0]
    inv.lines[0] = line.model_copy(update={"note_": "Bitte beachten"})
    with pytest.raises(InvalidModelInput, match=r"^lines\[0\]\.note_: unknown field"):
        einvoice.build(inv, "ehf")
    inv.lines[0] = line.model_copy(update={"quantity": Decimal("8")})  # (a field of the model: built as before)
    assert b"<cbc:InvoicedQuantity unitCode=" in einvoice.build(inv, "ehf")


def test_a_loaded_invoice_pickles_as_the_meaning_it_holds():
    """A model read from a document kept the document's lxml elements (where each value stands), which do not pickle:
    a loaded invoice could not be sent to a process pool. It pickles without them, and builds the same bytes."""
    import pickle

    for path, fmt in (("samples/ehf-invoice.xml", "ehf"), ("samples/facturx-en16931.xml", "facturx-en16931")):
        inv = einvoice.load(Path(__file__).resolve().parents[1] / path).invoice
        assert inv.lines[0]._el is not None
        copy = pickle.loads(pickle.dumps(inv))
        assert copy.model_dump() == inv.model_dump() and copy.lines[0]._el is None
        assert einvoice.build(copy, fmt) == einvoice.build(inv, fmt)
        assert inv.lines[0]._el is not None  # (the original keeps its places)


def test_a_loaded_invoice_equals_its_copies_and_the_same_file_read_again():
    """Equality is of meaning: the elements a model was read from do not count. A loaded invoice compared unequal to
    its deep copy, its pickled copy and the same file read a second time; a changed value still makes it unequal."""
    import copy
    import pickle

    root = Path(__file__).resolve().parents[1]
    for path in ("samples/ehf-invoice.xml", "samples/facturx-en16931.xml"):
        inv, again = einvoice.load(root / path).invoice, einvoice.load(root / path).invoice
        assert inv == again and inv == copy.deepcopy(inv) and inv == inv.model_copy(deep=True)
        assert inv == pickle.loads(pickle.dumps(inv)) and inv.lines[0] == again.lines[0]
        assert inv != inv.model_copy(update={"number": inv.number + "x"})
        line = inv.lines[0]
        assert line != line.model_copy(update={"quantity": line.quantity + 1})
        assert inv.seller != inv.buyer and inv != inv.seller and inv != "x"


def test_the_package_is_typed_and_names_its_exports_for_a_type_checker():
    """py.typed ships (a type checker reads the annotations of an installed einvoice); ``__all__`` is a literal list
    of every name loaded on first use (a type checker reads no computed one), and each is imported for a type
    checker under TYPE_CHECKING as ``import x as x`` (an explicit re-export in strict mode)."""
    import ast

    pkg = ROOT / "einvoice"
    assert (pkg / "py.typed").is_file()
    assert "py.typed" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    tree = ast.parse((pkg / "__init__.py").read_text(encoding="utf-8"))
    listed = next(node.value for node in tree.body if isinstance(node, ast.Assign)
                  and any(getattr(t, "id", None) == "__all__" for t in node.targets))
    assert isinstance(listed, ast.List) and all(isinstance(e, ast.Constant) for e in listed.elts)
    assert [e.value for e in listed.elts] == ["__version__", *einvoice._LAZY]
    checking = next(node for node in tree.body if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING")
    exported = {}
    for node in ast.walk(checking):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                assert alias.asname == alias.name, f"{alias.name} is imported without 'as {alias.name}'"
                exported[alias.name] = "einvoice" + ("." + node.module if node.module else "")
    assert exported == {name: target[0] for name, target in einvoice._LAZY.items()}


def test_model_validate_refuses_as_the_constructor_does():
    """Invoice.model_validate and model_validate_json (pydantic's way to construct from data) raise what the
    constructor raises, InvalidModelInput with one line per problem in the caller's field names, not pydantic's own
    error of several lines; what fits round-trips as before."""
    with pytest.raises(einvoice.InvalidModelInput) as bad:
        einvoice.Invoice.model_validate({"number": 5, "lines": [{"quantity": "x"}]})
    assert isinstance(bad.value, ValueError)
    assert str(bad.value).splitlines() == [
        "Invoice.number: text is expected, not 5",
        "Invoice.lines[0].quantity: 'x' is not a plain decimal number (digits 0-9, a sign, a decimal point)"]
    with pytest.raises(einvoice.InvalidModelInput, match=r"^Invoice\.issue_date: '2024-13-01' is no date"):
        einvoice.Invoice.model_validate_json('{"issue_date": "2024-13-01"}')
    inv = einvoice.load(SAMPLES / "ehf-invoice.xml").invoice
    assert einvoice.Invoice.model_validate(inv.model_dump()) == inv
    assert einvoice.Invoice.model_validate_json(inv.model_dump_json()) == inv


def _refuse_in_worker(kind: str):
    from einvoice.errors import BuildRefused
    from einvoice.rules.engine import Finding, Severity
    from einvoice.syntax.convert import ConversionRefused

    if kind == "conversion":
        raise ConversionRefused("the target needs invoice lines", ["BG-25 INVOICE LINE"], "min.xml")
    raise BuildRefused([Finding("EINV-B-001", Severity.ERROR, "The invoice number is missing.", "Give one.",
                                None, None, "build", None)])


def test_errors_cross_a_process_boundary_as_they_are():
    """einvoice's errors pickle as they are: a ConversionRefused out of a pool's worker broke the pool (its __init__
    takes other arguments than the message: the result thread died, ``.get()`` waited for good), and a BuildRefused
    came back as a refusal of one "finding" per character of its message."""
    import concurrent.futures
    import errno
    import multiprocessing
    import pickle

    from einvoice.errors import BuildRefused, CannotWrite, InvalidModelInput, SourceInvalid, UnreadableInput
    from einvoice.rules.engine import Finding, Severity
    from einvoice.syntax.convert import ConversionRefused

    f = Finding("BR-01", Severity.FATAL, "msg", "hint", "/x", 3, "en16931", "a.xml")
    for exc in (ConversionRefused("no lines", ["BG-25"], "a.xml"), BuildRefused([f]), SourceInvalid([f, f]),
                UnreadableInput("not XML", "a.xml"), InvalidModelInput("number: missing", findings=[f]),
                CannotWrite("/x/y", OSError(errno.EACCES, "Permission denied"))):
        back = pickle.loads(pickle.dumps(exc))
        assert type(back) is type(exc) and str(back) == str(exc) and back.args == exc.args
        assert back.__dict__ == exc.__dict__
    assert pickle.loads(pickle.dumps(CannotWrite("/x", OSError(errno.EACCES, "no")))).errno == errno.EACCES
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context(method)) as pool:
        with pytest.raises(ConversionRefused) as info:
            pool.submit(_refuse_in_worker, "conversion").result(timeout=60)
        assert info.value.missing == ["BG-25 INVOICE LINE"] and info.value.path == "min.xml"
        with pytest.raises(BuildRefused) as refused:
            pool.submit(_refuse_in_worker, "build").result(timeout=60)
        assert str(refused.value) == "invoice refused: 1 finding\n  EINV-B-001: The invoice number is missing."
        assert pool.submit(len, "abc").result(timeout=60) == 3  # (the pool still works)


def test_a_finding_is_read_back_from_its_dict():
    """``Finding(**finding.as_dict())`` (a report read back from its JSON): the severity, written as its name, is a
    Severity again (a plain string made ``Report.valid`` raise AttributeError); a name that is no severity is refused."""
    from einvoice.rules.engine import Finding, Report, Severity

    report = einvoice.validate(ROOT / "samples" / "ehf-invoice.xml")
    report.findings.append(Finding("BR-01", Severity.FATAL, "The specification identifier is missing."))
    back = Report(findings=[Finding(**json.loads(json.dumps(f.as_dict()))) for f in report.findings])
    assert [f.severity for f in back.findings] == [f.severity for f in report.findings]
    assert back.findings[-1].severity is Severity.FATAL and back.valid is False
    with pytest.raises(ValueError):
        Finding("BR-01", "grave", "x")


def test_a_report_maps_the_prefixes_its_xpaths_use():
    """The JSON report of the command line maps the prefixes of the findings' XPaths (``namespaces``); the API's report
    had no such map, and an XPath naming an element by a prefix of its own (a default namespace declared below the
    root) could not be evaluated. ``Report.namespaces`` and ``as_dict()`` give it."""
    import einvoice

    elementpath = pytest.importorskip("elementpath")
    cbc = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
    xml = ('<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">\n'
           f'  <CustomizationID xmlns="{cbc}">urn:cen.eu:en16931:2017</CustomizationID>\n'
           f'  <ID xmlns="{cbc}">1</ID>\n  <IssueDate xmlns="{cbc}">2024-02-30</IssueDate>\n</Invoice>\n').encode()
    report = einvoice.validate(xml, schema=False)
    data = report.as_dict()
    assert data["namespaces"] == report.namespaces and cbc in report.namespaces.values(), data.get("namespaces")
    from lxml import etree

    tree = etree.fromstring(xml).getroottree()
    located = [f for f in report.findings if f.xpath]
    assert located
    for f in located:
        nodes = elementpath.select(tree, f.xpath, namespaces=report.namespaces)
        assert len(nodes) == 1 and nodes[0].sourceline == f.line, (f.rule, f.xpath)
    assert "namespaces" not in einvoice.validate((ROOT / "samples" / "ehf-invoice.xml").read_bytes()).as_dict()
