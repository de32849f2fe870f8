"""Code lists kept as data under ``schemas/codelists/<name>.yaml``.

Each file holds ``name``, ``source`` (where the list comes from, with version)
and ``codes`` (a list of strings). Lists are loaded once, on first use.
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

CODELISTS = Path(__file__).resolve().parent.parent.parent / "schemas" / "codelists"


@functools.lru_cache(maxsize=None)
def get(name: str) -> frozenset[str]:
    """The codes of list ``name`` (e.g. ``"ISO4217"``, ``"UNCL5305"``); KeyError if there is no such list."""
    path = CODELISTS / f"{name}.yaml"
    if not path.exists():
        raise KeyError(f"no code list {name!r} under {CODELISTS}")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return frozenset(str(c) for c in data.get("codes", []))


def contains(name: str, code: str | None) -> bool:
    """True when ``code`` (whitespace-trimmed) is in list ``name``."""
    return code is not None and code.strip() in get(name)


def available() -> list[str]:
    return sorted(p.stem for p in CODELISTS.glob("*.yaml"))
