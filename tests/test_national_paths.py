"""National path tables: a ``//name...`` path evaluated from the document's element index selects what
the XPath selects from the root, the same nodes in the same order.

Each country module states its paths as data (``_PATHS``: XPath text per syntax) and reads them with
``_checks.syntax_paths``, which starts a ``//p:name`` path at the index's elements of that name instead of
walking the tree. This compares the two on every path of the tables, on the samples, the national
examples of the conformance corpus, seeded mutants of them, and copies in which the first element of a
path is repeated, nested in itself or removed.
"""

from __future__ import annotations

import copy
import random
import sys
from pathlib import Path

import pytest
from lxml import etree

from einvoice import syntax
from einvoice.rules.national import _checks, dk, nl, se
from einvoice.syntax.namespaces import CII_NS, UBL_NS

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fragments import CONFORMANCE  # noqa: E402
from mutate import mutant  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TABLES = [(se._x, se._PATHS), (dk._x, dk._PATHS), (nl._x, nl._PATHS),
          (nl._contexts, {syn: {rid: u for rid, (_who, u, _c) in nl._CONTEXTS.items()}
                          for syn in (syntax.Syntax.UBL,)})]


def _sources() -> list[bytes]:
    found = sorted((ROOT / "samples").glob("*.xml"))
    national = CONFORMANCE / "peppol-bis-3" / "rules" / "national-examples"
    if national.is_dir():
        found += sorted(national.rglob("*.xml"))
    return [p.read_bytes() for p in found]


def _reshaped(root: etree._Element, tags: list[str], rng: random.Random) -> list[etree._Element]:
    """Copies of a document in which an element a path starts at is repeated, nested in itself, or removed."""
    out = []
    for tag in tags:
        found = list(root.iter(tag))
        if not found:
            continue
        for how in ("twice", "nested", "gone"):
            doc = copy.deepcopy(root)
            el = rng.choice(list(doc.iter(tag)))
            parent = el.getparent()
            if how == "twice" and parent is not None:
                parent.insert(parent.index(el) + rng.choice((0, 1)), copy.deepcopy(el))
            elif how == "nested":
                el.insert(rng.randrange(len(el) + 1), copy.deepcopy(el))
            elif how == "gone" and parent is not None:
                parent.remove(el)
            out.append(doc)
    return out


def _start_tags(paths: dict) -> list[str]:
    tags = []
    for syn, table in paths.items():
        ns = UBL_NS if getattr(syn, "value", syn) == "ubl" else CII_NS
        for text in table.values():
            found = _checks._from_index(text, ns) if text else None
            if found is not None:
                tags.append(found[0])
    return sorted(set(tags))


@pytest.mark.skipif(not _sources(), reason="no XML samples")
def test_indexed_paths_select_what_the_xpath_selects():
    rng = random.Random(2026_12_03)
    every_tag = sorted({t for _x, paths in TABLES for t in _start_tags(paths)})
    assert len(every_tag) >= 8  # the tables do start paths at indexed elements
    compared = nonempty = indexed = 0
    for data in _sources():
        roots = [etree.fromstring(data)] + [etree.fromstring(mutant(data, 5300 + s)[0]) for s in range(2)]
        roots += _reshaped(roots[0], every_tag, rng)
        for root in roots:
            etree.ElementTree(root)  # (each its own document)
            doc = syntax.read_tree(root)
            for x, paths in TABLES:
                table = paths.get(doc.syntax)
                if not table:
                    continue
                ns = UBL_NS if doc.syntax == syntax.Syntax.UBL else CII_NS
                for name, text in table.items():
                    if text is None:
                        continue
                    expect = etree.XPath(text, namespaces=ns)(root)
                    got = x(doc, name)
                    assert len(got) == len(expect) and all(a is b or a == b for a, b in zip(got, expect)), (name, text)
                    compared += 1
                    nonempty += bool(expect)
                    indexed += _checks._from_index(text, ns) is not None
    assert compared > 2_000 and nonempty > 300 and indexed > 1_000


def test_a_position_or_a_union_is_not_started_from_one_element():
    ns = UBL_NS
    for text in ("//cac:Party[1]", "//cac:Party[last()]", "//cac:Party[position() = 2]",
                 "//cac:A | //cac:B", "//cac:A//cbc:B", "//cac:A[ (1) ]"):
        assert _checks._from_index(text, ns) is None, text
    assert _checks._from_index("//cac:A[cbc:B = '1']/cbc:C", ns) is not None


def test_first_positions_among_siblings_stay_the_xpath_ones():
    cac = UBL_NS["cac"]
    root = etree.fromstring(f"<r xmlns:cac='{cac}'><cac:A><cac:P n='1'/><cac:P n='2'/></cac:A></r>".encode())

    class Doc:
        def __init__(self, root):
            self.root, self.syntax = root, "ubl"

    x = _checks.syntax_paths({"ubl": {"first": "//cac:P[1]", "pred": "//cac:A[cac:P/@n = '2']/cac:P",
                                      "all": "//cac:P"}})
    doc = Doc(root)
    assert [p.get("n") for p in x(doc, "first")] == ["1"]
    assert [p.get("n") for p in x(doc, "pred")] == ["1", "2"]
    assert [p.get("n") for p in x(doc, "all")] == ["1", "2"]
