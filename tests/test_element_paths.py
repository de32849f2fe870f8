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
