"""tree.first_any: the first node select_any gives, found without selecting the rest.

The "present" and "absent" checks of the structure tables and the bare-path predicates
(``[cbc:CompanyID]``) only ask for that first node; this compares the two on every path
the tables hold, from every element of the samples and of seeded mutants of them.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from lxml import etree

from einvoice.rules import tree
from einvoice.rules.engine import load_yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mutate import mutant  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples").glob("*.xml"))
UBL = "urn:oasis:names:specification:ubl:schema:xsd:"


def _paths(syntax: str) -> list[tuple[str, list]]:
    """Every path of a check of the structure tables that is read in this syntax's documents."""
    out, seen = [], set()
    for table in sorted(tree.STRUCTURE.glob("*.yaml")):
        if ("cii" in table.stem or "facturx" in table.stem) and syntax == "ubl":
            continue
        if ("ubl" in table.stem) and syntax == "cii":
            continue
        data = load_yaml(table)
        for group in data.get("groups", []) if isinstance(data, dict) else []:
            for ctx in group["contexts"]:
                for row in ctx.get("checks", []):
                    text = row[3] if row[1] == "codelist" and len(row) > 3 else row[2]
                    if row[1] == "custom" or not isinstance(text, str) or text in seen:
                        continue
                    seen.add(text)
                    try:
                        out.append((text, tree.compile_path(text)))
                    except (ValueError, KeyError):  # a custom argument, not a path
                        continue
    return out


def _documents() -> list[etree._Element]:
    docs = []
    for path in SAMPLES:
        data = path.read_bytes()
        docs.append(etree.fromstring(data))
        for seed in range(3):
            docs.append(etree.fromstring(mutant(data, 7100 + seed)[0]))
    return docs


@pytest.mark.skipif(not SAMPLES, reason="no XML samples in samples/")
def test_first_any_is_the_first_node_select_any_gives():
    docs = _documents()
    compared = found = 0
    rng = random.Random(71)
    for root in docs:
        paths = _paths("ubl" if root.tag.startswith("{" + UBL) else "cii")
        assert len(paths) > 100
        elements = list(root.iter(etree.Element))
        for text, alts in paths:
            for el in rng.sample(elements, min(len(elements), 25)) + [root]:
                every = tree.select_any(el, alts)
                first = tree.first_any(el, alts)
                if every:
                    found += 1
                    assert first is every[0] or (isinstance(first, str) and first == every[0]), (text, el.tag)
                else:
                    assert first is tree._NONE, (text, el.tag)
                compared += 1
    assert compared > 10_000 and found > 500


def test_first_any_keeps_the_order_of_select():
    root = etree.fromstring(b"<r><a><b n='1'/><b n='2'/></a><a><b n='3'/><c/></a></r>")
    for text, expect in [("a/b", "1"), ("a[c]/b", "3"), ("a/b[@n = '2']", "2"),
                         ("a/b[1]", "1"), ("x | a/b[@n = '3']", "3"), ("a/b/@n", "1"), ("//b[@n='2']", "2")]:
        first = tree.first_any(root, tree.compile_path(text))
        assert (first if isinstance(first, str) else first.get("n")) == expect, text
    assert tree.first_any(root, tree.compile_path("a/x | a/c/d")) is tree._NONE


# --- count checks of paths with predicates, judged by the table as the kinds define them ------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

_PRED_PATHS = ["b[@n = '1']", "b[c]/c", "b[1]/c", "b[not(c)] | c[@n = '2']", "b/c[@n = '1']/@n",
               "c[normalize-space(.) = 'x']", "b[c[@n = '2']]", "b[@n = '1'] | b[@n = '2']"]
_KINDS = [("absent", None), ("present", None), ("max", 0), ("max", 1), ("max", 2), ("min", 1), ("min", 2),
          ("exactly", 1), ("exactly", 2)]


class _Doc:
    def __init__(self, root):
        self.root = root
        self.profile = None


def _element(draw, depth):
    el = etree.Element(draw(st.sampled_from(["a", "b", "c"])))
    if draw(st.booleans()):
        el.set("n", draw(st.sampled_from(["1", "2"])))
    el.text = draw(st.sampled_from([None, "x", " x ", "y"]))
    if depth < 3:
        for _ in range(draw(st.integers(0, 3))):
            el.append(_element(draw, depth + 1))
    return el


@st.composite
def _trees(draw):
    root = etree.Element("r")
    for _ in range(draw(st.integers(1, 4))):
        root.append(_element(draw, 1))
    return root


def _table():
    rows = []
    for i, text in enumerate(_PRED_PATHS):
        for j, (kind, arg) in enumerate(_KINDS):
            rows.append([f"R-{i}-{j}", kind, text] + ([arg] if arg is not None else []))
    groups = [[tree.Context(tree.Pattern("a"), [tree._check(row) for row in rows])]]
    return tree.Table("bounded-test", groups), rows


_TABLE, _ROWS = _table()


@given(_trees())
@settings(max_examples=300, deadline=None)
def test_count_checks_with_predicates_judge_as_their_definition(root):
    """Each check as the kinds define it, with the path selected in full (the reference), against the table."""
    got = _TABLE.evaluate(_Doc(root))
    want: dict[str, list] = {}
    for el in root.iter("a"):
        for rule, kind, text, *arg in _ROWS:
            found = tree.select_any(el, tree.compile_path(text))
            n = len(found)
            bad = {"absent": n > 0, "present": n == 0, "max": arg and n > arg[0], "min": arg and n < arg[0],
                   "exactly": arg and n != arg[0]}[kind]
            if bad:
                target = found[0] if kind == "absent" and not isinstance(found[0], str) else el
                want.setdefault(rule, []).append(target)
    assert {k: v for k, v in got.items() if v} == want


def test_a_matching_context_without_checks_still_ends_its_group():
    """An element matched by a context with nothing to check is not handed to the group's later contexts
    (the first matching context of a group takes the element, as in a schematron pattern); elements it
    does not match are."""
    groups = [[tree.Context(tree.Pattern("/r/a"), []),
               tree.Context(tree.Pattern("a[@k = 'x']"), []),
               tree.Context(tree.Pattern("a"), [tree._check(["R-B", "absent", "b"])])]]
    table = tree.Table("checkless-test", groups)
    root = etree.fromstring("<r><a><b/></a><c><a><b/></a><a k='x'><b/></a></c></r>")
    hits = table.evaluate(_Doc(root))["R-B"]
    assert [h.getparent().getparent().tag for h in hits] == ["c"]  # the second a only: /r/a and a[@k='x'] are taken
    assert table.evaluate(_Doc(etree.fromstring("<r><a><b/></a></r>"))) == {}


def _leafy(el) -> bool:
    return len(el) == 0 and not (el.text or "").strip()


@given(_trees())
@settings(max_examples=200, deadline=None)
def test_a_wildcard_that_lists_its_elements_judges_as_one_that_tests_each(root):
    """A wildcard alone in its group that lists the elements it matches (run on those only) gives what the
    same wildcard tested on each element gives; alongside other groups and in document order."""
    rows = [["R-W", "absent", "b"], ["R-X", "max", "c", 0]]

    def table(listed: bool):
        wild = tree.Wildcard(lambda tag: True, _leafy,
                             (lambda doc: [e for e in doc.root.iter() if _leafy(e)]) if listed else None)
        groups = [[tree.Context(tree.Pattern("a"), [tree._check(["R-A", "present", "b"])])],
                  [tree.Context(None, [tree._check(["R-L", "absent", "@k"])], wildcard=wild)],
                  [tree.Context(tree.Pattern("b"), [tree._check(row) for row in rows])]]
        return tree.Table(f"listed-{listed}", groups)

    for i, el in enumerate(root.iter()):
        if i % 2:  # leaves and others: the wildcard's own test tells them apart
            el.set("k", "1")
    got, want = table(True).evaluate(_Doc(root)), table(False).evaluate(_Doc(root))
    assert table(True)._sets and not table(False)._sets
    assert got == want


# --- children of an element with a tag: read in Python for a few, by lxml's filter for many ------------------

def test_children_by_tag_are_those_of_lxmls_filter_in_order():
    """basics.children (and the child steps of paths, which read children the same way) gives what
    lxml's iterchildren(tag) gives, on every element of the samples and their mutants, and on elements
    with comments, processing instructions, elements of other namespaces and many children."""
    from einvoice.basics import children

    crafted = etree.fromstring(
        b"<r xmlns:o='urn:o'><a>t<!--c--><b/><?p x?><b>1</b><o:b/><c/>tail<b/></a><m>"
        + b"".join(b"<b/><c/><o:b/><!--x-->" for _ in range(30)) + b"</m><e/></r>")
    roots = _documents() + [crafted]
    compared = many = 0
    for root in roots:
        tags = sorted({el.tag for el in root.iter(etree.Element)}) + ["{urn:none}x", "b"]
        for el in root.iter(etree.Element):
            for tag in tags:
                assert list(children(el, tag)) == list(el.iterchildren(tag)), (el.tag, tag)
                if len(el) > 16:
                    many += 1
            pair = tags[:2]
            assert list(children(el, *pair)) == list(el.iterchildren(*pair)), (el.tag, pair)
            step = tree.Step("child", tuple(pair))
            assert list(tree._step(el, step)) == list(el.iterchildren(*pair)), (el.tag, pair)
            compared += 1
    assert compared > 1_000 and many > 0


# --- the paths and predicates of the tables read as XPath 2.0 reads them (elementpath as the reference) -------

_XPATH2_PATHS = ["b[c[1] = 'x']", "b[normalize-space(c[1]) = 'x']", "b[upper-case(c[1]) = 'Y']",
                 "b[normalize-space(upper-case(c[1])) = 'X']", "b[c[1]]/c", "b[c = 'y']", "b[not(c[1] = 'x')]",
                 "b[@n = '1' or c[1] = 'y']", "b/c[1]", "b[normalize-space(.) = 'x']", "b[c[1] != 'x']",
                 "b[c[1]/@n = '2']", "b/c[1]/@n", "c[normalize-space(upper-case(.)) = 'Y']", "b[c[1][@n = '1']]",
                 "(b|*)", "b/(c|*)", "(c|b)"]


@given(_trees())
@settings(max_examples=200, deadline=None)
def test_paths_select_what_xpath2_selects(root):
    elementpath = pytest.importorskip("elementpath")
    for el in [root, *root.iter("a", "b")]:
        for text in _XPATH2_PATHS:
            ours = tree.select_any(el, tree.compile_path(text))
            theirs = elementpath.select(el, text, parser=elementpath.XPath2Parser)
            assert [str(x) if isinstance(x, str) else x for x in ours] == \
                [str(x) if isinstance(x, str) else getattr(x, "value", x) for x in theirs], (text, etree.tostring(el))


def test_a_path_of_names_no_invoice_has_is_not_kept_per_process():
    """The structure tables keep each tag path's candidate contexts for the process (20,000 paths at most): paths of
    element names thousands of characters long (a sender's invention) held gigabytes. A path whose names are longer
    than MAX_PATH_CHARS is worked out each time, not kept; an invoice's paths are."""
    from einvoice import syntax
    from einvoice.syntax.ubl.rules import TABLE

    xml = (Path(__file__).resolve().parents[1] / "samples" / "ehf-invoice.xml").read_bytes()
    long_name = "A" + "x" * (tree.MAX_PATH_CHARS + 10)
    odd = xml.replace(b"</Invoice>", f"<{long_name}/></Invoice>".encode())
    assert odd != xml
    TABLE.groups  # (compiled)
    TABLE._pcands.clear()
    TABLE.evaluate(syntax.read_tree(etree.fromstring(odd)))
    kept = list(TABLE._pcands)
    assert kept and not any(long_name in names[-1] for _depth, names in kept)
    assert max(sum(map(len, names)) for _depth, names in kept) <= tree.MAX_PATH_CHARS
