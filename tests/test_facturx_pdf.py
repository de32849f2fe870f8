"""Factur-X PDF/A-3: official samples extract like their XML twins; the PDFs we write pass our
container check and the factur-x package's own checks; refusals; unreadable PDFs; CLI."""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from lxml import etree

from einvoice.build import load_input
from einvoice.cli import main
from einvoice.container import read_pdf
from einvoice.errors import BuildRefused, InvalidModelInput, UnreadableInput
from einvoice.facturx_pdf import LEVELS, attach, build_pdf, extract
from fragments import NO_CORPUS

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
CONFORMANCE = ROOT.parent / "shared" / "conformance"
XMP_LEVEL = {"minimum": "MINIMUM", "basicwl": "BASIC WL", "basic": "BASIC", "en16931": "EN 16931",
             "extended": "EXTENDED"}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def verdict(xml: bytes) -> set[tuple[str, str]]:
    from einvoice.validate import validate

    return {(f.rule, f.severity.value) for f in validate(xml, schema=False).findings}


def pdf_parts(pdf: bytes) -> tuple[str, str | None, str]:
    """(XMP text, AFRelationship of factur-x.xml, output intent subtype)."""
    from pypdf import PdfReader

    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    rel = None
    for i in range(0, len(names), 2):
        if str(names[i]) == "factur-x.xml":
            rel = str(names[i + 1].get_object()["/AFRelationship"])
    intents = root.get("/OutputIntents")
    subtype = str(intents[0].get_object()["/S"]) if intents else ""
    return xmp, rel, subtype


def xmp_value(xmp: str, name: str) -> str | None:
    m = re.search(rf"<\w+:{name}>([^<]*)</\w+:{name}>", xmp)
    return m.group(1).strip() if m else None


# --- official samples ---------------------------------------------------------------


def test_official_facturx_pdfs_extract_with_the_verdict_of_their_xml_twin():
    fx = CONFORMANCE / "facturx-samples" / "FX"
    cii = CONFORMANCE / "facturx-samples" / "CII"
    if not fx.is_dir():
        pytest.skip(NO_CORPUS)
    compared = 0
    for pdf in sorted(fx.glob("*.pdf")):
        twin = cii / f"{pdf.stem}.cii.xml"
        if not twin.exists():
            twin = cii / f"{pdf.stem}.xml"
        xml = extract(pdf.read_bytes(), str(pdf))
        assert xml.lstrip().startswith(b"<"), pdf.name
        if not twin.exists():
            continue
        from einvoice.syntax import load

        if load(xml).invoice.issue_date != load(twin).invoice.issue_date:
            continue  # the corpus re-issued the XRECHNUNG twins (2024, XRechnung 3.0) beside the 2018 PDFs
        assert verdict(xml) == verdict(twin.read_bytes()), pdf.name
        compared += 1
    assert compared >= 20


# --- PDFs we write ------------------------------------------------------------------


@pytest.fixture(scope="module")
def ehf_data():
    return load_input(SAMPLES / "ehf-invoice.yaml")


@pytest.fixture(scope="module")
def built(ehf_data):
    # the lower profiles cannot carry all of the EHF sample (seller contact, lines ...): allowed here
    return {fmt: build_pdf(ehf_data, fmt, allow_lossy=True) for fmt in LEVELS if fmt.startswith("facturx-")}


@pytest.mark.parametrize("fmt", [f for f in LEVELS if f.startswith("facturx-")])
def test_built_pdf_passes_every_check(built, fmt):
    import facturx

    pdf, xml, report = built[fmt]
    level = LEVELS[fmt]
    assert report.valid and report.profile == fmt
    # our container check: no findings, the same XML back
    got, findings = read_pdf(pdf, "built.pdf")
    assert findings == [] and got == xml
    assert extract(pdf) == xml
    # the factur-x package's own reading, with its XSD check
    name, xml2 = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=True)
    assert name == "factur-x.xml" and xml2 == xml
    facturx.xml_check_xsd(xml2, flavor="factur-x", level=level)
    assert facturx.get_level(etree.fromstring(xml2)) == level
    # Factur-X XMP, PDF/A-3 identification, relationship, output intent
    xmp, rel, intent = pdf_parts(pdf)
    assert xmp_value(xmp, "ConformanceLevel") == XMP_LEVEL[level]
    assert xmp_value(xmp, "DocumentType") == "INVOICE"
    assert xmp_value(xmp, "DocumentFileName") == "factur-x.xml"
    assert xmp_value(xmp, "Version") == "1.0"
    assert xmp_value(xmp, "part") == "3" and xmp_value(xmp, "conformance") == "B"
    assert rel == ("/Data" if level in ("minimum", "basicwl") else "/Alternative")
    assert intent == "/GTS_PDFA1"


def test_an_xrechnung_is_attached_and_built_at_zugferds_xrechnung_level(tmp_path):
    """An XRechnung CII could not be put in a PDF ("names no Factur-X profile"): ZUGFeRD 2.1.1+ / Factur-X 1.0.06+
    carry it at the level XRECHNUNG, embedded as xrechnung.xml. attach and build --pdf write it so (the factur-x
    package, which has no such level, reads it back), an XRechnung extension too (its guideline begins with
    XRechnung's, which the level admits)."""
    import facturx

    from einvoice.render import render_pdf
    from einvoice.syntax import load
    from einvoice.validate import validate

    res = run("build", SAMPLES / "xrechnung.yaml", "-f", "xrechnung-cii", "-o", tmp_path / "xr.xml", "--pdf", tmp_path / "xr.pdf")
    assert res.exit_code == 0, res.output
    xml = (tmp_path / "xr.xml").read_bytes()
    for pdf in ((tmp_path / "xr.pdf").read_bytes(), attach(render_pdf(load(xml).invoice, "de", pdfa=True), xml)[0]):
        got, findings = read_pdf(pdf, "xr.pdf")
        assert got == xml and findings == []
        report = validate(pdf)
        assert report.valid and report.profile == "xrechnung", report.findings
        assert facturx.get_xml_from_pdf(pdf, check_xsd=False) == ("xrechnung.xml", xml)
        from pypdf import PdfReader

        root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
        xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
        assert xmp_value(xmp, "ConformanceLevel") == "XRECHNUNG" and xmp_value(xmp, "DocumentFileName") == "xrechnung.xml"
        assert xmp_value(xmp, "part") == "3"
        names = [str(n) for n in root["/Names"]["/EmbeddedFiles"]["/Names"][::2]]
        spec = root["/AF"][0].get_object()
        assert names == ["xrechnung.xml"] and (str(spec["/F"]), str(spec["/UF"]), str(spec["/AFRelationship"])) == (
            "xrechnung.xml", "xrechnung.xml", "/Alternative")
    xr = b"urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
    extension = xml.replace(xr, xr + b"#conformant#urn:xeinkauf.de:kosit:extension:xrechnung_3.0")
    assert extension != xml
    pdf, report, _notes = attach(render_pdf(load(xml).invoice, "de", pdfa=True), extension)
    assert report.profile == "xrechnung-extension" and report.valid
    assert read_pdf(pdf, "ext.pdf") == (extension, []) and validate(pdf).profile == "xrechnung-extension"


def test_xrechnung_level_refusals_name_their_reason(tmp_path):
    """At the level XRECHNUNG a PDF is read by the Factur-X EN16931 schema too (FeRD's validator, Mustang, checks it):
    an XRechnung valid by KoSIT but holding an element that schema lacks was embedded, and that validator rejects the
    PDF; refused now, in the schema's words. A retired XRechnung 2.x was refused as "names no Factur-X profile", the
    PDF's path first: refused for what it is (EINV-S-002), as validate says, naming the XML."""
    from einvoice.render import render_pdf
    from einvoice.syntax import load

    res = run("build", SAMPLES / "xrechnung.yaml", "-f", "xrechnung-cii", "-o", tmp_path / "xr.xml")
    assert res.exit_code == 0, res.output
    xml = (tmp_path / "xr.xml").read_text(encoding="utf-8")
    page = render_pdf(load(xml.encode()).invoice, "de", pdfa=True)
    at = xml.index("<ram:SpecifiedTradeSettlementPaymentMeans")
    invoicee = xml[:at] + "<ram:InvoiceeTradeParty><ram:Name>Rechnungseingang</ram:Name></ram:InvoiceeTradeParty>" + xml[at:]
    with pytest.raises(BuildRefused) as info:
        attach(page, invoicee.encode())
    (finding,) = info.value.findings
    assert finding.rule == "XSD" and "Factur-X EN 16931 schema" in finding.message and "InvoiceeTradeParty" in finding.message
    assert "cause of the problem" not in finding.message  # (the package's preamble left out)
    retired = xml.replace("urn:xeinkauf.de:kosit:xrechnung_3.0", "urn:xoev-de:kosit:standard:xrechnung_2.3")
    with pytest.raises(BuildRefused) as info:
        attach(page, retired.encode())
    assert "EINV-S-002" in {f.rule for f in info.value.findings}
    (tmp_path / "page.pdf").write_bytes(page)
    (tmp_path / "other.xml").write_text(xml.replace("urn:xeinkauf.de:kosit:xrechnung_3.0", "urn:example:cius"), encoding="utf-8")
    res = run("attach", tmp_path / "page.pdf", tmp_path / "other.xml", "-o", tmp_path / "out.pdf")
    assert res.exit_code == 2 and res.output.startswith(f"einvoice: {tmp_path / 'other.xml'}: the guideline"), res.output
    assert "page.pdf" not in res.output and not (tmp_path / "out.pdf").exists()


def test_an_invoice_under_another_name_is_seen(tmp_path):
    """A PDF carrying an invoice under a name no reader looks for (rechnung.xml) was taken by attach as an ordinary
    attachment: the result held two invoices, validate said nothing, and the factur-x package read the other one.
    attach refuses such a PDF; validate warns of it (EINV-PDF-007), as of a second invoice under a known name."""
    from einvoice.render import render_pdf
    from einvoice.syntax import load

    xml = (SAMPLES / "facturx-en16931.xml").read_bytes()
    page = render_pdf(load(xml).invoice, "fr", pdfa=True)
    with pikepdf.open(io.BytesIO(page)) as doc:
        doc.attachments["rechnung.xml"] = pikepdf.AttachedFileSpec(doc, xml, mime_type="text/xml")
        doc.attachments["notes.xml"] = pikepdf.AttachedFileSpec(doc, b"<notes><n>not an invoice</n></notes>", mime_type="text/xml")
        out = io.BytesIO()
        doc.save(out)
    carrying = out.getvalue()
    with pytest.raises(UnreadableInput, match=r"already carries an invoice XML \(rechnung.xml\)"):
        attach(carrying, xml)
    plain = attach(page, xml)[0]
    assert read_pdf(plain)[1] == []
    with pikepdf.open(io.BytesIO(plain)) as doc:
        doc.attachments["rechnung.xml"] = pikepdf.AttachedFileSpec(doc, xml, mime_type="text/xml")
        doc.attachments["notes.xml"] = pikepdf.AttachedFileSpec(doc, b"<notes/>", mime_type="text/xml")
        out = io.BytesIO()
        doc.save(out)
    got, findings = read_pdf(out.getvalue())
    assert got == xml
    (found,) = [f for f in findings if f.rule == "EINV-PDF-007"]
    assert "rechnung.xml" in found.message and "notes.xml" not in found.message


def test_built_pdf_shows_the_invoice(built):
    from pypdf import PdfReader

    pdf, _xml, _ = built["facturx-en16931"]
    page = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "2024-1001" in page and "1002344" in page and "1503.11.11207" in page


def test_build_refused_writes_nothing(tmp_path, ehf_data):
    from einvoice.facturx_pdf import build_pdf_file

    bad = dict(ehf_data)
    bad["payment_means"] = [{"code": "30", "credit_transfers": [{"account_id": "15031111207"}]}]  # no KID
    bad_file = tmp_path / "bad.yaml"
    import yaml

    bad_file.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "bad.pdf"
    with pytest.raises(BuildRefused) as exc:
        build_pdf_file(bad_file, "facturx-en16931", out)
    assert any(f.rule == "EINV-B-012" for f in exc.value.findings)
    assert not out.exists()
    with pytest.raises(InvalidModelInput):
        build_pdf(ehf_data, "ehf")


def test_profile_mismatch_between_xmp_and_xml_is_a_finding(built, tmp_path):
    import facturx

    from einvoice import batch

    _pdf, xml, _ = built["facturx-en16931"]
    visual = built["facturx-en16931"][0]
    # an EN 16931 XML declared as EXTENDED in the XMP (written without the package's XSD check)
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter()
    for page in PdfReader(io.BytesIO(visual)).pages:
        w.add_page(page)
    buf = io.BytesIO()
    w.write(buf)
    wrong = facturx.generate_from_binary(buf.getvalue(), xml, flavor="factur-x", level="extended", check_xsd=False)
    _xml, findings = read_pdf(wrong, "wrong.pdf")
    # a warning, as Factur-X 1.08 has it (BR-HYBRID-15: the level SHOULD match the XML's profile)
    assert [f.severity.value for f in findings if f.rule == "EINV-PDF-003"] == ["warning"]
    assert not [f.rule for f in findings if f.severity.blocking]
    # pypdf's copy of the pages keeps neither the output intent nor the file identifier: the PDF/A checks say so
    assert {"EINV-PDF-102", "EINV-PDF-106"} <= {f.rule for f in findings}
    path = tmp_path / "wrong.pdf"
    path.write_bytes(wrong)
    result = batch.validate_one(batch.Candidate(str(path), True), batch.Options(schema=False))
    assert result.status == batch.STATUS_WARNINGS
    assert "EINV-PDF-003" in {f.rule for f in result.findings}
    res = run("validate", path, "--no-schema")
    assert res.exit_code == 0 and "EINV-PDF-003" in res.output and "VALID with warnings" in res.output
    assert run("validate", path, "--no-schema", "--fail-on", "warning").exit_code == 1
    from einvoice.validate import validate

    library = validate(wrong, schema=False)  # the library reports the container as the CLI does
    assert library.valid and "EINV-PDF-003" in {f.rule for f in library.findings}


def test_france_ctc_extended_is_declared_as_extended_in_the_xmp(built):
    """EXTENDED-CTC-FR is a subset of EXTENDED (Factur-X 1.08): XMP level EXTENDED fits its identifier,
    EN 16931 does not."""
    import facturx
    from pypdf import PdfReader, PdfWriter

    visual, xml, _ = built["facturx-en16931"]
    ctc = xml.replace(b"<ram:ID>urn:cen.eu:en16931:2017</ram:ID>",
                      b"<ram:ID>urn:cen.eu:en16931:2017#conformant#urn.cpro.gouv.fr:1p0:extended-ctc-fr</ram:ID>")
    assert ctc != xml
    w = PdfWriter()
    for page in PdfReader(io.BytesIO(visual)).pages:
        w.add_page(page)
    buf = io.BytesIO()
    w.write(buf)
    for level, mismatch in (("extended", False), ("en16931", True)):
        pdf = facturx.generate_from_binary(buf.getvalue(), ctc, flavor="factur-x", level=level, check_xsd=False)
        _xml, findings = read_pdf(pdf, "ctc.pdf")
        assert ("EINV-PDF-003" in {f.rule for f in findings}) == mismatch, level


def _with(pdf: bytes, extra: dict[str, bytes] | None = None, xmp: tuple[str, str] | None = None) -> bytes:
    """The PDF with more embedded files and/or one text of its XMP replaced (pikepdf, structure kept)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for name, data in (extra or {}).items():
            doc.attachments[name] = pikepdf.AttachedFileSpec(doc, data, mime_type="text/xml")
        if xmp is not None:
            meta = doc.Root.Metadata
            meta.write(meta.read_bytes().replace(xmp[0].encode(), xmp[1].encode()))
        out = io.BytesIO()
        doc.save(out, fix_metadata_version=False)  # (the XMP as written: pikepdf would read and write it anew)
        return out.getvalue()


def test_a_zugferd_1_twin_beside_factur_x_xml_is_read_as_the_xmp_says(built, tmp_path):
    """Hybrid PDFs in use carry a ZUGFeRD 1.0 ZUGFeRD-invoice.xml beside factur-x.xml; the XMP names the invoice."""
    pdf, xml, _ = built["facturx-en16931"]
    twin = b'<?xml version="1.0"?><rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"/>'
    hybrid = _with(pdf, {"ZUGFeRD-invoice.xml": twin})
    got, findings = read_pdf(hybrid, "hybrid.pdf")
    assert got == xml and extract(hybrid) == xml
    assert [(f.rule, f.severity.value) for f in findings] == [("EINV-PDF-007", "warning")]
    assert "ZUGFeRD-invoice.xml" in findings[0].message and "factur-x.xml" in findings[0].message
    # the XMP naming neither of them leaves the PDF ambiguous: refused with one line, as before
    unnamed = _with(hybrid, xmp=("factur-x.xml</", "invoice.xml</"))
    with pytest.raises(UnreadableInput) as exc:
        read_pdf(unnamed, "unnamed.pdf")
    assert "2 invoice XMLs" in exc.value.reason and "its XMP names 'invoice.xml', none of them" in exc.value.reason
    # an XMP that is no well-formed XML names nothing either, and is said so (it was "its XMP names none of them")
    broken = _with(hybrid, xmp=("factur-x.xml</", "factur-x.xml &amp </"))
    with pytest.raises(UnreadableInput) as exc:
        read_pdf(broken, "broken.pdf")
    assert "its XMP metadata cannot be read to name one (not well-formed XML" in exc.value.reason
    blank = _with(hybrid, xmp=("factur-x.xml</", " </"))  # (a file name stated blank: said so, not as none stated)
    with pytest.raises(UnreadableInput) as exc:
        read_pdf(blank, "blank.pdf")
    assert "its XMP names none of them (its fx:DocumentFileName is empty)" in exc.value.reason
    path = tmp_path / "unnamed.pdf"
    path.write_bytes(unnamed)
    res = run("validate", path)
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_an_unknown_xmp_conformance_level_is_an_error(built):
    pdf, _xml, _ = built["facturx-en16931"]
    _got, findings = read_pdf(_with(pdf, xmp=(">EN 16931<", ">no thing<")), "level.pdf")
    assert [(f.rule, f.severity.value) for f in findings] == [("EINV-PDF-008", "error")]
    assert "'no thing'" in findings[0].message
    _got, findings = read_pdf(_with(pdf, xmp=(">EN 16931<", ">en 16931<")), "case.pdf")
    assert findings == []  # the level is compared without case, as before


# --- unreadable PDFs ----------------------------------------------------------------


def _bad_pdfs(good: bytes) -> dict[str, bytes]:
    from pypdf import PdfReader, PdfWriter

    enc = PdfWriter(clone_from=PdfReader(io.BytesIO(good)))
    enc.encrypt("secret")
    buf = io.BytesIO()
    enc.write(buf)
    plain = PdfWriter()
    plain.add_blank_page(width=595, height=842)
    buf2 = io.BytesIO()
    plain.write(buf2)
    return {
        "encrypted": buf.getvalue(),
        "damaged": good[:9] + bytes(200) + b"garbage" * 50,
        "not-a-pdf": b"PK\x03\x04 this is a zip, not a PDF",
        "no-invoice": buf2.getvalue(),
    }


def test_unreadable_pdfs_give_one_line_reasons(built, tmp_path):
    from einvoice import batch

    words = {"encrypted": "encrypted", "damaged": "damaged", "not-a-pdf": "not a PDF", "no-invoice": "no invoice"}
    for name, data in _bad_pdfs(built["facturx-en16931"][0]).items():
        with pytest.raises(UnreadableInput) as exc:
            extract(data, f"{name}.pdf")
        reason = exc.value.reason
        assert "\n" not in reason and words[name] in reason, (name, reason)
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(data)
        for cmd in (("extract", path), ("render", path, "-o", tmp_path / f"{name}.html"), ("validate", path)):
            res = run(*cmd)
            assert res.exit_code == 2, (name, cmd[0], res.output)
            lines = res.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith(f"einvoice: {path}: "), (name, lines)
            assert "Traceback" not in res.output
        assert batch.validate_one(batch.Candidate(str(path), True), batch.Options()).status == batch.STATUS_UNREADABLE
        if name != "no-invoice":  # a PDF without invoice is what attach is for
            res = run("attach", path, SAMPLES / "facturx-en16931.xml", "-o", tmp_path / "x.pdf")
            assert res.exit_code == 2 and not (tmp_path / "x.pdf").exists(), (name, res.output)


# --- attach -------------------------------------------------------------------------


def test_attach_makes_a_facturx_pdf(tmp_path):
    import facturx

    from einvoice.render import render_pdf
    from einvoice.syntax import load

    xml = (SAMPLES / "facturx-en16931.xml").read_bytes()
    foreign = render_pdf(load(xml).invoice, "fr", pdfa=True)  # a PDF/A made "elsewhere"
    out, report, notes = attach(foreign, xml)
    assert report.valid and notes == []
    got, findings = read_pdf(out)
    assert got == xml and findings == []
    assert facturx.get_facturx_xml_from_pdf(out, check_xsd=True)[1] == xml
    # a PDF whose pages cannot be PDF/A is refused (tests/test_pdfa.py), never written claiming PDF/A-3
    plain = render_pdf(load(xml).invoice, "fr", pdfa=False)
    with pytest.raises(BuildRefused):
        attach(plain, xml)
    # CLI
    src = tmp_path / "in.pdf"
    src.write_bytes(foreign)
    res = run("attach", src, SAMPLES / "facturx-en16931.xml", "-o", tmp_path / "out.pdf")
    assert res.exit_code == 0, res.output
    assert run("extract", tmp_path / "out.pdf").stdout_bytes == xml


def test_attach_refuses_invalid_xml_and_ubl(tmp_path):
    from einvoice.render import render_pdf
    from einvoice.syntax import load

    xml = (SAMPLES / "facturx-en16931.xml").read_bytes()
    pdf = render_pdf(load(xml).invoice, "fr", pdfa=True)
    broken = re.sub(rb"(<ram:DuePayableAmount>)[^<]*", rb"\g<1>1.00", xml)
    assert broken != xml
    with pytest.raises(BuildRefused) as exc:
        attach(pdf, broken)
    assert any(f.rule == "BR-CO-16" for f in exc.value.findings)
    src, bad = tmp_path / "in.pdf", tmp_path / "bad.xml"
    src.write_bytes(pdf)
    bad.write_bytes(broken)
    res = run("attach", src, bad, "-o", tmp_path / "out.pdf")
    assert res.exit_code == 1 and not (tmp_path / "out.pdf").exists()
    assert "BR-CO-16" in res.output
    with pytest.raises(InvalidModelInput):
        attach(pdf, (SAMPLES / "ehf-invoice.xml").read_bytes())
    res = run("attach", src, SAMPLES / "ehf-invoice.xml", "-o", tmp_path / "out.pdf")
    assert res.exit_code == 2 and not (tmp_path / "out.pdf").exists()
    assert res.stderr.strip() == (f"einvoice: {SAMPLES / 'ehf-invoice.xml'}: Factur-X carries CII, this is UBL; convert "
                                  "it first (einvoice convert IN.xml --to cii -o OUT.xml)")  # (the XML named once)
    # a PDF that already carries an invoice
    out, _r, _n = attach(pdf, xml)
    with pytest.raises(UnreadableInput):
        attach(out, xml)
    # ... or lists one among its associated files (/AF) without its embedded files' tree holding it: kept beside the
    # new one, the result carried two invoices and was said to be valid
    with pikepdf.open(io.BytesIO(out)) as listed:
        del listed.Root.Names.EmbeddedFiles
        assert "/AF" in listed.Root
        buf = io.BytesIO()
        listed.save(buf)
    with pytest.raises(UnreadableInput, match=r"associated files \(/AF: factur-x.xml\)"):
        attach(buf.getvalue(), xml)


# --- build --pdf --------------------------------------------------------------------


def test_cli_build_pdf(tmp_path):
    out = tmp_path / "ehf.pdf"
    res = run("build", SAMPLES / "ehf-invoice.yaml", "--format", "facturx-en16931", "--pdf", out)
    assert res.exit_code == 0, res.output
    assert "Factur-X PDF/A-3" in res.output
    xml, findings = read_pdf(out.read_bytes())
    assert findings == [] and b"2024-1001" in xml
    # with -o as well: both files, the same XML
    res = run("build", SAMPLES / "ehf-invoice.yaml", "-f", "facturx-basic", "--pdf", tmp_path / "b.pdf",
              "-o", tmp_path / "b.xml", "--lang", "en", "--allow-lossy")  # BASIC has no seller contact
    assert res.exit_code == 0, res.output
    assert read_pdf((tmp_path / "b.pdf").read_bytes())[0] == (tmp_path / "b.xml").read_bytes()
    # the XML build still works as before
    assert run("build", SAMPLES / "ehf-invoice.yaml", "-f", "ehf", "-o", tmp_path / "e.xml").exit_code == 0
    # --pdf needs a Factur-X format; build needs an output
    res = run("build", SAMPLES / "ehf-invoice.yaml", "-f", "ehf", "--pdf", tmp_path / "x.pdf")
    assert res.exit_code == 2 and not (tmp_path / "x.pdf").exists()
    assert run("build", SAMPLES / "ehf-invoice.yaml", "-f", "ehf").exit_code == 2


def test_cli_build_pdf_refused(tmp_path):
    import yaml

    data = load_input(SAMPLES / "ehf-invoice.yaml")
    data.pop("buyer_reference")
    data["buyer"].pop("identifiers")
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "bad.pdf"
    res = run("build", bad, "-f", "facturx-en16931", "--pdf", out)
    assert res.exit_code == 1 and not out.exists()
    assert "EINV-B-001" in res.output and "nothing written" in res.stderr


# --- Factur-X 1.08's rules for hybrid documents (3.d) that no schematron checks ------------------------


def _pdf_of(visual: bytes, xml: bytes, level: str) -> bytes:
    """A Factur-X PDF of the XML as given (no XSD check: the rules under test are the container's)."""
    import facturx
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter()
    for page in PdfReader(io.BytesIO(visual)).pages:
        w.add_page(page)
    buf = io.BytesIO()
    w.write(buf)
    return facturx.generate_from_binary(buf.getvalue(), xml, flavor="factur-x", level=level, check_xsd=False)


def _countries(xml: bytes, seller: str, buyer: str) -> bytes:
    """The XML with the seller's and the buyer's country (a buyer address added where the profile left it out)."""
    root = etree.fromstring(xml)
    ram = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"
    for party, code in (("SellerTradeParty", seller), ("BuyerTradeParty", buyer)):
        el = next(root.iter(ram + party))
        address = el.find(ram + "PostalTradeAddress")
        if address is None:
            address = etree.Element(ram + "PostalTradeAddress")
            after = el.find(ram + "SpecifiedLegalOrganization")
            (after if after is not None else el.find(ram + "Name")).addnext(address)
            etree.SubElement(address, ram + "CountryID")
        address.find(ram + "CountryID").text = code
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _severities(findings, *rules):
    return [(f.rule, f.severity.value) for f in findings if f.rule in rules]


def test_minimum_and_basic_wl_between_german_parties_are_refused(built, ehf_data, tmp_path):
    """BR-HYBRID-DE-01/-02 (fatal): in Germany a MINIMUM or BASIC WL file is no invoice; with one party
    elsewhere, or a country not stated, nothing is said."""
    for fmt, rule in (("facturx-minimum", "BR-HYBRID-DE-01"), ("facturx-basicwl", "BR-HYBRID-DE-02")):
        visual, xml, _ = built[fmt]
        level = LEVELS[fmt]
        german = _pdf_of(visual, _countries(xml, "DE", "DE"), level)
        _got, findings = read_pdf(german, "de.pdf")
        assert _severities(findings, rule) == [(rule, "error")], fmt
        for seller, buyer in (("DE", "AT"), ("FR", "DE"), ("NO", "NO")):
            _got, findings = read_pdf(_pdf_of(visual, _countries(xml, seller, buyer), level), "other.pdf")
            assert not _severities(findings, "BR-HYBRID-DE-01", "BR-HYBRID-DE-02"), (fmt, seller, buyer)
        path = tmp_path / f"{fmt}.pdf"
        path.write_bytes(german)
        res = run("validate", path, "--no-schema")
        assert res.exit_code == 1 and rule in res.output and "INVALID" in res.output
    # the same profile between German parties with EN 16931 is an invoice
    visual, xml, _ = built["facturx-en16931"]
    _got, findings = read_pdf(_pdf_of(visual, _countries(xml, "DE", "DE"), "en16931"), "en.pdf")
    assert not [f for f in findings if f.rule.startswith("BR-HYBRID")]
    # the builder refuses to write one, naming the rule; no file is written
    data = {**ehf_data, "seller": {**ehf_data["seller"], "address": {**ehf_data["seller"]["address"], "country_code": "DE"}},
            "buyer": {**ehf_data["buyer"], "address": {**ehf_data["buyer"]["address"], "country_code": "DE"}}}
    with pytest.raises(BuildRefused) as exc:
        build_pdf(data, "facturx-basicwl", allow_lossy=True)
    assert [f.rule for f in exc.value.findings] == ["BR-HYBRID-DE-02"]
    pdf, _xml, report = build_pdf(data, "facturx-en16931", allow_lossy=True)
    assert report.valid and not [f for f in read_pdf(pdf)[1] if f.rule.startswith("BR-HYBRID")]


def test_xrechnung_between_french_parties_is_refused(built):
    """BR-HYBRID-FR-01 (fatal): no XRECHNUNG profile between a French seller and a French buyer."""
    visual, xml, _ = built["facturx-en16931"]
    xr = xml.replace(b"<ram:ID>urn:cen.eu:en16931:2017</ram:ID>",
                     b"<ram:ID>urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0</ram:ID>")
    assert xr != xml
    _got, findings = read_pdf(_pdf_of(visual, _countries(xr, "FR", "FR"), "en16931"), "fr.pdf")
    assert _severities(findings, "BR-HYBRID-FR-01") == [("BR-HYBRID-FR-01", "error")]
    for seller, buyer in (("FR", "DE"), ("DE", "DE")):
        _got, findings = read_pdf(_pdf_of(visual, _countries(xr, seller, buyer), "en16931"), "x.pdf")
        assert not _severities(findings, "BR-HYBRID-FR-01"), (seller, buyer)


def test_xmp_and_pdfa_faults_are_fatal_but_between_german_parties(built):
    """A PDF without the Factur-X XMP (BR-HYBRID-03), without a conformance level (BR-HYBRID-03/-07) or not
    declared PDF/A (BR-HYBRID-02) is rejected; between a German seller and a German buyer the XML is the
    invoice and these are warnings (BR-FX-DE-03)."""
    import pikepdf

    visual, xml, _ = built["facturx-en16931"]

    def without_xmp(pdf: bytes) -> bytes:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            del doc.Root.Metadata
            out = io.BytesIO()
            doc.save(out)
            return out.getvalue()

    for seller, buyer, severity in (("NO", "NO", "error"), ("DE", "FR", "error"), ("DE", "DE", "warning")):
        pdf = _pdf_of(visual, _countries(xml, seller, buyer), "en16931")
        cases = {"EINV-PDF-001": without_xmp(pdf),
                 "EINV-PDF-002": _with(pdf, xmp=("ConformanceLevel>", "Level>")),
                 "EINV-PDF-004": _with(pdf, xmp=("pdfaid:part>", "pdfaid:parts>"))}
        for rule, case in cases.items():
            _got, findings = read_pdf(case, "case.pdf")
            assert _severities(findings, rule) == [(rule, severity)], (rule, seller, buyer)
            assert ("both in Germany" in next(f.message for f in findings if f.rule == rule)) == (severity == "warning")
        # a level outside the code list stays fatal (BR-HYBRID-07 is not relaxed), a mismatch a warning
        _got, findings = read_pdf(_with(pdf, xmp=(">EN 16931<", ">no thing<")), "level.pdf")
        assert _severities(findings, "EINV-PDF-008") == [("EINV-PDF-008", "error")]


def test_the_other_xmp_fields_are_checked_as_the_code_lists_have_them(built):
    """fx:DocumentType, fx:DocumentFileName and fx:Version missing (BR-HYBRID-03) or outside their code lists
    (BR-HYBRID-06, -08, -09) are fatal; a missing one is a warning between German parties (BR-FX-DE-03)."""
    pdf, _xml, _ = built["facturx-en16931"]
    assert read_pdf(pdf)[1] == []
    for field, good in (("DocumentType", "INVOICE"), ("DocumentFileName", "factur-x.xml"), ("Version", "1.0")):
        missing = _with(pdf, xmp=(f"<fx:{field}>{good}</fx:{field}>", ""))
        assert missing != pdf
        _got, findings = read_pdf(missing, "missing.pdf")
        assert [(f.rule, f.severity.value) for f in findings] == [("EINV-PDF-011", "error")], field
        assert field in findings[0].message
        wrong = _with(pdf, xmp=(f"<fx:{field}>{good}</fx:{field}>", f"<fx:{field}>x{good}</fx:{field}>"))
        _got, findings = read_pdf(wrong, "wrong.pdf")
        assert [(f.rule, f.severity.value) for f in findings] == [("EINV-PDF-012", "error")], field
        assert f"'x{good}'" in findings[0].message
    # a file name of the code list that is not the embedded one: a warning (BR-HYBRID-14), as before
    other = _with(pdf, xmp=("<fx:DocumentFileName>factur-x.xml<", "<fx:DocumentFileName>xrechnung.xml<"))
    assert [(f.rule, f.severity.value) for f in read_pdf(other)[1]] == [("EINV-PDF-006", "warning")]
    visual, xml, _ = built["facturx-en16931"]
    german = _pdf_of(visual, _countries(xml, "DE", "DE"), "en16931")
    _got, findings = read_pdf(_with(german, xmp=("<fx:Version>1.0</fx:Version>", "")), "de.pdf")
    assert _severities(findings, "EINV-PDF-011") == [("EINV-PDF-011", "warning")]


def test_a_booking_aid_in_minimum_or_basic_wl_between_german_parties_is_no_invoice_and_allowed(built):
    """Type code 751 (invoice information for accounting purposes, FeRD's 'Buchungshilfe' examples): the
    German rule on MINIMUM and BASIC WL invoices does not apply."""
    for fmt in ("facturx-minimum", "facturx-basicwl"):
        visual, xml, _ = built[fmt]
        aid = _countries(xml, "DE", "DE").replace(b"<ram:TypeCode>380</ram:TypeCode>", b"<ram:TypeCode>751</ram:TypeCode>")
        assert b"751" in aid
        _got, findings = read_pdf(_pdf_of(visual, aid, LEVELS[fmt]), "aid.pdf")
        assert not [f for f in findings if f.rule.startswith("BR-HYBRID")], fmt


# --- the XMP is read as XML, by namespace ---------------------------------------------------

_FX_BLOCK = ('<rdf:Description rdf:about="">\n      <fx:DocumentType>INVOICE</fx:DocumentType>\n      '
             '<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>\n      <fx:Version>1.0</fx:Version>\n      '
             '<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>\n    </rdf:Description>')
_FX_NS = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"


def _xmp_as(pdf: bytes, old: str, new: str) -> bytes:
    """The PDF with ``old`` in its XMP replaced by ``new``, byte for byte (pikepdf's save would write the XMP anew)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        text = doc.Root.Metadata.read_bytes().decode("utf-8")
        assert old in text
        doc.Root.Metadata = doc.make_stream(text.replace(old, new).encode("utf-8"), Type=pikepdf.Name.Metadata,
                                            Subtype=pikepdf.Name.XML)
        out = io.BytesIO()
        doc.save(out, fix_metadata_version=False)
        return out.getvalue()

_XMP_FORMS = {
    "attr_single_quotes": "<rdf:Description rdf:about='' fx:DocumentType='INVOICE' fx:DocumentFileName='factur-x.xml' "
                          "fx:Version='1.0' fx:ConformanceLevel='EN 16931'/>",
    "attr_double_quotes": '<rdf:Description rdf:about="" fx:DocumentType="INVOICE" fx:DocumentFileName="factur-x.xml" '
                          'fx:Version="1.0" fx:ConformanceLevel="EN 16931"/>',
    "hyphen_prefix": _FX_BLOCK.replace("fx:", "fx-1:").replace(
        '<rdf:Description rdf:about="">', f'<rdf:Description rdf:about="" xmlns:fx-1="{_FX_NS}">'),
    "elem_space_before_gt": _FX_BLOCK.replace("<fx:ConformanceLevel>", "<fx:ConformanceLevel >").replace(
        "<fx:DocumentType>", "<fx:DocumentType >"),
    "elem_charref": _FX_BLOCK.replace(">EN 16931<", ">EN&#x20;16931<"),
    "cdata_value": _FX_BLOCK.replace(">EN 16931<", "><![CDATA[EN 16931]]><"),
    "commented_wrong_level": "<!-- <fx:ConformanceLevel>MINIMUM</fx:ConformanceLevel> -->\n" + _FX_BLOCK,
    "comment_inside_value": _FX_BLOCK.replace(">EN 16931<", ">EN <!-- MINIMUM -->16931<"),
}


@pytest.mark.parametrize("form", sorted(_XMP_FORMS))
def test_every_valid_xmp_form_is_read_as_xml(built, form):
    """The XMP was read with an expression for '<prefix:Name>text</' or 'Name="text"': single quotes, a prefix with a
    hyphen, '<fx:Name >', CDATA and character references (valid RDF, read so by pikepdf) gave EINV-PDF-002 or -008,
    and a commented-out level beat the real one (EINV-PDF-003)."""
    pdf, _xml, _ = built["facturx-en16931"]
    _got, findings = read_pdf(_xmp_as(pdf, _FX_BLOCK, _XMP_FORMS[form]), f"{form}.pdf")
    assert [(f.rule, f.message) for f in findings] == []


def test_pdfaid_in_attribute_form_is_read(built):
    pdf, _xml, _ = built["facturx-en16931"]
    attr = _xmp_as(pdf, "<rdf:Description rdf:about=\"\">\n      <pdfaid:part>3</pdfaid:part>",
                   "<rdf:Description rdf:about=\"\" pdfaid:part='3'>")
    _got, findings = read_pdf(attr, "attr.pdf")
    assert findings == []


def test_a_factur_x_field_in_another_namespace_is_not_factur_x(built):
    """A wrong namespace URI for the fx prefix was taken as Factur-X's."""
    pdf, _xml, _ = built["facturx-en16931"]
    other = _FX_BLOCK.replace('<rdf:Description rdf:about="">',
                              '<rdf:Description rdf:about="" xmlns:fx="http://example.com/not-factur-x#">')
    _got, findings = read_pdf(_xmp_as(pdf, _FX_BLOCK, other), "ns.pdf")
    found = {f.rule: f for f in findings}
    assert found["EINV-PDF-002"].severity.value == "error"
    assert "'http://example.com/not-factur-x#'" in found["EINV-PDF-002"].message
    # ZUGFeRD 2.0's namespace is one of Factur-X's family
    zf2 = _FX_BLOCK.replace('<rdf:Description rdf:about="">', '<rdf:Description rdf:about="" '
                            'xmlns:fx="urn:zugferd:pdfa:CrossIndustryDocument:invoice:2p0#">')
    _got, findings = read_pdf(_xmp_as(pdf, _FX_BLOCK, zf2), "zf2.pdf")
    assert "EINV-PDF-002" not in {f.rule for f in findings}


def test_an_xmp_that_is_not_well_formed_says_why(built, tmp_path):
    """Not read by an expression where XML fails: the finding says the XMP cannot be read and why (DTDs and entities
    refused, as in every XML einvoice reads)."""
    pdf, _xml, _ = built["facturx-en16931"]
    broken = _xmp_as(pdf, "</fx:ConformanceLevel>", "</fx:Conformance>")
    _got, findings = read_pdf(broken, "broken.pdf")
    found = {f.rule: f.message for f in findings}
    assert "cannot be read: not well-formed XML at line" in found["EINV-PDF-002"]
    assert "cannot be read: not well-formed XML at line" in found["EINV-PDF-004"]
    entity = _xmp_as(pdf, '<?xpacket begin', '<!DOCTYPE x [<!ENTITY e "EN 16931">]><?xpacket begin')
    entity = _xmp_as(entity, ">EN 16931<", ">&e;<")
    _got, findings = read_pdf(entity, "entity.pdf")
    assert "cannot be read: document has a DOCTYPE" in {f.rule: f.message for f in findings}["EINV-PDF-002"]
    (tmp_path / "broken.pdf").write_bytes(broken)
    res = run("validate", tmp_path / "broken.pdf")
    assert res.exit_code == 1 and "INVALID" in res.output and "Traceback" not in res.output


def test_many_xpacket_marks_are_read_in_linear_time(built):
    """The xpacket instructions are set aside by an expression that scanned to the next '>' from each of them."""
    import time

    pdf, _xml, _ = built["facturx-en16931"]
    marks = _xmp_as(pdf, "<?xpacket begin", "<?xpacket" * 200_000 + "<?xpacket begin")
    start = time.monotonic()
    _got, findings = read_pdf(marks, "marks.pdf")
    assert time.monotonic() - start < 10
    assert "EINV-PDF-002" in {f.rule for f in findings}


# --- reasons in the project's words ------------------------------------------------------------


def _length_is_a_stream(pdf: bytes) -> bytes:
    """The PDF with the /Length of its invoice attachment's stream a reference to a stream (its XMP), offsets kept."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        number = doc.attachments["factur-x.xml"].obj.EF.F.objgen[0]
        meta = doc.Root.Metadata.objgen[0]
        out = io.BytesIO()
        doc.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    data = out.getvalue()
    head = re.search(rb"\n%d 0 obj\s*<<.*?/Length (\d+) ?" % number, data, re.S)
    new = b"/Length %d 0 R" % meta
    old = data[head.start(1) - 8:head.end()]
    assert len(new) <= len(old)
    return data[:head.start(1) - 8] + new.ljust(len(old)) + data[head.end():]


def test_a_pdf_library_type_error_is_said_in_our_words(built, tmp_path):
    """A /Length that is a stream gave 'damaged attachment factur-x.xml (TypeError: '>=' not supported between
    instances of 'EncodedStreamObject' and 'int')', the PDF library's words about its own classes."""
    pdf, _xml, _ = built["facturx-en16931"]
    with pytest.raises(UnreadableInput) as exc:
        read_pdf(_length_is_a_stream(pdf), "len.pdf")
    assert exc.value.reason.startswith("damaged attachment factur-x.xml (an object of the wrong kind")
    assert "Error" not in exc.value.reason and "Object" not in exc.value.reason


def test_a_pdf_attachment_that_is_not_well_formed_is_named(built, tmp_path):
    """validate and show said 'not well-formed XML at line N' of a PDF without naming the attachment."""
    import pikepdf

    pdf, _xml, _ = built["facturx-en16931"]
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        doc.attachments["factur-x.xml"].obj.EF.F.write(b"<a>\n<b></a>")
        doc.save(tmp_path / "bad.pdf")
    for command in ("validate", "show"):
        res = CliRunner().invoke(main, [command, str(tmp_path / "bad.pdf")])
        assert res.exit_code == 2, command
        assert "bad.pdf: attachment factur-x.xml: not well-formed XML at line 2" in res.output, (command, res.output)
    from einvoice import load

    with pytest.raises(UnreadableInput) as exc:
        load(tmp_path / "bad.pdf")
    assert exc.value.reason.startswith("attachment factur-x.xml: not well-formed XML at line 2")


def test_an_invoice_listed_only_in_af_is_said_where_it_was_looked_for(built):
    """A factur-x.xml only in the catalog's /AF array was 'no invoice XML under a known name', though the file
    carries one under exactly that name: the reason says where the invoice was looked for and what /AF lists."""
    import pikepdf

    pdf, _xml, _ = built["facturx-en16931"]
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        del doc.Root.Names["/EmbeddedFiles"]
        out = io.BytesIO()
        doc.save(out)
    with pytest.raises(UnreadableInput) as exc:
        read_pdf(out.getvalue(), "af.pdf")
    assert exc.value.reason.startswith("no invoice: the PDF's embedded files (its /EmbeddedFiles name tree) hold no")
    assert exc.value.reason.endswith("its /AF array lists factur-x.xml, which that tree does not hold, and receivers "
                                     "do not look for the invoice there")


def test_attach_keeps_the_pdfs_own_attachments(tmp_path):
    """A PDF from another system with attachments of its own (a time sheet) lost them without a word: the package
    writes the attachment list anew. They are kept, each listed in /AF as PDF/A-3 asks, and a note says so."""
    import pikepdf

    from einvoice.render import render_pdf
    from einvoice.syntax import load

    xml = (SAMPLES / "facturx-en16931.xml").read_bytes()
    foreign = _with(render_pdf(load(xml).invoice, "fr", pdfa=True), {"timesheet.txt": b"38.5 hours, week 23\n"})
    out, report, notes = attach(foreign, xml)
    assert report.valid and any("timesheet.txt" in n for n in notes)
    got, findings = read_pdf(out)
    assert got == xml and findings == []
    with pikepdf.open(io.BytesIO(out)) as doc:
        assert doc.attachments["timesheet.txt"].get_file().read_bytes() == b"38.5 hours, week 23\n"
        listed = {str(spec.get("/F")) for spec in doc.Root.AF}
        assert {"factur-x.xml", "timesheet.txt"} <= listed
    src = tmp_path / "in.pdf"
    src.write_bytes(foreign)
    res = run("attach", src, SAMPLES / "facturx-en16931.xml", "-o", tmp_path / "out.pdf")
    assert res.exit_code == 0 and "timesheet.txt" in res.output, res.output


def test_a_lossy_build_between_german_parties_is_judged_by_the_inputs_countries(tmp_path):
    """Factur-X MINIMUM has no buyer address: a lossy build between German parties wrote a MINIMUM PDF that
    BR-HYBRID-DE-01 refuses, since the rule read the countries from the XML only; the build's input says them."""
    out = tmp_path / "min.pdf"
    res = run("build", SAMPLES / "xrechnung.yaml", "-f", "facturx-minimum", "--allow-lossy", "--pdf", out)
    assert res.exit_code == 1 and not out.exists(), res.output
    assert "BR-HYBRID-DE-01" in res.output


@functools.lru_cache(maxsize=1)
def _facturx_sample_pdf() -> bytes:
    """A Factur-X EN16931 PDF built from the shipped sample (no corpus needed)."""
    return build_pdf(load_input(SAMPLES / "facturx-en16931.yaml"), "facturx-en16931")[0]


def _tree_shaped(kind: str) -> bytes:
    """A Factur-X PDF (built from the shipped sample) with its /EmbeddedFiles name tree rebuilt around the leaf
    that holds the invoice's entry, in one of several malformed shapes, or sound and several levels deep."""
    import pikepdf
    from pikepdf import Array, Dictionary

    with pikepdf.open(io.BytesIO(_facturx_sample_pdf())) as pdf:
        names = pdf.Root.Names.EmbeddedFiles.Names
        leaf = pdf.make_indirect(Dictionary(Names=names, Limits=Array([names[0], names[len(names) - 2]])))
        root = pdf.make_indirect(Dictionary())
        if kind == "back to the root":
            root.Kids = Array([leaf])
            leaf.Kids = Array([root])
        elif kind == "reached twice":  # a second node lists the leaf holding the invoice's entry again
            root.Kids = Array([leaf, pdf.make_indirect(Dictionary(Kids=Array([leaf])))])
        elif kind == "a number for a kid":
            root.Kids = Array([leaf, 5])
        elif kind == "kids no array":
            root.Kids = Dictionary(First=leaf)
        elif kind.startswith("sound, depth "):  # a well-formed tree: intermediate nodes with /Limits down to the leaf
            node = leaf
            for _ in range(int(kind.rsplit(" ", 1)[1]) - 2):
                node = pdf.make_indirect(Dictionary(Kids=Array([node]), Limits=leaf.Limits))
            root.Kids = Array([node])
        pdf.Root.Names.EmbeddedFiles = root
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


@pytest.mark.parametrize("kind, said", [("back to the root", "a kid leads back to the root (a loop)"),
                                        ("reached twice", "a node is listed as the kid of two nodes"),
                                        ("a number for a kid", "kid 2 of a /Kids array is a number, not a dictionary")])
def test_a_malformed_name_tree_is_a_warning_and_the_invoice_still_read(tmp_path, kind, said):
    """A looping name tree was read without a word (the reading is bounded): the fault is a warning, EINV-PDF-013."""
    pdf = _tree_shaped(kind)
    xml, findings = read_pdf(pdf, "x.pdf")
    assert b"CrossIndustryInvoice" in xml
    tree = [f for f in findings if f.rule == "EINV-PDF-013"]
    assert len(tree) == 1 and tree[0].severity.name == "WARNING" and said in tree[0].message, tree
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf)
    res = CliRunner().invoke(main, ["validate", str(path)])
    assert res.exit_code == 0 and "WARNING EINV-PDF-013" in res.stdout and said in res.stdout
    assert "Traceback" not in res.output and res.stderr == ""


def test_a_name_tree_whose_kids_are_no_array_is_one_line_no_traceback(tmp_path):
    """/Kids a dictionary: no invoice is found, said on one line with the tree's fault."""
    path = tmp_path / "x.pdf"
    path.write_bytes(_tree_shaped("kids no array"))
    res = CliRunner().invoke(main, ["validate", str(path)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"einvoice: {path}: no invoice")
    assert lines[0].endswith("that tree is malformed: a /Kids entry is a dictionary, not an array of nodes")
    with pytest.raises(UnreadableInput):
        read_pdf(path.read_bytes(), str(path))


@pytest.mark.parametrize("depth", [2, 3, 5])
def test_a_sound_name_tree_of_several_levels_is_read_without_a_word(tmp_path, depth):
    """The PDF library reads one level of /Kids: a valid tree whose leaf sits two levels down or deeper held 'no
    invoice' (exit 2, and a reason saying the /AF array names a file the tree does not hold)."""
    pdf = _tree_shaped(f"sound, depth {depth}")
    xml, findings = read_pdf(pdf, "x.pdf")
    assert b"CrossIndustryInvoice" in xml
    assert not [f for f in findings if f.rule in ("EINV-PDF-013", "EINV-PDF-007")], findings
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf)
    res = CliRunner().invoke(main, ["validate", str(path)])
    assert res.exit_code == 0 and "EINV-PDF" not in res.stdout and res.stderr == "", res.output


def test_attach_sees_an_invoice_deep_in_the_name_tree():
    """attach read the PDF's own attachments one level of /Kids deep: an invoice two levels down was not seen, and
    the result carried two invoices (and the PDF's other deep attachments were dropped)."""
    pdf = _tree_shaped("sound, depth 3")
    xml, _findings = read_pdf(pdf, "x.pdf")
    with pytest.raises(UnreadableInput, match=r"already carries an invoice XML \(factur-x.xml\)"):
        attach(pdf, xml)


# --- attach keeps the PDF's own document structures (an audit of the PDFs attach writes) ---------------------------


def _foreign_with(edit) -> tuple[bytes, bytes]:
    import pikepdf

    from einvoice.render import render_pdf
    from einvoice.syntax import load

    xml = (SAMPLES / "facturx-en16931.xml").read_bytes()
    with pikepdf.open(io.BytesIO(render_pdf(load(xml).invoice, "fr", pdfa=True))) as doc:
        edit(doc)
        out = io.BytesIO()
        doc.save(out)
    return out.getvalue(), xml


def _spec(doc, name: str, data: bytes, **extra):
    import pikepdf

    stream = doc.make_stream(data, Type=pikepdf.Name.EmbeddedFile, Subtype=pikepdf.Name("/text/csv"),
                             Params=pikepdf.Dictionary(Size=len(data)))
    return doc.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=pikepdf.String(name),
                                                UF=pikepdf.String(name), EF=pikepdf.Dictionary(F=stream), **extra))


def test_attach_keeps_the_named_destinations_and_other_name_trees():
    """The factur-x package writes the catalog's /Names anew with its /EmbeddedFiles only: the input's named
    destinations went, and the links using them pointed nowhere. They are merged back."""
    import pikepdf

    def dests(doc):
        page = doc.pages[0].obj
        doc.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=pikepdf.Array(
            [pikepdf.String("due-date"), pikepdf.Array([page, pikepdf.Name.Fit])])))
        doc.pages[0].Annots = doc.make_indirect(pikepdf.Array([doc.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 10, 10], F=4,
            Dest=pikepdf.String("due-date")))]))

    pdf, xml = _foreign_with(dests)
    out, _report, _notes = attach(pdf, xml)
    with pikepdf.open(io.BytesIO(out)) as doc:
        assert set(doc.Root.Names.keys()) == {"/Dests", "/EmbeddedFiles"}
        key, dest = list(doc.Root.Names.Dests.Names)
        assert str(key) == "due-date" and dest[0].objgen == doc.pages[0].obj.objgen
        assert not {"/EinvoiceSetAsideNames", "/EinvoiceSetAsideAF"} & set(doc.Root.keys())
    assert read_pdf(out)[1] == []


def test_attach_keeps_an_order_x_and_what_each_attachment_says_of_itself():
    """An attachment named order-x.xml was dropped by the package while the note said it was kept; the others lost
    their /Desc, /AFRelationship, MIME type and /Params (the package wrote them anew from their bytes); a file a page's
    /AF associates was embedded a second time. All kept as they were now, once, in the byte order of their names."""
    import pikepdf

    def files(doc):
        sheet = _spec(doc, "timesheet.csv", b"38.5\n", Desc=pikepdf.String("Time sheet"),
                      AFRelationship=pikepdf.Name.Supplement)
        order = _spec(doc, "order-x.xml", b"<order/>", AFRelationship=pikepdf.Name.Source)
        euro = _spec(doc, "\u20acuro.txt", b"euro", AFRelationship=pikepdf.Name.Data)
        ete = _spec(doc, "\u00e9t\u00e9.txt", b"summer", AFRelationship=pikepdf.Name.Data)
        doc.Root.Names = pikepdf.Dictionary(EmbeddedFiles=pikepdf.Dictionary(Names=pikepdf.Array(
            [pikepdf.String("order-x.xml"), order, pikepdf.String("timesheet.csv"), sheet,
             pikepdf.String("\u00e9t\u00e9.txt"), ete, pikepdf.String("\u20acuro.txt"), euro])))
        doc.Root.AF = pikepdf.Array([sheet, order, euro, ete])
        source = _spec(doc, "source.json", b"{}", AFRelationship=pikepdf.Name.Source)
        doc.Root.Names.EmbeddedFiles.Names.extend([pikepdf.String("source.json"), source])
        doc.pages[0].AF = pikepdf.Array([source])

    pdf, xml = _foreign_with(files)
    out, _report, notes = attach(pdf, xml)
    assert any("order-x.xml" in n and "kept" in n for n in notes), notes
    with pikepdf.open(io.BytesIO(out), inherit_page_attributes=False) as doc:
        tree = list(doc.Root.Names.EmbeddedFiles.Names)
        keys = [bytes(k) for k in tree[::2]]
        assert keys == sorted(keys) and len(keys) == 6  # (PDFDocEncoding: the euro sign 0xA0 before e acute 0xE9)
        specs = {str(k): v for k, v in zip(tree[::2], tree[1::2])}
        sheet = specs["timesheet.csv"]
        assert str(sheet.Desc) == "Time sheet" and sheet.AFRelationship == "/Supplement"
        assert sheet.EF.F.Subtype == "/text/csv" and sheet.EF.F.Params.Size == 5
        assert specs["order-x.xml"].EF.F.read_bytes() == b"<order/>" and specs["order-x.xml"].AFRelationship == "/Source"
        assert specs["source.json"].objgen == doc.pages[0].obj.AF[0].objgen  # one file, not two
        af = [spec.objgen for spec in doc.Root.AF]
        assert len(af) == len(set(af)) == 5 and specs["source.json"].objgen not in af
    got, findings = read_pdf(out)
    assert got == xml and findings == []


def test_long_metadata_is_shortened_to_fit_a_pdf_string(tmp_path):
    """A seller name of 18,000 Greek letters gave Info strings of 36 KB (PDF/A-3 6.1.13: at most 32,767 bytes);
    each text is shortened with an ellipsis, the same in the XMP and in Info."""
    import pikepdf

    from einvoice.pdfa import MAX_STRING, bounded, problems, write_metadata

    assert bounded("abc") == "abc" and len(bounded("a" * 40_000)) <= MAX_STRING
    assert len(("\ufeff" + bounded("\u03b1" * 20_000)).encode("utf-16-be")) <= MAX_STRING
    assert bounded("\U0001f600" * 10_000).endswith("\u2026")
    data = load_input(SAMPLES / "facturx-en16931.yaml")
    data["seller"]["name"] = "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac " * 2_000
    pdf, _xml, _report = build_pdf(data, "facturx-en16931")
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        sizes = {str(k): len(bytes(v)) for k, v in doc.trailer.Info.items()}
        assert max(sizes.values()) <= MAX_STRING and sizes["/Title"] > 30_000, sizes
        assert str(doc.trailer.Info.Author).endswith("\u2026")
    assert problems(pdf) == []
    again = write_metadata(pdf, {"title": "t" * 40_000, "author": "a", "subject": "s", "keywords": "k"})
    with pikepdf.open(io.BytesIO(again)) as doc:
        assert len(bytes(doc.trailer.Info.Title)) <= MAX_STRING
    assert problems(again) == []


def _embedded_replaced(pdf: bytes, name: str, data: bytes) -> bytes:
    """The PDF with the contents of its embedded file ``name`` replaced, its file specification and XMP kept."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        spec = doc.attachments[name].obj
        spec.EF.F.write(data)
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()


def test_a_pdf_at_level_xrechnung_is_read_by_the_facturx_en16931_schema_too(tmp_path):
    """A PDF of ZUGFeRD's level XRECHNUNG made elsewhere holding an XRechnung valid by KoSIT but with an element the
    Factur-X EN16931 schema lacks (ram:InvoiceeTradeParty) was found valid; FeRD's validator rejects it (the level
    reads the XML by that schema; our writer refuses to make such a PDF). EINV-PDF-014 says so: an error, a warning
    between German parties, where the XML is the invoice (BR-FX-DE-03)."""
    from einvoice.validate import validate

    res = run("build", SAMPLES / "xrechnung.yaml", "-f", "xrechnung-cii", "-o", tmp_path / "xr.xml", "--pdf", tmp_path / "xr.pdf")
    assert res.exit_code == 0, res.output
    xml = (tmp_path / "xr.xml").read_text(encoding="utf-8")
    pdf = (tmp_path / "xr.pdf").read_bytes()
    at = xml.index("<ram:SpecifiedTradeSettlementPaymentMeans")
    invoicee = xml[:at] + "<ram:InvoiceeTradeParty><ram:Name>Rechnungseingang</ram:Name></ram:InvoiceeTradeParty>" + xml[at:]
    assert validate(invoicee.encode()).valid  # (KoSIT's reading: the whole CII schema has it)
    german = _embedded_replaced(pdf, "xrechnung.xml", invoicee.encode())
    got, findings = read_pdf(german, "de.pdf")
    assert got == invoicee.encode()
    assert [(f.rule, f.severity.value) for f in findings] == [("EINV-PDF-014", "warning")]
    assert "InvoiceeTradeParty" in findings[0].message and "Germany" in findings[0].message
    assert validate(german).valid
    agreement = invoicee.index("<ram:BuyerTradeParty>")
    buyer_country = invoicee.index("<ram:CountryID>DE</ram:CountryID>", agreement)
    abroad = invoicee[:buyer_country] + "<ram:CountryID>AT</ram:CountryID>" + invoicee[buyer_country + 34:]
    assert abroad.count("<ram:CountryID>AT</ram:CountryID>") == 1
    foreign = _embedded_replaced(pdf, "xrechnung.xml", abroad.encode())
    _got, findings = read_pdf(foreign, "at.pdf")
    assert [(f.rule, f.severity.value) for f in findings] == [("EINV-PDF-014", "error")]
    report = validate(foreign)
    assert not report.valid and "EINV-PDF-014" in {f.rule for f in report.findings}
    # the XML at its own level is not judged by that schema: a PDF whose XML follows it gets no such finding
    assert read_pdf(pdf, "xr.pdf")[1] == []


def test_a_full_disk_under_the_facturx_package_is_the_outputs_failure_not_a_refusal(tmp_path, monkeypatch):
    """The factur-x package writes through temporary files: a file size limit (ulimit -f) or a full disk met there was
    reported as a refusal of the invoice (EINV-INTERNAL, exit 1). It is the output's failure, as for any output: the
    library raises the OSError, the command line says it cannot write, exit 2, nothing written."""
    import errno

    import facturx

    from einvoice.cli import main

    def full(*_a, **_k):
        raise OSError(errno.EFBIG, "File too large")

    monkeypatch.setattr(facturx, "generate_from_binary", full)
    data = load_input(Path(__file__).resolve().parents[1] / "samples" / "facturx-en16931.yaml")
    with pytest.raises(OSError) as info:
        build_pdf(data, "facturx-en16931")
    assert info.value.errno == errno.EFBIG
    out = tmp_path / "fx.pdf"
    res = CliRunner().invoke(main, ["build", str(Path(__file__).resolve().parents[1] / "samples" / "facturx-en16931.yaml"),
                                    "-f", "facturx-en16931", "--pdf", str(out)])
    assert res.exit_code == 2, res.output
    assert "cannot write the output (File too large)" in res.stderr and not out.exists()
    from einvoice.render import render_pdf
    from einvoice.syntax import load

    xml = SAMPLES / "facturx-en16931.xml"
    (tmp_path / "page.pdf").write_bytes(render_pdf(load(xml.read_bytes()).invoice, "fr", pdfa=True))
    res = CliRunner().invoke(main, ["attach", str(tmp_path / "page.pdf"), str(xml), "-o", str(out)])  # (attach: the same)
    assert res.exit_code == 2, res.output
    assert res.stderr.strip() == f"einvoice: {out}: cannot write the output (File too large); nothing written"


def test_a_second_invoice_among_the_associated_files_is_warned_of():
    """A PDF whose catalog's associated files (/AF) list a second factur-x.xml beside the embedded one (what attach
    wrote from a PDF that listed a stale invoice there) was VALID without a word: a receiver reading /AF may read
    the other invoice (another number, other amounts). It is EINV-PDF-007, as other invoice XMLs beside the one read."""
    from einvoice.render import render_pdf
    from einvoice.syntax import load

    xml = (SAMPLES / "facturx-en16931.xml").read_bytes()
    pdf, _r, _n = attach(render_pdf(load(xml).invoice, "fr", pdfa=True), xml)
    assert read_pdf(pdf)[1] == []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        stale = doc.make_stream(xml.replace(b"FA-2024", b"STALE-99"))
        spec = pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=pikepdf.String("factur-x.xml"),
                                  UF=pikepdf.String("factur-x.xml"), EF=pikepdf.Dictionary(F=stale),
                                  AFRelationship=pikepdf.Name.Alternative)
        doc.Root.AF.append(doc.make_indirect(spec))
        buf = io.BytesIO()
        doc.save(buf)
    got, findings = read_pdf(buf.getvalue())
    assert got == xml
    said = [f for f in findings if f.rule == "EINV-PDF-007"]
    assert said and "listed 2 times among the associated files" in said[0].message, findings
