"""EN 16931 business rules (BR-*, BR-CO-*, BR-DEC-*, BR-CL-*, VAT category families).

The official rule sets are stated on the document tree, and so are these: one
evaluation path per syntax, no second implementation on the model. A model
built in code (a Document without a tree) is checked by writing it first, as
``build.check_written`` does (see :func:`on_tree`).

Every module listed in ``MODULES`` registers its checks on ``RULES``; a module
not written yet is skipped.
"""

from __future__ import annotations

import importlib

from typing import Any

from ..engine import RuleSet

RULES = RuleSet("en16931")



def on_tree(doc: Any) -> Any:
    """The document itself when it has a tree; for a model built in code, that model written and read back.

    The written document is made once and kept on the model document, so every
    EN 16931 rule sees the same tree (findings point into it).
    """
    if doc.root is not None:
        return doc
    cache = doc.__dict__.setdefault("_cache", {})
    written = cache.get("en16931.written")
    if written is None:
        from ... import syntax, xmlsafe
        from ...model.invoice import Syntax

        if doc.syntax == Syntax.CII:
            from ...syntax.cii.writer import write_cii

            data = write_cii(doc.invoice)
        else:
            from ...syntax.ubl.writer import write_ubl

            data = write_ubl(doc.invoice)
        written = syntax.read_tree(xmlsafe.parse(data, doc.path).getroot(), doc.path)
        cache["en16931.written"] = written
    return written


MODULES = ['core', 'vat', 'codes']

for _name in MODULES:
    try:
        importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as _exc:  # a module not written yet
        if _exc.name != f"{__name__}.{_name}":
            raise
