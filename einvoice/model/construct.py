"""Fast construction of model objects by the readers.

``Model.model_construct`` costs tens of microseconds per object and a reader
builds hundreds per document. :func:`construct` leaves the state that
``model_construct`` followed by ``set_source`` leaves (a full field dict from the
class defaults, the fields given marked as set, no extra, the source elements as
private state), through the slot descriptors of pydantic's ``BaseModel``.
Values are trusted: nothing is validated.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

_SLOTS = BaseModel.__dict__
_set_dict = _SLOTS["__dict__"].__set__
_set_fields = _SLOTS["__pydantic_fields_set__"].__set__
_set_extra = _SLOTS["__pydantic_extra__"].__set__
_set_private = _SLOTS["__pydantic_private__"].__set__
_new = object.__new__
_TEMPLATES: dict[type, tuple[dict[str, Any], tuple[str, ...]]] = {}


def _template(cls: type) -> tuple[dict[str, Any], tuple[str, ...]]:
    plain: dict[str, Any] = {}
    lists: list[str] = []
    for name, info in cls.model_fields.items():
        if info.default_factory is not None:
            lists.append(name)
            plain[name] = None
        else:
            plain[name] = None if info.is_required() else info.default
    tpl = _TEMPLATES[cls] = (plain, tuple(lists))
    return tpl


def construct(cls: type, values: dict[str, Any], el: Any = None, els: dict[str, Any] | None = None) -> Any:
    """An instance of ``cls`` with ``values`` set and its source element(s) recorded.

    List fields not in ``values`` get a fresh empty list; ``None`` in ``els`` is dropped.
    """
    plain, lists = _TEMPLATES.get(cls) or _template(cls)
    d = plain.copy()
    for name in lists:
        if name not in values:
            d[name] = []
    d.update(values)
    if els:
        if None in els.values():
            els = {k: v for k, v in els.items() if v is not None}
    else:
        els = {}
    obj = _new(cls)  # as with_state (one call less: the readers construct hundreds of objects per document)
    _set_dict(obj, d)
    _set_fields(obj, set(values))
    _set_extra(obj, None)
    _set_private(obj, {"_el": el, "_els": els})
    return obj


def with_state(cls: type, fields: dict[str, Any], fields_set: set[str], el: Any, els: dict[str, Any]) -> Any:
    """An instance of ``cls`` whose field dict is ``fields`` as given (every field present), nothing checked."""
    obj = _new(cls)
    _set_dict(obj, fields)
    _set_fields(obj, fields_set)
    _set_extra(obj, None)
    _set_private(obj, {"_el": el, "_els": els})
    return obj
