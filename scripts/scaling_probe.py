#!/usr/bin/env python3
"""Look for validation cost that grows faster than the document: repeat each element.

For every distinct element path of a seed document, the element is repeated as a
sibling ``--small`` and ``--large`` times and the copy is validated (XSD and every
rule layer, as ``einvoice validate`` does). Linear cost grows with the repetition
factor (large/small); a rule that compares every repeated element with every other
grows with its square. Paths whose growth exceeds ``--limit`` times the factor are
printed, worst first, with their CPU times.

    python scripts/scaling_probe.py [SEED.xml ...] [--small 200] [--large 1600] [--limit 2.5]
                                    [--profile facturx-extended ...]

Without seeds, a UBL and a CII example of the shared conformance corpus are used. Each seed is
validated with the profile it declares, or with each ``--profile`` given (the Factur-X
profiles' own rules run only for documents judged against them).
Exit status 1 when a path grows faster than the limit allows.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CORPUS = ROOT.parent / "shared" / "conformance"
DEFAULT_SEEDS = ("en16931/ubl/examples/ubl-tc434-example2.xml", "en16931/cii/examples/CII_example2.xml")


def _paths(root) -> list[tuple[int, str]]:
    """One element per distinct path (positions dropped): its place in document order and its path."""
    tree = root.getroottree()
    seen: dict[str, int] = {}
    for i, el in enumerate(root.iter()):
        if not isinstance(el.tag, str) or el is root:
            continue
        seen.setdefault("/".join(p.split("[")[0] for p in tree.getpath(el).split("/")), i)
    return [(i, path) for path, i in seen.items()]


def _repeated(root, index: int, times: int):
    doc = copy.deepcopy(root)
    el = next(e for i, e in enumerate(doc.iter()) if i == index)
    parent = el.getparent()
    at = parent.index(el)
    for _ in range(times - 1):
        parent.insert(at, copy.deepcopy(el))
    return doc


def _cpu(root, profile: str = "auto") -> float:
    """CPU seconds to read and validate the document, as `einvoice validate` does."""
    from lxml import etree

    from einvoice import syntax
    from einvoice.validate import validate_document

    data = etree.tostring(root)
    start = time.process_time()
    validate_document(syntax.load(data, max_bytes=1 << 30), profile=profile, schema=True)
    return time.process_time() - start


def probe(seed: Path, small: int, large: int, limit: float, profile: str = "auto") -> list[tuple[float, str, float, float]]:
    from einvoice.xmlsafe import parse

    root = parse(seed.read_bytes()).getroot()
    factor = large / small
    slow = []
    for index, path in _paths(root):
        t_small = _cpu(_repeated(root, index, small), profile)
        t_large = _cpu(_repeated(root, index, large), profile)
        growth = t_large / max(t_small, 1e-4)
        if growth > limit * factor and t_large > 0.5:
            slow.append((growth / factor, path, t_small, t_large))
    return sorted(slow, reverse=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("seeds", nargs="*")
    ap.add_argument("--small", type=int, default=200)
    ap.add_argument("--large", type=int, default=1600)
    ap.add_argument("--limit", type=float, default=2.5, help="allowed growth beyond linear (default 2.5)")
    ap.add_argument("--profile", action="append", dest="profiles", help="validate against this profile (repeatable)")
    args = ap.parse_args(argv)
    seeds = [Path(s) for s in args.seeds] or [CORPUS / s for s in DEFAULT_SEEDS]
    bad = 0
    for seed, profile in [(seed, profile) for seed in seeds for profile in args.profiles or ["auto"]]:
        if not seed.is_file():
            print(f"{seed}: not found", file=sys.stderr)
            return 2
        slow = probe(seed, args.small, args.large, args.limit, profile)
        print(f"{seed.name} ({profile}): {len(slow)} path(s) grow faster than {args.limit} x linear "
              f"({args.small} -> {args.large} copies)", flush=True)
        for excess, path, t1, t2 in slow:
            print(f"  {excess:5.1f} x linear  {t1:6.2f} s -> {t2:6.2f} s  {path}")
        bad += len(slow)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
