"""Small types every layer shares, kept free of pydantic so the rule engine loads without the model.

:class:`Syntax` and :class:`Origin` / :func:`element_origin` are re-exported from
their historical places (:mod:`einvoice.model.invoice`, :mod:`einvoice.model.base`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from .errors import raise_outside


def says_nothing(text: Any) -> bool:
    """Whether a value given as text is blank: nothing but white space and marks no one sees (format characters: a
    zero-width space, a soft hyphen, a direction mark). A buyer reference of one zero-width space was taken as given."""
    if text is None:
        return True
    from unicodedata import category

    return all(ch.isspace() or category(ch) == "Cf" for ch in str(text))


class Syntax(str, Enum):
    UBL = "ubl"
    CII = "cii"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a value stands in the source document."""

    xpath: str | None
    line: int | None


def element_origin(el: Any, paths: "PathCache | None" = None) -> Origin:
    """XPath (with namespace prefixes where the document has them) and line of an lxml element.

    ``paths``, kept by the caller for one document, remembers the paths and sibling
    positions already worked out: locating many findings in a large or deep document
    (100,000 lines, 100 levels) stays linear instead of walking and counting again.
    """
    if el is None:
        return Origin(None, None)
    try:
        xpath = (paths or PathCache()).path(el)
    except Exception as exc:  # pragma: no cover - defensive: a location is a courtesy
        raise_outside(exc)
        xpath = None
    return Origin(xpath, getattr(el, "sourceline", None))


def first_child(el: Any, tag: str) -> Any:
    """The first child element of ``el`` with this (Clark) tag, as the readers take it; None when there is none
    (or ``el`` is None)."""
    if el is None:
        return None
    for c in el:
        if c.tag == tag:
            return c
    return None


def children(el: Any, *tags: str) -> Any:
    """The child elements of ``el`` with one of the (Clark) tags, in document order: read in Python where there
    are a few children (about twice as quick as lxml's tag filter, which parses the names at each call), by
    lxml's filter where there are many (thousands of siblings are not walked in Python)."""
    return el.iterchildren(*tags) if len(el) > 16 else [c for c in el if c.tag in tags]


def children_by_tag(el: Any) -> dict[str, list]:
    """The child nodes of ``el`` grouped by tag, each list in document order (callers keep it per document)."""
    idx: dict = {}
    for c in el:
        lst = idx.get(c.tag)
        if lst is None:
            idx[c.tag] = [c]
        else:
            lst.append(c)
    return idx


def index_tree(root: Any, path_names: int) -> tuple[dict, list, list, list, frozenset]:
    """The element index the rule tables share, once per document (``einvoice.rules.tree``): ``root`` and its
    descendant elements (no comments, processing instructions or entity references), in document order, as

    * ``index``: tag -> the elements of that tag, and ``index[None]``: every element;
    * ``tags``: each element's tag (lxml makes a new string at each read of ``.tag``);
    * ``pids``: each element's number of its tag path (the same number for the same path);
    * ``paths``: per number, the path's length and its last ``path_names`` names (the first: the root's, its
      ancestors, if any, starting it);
    * ``keys``: the element names and the (parent name, name) pairs the document has.

    Worked out by the compiled ``einvoice._cindex`` where ``einvoice speedups`` built it against this lxml; else here
    (the same result: the tests compare them)."""
    fast = _INDEX[0]
    if fast is None:
        fast = _INDEX[0] = _compiled_index()
    if fast is not False and isinstance(root.tag, str):  # (an element: a comment or a processing instruction is walked here)
        return fast(root, path_names)
    from lxml import etree

    index: dict = {}
    every = list(root.iter(etree.Element))  # elements only, filtered in C
    tags, pids, paths, keys = [], [], [], set()
    numbers: dict = {}  # (parent's number, tag) -> number
    of: dict = {}  # element -> its number
    get = index.get
    for el in every:
        tag = el.tag
        tags.append(tag)
        lst = get(tag)
        if lst is None:
            index[tag] = [el]
        else:
            lst.append(el)
        key = (of.get(el.getparent(), -1), tag)  # -1: the first element
        pid = of[el] = numbers.setdefault(key, len(paths))
        if pid == len(paths):
            up = () if key[0] >= 0 else tuple(a.tag for a in reversed(list(el.iterancestors())))
            depth, names = paths[key[0]] if key[0] >= 0 else (len(up), up)
            paths.append((depth + 1, (names + (tag,))[-path_names:]))
            if key[0] >= 0:
                keys.add(paths[-1][1][-2:])
        pids.append(pid)
    index[None] = every
    keys.update(t for t in index if t is not None)
    return index, tags, pids, paths, frozenset(keys)


_INDEX: list = [None]  # the compiled index_tree, False without one (looked for at the first document)


def _compiled_index() -> Any:
    try:
        from ._cindex import index_tree as fast
    except ImportError:  # not compiled, compiled for another lxml, or EINVOICE_PURE
        return False
    return fast


class PathCache:
    """The XPaths of one document's elements (see :func:`element_origin`): each element's step, its name and
    its position among its siblings of that name, is worked out once; a path is its ancestors' steps joined
    (from the nearest ancestor whose path was asked for), so what is kept is the size of the paths asked for
    and of their steps, however deep the elements nest."""

    def __init__(self) -> None:
        self.paths: dict = {}  # element -> its XPath, for the elements asked for
        self.steps: dict = {}  # element -> its step
        self.siblings: dict = {}
        self.roots: dict = {}  # the root's declarations, read once (see _step_name)

    def path(self, el: Any) -> str:
        known = self.paths.get(el)
        if known is None:
            steps, node = [self._step(el)], el.getparent()  # (ancestors walked without recursion: a deeply
            while node is not None and node not in self.paths:  # nested document would exhaust the stack)
                steps.append(self._step(node))
                node = node.getparent()
            head = self.paths[node] if node is not None else ""
            known = self.paths[el] = f"{head}/{'/'.join(reversed(steps))}"
        return known

    def _step(self, el: Any) -> str:
        step = self.steps.get(el)
        if step is None:
            step = _step_name(el, self.roots)
            parent = el.getparent()
            if parent is not None:
                where = self.siblings.get(parent)
                if where is None:
                    where = self.siblings[parent] = _sibling_positions(parent)
                if where[1][el.tag] > 1:
                    step = f"{step}[{where[0][el]}]"
            self.steps[el] = step
        return step


def _sibling_positions(parent: Any) -> tuple[dict, dict]:
    """Each child's 1-based position among the children of its tag, and the count per tag."""
    counts: dict = {}
    where: dict = {}
    for child in parent:
        counts[child.tag] = where[child] = counts.get(child.tag, 0) + 1
    return where, counts


def _step_name(node: Any, roots: dict | None = None) -> str:
    """A path step's name: the element's own prefix (lxml's ``prefix``, found at once; ``nsmap`` is rebuilt from every
    declaration in scope at each read, and 20,000 declarations on the root made locating 1,000 findings take
    minutes); without one, no prefix where its namespace is the root's default, a prefix the root binds to it, or
    :func:`fallback_prefix` (``roots``: the root's declarations, kept by the caller for one document)."""
    qname = node.tag
    if isinstance(qname, str) and qname.startswith("{"):
        ns, local = qname[1:].split("}", 1)
        prefix = node.prefix
        root = roots.get("root", False) if roots is not None else False
        if root is False:  # (the root, found once per document)
            root = node.getroottree().getroot()
            if roots is not None:
                roots["root"] = root
        if prefix and (root is None or _bound_first(prefix, root, roots) == ns):
            return f"{prefix}:{local}"
        if root is None or root.prefix is None and root.tag.startswith(f"{{{ns}}}"):
            return local  # (the root's own namespace, unprefixed there: the default one)
        mapping = roots.get("map") if roots is not None else None
        if mapping is None:
            mapping = {uri: p for p, uri in reversed(list((root.nsmap or {}).items()))}  # (the first prefix of a URI)
            if roots is not None:
                roots["map"] = mapping
        found = mapping.get(ns, False)
        if found is None:
            return local  # (the document's default namespace)
        return f"{found or fallback_prefix(ns)}:{local}"  # (a default namespace declared below the root: another one)
    return str(qname)


def _bound_first(prefix: str, root: Any, roots: dict | None) -> str | None:
    """The namespace a findings' path reads ``prefix`` as (see :func:`xpath_namespaces`): the root's binding, else
    the first in document order. An element whose own prefix is bound to another namespace there (``<cbc:Note
    xmlns:cbc="urn:other">`` inside a UBL invoice) gets a step of its own namespace's prefix instead, not one
    that names another element or none."""
    known = roots.setdefault("bound", {}) if roots is not None else {}
    if prefix not in known:
        found = (root.nsmap or {}).get(prefix) if root is not None else None
        if found is None and root is not None:
            found = next((el.nsmap[prefix] for el in root.iter() if isinstance(el.tag, str) and prefix in el.nsmap),
                         None)
        known[prefix] = found
    return known[prefix]


def fallback_prefix(uri: str) -> str:
    """The prefix a path gives a namespace that has none where the element stands and is not the document's
    default one (a default namespace declared below the root): 'ns' and eight hex digits of the URI's CRC-32."""
    import zlib

    return f"ns{zlib.crc32(uri.encode('utf-8', 'surrogatepass')):08x}"


_PATH_PREFIX = re.compile(r"(?:^|/|\[|\(|\s|::)([A-Za-z_][\w.-]*):(?!:)")  # a prefix of a path step


def xpath_namespaces(root: Any, xpaths: Any) -> dict[str, str]:
    """The prefixes the findings' paths use, with their namespaces (``""``: the default one): the root's declarations,
    and those of a prefix declared below it or given by :func:`fallback_prefix` (looked for only when a path uses one
    the root does not declare; a prefix bound twice keeps its first binding in document order)."""
    out = {k or "": v for k, v in (root.nsmap or {}).items()}
    missing = {p for x in xpaths if x for p in _PATH_PREFIX.findall(x)} - set(out)
    if missing:
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            for p, uri in (el.nsmap or {}).items():
                if p in missing and p not in out:
                    out[p] = uri
            if el.tag.startswith("{"):
                uri = el.tag[1:].split("}", 1)[0]
                p = fallback_prefix(uri)
                if p in missing and p not in out:
                    out[p] = uri
            if missing <= set(out):
                break
    return out


HINT_UBL, HINT_CII = "[ubl: ", " | cii: "  # a hint's part written per syntax: "[ubl: cbc:Percent | cii: ram:RateApplicablePercent]"
_HINT_MARKS = re.compile(r"\[|\]|" + re.escape(HINT_CII))  # what words_for reads in a part (the rest is copied)


def words_for(hint: str | None, syntax: str | None) -> str | None:
    """A hint or message in the words of the document's syntax ('ubl' or 'cii'): each ``[ubl: X | cii: Y]`` of the
    rule tables becomes X or Y; without a syntax (a rule listed, not found in a document), "X (UBL) / Y (CII)".

    >>> words_for("Add [ubl: cbc:Percent | cii: ram:RateApplicablePercent] to each VAT breakdown.", "cii")
    'Add ram:RateApplicablePercent to each VAT breakdown.'
    >>> words_for("Set [ubl: cac:X[cbc:ID='VAT']/cbc:CompanyID | cii: ram:ID[@schemeID='VA']].", None)
    "Set cac:X[cbc:ID='VAT']/cbc:CompanyID (UBL) / ram:ID[@schemeID='VA'] (CII)."
    """
    if not hint or HINT_UBL not in hint:
        return hint
    out, at = [], 0
    while (start := hint.find(HINT_UBL, at)) >= 0:
        depth, bar, end = 0, -1, len(hint)  # the closing ']' at depth 0 (paths have predicates), read mark by mark
        for mark in _HINT_MARKS.finditer(hint, start + len(HINT_UBL)):
            found = mark.group()
            if found == "]":
                if not depth:
                    end = mark.start()
                    break
                depth -= 1
            elif found == "[":
                depth += 1
            elif bar < 0 and not depth:
                bar = mark.start()
        if bar < 0 or end >= len(hint):  # not written as the tables write it (a test holds every table's hints)
            break
        ubl, cii = hint[start + len(HINT_UBL):bar], hint[bar + len(HINT_CII):end]
        out += [hint[at:start], ubl if syntax == "ubl" else cii if syntax == "cii" else f"{ubl} (UBL) / {cii} (CII)"]
        at = end + 1
    return "".join(out) + hint[at:]


def clipped(value: object, limit: int = 120) -> object:
    """A text longer than ``limit`` as its start, '...' and its end (a value quoted in a message: a 300,000-digit
    invoice number is no message); anything else as it is."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit - 40]}...{value[-16:]}"
    return value


def with_severity(targets: Any, level: str) -> list:
    """A rule's targets reported at ``level`` (a finding's parameter the engine reads; a scenario's level of its own)."""
    from .rules.engine import Severity

    said = {"severity": Severity(level)}
    return [(*t[:-1], {**t[-1], **said}) if isinstance(t, tuple) and t and isinstance(t[-1], dict)
            else (*t, said) if isinstance(t, tuple) else (t, said) for t in targets or ()]


def stated_text(el: Any) -> str:
    """What an element a finding stands at states (its text, white space collapsed), a message's {value} where the rule
    names no value of its own; '' for no element, or for one holding others, whose text is no value."""
    return " ".join("".join(el.itertext()).split()) if hasattr(el, "itertext") and not len(el) else ""


class SharedXPath:
    """An XPath compiled once and called like lxml's ``etree.XPath`` from every thread, and from a forked child.

    lxml locks an evaluator while it runs. A process forked while another thread held that lock (a thread pool
    validating, then ``os.fork`` or a ``fork`` multiprocessing pool) would find it held for good in the child, and
    the child's first validation would hang there: after a fork each evaluator is compiled again on first use
    (the old one is kept, never freed with its lock held)."""

    __slots__ = ("text", "namespaces", "_ev", "_gen", "_names")

    def __init__(self, text: str, namespaces: dict | None = None):
        from lxml import etree

        self.text, self.namespaces = text, namespaces
        global _ELEMENT
        self._ev = etree.XPath(text, namespaces=namespaces)  # (an invalid expression fails here, as lxml's does)
        self._gen = _FORKS[0]
        self._names = _child_steps(text, namespaces)
        _ELEMENT = etree._Element

    def __call__(self, node: Any, **variables: Any) -> Any:
        names = self._names
        if names is not None and not variables and isinstance(node, _ELEMENT) and isinstance(node.tag, str):
            found = [node]  # child steps from one element: each step's nodes in document order, none twice
            # (a comment or processing instruction as the context: lxml's evaluator, which refuses it)
            for name in names:
                found = [c for n in found for c in (n.iterchildren(name) if len(n) > 16 else n) if c.tag == name]
            return found
        if self._gen != _FORKS[0]:
            self._renew()
        return self._ev(node, **variables)

    def _renew(self) -> None:
        from lxml import etree

        _STALE.append(self._ev)
        self._ev = etree.XPath(self.text, namespaces=self.namespaces)
        self._gen = _FORKS[0]


_STEP = re.compile(r"([A-Za-z_][\w.-]*):([A-Za-z_][\w.-]*)")


def _child_steps(text: str, namespaces: dict | None) -> tuple[str, ...] | None:
    """The Clark names of a path of named child steps (``cac:A/cbc:B``), which :class:`SharedXPath` selects
    itself, without lxml's evaluator (about a fifth of its cost); None for any other expression."""
    names = []
    for step in text.split("/"):
        m = _STEP.fullmatch(step)
        if m is None or m[1] not in (namespaces or {}):
            return None
        names.append(f"{{{namespaces[m[1]]}}}{m[2]}")
    return tuple(names)


_ELEMENT: Any = ()  # lxml's element class, set by the first SharedXPath (isinstance of () is False)
_FORKS = [0]  # forks this process has come out of as the child
_STALE: list = []  # evaluators of the parent, left as they were


def _forked() -> None:
    _FORKS[0] += 1


if hasattr(__import__("os"), "register_at_fork"):
    __import__("os").register_at_fork(after_in_child=_forked)
