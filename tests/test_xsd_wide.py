"""XML Schema validation of a parent with very many children of one name, a window of them at a time.

libxml2 names each error's element by a path that counts every preceding sibling of each ancestor, and lxml
asks for it as the error is reported: thousands of invoice lines with one wrong value each made validation
quadratic (20,000 such lines: 80 s). ``xsd._windowed`` validates such children a window at a time. These tests
compare its findings with those of one whole validation: on the samples and seeded mutants of them with every
group of two or more siblings windowed (tiny windows), and on a document of 1,500 failing lines as it comes.
"""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import pytest
from lxml import etree

from einvoice import syntax, xsd
from einvoice.rules.tree import tag_index

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mutate import mutant  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples").glob("*.xml"))


def _findings(data: bytes, monkeypatch, wide: int, window: int) -> list[tuple]:
    monkeypatch.setattr(xsd, "WIDE", wide)
    monkeypatch.setattr(xsd, "WINDOW", window)
    doc = syntax.read_tree(etree.fromstring(data))
    before = etree.tostring(doc.root)
    found = xsd.validate_tree(doc.root, doc.syntax, tags=tag_index(doc))
    assert etree.tostring(doc.root) == before  # the tree as it was: every child back in its place
    return sorted((f.message, f.xpath or "", f.line or 0) for f in found)


@pytest.mark.skipif(not SAMPLES, reason="no XML samples in samples/")
def test_windows_find_what_one_validation_finds(monkeypatch):
    compared = invalid = 0
    for path in SAMPLES:
        data = path.read_bytes()
        for seed in range(12):
            doc = mutant(data, 6100 + seed)[0] if seed else data
            whole = _findings(doc, monkeypatch, 10**9, 500)
            for wide, window in ((1, 1), (2, 2)):  # (every two or three siblings of one name a group)
                assert _findings(doc, monkeypatch, wide, window) == whole, (path.name, seed, wide, window)
                compared += 1
            invalid += bool(whole)
    assert compared >= 100 and invalid >= 20


def _failing_lines(n: int) -> bytes:
    """The EHF sample with ``n`` lines, each with a quantity that is no number."""
    text = (ROOT / "samples" / "ehf-invoice.xml").read_text(encoding="utf-8")
    first = text.index("<cac:InvoiceLine>")
    line = text[first:text.index("</cac:InvoiceLine>") + len("</cac:InvoiceLine>")]
    bad = re.sub(r"(<cbc:InvoicedQuantity[^>]*>)[^<]*", r"\1many", line, count=1)
    last = text.rindex("</cac:InvoiceLine>") + len("</cac:InvoiceLine>")
    return (text[:first] + "\n".join([bad] * n) + text[last:]).encode()


def test_many_failing_lines_are_each_found_where_they_are(monkeypatch):
    data = _failing_lines(1_500)
    doc = syntax.read_tree(etree.fromstring(data))
    groups = xsd._wide_groups(tag_index(doc))
    assert [(g[0].tag, len(g[1])) for g in groups] == [(doc.root.tag, 1_500)]
    windowed = _findings(data, monkeypatch, xsd.WIDE, xsd.WINDOW)
    assert len(windowed) == 1_500
    assert {x for _m, x, _l in windowed} == {f"/Invoice/cac:InvoiceLine[{i}]/cbc:InvoicedQuantity" for i in range(1, 1_501)}
    assert windowed == _findings(data, monkeypatch, 10**9, 500)


def test_children_not_in_a_row_are_validated_whole(monkeypatch):
    """Lines with another element between them: a window in their place would show the parent another
    sequence of names, so they are not windowed (the schema sees the document as it is)."""
    monkeypatch.setattr(xsd, "WIDE", 2)
    root = etree.fromstring(_failing_lines(4))
    lines = root.findall("{*}InvoiceLine")
    lines[1].addnext(copy.deepcopy(root.find("{*}LegalMonetaryTotal")))
    doc = syntax.read_tree(root)
    assert not [g for g in xsd._wide_groups(tag_index(doc)) if g[1][0].tag == lines[0].tag]
    found = xsd.validate_tree(doc.root, doc.syntax, tags=tag_index(doc))
    assert any("LegalMonetaryTotal" in f.message for f in found)


def test_groups_side_by_side_keep_their_order(monkeypatch):
    """Two groups under one parent, one right after the other (CII: the payment means, then the VAT breakdown;
    the breakdown's name comes first in the document, in the lines): each window goes back before the same
    next sibling, in the order the groups stand in, and the valid document stays valid."""
    text = (ROOT / "samples" / "facturx-en16931.xml").read_text(encoding="utf-8")
    root = etree.fromstring(text.encode())
    ram = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"
    means = root.find(f".//{ram}SpecifiedTradeSettlementPaymentMeans")
    means.addnext(copy.deepcopy(means))  # two payment means, then the two VAT breakdown rows
    data = etree.tostring(root)
    assert _findings(data, monkeypatch, 10**9, 500) == []
    doc = syntax.read_tree(etree.fromstring(data))
    monkeypatch.setattr(xsd, "WIDE", 1)
    named = [g[1][0].tag for g in xsd._wide_groups(tag_index(doc))]
    assert named.index(f"{ram}ApplicableTradeTax") < named.index(f"{ram}SpecifiedTradeSettlementPaymentMeans")
    assert _findings(data, monkeypatch, 1, 1) == []


def test_the_tree_is_put_back_when_a_window_fails_to_validate(monkeypatch):
    """An exception in the middle of the windows (here from the schema's second run) leaves the tree as it was."""
    root = etree.fromstring(_failing_lines(1_200))
    doc = syntax.read_tree(root)
    before = etree.tostring(root)
    groups = xsd._wide_groups(tag_index(doc))
    assert groups and len(groups[0][1]) == 1_200

    class Failing:
        calls = 0

        def validate(self, _root):
            Failing.calls += 1
            if Failing.calls == 2:
                raise RuntimeError("schema gave up")
            return True

    with pytest.raises(RuntimeError):
        xsd._windowed(Failing(), root, groups, xsd._prefixes(root))
    assert Failing.calls == 2 and etree.tostring(root) == before
    assert xsd._windowed(type("Quiet", (), {"validate": lambda self, r: True})(), root, groups, {}) == []
    assert etree.tostring(root) == before  # (and when every window passes: the last one stays, the others go before it)


def test_counterparts_of_many_siblings_are_found_in_linear_work():
    """Each schema error on the copy is located on the caller's tree (``xsd._Counterparts``): with 100,000 empty
    notes in one parent, ``node[i]`` on the original (lxml walks the children from the first) made the location
    quadratic, 44 s for a 1.9 MB file; each parent's children are listed once. Counted in the children stepped over."""
    from einvoice.xsd import _Counterparts

    class Original:  # what the original tree's elements give _Counterparts, with the steps lxml would take
        steps = 0

        def __init__(self, kids=()):
            self.kids = list(kids)

        def __iter__(self):
            for kid in self.kids:
                Original.steps += 1
                yield kid

        def __getitem__(self, i):
            Original.steps += i + 1  # (lxml: from the first child to the i-th)
            return self.kids[i]

    n = 5_000
    twin = etree.Element("root")
    for _ in range(n):
        etree.SubElement(twin, "note")
    original = Original(Original() for _ in range(n))
    back = _Counterparts(twin, original)
    found = [back(el) for el in twin]
    assert found == original.kids
    assert Original.steps <= 3 * n, Original.steps  # (quadratic: n * n / 2 = 12.5 million)
