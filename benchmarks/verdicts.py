"""Findings of every corpus document and of seeded mutants, to show that a speed change changes no verdict.

    python benchmarks/verdicts.py snapshot OUT.jsonl [--mutants N] [--conformance DIR] [--invoices]
    python benchmarks/verdicts.py compare BEFORE.jsonl AFTER.jsonl

A snapshot holds, per document, the detected profile and the sorted findings (rule, severity, line,
XPath, message), or the one-line reason a document is unreadable. By default the mutants are made
from every XML file that mentions an invoice near its start (the Peppol test sets that wrap one
included, whose mutants are unreadable as a whole); ``--invoices`` makes them from the invoices
themselves only (root Invoice, CreditNote or CrossIndustryInvoice) and from samples/*.xml, so that
every mutant is validated. Take one before a change and one
after it (same mutant count and options); ``compare`` prints the documents whose verdicts differ and exits 1 if any do.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def _is_invoice(data: bytes) -> bool:
    from lxml import etree

    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    except etree.XMLSyntaxError:
        return False
    tag = root.tag if isinstance(root.tag, str) else ""
    return tag.rpartition("}")[2] in ("Invoice", "CreditNote", "CrossIndustryInvoice")


def snapshot(out: Path, mutants: int, conformance: Path, invoices: bool = False) -> int:
    from mutate import mutant

    from einvoice.errors import UnreadableInput
    from einvoice.validate import validate

    files = sorted(p for p in conformance.rglob("*") if p.suffix.lower() in (".xml", ".pdf"))
    xmls: list[tuple[str, bytes]] = []
    n = 0
    with out.open("w") as fh:
        def run(key: str, data: bytes) -> None:
            try:
                r = validate(data)
                res = [r.profile] + sorted((f.rule, str(f.severity), f.line, f.xpath, f.message) for f in r.findings)
            except UnreadableInput as exc:
                res = ["UNREADABLE", str(exc)]
            except Exception as exc:  # noqa: BLE001 - a crash is a verdict to compare too
                res = ["CRASH", type(exc).__name__, str(exc)]
            fh.write(json.dumps([key, res], default=str) + "\n")

        for p in files:
            data = p.read_bytes()
            run(str(p.relative_to(conformance)), data)
            n += 1
            if p.suffix.lower() == ".xml" and (b"Invoice" in data[:3000] or b"CrossIndustry" in data[:3000]):
                if not invoices or _is_invoice(data):
                    xmls.append((str(p.relative_to(conformance)), data))
        if invoices:
            for p in sorted((ROOT / "samples").glob("*.xml")):
                data = p.read_bytes()
                if _is_invoice(data):
                    run(f"samples/{p.name}", data)
                    n += 1
                    xmls.append((f"samples/{p.name}", data))
        for i in range(mutants if xmls else 0):
            name, data = xmls[i % len(xmls)]
            try:
                mutated, _ = mutant(data, i)
            except Exception:  # noqa: BLE001 - a document the mutator cannot parse
                continue
            run(f"{name}#{i}", mutated)
            n += 1
    print(f"{n} documents -> {out}")
    return 0


def compare(before: Path, after: Path) -> int:
    def load(p: Path) -> dict:
        return {k: v for k, v in (json.loads(line) for line in p.open())}

    a, b = load(before), load(after)
    diff = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    print(f"{len(a)} / {len(b)} documents, {len(diff)} with different verdicts")
    for k in diff[:10]:
        print(k)
        print("  before", str(a.get(k))[:400])
        print("  after ", str(b.get(k))[:400])
    return 1 if diff else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("snapshot")
    s.add_argument("out", type=Path)
    s.add_argument("--mutants", type=int, default=2000)
    s.add_argument("--conformance", type=Path, default=ROOT.parent / "shared" / "conformance")
    s.add_argument("--invoices", action="store_true",
                   help="mutate the invoices themselves (and samples/*.xml), not the test sets that wrap them")
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = ap.parse_args()
    if args.cmd == "snapshot":
        if not args.conformance.is_dir():
            print(f"no conformance corpus at {args.conformance}")
            return 2
        return snapshot(args.out, args.mutants, args.conformance, args.invoices)
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
