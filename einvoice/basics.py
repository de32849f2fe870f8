"""Small types every layer shares, kept free of pydantic so the rule engine loads without the model.

:class:`Syntax` and :class:`Origin` / :func:`element_origin` are re-exported from
their historical places (:mod:`einvoice.model.invoice`, :mod:`einvoice.model.base`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class Syntax(str, Enum):
    UBL = "ubl"
    CII = "cii"


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
