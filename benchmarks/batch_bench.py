"""Batch benchmark: many invoices with the full EHF rules plus house policy.

    python benchmarks/batch_bench.py [--count 10000] [--jobs N]

Generates ``count`` mutants of the shipped samples (and of the complete UBL
examples in ../shared/conformance when present) into a temporary folder,
validates them as one batch (XSD + UBL syntax + EN 16931 + Peppol + national +
policy, in parallel) and prints documents per second and peak memory; then
times ``einvoice validate one.xml`` from a cold start. Not a test.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def sources() -> list[bytes]:
    out = [p.read_bytes() for p in sorted((ROOT / "samples").glob("*.xml"))
           if b"urn:oasis:names:specification:ubl" in p.read_bytes()[:2000]]
    conf = ROOT.parent / "shared" / "conformance" / "en16931" / "ubl" / "examples"
    if conf.is_dir():
        out += [p.read_bytes() for p in sorted(conf.glob("*.xml")) if p.stat().st_size < 200_000]
    return out


def peak_mb() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return me, kids


def _cpu() -> tuple[float, float]:
    """User + system CPU seconds of this process and of its finished children (the workers)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=10_000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--keep", help="write the generated batch into this folder and keep it")
    a = ap.parse_args(argv)

    from mutate import mutant

    from einvoice import batch

    srcs = sources()
    if not srcs:
        print("batch_bench: no UBL samples found (samples/*.xml)", file=sys.stderr)
        return 2
    folder = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="einvoice-batch-"))
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    for i in range(a.count):
        data = srcs[i % len(srcs)]
        if i % 4:  # three in four are mutants, one in four is the original
            data, _ = mutant(data, i, rounds=1)
        (folder / f"inv-{i:06d}.xml").write_bytes(data)
    print(f"generated {a.count} invoices in {time.perf_counter() - t0:.1f} s ({folder})")

    opts = batch.Options(profile="ehf", schema=True, policy=True)
    checkpoints = []

    def progress(_r, n=[0]):
        n[0] += 1
        if n[0] in (a.count // 10, a.count // 2, a.count):
            checkpoints.append((n[0], *peak_mb()))

    t0 = time.perf_counter()
    cpu0 = _cpu()
    results = batch.run([str(folder)], opts, jobs=a.jobs, progress=progress)
    secs = time.perf_counter() - t0
    cpu = [b - a_ for a_, b in zip(cpu0, _cpu())]
    summary = batch.summarize(results, secs)
    c = summary.counts
    print(f"validated {len(results)} files with {a.jobs} jobs in {secs:.1f} s: {len(results) / secs:.0f} docs/s "
          f"(valid {c.get('valid', 0)}, warnings {c.get('warnings', 0)}, invalid {c.get('invalid', 0)}, "
          f"unreadable {c.get('unreadable', 0)})")
    print(f"  CPU time: main {cpu[0]:.1f} s, workers {cpu[1]:.1f} s ({1000 * (cpu[0] + cpu[1]) / max(1, len(results)):.2f} ms "
          "per file; on a shared machine a steadier measure than docs/s)")
    for n, me, kids in checkpoints:
        print(f"  after {n:>6} files: peak RSS main {me:.0f} MB, largest worker {kids:.0f} MB")

    sample = next((p for p in sorted((ROOT / "samples").glob("*.xml"))), None)
    if sample is not None and shutil.which("einvoice"):
        times, cpus = [], []
        for _ in range(5):
            t0 = time.perf_counter()
            c0 = _cpu()[1]
            subprocess.run(["einvoice", "validate", str(sample)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - t0)
            cpus.append(_cpu()[1] - c0)
        print(f"cold start `einvoice validate {sample.name}`: best {min(times):.3f} s, median {statistics.median(times):.3f} s "
              f"(CPU best {min(cpus):.3f} s)")
    if not a.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
