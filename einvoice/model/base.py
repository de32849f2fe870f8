"""Shared base for every model object.

Each object read from XML remembers the element it came from (``_el``) and, for
leaf values, the element of each field (``_els``). Nothing is computed until a
finding asks for it: :func:`origin_of` turns an element into XPath and line.
Objects built in code have no elements and report no location.
"""

from __future__ import annotations

import re
import types
import typing
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError, ValidationInfo, field_validator


from ..basics import Origin, element_origin  # noqa: F401 - defined without pydantic


# a number as text: ASCII digits, a sign, a decimal point (Python's Decimal also reads '1_000', other scripts'
# digits and exponents, which no clerk means as an amount: '9_50' was issued as 950, '1e3', a typo for 13, as 1000)
PLAIN_NUMBER = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*")
ISO_DATE = re.compile(r"\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*")  # a date as EN 16931 writes it (pydantic reads more)

_KINDS: dict[tuple[type, str], str | None] = {}  # (model class, field) -> "date", "decimal" or None


def _kind(cls: type, name: str) -> str | None:
    """Whether a field holds a date or a decimal (its annotation, ``date | None`` too), worked out once per field."""
    key = (cls, name)
    if key not in _KINDS:
        field = cls.model_fields.get(name)
        tp = field.annotation if field is not None else None
        if typing.get_origin(tp) in (typing.Union, types.UnionType):
            tp = next((a for a in typing.get_args(tp) if a is not type(None)), None)
        _KINDS[key] = "date" if tp is date else "decimal" if tp is Decimal else None
    return _KINDS[key]


def written_as_meant(kind: str | None, value: Any) -> str | None:
    """Why a value given for a date or a decimal would be read otherwise than a clerk means it, or None: a number
    for a date (pydantic reads 0 as 1970-01-01, a Unix time), a date not written YYYY-MM-DD, a number written with
    '_', an exponent or other digits than 0-9 (Python's Decimal reads '9_50' as 950)."""
    if kind in ("date", "decimal") and isinstance(value, (bytes, bytearray, memoryview)):
        # (pydantic reads b"0" as a Unix time for a date, 1970-01-01; bytes are no text a clerk wrote)
        return f"{bytes(value[:40])!r} is bytes, not text: give the {kind} as text ({'YYYY-MM-DD' if kind == 'date' else 'e.g. 950.50'})"
    if kind == "date":
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return f"{value!r} is a number, not a date: write the date as YYYY-MM-DD"
        if isinstance(value, str) and not ISO_DATE.fullmatch(value):
            return f"{value[:40]!r} is not a date written as YYYY-MM-DD"
    elif kind == "decimal" and isinstance(value, str) and not PLAIN_NUMBER.fullmatch(value):
        return f"{value[:40]!r} is not a plain decimal number (digits 0-9, a sign, a decimal point)"
    return None


def scalar(v: Any) -> bool:
    """Whether a value is one plain value (text or a number), not a mapping, a list or a flag."""
    return isinstance(v, (str, int, float, Decimal)) and not isinstance(v, bool)


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


# what a value of a kind pydantic names by its error type is, in a clerk's words (the rest: pydantic's own, reworded)
_EXPECTED = {
    "string_type": "text is expected", "decimal_type": "a number is expected", "decimal_parsing": "a number is expected",
    "float_type": "a number is expected", "float_parsing": "a number is expected", "int_type": "a whole number is expected",
    "int_parsing": "a whole number is expected", "int_from_float": "a whole number is expected",
    "bool_type": "true or false is expected", "bool_parsing": "true or false is expected",
    "date_type": "a date written as YYYY-MM-DD is expected", "date_parsing": "a date written as YYYY-MM-DD is expected",
    "date_from_datetime_parsing": "a date written as YYYY-MM-DD is expected",
    "date_from_datetime_inexact": "a date written as YYYY-MM-DD is expected (a time of day is no part of it)",
    "model_type": "a mapping of fields is expected", "model_attributes_type": "a mapping of fields is expected",
    "dict_type": "a mapping of fields is expected", "list_type": "a list is expected",
    "bytes_type": "bytes or base64 text are expected", "finite_number": "a finite number is expected",
}


def _given(value: Any) -> str:
    """What the caller gave, shortly: the value itself when scalar, else what kind of thing it is."""
    if scalar(value) or value is None or isinstance(value, bool):
        shown = repr(value)
        return f"{shown[:60]}{'...' if len(shown) > 60 else ''}"
    name = type(value).__name__
    return {dict: "a mapping", list: "a list", tuple: "a list"}.get(
        type(value), f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}")  # (an ellipsis, an int; a set)


def model_error_text(exc, within: str | None = None) -> str:
    """A pydantic validation error as one line per problem, ``field.path: what is expected, not what was given``
    (``within``: the model class constructed, put before each path)."""
    lines = []
    for err in exc.errors(include_url=False):
        loc = _loc(tuple(p for p in err.get("loc", ()) if not (isinstance(p, str) and p.startswith("function-"))))
        if within and loc.endswith(".value") and scalar(err.get("input")):  # (an amount given as its value: the
            loc = loc.removesuffix(".value")  # '.value' is the model's, not a field the caller wrote)
        loc = f"{within}.{loc}" if within and loc != "(top level)" else within or loc
        kind = err.get("type", "")
        inp = err.get("input")
        if kind == "extra_forbidden":
            msg = "unknown field (not a term of the model; check the spelling)"
        elif kind == "missing":
            msg = "required field missing"
        elif kind == "value_error":  # (the model's own checks: their message names the value)
            msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        elif kind in _EXPECTED:
            msg = f"{_EXPECTED[kind]}, not {_given(inp)}"
            if kind.startswith("date") and "range" in str(err.get("msg", "")):
                msg = f"{_given(inp)} is no date of the calendar (a day or month out of range)"
        else:
            msg = str(err.get("msg", "invalid value")).replace("Input should be ", "expected ")
            msg += f" (got {_given(inp)})"
        lines.append(f"{loc}: {msg}")
    return "\n".join(lines) or "the input does not fit the invoice model"


_PLACES = frozenset({"_el", "_els"})  # private attributes that say where an object was read, not what it means


class ModelBase(BaseModel):
    """Base of every model class: strict field names, source elements kept privately; a date or a decimal given
    otherwise than it is meant is refused (:func:`written_as_meant`), not read as something else. (The readers
    construct their objects without validation: this costs nothing there.)"""

    # bytes (an attachment's content) are base64 in JSON both ways: model_dump_json() of a binary attachment failed
    model_config = ConfigDict(extra="forbid", validate_assignment=False, arbitrary_types_allowed=True,
                              ser_json_bytes="base64", val_json_bytes="base64")

    _el: Any = PrivateAttr(default=None)
    _els: dict[str, Any] = PrivateAttr(default_factory=dict)

    def __getstate__(self) -> dict[Any, Any]:
        """Pickled without the elements of the document it was read from (lxml elements do not pickle: a loaded
        invoice could not be sent to a process pool); the copy holds the same meaning, and no place in a document."""
        state = super().__getstate__()
        private = state.get("__pydantic_private__")
        if private and (private.get("_el") is not None or private.get("_els")):
            state["__pydantic_private__"] = {**private, "_el": None, "_els": {}}
        return state

    def __eq__(self, other: Any) -> bool:
        """Equal when of the same class with the same values: the elements an object was read from (its place in a
        document) do not count, so an invoice read from a file equals its deep copy and the same invoice read from
        another copy of the file (they compared unequal, each holding elements of its own tree)."""
        if not isinstance(other, BaseModel):
            return NotImplemented
        if type(self) is not type(other):
            return False
        mine, theirs = self.__pydantic_private__ or {}, other.__pydantic_private__ or {}
        return (self.__dict__ == other.__dict__ and self.__pydantic_extra__ == other.__pydantic_extra__
                and {k: v for k, v in mine.items() if k not in _PLACES} == {k: v for k, v in theirs.items() if k not in _PLACES})

    @field_validator("*", mode="before")
    @classmethod
    def _as_meant(cls, value: Any, info: ValidationInfo) -> Any:
        kind = _kind(cls, info.field_name) if info.field_name else None
        if kind is not None:
            why = written_as_meant(kind, value)
            if why is not None:
                raise ValueError(why)
            if kind == "date" and isinstance(value, str):
                return value.strip()  # (a date with white space around it, as a CSV export gives it: the date)
        return value

    def __init__(self, /, **data: Any) -> None:
        """Validate ``data`` as pydantic does; what does not fit raises :class:`~einvoice.errors.ModelInputError`
        (an InvalidModelInput and a ValueError), one line per problem in the words build() uses, not pydantic's own
        error of several lines."""
        try:
            self.__pydantic_validator__.validate_python(data, self_instance=self)
        except ValidationError as exc:
            from ..errors import ModelInputError

            raise ModelInputError(model_error_text(exc, type(self).__name__)) from None

    # (pydantic's mark of its own __init__: nested objects are validated as data, as before, not through this one)
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Any:
        """pydantic's, with what does not fit raised as the constructor raises it (:class:`ModelInputError`, one line
        per problem in the caller's field names), not pydantic's own error of several lines."""
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            from ..errors import ModelInputError

            raise ModelInputError(model_error_text(exc, cls.__name__)) from None

    @classmethod
    def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any) -> Any:
        """pydantic's, raising as :meth:`model_validate` does."""
        try:
            return super().model_validate_json(json_data, *args, **kwargs)
        except ValidationError as exc:
            from ..errors import ModelInputError

            raise ModelInputError(model_error_text(exc, cls.__name__)) from None

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
