"""The business-term binding tables of the two syntaxes, and the interpreter that reads and writes by them.

Each syntax has a table (``einvoice.syntax.ubl.binding``, ``einvoice.syntax.cii.binding``)
that says, for every field of the model, which business term it is, where the syntax
puts it (an XPath relative to the element of the field's model object; ``|`` separates
alternatives), how often it may occur there, and which code mapping applies; or, in
``NOT_BOUND``, why the syntax has no place for it. ``tests/test_bindings.py`` checks the
tables against the model (every field has a row or a reason) and against the writers
(every row's path is written).

The table drives reading and writing (:class:`Binding`). A row's path is a chain of
child element names, optionally ending in ``@attribute`` (``.`` is the object's own
element); its value kind comes from the model field's type: text, decimal, date,
boolean, bytes, an amount (each syntax has its own lexical forms of these), a model
object (read and written by its own rows) or a list of them. A row's ``codes`` names a
code mapping of :data:`einvoice.syntax.codes.CODECS` (reader: syntax code -> meaning,
writer: meaning -> code). A term whose place is not a plain path (a union resolved by
document type or position, a predicate, a value spread over places) names a converter
of its syntax in ``conv``: a function pair the interpreter calls for that row instead
of the path.

Reading is lenient and keeps origins: for a single-valued row the first element of its
first step counts; a missing deeper step reads as ``None`` with the deepest element
found as the field's origin (``obj._els[field]``); a value that does not parse reads as
``None`` with its element still recorded. Writing creates a row's elements only when
it has a value, shares a container with the object's other single-valued rows (e.g.
``cac:PartyLegalEntity``), picks among alternatives the one the schema allows under the
parent, and finally puts every element's children in the order of the syntax's XSD.
"""

from __future__ import annotations

import typing
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, Callable, NamedTuple

from ..model.base import ModelBase
from ..model.construct import construct


class Term(NamedTuple):
    field: str  # "Class.field" of the model
    term: str  # BT-/BG- (or "-" for a syntax element the model keeps)
    path: str  # XPath relative to the element of the field's object
    card: str  # cardinality in the syntax ("0..1", "1..1", "0..n")
    codes: str | None = None  # the code mapping (einvoice.syntax.codes.CODECS) the reader and writer apply
    conv: str | None = None  # a converter of the syntax for a term that is no plain path


def fields_of(table: list[Term]) -> set[str]:
    return {row.field for row in table}


# --------------------------------------------------------------------------- value kinds
class Kind(NamedTuple):
    """How a syntax reads and writes one kind of leaf value."""

    read: Callable[[Any], Any]  # element -> value (None when it does not parse)
    write: Callable[[Any, Any, Any], None]  # (element, value, ctx) -> sets its text / children


def _kind_of(tp: Any) -> tuple[str, type | None, bool]:
    """(kind name, model class for objects, is a list) of a model field's annotation."""
    many = False
    args = typing.get_args(tp)
    if typing.get_origin(tp) is list:
        many, tp = True, args[0]
    else:
        opts = [a for a in args if a is not type(None)]
        if opts:
            tp = opts[0]
            if typing.get_origin(tp) is list:
                many, tp = True, typing.get_args(tp)[0]
    if isinstance(tp, str) or isinstance(tp, typing.ForwardRef):
        return "object", None, many  # a self reference (InvoiceLine.sub_lines), resolved by the caller
    if isinstance(tp, type):
        if issubclass(tp, bool):
            return "bool", None, many
        if issubclass(tp, Enum):
            return "text", None, many
        if issubclass(tp, str):
            return "text", None, many
        if issubclass(tp, Decimal):
            return "decimal", None, many
        if issubclass(tp, date):
            return "date", None, many
        if issubclass(tp, bytes):
            return "bytes", None, many
        if issubclass(tp, ModelBase):
            return ("amount" if tp.__name__ == "Amount" else "object"), tp, many
    return "text", None, many


class _Alt(NamedTuple):
    steps: tuple[str, ...]  # Clark names of the child steps ("" for the object's own element)
    attr: str | None  # final attribute, if any
    pred: tuple[str, str] | None  # [child='literal'] of the first step: written, not tested on reading


class _Row(NamedTuple):
    name: str
    kind: str
    cls: type | None
    many: bool
    alts: tuple[_Alt, ...]
    codec: Any
    conv: Any
    leaf: Any  # the kind's reader (None for objects)


def _clark(qname: str, ns: dict[str, str]) -> str:
    prefix, _, local = qname.rpartition(":")
    return "{%s}%s" % (ns[prefix], local)


def _parse_alt(text: str, ns: dict[str, str]) -> _Alt | None:
    text = text.strip()
    if text == ".":
        return _Alt((), None, None)
    if "self::" in text or ".." in text:
        return None
    attr = None
    parts = text.split("/")
    if parts[-1].startswith("@"):
        attr = parts.pop()[1:]
    pred = None
    steps = []
    for i, p in enumerate(parts):
        if "[" in p:
            if i:
                return None
            p, _, rest = p.partition("[")
            child, _, lit = rest.rstrip("]").partition("=")
            if child.startswith("@"):
                return None
            pred = (_clark(child, ns), lit.strip("'\""))
        steps.append(_clark(p, ns))
    return _Alt(tuple(steps), attr, pred)


def _first(el: Any, tag: str) -> Any:
    for c in el:
        if c.tag == tag:
            return c
    return None


class Binding:
    """Reads and writes model objects by a syntax's table.

    ``kinds`` are the syntax's leaf kinds (text, decimal, date, bool, bytes, amount);
    ``converters`` its named converters: ``name -> (read, write)``, where
    ``read(binding, el, vals, els, ctx)`` runs after the generic rows of the object
    (either may be None: the path is then read / written as any other);
    ``write(binding, el, obj, ctx)`` writes the term under the object's element.
    ``order`` is a function of an element's Clark name to {child Clark name: position} (the XSD).
    """

    def __init__(self, table: list[Term], ns: dict[str, str], kinds: dict[str, Kind],
                 converters: dict[str, tuple[Any, Any]], codecs: dict[str, Any], order: Callable[[str], dict[str, int] | None]):
        from ..model import invoice as m

        self.ns = ns
        self.kinds = kinds
        self.order = order
        self.rows: dict[type, list[_Row]] = {}
        self.dispatch: dict[type, dict[str, list[tuple[_Row, _Alt]]]] = {}
        self.own: dict[type, list[tuple[_Row, _Alt]]] = {}
        self.post: dict[type, list[tuple[_Row, Any]]] = {}
        self.lists: dict[type, list[str]] = {}
        for t in table:
            cname, fname = t.field.split(".")
            cls = getattr(m, cname)
            kind, sub, many = _kind_of(cls.model_fields[fname].annotation)
            if kind == "object" and sub is None:
                sub = cls
            alts = tuple(a for a in (_parse_alt(x, ns) for x in t.path.split(" | ")) if a is not None)
            conv = converters[t.conv] if t.conv else (None, None)
            codec = codecs[t.codes] if t.codes and t.codes in codecs else None
            leaf = kinds[kind].read if kind in kinds else None
            row = _Row(fname, kind, sub, many, alts, codec, conv, leaf)
            self.rows.setdefault(cls, []).append(row)
            self.lists.setdefault(cls, [])
            if many:
                self.lists[cls].append(fname)
            d = self.dispatch.setdefault(cls, {})
            self.own.setdefault(cls, [])
            if conv[0] is not None:
                self.post.setdefault(cls, []).append((row, conv[0]))
                continue
            for alt in alts:
                if alt.steps:
                    d.setdefault(alt.steps[0], []).append((row, alt))
                else:
                    self.own[cls].append((row, alt))

    # ----------------------------------------------------------------------- reading
    def read(self, cls: type, el: Any, ctx: Any = None) -> Any:
        vals: dict[str, Any] = {}
        els: dict[str, Any] = {}
        lists: dict[str, list] = {}
        for name in self.lists[cls]:
            lists[name] = vals[name] = []
        read_at = self._read_at
        for row, alt in self.own[cls]:
            read_at(row, alt, el, el, vals, els, lists, ctx)
        d = self.dispatch[cls]
        for c in el:
            entries = d.get(c.tag)
            if entries is not None:
                for row, alt in entries:
                    read_at(row, alt, c, el, vals, els, lists, ctx)
        post = self.post.get(cls)
        if post:
            for row, fn in post:
                fn(self, el, vals, els, ctx)
        return construct(cls, vals, el, els)

    def _read_at(self, row: _Row, alt: _Alt, c: Any, parent: Any, vals, els, lists, ctx) -> None:
        name = row.name
        if name in els and not row.many:
            return
        node = c
        steps = alt.steps
        if len(steps) > 1:
            for tag in steps[1:]:
                for nxt in node:
                    if nxt.tag == tag:
                        break
                else:
                    if row.many:
                        if row.kind == "object" and self._is_leaf_object(row.cls):
                            lists[name].append(construct(row.cls, {}, node, {}))
                        return
                    vals[name] = None
                    els[name] = node
                    return
                node = nxt
        if alt.attr is not None:
            value = node.get(alt.attr)
        elif row.leaf is not None:
            value = row.leaf(node)
        else:
            if row.many and ctx is not None and ctx.skip and name in ctx.skip:
                return
            value = self.read(row.cls, node, ctx)
        if row.codec is not None and row.codec[0] is not None:
            value = row.codec[0](value)
        if row.many:
            lists[name].append(value)
        else:
            vals[name] = value
            els[name] = node

    def _is_leaf_object(self, cls: type) -> bool:
        return not self.dispatch.get(cls) and not self.post.get(cls)

    # ----------------------------------------------------------------------- writing
    def write(self, el: Any, obj: Any, ctx: Any = None) -> Any:
        """Write ``obj``'s rows under (and on) its element ``el``."""
        for row in self.rows[type(obj)]:
            conv = row.conv[1]
            if conv is not None:
                conv(self, el, obj, ctx)
                continue
            if not row.alts:
                continue  # a path outside the object's element (``../``): its parent's code writes it
            value = getattr(obj, row.name)
            if row.many:
                for v in value:
                    self.put(el, row, v, ctx, many=True)
            else:
                self.put(el, row, value, ctx)
        return el

    def put(self, el: Any, row: _Row, value: Any, ctx: Any, many: bool = False) -> Any:
        """Write one value of a row under ``el``; the element written, or None."""
        if row.codec is not None and row.codec[1] is not None:
            value = row.codec[1](value)
        if value is None or (row.kind == "amount" and value.value is None):
            return None
        if row.kind == "object" and self._is_leaf_object(row.cls) and self._leaf_value_missing(row.cls, value):
            return None
        alt = self._alt_for(el, row)
        steps = alt.steps
        node = el
        if alt.attr is not None:
            for tag in steps:  # an attribute goes on an element another row wrote
                node = _first(node, tag)
                if node is None:
                    return None
            node.set(alt.attr, str(value.value if isinstance(value, Enum) else value))
            return node
        for i, tag in enumerate(steps):
            last = i == len(steps) - 1
            reuse = None if (last and (many or row.kind != "object")) or (many and i == 0) else _first(node, tag)
            if reuse is None:
                reuse = node.makeelement(tag)
                node.append(reuse)
                if i == 0 and alt.pred is not None:
                    lit = reuse.makeelement(alt.pred[0])
                    lit.text = alt.pred[1]
                    reuse.append(lit)
            node = reuse
        if row.kind == "object":
            self.write(node, value, ctx)
            if len(node) == 0 and not node.attrib and node.text is None and node is not el and any(
                    v is not None and v != [] for v in value.__dict__.values()):
                # its terms are all written elsewhere (BT-90 on a party): no empty element for it here;
                # an object that holds nothing is written empty (the source stated the group)
                node.getparent().remove(node)
                return None
        else:
            self.kinds[row.kind].write(node, value, ctx)
        return node

    def _leaf_value_missing(self, cls: type, value: Any) -> bool:
        for r, alt in self.own[cls]:
            if not alt.steps and alt.attr is None:
                # an attached object without content keeps its mime code and file name (written empty)
                return getattr(value, r.name) is None and r.kind != "bytes"
        return False

    def _alt_for(self, el: Any, row: _Row) -> _Alt:
        alts = row.alts
        if len(alts) > 1:
            allowed = self.order(el.tag)
            if allowed is not None:
                for alt in alts:
                    if alt.steps and alt.steps[0] in allowed:
                        return alt
        return alts[0]

    def sort(self, el: Any) -> None:
        """Put the children of ``el`` and of every element below it in the XSD order."""
        order = self.order(el.tag)
        children = list(el)
        if not children:
            return
        if order is not None and len(children) > 1:
            keyed = sorted(children, key=lambda c: order.get(c.tag, 10**6))
            if keyed != children:
                for c in keyed:
                    el.append(c)
        for c in children:
            self.sort(c)
