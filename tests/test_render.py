"""The printable view: key fields on the page, languages, escaping, self-contained HTML, PDF, CLI."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from einvoice.cli import main
from einvoice.render import LANGS, build_view, render_html, render_pdf
from einvoice.syntax import load
from einvoice.render.render import fmt_account, fmt_number, reference_kind

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def text(html: str) -> str:
    """Visible text with tags dropped and every kind of space made a plain space."""
    t = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    t = re.sub(r"<[^>]+>", " ", t)
    t = t.replace("\u00a0", " ").replace("\u202f", " ")
    return re.sub(r"\s+", " ", t)


@pytest.fixture(scope="module")
def ehf():
    return load(SAMPLES / "ehf-invoice.xml").invoice


def test_ehf_page_shows_the_key_fields(ehf):
    html = render_html(ehf)  # seller in Norway: Norwegian by default
    t = text(html)
    assert 'lang="nb"' in html
    assert "Faktura" in t and "2024-1001" in t
    assert "Forfallsdato 01.06.2024" in t                      # due date
    assert "Å betale 13 123,75 NOK" in t                       # amount payable, prominent
    assert "Kontonummer 1503.11.11207" in t                     # account (BT-84), Norwegian grouping
    assert "KID 1002344" in t                                   # payment reference (BT-83)
    assert "Kundenummer 10023" in t                             # buyer identifier (BT-46)
    assert "K-10023" in t                                       # buyer reference (BT-10)
    assert "Org.nr. 921534523" in t and "NO921534523MVA" in t   # seller organisation and VAT numbers
    assert "Kari Nordmann" in t and "+47 55 12 34 56" in t      # seller contact
    assert "Havbruk Nord AS" in t and "Fjordkraft Verksted AS" in t
    assert "Service technician, hours" in t and "7 600,00" in t  # a line
    assert "Rabatt: Discount" in t and "-80,00" in t            # a line allowance
    assert "Ordinær sats 25 % 10 499,00 2 624,75" in t          # VAT breakdown
    assert "30 days net" in t and "Thank you for your order." in t
    # the prominent values carry ids for a reader that looks for them
    assert re.search(r'id="amount-payable">13\u00a0123,75 NOK<', html)
    assert 'id="due-date">01.06.2024<' in html
    assert 'id="invoice-number">2024-1001<' in html


def test_html_is_self_contained(ehf):
    html = render_html(ehf)
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()
    assert not re.search(r"""(src|href)\s*=""", html, re.I)
    assert not re.search(r"url\(", html)
    assert "@import" not in html
    assert "<style>" in html


def test_every_language(ehf):
    titles = {"en": "Invoice", "nb": "Faktura", "sv": "Faktura", "da": "Faktura", "de": "Rechnung", "fr": "Facture"}
    amounts = {"en": "13,123.75", "nb": "13 123,75", "sv": "13 123,75", "da": "13.123,75", "de": "13.123,75",
               "fr": "13 123,75"}
    for lang in LANGS:
        t = text(render_html(ehf, lang))
        assert titles[lang] in t and amounts[lang] in t, lang
    with pytest.raises(ValueError):
        render_html(ehf, "xx")


def test_escaping(ehf):
    inv = ehf.model_copy(deep=True)
    inv.seller.name = "<script>alert('x')</script> & Co"
    inv.notes[0].text = "<b>bold</b>"
    html = render_html(inv, "en")
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "&amp; Co" in html


def test_credit_note_and_reverse_charge():
    cn = load(SAMPLES / "ehf-credit-note.xml").invoice
    view = build_view(cn)
    assert view["title"] == "Kreditnota" and view["payable_label"] == "Til gode"
    assert any(k == "Gjelder faktura" for k, _ in view["meta"]) or not cn.preceding_invoices
    rc = load(SAMPLES / "peppol-reverse-charge.xml").invoice
    t = text(render_html(rc, "en"))
    assert "Reverse charge" in t


def test_cii_sample_in_french():
    inv = load(SAMPLES / "facturx-en16931.xml").invoice
    html = render_html(inv)  # seller in France
    t = text(html)
    assert 'lang="fr"' in html and "Facture" in t and "Net à payer" in t
    assert "IBAN FR76 3000 6000 0112 3456 7890 189" in t


def test_pdf(ehf):
    from pypdf import PdfReader

    pdf = render_pdf(ehf, "en")
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    page = reader.pages[0].extract_text()
    assert "2024-1001" in page and "13,123.75" in page and "1002344" in page


def test_formatting():
    assert fmt_number(Decimal("1234567.5"), "en") == "1,234,567.50"
    assert fmt_number(Decimal("-1234.125"), "de") == "-1.234,125"
    assert fmt_number(Decimal("0"), "nb") == "0,00"
    assert fmt_account("NO9386011117947", "NO") == ("NO93 8601 1117 947", True)
    assert fmt_account("15031111207", "NO") == ("1503.11.11207", False)
    assert fmt_account("15031111207", "SE") == ("15031111207", False)
    assert reference_kind("RF18 5390 0754 7034", "FR") == "rf"
    assert reference_kind("RF19 5390 0754 7034", "FR") == "reference"  # wrong check digits
    assert reference_kind("1002344", "NO") == "kid"
    assert reference_kind("1002344", "SE") == "ocr"


def test_cli_render(tmp_path):
    out = tmp_path / "a.html"
    res = run("render", SAMPLES / "ehf-invoice.xml", "-o", out, "--lang", "en")
    assert res.exit_code == 0, res.output
    assert "Amount due" in out.read_text(encoding="utf-8")
    res = run("render", SAMPLES / "facturx-en16931.xml", "-o", tmp_path / "a.pdf")
    assert res.exit_code == 0 and (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    res = run("render", SAMPLES / "ehf-invoice.xml", "-o", tmp_path / "a.txt")
    assert res.exit_code == 2 and not (tmp_path / "a.txt").exists()
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"%PDF-1.7\nthis is not really a PDF")
    res = run("render", fake, "-o", tmp_path / "b.html")
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert res.stderr.strip().startswith(f"einvoice: {fake}: ") and len(res.stderr.strip().splitlines()) == 1
