"""The binding tables against the model, the writers and the render.

* every model field has a row in each syntax's binding table, or a stated reason why
  that syntax has no place for it (``NOT_BOUND``);
* every row's path is written by that syntax's writer (checked on the corpus's
  maximal documents);
* every model field shows in the rendered invoice, or a reason says why not.
"""

from __future__ import annotations

import html
import typing
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from fragments import CONFORMANCE, NO_CORPUS
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
from einvoice.model import invoice as m
from einvoice.model.base import ModelBase
from einvoice.syntax import load
from einvoice.syntax.binding import fields_of
from einvoice.syntax.cii import binding as cii_binding
from einvoice.syntax.convert import convert
from einvoice.syntax.namespaces import CII_NS, UBL_NS
from einvoice.syntax.ubl import binding as ubl_binding

BINDINGS = {"ubl": ubl_binding, "cii": cii_binding}
MAX_DOCS = ["en16931/test/testfiles/Invoice-Max_content.xml", "en16931/test/testfiles/CreditNote-Max_content.xml",
            "facturx-samples/CII/not_validating_full_invoice_based_onTest_EeISI_300_CENfullmodel.cii.xml"]


def model_classes() -> list[type]:
    seen: list[type] = []

    def walk(cls):
        if cls in seen:
            return
        seen.append(cls)
        for f in cls.model_fields.values():
            for a in typing.get_args(f.annotation) or [f.annotation]:
                for b in typing.get_args(a) or [a]:
                    if isinstance(b, type) and issubclass(b, ModelBase):
                        walk(b)

    walk(m.Invoice)
    return seen


def model_fields() -> set[str]:
    return {f"{cls.__name__}.{name}" for cls in model_classes() for name in cls.model_fields}


@pytest.mark.parametrize("syntax", sorted(BINDINGS))
def test_every_model_field_is_bound_or_has_a_reason(syntax):
    b = BINDINGS[syntax]
    bound, reasons, fields = fields_of(b.BINDING), set(b.NOT_BOUND), model_fields()
    assert sorted(fields - bound - reasons) == [], "model fields without a row or a stated reason"
    assert sorted((bound | reasons) - fields) == [], "rows for fields the model does not have"
    assert sorted(bound & reasons) == [], "a field both bound and not bound"
    assert all(reason.strip() for reason in b.NOT_BOUND.values())
    assert len(b.BINDING) == len(bound), "one row per field"


def set_fields(obj, out: set[str] | None = None) -> set[str]:
    """'Class.field' of every field that holds a value somewhere in a model object."""
    out = set() if out is None else out
    for name in type(obj).model_fields:
        value = getattr(obj, name)
        if value is None or value == [] or value == "":
            continue
        out.add(f"{type(obj).__name__}.{name}")
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, ModelBase):
                set_fields(v, out)
    return out


def _matches(root, path: str, ns: dict) -> bool:
    for alt in path.split(" | "):
        alt = alt.strip()
        while alt.startswith("../"):
            alt = alt[3:]
        if alt == ".":
            return True  # the object's own element, checked by its parent's row
        if root.xpath(f"//{alt}" if not alt.startswith("@") else f"//*/{alt}", namespaces=ns):
            return True
    return False


@pytest.mark.parametrize("syntax", sorted(BINDINGS))
def test_every_row_is_written(syntax):
    if not CONFORMANCE.is_dir():
        pytest.skip(NO_CORPUS)
    rows = {row.field: row for row in BINDINGS[syntax].BINDING}
    ns = UBL_NS if syntax == "ubl" else CII_NS
    checked, missing = set(), []
    for name in MAX_DOCS:
        inv = load(CONFORMANCE / name).invoice
        root = etree.fromstring(convert(inv, syntax, profile="extended" if syntax == "cii" else None))
        for field in set_fields(inv) & set(rows):
            checked.add(field)
            if not _matches(root, rows[field].path, ns):
                missing.append(f"{name}: {field} -> {rows[field].path}")
    assert missing == []
    assert len(checked) >= 0.8 * len(rows), f"only {len(checked)} of {len(rows)} rows were exercised"


# --------------------------------------------------------------------------- the render
RENDER_OMITS = {
    "Invoice.customization_id": "the specification identifier is a technical routing fact, not shown to a reader",
    "Invoice.profile_id": "the business process identifier is a technical routing fact",
    "Invoice.type_code": "shown as the document title (Invoice, Credit note ...), not as the code",
    "Invoice.currency_code": "shown with every amount",
    "Invoice.tax_point_date_code": "a code; the render states the tax point date (BT-7) when there is one",
    "Invoice.payment_without_means": "payment terms stated without a payment means are kept for conversion; "
                                     "the render shows the payment instructions of the payment means, "
                                     "and its mandate and creditor id as a block of their own",
    "TaxRegistration.scheme": "shown as the label of the registration (VAT / tax registration), not as a value",
    "Identifier.scheme_id": "scheme codes (ICD, EAS) are shown only where they help, e.g. beside an endpoint",
    "Identifier.scheme_version_id": "a technical fact of a scheme",
    "Amount.currency_id": "an amount shows the document currency",
    "TaxCategory.tax_scheme_id": "always VAT in EN 16931",
    "AllowanceCharge.charge_indicator": "shown as the row's label (allowance / charge)",
    "AttachedObject.content": "an attachment's bytes are not rendered; its file name is",
    "AttachedObject.mime_code": "the type of an attachment is a technical fact",
    "Card.network_id": "UBL's card network, not an EN 16931 term",
    "Classification.list_id": "the classification scheme is a technical fact",
    "Classification.list_version_id": "the classification scheme version is a technical fact",
    "InvoiceLine.sub_lines": "UBL sub-lines are no EN 16931 term",
    "Price.base_quantity_unit": "the unit is shown with the invoiced quantity",
    "InvoiceLine.unit_code": "a UN/ECE code; the render shows the quantity",
}


def _forms(value) -> list[str]:
    from einvoice.render.render import fmt_date, fmt_number, fmt_quantity, fmt_rate

    if isinstance(value, bool):
        return []
    if isinstance(value, Decimal):
        return [fmt_number(value, "en"), fmt_quantity(value, "en"), fmt_rate(value, "en"), format(value, "f")]
    if isinstance(value, date):
        return [fmt_date(value, "en"), value.isoformat()]
    return [str(value)]


def _leaf_values(obj, out: dict[str, list]) -> dict[str, list]:
    for name in type(obj).model_fields:
        value = getattr(obj, name)
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, ModelBase):
                _leaf_values(v, out)
            elif v is not None and v != "" and not isinstance(v, (bytes, list)):
                out.setdefault(f"{type(obj).__name__}.{name}", []).append(v)
    return out


def test_every_model_field_shows_in_the_render_or_has_a_reason():
    if not CONFORMANCE.is_dir():
        pytest.skip(NO_CORPUS)
    from einvoice.render import render_html

    assert set(RENDER_OMITS) <= model_fields()
    shown, missing = set(), {}
    for name in MAX_DOCS:
        inv = load(CONFORMANCE / name).invoice
        text = html.unescape(render_html(inv))
        flat = " ".join(text.split())
        for field, values in _leaf_values(inv, {}).items():
            if field in RENDER_OMITS:
                continue
            hits = [v for v in values if any(" ".join(f.split()) in flat for f in _forms(v) if f)]
            if hits:
                shown.add(field)
            else:
                missing.setdefault(field, values[:2])
    assert {f: v for f, v in missing.items() if f not in shown} == {}
    # every leaf field of the model was exercised (a container field is checked through its leaves)
    assert sorted(leaf_fields() - shown - set(RENDER_OMITS)) == []


def leaf_fields() -> set[str]:
    def has_model(tp) -> bool:
        return any(has_model(a) for a in typing.get_args(tp)) or (isinstance(tp, type) and issubclass(tp, ModelBase))

    return {f"{cls.__name__}.{name}" for cls in model_classes() for name, f in cls.model_fields.items()
            if not has_model(f.annotation)}


# --------------------------------------------------------------------------- cardinality
OBJECT_ELEMENTS = {
    "ubl": {"Invoice": "/*",
            "Party": "//cac:AccountingSupplierParty/cac:Party | //cac:AccountingCustomerParty/cac:Party"
                     " | //cac:PayeeParty | //cac:TaxRepresentativeParty",
            "DocumentTotals": "//cac:LegalMonetaryTotal", "InvoiceLine": "/*/cac:InvoiceLine | /*/cac:CreditNoteLine",
            "Item": "//cac:Item", "Price": "//cac:Price"},
    "cii": {"Invoice": "/*",
            "Party": "//ram:SellerTradeParty | //ram:BuyerTradeParty | //ram:PayeeTradeParty"
                     " | //ram:SellerTaxRepresentativeTradeParty",
            "DocumentTotals": "//ram:SpecifiedTradeSettlementHeaderMonetarySummation",
            "InvoiceLine": "//ram:IncludedSupplyChainTradeLineItem", "Item": "//ram:SpecifiedTradeProduct"},
}


@pytest.mark.parametrize("syntax", sorted(BINDINGS))
def test_terms_that_occur_once_are_written_once(syntax):
    """Every row the table says occurs at most once (0..1, 1..1) is written at most once per object."""
    import json

    if not CONFORMANCE.is_dir():
        pytest.skip(NO_CORPUS)
    ns = UBL_NS if syntax == "ubl" else CII_NS
    rows = [r for r in BINDINGS[syntax].BINDING
            if r.card in ("0..1", "1..1") and r.field.split(".")[0] in OBJECT_ELEMENTS[syntax]
            and not r.path.startswith("..") and r.path != "."]
    verdicts = json.loads((CONFORMANCE / "expected-verdicts.json").read_text())
    names = [n for n in verdicts if not n.endswith(".pdf")]
    over, checked = [], 0
    for name in names:
        doc = load(CONFORMANCE / name)
        root = etree.fromstring(convert(doc.invoice, syntax))
        for row in rows:
            for el in root.xpath(OBJECT_ELEMENTS[syntax][row.field.split(".")[0]], namespaces=ns):
                found = [x for alt in row.path.split(" | ") for x in el.xpath(alt.strip(), namespaces=ns)]
                checked += bool(found)
                if len(found) > 1:
                    over.append(f"{name}: {row.field} {row.path} x{len(found)}")
    assert over == []
    assert checked > 1000


@pytest.mark.parametrize("syntax", ["ubl", "cii"])
def test_the_table_drives_reader_and_writer(syntax):
    """Each row is read and written by the table interpreter: a row's converter (a term that is no plain
    path) is named in both the reader's and the writer's converters, a row's code mapping is a known one."""
    import importlib

    from einvoice.syntax.codes import CODECS

    reader = importlib.import_module(f"einvoice.syntax.{syntax}.reader")
    writer = importlib.import_module(f"einvoice.syntax.{syntax}.writer")
    for module in (reader, writer):
        assert module.BINDING.rows, module.__name__
        named = {row.conv for row in BINDINGS[syntax].BINDING if row.conv}
        assert named == set(module.CONVERTERS), module.__name__
    for row in BINDINGS[syntax].BINDING:
        assert row.codes is None or row.codes in CODECS or row.codes in DESCRIPTIVE_CODES, row

# code columns that describe the values as they are (no mapping to apply)
DESCRIPTIVE_CODES = {"UNTDID 2005 as is", "true/false", "format 102", "scheme: ReferenceTypeCode"}


def test_codes_are_written_as_their_token_in_both_syntaxes():
    """A code read with surrounding or repeated XML whitespace (the official rules compare normalize-space of
    it) is written as its token: 'S\\r\\n' is written 'S', ' 380  ' '380'; identifiers keep their spaces."""
    from einvoice.syntax import read_tree
    from einvoice.syntax.binding import CODE_FIELDS

    root = etree.parse(str(ROOT / "samples" / "ehf-invoice.xml")).getroot()
    cbc = "{%s}" % UBL_NS["cbc"]
    spaced = {"InvoiceTypeCode": " 380  ", "DocumentCurrencyCode": "\tNOK\n", "IdentificationCode": " NO\n",
              "PaymentMeansCode": " 30 "}
    for el in root.iter(*(cbc + k for k in spaced)):
        el.text = spaced[etree.QName(el).localname]
    for el in root.iter(cbc + "ID"):
        if etree.QName(el.getparent()).localname in ("TaxCategory", "ClassifiedTaxCategory"):
            el.text = "S\r\n"
    for el in root.iter(cbc + "InvoicedQuantity", cbc + "BaseQuantity"):
        el.set("unitCode", " EA ")
    for el in root.iter("{%s}Item" % UBL_NS["cac"]):
        origin = etree.SubElement(etree.SubElement(el, "{%s}OriginCountry" % UBL_NS["cac"]), cbc + "IdentificationCode")
        origin.text = "\r\nSE"
    root.find(cbc + "ID").text = " INV 1 "
    inv = read_tree(root).invoice
    assert inv.type_code == " 380  " and inv.number == " INV 1 "  # read as written
    assert {("Invoice", "type_code"), ("TaxCategory", "code"), ("InvoiceLine", "unit_code")} <= CODE_FIELDS
    for syntax in ("ubl", "cii"):
        text = convert(inv, syntax, profile="extended" if syntax == "cii" else None).decode()
        for raw in (" 380  ", "\tNOK\n", " NO\n", " 30 ", "S\r\n", "S&#13;", " EA ", "&#13;\nSE", "\r\nSE"):
            assert raw not in text, (syntax, raw)
        assert ">380<" in text and ">S<" in text and ">30<" in text and ">NOK<" in text and ">SE<" in text
        assert " INV 1 " in text  # an identifier is written as it is


def test_a_zero_amount_is_written_without_a_sign():
    """'-0.00' read from a source is zero; written as '0.00' (in CII the official rules compare the untyped
    text as a double, where -0 is not 0: a converted BR-CO-14 failed on it)."""
    from einvoice.syntax import read_tree

    root = etree.parse(str(ROOT / "samples" / "ehf-invoice.xml")).getroot()
    for el in root.iter("{%s}TaxAmount" % UBL_NS["cbc"], "{%s}AllowanceTotalAmount" % UBL_NS["cbc"]):
        el.text = "-0.00"
    inv = read_tree(root).invoice
    for syntax in ("ubl", "cii"):
        text = convert(inv, syntax).decode()
        assert ">-0" not in text and ">0.00<" in text, syntax
