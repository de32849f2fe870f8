"""Shared helpers of the tests: namespaces and wrappers for small UBL and CII documents."""

from __future__ import annotations

from pathlib import Path

CONFORMANCE = Path(__file__).resolve().parents[1].parent / "shared" / "conformance"
NO_CORPUS = "../shared/conformance not present (official test corpus)"

UBL_NS = (
    'xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" '
    'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
    'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"'
)
CII_NS = (
    'xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" '
    'xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" '
    'xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"'
)


def ubl(body: str) -> str:
    """A UBL Invoice around a fragment of its content."""
    return f"<Invoice {UBL_NS}>{body}</Invoice>"


def cii(body: str) -> str:
    """A CII CrossIndustryInvoice around a fragment of its content."""
    return f"<rsm:CrossIndustryInvoice {CII_NS}>{body}</rsm:CrossIndustryInvoice>"
