"""``basics.SharedXPath`` selects a path of named child steps (``cac:A/cbc:B``) itself, without lxml's evaluator:
it gives what lxml's XPath gives, the same elements in the same order, on generated trees (comments, processing
instructions, other namespaces, wide and deep nesting) and on the corpus, and any other expression goes to lxml."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from einvoice import basics
from fragments import CONFORMANCE, NO_CORPUS

NS = {"a": "urn:a", "b": "urn:b"}
NAMES = ["{urn:a}x", "{urn:a}y", "{urn:b}x", "x"]


def _tree(seed: int, size: int) -> etree._Element:
    rnd = random.Random(seed)
    root = etree.Element("{urn:a}x")
    nodes = [root]
    for _ in range(size):
        parent = rnd.choice(nodes)
        kind = rnd.random()
        if kind < 0.1:
            parent.append(etree.Comment("c"))
        elif kind < 0.15:
            parent.append(etree.ProcessingInstruction("p", "q"))
        else:
            for _ in range(rnd.choice((1, 1, 1, 20))):  # (now and then many siblings: lxml's tag filter is used)
                child = etree.SubElement(parent, rnd.choice(NAMES))
                nodes.append(child)
    return root


PATHS = ["a:x", "a:y", "b:x", "a:x/a:x", "a:x/a:y", "a:y/b:x/a:x", "a:x/a:x/a:x/a:y"]


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 10**6), size=st.integers(0, 120), path=st.sampled_from(PATHS))
def test_child_steps_select_what_lxml_selects(seed, size, path):
    root = _tree(seed, size)
    shared = basics.SharedXPath(path, NS)
    assert shared._names is not None  # (the path is read by SharedXPath itself)
    lxml = etree.XPath(path, namespaces=NS)
    for node in [root, *root.iter()]:
        if not isinstance(node.tag, str):  # (lxml refuses a comment or processing instruction: so does SharedXPath)
            continue
        assert shared(node) == lxml(node)  # (the same elements: lxml's proxies compare by identity)


def test_other_expressions_go_to_lxml():
    root = etree.fromstring(b'<x xmlns="urn:a"><y>1</y><y>2</y></x>')
    for text in ("a:y[1]", "a:y[. = '2']", "string(a:y)", "//a:y", "/a:x/a:y", "a:y | a:y", "count(a:y)",
                 "a:y/text()", "descendant::a:y", "a:*", "z:y"):
        assert basics._child_steps(text, NS) is None, text
    assert basics.SharedXPath("string(a:y)", NS)(root) == "1"
    assert [e.text for e in basics.SharedXPath("a:y[. = '2']", NS)(root)] == ["2"]
    tree = root.getroottree()  # (a document, not an element: lxml's answer)
    assert basics.SharedXPath("a:y", NS)(tree) == etree.XPath("a:y", namespaces=NS)(tree)
    comment = etree.Comment("c")
    root.append(comment)
    for xp in (basics.SharedXPath("a:y", NS), etree.XPath("a:y", namespaces=NS)):  # (lxml refuses a comment)
        with pytest.raises(ValueError):
            xp(comment)


def test_child_steps_on_the_corpus():
    if not CONFORMANCE.is_dir():
        pytest.skip(NO_CORPUS)
    from einvoice.syntax.namespaces import UBL_NS

    paths = ["cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID", "cac:InvoiceLine/cac:Item/cbc:Name",
             "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID", "cac:PaymentMeans/cbc:PaymentMeansCode", "cbc:Note"]
    files = sorted(CONFORMANCE.rglob("*.xml"))[:400]
    seen = 0
    for f in files:
        try:
            root = etree.parse(str(f), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
        except etree.XMLSyntaxError:
            continue
        for p in paths:
            mine, theirs = basics.SharedXPath(p, UBL_NS), etree.XPath(p, namespaces=UBL_NS)
            for node in (root, *(e for e in root[:4] if isinstance(e.tag, str))):
                a, b = mine(node), theirs(node)
                assert a == b, (f, p)
                seen += len(a)
    assert seen > 100
