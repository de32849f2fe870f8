"""EN 16931 code list rules BR-CL-01 .. BR-CL-26.

Every coded value of the invoice must come from the code list the standard
names for it. The lists are data (``schemas/codelists``, see
:mod:`einvoice.codelists`); UBL and CII use slightly different editions of a
few of them (country codes, note subjects, document types), exactly as the
official EN 16931 validation artefacts do. Which element is tested against which
list, in which context, is data too: ``schemas/structure/en16931-codes.yaml``.

All checks share one pass over the tree: the elements that carry codes are
collected once per document, each is tested against its list, and every rule
then reports its own failures. An element is judged by the first rule whose
context it matches, in the official order (this matters in CII, where an
identifier with a scheme is an ICD identifier before it is anything else).
"""

from __future__ import annotations

import functools
from typing import Any

from ... import codelists
from .. import releases
from ..engine import SCHEMAS, Document, load_yaml
from ..tree import STRUCTURE, _clark, elements_named
from ..values import boolean_compare, normalize_space as norm, string_value as text
from . import RULES, on_tree

_CL_IDS = list(load_yaml(SCHEMAS / "rules" / "en16931" / "codes.yaml"))  # the ids of the metadata file


def _member(codes: frozenset, value: str | None, upper: bool = False) -> bool:
    """A code-list test as the official checks write it: one token, found in the list."""
    v = norm(value)
    return bool(v) and " " not in v and (v.upper() if upper else v) in codes


def _note_ok(value: str, listname: str) -> bool:
    """BR-CL-08 in UBL: a '#XXX#' subject prefix, XXX looked up as a substring of the list (as the official check does)."""
    parts = value.split("#", 2)  # [before, XXX, after] when there are two '#' at least
    return len(parts) < 3 or len(parts[1]) != 3 or parts[1] in codelists.joined(listname)


def _ancestor(el: Any, tags: tuple[str, ...]) -> bool:
    return any(a.tag in tags for a in el.iterancestors())


def _tags(names: Any) -> tuple[str, ...]:
    return tuple(_clark(n) for n in ([names] if isinstance(names, str) else names))


_KEYS = {"rule", "tags", "list", "attr", "required", "parent", "grandparent", "not_ancestor", "sibling",
         "indicator", "test", "also"}
_TESTS = {"token", "upper", "exact", "note"}


class _Row:
    """One row of ``schemas/structure/en16931-codes.yaml`` (see the keys there)."""

    def __init__(self, row: dict, indicator: str) -> None:
        if set(row) - _KEYS or row.get("test", "token") not in _TESTS or row.get("rule") not in _CL_IDS:
            raise ValueError(f"en16931-codes.yaml: a row this module cannot read: {row}")
        self.rule, self.list, self.attr = row["rule"], row["list"], row.get("attr")
        self.required, self.test = row.get("required", False), row.get("test", "token")
        parent = row.get("parent")
        self.at_root = parent == "/"
        self.parent = None if parent in (None, "/") else _tags(parent)
        self.grandparent = _tags(row["grandparent"]) if "grandparent" in row else None
        self.not_ancestor = _tags(row["not_ancestor"]) if "not_ancestor" in row else None
        self.sibling = (_clark(row["sibling"][0]), row["sibling"][1]) if "sibling" in row else None
        self.indicator = row.get("indicator")
        self.indicator_path = "/".join(_tags(indicator.split("/")))
        also = row.get("also")
        self.also = (also[0], _tags(also[1:])) if also else None

    def matches(self, el: Any, parent: Any, root: Any) -> bool:
        """Whether the element is in this row's context (the first row that matches judges it)."""
        if self.attr is not None and not self.required and el.get(self.attr) is None:
            return False
        if (self.at_root and parent is not root) or (self.parent and (parent is None or parent.tag not in self.parent)):
            return False
        if self.grandparent:
            gp = parent.getparent() if parent is not None else None
            if gp is None or gp.tag not in self.grandparent:
                return False
        if self.not_ancestor and _ancestor(el, self.not_ancestor):
            return False
        if self.sibling and not any(text(c) == self.sibling[1] for c in parent.iterfind(self.sibling[0])):
            return False
        if self.indicator is not None:
            return boolean_compare(parent.iterfind(self.indicator_path), self.indicator)  # the official '= true()'
        return True

    def value(self, el: Any) -> str | None:
        return el.get(self.attr) if self.attr is not None else text(el)

    def holds(self, el: Any, value: str | None, lists: Any) -> bool:
        """Whether the value passes, with the lists of the run's release (``lists[name]``: its codes)."""
        if self.test == "exact":
            return value in lists[self.list]
        if self.test == "note":
            return _note_ok(value, self.list)
        if _member(lists[self.list], value, upper=self.test == "upper"):
            return True
        return self.also is not None and _member(lists[self.also[0]], value) and _ancestor(el, self.also[1])


@functools.cache
def _table(syntax: str) -> dict[str, list[_Row]]:
    """The rows of one syntax by element tag, in the official order."""
    data = load_yaml(STRUCTURE / "en16931-codes.yaml")[syntax]
    by_tag: dict[str, list[_Row]] = {}
    for raw in data["rows"]:
        row = _Row(raw, data["indicator"])
        for tag in _tags(raw["tags"]):
            by_tag.setdefault(tag, []).append(row)
    return by_tag


@functools.cache
def _lists(release: Any, syntax: str) -> dict[str, frozenset]:
    """The code lists the rows of a syntax name, as a release has them (a dict lookup per value)."""
    rows = [row for rows in _table(syntax).values() for row in rows]
    return {name: release.codes(name, syntax) for row in rows for name in (row.list, *(row.also or ())[:1])}


def _tree_failures(doc: Document) -> dict[str, list]:
    """Every code-list failure in one pass over the tree: rule id -> (element, message parameters)."""
    table, root = _table(doc.syntax.value), doc.root
    lists = _lists(releases.of(doc, "en16931"), doc.syntax.value)  # (earlier releases: other editions of lists)
    out: dict[str, list] = {rid: [] for rid in _CL_IDS}
    for el in elements_named(doc, table):  # (lxml's walk sets up the table's 31 UBL names per call: 4x on small documents)
        parent = el.getparent()
        for row in table[el.tag]:
            if row.matches(el, parent, root):
                value = row.value(el)
                if not row.holds(el, value, lists):
                    out[row.rule].append((el, {"value": norm(value) if value is not None else ""}))
                break
    return out


def _failures(doc: Document) -> dict[str, list]:
    store = doc.__dict__.setdefault("_en16931_codes", {})
    if "f" not in store:
        tree = on_tree(doc)
        found = _tree_failures(tree)
        # only the ids that failed: a clean document gives an empty result, and the family is skipped
        store["f"] = {rid: hits for rid, hits in found.items() if hits}
    return store["f"]


# one family: the code lists are checked in one pass, clean documents skip every id at once
RULES.family(_CL_IDS, _failures, name="en16931:code-lists")
