"""XML namespaces of the two syntaxes, with the prefixes the rules use."""

from __future__ import annotations

from ..basics import Syntax

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
EXT = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"

UBL_NS = {"ubl": UBL_INVOICE, "inv": UBL_INVOICE, "cn": UBL_CREDIT_NOTE, "cac": CAC, "cbc": CBC, "ext": EXT}
CII_NS = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}


def for_syntax(syntax: Syntax | None) -> dict[str, str]:
    if syntax == Syntax.UBL:
        return UBL_NS
    if syntax == Syntax.CII:
        return CII_NS
    return {**UBL_NS, **CII_NS}
