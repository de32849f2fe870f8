"""Structural rules evaluated on the XML tree, driven by tables.

The syntax families (UBL-SR/CR/DT, CII-SR/DT) and the Factur-X profile
restrictions are long lists of "this element must not occur here", "this
element occurs at most once", "this attribute is required". They are kept as
data (``schemas/structure/*.yaml``) and evaluated here in one pass over the
tree per document:

* a table is a list of *groups*; a group is an ordered list of *contexts*
  and, as in a schematron pattern, each element is handled by the first
  context of a group that matches it;
* a context is a match pattern (location steps, ``|`` for alternatives,
  ``//`` for "anywhere") with a list of *checks* ``[rule id, kind, path, ...]``;
* kinds: ``absent`` (the path selects nothing), ``present`` (it selects
  something), ``max`` / ``min`` / ``exactly`` (a count), ``filled`` (the first
  node the path selects has text after normalize-space; of ``a | b``, either
  path's first node will do), ``decimals`` (the first node, if any, has at most
  two decimals), ``codelist`` (the context's value, or an attribute of it, is in
  a named list) and ``custom`` (a Python function registered by the family module).

The result of a document is computed once (cached on the Document) and each
registered rule only looks its own targets up.

Paths are a small subset of XPath location paths: child steps ``p:Name``,
``*``, ``..``, ``@attr``, ``//`` (descendants), ``(a|b)`` alternatives in a
step, and predicates ``[...]`` made of paths, ``=``/``!=`` against a string
literal or ``true()``/``false()``, ``normalize-space(...)``,
``upper-case(...)``, ``not(...)``, ``and``, ``or``; in the paths of checks, ``[1]`` (a step's first node).
"""

from __future__ import annotations

import re
import threading
from itertools import compress, groupby, islice
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable


from ..basics import children, index_tree, stated_text
from ..data import SCHEMAS
from ..syntax import namespaces as ns
from . import values as V
from .engine import rule_failure
from .releases import of as _release_of
from .values import normalize_space, string_value

STRUCTURE = SCHEMAS / "structure"

PREFIXES = {**ns.UBL_NS, **ns.CII_NS, "xs": "http://www.w3.org/2001/XMLSchema"}


# --------------------------------------------------------------------------- paths

_TOKEN = re.compile(r"""\s*(?:
      (?P<str>'[^']*'|"[^"]*")
    | (?P<num>\d+(?:\.\d+)?)
    | (?P<op>//|/|\[|\]|\(|\)|\||!=|<=|>=|=|<|>|,|\.\.|\.|@)
    | (?P<name>[A-Za-z_][\w.-]*(?::(?:[A-Za-z_][\w.-]*|\*))?|\*)
    )""", re.X)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot read path {text!r} at {pos}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


@dataclass(slots=True)  # (slots: the attributes read per element cost no instance dict, compiled or not)
class Step:
    axis: str  # child, desc, parent, self, attr, root
    names: tuple[str, ...] = ()  # Clark names ("*" any); attribute names for attr
    preds: list[Callable[[Any], bool]] = field(default_factory=list)


def _clark(qname: str) -> str:
    if qname == "*":
        return "*"
    if ":" in qname:
        prefix, local = qname.split(":", 1)
        return f"{{{PREFIXES[prefix]}}}{local}"
    return qname


_PREDS: dict[tuple, Callable[[Any], bool]] = {}


def _FIRST(node: Any) -> bool:
    """The predicate ``[1]``: :func:`select` keeps the first node of a step; no match pattern can use it."""
    raise ValueError("[1] is read in the paths of checks only")


class _Parser:
    """Recursive descent over the path / predicate subset described in the module docstring."""

    def __init__(self, text: str):
        self.toks = _tokens(text)
        self.i = 0
        self.text = text

    def peek(self, k: int = 0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else (None, None)

    def take(self, value: str | None = None):
        tok = self.peek()
        if value is not None and tok[1] != value:
            raise ValueError(f"expected {value!r} in {self.text!r}, got {tok[1]!r}")
        self.i += 1
        return tok

    # paths -----------------------------------------------------------------
    def path(self) -> list[Step]:
        steps: list[Step] = []
        kind, val = self.peek()
        if val == "//":
            self.take()
            steps.append(Step("root"))
            steps.append(self.step(desc=True))
        elif val == "/":
            self.take()
            steps.append(Step("root"))
            steps.append(self.step())
        else:
            steps.append(self.step())
        while self.peek()[1] in ("/", "//"):
            sep = self.take()[1]
            steps.append(self.step(desc=sep == "//"))
        return steps

    def step(self, desc: bool = False) -> Step:
        kind, val = self.peek()
        if val == "..":
            self.take()
            return Step("parent")
        if val == ".":
            self.take()
            st = Step("self")
        elif val == "@":
            self.take()
            name = self.take()[1]
            st = Step("attr", (name,))
        elif val == "(":  # (a|b) alternatives of one step
            self.take()
            names = [_clark(self.take()[1])]
            while self.peek()[1] == "|":
                self.take()
                names.append(_clark(self.take()[1]))
            self.take(")")
            st = Step("desc" if desc else "child", ("*",) if "*" in names else tuple(names))  # (* takes every one)
        elif kind == "name" and val.startswith("self::"):
            self.take()
            st = Step("self", (_clark(val[6:]),))
        else:
            self.take()
            st = Step("desc" if desc else "child", (_clark(val),))
        while self.peek()[1] == "[":
            self.take()
            if self.peek() == ("num", "1") and self.peek(1)[1] == "]":  # [1]: the first (in check paths)
                self.take()
                self.take("]")
                st.preds.append(_FIRST)
                continue
            start = self.i  # one predicate object per text: its result is kept per element (see _preds_hold)
            pred = self.expr()
            st.preds.append(_PREDS.setdefault(tuple(self.toks[start:self.i]), pred))
            self.take("]")
        return st

    # predicates ---------------------------------------------------------------
    def expr(self) -> Callable[[Any], bool]:
        left = self.conj()
        while self.peek()[1] == "or":
            self.take()
            left = (lambda a, b: lambda n: a(n) or b(n))(left, self.conj())
        return left

    def conj(self) -> Callable[[Any], bool]:
        left = self.cmp()
        while self.peek()[1] == "and":
            self.take()
            left = (lambda a, b: lambda n: a(n) and b(n))(left, self.cmp())
        return left

    def cmp(self) -> Callable[[Any], bool]:
        kind, val = self.peek()
        if val == "not" and self.peek(1)[1] == "(":
            self.take()
            self.take("(")
            inner = self.expr()
            self.take(")")
            return lambda n: not inner(n)
        if val == "(":
            self.take()
            inner = self.expr()
            self.take(")")
            return inner
        values = self.operand()
        op = self.peek()[1]
        if op in ("=", "!="):
            self.take()
            k2, v2 = self.peek()
            if k2 not in ("str", "num") and v2 not in ("true", "false"):
                other = self.operand()  # general comparison of two node sets

                def test_nodes(n, values=values, other=other, eq=op == "="):
                    right = other(n)
                    return any((a == b) == eq for a in values(n) for b in right)
                return test_nodes
            self.take()
            if k2 == "str":
                lit: Any = v2[1:-1]
            elif v2 in ("true", "false"):
                self.take("(")
                self.take(")")
                lit = v2 == "true"
            else:
                lit = v2
            if isinstance(lit, bool):
                def test(n, values=values, lit=lit, eq=op == "="):
                    return V.boolean_compare(values(n), lit, eq)
            else:
                def test(n, values=values, lit=lit, eq=op == "="):
                    return any((v == lit) == eq for v in values(n))
            return test
        alts = getattr(values, "alts", None)
        if alts is not None:  # [path]: true when the path selects a node; the first one found decides
            return lambda n: first_any(n, alts) is not _NONE
        return lambda n: bool(values(n))

    def operand(self) -> Callable[[Any], list[str]]:
        kind, val = self.peek()
        if val in ("normalize-space", "upper-case") and self.peek(1)[1] == "(":
            self.take()
            self.take("(")
            inner = self.operand()
            self.take(")")
            fn = normalize_space if val == "normalize-space" else str.upper
            # XPath 2.0: the function of an empty sequence is the function of "" (upper-case(()) = "")
            return lambda n: [fn(v) for v in inner(n)] or [fn("")]
        alts = [_fix_absolute(self.path())]
        if all(alt and alt[0].axis == "root" for alt in alts):
            return lambda n: _absolute_values(alts, n)
        path_values = lambda n, alts=alts: [string_value(x) for x in select_any(n, alts)]  # noqa: E731
        st = alts[0][0] if len(alts[0]) == 1 and alts[0][0].preds in ([], [_FIRST]) else None  # ".", "ram:X[1]": directly
        if st is not None and st.axis == "self" and not st.names and not st.preds:
            path_values = lambda n: [string_value(n)]  # noqa: E731
        elif st is not None and st.axis == "child" and len(st.names) == 1 and st.names != ("*",):
            path_values = lambda n, t=st.names[0], k=1 if st.preds else None: [string_value(c) for c in (  # noqa: E731
                n.iterchildren(t) if len(n) > 16 else n) if c.tag == t][:k]  # (children as in _step; [1]: the first)
        path_values.alts = alts  # read by cmp: a bare path predicate asks only whether it selects something
        return path_values


_NAME = re.compile(r"(?:[A-Za-z_][\w.-]*(?::(?:[A-Za-z_][\w.-]*|\*))?|\*)\Z")
_NOT_PLAIN = re.compile(r"[\[\]()|'\"=!<>,\s]|::")


def _plain_segments(rest: str, first_desc: bool = False) -> list[tuple[str, str | None]] | None:
    """(axis, name as written) of each step of a relative path made of names, ``@name``, ``.`` and ``..``
    (None for anything else); with ``first_desc`` the first step is a descendant step (after ``//``)."""
    out: list[tuple[str, str | None]] = []
    for i, seg in enumerate(rest.split("/")):
        if seg == "..":
            out.append(("parent", None))
        elif seg == ".":
            out.append(("self", None))
        elif seg.startswith("@") and _NAME.match(seg, 1):
            out.append(("attr", seg[1:]))
        elif seg and _NAME.match(seg):
            out.append(("desc" if (i == 0 and first_desc) else "child", seg))
        else:
            return None
    return out


def _parse_plain(text: str) -> list[Step] | None:
    """The steps of a path made of names, ``@name``, ``.`` and ``..`` only (None for anything else);
    the same steps the full parser gives, without its tokenizer."""
    if _NOT_PLAIN.search(text):
        return None
    absolute = text.startswith("/")
    first_desc = text.startswith("//")
    segs = _plain_segments(text[2:] if first_desc else text[1:] if absolute else text, first_desc)
    if segs is None:
        return None
    return [Step("root")] * absolute + [Step(ax) if name is None else Step(ax, (name,) if ax == "attr" else (_clark(name),))
                                        for ax, name in segs]


def _plain_combos(text: str) -> list[list[str]] | None:
    """The element names (Clark) and a last ``@attribute`` of a relative path of named child steps
    (``cac:A/cbc:B/@c``), read from its text: what :func:`_expand` gives for its compiled steps; None otherwise."""
    if _NOT_PLAIN.search(text) or text.startswith("/") or "*" in text:
        return None
    segs = _plain_segments(text)
    if segs is None:
        return None
    names = []
    for i, (ax, name) in enumerate(segs):
        if ax == "child":
            names.append(_clark(name))
        elif ax == "attr" and i == len(segs) - 1:
            names.append(f"@{name}")
        else:  # '.', '..', or an attribute before the last step
            return None
    return [names]


def parse_path(text: str) -> list[Step]:
    plain = _parse_plain(text.strip())
    if plain is not None:
        return plain
    p = _Parser(text)
    steps = p.path()
    if p.i != len(p.toks):
        raise ValueError(f"trailing text in path {text!r}")
    return steps


def _step(node: Any, st: Step) -> Iterable:
    """The nodes one location step (any axis but the root) selects from an element, its predicates
    applied, in order (an iterable: read as far as needed)."""
    ax = st.axis
    if ax == "child":
        cands: Iterable = ((c for c in node if isinstance(c.tag, str)) if st.names == ("*",) else node.iterchildren(
            *st.names) if len(node) > 16 else [c for c in node if c.tag in st.names])  # (as basics.children)
    elif ax == "desc":
        cands = ((c for c in node.iterdescendants() if isinstance(c.tag, str)) if st.names == ("*",)
                 else node.iterdescendants(*st.names))
    elif ax == "parent":
        p = node.getparent()
        cands = (p,) if p is not None else ()
    elif ax == "self":
        cands = (node,) if not st.names or node.tag in st.names else ()
    elif ax == "attr":
        v = node.get(st.names[0])
        cands = (v,) if v is not None else ()
    else:  # pragma: no cover
        return ()
    for pr in st.preds:
        cands = islice(cands, 1) if pr is _FIRST else filter(pr, cands)
    return cands


def select(node: Any, steps: list[Step]) -> list:
    """Nodes (elements, or attribute values as str) a compiled path selects from an element."""
    current = [node]
    for st in steps:
        if st.axis == "root":  # "/" then a first child step names the root itself: handled by a self-like match
            current = [node.getroottree().getroot()]
        else:
            current = [x for n in current if not isinstance(n, str) for x in _step(n, st)]
    return current


def _fix_absolute(steps: list[Step]) -> list[Step]:
    """``/a/b``: the first step after the root names the root element itself."""
    if steps and steps[0].axis == "root" and len(steps) > 1 and steps[1].axis == "child":
        first = steps[1]
        return [steps[0], Step("self", first.names, first.preds), *steps[2:]]
    if steps and steps[0].axis == "root" and len(steps) > 1 and steps[1].axis == "desc":
        # //x from the root: the root itself or any descendant
        first = steps[1]
        return [steps[0], Step("desc-or-self", first.names, first.preds), *steps[2:]]
    return steps


def compile_path(text: str) -> list[list[Step]]:
    """A path, or ``a | b`` alternatives of paths."""
    out = []
    for alt in _split_top(text, "|"):
        out.append(_fix_absolute(parse_path(alt)))
    return out


def _split_top(text: str, sep: str) -> list[str]:
    if sep not in text:  # most paths: one alternative (no character walk when compiling a table)
        text = text.strip()
        return [text] if text else []
    parts, depth, cur = [], 0, []
    for piece in text.split(sep):  # a separator splits where the brackets before it are balanced
        cur.append(piece)
        depth += piece.count("(") + piece.count("[") - piece.count(")") - piece.count("]")
        if depth == 0:
            parts.append(sep.join(cur))
            cur = []
    parts.append(sep.join(cur))
    return [p.strip() for p in parts if p.strip()]


_NONE = object()  # what first_any finds when a path selects nothing


def _first(node: Any, steps: list[Step], i: int) -> Any:
    """The first node ``select(node, steps[i:])`` gives (depth first: select keeps each step's order), or _NONE."""
    if i == len(steps):
        return node
    if isinstance(node, str):
        return _NONE
    st = steps[i]
    if st.axis == "root":  # as select does
        return _first(node.getroottree().getroot(), steps, i + 1)
    for c in _step(node, st):
        found = _first(c, steps, i + 1)
        if found is not _NONE:
            return found
    return _NONE


def first_any(node: Any, alts: list[list[Step]]) -> Any:
    """``select_any(node, alts)[0]`` without selecting the rest (_NONE when it selects nothing)."""
    for steps in alts:
        absolute = steps and steps[0].axis == "root"
        found = (select_any(node, [steps]) or [_NONE])[0] if absolute else _first(node, steps, 0)
        if found is not _NONE:
            return found
    return _NONE


def select_any(node: Any, alts: list[list[Step]]) -> list:
    out: list = []
    for steps in alts:
        if steps and steps[0].axis == "root":  # /a: the root when it is an a; //a: also every a below it
            root = node.getroottree().getroot()
            first = steps[1]
            start = [root] if first.names == ("*",) or root.tag in first.names else []
            if first.axis == "desc-or-self":
                below = None if first.names == ("*",) else _indexed_descendants(root, first.names)
                start += root.iterdescendants(*([] if first.names == ("*",) else first.names)) if below is None else below
            for s in start:
                if isinstance(s.tag, str) and all(p(s) for p in first.preds):
                    out.extend(select(s, steps[2:]))
        else:
            out.extend(select(node, steps))
    return out


# --------------------------------------------------------------------------- match patterns

class Pattern:
    """A match pattern (schematron rule context): does an element match?"""

    __slots__ = ("text", "alts")

    def __init__(self, text: str):
        self.text = text
        self.alts = [self._compile(a) for a in _split_top(text, "|")]

    @staticmethod
    def _compile(text: str):
        steps = parse_path(text.strip())
        anchored = bool(steps) and steps[0].axis == "root" and steps[1].axis == "child"
        if steps and steps[0].axis == "root":
            steps = steps[1:]
            if not anchored:
                steps[0] = Step("desc", steps[0].names, steps[0].preds)
        return anchored, steps

    def path_test(self, path: tuple) -> Any:
        """Whether an element whose tag path (its length and last names, see :func:`doc_paths`) is ``path`` matches:
        True or False when the path alone decides it, None when it does not (steps other than child steps, or more
        than the names kept), else the predicates left to test, per alternative ``((levels up, predicate), ...)``."""
        depth, names = path
        undecided, left = False, []
        for anchored, steps in self.alts:
            if any(st.axis != "child" for st in steps[1:]) or steps[0].axis not in ("child", "desc") \
                    or len(steps) > len(names):
                undecided = True
                continue
            if anchored:
                if steps[0].axis != "child" or depth != len(steps):
                    undecided = undecided or steps[0].axis != "child"
                    continue
            elif depth < len(steps):
                continue
            tail = names[len(names) - len(steps):]
            if all(st.names == ("*",) or tag in st.names for st, tag in zip(steps, tail)):
                preds = tuple((len(steps) - 1 - i, p) for i, st in enumerate(steps) for p in st.preds)
                if not preds:
                    return True
                left.append(preds)
        return None if undecided else (left or False)

    def last_names(self) -> set[str]:
        return {n for _, steps in self.alts for n in steps[-1].names}

    def matches(self, el: Any, memo: dict) -> bool:
        """``memo`` (one per document evaluation) keeps whether an ancestor matched a pattern's leading
        steps: siblings share their ancestors, so each ancestor is tested once per pattern prefix."""
        return any(_match_steps(el, steps, len(steps) - 1, anchored, memo) for anchored, steps in self.alts)


def _step_ok(el: Any, st: Step) -> bool:
    return isinstance(el.tag, str) and (st.names == ("*",) or el.tag in st.names) and all(p(el) for p in st.preds)


def _match_steps(el: Any, steps: list[Step], i: int, anchored: bool, memo: dict) -> bool:
    st = steps[i]
    if not _step_ok(el, st):
        return False
    parent = el.getparent()
    if i == 0:
        return parent is None if anchored else True
    if st.axis == "desc":  # "//" before this step: any ancestor may match the previous step
        p = parent
        while p is not None:
            if _match_prefix(p, steps, i - 1, anchored, memo):
                return True
            p = p.getparent()
        return False
    return parent is not None and _match_prefix(parent, steps, i - 1, anchored, memo)


def _match_prefix(el: Any, steps: list[Step], i: int, anchored: bool, memo: dict) -> bool:
    """Whether an ancestor matches the steps up to ``i`` (a pure function of the element and the steps,
    so its result is kept in ``memo``)."""
    key = (id(steps), i, el)
    r = memo.get(key)
    if r is None:
        r = memo[key] = _match_steps(el, steps, i, anchored, memo)
    return r


def _preds_hold(el: Any, alts: tuple, memo: dict) -> bool:
    """Whether, for some alternative, each ``(levels up, predicate)`` holds on that ancestor of ``el`` (each
    predicate's result on an element kept in ``memo``: the children of one element share it)."""
    for preds in alts:
        for up, pred in preds:
            node = el
            for _ in range(up):
                node = node.getparent()
            r = memo.get((pred, node))
            if r is None:
                r = memo[(pred, node)] = bool(pred(node))
            if not r:
                break
        else:
            return True
    return False


# --------------------------------------------------------------------------- tables

_BOUNDED = ("absent", "present", "max", "min", "exactly")  # the kinds that count what a path selects


@dataclass(slots=True)
class Check:
    rule: str
    kind: str
    path: list[list[Step]] | None
    arg: Any = None
    text: str = ""
    fn: str | None = None  # custom / codelist: the function's name
    pid: int = -1  # index of the path in its context's trie (plain paths)
    # ``//a/b/@c``-like paths (no predicates): per alternative (element names, attribute or None), to
    # see from the document's element index, without selecting, that the path selects nothing
    quick: tuple | None = None
    combos: list[list[str]] | None = None  # a plain relative path's names, read from its text (path left None)
    skel: int = -1  # a count of a path with predicates: its trie index without them, a bound (see _run)
    need: tuple = ()  # an absolute path: per alternative, the element names its steps match (none in the document: nothing)

    def steps(self) -> list[list[Step]]:
        """The compiled path (compiled on first use when only its names were read)."""
        if self.path is None and self.combos is not None:
            self.path = compile_path(self.text)
        return self.path


@dataclass(slots=True)
class Wildcard:
    """A context given by name (``~amount``): a test on the tag, and optionally on the element."""

    tag: Callable[[str], bool]
    element: Callable[[Any], bool] | None = None
    elements: Callable[[Any], Iterable] | None = None  # every element it matches in a document, in order


class _Node:
    __slots__ = ("pids", "kids", "attrs", "deep")

    def __init__(self):
        self.pids: list[int] = []
        self.kids: dict[str, _Node] = {}
        self.attrs: dict[str, list[int]] = {}
        # tags of the elements a walk below this node (reached through a child of this tag) can count:
        # when none of them occurs in the document, the walk has nothing to find there
        self.deep: frozenset[str] = frozenset()


def _deep_terms(node: _Node, tag: str | None, parent: str | None = None) -> frozenset:
    """Set ``deep`` on a trie and its subtries: what the document must contain for a walk below
    ``node`` (reached through an element ``tag``, child of a ``parent``) to count anything.

    Each counted element is named by the pair (its parent's tag, its tag), or by its tag alone
    when its parent is the context element (whose tag the trie does not know). A walk can
    only count something when the document has one of these pairs (see :func:`doc_keys`).
    """
    below: set = set()
    for name, sub in node.kids.items():
        if sub.pids:
            below.add((tag, name) if tag is not None else name)
        below |= _deep_terms(sub, name, tag)
    if node.attrs and tag is not None:  # attributes counted on the element itself
        below.add((parent, tag) if parent is not None else tag)
    node.deep = frozenset(below)
    return node.deep


def doc_keys(doc: Any) -> frozenset:
    """The document's element names and (parent name, child name) pairs (built once per document)."""
    keys = doc.__dict__.get("_tree_keys")
    return _indexed(doc)["_tree_keys"] if keys is None else keys


@dataclass(slots=True)
class Context:
    pattern: Pattern | None
    checks: list[Check]
    wildcard: Wildcard | None = None
    trie: _Node | None = None
    npaths: int = 0
    simple: bool = False  # the match pattern is a single tag without predicates
    always: list[int] = field(default_factory=list)  # set by prepare (see there)
    on_count: list[list[int]] = field(default_factory=list)
    always_checks: list[Check] = field(default_factory=list)
    quiet_attrs: frozenset | None = None

    def prepare(self, customs: dict | None = None) -> None:
        """Merge the plain paths of the checks into one trie walked once per context element (for a
        generic custom check that finds nothing when its ``GATES`` path selects nothing, that path)."""
        root = _Node()
        n = 0
        for ck in self.checks:
            path = ck.path
            if ck.combos is not None:
                combos = ck.combos
            else:
                if ck.fn is not None:
                    gate = GATES.get(ck.fn) if (customs or {}).get(ck.fn) is GENERIC.get(ck.fn) else None
                    path = path_of(ck.arg[gate]) if gate and isinstance(ck.arg, dict) else None
                elif ck.kind not in _BOUNDED and not (
                        ck.kind in ("filled", "decimals") and len(path) == 1 and path[0][-1].axis != "attr"):
                    continue  # (the first node of one path to an element: the walk's first count)
                if path is None or not all(_plain(alt, ck.fn is None and ck.kind in _BOUNDED) for alt in path):
                    continue
                combos = [combo for alt in path for combo in _expand(alt)]
                ck.skel = -1 if all(_plain(alt) for alt in path) else n
            if ck.skel < 0:
                ck.pid = n
            for combo in combos:
                node = root
                for j, name in enumerate(combo):
                    if name.startswith("@"):
                        node.attrs.setdefault(name[1:], []).append(n)
                        break
                    node = node.kids.setdefault(name, _Node())
                    if j == len(combo) - 1:
                        node.pids.append(n)
            n += 1
        self.trie, self.npaths = (root if n else None), n
        if n:
            _deep_terms(root, None)
        # checks that can only fail when their path counted something ("absent", "max") are looked
        # at only then; every other check (custom, "present", "min", "exactly", ...) always
        self.always = []
        self.on_count: list[list[int]] = [[] for _ in range(n)]
        for i, ck in enumerate(self.checks):
            if max(ck.pid, ck.skel) >= 0 and (ck.kind in ("absent", "custom") or ck.kind == "max" and ck.arg >= 0):
                self.on_count[max(ck.pid, ck.skel)].append(i)
            else:
                self.always.append(i)
        self.always_checks = [self.checks[i] for i in self.always]
        self.quiet_attrs = frozenset(root.attrs) if n and not self.always else None  # None: checks to run in any case
        if self.pattern is not None and len(self.pattern.alts) >= 1:
            self.simple = all(len(steps) == 1 and not anchored and not steps[0].preds
                              for anchored, steps in self.pattern.alts)


def _plain(steps: list[Step], preds: bool = False) -> bool:
    """Child steps of named elements, and an attribute last (with ``preds``, their predicates left out: what
    such a path selects is among what the path without them selects; a predicate, [1] too, only filters)."""
    for i, st in enumerate(steps):
        if st.axis == "attr":
            if i != len(steps) - 1:
                return False
            continue
        if st.axis != "child" or st.preds and not preds or "*" in st.names:
            return False
    return True


def _expand(steps: list[Step]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for st in steps:
        names = [f"@{st.names[0]}"] if st.axis == "attr" else list(st.names)
        out = [o + [n] for o in out for n in names]
    return out


def _walk(el: Any, node: _Node, counts: list[int], firsts: list, tags: Any = None) -> None:
    """Count the trie's paths below ``el``; with ``tags`` (the document's element names),
    subtries whose counted elements the document does not have are not walked."""
    if node.attrs:
        for name, pids in node.attrs.items():
            if el.get(name) is not None:
                for p in pids:
                    counts[p] += 1
                    if firsts[p] is None:
                        firsts[p] = el
    kids = node.kids
    if kids:
        for child in el:
            sub = kids.get(child.tag)
            if sub is None:
                continue
            for p in sub.pids:
                counts[p] += 1
                if firsts[p] is None:
                    firsts[p] = child
            if (sub.kids or sub.attrs) and (tags is None or not sub.deep.isdisjoint(tags)):
                _walk(child, sub, counts, firsts, tags)


# --------------------------------------------------------------------------- per-document index

def tag_index(doc: Any) -> dict[str, list]:
    """Element name -> the document's elements of that name, in document order (built once per document).

    Comments and processing instructions are left out; ``index[None]`` is every element in order.
    """
    index = doc.__dict__.get("_tag_index")
    return _indexed(doc)["_tag_index"] if index is None else index


def _indexed(doc: Any) -> dict:
    """The document's element index, tag paths and name keys, worked out together once (``basics.index_tree``)."""
    d = doc.__dict__
    if doc.root is None:
        d.update(_tag_index={}, _tree_tags=[], _tree_paths=([], []), _tree_keys=frozenset())
    else:
        index, d["_tree_tags"], *paths, d["_tree_keys"] = index_tree(doc.root, PATH_NAMES)
        d["_tree_paths"], d["_tag_index"] = tuple(paths), index
    return d


def elements_named(doc: Any, names: Iterable[str]) -> list:
    """The elements with one of ``names`` in document order, from the index (one name: the index's own list)."""
    index = tag_index(doc)
    present = {t for t in names if t in index}
    if len(present) <= 1:
        return index[next(iter(present))] if present else []
    return [el for el in index[None] if el.tag in present]


MAX_PATH_CHARS = 2_000  # a path kept only when its names are this long at most (UBL, CII: a few hundred)
MAX_PATHS = 20_000  # tag paths whose candidate contexts a table keeps (real invoices: a few hundred)
PATH_NAMES = 10  # the last names of a tag path kept with its length: more than any match pattern's steps (8)
_current = threading.local()  # (root element, tag index, name keys) of the document a table is evaluating


def _indexed_descendants(root: Any, names: tuple[str, ...]) -> list | None:
    """Descendants of the evaluated document's root with one of ``names``, from its index (None: no index)."""
    cur = getattr(_current, "doc", None)
    if cur is None or cur[0] is not root or len(names) != 1:
        return None
    found = cur[1].get(names[0]) or []
    return found[1:] if found and found[0] is root else list(found)


CustomFn = Callable[[Any, Any, Any], Iterable[Any]]  # (doc, context element, check) -> targets


class _Failed:
    def __init__(self, exc: Exception):
        self.exc = exc


def failed_result(res: Any) -> bool:
    """Whether a table's cached result records a rule's failure (dropped before a new run: see
    ``engine.forget_failures``)."""
    return isinstance(res, dict) and any(type(hits) is list and hits and isinstance(hits[0], _Failed)
                                         for hits in res.values())


class Table:
    """A family's structural checks: groups of ordered contexts, evaluated in one pass."""

    def __init__(self, name: str, groups: list[list[Context]] | None, customs: dict[str, CustomFn] | None = None,
                 *, build: Callable[[], list[list[Context]]] | None = None, rule_ids: list[str] | None = None):
        """``groups`` compiled, or ``build`` (a function returning them) with the table's ``rule_ids``:
        the contexts are then compiled on first use (a table of the other syntax is never compiled)."""
        self.name = name
        self.customs = {**GENERIC, **(customs or {})}
        self.data, self._args, self._variants = None, None, None  # (from_data: its data, and variants per release)
        self._build = build if groups is None else None
        self._groups: list[list[Context]] | None = None
        if groups is not None:
            self._setup(groups)
        else:
            self.rule_ids = list(rule_ids or ())

    @property
    def groups(self) -> list[list[Context]]:
        if self._groups is None:
            # compiling a table allocates thousands of small objects, none of them garbage: the cyclic
            # collector paused meanwhile (it would walk every object of the process several times)
            import gc

            paused = gc.isenabled()
            gc.disable()
            try:
                self._setup(self._build())
            finally:
                if paused:
                    gc.enable()
        return self._groups

    def _setup(self, groups: list[list[Context]]) -> None:
        for g in groups:
            for ctx in g:
                ctx.prepare(self.customs)
        rule_ids = list(dict.fromkeys(ck.rule for g in groups for ctx in g for ck in ctx.checks))
        if self._build is not None and rule_ids != self.rule_ids:  # pragma: no cover - a table reader bug
            raise ValueError(f"table {self.name}: rule ids of the compiled table differ from its data")
        self.rule_ids = rule_ids
        self._static: dict[str, list[tuple[int, int, Context]]] = {}
        self._wild, self._sets = [], []  # (group, order, context); _sets: alone in a group, listing their elements
        for gi, g in enumerate(groups):
            for order, ctx in enumerate(g):
                if ctx.wildcard is not None:
                    (self._sets if ctx.wildcard.elements and len(g) == 1 else self._wild).append((gi, order, ctx))
                    continue
                names = ctx.pattern.last_names()
                if "*" in names:
                    self._wild.append((gi, order, ctx))
                for name in names - {"*"}:
                    self._static.setdefault(name, []).append((gi, order, ctx))
        # tag path -> candidate contexts per group, with what the path tells of the match (see _by_path)
        self._pcands: dict[tuple, list[list[tuple[Context, Any]]]] = {}
        self._groups = groups

    def _candidates(self, tag: str) -> list[list[Context]]:
        wild = (w for w in self._wild if w[2].wildcard is None or w[2].wildcard.tag(tag))  # (group, order, context)
        found = sorted([*self._static.get(tag, ()), *wild], key=lambda t: (t[0], t[1]))
        return [[ctx for _gi, _order, ctx in group] for _key, group in groupby(found, key=lambda t: t[0])]

    @classmethod
    def load(cls, name: str, customs: dict[str, CustomFn] | None = None,
             wildcards: dict[str, Wildcard] | None = None) -> "Table":
        from .engine import load_yaml

        return cls.from_data(name, load_yaml(STRUCTURE / f"{name}.yaml"), customs, wildcards)

    @classmethod
    def from_data(cls, name: str, data: dict, customs: dict[str, CustomFn] | None = None,
                  wildcards: dict[str, Wildcard] | None = None) -> "Table":
        """A table from the data of a ``schemas/structure`` file (compiled on first use)."""
        wildcards = wildcards or {}
        for g in data["groups"]:  # unknown wildcards are an error at once, as when compiling
            for c in g["contexts"]:
                if c["context"].startswith("~") and c["context"] not in wildcards:
                    raise KeyError(c["context"])

        def build() -> list[list[Context]]:
            groups = []
            for g in data["groups"]:
                ctxs = []
                for c in g["contexts"]:
                    text = c["context"]
                    if text.startswith("~"):
                        ctx = Context(None, [_check(row) for row in c.get("checks", [])], wildcard=wildcards[text])
                    else:
                        ctx = Context(Pattern(text), [_check(row) for row in c.get("checks", [])])
                    ctxs.append(ctx)
                groups.append(ctxs)
            return groups

        rule_ids = list(dict.fromkeys(row[0] for g in data["groups"] for c in g["contexts"]
                                      for row in c.get("checks", [])))
        table = cls(name, None, customs, build=build, rule_ids=rule_ids)
        table.data, table._args, table._variants = data, (customs, wildcards), {}
        return table

    def variant(self, rows: dict[str, list]) -> "Table":
        """This table with the rows of some rule ids written otherwise (``{rule id: row}``, a release that tests
        them on other paths: EN 16931 1.3.15's ``table_rows``), made once per set of rows."""
        key = repr(sorted(rows.items()))
        table = self._variants.get(key)
        if table is None:
            data = {**self.data, "groups": [{**g, "contexts": [{**c, "checks": [r for row in c.get("checks", []) for r in _as_rows(rows.get(row[0], row))]}
                                                               for c in g["contexts"]]} for g in self.data["groups"]]}
            table = self._variants[key] = Table.from_data(f"{self.name}@{len(self._variants)}", data, *self._args)
        return table

    # evaluation --------------------------------------------------------------
    def evaluate(self, doc: Any) -> dict[str, list]:
        """rule id -> targets (elements), computed once per document (by the variant of the run's EN 16931
        release, when that release tests some of this table's rules on other paths)."""
        rows = self._variants is not None and _release_of(doc, "en16931").table_rows.get(self.name)
        if rows:
            return self.variant(rows).evaluate(doc)
        cache = doc.__dict__.setdefault("_tree_results", {})
        res = cache.get(self.name)
        if res is not None:
            return res
        res = {}
        cache[self.name] = res
        root = doc.root
        if root is None:
            return res
        index = tag_index(doc)
        outer = getattr(_current, "doc", None)
        _current.doc = (root, index, doc_keys(doc), doc.__dict__.setdefault("_tree_memo", {}))
        try:
            self._evaluate(doc, index, res)
        except BaseException:  # (a time limit, out of memory: a part-done result is no result, worked out again)
            if cache.get(self.name) is res:
                del cache[self.name]
            raise
        finally:
            _current.doc = outer
        return res

    def _by_path(self, path: tuple) -> list[list[tuple[Context, Any]]]:
        """The candidate contexts of an element with this tag path, per group, each with what the path
        tells of its match (:meth:`Pattern.path_test`; None for a wildcard): contexts it rules out are
        left out, and one it decides ends the group (kept per table: a path means the same in every document)."""
        out = []
        for cands in self._candidates(path[1][-1]):  # (the element's tag: the last name of its path)
            kept = []
            for ctx in cands:
                known = None if ctx.wildcard is not None else True if ctx.simple else ctx.pattern.path_test(path)
                if known is False:
                    continue
                if known is True and not ctx.checks:
                    break  # it matches and ends the group, checking nothing
                kept.append((ctx, known))
                if known is True:
                    break  # a context that matches ends the group
            if kept:
                out.append(kept)
        if sum(map(len, path[1])) > MAX_PATH_CHARS:  # (a path: its length, and its last names)
            return out  # (names no invoice has: worked out, not kept; kept, 20,000 paths held GBs of a sender's names)
        if len(self._pcands) >= MAX_PATHS:  # kept per process: bounded, whatever element names documents bring
            self._pcands.clear()
        self._pcands[path] = out
        return out

    def _evaluate(self, doc: Any, index: dict, res: dict[str, list]) -> None:
        if self._groups is None:
            self.groups  # compile on first use
        pcands = self._pcands
        tags = doc_keys(doc)
        memo = doc.__dict__.setdefault("_tree_memo", {})  # predicates per element, shared by the tables
        steps_memo: dict = {}  # pattern prefixes per element (keyed by id: this table's patterns only)
        pids, distinct = doc_paths(doc)
        seen: list = [None] * len(distinct)  # path number -> its candidates (a table looks a path up once per document)
        for el, pid in zip(index[None], pids):
            groups = seen[pid]
            if groups is None:
                groups = pcands.get(distinct[pid])
                groups = seen[pid] = self._by_path(distinct[pid]) if groups is None else groups
            for cands in groups:
                for ctx, known in cands:
                    if known is True:
                        pass
                    elif known is not None:
                        if not _preds_hold(el, known, memo):
                            continue
                    elif ctx.wildcard is not None:
                        if ctx.wildcard.element is not None and not ctx.wildcard.element(el):
                            continue
                    elif not ctx.pattern.matches(el, steps_memo):
                        continue
                    self._run(doc, el, ctx, res, tags)
                    break
        for _gi, _order, ctx in self._sets:  # a wildcard alone in its group: run on the elements it lists
            for el in ctx.wildcard.elements(doc):
                self._run(doc, el, ctx, res, tags)

    def _run(self, doc: Any, el: Any, ctx: Context, res: dict[str, list], tags: Any = None) -> None:
        quiet = ctx.quiet_attrs  # nothing to count and none of these attributes: no check can fail here
        if quiet is not None and tags and ctx.trie.deep.isdisjoint(tags) and quiet.isdisjoint(el.keys()):
            return
        checks = ctx.checks
        if ctx.trie is not None:
            counts = [0] * ctx.npaths
            firsts: list = [None] * ctx.npaths
            if ctx.trie.attrs or tags is None or not ctx.trie.deep.isdisjoint(tags):
                _walk(el, ctx.trie, counts, firsts, tags)
            on_count = ctx.on_count  # the checks a counted path needs, besides those that always run
            todo = [i for p in compress(range(ctx.npaths), counts) for i in on_count[p]]
            checks = [checks[i] for i in sorted(ctx.always + todo)] if todo else ctx.always_checks
        for ck in checks:
            kind = ck.kind
            if ck.skel >= 0:  # the count without the predicates, when it decides the check
                most = counts[ck.skel]
                if kind == "absent" and most == 0 or kind == "max" and most <= ck.arg:
                    continue
                if kind == "present" and most == 0 or kind in ("min", "exactly") and most < ck.arg:
                    res.setdefault(ck.rule, []).append(el)
                    continue
            if ck.fn is not None:  # custom, codelist: a function of the family module
                try:
                    targets = list(self.customs[ck.fn](doc, el, ck) or ())
                except MemoryError:
                    raise
                except Exception as exc:  # reported by the engine as this rule's internal error (a time limit
                    res[ck.rule] = [_Failed(rule_failure(exc))]  # raised by a signal handler reaches the caller)
                    continue
                if targets:
                    res.setdefault(ck.rule, []).extend(targets)
                continue
            if kind == "filled" or kind == "decimals":  # the first node of each alternative, and how many it selects
                found = ([(firsts[ck.pid], counts[ck.pid])] if ck.pid >= 0 else
                         [(s[0] if s else None, len(s)) for s in (select_any(el, [alt]) for alt in ck.steps())])
                if kind == "decimals" and (found[0][1] > 1 or not V.decimal_places_ok(found[0][0])):  # (of two: a stop)
                    res.setdefault(ck.rule, []).append((el, V.SEVERAL if found[0][1] > 1 else {"value": stated_text(found[0][0])}))
                elif kind == "filled" and not any(n == 1 and not V.blank(h) for h, n in found):  # normalize-space() of two
                    res.setdefault(ck.rule, []).append((el, V.SEVERAL) if any(n > 1 for _h, n in found) else el)  # stops
                continue
            if ck.pid >= 0:
                n = counts[ck.pid]
                target = firsts[ck.pid] if n else el
            elif ck.quick is not None:  # an absolute path: what it selects is a fact of the document
                found = () if tags is not None and not any(n <= tags for n in ck.need) or ck.quick and _selects_nothing(
                    ck.quick) else _absolute(ck.steps(), el)
                n = len(found)
                target = found[0] if found and not isinstance(found[0], str) else el
                if kind == "absent" and n and not _inside(target, el):
                    # (what it selects may lie outside the context, as a line's tax for a rule on a header
                    # breakdown: the failure is the context's, as the official assert's; a node inside it is named)
                    target = el
            elif kind == "absent" or kind == "present":  # the first node decides
                first = first_any(el, ck.steps())
                n = 0 if first is _NONE else 1
                target = el if first is _NONE or isinstance(first, str) else first
            else:
                found = select_any(el, ck.steps())
                n = len(found)
                target = found[0] if found and not isinstance(found[0], str) else el
            if kind == "absent":
                bad = n > 0
            elif kind == "present":
                bad = n == 0
            elif kind == "max":
                bad = n > ck.arg
            elif kind == "min":
                bad = n < ck.arg
            else:
                bad = n != ck.arg
            if bad:
                res.setdefault(ck.rule, []).append(target if kind == "absent" else el)


def _inside(node: Any, context: Any) -> bool:
    """Whether ``node`` is ``context`` or one of its descendants."""
    return node is context or any(up is context for up in node.iterancestors())


def _as_rows(given: list) -> list[list]:
    """A table row as a release writes it: one row, several rows (a list of rows), or none (``[]``: the release's
    test of that id holds on every document)."""
    return given if not given or isinstance(given[0], list) else [given]


def doc_paths(doc: Any) -> tuple[list[int], list[tuple]]:
    """The tag path from the root to each element of ``tag_index(doc)[None]``, once per document: (a number per
    element, in that order, the same for the same path; the distinct paths by number, each its length and last
    ``PATH_NAMES`` names, all a match pattern reads: linear in the elements however deep they nest)."""
    out = doc.__dict__.get("_tree_paths")
    return _indexed(doc)["_tree_paths"] if out is None else out


def _needs(alts: list[list[Step]]) -> tuple:
    """Per alternative of an absolute path, the element names of its steps of one name: it selects nothing where the
    document lacks one of them (its predicates only filter)."""
    return tuple(frozenset(st.names[0] for st in steps[1:] if st.axis in ("self", "child", "desc", "desc-or-self")
                           and len(st.names) == 1 and st.names[0] != "*") for steps in alts)


def _quick(alts: list[list[Step]]) -> tuple | None:
    """(element names, attribute) per alternative when every one is ``//a/b/.../@c`` (no predicates, child steps
    of one name, optionally an attribute); () for another path from the root; None for a relative path."""
    if not all(steps and steps[0].axis == "root" for steps in alts):
        return None
    out = []
    for steps in alts:
        if len(steps) < 2 or steps[1].axis != "desc-or-self":
            return ()
        names, attr = [], None
        for i, st in enumerate(steps[1:], 1):
            if st.preds or len(st.names) != 1 or st.names[0] == "*":
                return ()
            if st.axis == "attr":
                if i != len(steps) - 1:
                    return ()
                attr = st.names[0]
            elif st.axis == "desc-or-self" and i == 1 or st.axis == "child" and i > 1:
                names.append(st.names[0])
            else:
                return ()
        if not names:
            return ()
        out.append((tuple(names), attr))
    return tuple(out)


def _per_document(key: Any, compute: Callable[[], Any]) -> Any:
    """A fact of the document being evaluated, computed once (kept in its memo; outside an evaluation, each time)."""
    cur = getattr(_current, "doc", None)
    if cur is None:
        return compute()
    found = cur[3].get(key, _NONE)
    if found is _NONE:  # (None is a result too: kept)
        found = cur[3][key] = compute()
    return found


def _selects_nothing(quick: tuple) -> bool:
    """True if no ``quick`` path selects anything in the document (by the index); False if one might, or outside a run."""
    cur = getattr(_current, "doc", None)
    return cur is not None and _per_document(quick, lambda: _nothing_in(quick, cur[1], cur[2]))


def _absolute_values(path: list[list[Step]], el: Any) -> list[str]:
    """The string values of what an absolute path in a predicate selects, once per document."""
    return _per_document(("abs-values", id(path)), lambda: [string_value(x) for x in select_any(el, path)])


def _absolute(path: list[list[Step]], el: Any) -> list:
    """The nodes an absolute path selects, once per document (the same for every context element: a
    line's check of a header element must not walk the document again for each line)."""
    return _per_document(("abs", id(path)), lambda: select_any(el, path))


def _nothing_in(quick: tuple, index: dict, keys: frozenset) -> bool:
    for names, attr in quick:
        found = index.get(names[-1])
        if not found:
            continue
        if any((names[i], names[i + 1]) not in keys for i in range(len(names) - 1)):
            continue  # two of the path's steps never occur as parent and child
        up = names[-2::-1]
        for el in found:
            if attr is not None and el.get(attr) is None:
                continue
            p = el
            for name in up:
                p = p.getparent()
                if p is None or p.tag != name:
                    break
            else:
                return False
    return True


def _check(row: list) -> Check:
    rule, kind = row[0], row[1]
    if kind in _BOUNDED or kind in ("filled", "decimals") and "@" not in row[2]:
        combos = _plain_combos(row[2])
        if combos is not None:  # counted by its context's trie: no steps needed (see Check.steps)
            arg = int(row[3]) if kind in ("max", "min", "exactly") else None
            return Check(rule, kind, None, arg, row[2], combos=combos)
    if kind in ("absent", "present"):
        path = compile_path(row[2])
        return Check(rule, kind, path, None, row[2], quick=_quick(path), need=_needs(path))
    if kind in ("filled", "decimals"):
        return Check(rule, kind, compile_path(row[2]), None, row[2])
    if kind in ("max", "min", "exactly"):
        path = compile_path(row[2])
        return Check(rule, kind, path, int(row[3]), row[2], quick=_quick(path), need=_needs(path))
    if kind == "custom":
        return Check(rule, kind, None, row[3] if len(row) > 3 else None, row[2], fn=row[2])
    if kind == "codelist":
        return Check(rule, kind, compile_path(row[3]) if len(row) > 3 else None, row[2],
                     row[3] if len(row) > 3 else ".", fn="codelist")
    raise ValueError(f"unknown check kind {kind!r} for {rule}")


def register(ruleset: Any, table: Table, syntax: str | None, profiles: tuple[str, ...] | None = None) -> None:
    """Register every rule id of a table on a RuleSet as one family: the table is evaluated once per
    document and each id's targets are looked up in the result.

    With ``profiles``, the rules only apply when the document is validated against one of them.
    """
    evaluate = table.evaluate

    def evaluate_family(doc):
        if profiles is not None and doc.profile not in profiles:
            return {}
        res = evaluate(doc)
        if not res:
            return res
        if not any(hits and isinstance(hits[0], _Failed) for hits in res.values()):
            return res
        return {rid: hits[0].exc if hits and isinstance(hits[0], _Failed) else hits for rid, hits in res.items()}

    evaluate_family.__name__ = f"table_{table.name}"
    from .releases import release, versions  # (the ids that only a release's rows of this table test are members too)

    extra = [r[0] for v in versions("en16931") for rows in release("en16931", v).table_rows.get(table.name, {}).values()
             for r in _as_rows(rows)]
    ruleset.family(list(dict.fromkeys(table.rule_ids + extra)), evaluate_family, syntax=syntax, name=f"table:{table.name}")


# --------------------------------------------------------------------------- generic custom checks
# Checks that combine two paths; their arguments are a mapping in the table row.

_PATHS: dict[str, list[list[Step]]] = {}


def path_of(text: str) -> list[list[Step]]:
    p = _PATHS.get(text)
    if p is None:
        p = _PATHS[text] = compile_path(text)
    return p


def sel(el: Any, text: str) -> list:
    """What the path selects from ``el``; a path from the root once per document (the same list: not to be changed)."""
    return _absolute(path_of(text), el) if text[:1] == "/" and "|" not in text else select_any(el, path_of(text))


def _present_if(doc, el, ck):
    a = ck.arg
    return (el,) if sel(el, a["if"]) and not sel(el, a["then"]) else ()


def _exactly_if(doc, el, ck):
    a = ck.arg
    return (el,) if sel(el, a["if"]) and len(sel(el, a["then"])) != a["n"] else ()


def _not_both(doc, el, ck):
    a = ck.arg
    first = sel(el, f"{a['base']}/{a.get('a', 'ram:ID')}")
    return (first[0],) if first and sel(el, f"{a['base']}/{a.get('b', 'ram:GlobalID')}") else ()


def _absent_unless(doc, el, ck):
    """``path`` may only occur when the context is ``self`` (with a type code in ``codes``) or under ``ancestor``."""
    a = ck.arg
    found = sel(el, a["path"])
    if not found:
        return ()
    if "self" in a:
        ok = el.tag == _clark(a["self"])
        if ok and "codes" in a:
            codes = a["codes"]
            ok = any(string_value(t) in codes for t in sel(el, "ram:TypeCode"))
        if ok:
            return ()
    if "ancestor" in a and next(el.iterancestors(_clark(a["ancestor"])), None) is not None:
        return ()
    return (found[0],)


def _all_equal(doc, el, ck):
    """Every node of ``path`` has the same (space-normalized) value."""
    found = sel(el, ck.arg["path"])
    first = found and normalize_space(string_value(found[0]))
    return next(((n,) for n in found[1:] if normalize_space(string_value(n)) != first), ())


# the argument naming the path a generic check needs to select something before it can fail
GATES = {"absent_unless": "path", "present_if": "if", "exactly_if": "if"}
GENERIC: dict[str, CustomFn] = {
    "all_equal": _all_equal,
    "present_if": _present_if,
    "exactly_if": _exactly_if,
    "not_both": _not_both,
    "absent_unless": _absent_unless,
}
