"""XRechnung rules (BR-DE-*, BR-DEX-*, BR-TMP-*, BR-DE-CVD-*), each written once over a per-syntax path table.

Each check follows the context and the test of the official UBL and CII schematrons;
``PATHS`` says where each syntax keeps what a rule reads. Document-level rules report
the document (UBL) or the element the CII context names (a transaction, an agreement,
the document context), the others the element the rule is about (a payment means, a
contact, an address ...). The extension rules (BR-DEX-*) apply only when BT-24 is the
extension's identifier, the CVD rules only when it is the CVD identifier.

CII has no element for the direct debit group (BG-19): as in the rule set, it is taken
to be present when any of the mandate reference (BT-89), the creditor identifier (BT-90)
or the debited account (BT-91) is.
"""

from __future__ import annotations

from decimal import Decimal

from ..german import (
    _A, _INVOICE, _LI, _S, DOCUMENT, EMAIL, MEANS, PATHS, REQUIRED, TELEPHONE, URL, Paths, SUPPORTED_VAT_CODES, XR_CVD_ID,
    NO_DECIMAL, XR_EXTENSION_ID, XR_IDS, NoDecimal, compile_cii, compile_ubl, cva_values, first_nz, in_joined, means, mime_ext,
    nonblank, norm, nz, one_decimal, sv, uncl7143_cvd, vehicle_categories, without,
)
from ..values import decimal_or_none as decimal, round_decimal as round_half_up
from . import RULES


def rule(*ids: str, syntaxes: tuple[str, ...] = ("ubl", "cii"), args: tuple = ()):
    """Register ``fn(doc, root, paths, *args)`` for each syntax; it runs on the syntax's invoice roots only."""
    def deco(fn):
        for syn in syntaxes:
            def check(doc, fn=fn, p=PATHS[syn]):
                root = doc.root
                return () if root is None or root.tag not in p.roots else fn(doc, root, p, *args)

            check.__name__ = f"{fn.__name__}_{syn}"
            for rid in ids:
                RULES.add(rid, check, syntax=syn)
        return fn

    return deco


def scopes(root, path):
    """(scope, target) pairs: the document itself (reported as the document) where the syntax's context is
    the root, else each element the context names (reported as that element)."""
    return [(root, None)] if path is None else [(el, el) for el in path(root)]


# --- the document ---------------------------------------------------------------------------


def _document(doc, root, p, fails):
    return [None] if fails(root, p) else []


for _rid, _syntaxes, _fails in DOCUMENT:
    rule(_rid, syntaxes=_syntaxes, args=(_fails,))(_document)


@rule("BR-DE-21")
def br_de_21(doc, root, p):
    """In CII reported on the document context; a document without one is not judged (the rule set's context)."""
    for scope, target in scopes(root, p.contexts):
        if not any(sv(g) in XR_IDS for g in p.guidelines(scope)):
            yield target


@rule("BR-DE-TMP-32")
def br_de_tmp_32(doc, root, p):
    for scope, target in scopes(root, p.transactions):
        if p.delivery_date(scope) or p.invoice_period(scope):
            continue
        if not all(p.line_period(line) for line in p.lines(scope)):  # all() also holds without lines
            yield target


@rule("BR-TMP-2")
def br_tmp_2(doc, root, p):
    for ref in p.external_refs(root):
        uris = p.uri(ref)
        if (uris or p.absent_uri_fails) and not URL.match(sv(uris[0]) if uris else ""):  # compared as written
            yield ref


# BR-DE-16, UBL: BT-95 (document allowances) and BT-102 (document charges) by the charge indicator's string
# value, BT-151 on the invoice lines themselves (not on sub-lines)
_U_VAT_CATS = compile_ubl("cac:AllowanceCharge/cac:TaxCategory/cbc:ID[ancestor::cac:AllowanceCharge/cbc:ChargeIndicator = 'false']"
                          " | cac:AllowanceCharge/cac:TaxCategory/cbc:ID[ancestor::cac:AllowanceCharge/cbc:ChargeIndicator = 'true']"
                          " | (cac:InvoiceLine | cac:CreditNoteLine)/cac:Item/cac:ClassifiedTaxCategory/cbc:ID")
_U_TAX_REPRESENTATIVE = compile_ubl("cac:TaxRepresentativeParty")
_U_SELLER_TAX_IDS = compile_ubl("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID")


@rule("BR-DE-16", syntaxes=("ubl",))
def br_de_16_ubl(doc, root, p):
    # the official test also names BT-95 restricted to the VAT scheme; that set is part of the unrestricted one
    if not any(sv(c) in SUPPORTED_VAT_CODES for c in _U_VAT_CATS(root)):  # compared as written, not normalized
        return
    if not (_U_TAX_REPRESENTATIVE(root) or nonblank(_U_SELLER_TAX_IDS(root))):
        yield None


_C_LINE_TAX = f"{_LI}/ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax"
_C_VAT_USES = ((compile_cii(f"{_C_LINE_TAX}/ram:TypeCode"), compile_cii(f"{_C_LINE_TAX}/ram:CategoryCode")),
               (compile_cii(f"{_S}/ram:SpecifiedTradeAllowanceCharge/ram:CategoryTradeTax"),
                compile_cii(f"{_S}/ram:SpecifiedTradeAllowanceCharge/ram:CategoryTradeTax/ram:CategoryCode")))
_C_SELLER_VAT_IDS = compile_cii(f"{_A}/ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID")
_C_SELLER_REPRESENTATIVE = compile_cii(f"{_A}/ram:SellerTaxRepresentativeTradeParty")


@rule("BR-DE-16", syntaxes=("cii",))
def br_de_16_cii(doc, root, p):
    """A supported VAT category is used, but neither a seller VAT/tax number nor a tax representative is given.

    Official quirk kept: for document allowances and charges the rule set compares the
    string value of the whole ram:CategoryTradeTax with 'VAT', which holds only when
    that element has no other content (in practice the allowance part never applies).
    Line and allowance values are compared as written; the codes and the type may
    come from different lines, as in the official test.
    """
    if not any(any(sv(t) == "VAT" for t in types(root)) and any(sv(c) in SUPPORTED_VAT_CODES for c in cats(root))
               for types, cats in _C_VAT_USES):
        return
    if _C_SELLER_REPRESENTATIVE(root):
        return
    if not any(norm(i.get("schemeID")) in ("VA", "FC") and nz(i) for i in _C_SELLER_VAT_IDS(root)):
        yield None


# --- parties ---------------------------------------------------------------------------------


def _required(doc, root, p, rid):
    return without(root, p, rid)


for _rid in REQUIRED:
    rule(_rid, args=(_rid,))(_required)


def _contact_shape(doc, root, p, value, shape):
    return [c for c in p.seller_contacts(root) if not shape.match(first_nz(getattr(p, value)(c)))]


# the seller contact's telephone number (BR-DE-27) and e-mail address (BR-DE-28) have the rule set's shape
for _rid, _value, _shape in (("BR-DE-27", "phone", TELEPHONE), ("BR-DE-28", "mail", EMAIL)):
    rule(_rid, args=(_value, _shape))(_contact_shape)


# --- payment means ---------------------------------------------------------------------------------

def _means_rule(doc, root, p, codes, fails):
    return [pm for pm, _code in means(root, p, codes) if fails(root, pm, p)]


for _rid, (_codes, _fails) in MEANS.items():
    rule(_rid, args=(_codes, _fails))(_means_rule)


_C_LINE_ITEMS = compile_cii(_LI)
_C_BASES = tuple((compile_cii(f"ram:SpecifiedLineTradeAgreement/ram:{kind}PriceProductTradePrice/ram:BasisQuantity"),
                  compile_cii(f"ram:SpecifiedLineTradeAgreement/ram:{kind}PriceProductTradePrice/ram:BasisQuantity/@unitCode"))
                 for kind in ("Gross", "Net"))


@rule("BR-TMP-3", syntaxes=("cii",))
def br_tmp_3(doc, root, p):
    """With a base quantity on both the gross and the net price, the two agree (and so do their units when both have one).

    As the official test is written: quantities compare as text ('1' and '1.0' differ),
    and a unit on one price only passes.
    """
    (gross_q, gross_u), (net_q, net_u) = _C_BASES
    for line in _C_LINE_ITEMS(root):
        gross, net = gross_q(line), net_q(line)
        if not (gross and net):
            continue
        same_quantity = bool({sv(g) for g in gross} & {sv(n) for n in net})
        gross_units, net_units = {str(u) for u in gross_u(line)}, {str(u) for u in net_u(line)}
        if not (same_quantity and (not (gross_units and net_units) or gross_units & net_units)):
            yield line


# --- the extension (BR-DEX-*) and CVD: BT-24 as the rule set tests it --------------------------------

def _is(doc, root, p, kind: str, test, spec_id: str) -> bool:
    cache = doc.__dict__.setdefault("_xrechnung", {})
    kind = "test-" + kind  # (profiles.kosit_scenario keeps the scenario KoSIT takes the document by under "scenario")
    if kind not in cache:
        cache[kind] = bool(test(root, id=spec_id))
    return cache[kind]


def _extension(doc, root, p) -> bool:
    """BT-24 is the extension's identifier (one text node equal to it, as the rule set tests)."""
    return _is(doc, root, p, "extension", p.is_extension, XR_EXTENSION_ID)


def _cvd(doc, root, p) -> bool:
    return _is(doc, root, p, "cvd", p.is_cvd, XR_CVD_ID)


@rule("BR-DEX-01")
def br_dex_01(doc, root, p):
    if _extension(doc, root, p):
        yield from (obj for obj in p.attachments(root) if obj.get("mimeCode") not in mime_ext())  # compared as written


def _schemes(doc, root, p, rid):
    if not _extension(doc, root, p):
        return
    path, haystack = p.scheme_ids[rid]
    hay = haystack()
    for el in path(root):
        scheme = el.get("schemeID")
        if in_joined(hay, scheme):
            continue
        if rid == "BR-DEX-04" and p.sepa_ok is not None and norm(scheme) == "SEPA" and p.sepa_ok(el):
            continue  # UBL: a SEPA creditor identifier of the seller or payee
        yield el


for _rid in ("BR-DEX-04", "BR-DEX-05", "BR-DEX-06", "BR-DEX-07", "BR-DEX-08"):
    rule(_rid, args=(_rid,))(_schemes)


_C_LINE_DOCUMENTS = compile_cii(f"{_LI}/ram:AssociatedDocumentLineDocument")
_C_PARENT_LINE_IDS = compile_cii("//ram:ParentLineID")


@rule("BR-DEX-15", syntaxes=("cii",))
def br_dex_15(doc, root, p):
    """Sub-lines (a parent line id anywhere) are reported on every line of an extension invoice."""
    if _extension(doc, root, p) and _C_PARENT_LINE_IDS(root):
        yield from _C_LINE_DOCUMENTS(root)


_U_TOP_LINES = compile_ubl("cac:InvoiceLine[cac:SubInvoiceLine]")
_U_SUB_LINES = compile_ubl("cac:SubInvoiceLine")
_U_PARENT_SUB_LINES = compile_ubl("//cac:SubInvoiceLine[cac:SubInvoiceLine]")
_U_LINE_AMOUNT = compile_ubl("cbc:LineExtensionAmount")


def _sums_agree(line) -> bool:
    """The line's net amount equals the sum of its direct sub-lines' (as decimals; a value that is no decimal fails)."""
    own = [decimal(a) for a in _U_LINE_AMOUNT(line)]
    parts = [decimal(a) for sub in _U_SUB_LINES(line) for a in _U_LINE_AMOUNT(sub)]
    if None in own or None in parts:
        return False
    total = sum(parts, Decimal(0))
    return any(v == total for v in own)


def _ubl_extension_invoice(doc, root, p) -> bool:
    return root.tag == _INVOICE and _extension(doc, root, p)  # the rule set's context is the Invoice only


@rule("BR-DEX-02", syntaxes=("ubl",))
def br_dex_02(doc, root, p):
    if _ubl_extension_invoice(doc, root, p) and not (all(_sums_agree(line) for line in _U_TOP_LINES(root))
                                                     and all(_sums_agree(sub) for sub in _U_PARENT_SUB_LINES(root))):
        yield None


_U_SUB_ITEMS_BAD_VAT = compile_ubl("//cac:SubInvoiceLine/cac:Item[count(cac:ClassifiedTaxCategory) != 1]")


@rule("BR-DEX-03", syntaxes=("ubl",))
def br_dex_03(doc, root, p):
    if _ubl_extension_invoice(doc, root, p) and _U_SUB_ITEMS_BAD_VAT(root):
        yield None


# the amounts of BR-DEX-09 and the third-party payments of BR-DEX-10..14 (UBL)
_U_DEX = Paths(compile_ubl, totals="//cac:LegalMonetaryTotal", payable="cbc:PayableAmount", rounding="cbc:PayableRoundingAmount",
               inclusive="cbc:TaxInclusiveAmount", prepaid="cbc:PrepaidAmount",
               third_party_blankless="../cac:PrepaidPayment/cbc:PaidAmount[normalize-space(.)]",
               third_party="../cac:PrepaidPayment/cbc:PaidAmount", prepaid_payments="cac:PrepaidPayment", pp_id="cbc:ID",
               pp_amount="cbc:PaidAmount", pp_instruction="cbc:InstructionID",
               pp_currency_ok="cbc:PaidAmount/@currencyID = ../cbc:DocumentCurrencyCode")


@rule("BR-DEX-09", syntaxes=("ubl",))
def br_dex_09(doc, root, p):
    """BT-115 = BT-112 - BT-113 + BT-114 + third-party payments, compared to the cent.

    As the rule set writes it, the third-party amounts are added (not subtracted)
    and the rounding amount is taken from the payable side.
    """
    if not _extension(doc, root, p):
        return
    for total in _U_DEX.totals(root):
        try:  # (in the official order: a side without its amount compares false before the amounts beside it are read)
            payable = one_decimal(_U_DEX.payable(total))
            left = payable is not None and round_half_up((payable - one_decimal(_U_DEX.rounding(total), Decimal(0))) * 100) / 100
            inclusive = one_decimal(_U_DEX.inclusive(total)) if payable is not None else None
            third = sum((one_decimal([a]) for a in _U_DEX.third_party(total)), Decimal(0)) \
                if inclusive is not None and _U_DEX.third_party_blankless(total) else Decimal(0)
            right = inclusive is not None and round_half_up((inclusive - one_decimal(_U_DEX.prepaid(total), Decimal(0)) + third) * 100) / 100
        except NoDecimal:
            yield total, NO_DECIMAL  # the official test cannot be evaluated on these values
            continue
        if payable is None or inclusive is None or left != right:  # (an empty side never compares equal)
            yield total


def _third_party(doc, root, p, fails):
    return [pp for pp in _U_DEX.prepaid_payments(root) if fails(pp)] if _ubl_extension_invoice(doc, root, p) else []


def _decimals_after_point(pp) -> int:
    amounts = _U_DEX.pp_amount(pp)
    return len((sv(amounts[0]) if amounts else "").partition(".")[2])  # the characters after the first '.', as written


for _rid, _fails in (("BR-DEX-10", lambda pp: not nonblank(_U_DEX.pp_id(pp))),
                     ("BR-DEX-11", lambda pp: not nonblank(_U_DEX.pp_amount(pp))),
                     ("BR-DEX-12", lambda pp: not nonblank(_U_DEX.pp_instruction(pp))),
                     ("BR-DEX-13", lambda pp: _decimals_after_point(pp) > 2),
                     ("BR-DEX-14", lambda pp: not _U_DEX.pp_currency_ok(pp))):
    rule(_rid, syntaxes=("ubl",), args=(_fails,))(_third_party)


# --- XRechnung CVD (clean vehicles) ------------------------------------------------------------


# the rules on the agreements or transactions: rule id -> (the scopes' name in PATHS, holds(scope, paths))
CVD_SCOPES = {
    "BR-DE-CVD-01": ("agreements", lambda scope, p: nonblank(p.contract(scope))),
    "BR-DE-CVD-02": ("agreements", lambda scope, p: p.tender_given(scope)),
    "BR-DE-CVD-03": ("transactions", lambda scope, p: any(p.cvd_item(item) for item in p.items_of(scope))),
}


def _cvd_scope_rule(doc, root, p, where, holds):
    return [t for scope, t in (scopes(root, getattr(p, where)) if _cvd(doc, root, p) else ()) if not holds(scope, p)]


for _rid, (_where, _holds) in CVD_SCOPES.items():
    rule(_rid, args=(_where, _holds))(_cvd_scope_rule)


# the rules on the items of the lines the rule set's line contexts name: rule id -> targets(item, paths)
CVD_ITEMS = {
    "BR-DE-CVD-06-a": lambda item, p: [item] if p.cvd_codes(item) and len(p.cva_props(item)) != 1 else [],
    "BR-DE-CVD-06-b": lambda item, p: [item] if p.cva_props(item) and len(p.cvd_codes(item)) != 1 else [],
    # an absent or blank list id passes (the doubled blank of the list)
    "BR-TMP-CVD-01": lambda item, p: [c for c in p.class_codes(item) if not in_joined(uncl7143_cvd(), c.get("listID") or "")],
    "BR-DE-CVD-04": lambda item, p: [c for c in p.class_codes(item)
                                     if norm(c.get("listID")) == "CVD" and nz(c) not in vehicle_categories()],
    "BR-DE-CVD-05": lambda item, p: [c for c in p.cva_props(item) if first_nz(p.value(c)) not in cva_values()],
}


def _cvd_item_rule(doc, root, p, targets):
    return [t for item in (p.cvd_items(root) if _cvd(doc, root, p) else ()) for t in targets(item, p)]


for _rid, _targets in CVD_ITEMS.items():
    rule(_rid, args=(_targets,))(_cvd_item_rule)
