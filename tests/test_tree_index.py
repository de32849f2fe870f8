"""The element index the rule tables share (``basics.index_tree``): the compiled one (``einvoice._cindex``, built by
``einvoice speedups`` against lxml's C API) gives what the Python one gives, on the corpus, on generated trees (comments,
processing instructions, entity references, elements without a namespace, one namespace declared twice, hundreds of
names, deep nesting, a subtree whose root has ancestors), and the rule tables read it as before."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from einvoice import basics
from fragments import CONFORMANCE, NO_CORPUS


def _python(root, n=10):
    saved = basics._INDEX[0]
    basics._INDEX[0] = False
    try:
        return basics.index_tree(root, n)
    finally:
        basics._INDEX[0] = saved


def _compiled():
    fast = basics._compiled_index()
    if fast is False:
        pytest.skip("einvoice._cindex is not compiled here (einvoice speedups: needs Cython, a C compiler and the "
                    "Python headers), or EINVOICE_PURE is set: the Python index is the one in use")
    return fast


def _same(a, b) -> None:
    index_a, *rest_a = a
    index_b, *rest_b = b
    assert list(index_a) == list(index_b)  # (the same names, first seen in the same order)
    assert all(index_a[k] == index_b[k] for k in index_a)  # (the same elements: lxml's proxies compare by identity)
    assert rest_a == rest_b


def test_the_python_index_by_hand():
    root = etree.fromstring(b'<a xmlns="urn:x"><b><c/><!-- c --><?p x?><c/></b><b><c/><d xmlns=""/></b></a>')
    index, tags, pids, paths, keys = _python(root, 10)
    assert tags == ["{urn:x}a", "{urn:x}b", "{urn:x}c", "{urn:x}c", "{urn:x}b", "{urn:x}c", "d"]
    assert pids == [0, 1, 2, 2, 1, 2, 3]  # (the same path, the same number)
    assert paths == [(1, ("{urn:x}a",)), (2, ("{urn:x}a", "{urn:x}b")), (3, ("{urn:x}a", "{urn:x}b", "{urn:x}c")),
                     (3, ("{urn:x}a", "{urn:x}b", "d"))]
    assert keys == {"{urn:x}a", "{urn:x}b", "{urn:x}c", "d", ("{urn:x}a", "{urn:x}b"), ("{urn:x}b", "{urn:x}c"),
                    ("{urn:x}b", "d")}
    assert [e.tag for e in index[None]] == tags and len(index["{urn:x}c"]) == 3
    sub = index["{urn:x}b"][1]  # a subtree: its root's ancestors start its path
    assert _python(sub, 2)[3] == [(2, ("{urn:x}a", "{urn:x}b")), (3, ("{urn:x}b", "{urn:x}c")), (3, ("{urn:x}b", "d"))]


def test_the_compiled_index_is_the_python_one_on_the_corpus():
    fast = _compiled()
    if not CONFORMANCE.is_dir():
        pytest.skip(NO_CORPUS)
    files = sorted(CONFORMANCE.rglob("*.xml"))
    random.Random(7).shuffle(files)
    parser = etree.XMLParser(resolve_entities=False, huge_tree=True)
    compared = 0
    for f in files[:600]:
        try:
            root = etree.parse(str(f), parser).getroot()
        except etree.XMLSyntaxError:
            continue
        for r in [root, *[e for e in root.iter(etree.Element)][1::40]]:
            for n in (10, 2):
                _same(_python(r, n), fast(r, n))
                compared += 1
    assert compared > 1000


_NAMES = st.sampled_from(["a", "b", "c", "x:a", "x:b", "y:a", "z:c"])


@st.composite
def _trees(draw):
    """Trees of elements (in three namespaces, two of them the same URI, and none), comments, processing
    instructions and entity references; sometimes a namespace declared again lower down; sometimes hundreds of
    distinct names."""
    nsmap = {"x": "urn:one", "y": "urn:two", "z": "urn:one"}
    many = draw(st.booleans()) and draw(st.integers(0, 3)) == 0

    def name(tag):
        prefix, _, local = tag.rpartition(":")
        return f"{{{nsmap[prefix]}}}{local}" if prefix else local

    root = etree.Element(name(draw(_NAMES)), nsmap=nsmap)
    stack, count = [root], 0
    for op in draw(st.lists(st.integers(0, 9), min_size=0, max_size=80)):
        parent = stack[-1]
        if op <= 4:
            tag = f"n{count}" if many else draw(_NAMES)
            count += 1
            redeclare = {"w": "urn:two"} if op == 4 else None  # (a second xmlNs of the same URI)
            el = etree.SubElement(parent, name(tag) if ":" in tag else tag, nsmap=redeclare)
            if op % 2:
                stack.append(el)
        elif op == 5:
            parent.append(etree.Comment("c"))
        elif op == 6:
            parent.append(etree.ProcessingInstruction("p", "x"))
        elif op == 7:
            parent.append(etree.Entity("amp"))
        elif len(stack) > 1:
            stack.pop()
    if many:  # more distinct names than the compiled index keeps slots for
        for i in range(700):
            etree.SubElement(root, f"{{urn:many}}m{i}")
    return root


@given(_trees(), st.integers(1, 12))
@settings(max_examples=300, deadline=None)
def test_the_compiled_index_is_the_python_one_on_generated_trees(root, n):
    fast = _compiled()
    for r in [root, *list(root.iter(etree.Element))[1::7]]:
        _same(_python(r, n), fast(r, n))


def test_the_compiled_index_on_a_deep_tree():
    fast = _compiled()
    root = etree.fromstring(("<a>" * 2000 + "</a>" * 2000).encode(), etree.XMLParser(huge_tree=True))
    _same(_python(root), fast(root, 10))


def test_the_tables_read_the_index_as_before():
    """tag_index, doc_paths and doc_keys of a document: one index, worked out once."""
    from einvoice import syntax
    from einvoice.rules import tree

    doc = syntax.read_tree(etree.fromstring(
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" '
        b'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>1</cbc:ID>'
        b'<!-- x --><cbc:Note>n</cbc:Note></Invoice>'))
    index = tree.tag_index(doc)
    assert [e.tag.rpartition("}")[2] for e in index[None]] == ["Invoice", "ID", "Note"]
    pids, paths = tree.doc_paths(doc)
    assert pids == [0, 1, 2] and [d for d, _ in paths] == [1, 2, 2]
    assert tree.tag_index(doc) is index and tree.doc_paths(doc)[0] is pids  # (once per document)
    assert len(tree.doc_keys(doc)) == 5  # three names, two pairs
