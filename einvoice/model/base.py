"""Shared base for every model object.

Each object read from XML remembers the element it came from (``_el``) and, for
leaf values, the element of each field (``_els``). Nothing is computed until a
finding asks for it: :func:`origin_of` turns an element into XPath and line.
Objects built in code have no elements and report no location.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a value stands in the source document."""

    xpath: str | None
    line: int | None


def element_origin(el: Any) -> Origin:
    """XPath (with namespace prefixes where the document has them) and line of an lxml element."""
    if el is None:
        return Origin(None, None)
    try:
        xpath = _prefixed_path(el)
    except Exception:  # pragma: no cover - defensive: a location is a courtesy
        xpath = None
    return Origin(xpath, getattr(el, "sourceline", None))


def _prefixed_path(el: Any) -> str:
    parts: list[str] = []
    node = el
    while node is not None:
        parent = node.getparent()
        qname = node.tag
        if isinstance(qname, str) and qname.startswith("{"):
            ns, local = qname[1:].split("}", 1)
            prefix = None
            for p, uri in (node.nsmap or {}).items():
                if uri == ns and p:
                    prefix = p
                    break
            name = f"{prefix}:{local}" if prefix else local
        else:
            name = str(qname)
        if parent is not None:
            same = [c for c in parent if c.tag == node.tag]
            if len(same) > 1:
                name = f"{name}[{same.index(node) + 1}]"
        parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))


class ModelBase(BaseModel):
    """Base of every model class: strict field names, source elements kept privately."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False, arbitrary_types_allowed=True)

    _el: Any = PrivateAttr(default=None)
    _els: dict[str, Any] = PrivateAttr(default_factory=dict)

    def origin(self, field: str | None = None) -> Origin:
        """Location of this object, or of one of its fields when known (falls back to the object)."""
        if field is not None:
            el = self._els.get(field)
            if el is not None:
                return element_origin(el)
        return element_origin(self._el)

    def set_source(self, el: Any, fields: dict[str, Any] | None = None) -> "ModelBase":
        self._el = el
        if fields:
            self._els.update({k: v for k, v in fields.items() if v is not None})
        return self
