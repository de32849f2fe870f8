"""The printable view: key fields on the page, languages, escaping, self-contained HTML, PDF, CLI."""

from __future__ import annotations

from html import unescape
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from einvoice.cli import main
from einvoice.render import LANGS, build_view, render_html, render_pdf
from einvoice.syntax import load
from einvoice.render.render import fmt_account, fmt_number, fmt_quantity, reference_kind

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
    assert fmt_number(Decimal("-0.00"), "nb") == "0,00" and fmt_quantity(Decimal("-0.000"), "en") == "0"  # no "-0"
    assert fmt_account("NO9386011117947", "NO") == ("NO93 8601 1117 947", True)
    assert fmt_account("15031111207", "NO") == ("1503.11.11207", False)
    assert fmt_account("15031111207", "SE") == ("15031111207", False)
    assert reference_kind("RF18 5390 0754 7034", "FR") == "rf"
    assert reference_kind("RF19 5390 0754 7034", "FR") == "reference"  # wrong check digits
    assert reference_kind("1002344", "NO") == "kid"
    assert reference_kind("1002344", "SE") == "ocr"
    assert reference_kind("0003434323213231", "NO") == "reference"  # fails MOD10 and MOD11: no KID a bank takes
    assert reference_kind("860395476-", "NO") == "kid"  # MOD11 with the check 10 written '-' (was 'reference')
    assert reference_kind("860395477-", "NO") == reference_kind("12-", "NO") == "reference"
    assert reference_kind("1002345", "SE") == "reference"  # Luhn fails: no OCR


def test_cli_render(tmp_path):
    out = tmp_path / "a.html"
    res = run("render", SAMPLES / "ehf-invoice.xml", "-o", out, "--lang", "en")
    assert res.exit_code == 0, res.output
    assert "Amount due" in out.read_text(encoding="utf-8")
    assert "(HTML, invoice " in res.output
    res = run("render", SAMPLES / "ehf-credit-note.xml", "-o", tmp_path / "cn.html")
    assert res.exit_code == 0 and "(HTML, credit note " in res.output, res.output
    res = run("render", SAMPLES / "facturx-en16931.xml", "-o", tmp_path / "a.pdf")
    assert res.exit_code == 0 and (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    res = run("render", SAMPLES / "ehf-invoice.xml", "-o", tmp_path / "a.txt")
    assert res.exit_code == 2 and not (tmp_path / "a.txt").exists()
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"%PDF-1.7\nthis is not really a PDF")
    res = run("render", fake, "-o", tmp_path / "b.html")
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert res.stderr.strip().startswith(f"einvoice: {fake}: ") and len(res.stderr.strip().splitlines()) == 1


# --- the page a person pays from (issue: bankgiro, credit notes, large amounts, page breaks) ----


def test_swedish_bankgiro_is_shown_as_bankgiro():
    inv = load(SAMPLES / "peppol-se-bankgiro.xml").invoice
    t = text(render_html(inv))
    assert "Bankgiro 5678-1230" in t and "OCR-nummer 1234567897" in t
    assert "SE:BANKGIRO" not in t and "BIC" not in t
    assert "Sverige" in t and "Förfallodatum 2024-06-05" in t


def test_giro_and_account_formats():
    from einvoice.render.render import fmt_giro

    assert fmt_giro("56781230", "bankgiro") == "5678-1230"
    assert fmt_giro("1234566", "bankgiro") == "123-4566"
    assert fmt_giro("4455667", "plusgiro") == "445566-7"
    assert fmt_giro("not a number", "bankgiro") == "not a number"
    from einvoice.render.render import fmt_reference

    assert fmt_reference("rf18539007547034", "rf") == "RF18 5390 0754 7034"


def test_credit_note_is_no_payment_request():
    inv = load(SAMPLES / "ehf-credit-note.xml").invoice
    view = build_view(inv)
    assert view["credit"] and view["due_date"] == "" and view["payments"] == [] and view["terms"] == ""
    html = render_html(inv)
    t = text(html)
    assert "ikke et betalingskrav" in t and "Til gode" in t
    assert 'id="due-date"' not in html and "KID" not in t  # (a stated due date only among the dates, marked so)
    assert "Forfallsdato" not in t or "(tilbakebetaling)" in t
    t_en = text(render_html(inv, "en"))
    assert "not a payment request" in t_en and ("Due date" not in t_en or "(refund)" in t_en)


def _credit_note_in_sellers_favour(tmp_path) -> Path:
    """The sample credit note with every amount and quantity negated: a valid credit note of a negative amount
    due (the buyer owes the seller, as when a credit note reverses one sent by mistake)."""
    xml = (SAMPLES / "ehf-credit-note.xml").read_text(encoding="utf-8")
    xml = re.sub(r"(<cbc:(?:LineExtensionAmount|TaxExclusiveAmount|TaxInclusiveAmount|PayableAmount|TaxAmount|"
                 r"TaxableAmount|CreditedQuantity)[^>]*>)([0-9.]+)",
                 lambda m: m.group(1) + ("-" + m.group(2) if Decimal(m.group(2)) else m.group(2)), xml)
    path = tmp_path / "negative-credit-note.xml"
    path.write_text(xml, encoding="utf-8")
    return path


def test_a_credit_note_in_the_sellers_favour_asks_for_payment(tmp_path):
    """A credit note whose amount due is negative was shown as a credit to the buyer ("Til gode -1 561,88", "the
    amount is credited to you", no account nor reference): the buyer owes that amount. It is shown as a payment
    asked, the amount without its sign, with the due date and how to pay, by the page and by show alike."""
    from einvoice.model.invoice import credit_owed, no_payment_asked
    from einvoice.validate import validate

    path = _credit_note_in_sellers_favour(tmp_path)
    assert validate(path.read_bytes()).valid  # (a valid document: nothing but the sign changed)
    inv = load(path).invoice
    assert inv.is_credit and credit_owed(inv) and no_payment_asked(inv) is None
    assert not credit_owed(load(SAMPLES / "ehf-credit-note.xml").invoice)
    view = build_view(inv)
    assert not view["credit"] and view["due_date"] and view["payments"]
    assert view["payable"].replace("\u00a0", " ").replace("\u202f", " ") == "1 561,88"  # (without its sign)
    t = text(render_html(inv, "nb"))
    assert "Å betale" in t and "Til gode" not in t and "selgers favør" in t and "godskrives" not in t
    t_en = unescape(text(render_html(inv, "en")))
    assert "in the seller's favour" in t_en and "Amount due" in t_en and "not a payment request" not in t_en
    out = run("show", path).output
    assert "Amount due:" in out and "-1 561.88 NOK (a credit note in the seller's favour" in out
    assert "Payment:           Bank transfer (30), account 15031111207" in out and "not a payment request" not in out
    assert '"payment_requested": true' in run("show", path, "--format", "json").output


def test_country_names_per_language(ehf):
    assert "Norge" in text(render_html(ehf, "nb"))
    assert "Norway" in text(render_html(ehf, "en"))
    assert "Norwegen" in text(render_html(ehf, "de"))
    assert "Norvège" in text(render_html(ehf, "fr"))


def test_numbers_of_any_size_format_or_show_raw(ehf):
    from einvoice.render.render import fmt_quantity

    big = Decimal("1" * 60)
    assert fmt_quantity(big, "en") == ",".join(["111"] * 20)
    assert fmt_number(Decimal("1" * 40 + ".125"), "de").endswith(".111,125")
    assert fmt_number(Decimal("NaN"), "en") == "NaN"
    line = ehf.lines[0].model_copy(update={"quantity": big})
    inv = ehf.model_copy(update={"lines": [line] + list(ehf.lines[1:])})
    assert "111 111 111" in text(render_html(inv))  # no decimal.InvalidOperation


def test_45_line_invoice_ends_with_totals_not_a_footer_only_page():
    from pypdf import PdfReader

    pdf = render_pdf(load(SAMPLES / "ehf-45-lines.xml").invoice, "nb")
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) >= 2
    last = pages[-1]
    assert "Å betale" in last and "45" in last and "Hex bolt" in last  # totals and the last line with them


def test_large_totals_keep_the_layout(ehf, tmp_path):
    from pypdf import PdfReader

    data = load_input_large()
    from einvoice import build

    inv = load(build(data, "ehf")).invoice
    html = render_html(inv)
    assert 'class="bottom wide"' in html and 'class="amount long"' in html
    pdf = render_pdf(inv, "nb")
    first = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "132 237 499 900,00" in first.replace("\u00a0", " ") and "Sum eks. MVA" in first


def load_input_large():
    from einvoice.build import load_input

    data = load_input(SAMPLES / "ehf-invoice.yaml")
    for ln in data["lines"]:
        ln["quantity"] = str(int(ln["quantity"]) * 10_000_000)
    return data


def test_what_the_page_shows_of_a_huge_text_or_many_notes_is_bounded(ehf):
    """A 30 MB seller name took 89 s and 3 GB to lay out, 200,000 notes longer than anyone waited: a text is shown up
    to 5,000 characters and the first 200 notes, each rest counted (no words: any language)."""
    from einvoice.model.invoice import Note

    inv = ehf.model_copy(deep=True)
    inv.seller.name = "N" * 3_000_000
    inv.notes = [Note(text=f"note {i}") for i in range(5_000)]
    page = text(render_html(inv, "en"))
    assert "N" * 5_000 + "… (+2 995 000)" in page and "N" * 5_001 not in page
    assert "note 199" in page and "note 200 " not in page and "… (+4 800)" in page


def _payable(inv, value: str):
    inv = inv.model_copy(deep=True)
    inv.totals.payable_amount.value = Decimal(value)
    return inv


@pytest.mark.parametrize("value, label, words", [
    ("-1656.25", "Til gode 1 656,25", "Ingenting å betale: fakturaen gir et beløp til gode for dere."),
    ("0.00", "Å betale 0,00", "Ingenting å betale: beløpet å betale er null."),  # (nothing was paid in advance)
])
def test_an_invoice_with_nothing_to_pay_is_no_payment_request(ehf, value, label, words):
    """An invoice whose amount due is below zero (the seller owes the buyer) or zero (paid in full) showed the
    amount as due, with a due date, the account and the KID, as if the buyer had to pay."""
    t = text(render_html(_payable(ehf, value)))
    assert label in t and words in t
    assert "1503.11.11207" not in t and "KID" not in t  # (the stated due date marked as no date to pay by)
    assert "Forfallsdato 01.06.2024 (tilbakebetaling)" in t if value.startswith("-") else \
        "Forfallsdato 01.06.2024 (ingenting å betale)" in t
    assert "30 days net" in t  # the terms stay: they say how the rest is settled
    t = text(render_html(_payable(ehf, "13123.75")))
    assert "Forfallsdato 01.06.2024" in t and "KID 1002344" in t and "Ingenting" not in t


def test_a_credit_note_shows_its_terms(ehf):
    inv = ehf.model_copy(deep=True)
    inv.type_code, inv.payment_terms = "381", "Refunded within 14 days"
    t = text(render_html(inv))
    assert "Refunded within 14 days" in t and "Forfallsdato 01.06.2024 (tilbakebetaling)" in t


def test_the_buyer_reference_is_never_called_the_customer_number(ehf):
    inv = ehf.model_copy(deep=True)
    inv.buyer.identifiers = []
    inv.buyer_reference = "04011000-12345-03"  # a Leitweg-ID, say
    t = text(render_html(inv, lang="de"))
    assert "Kundennummer" not in t and "04011000-12345-03" in t


def test_the_page_footer_is_a_css_string_not_html(ehf):
    """The footer (title and number, on every page) is a CSS string: HTML escapes were printed as they stand
    ('R&amp;D', "d&#39;acompte"), and a quote or '</style>' could end it."""
    inv = ehf.model_copy(deep=True)
    inv.number = 'R&D-2024/07 "x" </style>'
    html = render_html(inv)
    footer = re.search(r"@bottom-left \{ content: \"(.*?)\";", html).group(1)
    assert footer == r'Faktura R\26 D-2024/07 \22 x\22  \3c /style\3e '
    assert html.count("</style>") == 1


def _right_edges(html: str) -> tuple[float, float]:
    """(rightmost edge of any text on the laid-out pages, the page width less its right margin), in CSS px."""
    from weasyprint import HTML

    doc = HTML(string=html).render()
    right, limit = 0.0, None
    for page in doc.pages:
        box = page._page_box
        limit = box.margin_width() - box.margin_right if limit is None else limit
        stack = [box]
        while stack:
            b = stack.pop()
            if type(b).__name__ == "TextBox":
                right = max(right, b.position_x + b.width)
            stack.extend(getattr(b, "children", ()))
    return right, limit


def test_long_payment_details_and_words_stay_on_the_paper(ehf):
    """A valid 31-character IBAN (Malta), a long payment reference and a long word in an item name ran past the
    right edge of the page (the payment values did not wrap), losing their last characters."""
    inv = ehf.model_copy(deep=True)
    ct = inv.payment_means[0].credit_transfers[0]
    ct.account_id = "MT84MALT011000012345MTLCAST001S"
    inv.payment_means[0].remittance_information = "Fakturanummer 2024-1001 kundenummer 10023 prosjekt Fjordkraft 2024 ordre 55"
    inv.lines[0].item.name = "Hydraulikk" * 14
    right, limit = _right_edges(render_html(inv))
    assert right <= limit + 0.5, (right, limit)


def test_a_registration_number_is_named_by_its_country_not_by_the_page_language(ehf):
    t = text(render_html(ehf, lang="da"))  # a Norwegian seller on a Danish page: its number is no CVR-nr.
    assert "Registreringsnummer 921534523" in t and "CVR-nr." not in t
    assert "Org.nr. 921534523" in text(render_html(ehf, lang="nb"))
    inv = ehf.model_copy(deep=True)
    inv.seller.address.country_code = "BE"  # French is spoken there, but its numbers are no SIREN/SIRET
    t = text(render_html(inv, lang="fr"))
    assert "SIREN" not in t and "immatriculation 921534523" in t


def test_raw_codes_are_said_in_words(ehf):
    """A payment means code without a name printed as a bare number ('Payment method 4'); XRechnung's cash
    discount line printed as '#SKONTO#TAGE=14#PROZENT=2.00#'."""
    inv = ehf.model_copy(deep=True)
    inv.payment_means[0].code = "4 2"  # (no UNTDID 4461 code: each one is named)
    inv.payment_terms = "#SKONTO#TAGE=14#PROZENT=2.00#\nZahlbar sofort"
    t = text(render_html(inv, lang="de"))
    assert "Zahlungsart Code 4 2" in t
    assert "2,00 % Skonto bei Zahlung innerhalb von 14 Tagen" in t and "#SKONTO#" not in t and "Zahlbar sofort" in t
    inv.payment_terms = "#SKONTO#TAGE=1#PROZENT=3.00#"  # (one day: "within 1 days" before)
    en, de = text(render_html(inv, lang="en")), text(render_html(inv, lang="de"))
    assert "3.00 % discount if paid within 1 day" in en and "1 days" not in en
    assert "3,00 % Skonto bei Zahlung innerhalb von 1 Tag" in de and "1 Tagen" not in de


def test_ordinary_values_stay_whole_and_the_line_number_too(ehf):
    """Wrapping is for what cannot fit: a German IBAN (22 characters), a line number and the VAT category name stay
    on one line (a first attempt broke 'DE91 ... 4567' / '89', line '10' as '1' over '0', 'Regelsteuersat' / 'z')."""
    from weasyprint import HTML

    inv = ehf.model_copy(deep=True)
    inv.payment_means[0].credit_transfers[0].account_id = "DE91100000000123456789"
    inv.lines[0].id = "10"
    html = render_html(inv, lang="de")
    doc = HTML(string=html).render()
    texts = []
    for page in doc.pages:
        stack = [page._page_box]
        while stack:
            b = stack.pop()
            if type(b).__name__ == "TextBox":
                texts.append(b.text)
            stack.extend(getattr(b, "children", ()))
    assert "DE91 1000 0000 0123 4567 89" in texts or any("DE91 1000 0000 0123 4567 89" in t for t in texts), texts[:40]
    assert "10" in texts and "Regelsteuersatz" in " ".join(texts)


def test_zero_due_after_a_prepayment_says_paid(ehf):
    inv = _payable(ehf, "0.00")
    inv.totals.prepaid_amount = inv.totals.payable_amount.model_copy(update={"value": Decimal("13123.75")})
    assert "Ingenting å betale: fakturaen er betalt." in text(render_html(inv))


def _laid_out(inv) -> int:
    """Characters handed to Pango to find lines while the page's PDF is made."""
    from weasyprint.text import line_break

    from einvoice.render import html_to_pdf

    laid = [0]
    original = line_break.Layout.set_text

    def counting(self, text, justify=False):
        laid[0] += len(text)
        return original(self, text, justify)

    line_break.Layout.set_text = counting
    try:
        html_to_pdf(render_html(inv, "en"), pdfa=False)
    finally:
        line_break.Layout.set_text = original
    return laid[0]


def test_line_breaking_work_grows_linearly_with_a_text(ehf):
    """WeasyPrint handed Pango the whole rest of a text for each line it found, and a word broken by characters
    has a line per character (the table's min-content width): a 2,000-character item name took 23 s, 5,000
    characters 52 s, a 5,000-character note over two minutes. Doubling the text now doubles the work."""
    for word in ("X", "Ab cd "):
        laid = {}
        for n in (1_000, 2_000):
            inv = ehf.model_copy(deep=True)
            inv.lines[0].item.name = (word * n)[:n]
            laid[n] = _laid_out(inv)
        assert laid[2_000] < 2.5 * laid[1_000] and laid[2_000] < 400 * 2_000, (word, laid)


def _text_boxes(html: str) -> list[tuple]:
    from weasyprint import HTML

    doc = HTML(string=html).render()
    boxes = []
    for n, page in enumerate(doc.pages):
        stack = [page._page_box]
        while stack:
            b = stack.pop()
            if type(b).__name__ == "TextBox":
                boxes.append((n, b.text, round(b.position_x, 3), round(b.position_y, 3), round(b.width, 3)))
            stack.extend(getattr(b, "children", ()))
    return boxes


def test_bounded_line_breaking_lays_out_the_same_page(ehf, monkeypatch):
    """Pango gets a prefix of a long text, as much as a line holds and a margin: the lines are WeasyPrint's own."""
    from weasyprint.layout import inline, preferred

    from einvoice.render import linebreak
    from einvoice.model.invoice import Note

    inv = ehf.model_copy(deep=True)
    inv.lines[0].item.name = "X" * 700
    inv.lines[0].item.description = "Lorem ipsum dolor sit amet, Hydraulikkslangeoverganger " * 15
    inv.lines[0].note = "Ä & <x> " * 80
    inv.lines[1].item.name = "Hydraulikk\u00adslange\u00adoverganger 1234567890,50 東京の倉庫 " * 20
    inv.lines[1].note = "https://example.com/" + "a/" * 300
    inv.notes = [Note(text="Sammendrag av leveranser og betalingsvilkår " * 12),
                 Note(text="Leveransebetingelsestillegg" * 30)]
    html = render_html(inv, "nb")
    assert linebreak.install()
    bounded = _text_boxes(html)
    original = inline.split_first_line.__wrapped__
    monkeypatch.setattr(inline, "split_first_line", original)
    monkeypatch.setattr(preferred, "split_first_line", original)
    assert _text_boxes(html) == bounded


def test_a_long_unbreakable_word_is_shown_in_full_and_on_the_paper(ehf):
    from pypdf import PdfReader

    from einvoice.render import linebreak

    inv = ehf.model_copy(deep=True)
    inv.lines[0].item.name = "X" * 5_000
    pdf = render_pdf(inv, "en")
    shown = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert shown.count("X") == 5_000
    linebreak.install()
    right, limit = _right_edges(render_html(inv, "en"))
    assert right <= limit + 0.5, (right, limit)


def test_direction_overrides_from_the_document_do_not_reverse_the_page():
    """A U+202E in the invoice number showed "INV-2024-001" as "INV-100-4202" (the footer's VAT number reversed too):
    the page shows every value without bidirectional controls; right-to-left text itself stays."""
    inv = load(SAMPLES / "ehf-invoice.xml").invoice
    inv.number = "INV-\u202e2024-001"
    inv.seller.name = "Acme AS\u202e"
    inv.buyer.name = "\u05e9\u05dc\u05d5\u05dd Ltd"  # Hebrew: shown as it is
    html = render_html(inv, "nb")
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", html)
    assert "INV-2024-001" in html and "\u05e9\u05dc\u05d5\u05dd Ltd" in html


def test_a_long_unbroken_seller_name_stays_on_the_paper():
    """A seller name of 200 letters without a space ran past the paper's edge, and pushed the title and the invoice
    number beside it off the paper: the name wraps where it must."""
    inv = load(SAMPLES / "ehf-invoice.xml").invoice
    inv.seller.name = "Donaudampfschifffahrtsgesellschaftskapitaensmuetzenabzeichenherstellungsbetrieb" * 3
    right, limit = _right_edges(render_html(inv, "nb"))
    assert right <= limit + 0.5, (right, limit)


def test_a_currency_code_with_white_space_keeps_the_vat_rows():
    """A document's currency code written with a line break around it made the VAT breakdown and total vanish from
    the page (the model's VAT total in the invoice currency was not found)."""
    inv = load(SAMPLES / "ehf-invoice.xml").invoice
    assert inv.vat_total is not None
    inv.currency_code = "\n\tNOK\n\t"
    assert inv.vat_total is not None and inv.vat_breakdown
    view = build_view(inv, "en")
    assert len(view["vat"]) == len(load(SAMPLES / "ehf-invoice.xml").invoice.vat_breakdown) > 0
    assert any("VAT" in label for label, _value in view["totals"]), view["totals"]


def test_invoice_information_for_accounting_is_no_invoice(ehf):
    """Type code 751 (invoice information for accounting purposes, FeRD's 'Buchungshilfe') was titled an invoice
    with an amount due, due date, account and KID, as a payment request; 'show' likewise."""
    inv = ehf.model_copy(deep=True)
    inv.type_code = "751"
    t = text(render_html(inv))
    assert "Fakturainformasjon for regnskapsformål" in t and "ikke en faktura: ingenting å betale" in t
    assert "Forfallsdato" not in t and "KID" not in t and "1503.11.11207" not in t
    t = text(render_html(inv, lang="de"))
    assert "Rechnungsinformation für Buchungszwecke" in t and "keine Rechnung: nichts zu zahlen" in t


def test_show_says_invoice_information_for_accounting_asks_no_payment(tmp_path):
    src = tmp_path / "751.xml"
    src.write_text((SAMPLES / "ehf-invoice.xml").read_text(encoding="utf-8").replace(
        "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>", "<cbc:InvoiceTypeCode>751</cbc:InvoiceTypeCode>"), encoding="utf-8")
    out = CliRunner().invoke(main, ["show", str(src)]).output
    assert "(invoice information for accounting purposes (type 751), not a payment request)" in out
    assert "Payment:         - (not a payment request)" in out and "1002344" not in out
    assert "Due date:        -\n" in out  # (no payment asked: no date to pay by, as on the page)


def test_an_invoices_due_date_stated_with_its_payment_means_is_shown(tmp_path):
    """A UBL invoice with its due date on the payment means only (UBL 2.0 has no cbc:DueDate; UBL-CR-412 warns of it
    in 2.1) showed 'Due date: -' and no date on the page: read as BT-9, as a credit note's is. A payment means code
    with white space around it was shown so ('Bank transfer (\n   30)')."""
    import json

    from einvoice import convert

    src = tmp_path / "means-due.xml"
    xml = (SAMPLES / "ehf-invoice.xml").read_text(encoding="utf-8").replace("  <cbc:DueDate>2024-06-01</cbc:DueDate>\n", "")
    xml = xml.replace("<cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>",
                      "<cbc:PaymentMeansCode>\n      30</cbc:PaymentMeansCode>\n    <cbc:PaymentDueDate>2024-06-02</cbc:PaymentDueDate>")
    src.write_text(xml, encoding="utf-8")
    out = CliRunner().invoke(main, ["show", str(src)]).output
    assert "Due date:        2024-06-02" in out and "Bank transfer (30)" in out, out
    data = json.loads(CliRunner().invoke(main, ["show", str(src), "--format", "json"]).output)
    assert data["due_date"] == "2024-06-02" and data["payment"][0]["means"] == "30"
    assert "Forfallsdato" in text(render_html(load(src).invoice))
    assert b"<ram:DueDateDateTime>" in convert(src, to="cii", force=True)  # (BT-9 in the other syntax)


def test_a_gross_price_other_than_the_net_price_is_shown_without_a_discount(ehf):
    """The gross price (BT-148) was shown only beside a price discount (BT-147): a gross price 80.0006 with a net
    price 67.2244 and no discount stated (FeRD's 'Bruttopreise' example) was left off the page."""
    from einvoice.model.invoice import Amount, Price

    inv = ehf.model_copy(deep=True)
    line = inv.lines[0]
    line.price = Price(net_amount=Amount(value=Decimal("67.2244")), gross_amount=Amount(value=Decimal("80.0006")))
    t = text(render_html(inv, lang="en"))
    assert "80.0006" in t
    line.price = Price(net_amount=Amount(value=Decimal("67.2244")), gross_amount=Amount(value=Decimal("67.2244")))
    t = text(render_html(inv, lang="en"))
    assert "List price" not in t and "Gross price" not in t


def test_a_long_invoice_lays_its_lines_out_with_worked_out_widths(ehf):
    """WeasyPrint's automatic table layout measured every break opportunity of every cell of every line (505 lines:
    22 s, most of it there): from render.FIXED_FROM lines the table takes fixed widths worked out from its values,
    wide enough for the longest figure of each column; a shorter invoice keeps the automatic layout."""
    from einvoice.render.render import CONTENT_MM, FIXED_FROM

    assert "<colgroup>" not in render_html(ehf)
    inv = ehf.model_copy(deep=True)
    inv.lines = [ln.model_copy(deep=True) for _ in range(FIXED_FROM // len(ehf.lines) + 1) for ln in ehf.lines]
    inv.lines[0].net_amount.value = Decimal("123456789.00")
    html = render_html(inv, lang="en")
    assert 'class="grid lines fixed"' in html
    widths = [float(w) for w in re.findall(r'<col style="width: ([\d.]+)mm">', html)]
    assert len(widths) == 6 and sum(widths) <= CONTENT_MM * 2 / 3
    assert widths[-1] >= 2.2 * len("123,456,789.00")  # the longest amount fits its column
    view = build_view(inv, "en")
    assert view["line_cols"][1] is None  # the description takes what is left


def test_an_amount_due_the_invoice_does_not_state_is_said_so(ehf):
    """A document without an amount due (a ZUGFeRD 1.0 file, say) showed "– EUR" as the amount to pay, unexplained."""
    inv = ehf.model_copy(deep=True)
    inv.totals.payable_amount = None
    t = text(render_html(inv, lang="en"))
    assert "The invoice states no amount due (BT-115)." in t and "– NOK" not in t
    assert "states no amount" not in text(render_html(ehf, lang="en"))


def test_a_danish_fi_card_payment_is_named_as_such(ehf):
    """Denmark pays by FI-card (payment means 93, reference giro): a payment line '+71<payment id+creditor number<'
    and the creditor number as the account. The page said 'kode 93', 'Betalingsreference' and 'Kontonummer'. It names
    the means, the FIK payment ID and the creditor number; a Norwegian invoice with code 93 reads as before but for the
    means' name, and a Danish SEPA direct debit is said in Danish."""
    inv = ehf.model_copy(deep=True)
    inv.seller.address.country_code = "DK"
    pm = inv.payment_means[0]
    pm.code, pm.remittance_information = "93", "+71<000000012345678+87654321<"
    pm.credit_transfers[0].account_id = "87654321"
    assert reference_kind(pm.remittance_information, "DK") == "fik"
    # Peppol Denmark's form, and a code line inside other text: as the policy reads them (one reading)
    assert reference_kind("71#000000012345678", "DK") == reference_kind("FIK +71<000000012345678+87654321<", "DK") == "fik"
    assert reference_kind(pm.remittance_information, "NO") == "reference"
    from html import unescape

    t = unescape(text(render_html(inv, lang="da")))
    assert "Betalingsmåde Indbetalingskort (FIK)" in t and "Kreditornummer 87654321" in t, t
    assert "FIK-betalings-ID +71<000000012345678+87654321<" in t and "kode 93" not in t
    t = text(render_html(inv, lang="en"))
    assert "Reference giro" in t and "Creditor number 87654321" in t and "FIK payment ID" in t
    pm.code = "59"
    assert "SEPA-direkte debitering" in text(render_html(inv, lang="da"))


def test_french_puts_a_space_before_a_colon(ehf):
    inv = ehf.model_copy(deep=True)
    inv.payment_terms = "30 jours net"
    html = render_html(inv, lang="fr")
    assert "Conditions de paiement\u00a0:" in html and "Conditions de paiement:" not in html
    assert "Payment terms:" in render_html(inv, lang="en")


def test_controls_separators_and_long_words_on_the_pdf_page(ehf):
    """Found with texts of many scripts: a line separator (U+2028) or a C1 control (legal in XML 1.0) made the PDF
    fail as if a script's font were missing; a 140-letter word in the payment terms ran off the page; names were
    hyphenated (a name copied from the page had hyphens it does not have); bidirectional overrides stayed in a
    Factur-X PDF's title and author."""
    import pikepdf
    from pypdf import PdfReader

    from einvoice.facturx_pdf import _metadata

    inv = ehf.model_copy(deep=True)
    inv.buyer.name = "Kunde\u2028Zweite Zeile\x85 AS Donaudampfschifffahrtsgesellschaftskapitaen"
    long_word = "NO93" + "8601111794700000000000" * 6
    inv.payment_terms = f"Betal til {long_word} innen 30 dager"
    html = render_html(inv, "de")
    assert "\x85" not in html and "\u2028" not in html and "Zweite Zeile" in html
    assert "hyphens: auto" not in html.split("table.totals")[0]  # (names and notes: no hyphen added)
    import weasyprint

    laid = weasyprint.HTML(string=html).render()  # (the layout the PDF is drawn from: every box within the page)
    for page in laid.pages:
        right = page.width - page._page_box.margin_right

        def boxes(box):
            yield box
            for child in getattr(box, "children", ()) or ():
                yield from boxes(child)

        widest = max(b.position_x + b.margin_width() for b in boxes(page._page_box) if hasattr(b, "margin_width")
                     and b is not page._page_box)
        assert widest <= right + 1, (widest, right)
    reader = PdfReader(io.BytesIO(render_pdf(inv, "de")))  # (the PDF is written: no glyph missing for a control)
    words = " ".join(p.extract_text() for p in reader.pages)
    assert "".join(words.split()).count(long_word) == 1
    bidi = ehf.model_copy(deep=True)
    bidi.seller.name = "\u202eABC\u202c Seller"
    meta = _metadata(bidi)
    assert "\u202e" not in meta["title"] + meta["author"] and "ABC Seller" in meta["author"]


# --- the terms KoSIT's XRechnung viewer shows and the page left out -----------------

CONFORMANCE = ROOT.parent / "shared" / "conformance"
NO_CORPUS = "../shared/conformance not present (official test corpus)"


def official(relative: str):
    """An invoice of the official test corpus (skipped, saying why, where the corpus is absent)."""
    path = CONFORMANCE / relative
    if not path.is_file():
        pytest.skip(f"{NO_CORPUS}: {relative}")
    return load(path).invoice


def test_lines_show_standard_id_origin_order_line_and_price_discount():
    inv = official("en16931/ubl/examples/ubl-tc434-example2.xml")
    view = build_view(inv, "en")
    first, third = view["lines"][0]["details"], view["lines"][2]["details"]
    assert "Standard ID 1234567890128 (0088)" in first                     # BT-157 with its scheme
    assert "Country of origin Germany" in first                             # BT-159
    assert "Order line 1" in first                                          # BT-132
    assert "Price discount 225.00" in first                                 # BT-147
    assert "List price 2.70" in third and "Price discount 0.27" in third    # BT-148 kept beside BT-147
    t = text(render_html(inv, "de"))
    assert "Standardkennung 1234567890128 (0088)" in t and "Ursprungsland Deutschland" in t
    assert "Bestellposition 1" in t and "Preisnachlass 225,00" in t


def test_a_gtin_is_named_so_and_a_line_object_id_has_its_scheme():
    inv = official("en16931/cii/examples/huf_example_cii.xml")
    assert "Object ID BN-H 6622 (ABZ)" in build_view(inv, "en")["lines"][0]["details"]    # BT-128
    from einvoice.model.invoice import Identifier

    inv.lines[0].item.standard_id = Identifier(value="4006381333931", scheme_id="0160")
    assert "GTIN 4006381333931" in build_view(inv, "fr")["lines"][0]["details"]


def test_invoiced_object_delivery_region_and_document_details_are_shown():
    inv = official("peppol-bis-3/releases/2026.5/examples/Allowance-example.xml")
    view = build_view(inv, "en")
    assert ("Invoiced object", "DR35141 (ABT)") in view["meta"]                    # BT-18 with its scheme
    t = text(render_html(inv, "nb"))
    assert "Fakturert objekt DR35141 (ABT)" in t
    assert "Forretningsprosess: urn:fdc:peppol.eu:2017:poacc:billing:01:1.0" in t   # BT-23
    assert "Spesifikasjon: urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0" in t  # BT-24
    delivered = official("en16931/ubl/examples/ubl-tc434-example2.xml")
    assert "RegionD, Norway" in build_view(delivered, "en")["delivery"]["address"]  # BT-79, as BT-39/54/68 are


def test_a_base_amount_is_shown_without_a_percentage():
    inv = official("facturx-samples/UBL/EN16931_Rabatte.ubl.xml")
    bases = [ac["basis"] for ac in build_view(inv, "de")["allowances_charges"]]
    assert "Basis 137,30" in bases                                                 # BT-93 / BT-100
    line = official("peppol-bis-3/releases/2026.5/examples/Allowance-example.xml")
    line.lines[0].allowances_charges[0].percentage = None
    assert build_view(line, "en")["lines"][0]["allowances_charges"][0]["basis"] == "base 100.00"  # BT-142
    assert "(base 100.00)" in text(render_html(line, "en"))


def test_payment_means_text_is_shown_beside_the_codes_name_and_every_uncl4461_code_is_named():
    inv = official("facturx-samples/UBL/XRECHNUNG_Einfach.ubl.xml")
    rows = build_view(inv, "de")["payments"][0]
    assert ("Zahlungsart", "SEPA-Überweisung (Zahlung per SEPA Überweisung.)") in rows       # BT-81 named, BT-82 kept
    from einvoice.codelists import get
    from einvoice.render import i18n

    for code in ("4", "41", "68", "70"):
        inv.payment_means[0].code, inv.payment_means[0].text = code, None
        for lang in LANGS:
            assert "code" not in build_view(inv, lang)["payments"][0][0][1].lower()
    assert build_view(inv, "en")["payments"][0][0][1] == "Bill drawn by the creditor on the debtor"
    inv.payment_means[0].code = "68"
    assert build_view(inv, "fr")["payments"][0][0][1] == "Service de paiement en ligne"
    assert not [(c, lang) for c in get("uncl4461") for lang in LANGS if not i18n.means_name(c, lang)]


def test_every_document_type_is_named_and_an_unknown_one_shows_its_code():
    from einvoice.codelists import get
    from einvoice.render import i18n

    inv = official("facturx-samples/UBL/EN16931_Miete.ubl.xml")
    assert inv.type_code == "387"
    assert build_view(inv, "en")["title"] == "Hire invoice" and build_view(inv, "de")["title"] == "Mietrechnung"
    for code, name in (("204", "Payment valuation"), ("575", "Insurer's invoice"), ("877", "Final construction invoice")):
        inv.type_code = code
        assert build_view(inv, "en")["title"] == name
    assert not [(c, lang) for c in get("uncl1001") for lang in LANGS
                if i18n.label("type_code", lang).format(code=c) in i18n.title(c, False, lang)]  # (each one named)
    assert i18n.title("261", True, "sv") == "Självfakturerad kreditfaktura"
    assert i18n.title("380", False, "en") == "Invoice" and i18n.title("381", True, "nb") == "Kreditnota"
    inv.type_code = "01"
    assert build_view(inv, "fr")["title"] == "Facture (type 01)"


SUB_LINE = """<cac:SubInvoiceLine><cbc:ID>{id}</cbc:ID><cbc:InvoicedQuantity unitCode="HUR">{qty}</cbc:InvoicedQuantity>
<cbc:LineExtensionAmount currencyID="NOK">{amount}</cbc:LineExtensionAmount>
<cac:Item><cbc:Name>{name}</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent>
<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item>
<cac:Price><cbc:PriceAmount currencyID="NOK">{price}</cbc:PriceAmount></cac:Price>{inner}</cac:SubInvoiceLine>"""


def test_sub_lines_are_shown_under_their_line_at_any_depth(tmp_path):
    xml = (SAMPLES / "ehf-invoice.xml").read_text(encoding="utf-8")
    inner = SUB_LINE.format(id="1.1.1", qty="2", amount="1900.00", name="Night shift", price="950.00", inner="")
    subs = SUB_LINE.format(id="1.1", qty="8", amount="7600.00", name="Repair of pump 3", price="950.00", inner=inner)
    first_end = xml.index("</cac:InvoiceLine>")
    path = tmp_path / "sub-lines.xml"
    path.write_text(xml[:first_end] + subs + xml[first_end:], encoding="utf-8")
    inv = load(path).invoice
    assert [s.id for s in inv.lines[0].sub_lines] == ["1.1"] and inv.lines[0].sub_lines[0].sub_lines[0].id == "1.1.1"
    rows = build_view(inv, "en")["lines"][0]["sub_lines"]
    assert [(r["depth"], r["id"], r["name"], r["quantity"], r["unit_price"], r["amount"]) for r in rows] == [
        (1, "1.1", "Repair of pump 3", "8", "950.00", "7,600.00"), (2, "1.1.1", "Night shift", "2", "950.00", "1,900.00")]
    t = text(render_html(inv, "en"))
    assert "1.1 Repair of pump 3 8 h 950.00 25 % 7,600.00" in t
    assert "1.1.1 Night shift 2 h 950.00 25 % 1,900.00" in t
    assert t.index("Service technician, hours") < t.index("Repair of pump 3") < t.index("Night shift")


def test_a_refunds_due_date_and_mandate_are_shown_and_said_so(ehf):
    """An invoice whose amount due is below zero (the seller owes the buyer) dropped its stated due date and
    SEPA mandate (BT-89..91): the page keeps both, the date marked as a refund's, and still asks for nothing."""
    from einvoice.model.invoice import DirectDebit

    inv = ehf.model_copy(deep=True)
    inv.totals.payable_amount.value = Decimal("-225.14")
    inv.payment_means[0].code = "59"
    inv.payment_means[0].direct_debit = DirectDebit(mandate_reference="MANDATE-7", creditor_id="DE98ZZZ09999999999",
                                                    debited_account_id="DE79000000001234567890")
    view = build_view(inv, "en")
    assert ("Due date", "1 Jun 2024 (refund)") in view["meta"]
    assert view["credit"] and view["due_date"] == ""                        # (no date to pay by in the payment box)
    rows = [r for block in view["payments"] for r in block]
    assert ("Direct debit mandate", "MANDATE-7") in rows and ("Debited account", "DE79000000001234567890") in rows
    assert not [r for r in rows if r[0] in ("Account", "IBAN", "KID")]     # (still nothing to pay to)
    assert "Forfallsdato 01.06.2024 (tilbakebetaling)" in text(render_html(inv, "nb"))


def test_the_small_print_is_never_split_onto_a_page_of_its_own():
    """The small print under the page (seller, BT-23/BT-24) was split when it met the page's end: its last line, the
    specification identifier, alone on a second page (page 2 of 2 held nothing else). It moves whole, with the block
    before it, so no page holds the small print only."""
    from pypdf import PdfReader

    inv = official("facturx-samples/CII/EN16931_SEPA_Prenotification.cii.xml")
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(inv, "de"))).pages]
    for page in pages:
        body = [line for line in page.splitlines() if line.strip() and not re.search(r"Seite \d+ von \d+", line)]
        assert not all(line.startswith("Spezifikation:") or "Lesbare Ansicht" in line for line in body), pages
    assert any("Spezifikation: urn:cen.eu:en16931:2017" in p and "Lesbare Ansicht" in p for p in pages)  # together


# --------------------------------------------------------------------------- a document that does not pass

def _ehf_with(tmp_path, old: str, new: str, name: str = "x.xml") -> Path:
    data = (SAMPLES / "ehf-invoice.xml").read_text(encoding="utf-8")
    assert old in data
    path = tmp_path / name
    path.write_text(data.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_date_that_is_no_date_is_said_on_the_page_not_left_off_silently(tmp_path):
    # the reader keeps no date it cannot read: without a word the page looked like an invoice with no due date
    src = _ehf_with(tmp_path, "<cbc:DueDate>2024-06-01<", "<cbc:DueDate>2024-02-30<")
    out = tmp_path / "page.html"
    res = run("render", src, "-o", out, "--lang", "en")
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    t = unescape(text(page))
    assert 'id="problems"' in page and "does not pass validation (3 errors)" in t
    assert "'2024-02-30' of <cbc:DueDate>" in t  # the unreadable value is named, with its rule and line
    assert re.search(r"XSD \(line \d+\)", t)
    assert "Due date" not in t.split("does not pass validation")[1].split("Amount due")[0]  # (still not shown as one)
    err = res.stderr.strip().splitlines()
    assert len(err) == 1 and "warning: the document does not pass validation (3 errors, the first XSD at line" in err[0]


def test_a_bare_invoice_renders_with_its_errors_listed_and_a_warning(tmp_path):
    src = tmp_path / "bare.xml"
    src.write_text('<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>', encoding="utf-8")
    out = tmp_path / "bare.html"
    res = run("render", src, "-o", out, "--lang", "de")
    assert res.exit_code == 0
    t = text(out.read_text(encoding="utf-8"))
    assert "Das Dokument besteht die Prüfung nicht (12 Fehler)" in t
    assert "BR-02 (Zeile 1): The invoice has no invoice number (BT-1)." in t
    assert "… und 4 weitere: einvoice validate nennt alle." in t  # eight listed, the rest counted
    assert "warning: the document does not pass validation (12 errors" in res.stderr


def test_a_valid_document_has_no_problems_box_and_no_warning(tmp_path):
    out = tmp_path / "ok.html"
    res = run("render", SAMPLES / "ehf-invoice.xml", "-o", out)
    assert res.exit_code == 0 and res.stderr == ""
    assert 'id="problems"' not in out.read_text(encoding="utf-8")


def test_the_library_page_lists_only_blocking_findings(ehf):
    from einvoice.rules.engine import Finding, Severity

    warn = Finding("PEPPOL-EN16931-R002", Severity.WARNING, "only a warning")
    assert 'id="problems"' not in render_html(ehf, "en", [warn])
    page = render_html(ehf, "en", [warn, Finding("BR-CO-15", Severity.FATAL, "totals <disagree>", line=12)])
    t = unescape(text(page))
    assert "does not pass validation (1 error)" in t and "BR-CO-15 (line 12): totals <disagree>" in t
    assert "totals &lt;disagree&gt;" in page and "only a warning" not in t  # (escaped; warnings block nothing)


def test_the_invoice_currency_is_named_without_an_amount_due(tmp_path):
    # without BT-115 the currency was named nowhere, while the VAT in the accounting currency was (800.00 NOK)
    src = _ehf_with(tmp_path, "<cbc:DocumentCurrencyCode>NOK</cbc:DocumentCurrencyCode>",
                    "<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode><cbc:TaxCurrencyCode>NOK</cbc:TaxCurrencyCode>")
    data = src.read_text(encoding="utf-8").replace('currencyID="NOK"', 'currencyID="EUR"')
    data = re.sub(r"<cbc:PayableAmount[^>]*>[^<]*</cbc:PayableAmount>", "", data)
    src.write_text(data, encoding="utf-8")
    t = text(render_html(load(src).invoice, "en"))
    assert "Invoice currency EUR" in t and "The invoice states no amount due (BT-115)." in t
    t = text(render_html(load(SAMPLES / "ehf-invoice.xml").invoice, "en"))
    assert "Invoice currency" not in t and "Amount due 13,123.75 NOK" in t  # (named with the amount due)


def test_the_library_render_of_a_document_says_it_does_not_pass(tmp_path):
    import einvoice

    src = _ehf_with(tmp_path, "<cbc:DueDate>2024-06-01<", "<cbc:DueDate>2024-02-30<")
    assert 'id="problems"' in einvoice.render(src, lang="en")
    assert 'id="problems"' in einvoice.render(src.read_bytes(), lang="en")
    assert 'id="problems"' not in einvoice.render(SAMPLES / "ehf-invoice.xml")
    assert 'id="problems"' not in einvoice.render(load(src).invoice)  # (a model: shown as it is)
    with pytest.raises(ValueError):
        einvoice.render(src, format="png")


def test_show_says_whether_the_document_passes(tmp_path):
    # 'Due date: -' alone could not be told from an invoice without one: the summary says the document does not pass
    import json

    src = _ehf_with(tmp_path, "<cbc:DueDate>2024-06-01<", "<cbc:DueDate>2024-02-30<")
    res = run("show", src)
    assert res.exit_code == 0
    assert "Due date:        -" in res.output
    assert res.output.splitlines()[-1] == ("Validation:      does not pass: 3 errors, the first XSD at line 7 "
                                           "(einvoice validate lists every error)")
    data = json.loads(run("show", src, "--format", "json").output)
    assert data["due_date"] is None and data["validation"]["valid"] is False and data["validation"]["errors"] == 3
    assert data["validation"]["first_error"]["rule"] == "XSD" and data["validation"]["first_error"]["line"] == 7
    assert run("show", SAMPLES / "ehf-invoice.xml").output.splitlines()[-1] == "Validation:      passes"
    ok = json.loads(run("show", SAMPLES / "ehf-invoice.xml", "--format", "json").output)["validation"]
    assert ok == {"valid": True, "errors": 0, "first_error": None}


def test_a_message_quoting_a_character_no_font_draws_does_not_refuse_the_pdf(tmp_path):
    # the box quotes the document's values in our messages: a character past Latin is named by its code point
    from einvoice.rules.engine import Finding, Severity

    inv = load(SAMPLES / "ehf-invoice.xml").invoice
    bad = Finding("BR-CL-01", Severity.FATAL, "The type code '\U0001F600\u4e2d' is not in the list.", line=3)
    t = unescape(text(render_html(inv, "en", [bad])))
    assert "The type code 'U+1F600U+4E2D' is not in the list." in t
    assert render_pdf(inv, "en", findings=[bad]).startswith(b"%PDF")


def _fx_with(tmp_path, changes: list[tuple[str, str]], name: str = "fx.xml") -> Path:
    data = (SAMPLES / "facturx-en16931.xml").read_text(encoding="utf-8")
    for old, new in changes:
        assert re.search(old, data, re.S), old
        data = re.sub(old, new, data, count=1, flags=re.S)
    path = tmp_path / name
    path.write_text(data, encoding="utf-8")
    return path


def test_show_lists_no_payment_row_for_empty_payment_elements(tmp_path):
    # an empty ram:PaymentReference without any means left out the Payment row (every other document prints
    # 'Payment: -'), and an empty ram:DirectDebitMandateID added 'Direct debit: mandate -, creditor id -'
    import json

    no_means = _fx_with(tmp_path, [(r"<ram:PaymentReference>FA-2024-0571</ram:PaymentReference>",
                                    "<ram:PaymentReference/>"),
                                   (r"<ram:SpecifiedTradeSettlementPaymentMeans>.*?</ram:SpecifiedTradeSettlementPaymentMeans>", "")])
    out = run("show", no_means).output
    assert "Payment:         -" in out.splitlines()
    assert json.loads(run("show", no_means, "--format", "json").output)["payment"] == []
    mandate = _fx_with(tmp_path, [(r"<ram:SpecifiedTradePaymentTerms>",
                                   "<ram:SpecifiedTradePaymentTerms><ram:DirectDebitMandateID/>")], "mandate.xml")
    out = run("show", mandate).output
    assert "Direct debit" not in out and "reference FA-2024-0571" in out


def test_show_json_gives_identifiers_and_references_on_one_line(tmp_path):
    # names were made one line in the JSON, the number, references and accounts kept the XML's line breaks
    import json

    src = _ehf_with(tmp_path, "<cbc:PaymentID>1002344</cbc:PaymentID>", "<cbc:PaymentID>1002\n   344</cbc:PaymentID>")
    data = json.loads(run("show", src, "--format", "json").output)
    assert data["payment"][0]["reference"] == "1002 344"
    assert "reference 1002 344" in run("show", src).output  # (the text form: as before)


def test_a_pdf_page_refuses_more_lines_than_it_is_laid_out_for_before_any_layout(tmp_path, monkeypatch):
    """A PDF page's layout takes about 11 ms and 200 KB a line, all at once: 50,000 lines ran out of memory after
    minutes, saying nothing. More lines (with allowances and charges) than the limit (5,000, or --max-lines /
    max_lines) are refused at once, in one line, nothing written; HTML has no limit."""
    import einvoice
    from einvoice.errors import UnreadableInput
    from einvoice.render import render as page
    from einvoice.render.render import MAX_PDF_ROWS, PageTooLong

    laid_out = []
    monkeypatch.setattr(page, "html_to_pdf", lambda *a, **k: laid_out.append(1) or b"%PDF-")
    source = SAMPLES / "ehf-45-lines.xml"
    inv = load(source).invoice
    rows = len(inv.lines) + len(inv.allowances_charges)
    assert rows >= 45 and MAX_PDF_ROWS == 5_000
    with pytest.raises(PageTooLong) as refused:
        einvoice.render(source, format="pdf", max_lines=rows - 1)
    assert isinstance(refused.value, UnreadableInput) and f"{rows:,} lines" in str(refused.value)
    assert "\n" not in str(refused.value) and not laid_out
    assert einvoice.render(source, format="pdf", max_lines=rows) == b"%PDF-"  # (at the limit: laid out)
    assert "<html" in einvoice.render(source, format="html", max_lines=1)
    with pytest.raises(TypeError):
        einvoice.render(source, format="pdf", max_lines=0)
    out = tmp_path / "page.pdf"
    res = run("render", source, "-o", out, "--max-lines", 10)
    assert res.exit_code == 2 and not out.exists()
    assert f"has {rows:,} lines, allowances and charges, more than the 10 a PDF page" in res.stderr
    assert "raise the limit (--max-lines; max_lines= in Python)" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert run("render", source, "-o", tmp_path / "page.html", "--max-lines", 10).exit_code == 2  # (no effect on HTML)
    # build --pdf: refused before the build, nothing written (neither the PDF nor the XML)
    xml = tmp_path / "x.xml"
    res = run("build", SAMPLES / "ehf-45-lines.yaml", "-f", "facturx-en16931", "--pdf", out, "-o", xml, "--max-lines", 10)
    assert res.exit_code == 2 and not out.exists() and not xml.exists()
    assert "build the XML alone" in res.stderr
    with pytest.raises(PageTooLong):
        einvoice.build_pdf(einvoice.load_input(SAMPLES / "ehf-45-lines.yaml"), "facturx-en16931", max_lines=10)
    assert run("build", SAMPLES / "ehf-45-lines.yaml", "-f", "ehf", "-o", xml, "--max-lines", 10).exit_code == 2


def test_pdf_output_without_fonts_or_pango_is_one_line_not_a_crash(tmp_path):
    """In a slim container (no font installed) Pango crashed the process laying out the page (a segmentation fault,
    the library's caller with it); without Pango the import failed as an internal error: each is one line now."""
    import os
    import subprocess
    import sys

    conf = tmp_path / "nofonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f"<dir>{tmp_path / 'no-fonts-here'}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    out = tmp_path / "page.pdf"
    res = subprocess.run([sys.executable, "-m", "einvoice", "render", str(SAMPLES / "ehf-invoice.xml"), "-o", str(out)],
                         capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 2 and not out.exists(), (res.returncode, res.stderr[-500:])
    assert res.stderr.strip().splitlines() == [
        f"einvoice: {SAMPLES / 'ehf-invoice.xml'}: PDF output needs a font, and none is installed (fontconfig lists "
        "none): the page cannot be laid out; install one (Debian: apt install fonts-dejavu-core), or render HTML"]
    # a system library WeasyPrint loads on import (Pango) missing: WeasyPrint raises OSError, said in one line
    code = ("import sys, importlib.abc\n"
            "class NoPango(importlib.abc.MetaPathFinder):\n"
            "    def find_spec(self, name, path, target=None):\n"
            "        if name == 'weasyprint':\n"
            "            print('a banner of several lines'); raise OSError(\"cannot load library 'libpango-1.0-0'\")\n"
            "sys.meta_path.insert(0, NoPango())\n"
            "import einvoice\n"
            "try:\n"
            f"    einvoice.render({str(SAMPLES / 'ehf-invoice.xml')!r}, format='pdf')\n"
            "except einvoice.UnreadableInput as exc:\n"
            "    print('REFUSED', exc)\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.stdout.strip().splitlines() == [
        "REFUSED PDF output needs Pango, the system library WeasyPrint lays pages out with, and it cannot be loaded "
        "(cannot load library 'libpango-1.0-0'); on Debian: apt install libpango-1.0-0 fonts-dejavu-core; or render "
        "HTML"], res.stdout + res.stderr


def test_pdfs_share_one_font_configuration_per_thread(monkeypatch):
    """WeasyPrint made a new font configuration (fontconfig's fonts loaded, a Pango font map) for each PDF and never
    freed all of it: a long-running process grew by about 200 KB a rendered PDF. Each thread keeps one and hands it
    to every page it lays out (measured: about 10 KB a PDF after); threads do not share one (Pango's objects are not
    made to be used from two threads at once)."""
    import threading

    import weasyprint

    seen: list = []
    real = weasyprint.HTML.write_pdf

    def spy(self, *args, **kwargs):
        seen.append((threading.get_ident(), kwargs.get("font_config")))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", spy)
    inv = load((SAMPLES / "ehf-invoice.xml").read_bytes()).invoice
    render_pdf(inv, "en")
    render_pdf(inv, "nb")
    other = threading.Thread(target=render_pdf, args=(inv, "en"))
    other.start()
    other.join()
    configs = [c for _t, c in seen]
    assert all(c is not None for c in configs) and len(configs) == 3
    assert configs[0] is configs[1] and configs[2] is not configs[0]


SHOWN = Path(__file__).parent / "data" / "show"


def test_the_page_gives_a_payment_reference_stated_without_payment_means():
    """A CII invoice stating its payment reference (a KID) but no payment means: show printed the reference, the page
    left it out, so the reader had nothing to pay with. The page shows it, labelled as show's reading labels it."""
    data = (SHOWN / "cii-kid-without-means.xml").read_bytes()
    doc = load(data)
    assert not doc.invoice.payment_means
    html = unescape(render_html(doc.invoice, "nb"))
    assert "KID" in html and re.search(r"2024\s?0001\s?238|20240001238", html), "the KID is not on the page"
    out = run("show", SHOWN / "cii-kid-without-means.xml").output
    assert "20240001238" in out


def test_show_names_a_party_whose_name_is_white_space_by_its_trading_name():
    """A seller named by white space alone (U+2009) with a trading name: show printed a blank name (JSON null) where
    the page shows the trading name; both show the trading name now."""
    import json

    src = SHOWN / "ubl-seller-name-of-white-space.xml"
    page = build_view(load(src.read_bytes()).invoice, "en")["seller"]["name"]
    assert page == "Seller GR 719 AS"
    data = json.loads(run("show", src, "--format", "json").output)
    assert data["seller"]["name"] == page
    assert re.search(r"^Seller:\s+Seller GR 719 AS", run("show", src).output, re.M)


def test_show_takes_the_vat_total_in_the_invoice_currency_of_two():
    """Of a CII document's two VAT totals, one without a currency and one in the invoice currency, show reported the
    first; the one in the invoice currency is BT-110 (as BR-CO-14 reads it)."""
    doc = load((SHOWN / "cii-two-vat-totals.xml").read_bytes())
    assert doc.invoice.vat_total.tax_amount.value == Decimal("16.61")
    assert re.search(r"^VAT:\s+16\.61 EUR", run("show", SHOWN / "cii-two-vat-totals.xml").output, re.M)


def test_show_gives_an_amount_with_all_its_stated_decimals():
    """show's text rounded amounts to two decimals (989.705 printed 989.70), where its JSON and the page give the
    value stated: an invalid amount is shown as it is written."""
    out = run("show", SHOWN / "ubl-amounts-of-three-decimals.xml").output
    assert re.search(r"^Amount due:\s+989\.705 NOK", out, re.M), out
    assert "989.70 " not in out


def test_first_pdf_renders_in_two_threads_leave_the_process_its_streams():
    """WeasyPrint's first import is made quiet by swapping the process's standard output and error; two threads doing
    it at once swapped them twice, and the second put back the first one's stand-in: every later print and traceback
    of the process went nowhere (6 of 20 runs of 8 threads). The first import is made once, its streams put back."""
    code = ("import importlib.abc, sys, threading, time\n"
            "class Slow(importlib.abc.MetaPathFinder):\n"  # (the first import made slow: both threads meet in it)
            "    def find_spec(self, name, path, target=None):\n"
            "        if name == 'weasyprint':\n"
            "            time.sleep(0.5)\n"
            "        return None\n"
            "sys.meta_path.insert(0, Slow())\n"
            "from einvoice.render.render import _weasyprint\n"
            "out, err = sys.stdout, sys.stderr\n"
            "threads = [threading.Thread(target=_weasyprint) for _ in range(4)]\n"
            "[t.start() for t in threads]; [t.join() for t in threads]\n"
            "sys.__stdout__.write('same' if (sys.stdout, sys.stderr) == (out, err) else 'swapped')\n")
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.stdout == "same", (res.stdout, res.stderr)


def test_accounting_information_labels_its_amount_as_no_payment():
    """Type 751 asks for no payment: its amount was labelled 'Amount due' / 'Att betala' beside 'nothing to pay'."""
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes().replace(b"<cbc:InvoiceTypeCode>380<", b"<cbc:InvoiceTypeCode>751<")
    inv = load(xml).invoice
    for lang, said in (("en", "Amount (for accounting)"), ("sv", "Belopp (för redovisning)")):
        page = text(render_html(inv, lang))
        assert said in page and "Amount due" not in page and "Att betala" not in page


def test_the_amount_due_is_shown_in_its_own_currency_and_counts_in_no_language_style():
    """The amount due was shown with the invoice currency whatever currency it states (a document refused for it,
    PEPPOL-EN16931-R051, whose page showed EUR as NOK); the count of characters cut from a long text was written
    '+6,199', which reads as about six in German."""
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes()
    other = xml.replace(b'<cbc:PayableAmount currencyID="NOK">', b'<cbc:PayableAmount currencyID="EUR">')
    assert other != xml
    page = render_html(load(other).invoice, "en")
    assert re.search(r'id="amount-payable">13,123\.75 EUR<', page), re.findall(r'id="amount-payable">[^<]*', page)
    long = xml.replace(b"<cbc:Note>", b"<cbc:Note>" + b"x" * 8000, 1)
    assert long != xml
    assert re.search(r"… \(\+\d\u00a0\d{3}\)", render_html(load(long).invoice, "de"))
