"""Conformance scoreboard: how far our engine agrees with the official rule sets.

Two measures over a conformance folder (``../shared/conformance`` in CI):

* **unit tests** - every vefa ``testSet`` file: each ``success`` id must not
  fire on the test's document, each ``error`` id must fire at fatal/error level,
  each ``warning`` id must fire as a warning. Counted per folder.
* **golden verdicts** - ``expected-verdicts.json``: for each complete document
  and each layer, the set of (rule id, severity) we report must equal the
  official one exactly.
* **releases** - ``expected-verdicts-peppol-releases.json``: the same, once per
  Peppol BIS release (3.0.19, 3.0.20, 3.0.21), each run under that release.

The unit tests under ``peppol-bis-3/rules`` and the Peppol layers of
``expected-verdicts.json`` are the official verdicts of release 3.0.19, so they
run under that release (``CORPUS_RELEASE``), whatever release is in force; CEN's
unit tests and the EN 16931 layers are 1.3.16's (``EN_CORPUS_RELEASE``).

Run ``einvoice conformance DIR`` or ``python -m einvoice.conformance DIR``.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from lxml import etree

VEFA = "http://difi.no/xsd/vefa/validator/1.0"

# testSet configuration -> our layers
CONFIG_LAYERS = {
    "tc434-ubl": ("ubl-syntax", "en16931"),
    "tc434-cii": ("cii-syntax", "en16931"),
    "peppolbis-en16931-base-3.0-ubl": ("ubl-syntax", "en16931", "peppol", "national"),
    "peppolbis-en16931-base-3.0-cii": ("cii-syntax", "en16931", "peppol", "national"),
}

# unit tests the project writes itself, for rule sets whose official tests are not in the corpus:
# folders under tests/ of the project, scored beside the corpus (testSet configuration -> layers, profile)
PROJECT_TESTS = Path(__file__).resolve().parent.parent / "tests"
PROJECT_UNIT_FOLDERS = ("xrechnung",)
CORPUS_PARTS = ("en16931", "peppol-bis-3", "expected-verdicts.json", "expected-verdicts-peppol-releases.json")
CONFIG_LAYERS["xrechnung-3.0-ubl"] = ("ubl-syntax-xrechnung", "en16931-xrechnung", "xrechnung")
CONFIG_LAYERS["xrechnung-3.0-cii"] = ("cii-syntax-xrechnung", "en16931-xrechnung", "xrechnung")
CONFIG_PROFILES = {"xrechnung-3.0-ubl": "xrechnung", "xrechnung-3.0-cii": "xrechnung"}

# golden layer -> (our layers, profile the rules see)
GOLDEN_LAYERS = {
    "en-ubl": (("ubl-syntax", "en16931"), "en16931"),
    "en-cii": (("cii-syntax", "en16931"), "en16931"),
    "peppol-ubl": (("peppol", "national"), "peppol"),
    "peppol-cii": (("peppol", "national"), "peppol"),
    "fx-en16931": (("facturx",), "facturx-en16931"),
}

DOC_NAMES = {"Invoice", "CreditNote", "CrossIndustryInvoice"}

# the rule releases whose verdicts the unit tests and expected-verdicts.json hold: Peppol's (unit tests, Peppol
# layers) are 3.0.19's; CEN's (the tc434 unit tests, the en-* layers) are EN 16931 1.3.16's
CORPUS_RELEASE = {"peppol": "3.0.19"}
EN_CORPUS_RELEASE = {**CORPUS_RELEASE, "en16931": "1.3.16"}

# expected-verdicts-peppol-releases.json: layer@release -> (our layers, profile, Peppol release)
RELEASE_LAYERS = {
    "peppol-ubl@2025.5": (("peppol", "national"), "peppol", "3.0.19"),
    "peppol-ubl@2025.11": (("peppol", "national"), "peppol", "3.0.20"),
    "peppol-ubl@2026.5": (("peppol", "national"), "peppol", "3.0.21"),
}


@dataclass
class Disagreement:
    file: str
    test: int
    rule: str
    expected: str  # success / error / warning
    got: str  # what we reported for that id: "nothing", "error", "warning", "fatal", or a read problem


@dataclass
class Score:
    name: str
    agreed: int = 0
    total: int = 0
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def pct(self) -> float:
        return 100.0 * self.agreed / self.total if self.total else 100.0


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


def _document_of(test: etree._Element) -> etree._Element | None:
    for child in test:
        if isinstance(child.tag, str) and etree.QName(child).localname in DOC_NAMES:
            # a tree of its own, so that absolute paths start at the invoice
            return etree.ElementTree(copy.deepcopy(child)).getroot()
    return None


def _findings(root, layers: Iterable[str], profile: str | None, path: str,
              rules: dict[str, str] | None = None) -> tuple[dict[str, set[str]], str | None]:
    """rule id -> severities we report for a document, or a read/engine problem."""
    from .errors import EinvoiceError
    from .validate import validate_document
    from . import syntax

    try:
        doc = syntax.read_tree(root, path)
    except EinvoiceError as exc:
        return {}, f"unreadable: {exc}"
    except Exception as exc:  # noqa: BLE001 - a reader crash is a result to show
        return {}, f"reader crashed: {type(exc).__name__}: {exc}"
    doc.profile = profile
    try:
        report = validate_document(doc, profile=profile or "en16931", schema=False, layers=tuple(layers),
                                   rules=rules if rules is not None else CORPUS_RELEASE)
    except Exception as exc:  # noqa: BLE001
        return {}, f"engine crashed: {type(exc).__name__}: {exc}"
    out: dict[str, set[str]] = defaultdict(set)
    for f in report.findings:
        out[f.rule].add(f.severity.value)
    problem = "; ".join(report.internal_errors) or None
    return out, problem


def _verdict(expected: str, got: set[str]) -> bool:
    if expected == "success":
        return not got
    if expected == "error":
        return bool(got & {"fatal", "error"})
    if expected == "warning":
        return "warning" in got
    if expected == "information":  # rules the official set flags "information"
        return "info" in got
    return False


def unit_scores(root: Path, only: str | None = None, rule: str | None = None, under: str | None = None) -> list[Score]:
    scores: dict[str, Score] = {}
    files = sorted(p for p in (root / under if under else root).rglob("*.xml") if "/examples" not in str(p))
    for path in files:
        rel = path.relative_to(root)
        if only and only not in str(rel):
            continue
        try:
            tree = etree.parse(str(path), _parser())
        except etree.XMLSyntaxError:
            continue
        ts = tree.getroot()
        if ts.tag != f"{{{VEFA}}}testSet":
            continue
        layers = CONFIG_LAYERS.get(ts.get("configuration", ""))
        if layers is None:
            continue
        profile = CONFIG_PROFILES.get(ts.get("configuration", "")) or (
            "peppol" if "peppol" in ts.get("configuration", "") else "en16931")
        folder = str(rel.parent)
        score = scores.setdefault(folder, Score(folder))
        for n, test in enumerate(ts.iter(f"{{{VEFA}}}test"), 1):
            asserts = test.find(f"{{{VEFA}}}assert")
            if asserts is None:
                continue
            checks = [(etree.QName(a).localname, (a.text or "").strip()) for a in asserts
                      if isinstance(a.tag, str) and etree.QName(a).localname in ("success", "error", "warning", "information")]
            if rule:
                checks = [c for c in checks if c[1] == rule]
            if not checks:
                continue
            doc = _document_of(test)
            if doc is None:
                continue
            found, problem = _findings(doc, layers, profile, str(rel),
                                       EN_CORPUS_RELEASE if ts.get("configuration", "").startswith("tc434") else None)
            for kind, rid in checks:
                score.total += 1
                got = found.get(rid, set())
                if _verdict(kind, got) and not (problem and kind != "success" and not got):
                    score.agreed += 1
                else:
                    got_s = ",".join(sorted(got)) or "nothing"
                    if problem:
                        got_s += f" ({problem[:160]})"
                    score.disagreements.append(Disagreement(str(rel), n, rid, kind, got_s))
    return [scores[k] for k in sorted(scores)]


def _extract_pdf_xml(path: Path) -> bytes:
    from .container import read_pdf

    xml, _findings = read_pdf(path.read_bytes(), str(path))
    return xml


def golden_scores(root: Path, only: str | None = None, rule: str | None = None,
                  file: str = "expected-verdicts.json", table: dict | None = None) -> list[Score]:
    """Agreement with a verdicts file, per layer; ``table``: layer -> (our layers, profile[, Peppol release])."""
    table = GOLDEN_LAYERS if table is None else table
    verdicts_file = root / file
    if not verdicts_file.exists():
        return []
    verdicts = json.loads(verdicts_file.read_text(encoding="utf-8"))
    scores: dict[str, Score] = {name: Score(f"golden {name}" + (f" ({spec[2]})" if len(spec) > 2 else ""))
                                for name, spec in table.items()}  # (a release's folder name, and its number)
    for rel, layers in sorted(verdicts.items()):
        if only and only not in rel:
            continue
        path = root / rel
        try:
            data = _extract_pdf_xml(path) if path.suffix.lower() == ".pdf" else path.read_bytes()
            doc_root = etree.fromstring(data, _parser())
        except Exception as exc:  # noqa: BLE001
            doc_root, read_problem = None, f"cannot read: {exc}"
        else:
            read_problem = None
        for lname, expected in layers.items():
            if not isinstance(expected, list) or lname not in table:
                continue
            our_layers, profile, *release = table[lname]
            rules = {"peppol": release[0]} if release else EN_CORPUS_RELEASE if lname.startswith("en-") else None
            score = scores[lname]
            exp = {(r, s) for r, s in expected}
            if rule:
                exp = {e for e in exp if e[0] == rule}
            if doc_root is None:
                found, problem = {}, read_problem
            else:
                found, problem = _findings(doc_root, our_layers, profile, rel, rules)
            # the golden verdicts list rule ids only: the official reports without an id, our
            # FX-NOTUSED-* (see tests/test_facturx_notused.py for their differential test), are not in them
            got = {(r, s) for r, sev in found.items() for s in sev if not r.startswith("FX-NOTUSED-")}
            if rule:
                got = {g for g in got if g[0] == rule}
            score.total += 1
            if got == exp and not problem:
                score.agreed += 1
            else:
                missing = sorted(exp - got)
                extra = sorted(got - exp)
                desc = []
                if missing:
                    desc.append("missing " + " ".join(f"{r}/{s}" for r, s in missing))
                if extra:
                    desc.append("extra " + " ".join(f"{r}/{s}" for r, s in extra))
                if problem:
                    desc.append(problem[:200])
                ids = sorted({r for r, _ in missing + extra}) or ["(read problem)"]
                for rid in ids:
                    score.disagreements.append(Disagreement(rel, 0, rid, "exact set", "; ".join(desc)))
    return [s for s in scores.values() if s.total]


def print_scores(scores: list[Score], verbose: bool = False, out=sys.stdout) -> None:
    width = max((len(s.name) for s in scores), default=10)
    for s in scores:
        ids = sorted({d.rule for d in s.disagreements})
        shown = " ".join(ids[:25]) + (f" ... (+{len(ids) - 25})" if len(ids) > 25 else "")
        print(f"{s.name:<{width}}  {s.agreed:>5}/{s.total:<5} {s.pct:6.1f}%  {shown}", file=out)
        if verbose:
            for d in s.disagreements:
                where = f"{d.file}#{d.test}" if d.test else d.file
                print(f"    {where}: {d.rule} expected {d.expected}, got {d.got}", file=out)
    agreed = sum(s.agreed for s in scores)
    total = sum(s.total for s in scores)
    pct = 100.0 * agreed / total if total else 100.0
    print(f"{'TOTAL':<{width}}  {agreed:>5}/{total:<5} {pct:6.1f}%", file=out)


def run(root: Path, only: str | None = None, rule: str | None = None, verbose: bool = False,
        golden: bool = True, units: bool = True, as_json: bool = False, out=sys.stdout) -> int:
    """Print the scoreboard; return 0 when everything agrees, 1 otherwise, 2 when nothing was selected."""
    scores: list[Score] = []
    if units:
        scores += unit_scores(root, only, rule)
        for folder in PROJECT_UNIT_FOLDERS:
            # beside the package (a checkout, an editable install), else in the working folder's checkout (a copy
            # installed from it, as scripts/venv installs, run there)
            tests = next((t for t in (PROJECT_TESTS, Path.cwd() / "tests") if (t / folder / "make_testsets.py").is_file()), None)
            if tests is not None:
                scores += unit_scores(tests, only, rule, under=folder)
            elif not only or only in folder:  # (an installed copy has no tests/: said, not scored as if all were)
                print(f"einvoice conformance: the project's {folder} unit tests are not scored: they are in tests/{folder} "
                      "of a checkout, neither beside this installed copy nor in the working folder", file=sys.stderr)
    units_total = sum(s.total for s in scores)  # (the unit tests' assertions about the rule asked for, if any)
    if golden:
        scores += golden_scores(root, only, rule)
        scores += golden_scores(root, only, rule, "expected-verdicts-peppol-releases.json", RELEASE_LAYERS)
    if rule and not units_total and not any(  # (a rule id no test and no official verdict names: a typo, say)
            rule in (root / name).read_text(encoding="utf-8", errors="replace")
            for name in ("expected-verdicts.json", "expected-verdicts-peppol-releases.json") if (root / name).is_file()):
        scores = []
    if not sum(s.total for s in scores):  # (a typo in --only or --rule, or both parts left out, is no green scoreboard)
        said = ", ".join(x for x in (f"--only {only!r}" if only else "", f"--rule {rule!r}" if rule else "",
                                     "--no-golden" if not golden else "", "--no-units" if not units else "") if x)
        print(f"einvoice conformance: nothing to score{' with ' + said if said else ''}: no test or verdict selected",
              file=sys.stderr)
        return 2
    if as_json:
        json.dump({"scores": [{"name": s.name, "agreed": s.agreed, "total": s.total,
                                "disagreements": [d.__dict__ for d in s.disagreements]} for s in scores]},
                  out, indent=2)
        out.write("\n")
    else:
        print_scores(scores, verbose, out)
    return 0 if all(s.agreed == s.total for s in scores) else 1


class _OneLine(argparse.ArgumentParser):
    """A misuse said in one line, exit 2, as every other command says it (argparse printed its usage block first)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def main(argv: list[str] | None = None) -> int:
    ap = _OneLine(
        prog="einvoice conformance", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
               "  einvoice conformance ../shared/conformance                # the scoreboard, per rule set and release\n"
               "  einvoice conformance --rule BR-CO-15 -v                   # one rule, every disagreement listed\n"
               "  einvoice conformance --only peppol-bis-3 --no-golden      # the Peppol unit tests only\n"
               "  einvoice conformance --json > scoreboard.json             # the same figures as data")
    ap.add_argument("root", nargs="?", default="../shared/conformance", type=Path,
                    help="the conformance folder (default: ../shared/conformance; layout in its README.md)")
    ap.add_argument("--only", help="only files whose path contains this text")
    ap.add_argument("--rule", help="only assertions about this rule id")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every disagreement")
    ap.add_argument("--no-golden", action="store_true",
                    help="leave out the official validators' verdicts on the complete examples")
    ap.add_argument("--no-units", action="store_true", help="leave out the official unit tests of the rule sets")
    ap.add_argument("--json", action="store_true", help="print the scoreboard as JSON")
    a = ap.parse_args(argv)
    if not a.root.is_dir():
        from .errors import printable

        print(f"einvoice conformance: {printable(a.root)}: no such folder", file=sys.stderr)
        return 2
    if not any((a.root / name).exists() for name in CORPUS_PARTS):  # not a scoreboard of the project's own tests alone
        from .errors import printable

        print(f"einvoice conformance: {printable(a.root)}: no conformance corpus there (none of {', '.join(CORPUS_PARTS)})",
              file=sys.stderr)
        return 2
    return run(a.root, a.only, a.rule, a.verbose, not a.no_golden, not a.no_units, a.json)


if __name__ == "__main__":
    sys.exit(main())
