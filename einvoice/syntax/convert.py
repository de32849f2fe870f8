"""Conversion between the syntaxes through the semantic model.

A document is read into the model (its meaning) and written in the other syntax;
the writers map meaning to codes. What the target needs beyond EN 16931 is
supplied here:

* CII: the Factur-X profile (the source's, when it is a Factur-X / ZUGFeRD CII
  document; EN16931 otherwise); a source guideline identifier that names that
  same profile (ZUGFeRD 2.x, Factur-X 1.0 spellings) is kept, and so is an
  XRechnung identifier when the source was recognised as XRechnung.
* CII: a VAT category code the profile's code list lacks (``B``, Italian split
  payment, is in EN 16931 and of the Factur-X profiles only in EXTENDED): without a
  profile asked for, the document is written as Factur-X EXTENDED, whose official
  rules allow it; a profile asked for that lacks the code is refused, the codes and
  terms named (mapping B to another category would change the VAT meaning).
* UBL: the source's specification identifier, or, with ``profile`` ``peppol`` /
  ``ehf``, Peppol BIS Billing 3.0 identifiers (BT-24, BT-23). Peppol needs some
  terms EN 16931 leaves optional; a source without them is refused with the
  missing terms named (:class:`~einvoice.errors.BuildRefused`).
"""

from __future__ import annotations

import re

from ..errors import EinvoiceError
from ..model.invoice import Invoice, RegistrationScheme, TaxCategory
from ..rules.values import trim
from .namespaces import CBC, CII_NS, UBL_NS

UBL_PROFILES = ("peppol", "ehf")


class ConversionRefused(EinvoiceError):
    """The source lacks terms the target needs; ``missing`` names them."""

    def __init__(self, reason: str, missing: list[str], path: str | None = None):
        self.reason = reason
        self.path = path
        self.missing = missing
        super().__init__(reason)


def _blank(value) -> bool:
    """No value: absent, or XML white space alone (a no-break space is content, as normalize-space reads it)."""
    return value is None or (isinstance(value, str) and not trim(value))


def peppol_missing(inv: Invoice) -> list[str]:
    """The business terms Peppol BIS Billing 3.0 requires that the invoice lacks (in our words)."""
    from .. import codelists

    missing = []
    seller, buyer = inv.seller, inv.buyer
    eas = codelists.get("peppol-eas")
    for party, term in ((seller, "BT-34 Seller electronic address"), (buyer, "BT-49 Buyer electronic address")):
        ea = party.electronic_address if party is not None else None
        if ea is None or _blank(ea.value) or _blank(ea.scheme_id):
            missing.append(term + " (with its scheme)")
        elif ea.scheme_id.strip() not in eas:
            missing.append(f"{term} in a Peppol scheme (EAS list; the source states {ea.scheme_id.strip()!r})")
    if _blank(inv.buyer_reference) and _blank(inv.purchase_order_reference) and _blank(inv.sales_order_reference):
        # (with BT-14 the order reference states "NA" as its ID, which PEPPOL-EN16931-R003 takes as BT-13)
        missing.append("BT-10 Buyer reference or BT-13 Purchase order reference")
    return missing


def _ubl_attributes() -> frozenset[str]:
    """The model fields UBL writes as attributes ("Class.field"): an empty attribute is no empty element."""
    from .ubl.binding import BINDING

    return frozenset(t.field for t in BINDING if t.path.startswith("@"))


def _drop_blanks(obj, attributes: frozenset[str] | None = None) -> bool:
    """Blank strings of a model object and everything in it become absent, and so do objects left
    without any value; True when ``obj`` itself holds nothing. A blank that UBL writes as an attribute stays
    (PEPPOL-EN16931-R008 reads elements: an attachment's empty file name passes it, and UBL-DT-07 asks for the
    attribute, so leaving it out refused what the source passed)."""
    from ..model.base import ModelBase

    attributes = _ubl_attributes() if attributes is None else attributes
    empty = True
    kind = type(obj).__name__
    for name in type(obj).model_fields:
        value = getattr(obj, name)
        if isinstance(value, str) and not trim(value):  # (XML white space: a no-break space is a value)
            if f"{kind}.{name}" in attributes:
                continue  # (kept, though it alone is no value: an object without others goes)
            setattr(obj, name, None)
        elif isinstance(value, ModelBase):
            if _drop_blanks(value, attributes):
                setattr(obj, name, None)
            else:
                empty = False
        elif isinstance(value, list):
            for v in value:
                if isinstance(v, ModelBase):
                    _drop_blanks(v, attributes)
            empty = empty and not value
        elif value is not None:
            empty = False
    return empty


def peppol_process(profile_id: str | None) -> str | None:
    """BT-23 as written when the Peppol BIS release in force names it a business process of UBL invoices
    (PEPPOL-EN16931-R007's list: billing 01, billing with response ...), else None (the default is stated)."""
    from ..rules import releases
    from ..rules.peppol.common import _profile_of  # (the Peppol rules' own reading of BT-23: one place)
    from ..rules.values import normalize_space

    if profile_id is None:
        return None
    release = releases.release("peppol", releases.defaults()["peppol"])
    return None if _profile_of(profile_id, release, "ubl") == "Unknown" else normalize_space(profile_id)


def to_peppol(invoice: Invoice, profile: str = "peppol") -> Invoice:
    """A copy of the invoice with Peppol BIS Billing 3.0 identifiers (EHF uses the same).

    Raises ConversionRefused naming the terms Peppol needs that the invoice lacks.
    """
    from .ubl.writer import FLAVOURS

    if profile not in UBL_PROFILES:
        raise ValueError(f"unknown UBL profile {profile!r}; expected one of: {', '.join(UBL_PROFILES)}")
    missing = peppol_missing(invoice)
    if missing:
        raise ConversionRefused(
            f"{profile.upper()} needs terms the source does not state: " + "; ".join(missing), missing)
    inv = invoice.model_copy(deep=True)
    _drop_blanks(inv)  # Peppol allows no empty element (PEPPOL-EN16931-R008); a blank states no term
    kept = peppol_process(inv.profile_id)
    inv.customization_id, inv.profile_id = FLAVOURS[profile]
    if kept is not None:  # (a business process the Peppol release in force knows, billing with response say: kept)
        inv.profile_id = kept
    # Peppol allows one document-level note unless buyer and seller are both German (PEPPOL-EN16931-R002)
    both_de = all(p is not None and p.address is not None and (p.address.country_code or "").strip() == "DE"
                  for p in (inv.seller, inv.buyer))
    if len(inv.notes) > 1 and not both_de:
        texts = [n.text for n in inv.notes if not _blank(n.text)]
        first = inv.notes[0]
        first.text = "\n".join(texts) if texts else first.text
        first.subject_code = None
        inv.notes = [first]
    return inv


def vat_categories(inv: Invoice) -> dict[str, set[str]]:
    """The VAT category codes the invoice states, each with the business terms that state it."""
    found: dict[str, set[str]] = {}

    def add(cat, term: str) -> None:
        code = (cat.code or "").strip() if cat is not None else ""
        if code:
            found.setdefault(code, set()).add(term)

    for tt in inv.tax_totals:
        for vb in tt.breakdown:
            add(vb.category, "BT-118")
    for ac in inv.allowances_charges:
        add(ac.tax_category, "BT-102" if ac.charge_indicator else "BT-95")
    for ln in inv.lines:
        add(ln.item.tax_category if ln.item is not None else None, "BT-151")
    return found


def facturx_label(fx: str) -> str:
    """A Factur-X profile as people write it: 'basicwl' -> 'Factur-X BASIC WL'."""
    return f"Factur-X {fx.removeprefix('facturx-').upper().replace('WL', ' WL')}"


def facturx_category_refusal(inv: Invoice, fx: str) -> ConversionRefused | None:
    """A refusal naming the VAT category codes Factur-X profile ``fx`` has no code for, or None."""
    from .codes import FACTURX_VAT_CATEGORIES

    allowed = FACTURX_VAT_CATEGORIES.get(fx)
    if allowed is None:
        return None
    outside = {code: terms for code, terms in vat_categories(inv).items() if code not in allowed}
    if not outside:
        return None
    missing = [f"VAT category code {code!r} ({', '.join(sorted(terms))})" for code, terms in sorted(outside.items())]
    hint = " (Factur-X EXTENDED lists it)" if all(c in FACTURX_VAT_CATEGORIES["extended"] for c in outside) else ""
    return ConversionRefused(
        f"{facturx_label(fx)} has no such VAT category in its code list (FX-SCH-A-000587): "
        + "; ".join(missing) + hint, missing)


def _ubl_flavour(source_profile: str | None) -> str:
    return "ehf" if source_profile == "ehf" else "peppol"


def without_item_reasons(invoice: Invoice) -> Invoice:
    """The invoice without the exemption reasons (BT-120/121) of its lines' and document allowances' and charges'
    VAT categories (a copy when there are such), as a conversion to UBL writes it. EN 16931 states a reason on the
    VAT breakdown alone, and UBL's rules warn of one on a line or an allowance (UBL-CR-600/601, UBL-CR-480/481):
    Factur-X EXTENDED repeats the breakdown's reason on each item (the repetition is said on the breakdown), and
    an item's reason of its own is content EN 16931 has no term for, listed as not carried (``not_carried``)."""
    def items(inv: Invoice) -> list[TaxCategory | None]:
        return [ln.item.tax_category if ln.item is not None else None for ln in inv.lines] + [
            ac.tax_category for ac in inv.allowances_charges]

    def reasons(cat: TaxCategory | None) -> bool:
        return cat is not None and (cat.exemption_reason is not None or cat.exemption_reason_code is not None)

    if not any(reasons(cat) for cat in items(invoice)):
        return invoice
    invoice = invoice.model_copy(deep=True)
    for cat in items(invoice):
        if cat is not None:
            cat.exemption_reason = cat.exemption_reason_code = None
    return invoice


def ubl_registrations(invoice: Invoice) -> Invoice:
    """The invoice with its parties' tax registrations as UBL holds them: one VAT identifier a party (UBL-SR-12, -18),
    the seller's one other registration (BT-32, UBL-SR-13), the tax representative's one (BT-63, its VAT identifier:
    UBL-SR-23). A CII party may state more (CII has no such limit: a second VAT identifier, a tax representative's
    FC): the first of each kind is kept and the rest left out, which the conversion lists as not carried (written,
    they failed those rules and the conversion was refused over them). A model built or validated as UBL keeps them
    all (the builder names the field the format cannot carry, validation the rule)."""
    def kept(party, role: str):
        if party is None:
            return party
        regs = list(party.tax_registrations)
        if role == "tax_representative":
            new = sorted(regs, key=lambda r: not r.is_vat)[:1]  # (its VAT identifier first: the one term it has)
        else:  # (the first VAT identifier; the seller's first other registration, every other one elsewhere)
            first = {kind: next((r for r in regs if r.is_vat is kind), None) for kind in (True, False)}
            new = [r for r in regs if r is first[r.is_vat] or not r.is_vat and role != "seller"]
        return party if len(new) == len(regs) else party.model_copy(update={"tax_registrations": new})

    roles = ("seller", "buyer", "tax_representative")
    update = {role: kept(getattr(invoice, role), role) for role in roles}
    return invoice if all(update[r] is getattr(invoice, r) for r in roles) else invoice.model_copy(update=update)


def _without_cii_guideline(invoice: Invoice) -> Invoice:
    """The invoice stating EN 16931's own specification identifier (BT-24) where it states a Factur-X or ZUGFeRD one:
    those name profiles of CII, and a UBL document stating one claims what no UBL document is (einvoice itself then
    reports it as a specification it does not know). The source's is listed as not carried (``not_carried``)."""
    from ..profiles import guideline_profile
    from .cii.writer import GUIDELINE_IDS

    cid = (invoice.customization_id or "").strip()
    found = guideline_profile(cid) if cid else None
    if not (found is not None and found[1].startswith("facturx-") or cid.startswith("urn:ferd:")):
        return invoice
    return invoice.model_copy(update={"customization_id": GUIDELINE_IDS["en16931"]})


def convert(invoice: Invoice, to: str, profile: str | None = None, source_profile: str | None = None) -> bytes:
    """The invoice written in syntax ``to`` ("ubl" or "cii").

    ``profile``: for UBL None (the source's identifiers; a Factur-X or ZUGFeRD one, which names a CII profile,
    becomes EN 16931's own), "peppol" or "ehf"; for CII a Factur-X profile (default: ``source_profile`` when it is
    one, else en16931). ``source_profile`` is the profile the source was recognised as (profiles.detect_profile).
    """
    if to == "ubl":
        from .ubl.writer import write_ubl

        invoice = ubl_registrations(without_item_reasons(invoice))
        if profile is None:
            return write_ubl(_without_cii_guideline(invoice), flavour=_ubl_flavour(source_profile))
        return write_ubl(to_peppol(invoice, profile), flavour=profile)
    if to == "cii":
        from .cii.writer import PROFILES, write_cii

        fx = cii_profile(profile, source_profile)
        if fx not in PROFILES:
            raise ValueError(f"unknown Factur-X profile {fx!r}; expected one of: {', '.join(PROFILES)}")
        guideline = _kept_guideline(invoice, fx, source_profile, asked=profile is not None)
        refused = facturx_category_refusal(invoice, fx) if guideline is None or "xrechnung" not in guideline else None
        if refused is not None:
            if profile is not None or facturx_category_refusal(invoice, "extended") is not None:
                raise refused
            fx, guideline = "extended", _kept_guideline(invoice, "extended", source_profile, asked=False)
        written = write_cii(invoice, profile=fx, guideline=guideline)
        rounding = invoice.totals.rounding_amount if invoice.totals is not None else None
        if rounding is not None and rounding.value and b"RoundingAmount" not in written:
            # (the profile's schema has no BT-114: the amount due would not add up, BR-CO-16 said "recompute")
            raise ConversionRefused(
                f"{facturx_label(fx)} has no rounding amount (BT-114): the source's {rounding.value} cannot be "
                "carried, and without it the amount due (BT-115) does not add up; convert to a profile that has "
                "one (en16931 or extended)", ["rounding amount (BT-114)"])
        return written
    raise ValueError(f"unknown syntax {to!r}; expected ubl or cii")


# CIUS profiles whose CII documents are written with a Factur-X profile's structure, keeping their identifier
_SOURCE_CII_PROFILE = {"xrechnung": "en16931", "xrechnung-extension": "extended"}


def cii_profile(profile: str | None, source_profile: str | None) -> str:
    """The Factur-X profile a conversion to CII writes: the one asked for, else the source's (a CIUS: the profile of its
    structure), else EN 16931."""
    fx = profile
    if fx is None:
        fx = _SOURCE_CII_PROFILE.get(source_profile or "") or (
            source_profile.removeprefix("facturx-") if source_profile and source_profile.startswith("facturx-") else "en16931")
    return fx.removeprefix("facturx-")


def _kept_guideline(invoice: Invoice, fx: str, source_profile: str | None = None, asked: bool = False) -> str | None:
    """The source's guideline identifier when it names the profile written (kept as it is).

    An XRechnung identifier is kept when the source was recognised as XRechnung
    (``source_profile``) and no Factur-X profile was ``asked`` for (``--profile en16931`` asks for Factur-X
    EN16931, whose rules refuse the XRechnung identifier); else the document is written as Factur-X.
    """
    from ..profiles import guideline_profile

    cid = (invoice.customization_id or "").strip()
    found = guideline_profile(cid) if cid else None
    if found is None or found[0] == "urn:cen.eu:en16931:2017":
        return None  # EN 16931 with a CIUS we do not know is written as Factur-X EN16931
    if not asked and source_profile == found[1] and _SOURCE_CII_PROFILE.get(found[1]) == fx:
        return cid  # XRechnung in CII: the same structure, its own identifier
    return cid if found[1] == f"facturx-{fx}" else None


def not_carried(source, converted, source_profile: str | None = None, limit: int | None = None,
                asked: bool = False) -> list[str]:
    """What the source document says that the converted one does not (content outside EN 16931, or a term the
    target syntax cannot hold), one line each: ``path: 'value'``.

    The converted document, as read back, is written again in the source's syntax (CII: as Factur-X EXTENDED, which
    holds what the model holds); a value of a source element or attribute (its path without positions) that this
    does not have at that path is not carried, unless the value stands elsewhere in it (a term the writer puts at
    another path): each value counts as often as it occurs, so a line's VAT exemption reason that the breakdown
    repeats is missed when only the breakdown's stays. The specification identifier (BT-24) is the target's own: the
    source's, where the result states another that no profile ``asked`` for, is listed first (a Peppol BIS invoice
    written as Factur-X is none).
    Carried, though the re-write states them otherwise: a UBL date's time zone (EN 16931's dates are calendar dates:
    compared without it), CII's BT-7 and BT-8 repeated on each VAT breakdown (one document level term: the
    writer states it on the first), BT-6 equal to BT-5 (the CII writer leaves it out, as BR-53 reads it), and the
    descriptions of Factur-X EXTENDED's several payment terms (read as one BT-20, a line each, which the re-write
    states as one description). Listed, though the UBL re-write states it: UBL's order reference 'NA' beside a sales
    order reference (BT-14), the Peppol guide's placeholder for no purchase order, which a CII target leaves out.
    Listed, not refused, in the source's order: a conversion carries what EN 16931 defines. ``source`` and
    ``converted`` are :class:`~einvoice.rules.engine.Document` objects (the converted one as read for its
    validation); with ``limit``, at most that many lines, the last one counting the rest.
    """
    from collections import Counter
    from itertools import count

    if str(getattr(source.syntax, "value", source.syntax)) == "cii":  # (EXTENDED: a smaller profile would lose on its own)
        from .cii.writer import write_cii

        again = write_cii(converted.invoice, profile="extended", tree=True)  # (written whatever its VAT categories:
        # only compared, as its tree: the values a parse of it would read, without the bytes and a second tree)
    else:
        from .ubl.writer import write_ubl

        again = write_ubl(converted.invoice, flavour=_ubl_flavour(source_profile), tree=True)  # (a line's reason too)
    have = _values(again)
    again = None  # (not held beside the source's values)
    src = _values(source.root)
    own = (converted.invoice.customization_id or "").strip()
    changed = []  # BT-24: the target's own, by design (see convert); the source's, where it differs, is listed
    for path in [p for p in src if p.endswith(_SPECIFICATION)]:
        changed += [f"{path}: {v!r} (the result states its own specification identifier, BT-24: {own!r})"
                    for v in src.pop(path) if v != own and not asked]
    for values in (have, src):  # BT-7 / BT-8 of each CII breakdown: one term, said once
        for path in [p for p in values if p.endswith(_PER_BREAKDOWN)]:
            values[path] = list(dict.fromkeys(values[path]))
    for path in [p for p in src if p.endswith(_JOINED + _NOTES) and len(src[p]) > 1]:  # EXTENDED's payment terms: one
        texts, codes = list(src[path]), []  # BT-20 (as the CII reader joins them: a line each, in order); notes a Peppol
        if path.endswith(_NOTES[1:]):  # result states as one (PEPPOL-EN16931-R002), a line each, without the subject
            from .ubl.reader import _SUBJECT  # codes (BT-21) UBL writes in front of a note's text: those are listed

            found = [_SUBJECT.match(v) for v in texts]
            codes = [f"#{m.group(1)}#" for m in found if m]
            texts = [v[m.end():] if m else v for v, m in zip(texts, found)]
        joined = "\n".join(texts)
        if joined in have.get(path, ()):
            src[path] = [joined] + codes
    buyer, target = converted.invoice.buyer, str(getattr(converted.syntax, "value", converted.syntax))
    if target == "ubl" and buyer is not None:  # the buyer's other tax
        held = Counter(r.company_id for r in buyer.tax_registrations  # registration (FC), which UBL holds and CII's
                       if r.scheme == RegistrationScheme.OTHER and r.company_id)  # re-write (EXTENDED) does not
        for path in [p for p in src if p.endswith(_BUYER_REGISTRATION)]:
            kept = []
            for v in src[path]:
                if held[v] > 0:
                    held[v] -= 1
                    schemes = src.get(path + "/@schemeID", [])
                    if "FC" in schemes:
                        schemes.remove("FC")
                else:
                    kept.append(v)
            src[path] = kept
    if target == "cii":  # a seller's UBL tax scheme 'FC': what CII
        for path in [p for p in src if p.endswith(_PARTY_SCHEME)]:  # writes for its other tax registration (BT-32), as
            src[path] = ["TAX" if v.strip().casefold() == "fc" else v for v in src[path]]  # the UBL re-write spells: TAX
    if target == "cii" and converted.invoice.purchase_order_reference is None:
        for path in [p for p in have if p.endswith(_ORDER_ID)]:  # UBL's 'NA' beside BT-14: the UBL re-write's, not CII's
            have[path] = [v for v in have[path] if v != "NA"]
    held = {(c or "").strip() for c in (converted.invoice.tax_currency_code, converted.invoice.currency_code)} - {""}
    for path in [p for p in src if p in _TAX_CURRENCY]:  # BT-6 held, or equal to BT-5 (which CII's writer leaves out)
        src[path] = [v for v in src[path] if v not in held or v in have.get(path, ())]  # (one at home stays: it counts)
    for path in [p for p in src if p.endswith(_AMOUNT_CURRENCY)]:  # an amount's currency, the invoice's (or the VAT
        # accounting one), which the result states: carried, wherever the source repeats it (ZUGFeRD 1.0 on each)
        src[path] = [v for v in src[path] if v not in held or v in have.get(path, ())]
    fold, place = str.casefold, count()  # (a code the writer spells in capitals is the same code)
    unmatched: dict[str, list[tuple[int, str]]] = {}  # value -> (place in the source, line) where the re-write lacks it
    at_home: Counter = Counter()  # value -> occurrences carried at their own path
    flags: list[tuple[int, str]] = []  # an indicator the re-write lacks at its place: lost, whatever else says 'true'
    for path, vals in src.items():
        kept = Counter(map(fold, have.get(path, ())))
        for v in vals:
            if kept[fold(v)] > 0:
                kept[fold(v)] -= 1
                at_home[fold(v)] += 1
            elif path.rpartition("/")[2].endswith("Indicator"):  # (a test flag, BT-less: a charge's indicator the
                flags.append((next(place), f"{path}: {v!r}"))  # result adds, say for a logistics charge, is no test flag)
            else:
                unmatched.setdefault(fold(v), []).append((next(place), f"{path}: {v!r}"))
    total = Counter(fold(v) for vals in have.values() for v in vals)
    out = flags
    for v, places in unmatched.items():
        lost = len(places) - max(0, total[v] - at_home[v])  # the rest stand elsewhere in the re-written document
        out.extend(places[len(places) - lost:] if lost > 0 else ())
    out = changed + [line for _place, line in sorted(out)]
    if target == "cii" and "xrechnung" in (converted.invoice.customization_id or ""):
        out = _sepa_explained(out, source.invoice)
    return out if limit is None or len(out) <= limit else out[:limit - 1] + [f"... and {len(out) - limit + 1} more"]


_PARTY_ID = "/cac:PartyIdentification/cbc:ID"
_SEPA_WHY = (" (BT-90, the seller's or payee's SEPA creditor identifier: XRechnung CII states it as direct debit "
             "information, which KoSIT's rules refuse without a direct debit, BR-DE-23-b)")


def _sepa_ids(invoice: Any) -> list[str]:
    """The SEPA creditor identifiers (BT-90) a UBL source states as the payee's or seller's party identifiers."""
    return [i.value for party in (invoice.payee, invoice.seller) if party is not None for i in party.identifiers
            if (i.scheme_id or "").strip() == "SEPA" and i.value]


def _sepa_explained(lines: list[str], invoice: Any) -> list[str]:
    """A party's SEPA identifier (BT-90) of a UBL source that an XRechnung CII leaves out (see the CII writer's
    payment means) is listed with that reason: CII holds BT-90, XRechnung's rules refuse it there."""
    ids = {repr(v) for v in _sepa_ids(invoice)}
    if not ids:
        return lines
    out = []
    for line in lines:
        path, _sep, value = line.partition(": ")
        if (path.endswith(_PARTY_ID + "/@schemeID") and value.strip("'").strip() == "SEPA"
                or path.endswith(_PARTY_ID) and value in ids):
            line += _SEPA_WHY
        out.append(line)
    return out


_SPECIFICATION = ("/cbc:CustomizationID", "/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID")
_HEADER_TAX = "/ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
_PER_BREAKDOWN = (_HEADER_TAX + "ram:TaxPointDate/udt:DateString",
                  _HEADER_TAX + "ram:TaxPointDate/udt:DateString/@format", _HEADER_TAX + "ram:DueDateTypeCode")
_BUYER_REGISTRATION = "/ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID"
# the seller's VAT identifier or other tax registration (BT-32: the only party whose other one CII writes)
_PARTY_SCHEME = "/cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cac:TaxScheme/cbc:ID"
_ORDER_ID = "/cac:OrderReference/cbc:ID"  # BT-13; 'NA' beside a sales order reference (BT-14) reads as none
_JOINED = ("/ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradePaymentTerms/ram:Description",)  # read as one term
_NOTES = ("/rsm:ExchangedDocument/ram:IncludedNote/ram:Content", "/ubl:Invoice/cbc:Note", "/cn:CreditNote/cbc:Note")
_AMOUNT_CURRENCY = "Amount/@currencyID"
_TAX_CURRENCY = ("/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
                 "/ram:TaxCurrencyCode", "/ubl:Invoice/cbc:TaxCurrencyCode", "/cn:CreditNote/cbc:TaxCurrencyCode")
_ZONED_DATE = re.compile(r"(\d{4,}-\d\d-\d\d)(?:Z|[+-]\d\d:\d\d)\Z")  # an xs:date with a time zone


_BOOLEANS = ("ChargeIndicator", "Indicator")  # UBL's cbc:ChargeIndicator, CII's udt:Indicator (xs:boolean both)


_PREFIXES = {uri: prefix for prefix, uri in reversed((*UBL_NS.items(), *CII_NS.items()))}  # ('ubl' before 'inv')


def _values(root) -> dict[str, list[str]]:
    """Path (names with the syntax's prefixes, whatever the document's are; no positions) -> the trimmed values
    there: text of elements without element children, and attributes; not the xsi attributes nor UBL's version
    (schema locations, types and the syntax version say nothing of the invoice)."""
    from lxml import etree

    out: dict[str, list[str]] = {}
    stack = [""]  # the path of each open element (no element kept by its proxy: a document's worth of them)
    for event, el in etree.iterwalk(root, events=("start", "end")):
        if event == "end":
            stack.pop()
            continue
        q = etree.QName(el)
        prefix = _PREFIXES.get(q.namespace) or el.prefix  # (the syntax's own prefixes: a document may use others)
        name = f"{prefix}:{q.localname}" if prefix else q.localname
        path = f"{stack[-1]}/{name}"
        stack.append(path)
        if len(el) == 0 and el.text and trim(el.text) and q.localname != "UBLVersionID":  # (base64: however wrapped)
            value = "".join(el.text.split()) if name.endswith("BinaryObject") else trim(el.text)
            if q.localname in _BOOLEANS:  # xs:boolean's other spellings: '0' is false, '1' true
                value = {"0": "false", "1": "true"}.get(value, value)
            elif q.localname.endswith("Date") and q.namespace == CBC:  # a UBL date: its day, the time zone aside
                value = _ZONED_DATE.sub(r"\1", value)
            out.setdefault(path, []).append(value)
        for attr, value in el.attrib.items():
            qa = etree.QName(attr)
            if trim(value) and qa.namespace != "http://www.w3.org/2001/XMLSchema-instance":
                out.setdefault(f"{path}/@{qa.localname}", []).append(trim(value))
    return out


def supplied(source: Invoice, converted: Invoice, to: str | None = None) -> list[str]:
    """What the converted document states that the source does not, one ``path (term): value`` line each: a value
    the target syntax needs where the source has none (UBL's payment means code '1', not defined, to hold a payment
    reference; a card's network 'NA'; a zero VAT total), or one worked out from the source (a price discount as gross
    minus net price, a gross price as net price plus discount), or one stated in place of the source's (a business
    process, BT-23, the Peppol BIS profile states where the source's is none it knows). Not listed: the currency UBL puts on every amount
    (the invoice's), the specification identifier (BT-24, the target's own by design), and a term the source states
    at another place of the model (a payment reference CII states once for all payment means, say). ``to``: the
    target syntax (UBL: BT-13 'NA' beside BT-14, which reads back as no BT-13, is listed too)."""
    def flat(inv: Invoice) -> dict[str, tuple[object, str]]:
        out: dict[str, tuple[object, str]] = {}

        def walk(prefix: str, value, model_type, term: str) -> None:
            if isinstance(value, dict):
                fields = getattr(model_type, "model_fields", {})
                for k, v in value.items():
                    info = fields.get(k)
                    sub = _inner_model(info.annotation) if info is not None else None
                    walk(f"{prefix}.{k}" if prefix else k, v, sub, (info.description or term) if info else term)
            elif isinstance(value, list):
                for i, v in enumerate(value):
                    walk(f"{prefix}[{i}]", v, model_type, term)
            elif value is not None and value != "":
                out[prefix] = (value, term)

        walk("", inv.model_dump(), type(inv), "")
        return out

    before, after = flat(source), flat(converted)
    currencies = {c for c in (source.currency_code, source.tax_currency_code) if c}
    def field(path: str) -> str:
        return path.rpartition(".")[2]

    elsewhere = {(field(p), v.strip()) for p, (v, _t) in before.items() if isinstance(v, str)}  # (a term moved)
    # (BT-90, which a UBL source states as the seller's or payee's SEPA identifier, CII as direct debit information)
    elsewhere |= {("creditor_id", v.strip()) for v in _sepa_ids(source)}

    def same(path: str, value: object) -> bool:  # (the source states it there: as written, or spelt otherwise)
        was = before[path][0]
        return was == value or isinstance(was, str) and isinstance(value, str) and " ".join(was.split()) == " ".join(
            value.split())

    lines = []
    for path, (value, term) in after.items():
        if path == "customization_id" or path in before and same(path, value) or isinstance(value, str) and (
                field(path), value.strip()) in elsewhere:
            continue
        if path.endswith(".currency_id") and value in currencies:
            continue
        path = path.removesuffix(".value")  # an amount's value: named as the amount
        lines.append(f"{path}{f' ({term})' if term else ''}: {value!r}".replace("Decimal(", "").replace("')", "'"))
    if to == "ubl" and converted.sales_order_reference \
            and converted.purchase_order_reference is None:  # (read back as no BT-13: the placeholder the writer states)
        term = Invoice.model_fields["purchase_order_reference"].description
        lines.append(f"purchase_order_reference ({term}): 'NA' (UBL's order reference needs an ID beside the sales "
                     "order reference, BT-14: the Peppol guide's placeholder for none)")
    return lines


def _inner_model(annotation) -> type | None:
    """The pydantic model a field's annotation holds (through Optional and list), or None."""
    from typing import get_args

    if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
