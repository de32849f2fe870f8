#!/usr/bin/env python3
"""Compile the YAML data files under ``schemas/`` to JSON under ``schemas/compiled/``.

Every process used to parse about a hundred YAML files (rule metadata, structure
tables, releases, code lists) before it could validate anything. The compiled
form holds the same data as JSON (parsed several times faster), with the length and
CRC-32 of the YAML source it came from: :func:`einvoice.data.load_yaml` uses it
only when both match the source file, and parses the YAML otherwise, so an
edited source is never shadowed by stale compiled data.

    python scripts/compile_schemas.py          # write schemas/compiled/
    python scripts/compile_schemas.py --check  # exit 1 when the compiled data is out of date

A file whose data JSON cannot hold exactly (a date, a non-string key) is left
out and keeps being read from YAML. ``tests/test_compiled_schemas.py`` fails when
the compiled data is out of date with the YAML.
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
COMPILED = SCHEMAS / "compiled"


def sources() -> list[Path]:
    return sorted(p for p in SCHEMAS.rglob("*.yaml") if COMPILED not in p.parents)


def compiled_text(path: Path) -> str | None:
    """The JSON text for one YAML file (None when JSON cannot hold its data exactly)."""
    raw = path.read_bytes()
    data = yaml.load(raw.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    try:
        text = json.dumps({"source": [len(raw), zlib.crc32(raw)], "data": data}, ensure_ascii=False,
                          separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        return None
    if json.loads(text)["data"] != data or not _same_types(json.loads(text)["data"], data):
        return None
    return text + "\n"


def _same_types(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same_types(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same_types(x, y) for x, y in zip(a, b))
    return True


def expected() -> dict[Path, str]:
    out: dict[Path, str] = {}
    for src in sources():
        text = compiled_text(src)
        if text is not None:
            out[COMPILED / src.relative_to(SCHEMAS).with_suffix(".json")] = text
    return out


def stale() -> list[str]:
    """What differs between schemas/compiled/ and the YAML sources (empty: up to date)."""
    want = expected()
    problems = [f"{p.relative_to(ROOT)}: missing or out of date" for p, text in want.items()
                if not p.exists() or p.read_text(encoding="utf-8") != text]
    if COMPILED.exists():
        problems += [f"{p.relative_to(ROOT)}: no YAML source" for p in sorted(COMPILED.rglob("*.json"))
                     if p not in want]
    return problems


def write() -> int:
    want = expected()
    changed = 0
    for path, text in want.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed += 1
    if COMPILED.exists():
        for path in COMPILED.rglob("*.json"):
            if path not in want:
                path.unlink()
                changed += 1
    return changed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="report out-of-date compiled data, write nothing")
    a = ap.parse_args(argv)
    if a.check:
        problems = stale()
        for p in problems:
            print(p)
        return 1 if problems else 0
    n = write()
    print(f"schemas/compiled: {n} file(s) written or removed, {len(expected())} compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
