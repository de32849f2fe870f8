"""Scaling check: validation time against the number of invoice lines, both syntaxes.

    python benchmarks/scaling.py [--lines 250,500,1000,2000] [--repeat 2]

For EHF (UBL) and Factur-X EN 16931 (CII) invoices built from the samples with their
lines repeated, prints the CPU time of a full validation (XSD and every rule layer of
the profile) and the factor each doubling of the lines costs. Linear rules give about
2 per doubling; a rule that queries every line for every line (as CII-DT-033 once did)
shows as about 4. Not a test: the factors are printed, and marked when above 2.6.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES = (("UBL", "ehf-invoice.yaml", "ehf"), ("CII", "facturx-en16931.yaml", "facturx-en16931"))


def invoice(sample: str, fmt: str, lines: int) -> bytes:
    from einvoice.build import build, load_input

    data = load_input(ROOT / "samples" / sample)
    base, out = data["lines"], []
    while len(out) < lines:
        for line in base:
            line = copy.deepcopy(line)
            line["id"] = str(len(out) + 1)
            out.append(line)
    data["lines"] = out[:lines]
    return build(data, fmt)


def cpu_seconds(data: bytes, repeat: int) -> float:
    from einvoice import syntax
    from einvoice.validate import validate_document

    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        validate_document(syntax.load(data))
        best = min(best, time.process_time() - t0)
    return best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", default="250,500,1000,2000")
    ap.add_argument("--repeat", type=int, default=2)
    a = ap.parse_args(argv)
    counts = [int(x) for x in a.lines.split(",")]
    for label, sample, fmt in CASES:
        cpu_seconds(invoice(sample, fmt, 10), 1)  # warm: tables and schemas
        print(f"{label} ({fmt})")
        previous = None
        for n in counts:
            data = invoice(sample, fmt, n)
            s = cpu_seconds(data, a.repeat)
            factor = ""
            if previous is not None:
                f = (s / previous[1]) / (n / previous[0]) * 2  # cost of a doubling
                factor = f"  x{f:.2f} per doubling" + ("  <- more than linear" if f > 2.6 else "")
            print(f"  {n:>6} lines  {len(data) / 1e6:6.2f} MB  {s * 1000:8.0f} ms CPU  "
                  f"{s / n * 1e6:7.0f} us/line{factor}")
            previous = (n, s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
