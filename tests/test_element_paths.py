"""Element paths of findings: the per-document cache gives the same paths as the plain walk."""

from pathlib import Path

import pytest
from lxml import etree

from einvoice.basics import PathCache, element_origin

SAMPLES = sorted(Path(__file__).resolve().parents[1].joinpath("samples").glob("*.xml"))


def test_cached_paths_equal_plain_paths_with_prefixes_positions_and_nesting():
    root = etree.fromstring(b'<a xmlns:p="urn:x"><p:b/><p:b><c/><!-- n --><c><d/></c></p:b><e/></a>')
    cache = PathCache()
    got = [element_origin(el, cache).xpath for el in root.iter(etree.Element)]
    assert got == [element_origin(el).xpath for el in root.iter(etree.Element)]
    assert got == ["/a", "/a/p:b[1]", "/a/p:b[2]", "/a/p:b[2]/c[1]", "/a/p:b[2]/c[2]", "/a/p:b[2]/c[2]/d", "/a/e"]


def test_deep_nesting_needs_no_recursion():
    depth = 5000  # deeper than Python's recursion limit
    root = leaf = etree.Element("x")
    for _ in range(depth - 1):
        leaf = etree.SubElement(leaf, "x")
    assert element_origin(leaf, PathCache()).xpath == "/x" * depth


@pytest.mark.skipif(not SAMPLES, reason="no XML samples in samples/")
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_samples_every_element(sample):
    root = etree.parse(str(sample)).getroot()
    cache = PathCache()
    for el in root.iter(etree.Element):
        assert element_origin(el, cache) == element_origin(el)


def test_a_deep_element_keeps_its_steps_not_every_ancestors_path():
    """Locating an element 3,000 levels deep keeps one step per ancestor and the one path asked for: not the
    path of every ancestor (about 9 MB of text here, quadratic in the depth)."""
    import tracemalloc

    root = leaf = etree.Element("x")
    for _ in range(2999):
        leaf = etree.SubElement(leaf, "x")
    tracemalloc.start()
    try:
        cache = PathCache()
        path = element_origin(leaf, cache).xpath
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert path == "/x" * 3000
    assert peak < 2_000_000, peak
    assert element_origin(leaf.getparent(), cache).xpath == "/x" * 2999  # (the cache still answers for ancestors)


def test_a_prefixed_elements_step_does_not_read_the_declarations_in_scope():
    """A step's name read ``nsmap``, which lxml rebuilds from every namespace declaration in scope: 20,000 unused
    declarations on the root made each located finding cost them all (a 1 MB invoice with 1,000 failing lines: 27 s).
    A prefixed element is named by its own prefix; the root's declarations are read once per document, where an
    unprefixed element is not in the root's own namespace."""
    from einvoice import basics

    class Node:  # an element whose in-scope declarations may not be read
        def __init__(self, tag, prefix):
            self.tag, self.prefix = tag, prefix

        @property
        def nsmap(self):
            raise AssertionError("nsmap read")

        def getroottree(self):
            return etree.ElementTree()  # (no root: the element's own prefix is taken as it is)

    assert basics._step_name(Node("{urn:x}b", "p")) == "p:b"
    decls = "".join(f' xmlns:p{i}="urn:n{i}"' for i in range(3000))
    root = etree.fromstring(f'<r xmlns="urn:r" xmlns:q="urn:q"{decls}><q:a/><a/><b xmlns="urn:q"/><c xmlns="urn:z"/></r>'.encode())
    cache = PathCache()
    got = [element_origin(el, cache).xpath for el in root.iter(etree.Element)]
    assert got == ["/r", "/r/q:a", "/r/a", "/r/q:b", f"/r/{basics.fallback_prefix('urn:z')}:c"], got
    assert sorted(cache.roots) == ["bound", "map", "root"] and list(cache.roots["bound"]) == ["q"]  # read once per document  # the root's declarations read once (for the two unprefixed elements of other namespaces)
