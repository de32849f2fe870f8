"""PDF/A-3 essentials (einvoice.pdfa): every PDF the project writes passes the checklist with no
problem; each check fires on a PDF that misses its essential; validate reports them on a PDF.

No full PDF/A validator installs from the package registries the project uses (veraPDF runs on
Java and is packaged neither by Debian nor on PyPI or npm), so the checklist is the validator the
tests run; its limits are listed in einvoice/pdfa.py."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from einvoice import pdfa
from einvoice.build import load_input
from einvoice.cli import main
from einvoice.facturx_pdf import LEVELS, attach, build_pdf
from einvoice.render import LANGS, render_pdf
from einvoice.syntax import load
from fragments import NO_CORPUS

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
FX = ROOT.parent / "shared" / "conformance" / "facturx-samples" / "FX"


def rules(data: bytes) -> set[str]:
    return {rule for rule, _detail in pdfa.problems(data)}


@pytest.fixture(scope="module")
def good() -> bytes:
    pdf, _xml, _report = build_pdf(load_input(SAMPLES / "facturx-en16931.yaml"), "facturx-en16931")
    return pdf


# --- every PDF we write ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", [f for f in LEVELS if f.startswith("facturx-")])
def test_build_pdf_of_every_level_meets_pdfa(fmt):
    # the lower profiles cannot carry all of the sample (seller contact, lines ...): allowed here
    pdf, _xml, _report = build_pdf(load_input(SAMPLES / "facturx-en16931.yaml"), fmt, allow_lossy=True)
    assert pdfa.problems(pdf) == []


@pytest.mark.parametrize("sample", ["ehf-invoice", "ehf-credit-note", "peppol-reverse-charge"])
def test_build_pdf_of_every_sample_meets_pdfa(sample):
    pdf, _xml, _report = build_pdf(load_input(SAMPLES / f"{sample}.yaml"), "facturx-en16931")
    assert pdfa.problems(pdf) == []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert "/Filter" not in doc.Root.Metadata.stream_dict  # the defect reported in the issue
        assert str(doc.docinfo["/Producer"]).startswith("einvoice ")
        assert "pdf:Keywords" in doc.open_metadata()


@pytest.mark.parametrize("lang", LANGS)
def test_rendered_pdf_in_every_language_meets_pdfa(lang):
    for xml in ("ehf-invoice.xml", "ehf-credit-note.xml"):
        assert pdfa.problems(render_pdf(load(SAMPLES / xml).invoice, lang)) == [], (xml, lang)


def test_attach_result_meets_pdfa(good):
    xml = (SAMPLES / "facturx-en16931.xml").read_bytes()
    foreign = render_pdf(load(xml).invoice, "de")
    out, _report, notes = attach(foreign, xml)
    assert pdfa.problems(out) == [] and notes == []
    # a PDF/A whose XMP was lost: the pages meet the essentials, so the result is PDF/A-3 (said in a note)
    with pikepdf.open(io.BytesIO(foreign)) as doc:
        del doc.Root["/Metadata"]
        buf = io.BytesIO()
        doc.save(buf)
    assert "EINV-PDF-103" in rules(buf.getvalue())
    out, _report, notes = attach(buf.getvalue(), xml)
    assert pdfa.problems(out) == [] and "declared no PDF/A" in notes[0]


def test_official_facturx_samples_meet_the_checklist():
    if not FX.is_dir():
        pytest.skip(NO_CORPUS)
    pdfs = sorted(FX.glob("*.pdf"))
    assert len(pdfs) >= 20
    assert {p.name: pdfa.problems(p.read_bytes()) for p in pdfs} == {p.name: [] for p in pdfs}


# --- each check fires -------------------------------------------------------------------


def _edit(pdf: bytes, change, **save) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        change(doc)
        buf = io.BytesIO()
        doc.save(buf, **save)
    return buf.getvalue()


def test_compressed_xmp_and_info_out_of_sync(good):
    import weasyprint

    raw = weasyprint.HTML(string="<p>Faktura</p>").write_pdf(pdf_variant="pdf/a-3b")  # WeasyPrint compresses its XMP
    assert pdfa.problems(raw) == []  # (PDF/A-3 allows it: PDF/A-1 alone forbade a filtered metadata stream)
    assert pdfa.problems(pdfa.write_metadata(raw)) == []

    def producer(doc):
        doc.docinfo["/Producer"] = "Something Else 1.0"
        doc.docinfo["/ModDate"] = "D:20000101000000Z"

    found = dict(pdfa.problems(_edit(good, producer)))
    assert set(found) == {"EINV-PDF-105"}
    assert "Producer 'Something Else 1.0'" in found["EINV-PDF-105"] and "ModDate" in found["EINV-PDF-105"]


def test_pdfa_part_and_extension_schema(good):
    def part2(doc):
        xmp = doc.Root.Metadata.read_bytes().replace(b"<pdfaid:part>3</pdfaid:part>", b"<pdfaid:part>2</pdfaid:part>")
        xmp = xmp.replace(b"urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>",
                          b"urn:other#</pdfaSchema:namespaceURI>")
        doc.Root.Metadata.write(xmp)

    found = dict(pdfa.problems(_edit(good, part2)))
    assert set(found) == {"EINV-PDF-104", "EINV-PDF-109"}
    assert "PDF/A-2" in found["EINV-PDF-104"] and "factur-x" in found["EINV-PDF-109"]


def test_output_intent_and_device_colour(good):
    def no_intent(doc):
        del doc.Root["/OutputIntents"]

    assert rules(_edit(good, no_intent)) == {"EINV-PDF-106"}


def test_font_not_embedded(good):
    def helvetica(doc):
        page = doc.pages[0]
        font = doc.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                    BaseFont=pikepdf.Name.Helvetica))
        page.Resources.Font["/Fx9"] = font
        page.contents_add(doc.make_stream(b"BT /Fx9 9 Tf 10 10 Td (x) Tj ET"))

    found = dict(pdfa.problems(_edit(good, helvetica)))
    assert set(found) == {"EINV-PDF-107"} and "Helvetica" in found["EINV-PDF-107"]


def test_a_form_without_fields_draws_none_of_its_default_fonts(good):
    """Nine ZUGFeRD 2.0 samples of one producer got EINV-PDF-107 for Helvetica and ZapfDingbats named only in the
    default resources of a form without fields: PDF/A asks embedding of the fonts used to render, and those draw
    nothing. A form with fields may draw them (a field without an appearance of its own)."""
    def form(fields):
        def edit(doc):
            helvetica = doc.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                             BaseFont=pikepdf.Name.Helvetica))
            field = doc.make_indirect(pikepdf.Dictionary(FT=pikepdf.Name.Tx, T=pikepdf.String("f")))
            doc.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field] if fields else []),
                                                   DR=pikepdf.Dictionary(Font=pikepdf.Dictionary(Helv=helvetica)))
        return edit

    assert "EINV-PDF-107" not in dict(pdfa.problems(_edit(good, form(False))))
    assert "Helvetica" in dict(pdfa.problems(_edit(good, form(True))))["EINV-PDF-107"]


def test_javascript_lzw_annotations_and_embedded_files(good):
    def hostile(doc):
        doc.Root.OpenAction = pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript,
                                                 JS=pikepdf.String("app.alert(1)"))
        doc.pages[0].Resources.XObject["/Lzw"] = pikepdf.Stream(doc, b"\x80\x0b", Filter=pikepdf.Name.LZWDecode)
        doc.pages[0].Annots = doc.make_indirect(pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=[0, 0, 10, 10], F=0)]))
        for spec in doc.Root.AF:
            del spec["/AFRelationship"]

    found = dict(pdfa.problems(_edit(good, hostile, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)))
    assert {"EINV-PDF-108", "EINV-PDF-110", "EINV-PDF-111", "EINV-PDF-112"} <= set(found)
    assert "JavaScript" in found["EINV-PDF-110"] and "LZW" in found["EINV-PDF-111"]
    assert "AFRelationship" in found["EINV-PDF-108"] and "Print" in found["EINV-PDF-112"]


def test_header():
    assert rules(b"%PDF-2.0\n%\xe2\xe3\xcf\xd3\n") >= {"EINV-PDF-101"}
    assert dict(pdfa._header(b"%PDF-1.7\n1 0 obj"))  # no binary comment line


# --- validate and attach on PDFs that are not PDF/A ---------------------------------------


def test_validate_reports_missing_pdfa_essentials(tmp_path):
    import facturx

    xml = (SAMPLES / "facturx-en16931.xml").read_bytes()
    plain = render_pdf(load(xml).invoice, "fr", pdfa=False)
    made = facturx.generate_from_binary(plain, xml, level="en16931", check_schematron=False)
    (tmp_path / "fx.pdf").write_bytes(made)
    res = CliRunner().invoke(main, ["validate", str(tmp_path / "fx.pdf"), "--format", "json"])
    import json

    found = {f["rule"] for f in json.loads(res.stdout)["files"][0]["findings"]}
    assert {"EINV-PDF-105", "EINV-PDF-106"} <= found and "EINV-PDF-103" not in found  # (its XMP compressed: allowed)
    res = CliRunner().invoke(main, ["validate", str(tmp_path / "fx.pdf"), "--fail-on", "warning"])
    assert res.exit_code == 1 and "EINV-PDF-106" in res.output


def test_attach_refuses_a_pdf_that_cannot_be_pdfa(tmp_path):
    from einvoice.errors import BuildRefused

    xml = (SAMPLES / "facturx-en16931.xml").read_bytes()
    plain = render_pdf(load(xml).invoice, "fr", pdfa=False)
    with pytest.raises(BuildRefused) as exc:
        attach(plain, xml)
    assert [f.rule for f in exc.value.findings] == ["EINV-PDF-106"]
    (tmp_path / "plain.pdf").write_bytes(plain)
    res = CliRunner().invoke(main, ["attach", str(tmp_path / "plain.pdf"), str(SAMPLES / "facturx-en16931.xml"),
                                    "-o", str(tmp_path / "out.pdf")])
    assert res.exit_code == 1 and not (tmp_path / "out.pdf").exists()
    assert "plain.pdf: refused" in res.output and "EINV-PDF-106" in res.output


# --- what the checks decode is bounded; what they cannot read is said, the invoice still read ----------------


def _edited(good: bytes, edit) -> bytes:
    with pikepdf.open(io.BytesIO(good)) as pdf:
        edit(pdf)
        out = io.BytesIO()
        pdf.save(out, fix_metadata_version=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
        return out.getvalue()


def _validated(data: bytes):
    from einvoice import validate

    report = validate(data)
    assert report.profile == "facturx-en16931", report.findings  # (the invoice inside was read)
    return {f.rule: f.message for f in report.findings}


def test_a_content_stream_bomb_is_not_decoded_past_the_limit(good):
    """A page content of 40 MB '1 0 0 rg' compressed to 100 KB: the device-colour check decoded and parsed all of it
    (a 214 KB file took 3.5 GB and 44 s, a 3 MB one over 8 GB). Now sized first, and said when over the limit."""
    import resource
    import zlib

    def bomb(pdf):
        del pdf.Root["/OutputIntents"]  # (the colour check reads the pages only without an output intent)
        content = pikepdf.Stream(pdf, zlib.compress(b"1 0 0 rg\n" * 4_700_000, 9))
        content.stream_dict.Filter = pikepdf.Name.FlateDecode
        pdf.pages[0].obj.Contents = pdf.make_indirect(content)

    data = _edited(good, bomb)
    assert len(data) < 300_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    found = _validated(data)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 400 * 1024  # KiB
    assert "over 32 MB decoded" in found["EINV-PDF-113"]


def test_an_xmp_bomb_is_not_decoded_past_the_limit(good):
    import zlib

    def bomb(pdf):
        meta = pikepdf.Stream(pdf, zlib.compress(b" " * 60_000_000, 9))  # (a stream of its own: qpdf keeps it so)
        meta.stream_dict.Filter = pikepdf.Name.FlateDecode
        pdf.Root.Metadata = pdf.make_indirect(meta)

    assert "over 5 MB decoded" in _validated(_edited(good, bomb))["EINV-PDF-103"]


def test_metadata_that_is_no_stream_and_a_font_that_is_a_number_are_said_not_unreadable(good):
    """Both made the whole PDF 'damaged' (a pikepdf object always has read_bytes; a font's values were read from an
    integer), though the invoice inside was intact."""
    def no_stream(pdf):
        pdf.Root.Metadata = pikepdf.Dictionary(Type=pikepdf.Name.Metadata)

    assert "/Metadata is not a stream" in _validated(_edited(good, no_stream))["EINV-PDF-103"]

    def number_font(pdf):
        res = pdf.pages[0].obj.get("/Resources")
        res.Font = pikepdf.Dictionary(F1=5) if res is not None else None
        if res is None:
            pdf.pages[0].obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=5))

    assert "fonts check stopped" in _validated(_edited(good, number_font))["EINV-PDF-113"]


def test_an_attachment_that_does_not_decompress_is_said_so_and_a_strict_parser_failure_is_no_header_fault(good):
    """A damaged compressed invoice attachment was reported as 'empty file'; a PDF the strict parser cannot open (a
    page tree that loops) as a header fault (EINV-PDF-101)."""
    from einvoice import validate
    from einvoice.errors import UnreadableInput

    def garbage(pdf):
        spec = pdf.attachments["factur-x.xml"]
        spec.obj.EF.F.write(b"this is not Flate data", filter=pikepdf.Name.FlateDecode)

    with pytest.raises(UnreadableInput, match="factur-x.xml: its compressed data does not decompress"):
        validate(_edited(good, garbage))
    assert {r for r, d in pdfa.problems(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\nnot a PDF body")} == {"EINV-PDF-113"}


_NO_GLYPH = "Kaiten \ue000\ue001 AS"  # private-use characters: no font draws them


def test_a_page_with_characters_no_font_draws_is_no_pdfa_and_is_not_written(tmp_path):
    """Text in a script the installed fonts lack (Japanese with DejaVu only) was drawn as empty boxes (.notdef),
    and the file still claimed PDF/A-3b (ISO 19005-3 6.2.11.8 forbids .notdef): `build --pdf` and `render -o x.pdf`
    refuse, naming the characters; `validate` reports it on any PDF (EINV-PDF-114); HTML is still written."""
    from einvoice.errors import BuildRefused, UnreadableInput
    from einvoice.render.render import render_html

    data = load_input(SAMPLES / "facturx-en16931.yaml")
    data["buyer"]["name"] = _NO_GLYPH
    with pytest.raises(BuildRefused) as info:
        build_pdf(data, "facturx-en16931")
    assert [f.rule for f in info.value.findings] == ["EINV-PDF-114"] and "\ue000" in info.value.findings[0].message
    inv = load(SAMPLES / "ehf-invoice.xml").invoice
    inv.buyer.name = _NO_GLYPH
    with pytest.raises(UnreadableInput, match="no installed font can draw"):
        render_pdf(inv)
    assert _NO_GLYPH in render_html(inv)
    # the check on any PDF: the page made without PDF/A (no refusal there), then judged
    visual = render_pdf(inv, pdfa=False)
    with pikepdf.open(io.BytesIO(visual)) as doc:
        assert {"\ue000", "\ue001"} <= pdfa.notdef_characters(doc)
    assert "EINV-PDF-114" in {rule for rule, _detail in pdfa.problems(visual)}
    fine = render_pdf(load(SAMPLES / "ehf-invoice.xml").invoice)
    assert "EINV-PDF-114" not in {rule for rule, _detail in pdfa.problems(fine)}


def test_a_long_page_in_a_script_no_font_draws_is_refused_before_it_is_laid_out(monkeypatch):
    """200 lines of 500 Japanese characters with no Japanese font installed took 85 s to be refused: the layout
    looked for a font for each character. A page with many characters past Latin is looked up on a small page
    of each character once first; a page whose characters are all drawn is still laid out whole."""
    import weasyprint

    from einvoice.errors import UnreadableInput

    laid_out: list[int] = []
    real = weasyprint.HTML

    def counting(*a, **kw):
        laid_out.append(len(kw.get("string") or ""))
        return real(*a, **kw)

    monkeypatch.setattr(weasyprint, "HTML", counting)
    inv = load(SAMPLES / "ehf-invoice.xml").invoice
    base = inv.lines[0]
    inv.lines = [base.model_copy(update={"item": base.item.model_copy(update={"name": "\ue000\ue001" * 250})})
                 for _ in range(40)]
    with pytest.raises(UnreadableInput, match="no installed font can draw") as info:
        render_pdf(inv)
    assert info.value.chars == {"\ue000", "\ue001"}
    assert len(laid_out) == 1 and laid_out[0] < 20_000  # the small page only, not the page of 20,000 characters
    laid_out.clear()
    inv.lines = [base.model_copy(update={"item": base.item.model_copy(update={"name": "\u03b1\u03b2 " * 200})})
                 for _ in range(10)]  # Greek: drawn by the installed fonts
    pdf = render_pdf(inv)
    assert len(laid_out) == 2 and laid_out[1] > 4_000
    assert "EINV-PDF-114" not in {rule for rule, _detail in pdfa.problems(pdf)}


def _type0_fonts(pdf, cmaps: list[bytes], fonts: int, to_unicode: bytes | None = None) -> None:
    """``fonts`` composite font dictionaries (used by no page), their encodings taken in turn from ``cmaps`` (one
    Flate stream each, shared by the fonts that take it), with one shared ToUnicode map when given."""
    import zlib

    streams = [pdf.make_stream(zlib.compress(c, 9), Filter=pikepdf.Name.FlateDecode) for c in cmaps]
    tu = pdf.make_stream(zlib.compress(to_unicode, 9), Filter=pikepdf.Name.FlateDecode) if to_unicode else None
    extra = {"ToUnicode": tu} if tu is not None else {}
    pdf.Root.Junk = pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0, BaseFont=pikepdf.Name(f"/F{i}"),
        Encoding=streams[i % len(streams)], **extra)) for i in range(fonts)])


def test_the_notdef_check_reads_a_map_many_fonts_share_once(good, monkeypatch):
    """3,000 fonts sharing one encoding of 1 MB decoded (a 385 KB file) took 113 s to `show`, and `validate` called
    the valid invoice unreadable at its 60 s limit: the map was decoded and scanned once per font."""
    cmap = b"begincidchar\n" + b"<0001> 0\n" * 20_000 + b"endcidchar\n"
    data = _edited(good, lambda pdf: _type0_fonts(pdf, [cmap], 400, b"beginbfchar\n<0001> <0041>\nendbfchar\n"))
    decoded = []
    real = pdfa._decoded
    monkeypatch.setattr(pdfa, "_decoded", lambda stream, cap: decoded.append(stream.objgen) or real(stream, cap))
    found = _validated(data)
    assert found["EINV-PDF-114"].endswith("1 character (A).")
    assert "EINV-PDF-113" not in found
    with pikepdf.open(io.BytesIO(data)) as doc:  # (the XMP and the pages' content are decoded too)
        maps = {m.objgen for f in doc.Root.Junk for m in (f.Encoding, f.ToUnicode)}
    fonts = [objgen for objgen in decoded if objgen in maps]
    assert len(fonts) == len(set(fonts)) == 2  # the encoding and the ToUnicode map, once each (800 before)


def test_the_notdef_check_stops_at_its_limit_and_says_so(good, monkeypatch):
    """Maps of distinct fonts over the limit decoded: the check stops there, says it was not completed
    (EINV-PDF-113) with what it found before, and the invoice is still read."""
    cmaps = [b"begincidchar\n" + b"<%04x> 0\n" % i + b"%% padding\n" * 40_000 + b"endcidchar\n" for i in range(1, 21)]
    data = _edited(good, lambda pdf: _type0_fonts(pdf, cmaps, 20))
    assert len(data) < 200_000
    monkeypatch.setattr(pdfa, "MAX_FONT_MAPS", 2_000_000)
    sizes = []
    real = pdfa._decoded
    monkeypatch.setattr(pdfa, "_decoded", lambda stream, cap: sizes.append(len(real(stream, cap))) or real(stream, cap))
    found = _validated(data)
    assert "character maps are over 2 MB decoded and were not all read" in found["EINV-PDF-113"]
    assert found["EINV-PDF-114"].endswith("1 character (?).")  # (what was read before the limit is still said)
    assert sum(sizes[1:]) <= 2_000_000 + 440_011  # (no more than the limit and the one map that crossed it)
    with pikepdf.open(io.BytesIO(data)) as doc:
        with pytest.raises(pdfa.NotdefIncomplete):
            pdfa.notdef_characters(doc, 1_000_000)
        assert pdfa.notdef_characters(doc, 10_000_000) == {"?"}


def test_the_notdef_check_scans_a_map_in_one_pass(good):
    """A map of 'begincidchar' without an end was scanned to its end from each of them: 600 KB took minutes."""
    import time

    data = _edited(good, lambda pdf: _type0_fonts(pdf, [b"begincidchar" * 50_000], 1))
    start = time.monotonic()
    assert "EINV-PDF-114" not in rules(data)
    assert time.monotonic() - start < 10


# --- hostile page and name trees: every walk bounded ------------------------------------------------


def _amplified(good: bytes, pages: int, shared: int, dag_levels: int = 0) -> bytes:
    """``good`` with ``pages`` pages that share one /Annots array of ``shared`` links and one /Resources of ``shared``
    fonts and forms, and (``dag_levels``) its embedded files' name tree under that many levels of nodes each listing
    the next twice (2^levels paths to one leaf): a few KB that qpdf's and pikepdf's own walks multiply."""
    def edit(pdf):
        from pikepdf import Array, Dictionary, Name

        link = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[0, 0, 1, 1], F=4))
        annots = pdf.make_indirect(Array([link] * shared))
        font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
        form = pdf.make_stream(b"0 0 1 1 re f", Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, 1, 1])
        res = pdf.make_indirect(Dictionary(
            Font=pdf.make_indirect(Dictionary({f"/F{i}": font for i in range(shared)})),
            XObject=pdf.make_indirect(Dictionary({f"/X{i}": form for i in range(shared)}))))
        first = pdf.pages[0].obj
        kids = pdf.make_indirect(Array())
        for _ in range(pages):
            kids.append(pdf.make_indirect(Dictionary(Type=Name.Page, MediaBox=[0, 0, 10, 10], Annots=annots,
                                                     Resources=res, Parent=pdf.Root.Pages)))
        pdf.Root.Pages.Kids = Array([first, *kids])
        pdf.Root.Pages.Count = pages + 1
        if dag_levels:
            node = pdf.make_indirect(pdf.Root.Names.EmbeddedFiles)
            for _ in range(dag_levels):
                node = pdf.make_indirect(Dictionary(Kids=Array([node, node])))
            pdf.Root.Names.EmbeddedFiles = node
    with pikepdf.open(io.BytesIO(good)) as pdf:
        edit(pdf)
        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return out.getvalue()


def _in_a_process(tmp_path, code: str, data: bytes, limit: float = 120) -> str:
    """Run ``code`` (reading the file as ``data``) in a process of its own, killed after ``limit`` seconds (a walk in
    qpdf's C++ would hang the test run itself); its output."""
    import subprocess
    import sys

    src = tmp_path / "in.pdf"
    src.write_bytes(data)
    run = subprocess.run([sys.executable, "-c", f"data = open({str(src)!r}, 'rb').read()\n{code}"],
                         capture_output=True, text=True, timeout=limit, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


def test_a_name_tree_listing_each_node_twice_is_walked_once(good, tmp_path):
    """A name tree 40 levels deep whose nodes list their kid twice (2^40 paths, 12 KB): the PDF/A check walked it with
    pikepdf's NameTree (qpdf, one C++ call no --timeout interrupts) and never returned."""
    data = _amplified(good, 0, 0, dag_levels=40)
    out = _in_a_process(tmp_path, "import einvoice\nr = einvoice.validate(data)\n"
                                  "print(r.profile, sorted({f.rule for f in r.findings}))", data)
    assert out.startswith("facturx-en16931") and "EINV-PDF-013" in out


def test_pages_sharing_annotations_and_resources_are_read_once_each(good, tmp_path):
    """3,000 pages sharing one list of 3,000 annotations and one of 3,000 fonts and forms (under 100 KB): opening the
    file pushed inherited attributes to every page (qpdf: 6.7 GB), and the font, colour and annotation checks read the
    shared lists once per page (23 s). Each shared object is read once now; what a PDF writer would multiply is said."""
    data = _amplified(good, 3000, 3000)
    out = _in_a_process(tmp_path, "import einvoice\nr = einvoice.validate(data)\n"
                                  "print(r.profile, [f.message for f in r.findings if f.rule == 'EINV-PDF-113'])", data)
    assert out.startswith("facturx-en16931") and "9,000,000 annotations" in out, out


def test_attach_refuses_pages_a_writer_would_multiply(good, tmp_path):
    """attach wrote a PDF whose 2,000 pages share 2,000 annotations in 11 s and 2 GB (qpdf's writer walks every page
    and annotation): it refuses such a page tree with the reason, as it refuses any page that cannot be PDF/A."""
    from einvoice.errors import BuildRefused
    from einvoice.facturx_pdf import extract

    xml = extract(good)

    def strip(pdf):
        del pdf.Root.Names
        del pdf.Root.AF
    with pytest.raises(BuildRefused) as info:
        attach(_edited(_amplified(good, 400, 600), strip), xml)
    said = [f.message for f in info.value.findings if f.rule == "EINV-PDF-113"]
    assert len(said) == 1 and "240,000 annotations" in said[0], said  # (and its unembedded font: EINV-PDF-107)


def test_a_number_of_a_million_digits_is_shown_as_given():
    """Babel groups digits in time growing with their number squared: an amount of 900,000 nines took 22 s to render."""
    from einvoice.render.render import MAX_DIGITS, fmt_number

    big = "9" * (MAX_DIGITS + 1)
    assert fmt_number(big, "en") == big
    assert fmt_number("1234567.5", "en") == "1,234,567.50"


# --- PDF/A-3 rules beyond the first checklist (ISO 19005-3 6.2.5-6.2.9, 6.3.3, 6.4, 6.5, 6.8, 6.9-6.11) ----------


def _appearance(doc):
    return doc.make_stream(b"0 g 0 0 10 10 re f", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                           BBox=[0, 0, 10, 10], Resources=pikepdf.Dictionary())


def _annotated(doc, **annot):
    doc.pages[0].Annots = doc.make_indirect(pikepdf.Array([doc.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Rect=[0, 0, 10, 10], F=4, **annot))]))


N, D, A = pikepdf.Name, pikepdf.Dictionary, pikepdf.Array


def _drawn(doc, content: bytes):
    """The first page with ``content`` drawn after its own."""
    doc.pages[0].contents_add(doc.make_stream(content), prepend=False)


def _layers(doc, listed: bool):
    """Two optional content groups; the default configuration's /Order lists the second inside a labelled sub-array,
    and the first too when ``listed``."""
    one, two = (doc.make_indirect(D(Type=N.OCG, Name=pikepdf.String(n))) for n in ("Prices", "Notes"))
    order = A([one, A([pikepdf.String("More"), two])]) if listed else A([A([pikepdf.String("More"), two])])
    doc.Root.OCProperties = D(OCGs=A([one, two]), D=D(Name=pikepdf.String("Default"), Order=order))
# each PDF/A-3 violation the checklist missed (an auditor's list), as an edit of a good PDF: the rule and a word of
# its detail expected
VIOLATIONS = {
    "needappearances": (lambda d: setattr(d.Root, "AcroForm", D(Fields=A(), NeedAppearances=True)),
                        "EINV-PDF-117", "NeedAppearances"),
    "xfa": (lambda d: setattr(d.Root, "AcroForm", D(Fields=A(), XFA=d.make_stream(b"<xdp/>"))), "EINV-PDF-117",
            "XFA"),
    "needsrendering": (lambda d: setattr(d.Root, "NeedsRendering", True), "EINV-PDF-117", "NeedsRendering"),
    "requirements": (lambda d: setattr(d.Root, "Requirements", A([D(Type=N.Requirement, S=N.EnableJavaScripts)])),
                     "EINV-PDF-119", "Requirements"),
    "pressteps": (lambda d: setattr(d.pages[0].obj, "PresSteps", D(Type=N.NavNode)), "EINV-PDF-119", "PresSteps"),
    "altpres": (lambda d: setattr(d.Root, "Names", D(AlternatePresentations=D(Names=A()))), "EINV-PDF-119",
                "AlternatePresentations"),
    "widget-action": (lambda d: _annotated(d, Subtype=N.Widget, FT=N.Tx, T=pikepdf.String("f"),
                                           AP=D(N=_appearance(d)), A=D(S=N.URI, URI=pikepdf.String("https://x"))),
                      "EINV-PDF-117", "widget"),
    "field-aa": (lambda d: setattr(d.Root, "AcroForm", D(Fields=A([d.make_indirect(D(T=pikepdf.String("f"),
                                                                                    AA=D()))]))),
                 "EINV-PDF-117", "field"),
    "annot-noap": (lambda d: _annotated(d, Subtype=N.Text, Contents=pikepdf.String("x")), "EINV-PDF-116",
                   "without an appearance"),
    "annot-ap-d": (lambda d: _annotated(d, Subtype=N.Square, AP=D(N=_appearance(d), D=_appearance(d))),
                   "EINV-PDF-116", "/D"),
    "button-ap-stream": (lambda d: _annotated(d, Subtype=N.Widget, FT=N.Btn, T=pikepdf.String("b"),
                                              AP=D(N=_appearance(d))), "EINV-PDF-116", "button widget"),
    "button-inherited-ap-stream": (lambda d: _annotated(d, Subtype=N.Widget, AP=D(N=_appearance(d)), Parent=D(
        FT=N.Btn, T=pikepdf.String("b"))), "EINV-PDF-116", "button widget"),
    "text-field-ap-states": (lambda d: _annotated(d, Subtype=N.Widget, FT=N.Tx, T=pikepdf.String("t"),
                                                  AP=D(N=D(On=_appearance(d)))), "EINV-PDF-116", "not a button"),
    "named-print": (lambda d: _annotated(d, Subtype=N.Link, A=D(S=N.Named, N=N.Print)), "EINV-PDF-110",
                    "Named action Print"),
    "page-aa": (lambda d: setattr(d.pages[0].obj, "AA", D()), "EINV-PDF-110", "page"),
    "extgstate-tr": (lambda d: d.pages[0].Resources.__setitem__("/ExtGState", D(G9=D(Type=N.ExtGState,
                                                                                      TR=N.Identity))),
                     "EINV-PDF-115", "/TR"),
    "image-interpolate": (lambda d: d.pages[0].Resources.__setitem__("/XObject", D(Im9=d.make_stream(
        b"\xff\x00\x00", Type=N.XObject, Subtype=N.Image, Width=1, Height=1, ColorSpace=N.DeviceRGB,
        BitsPerComponent=8, Interpolate=True))), "EINV-PDF-115", "Interpolate"),
    "oc-noname": (lambda d: setattr(d.Root, "OCProperties", D(OCGs=A(), D=D(Order=A()))), "EINV-PDF-118",
                  "Name"),
    "oc-order": (lambda d: _layers(d, listed=False), "EINV-PDF-118", "Order leaves out 1"),
    "inline-interpolate": (lambda d: _drawn(d, b"q BI /W 1 /H 1 /BPC 8 /CS /G /I true ID \x00 EI Q"),
                           "EINV-PDF-115", "inline image with /I"),
    "inline-bits": (lambda d: _drawn(d, b"q BI /W 1 /H 1 /BPC 3 /CS /G ID \x00 EI Q"), "EINV-PDF-115",
                    "inline image of 3 bits"),
    "inline-lzw": (lambda d: _drawn(d, b"q BI /W 1 /H 1 /BPC 8 /CS /G /F /LZW ID \x80\x00\x20\x20 EI Q"),
                   "EINV-PDF-120", "LZW"),
    "inline-crypt": (lambda d: _drawn(d, b"q BI /W 1 /H 1 /BPC 8 /CS /G /F [/AHx /Crypt] ID 00> EI Q"),
                     "EINV-PDF-120", "Crypt"),
    "inline-jpx": (lambda d: _drawn(d, b"q BI /W 1 /H 1 /BPC 8 /CS /G /F /JPXDecode ID \x00 EI Q"),
                   "EINV-PDF-120", "JPXDecode"),
    "stream-abbreviated-filter": (lambda d: setattr(d.Root, "Junk", d.make_stream(b"x", Filter=N("/Fl"))),
                                  "EINV-PDF-111", "filter Fl"),
    "q-nesting": (lambda d: _drawn(d, b"q " * 29 + b"0 0 1 1 re f " + b"Q " * 29), "EINV-PDF-121", "29 levels"),
    "long-string": (lambda d: setattr(d.Root, "Junk", pikepdf.String("x" * 32_768)), "EINV-PDF-121",
                    "1 string longer than 32,767 bytes (the longest 32,768)"),
    "long-name": (lambda d: setattr(d.Root, "Junk", N("/" + "\u00e9" * 64)), "EINV-PDF-121",
                  "name longer than 127 bytes (the longest 128)"),
    "long-key": (lambda d: d.Root.__setitem__("/" + "k" * 128, 1), "EINV-PDF-121", "name longer than 127"),
    "big-integer": (lambda d: setattr(d.Root, "Junk", A([2_147_483_648, -2_147_483_648])), "EINV-PDF-121",
                    "1 integer beyond the 32-bit range (e.g. 2147483648)"),
    "devicen": (lambda d: d.pages[0].Resources.__setitem__("/ColorSpace", D(CS9=A([
        N.DeviceN, A([N(f"/Ink{i}") for i in range(33)]), N.DeviceCMYK, d.make_stream(b"{pop}", FunctionType=4,
                                                                                     Domain=[0, 1] * 33,
                                                                                     Range=[0, 1] * 4)]))),
                "EINV-PDF-121", "33"),
    "mediabox": (lambda d: setattr(d.pages[0].obj, "MediaBox", A([0, 0, 2, 800])), "EINV-PDF-121",
                 "MediaBox of 2 by 800"),
    "fileattachment-annot": (lambda d: _annotated(d, Subtype=N.FileAttachment, AP=D(N=_appearance(d)), FS=D(
        Type=N.Filespec, F=pikepdf.String("note.txt"), UF=pikepdf.String("note.txt"),
        EF=D(F=d.make_stream(b"a note", Type=N.EmbeddedFile, Subtype=N("/text/plain"))))),
                             "EINV-PDF-108", "note.txt"),
}


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_each_further_pdfa3_violation_is_found(good, name):
    """An audit found 13 violations of PDF/A-3 that the checklist let through, so `attach` wrote files claiming
    PDF/A-3b that break it and `validate` said nothing; each is a finding now, naming what and where."""
    edit, rule, word = VIOLATIONS[name]
    found = dict(pdfa.problems(_edit(good, edit)))
    assert rule in found and word in found[rule], found


def test_keys_named_like_graphics_state_entries_outside_graphics_states_are_no_violation(good):
    """Every dictionary without a /Type was read as a graphics state: a tagged PDF's structure role map, whose /TR
    names a table row, was a transfer function (EINV-PDF-115 on tagged PDF/A-3 invoices). Only a resource
    dictionary's graphics states (typed or not) and dictionaries typed /ExtGState are; an untyped state is found."""
    from pikepdf import Dictionary as D, Name as N

    def tagged(d):
        d.Root.StructTreeRoot = d.make_indirect(D(Type=N.StructTreeRoot, RoleMap=D(TR=N.TR, TD=N.TD, Table=N.Table)))

    assert "EINV-PDF-115" not in dict(pdfa.problems(_edit(good, tagged)))

    def untyped_state(d):
        d.pages[0].Resources.ExtGState = D(G9=D(TR=N.Identity))

    assert "/TR" in dict(pdfa.problems(_edit(good, untyped_state))).get("EINV-PDF-115", "")


def test_a_crypt_filter_other_than_identity_is_a_violation(good, foreign):
    """ISO 19005-3 6.1.7.2: a stream's Crypt filter is Identity or none (qpdf, which einvoice writes with, decodes
    it when it saves: the filter's name is put in the file's bytes after)."""
    from einvoice.errors import BuildRefused

    def crypt(pdf, name):
        def edit(d):
            d.Root.Junk = d.make_stream(b"x", Filter=N("/Cryp0"), DecodeParms=D(Name=N(name)))
        out = _edit(pdf, edit)
        assert out.count(b"/Cryp0") == 1
        return out.replace(b"/Cryp0", b"/Crypt")

    assert "Crypt filter" in dict(pdfa.problems(crypt(good, "/StdCF"))).get("EINV-PDF-111", "")
    assert pdfa.problems(crypt(good, "/Identity")) == []
    pdf, xml = foreign
    with pytest.raises(BuildRefused) as exc:
        attach(crypt(pdf, "/StdCF"), xml)
    assert "Crypt" in {f.rule: f.message for f in exc.value.findings}["EINV-PDF-111"]


def test_the_objects_are_read_in_one_pass_for_embedded_files_and_the_other_checks(good, monkeypatch):
    """The embedded files' check and the object checks (actions, graphics, filters, limits) each read every object
    of the file; one pass serves both now, with the same findings."""
    walks = []

    class Counted(pdfa._Walk):
        def __init__(self, pdf, objects):
            walks.append(objects)
            super().__init__(pdf, objects)

    monkeypatch.setattr(pdfa, "_Walk", Counted)
    edited = _edit(good, lambda d: (VIOLATIONS["fileattachment-annot"][0](d), VIOLATIONS["long-name"][0](d)))
    found = dict(pdfa.problems(edited))
    assert walks == [True]
    assert "note.txt" in found["EINV-PDF-108"] and "name longer" in found["EINV-PDF-121"]


def test_a_button_widget_with_one_appearance_per_state_is_no_violation(good):
    """ISO 19005-3 6.3.3: a button's normal appearance is a sub-dictionary of its states' streams (and any other
    annotation's a stream): a check box drawn as PDF/A asks is no finding."""
    def checkbox(d):
        _annotated(d, Subtype=N.Widget, FT=N.Btn, T=pikepdf.String("b"), AS=N.Off,
                   AP=D(N=D(Yes=_appearance(d), Off=_appearance(d))))

    assert pdfa.problems(_edit(good, checkbox)) == []


def test_optional_content_listed_in_a_nested_order_is_no_violation(good):
    assert pdfa.problems(_edit(good, lambda d: _layers(d, listed=True))) == []


REPAIRED = {"needappearances", "fileattachment-annot", "oc-order"}  # what attach repairs while embedding, losing nothing


@pytest.fixture(scope="module")
def foreign() -> tuple[bytes, bytes]:
    xml = (SAMPLES / "facturx-en16931.xml").read_bytes()
    return render_pdf(load(xml).invoice, "de"), xml


@pytest.mark.parametrize("name", sorted(set(VIOLATIONS) - REPAIRED))
def test_attach_refuses_each_further_violation_naming_it(foreign, name):
    """attach wrote these PDFs declared PDF/A-3b; now it refuses them, with the rule and the feature named."""
    from einvoice.errors import BuildRefused

    pdf, xml = foreign
    edit, rule, word = VIOLATIONS[name]
    with pytest.raises(BuildRefused) as exc:
        attach(_edit(pdf, edit), xml)
    said = {f.rule: f.message for f in exc.value.findings}
    assert rule in said and word in said[rule], said


def test_attach_repairs_need_appearances_and_an_annotations_file(foreign):
    """A form's /NeedAppearances is dropped (its fields keep the appearances stored with them) and a FileAttachment
    annotation's file gets an /AFRelationship and an association (/AF of its annotation); each repair is said."""
    pdf, xml = foreign
    for name, word in (("needappearances", "NeedAppearances"), ("oc-order", "Prices"),
                       ("fileattachment-annot", "note.txt")):
        out, _report, notes = attach(_edit(pdf, VIOLATIONS[name][0]), xml)
        assert pdfa.problems(out) == [], name
        assert any(word in n for n in notes), notes
    with pikepdf.open(io.BytesIO(out)) as doc:
        annot = doc.pages[0].Annots[0]
        assert annot.FS.AFRelationship == "/Unspecified" and annot.AF[0].objgen == annot.FS.objgen
        assert annot.FS.EF.F.read_bytes() == b"a note"


def test_attach_lists_the_layers_an_order_leaves_out(foreign):
    """ISO 19005-3 6.9: a layer configuration's /Order lists every optional content group; attach appends those it
    leaves out (the pages are drawn as before) and says so."""
    pdf, xml = foreign
    out, _report, notes = attach(_edit(pdf, VIOLATIONS["oc-order"][0]), xml)
    assert pdfa.problems(out) == []
    assert [n for n in notes if "optional content" in n] == [
        "listed the optional content group Prices in the /Order of the layer configurations that left it out "
        "(PDF/A-3 6.9; the pages are drawn as before)"]
    with pikepdf.open(io.BytesIO(out)) as doc:
        order = doc.Root.OCProperties.D.Order
        assert len(order) == 2 and str(order[0][0]) == "More" and str(order[1].Name) == "Prices"


def test_attach_drops_an_information_entry_longer_than_a_pdf_string(foreign):
    """ISO 19005-3 6.1.13: a title of 40,000 bytes is beyond a PDF string; the result's title is the invoice's anyway,
    so attach drops it and says so; the same length in any other entry is refused."""
    from einvoice.errors import BuildRefused

    pdf, xml = foreign
    edited = _edit(pdf, lambda d: d.docinfo.__setitem__("/Title", pikepdf.String("T" * 40_000)))
    assert "string longer than 32,767" in dict(pdfa.problems(edited))["EINV-PDF-121"]
    out, _report, notes = attach(edited, xml)
    assert pdfa.problems(out) == [] and any("information Title" in n for n in notes), notes
    with pytest.raises(BuildRefused) as exc:
        attach(_edit(pdf, lambda d: d.docinfo.__setitem__("/Note", pikepdf.String("T" * 40_000))), xml)
    assert "40,000" in {f.rule: f.message for f in exc.value.findings}["EINV-PDF-121"]


def test_validate_reports_the_further_violations_of_a_facturx_pdf(good):
    found = _validated(_edited(good, VIOLATIONS["widget-action"][0]))
    assert "EINV-PDF-117" in found and "widget" in found["EINV-PDF-117"]


def _painted(pdf: bytes, content: bytes, *, default_cmyk: bool = False, appearance: bool = False,
             intent_space: bytes | None = None) -> bytes:
    """``pdf`` with ``content`` drawn on its first page (or as a square annotation's appearance); optionally a
    /DefaultCMYK in the page's resources, or the output intent's ICC profile header naming another colour space."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        if appearance:
            look = doc.make_stream(content, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form, BBox=[0, 0, 10, 10])
            page.obj.Annots = doc.make_indirect(pikepdf.Array([doc.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Square, Rect=[0, 0, 10, 10], F=4,
                AP=pikepdf.Dictionary(N=look)))]))
        else:
            page.contents_add(doc.make_stream(content))
        profile = doc.Root.OutputIntents[0].DestOutputProfile
        if default_cmyk:
            page.obj.Resources.ColorSpace = pikepdf.Dictionary(DefaultCMYK=pikepdf.Array([pikepdf.Name.ICCBased, profile]))
        if intent_space is not None:
            icc = bytearray(profile.read_bytes())
            icc[16:20] = intent_space
            profile.write(bytes(icc))
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()


def _with_resources(pdf: bytes, content: bytes, make) -> bytes:
    """``pdf`` with ``content`` drawn on its first page and ``make(doc)`` -> {resource kind: {name: object}} added
    to that page's resources."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        page.contents_add(doc.make_stream(content))
        for kind, entries in make(doc).items():
            have = page.obj.Resources.get(kind)
            if have is None:
                page.obj.Resources[kind] = have = pikepdf.Dictionary()
            for name, obj in entries.items():
                have[name] = obj
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()


def test_device_colours_of_shadings_patterns_and_alternate_spaces(good):
    """6.2.4.3 covers every place a device colour space paints: a shading (the sh operator, and a shading pattern
    used as a colour), a tiling pattern's own content, a Type 3 font's glyphs, the underlying space of an uncoloured
    pattern and the alternate space of a Separation or DeviceN colour space. These were not read: a page with an sRGB output
    intent painting a CMYK gradient passed, and attach declared it PDF/A-3."""
    N = pikepdf.Name

    def shading(doc, space=N.DeviceCMYK):
        return doc.make_indirect(pikepdf.Dictionary(ShadingType=2, ColorSpace=space, Coords=[0, 0, 10, 0],
                                                    Function=pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], N=1,
                                                                                C0=[0, 0, 0, 0], C1=[0, 0, 0, 1])))

    def tiling(doc, content, paint=1):
        return doc.make_stream(content, PatternType=1, PaintType=paint, TilingType=1, BBox=[0, 0, 5, 5],
                               XStep=5, YStep=5, Resources=pikepdf.Dictionary())

    def alternate(kind):
        tint = pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], N=1, C0=[0, 0, 0, 0], C1=[0, 0, 0, 1])
        if kind == "Separation":
            return pikepdf.Array([N.Separation, N("/Spot"), N.DeviceCMYK, tint])
        return pikepdf.Array([N.DeviceN, pikepdf.Array([N("/Spot")]), N.DeviceCMYK, tint])

    cases = {
        "sh": (b"/Sh1 sh", lambda doc: {"/Shading": {"/Sh1": shading(doc)}}),
        "shading pattern": (b"/Pattern cs /P1 scn 0 0 5 5 re f",
                            lambda doc: {"/Pattern": {"/P1": doc.make_indirect(pikepdf.Dictionary(
                                PatternType=2, Shading=shading(doc)))}}),
        "tiling pattern": (b"/Pattern cs /P1 scn 0 0 5 5 re f",
                           lambda doc: {"/Pattern": {"/P1": tiling(doc, b"0 0 0 1 k 0 0 5 5 re f")}}),
        "uncoloured pattern": (b"/CS1 cs 0 0 0 1 /P1 scn 0 0 5 5 re f",
                               lambda doc: {"/Pattern": {"/P1": tiling(doc, b"0 0 5 5 re f", paint=2)},
                                            "/ColorSpace": {"/CS1": pikepdf.Array([N.Pattern, N.DeviceCMYK])}}),
        "Separation": (b"/CS1 cs 1 sc 0 0 5 5 re f", lambda doc: {"/ColorSpace": {"/CS1": alternate("Separation")}}),
        "DeviceN": (b"/CS1 cs 1 sc 0 0 5 5 re f", lambda doc: {"/ColorSpace": {"/CS1": alternate("DeviceN")}}),
    }
    for what, (content, make) in cases.items():
        found = dict(pdfa.problems(_with_resources(good, content, make)))
        assert found.get("EINV-PDF-122", "").startswith("DeviceCMYK, which the PDF/A output intent's RGB"), what
    # a Type 3 font's glyphs are content streams of their own, painting where the font is used
    def type3(doc, glyph=b"0 0 d0 0 0 0 1 k 0 0 5 5 re f"):
        proc = doc.make_stream(glyph)
        return doc.make_indirect(pikepdf.Dictionary(
            Type=N.Font, Subtype=N("/Type3"), FontBBox=[0, 0, 5, 5], FontMatrix=[0.1, 0, 0, 0.1, 0, 0],
            CharProcs=pikepdf.Dictionary(a=proc), Encoding=pikepdf.Dictionary(Differences=[97, N("/a")]),
            FirstChar=97, LastChar=97, Widths=[5], Resources=pikepdf.Dictionary()))

    found = dict(pdfa.problems(_with_resources(good, b"BT /T3 12 Tf (a) Tj ET", lambda doc: {"/Font": {"/T3": type3(doc)}})))
    assert found.get("EINV-PDF-122", "").startswith("DeviceCMYK, which the PDF/A output intent's RGB"), "Type 3"
    # the same in RGB, which the intent covers, and a resource no content uses: nothing said
    calm = {
        "sh": (b"/Sh1 sh", lambda doc: {"/Shading": {"/Sh1": shading(doc, N.DeviceRGB)}}),
        "unused": (b"0 0 5 5 re f", lambda doc: {"/Shading": {"/Sh1": shading(doc)}}),
        "tiling pattern": (b"/Pattern cs /P1 scn 0 0 5 5 re f",
                           lambda doc: {"/Pattern": {"/P1": tiling(doc, b"1 0 0 rg 0 0 5 5 re f")}}),
        "unused Type 3": (b"0 0 5 5 re f", lambda doc: {"/Font": {"/T3": type3(doc)}}),
        "Type 3 in RGB": (b"BT /T3 12 Tf (a) Tj ET",
                          lambda doc: {"/Font": {"/T3": type3(doc, b"0 0 d0 1 0 0 rg 0 0 5 5 re f")}}),
    }
    for what, (content, make) in calm.items():
        assert "EINV-PDF-122" not in rules(_with_resources(good, content, make)), what


def test_device_colours_the_output_intent_does_not_cover(good, foreign):
    """ISO 19005-3 6.2.4.3 (veraPDF's 6.2.4.3 tests 2 to 4): DeviceCMYK paints only under a CMYK output profile,
    DeviceRGB only under an RGB one, unless a default colour space replaces them; DeviceGray under any. The check
    looked at device colours only where a PDF had no output intent: a PDF with an sRGB intent (as every PDF we and
    WeasyPrint write) painting in CMYK passed, and attach declared it PDF/A-3. Operators, colour spaces set, inline
    images (abbreviated names too) and annotation appearances are read."""
    assert rules(good) == set()
    cmyk = (b"0 0 0 1 k 0 0 5 5 re f", b"/DeviceCMYK cs 0 0 0 1 sc 0 0 5 5 re f",
            b"q BI /W 1 /H 1 /CS /CMYK /BPC 8 ID \x00\x00\x00\x00 EI Q")
    for content in cmyk:
        found = dict(pdfa.problems(_painted(good, content)))
        assert found.get("EINV-PDF-122", "").startswith("DeviceCMYK, which the PDF/A output intent's RGB"), content
    assert "EINV-PDF-122" in rules(_painted(good, b"0 0 0 1 K 0 0 5 5 re S", appearance=True))
    for content in (b"0.5 g 0 0 5 5 re f", b"q BI /W 1 /H 1 /CS /RGB /BPC 8 ID \x00\x00\x00 EI Q", b"1 0 0 rg"):
        assert "EINV-PDF-122" not in rules(_painted(good, content)), content
    assert "EINV-PDF-122" not in rules(_painted(good, cmyk[0], default_cmyk=True))
    # a colour space of the resources is what it names, whatever its name (/G is an abbreviation in inline images only)
    with pikepdf.open(io.BytesIO(_painted(good, b"/G cs 0 0 0 1 sc 0 0 5 5 re f"))) as doc:
        doc.pages[0].obj.Resources.ColorSpace = pikepdf.Dictionary(G=pikepdf.Array([pikepdf.Name.Indexed,
                                                                                      pikepdf.Name.DeviceCMYK, 0, b"abcd"]))
        named = io.BytesIO()
        doc.save(named)
    assert "EINV-PDF-122" in rules(named.getvalue())
    # under a CMYK output profile the page's own RGB text is what is uncovered, and CMYK is fine
    found = dict(pdfa.problems(_painted(good, cmyk[0], intent_space=b"CMYK")))
    assert found.get("EINV-PDF-122", "").startswith("DeviceRGB, which the PDF/A output intent's CMYK"), found
    # attach refuses such a page: it cannot be made PDF/A-3 by embedding
    from einvoice.errors import BuildRefused

    page, xml = foreign
    assert attach(page, xml)[0]
    with pytest.raises(BuildRefused) as info:
        attach(_painted(page, cmyk[0]), xml)
    assert "EINV-PDF-122" in {f.rule for f in info.value.findings}


def test_the_metadata_stream_as_6_6_2_1_asks(good):
    """ISO 19005-3 6.6.2.1 (veraPDF's PDF/A-3 tests 1-5): the stream is /Type /Metadata, /Subtype /XML; its packet
    header has no bytes or encoding attribute; it is UTF-8. A compressed one is fine."""
    import zlib

    def compressed(doc):
        doc.Root.Metadata.write(zlib.compress(doc.Root.Metadata.read_bytes()), filter=pikepdf.Name.FlateDecode)

    assert pdfa.problems(_edit(good, compressed)) == []

    def untyped(doc):
        del doc.Root.Metadata.stream_dict["/Subtype"]

    assert dict(pdfa.problems(_edit(good, untyped, fix_metadata_version=False))) == {
        "EINV-PDF-103": "the metadata stream's dictionary lacks /Type /Metadata or /Subtype /XML"}

    def header(attribute):
        def change(doc):
            xmp = doc.Root.Metadata.read_bytes()
            begin = xmp.index(b"<?xpacket begin=")
            doc.Root.Metadata.write(xmp[:begin + 10] + attribute + b" " + xmp[begin + 10:])
        return change

    for attribute in (b'bytes="1234"', b"encoding='UTF-8'"):
        found = dict(pdfa.problems(_edit(good, header(attribute), fix_metadata_version=False)))
        assert set(found) == {"EINV-PDF-103"} and attribute.split(b"=")[0].decode() in found["EINV-PDF-103"], found

    def utf16(doc):
        doc.Root.Metadata.write(doc.Root.Metadata.read_bytes().decode("utf-8").encode("utf-16"))

    assert dict(pdfa.problems(_edit(good, utf16, fix_metadata_version=False))).get("EINV-PDF-103") == "the XMP metadata is not encoded in UTF-8"


def test_a_cid_over_65535_in_a_composite_fonts_encoding_is_beyond_the_limits(good):
    """ISO 19005-3 6.1.13 (veraPDF's CMapFile maximalCID): no CID above 65,535, by a range or a single code."""
    ranged = b"begincidrange\n<0000> <00ff> 1\n<0100> <01ff> 65400\nendcidrange\n"  # (the last: 65,400 + 255)
    found = dict(pdfa.problems(_edited(good, lambda pdf: _type0_fonts(pdf, [ranged], 1))))
    assert found.get("EINV-PDF-121") == "a composite font's encoding maps a code to CID 65,655 (at most 65,535)"
    single = b"begincidchar\n<0001> 7\n<0002> 70000\nendcidchar\n"
    assert "CID 70,000" in dict(pdfa.problems(_edited(good, lambda pdf: _type0_fonts(pdf, [single], 1))))["EINV-PDF-121"]
    within = b"begincidrange\n<0000> <ffff> 0\nendcidrange\nbegincidchar\n<0001> 65535\nendcidchar\n"
    assert "EINV-PDF-121" not in dict(pdfa.problems(_edited(good, lambda pdf: _type0_fonts(pdf, [within], 1))))


def test_attach_takes_a_valid_invoice_with_a_text_over_10_mb():
    """An attachment of 7.8 MB (10.4 MB of base64 text): the readers take it (libxml2's bound lifted for it) and
    validate says valid, but attach refused it as the schema's error (the factur-x package's check parsed it with
    the default bounds: "Text node too long"). Its schema check is the readers' now; a real schema error still refuses."""
    import base64

    from einvoice.build import build_report
    from einvoice.errors import BuildRefused

    data = load_input(SAMPLES / "facturx-en16931.yaml")
    data["supporting_documents"] = [{"id": "TS-1", "attachment": {
        "content": base64.b64encode(bytes(range(256)) * 30_500).decode(), "filename": "timesheet.bin",
        "mime_code": "application/octet-stream"}}]  # (7.8 MB, not a known type: the schema alone judges it)
    data["supporting_documents"][0]["attachment"]["mime_code"] = "application/pdf"
    xml, _report = build_report(data, "facturx-en16931")
    assert len(xml) > 10_000_000
    page = render_pdf(load(SAMPLES / "facturx-en16931.xml").invoice, "fr")
    out = attach(page, xml)[0]
    assert pdfa.problems(out) == []
    broken = xml.replace(b"<ram:TypeCode>380</ram:TypeCode>", b"<ram:TypeCode>380</ram:TypeCode><ram:Bogus/>", 1)
    with pytest.raises(BuildRefused) as info:
        attach(page, broken)
    assert [f.rule for f in info.value.findings] == ["XSD"] and "Bogus" in info.value.findings[0].message


def test_thousands_of_forms_inheriting_the_pages_resources_are_read_once_each(good):
    """Forms without resources of their own inherit the page's: each of 3,000 forms, nested one in the next, listed the
    page's XObjects again (quadratic: 16,000 took 45 s and 3 GB) and a walk one level deeper per form ran out of
    stack, said as a part not read (EINV-PDF-113). Read once each, without recursion; a CMYK fill in the deepest form
    is still found."""
    N = pikepdf.Name
    count = 3000

    def forms(doc):
        made = {}
        for i in range(count):
            inner = b"0 0 0 1 k 0 0 1 1 re f" if i == count - 1 else f"/F{i + 1} Do".encode()
            made[f"/F{i}"] = doc.make_stream(inner, Type=N.XObject, Subtype=N.Form, BBox=[0, 0, 1, 1])
        return {"/XObject": made}

    found = dict(pdfa.problems(_with_resources(good, b"/F0 Do", forms)))
    assert "EINV-PDF-113" not in found, found.get("EINV-PDF-113")
    assert found.get("EINV-PDF-122", "").startswith("DeviceCMYK, which the PDF/A output intent's RGB"), found
