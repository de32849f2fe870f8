"""Structure-table checks whose paths are absolute select once per document, not once per context
element: a CII invoice with many lines must not walk the document again for each line (a check of a
line that asks for a header element, a predicate that asks whether the document has some element).
Counted in the children the selections start from, not in seconds: the work for 400 lines is about four times the work for 100.
The Factur-X profile checks likewise compute the document's sums (allowances, charges, categories, line identifiers)
once per document, not once per summation, breakdown or sub-line that asks for them; counted in calls."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest
from lxml import etree

from einvoice import syntax
from einvoice.rules import tree
from einvoice.rules.facturx import checks as fx_checks
from einvoice.validate import validate_document

RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"
SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "facturx-en16931.xml"


def _steps(lines: int, monkeypatch) -> int:
    root = etree.fromstring(SAMPLE.read_bytes())
    line = next(root.iter(RAM + "IncludedSupplyChainTradeLineItem"))
    for _ in range(lines - 1):
        line.addnext(copy.deepcopy(line))
    doc = syntax.read_tree(root)
    count = [0]
    select = tree.select

    def counting(node, steps):  # the children a selection may look at: a measure of its work
        count[0] += 1 + (len(node) if not isinstance(node, str) else 0)
        return select(node, steps)

    monkeypatch.setattr(tree, "select", counting)
    validate_document(doc, profile="facturx-en16931", schema=False)
    monkeypatch.undo()
    return count[0]


def test_path_steps_grow_linearly_with_the_lines(monkeypatch):
    small, large = _steps(100, monkeypatch), _steps(400, monkeypatch)
    assert large <= 5 * small, (small, large)


# --- the Factur-X profile checks: the document's sums once per document ----------------------------------------

CHECKS = str(Path(fx_checks.__file__))
UDT = "{urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100}"


def _checks_work(root, profile: str) -> int:
    """Python calls made in the Factur-X profile checks (and the C functions they call) while validating."""
    doc = syntax.read_tree(root)
    count = [0]

    def counting(frame, event, arg):
        if frame.f_code.co_filename == CHECKS:
            count[0] += 1

    sys.setprofile(counting)
    try:
        validate_document(doc, profile=profile, schema=False)
    finally:
        sys.setprofile(None)
    return count[0]


def _charged(transactions: int = 1, sublines: int = 0):
    """The sample with a document allowance and charge (and ``sublines`` GROUP sub-lines of its first line),
    its whole transaction repeated ``transactions`` times (a hostile document: every header sum grows with it)."""
    root = etree.fromstring(SAMPLE.read_bytes())
    settlement = next(root.iter(RAM + "ApplicableHeaderTradeSettlement"))
    summation = next(settlement.iterchildren(RAM + "SpecifiedTradeSettlementHeaderMonetarySummation"))
    for charge in ("false", "true"):
        ac = etree.Element(RAM + "SpecifiedTradeAllowanceCharge")
        etree.SubElement(etree.SubElement(ac, RAM + "ChargeIndicator"), UDT + "Indicator").text = charge
        etree.SubElement(ac, RAM + "ActualAmount").text = "10.00"
        tax = etree.SubElement(ac, RAM + "CategoryTradeTax")
        etree.SubElement(tax, RAM + "TypeCode").text = "VAT"
        etree.SubElement(tax, RAM + "CategoryCode").text = "S"
        etree.SubElement(tax, RAM + "RateApplicablePercent").text = "20"
        summation.addprevious(ac)
    line = next(root.iter(RAM + "IncludedSupplyChainTradeLineItem"))
    for i in range(sublines):
        sub = copy.deepcopy(line)
        head = next(sub.iter(RAM + "AssociatedDocumentLineDocument"))
        lid = next(head.iterchildren(RAM + "LineID"))
        parent = etree.Element(RAM + "ParentLineID")
        parent.text = lid.text
        lid.text = f"{lid.text}.{i + 1}"
        lid.addnext(parent)
        etree.SubElement(head, RAM + "LineStatusReasonCode").text = "GROUP"
        line.getparent().append(sub)
    tx = next(root.iter("{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}SupplyChainTradeTransaction"))
    for _ in range(transactions - 1):
        tx.addnext(copy.deepcopy(tx))
    return root


@pytest.mark.parametrize("profile", ["facturx-en16931", "facturx-extended", "facturx-basic"])
def test_profile_checks_read_the_document_sums_once(profile):
    small, large = _checks_work(_charged(20), profile), _checks_work(_charged(80), profile)
    assert large <= 5 * small, (small, large)  # four times the transactions: about four times the work


def test_extended_sub_line_checks_grow_linearly():
    small = _checks_work(_charged(sublines=50), "facturx-extended")
    large = _checks_work(_charged(sublines=200), "facturx-extended")
    assert large <= 5 * small, (small, large)


def test_tables_keep_a_bounded_number_of_tag_paths(monkeypatch):
    """A table keeps, per process, the candidate contexts of each tag path it met: a stream of documents with
    ever new element names must not grow that without end (a long-running service)."""
    from einvoice.rules.facturx.notused import table as notused

    monkeypatch.setattr(tree, "MAX_PATHS", 50)
    table = notused("facturx-en16931")
    for batch in range(3):
        root = etree.fromstring(SAMPLE.read_bytes())
        for i in range(40):
            etree.SubElement(root, f"{RAM}Unknown{batch}x{i}")
        table.evaluate(syntax.read_tree(root))
        assert len(table._pcands) <= 50
    assert table._pcands  # (still caching)


def test_a_per_document_fact_is_computed_once_even_when_it_is_none():
    """A document sum the official XPath finds nothing for (a charge total that is absent) is a fact too:
    asked for by every context element, it is computed once, not again for each."""
    calls = []
    outer = getattr(tree._current, "doc", None)
    tree._current.doc = (None, {}, frozenset(), {})
    try:
        found = [fx_checks._cached(("absent total",), lambda: calls.append(1)) for _ in range(5)]
        assert found == [None] * 5
        assert tree._per_document(("fact",), lambda: calls.append(2)) is None
        assert tree._per_document(("fact",), lambda: calls.append(2)) is None
    finally:
        tree._current.doc = outer
    assert calls == [1, 2]


def _deep_peak(chains: int, depth: int) -> int:
    """Peak memory of the rules on a UBL invoice carrying ``chains`` nested chains of ``depth`` elements, every
    element named anew (so every element has a tag path of its own)."""
    import tracemalloc

    parts, k = [], 0
    for _ in range(chains):
        names = [f"x:e{k + d}" for d in range(depth)]
        k += depth
        parts.append("".join(f"<{n}>" for n in names) + "".join(f"</{n}>" for n in reversed(names)))
    data = ('<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:x="urn:x">'
            + "".join(parts) + "</Invoice>").encode()
    validate_document(syntax.read_tree(etree.fromstring(data)), profile="ehf", schema=False)  # (tables compiled first)
    doc = syntax.read_tree(etree.fromstring(data))
    tracemalloc.start()
    try:
        validate_document(doc, profile="ehf", schema=False)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_linear_however_deep_elements_nest():
    """A document's tag paths are kept as their length and last names: 20,000 elements nested 200 deep need
    about what 20,000 nested 20 deep need (each element's whole path kept: twice as much in all, and growing
    with the depth)."""
    shallow, deep = _deep_peak(1000, 20), _deep_peak(100, 200)
    assert deep < 1.5 * shallow, (shallow, deep)


def test_reading_many_cii_payment_means_groups_the_settlement_once(monkeypatch):
    """Each CII payment means (BG-16) was read with a cache of its own, so every one grouped all the settlement's
    children again: 10,000 means took 5 s to show, 15 s to build (found by a scaling sweep over every repeatable
    element). The children looked into are grouped once per document: the elements grouped grow with the means."""
    from einvoice import basics
    from einvoice.syntax import binding

    root = etree.parse(str(Path(__file__).resolve().parents[1] / "samples" / "facturx-en16931.xml")).getroot()
    means = next(root.iter("{*}SpecifiedTradeSettlementPaymentMeans"))
    grouped: list[int] = []
    real = basics.children_by_tag

    def counting(el):
        grouped.append(len(el))
        return real(el)

    monkeypatch.setattr(binding, "children_by_tag", counting)
    work = {}
    for n in (50, 400):
        doc = copy.deepcopy(root)
        first = next(doc.iter("{*}SpecifiedTradeSettlementPaymentMeans"))
        for _ in range(n - 1):
            first.addnext(copy.deepcopy(means))
        grouped.clear()
        assert len(syntax.read_tree(doc).invoice.payment_means) == n
        work[n] = sum(grouped)
    assert work[400] <= 12 * work[50], work  # (linear: 8x the means; one grouping each made it 64x)


def _rates(n: int):
    """The sample with ``n`` lines, each of its own VAT rate, and a VAT breakdown of each rate."""
    root = etree.fromstring(SAMPLE.read_bytes())
    line = next(root.iter(RAM + "IncludedSupplyChainTradeLineItem"))
    for item in list(root.iter(RAM + "IncludedSupplyChainTradeLineItem")):
        item.getparent().remove(item)
    settlement = next(root.iter(RAM + "ApplicableHeaderTradeSettlement"))
    breakdown = next(settlement.iterchildren(RAM + "ApplicableTradeTax"))
    for old in list(settlement.iterchildren(RAM + "ApplicableTradeTax")):
        settlement.remove(old)
    anchor = next(root.iter(RAM + "ApplicableHeaderTradeAgreement"))
    for i in range(n):
        rate = f"{1 + i / 100:.2f}"
        new = copy.deepcopy(line)
        next(new.iter(RAM + "LineID")).text = str(i + 1)
        next(new.iter(RAM + "RateApplicablePercent")).text = rate
        anchor.addprevious(new)
        tax = copy.deepcopy(breakdown)
        next(tax.iter(RAM + "RateApplicablePercent")).text = rate
        settlement.insert(0, tax)
    return root


@pytest.mark.parametrize("profile", ["facturx-en16931", "facturx-extended"])
def test_breakdown_sums_of_many_rates_grow_linearly(profile):
    """Each VAT breakdown summed its category and rate over every line: a valid invoice of 1,000 lines at 1,000
    rates took 23 s (found by a scaling sweep). The lines, allowances and charges are indexed by category and
    rate once per document; each breakdown reads its own."""
    small, large = _checks_work(_rates(40), profile), _checks_work(_rates(160), profile)
    assert large <= 6 * small, (small, large)  # four times the lines and rates: about four times the work
