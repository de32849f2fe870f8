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


def assert_header_reads(read, roots) -> int:
    """``read(root, lines=False)`` (what syntax.header reads) is the model a full read gives without its lines and
    attachments' content, and syntax.header reads it without reading the whole model; the attachments seen."""
    from einvoice.syntax import header, read_tree

    attached = 0
    for root in roots:
        full, head = read(root), read(root, lines=False)
        assert full.lines and not head.lines
        assert not any(d.attachment for d in head.supporting_documents)
        attached += sum(1 for d in full.supporting_documents if d.attachment is not None)
        for d in full.supporting_documents:
            d.attachment = None
        assert head.model_dump(exclude={"lines"}) == full.model_dump(exclude={"lines"})
        doc = read_tree(root)
        assert header(doc).model_dump() == head.model_dump() and not doc.model_read
    return attached
