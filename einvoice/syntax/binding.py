"""The business-term binding tables of the two syntaxes: one row per model field.

Each syntax has a table (``einvoice.syntax.ubl.binding``, ``einvoice.syntax.cii.binding``)
that says, for every field of the model, which business term it is, where the syntax
puts it (an XPath relative to the element of the field's model object; ``|`` separates
alternatives), how often it may occur there, and which code mapping applies; or, in
``NOT_BOUND``, why the syntax has no place for it. The readers and writers implement
these rows; ``tests/test_bindings.py`` checks the tables against the model (every field
has a row or a reason) and against the writers (every row's path is written).
"""

from __future__ import annotations

from typing import NamedTuple


class Term(NamedTuple):
    field: str  # "Class.field" of the model
    term: str  # BT-/BG- (or "-" for a syntax element the model keeps)
    path: str  # XPath relative to the element of the field's object
    card: str  # cardinality in the syntax ("0..1", "1..1", "0..n")
    codes: str | None = None  # the code mapping (einvoice.syntax.codes) the reader and writer apply


def fields_of(table: list[Term]) -> set[str]:
    return {row.field for row in table}
