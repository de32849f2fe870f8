"""EN 16931 business rules (BR-*, BR-CO-*, BR-DEC-*, BR-CL-*, VAT category families).

The official rule sets are stated on the document tree, and so are these: one
evaluation path per syntax, no second implementation on the model. A model
built in code (a Document without a tree) is checked by writing it first, as
``build.check_written`` does (see :func:`on_tree`).

Every module listed in ``MODULES`` registers its checks on ``RULES`` when it is
imported; the list is explicit and every module must exist.
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
        from ...validate import written as write_and_read  # the one writer of a model for tree rules

        written = write_and_read(doc)
        cache["en16931.written"] = written
    return written


MODULES = ['core', 'vat', 'codes']

for _name in MODULES:  # explicit: every module listed must exist
    importlib.import_module(f"{__name__}.{_name}")
