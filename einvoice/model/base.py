"""Shared base for every model object.

Each object read from XML remembers the element it came from (``_el``) and, for
leaf values, the element of each field (``_els``). Nothing is computed until a
finding asks for it: :func:`origin_of` turns an element into XPath and line.
Objects built in code have no elements and report no location.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr


from ..basics import Origin, element_origin  # noqa: F401 - defined without pydantic


class ModelBase(BaseModel):
    """Base of every model class: strict field names, source elements kept privately."""

    # bytes (an attachment's content) are base64 in JSON both ways: model_dump_json() of a binary attachment failed
    model_config = ConfigDict(extra="forbid", validate_assignment=False, arbitrary_types_allowed=True,
                              ser_json_bytes="base64", val_json_bytes="base64")

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
