"""Batch validation: many files, in parallel, with a summary and cross-invoice checks.

Inputs are files, folders (recursive), glob patterns and ``-`` (standard input).
The type of a file is decided by its content (UBL, CII, or a Factur-X/ZUGFeRD
PDF), not its name. A file that cannot be read gets a one-line reason and the
status ``unreadable``; it never stops the rest of the batch. A file met while
walking a folder that is neither XML nor PDF is skipped with a note.
"""

from __future__ import annotations

import glob
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable

from .rules.engine import Finding, Severity
from .xmlsafe import MAX_BYTES, is_pdf

STATUS_VALID = "valid"
STATUS_WARNINGS = "warnings"
STATUS_INVALID = "invalid"
STATUS_UNREADABLE = "unreadable"
STATUS_SKIPPED = "skipped"


@dataclass
class Options:
    profile: str = "auto"
    schema: bool = True
    policy: bool = False
    max_bytes: int = MAX_BYTES
    rules: dict[str, str] | None = None  # rule releases other than those in force, e.g. {"peppol": "3.0.20"}


@dataclass
class FileResult:
    path: str
    status: str
    profile: str | None = None
    profile_reason: str | None = None
    findings: list[Finding] = field(default_factory=list)
    reason: str | None = None  # for unreadable / skipped
    seconds: float = 0.0
    facts: dict[str, Any] = field(default_factory=dict)  # for cross-invoice checks
    releases: list[str] = field(default_factory=list)  # the rule releases applied

    @property
    def valid(self) -> bool:
        return self.status in (STATUS_VALID, STATUS_WARNINGS)

    def as_dict(self) -> dict[str, Any]:
        out = {
            "path": self.path,
            "status": self.status,
            "profile": self.profile,
            "valid": self.valid,
            "findings": [f.as_dict() for f in self.findings],
        }
        if self.profile_reason:
            out["profile_reason"] = self.profile_reason
        if self.releases:
            out["releases"] = list(self.releases)
        if self.reason:
            out["error" if self.status == STATUS_UNREADABLE else "note"] = self.reason
        return out


@dataclass
class Candidate:
    path: str
    explicit: bool  # named by the user (not found by walking a folder)
    data: bytes | None = None  # standard input


def expand(inputs: Iterable[str], stdin: Any = None) -> tuple[list[Candidate], list[FileResult]]:
    """Candidates to validate, and results for inputs that do not exist."""
    out: list[Candidate] = []
    missing: list[FileResult] = []
    seen: set[str] = set()

    def add(p: str, explicit: bool):
        key = os.path.abspath(p)
        if key not in seen:
            seen.add(key)
            out.append(Candidate(p, explicit))

    for item in inputs:
        if item == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            out.append(Candidate("<stdin>", True, stream.read()))
            continue
        p = Path(item)
        if p.is_dir():
            for sub in sorted(p.rglob("*")):
                if sub.is_file() and not any(part.startswith(".") for part in sub.relative_to(p).parts):
                    add(str(sub), False)
        elif p.exists():
            add(item, True)
        elif any(ch in item for ch in "*?["):
            matches = sorted(glob.glob(item, recursive=True))
            if not matches:
                missing.append(FileResult(item, STATUS_UNREADABLE, reason="no file matches this pattern"))
            for m in matches:
                if Path(m).is_file():
                    add(m, True)
        else:
            missing.append(FileResult(item, STATUS_UNREADABLE, reason="cannot read file (no such file or folder)"))
    return out, missing


def sniff(head: bytes) -> str | None:
    """'pdf', 'xml' or None from the first bytes of a file."""
    if is_pdf(head):
        return "pdf"
    h = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if h.startswith(b"<") or head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:4] in (b"\x00<\x00?", b"<\x00?\x00"):
        return "xml"
    return None


def _facts(doc) -> dict[str, Any]:
    """What cross-invoice checks need to know of one invoice."""
    from .syntax import header

    inv = header(doc)  # header fields only: no need to read the lines for these

    def party_key(p):
        if p is None:
            return None
        for value in (p.vat_id, p.legal_registration_id.value if p.legal_registration_id else None,
                      p.electronic_address.value if p.electronic_address else None, p.name):
            if value and value.strip():
                return value.strip().upper()
        return None

    payable = inv.totals.payable_amount.value if inv.totals and inv.totals.payable_amount else None
    credit = inv.is_credit
    return {
        "number": (inv.number or "").strip() or None,
        "seller": party_key(inv.seller),
        "buyer": party_key(inv.buyer),
        "issue_date": inv.issue_date.isoformat() if inv.issue_date else None,
        "payable": str(payable) if payable is not None else None,
        "currency": inv.currency_code,
        "credit_note": credit,
        "preceding": [p.reference.strip() for p in inv.preceding_invoices if p.reference and p.reference.strip()],
        "form": getattr(doc, "form", None),
        "type_code": inv.type_code,
    }


def validate_one(cand: Candidate, opts: Options) -> FileResult:
    """Validate one candidate; never raises."""
    t0 = time.perf_counter()
    try:
        return _validate_one(cand, opts, t0)
    except Exception as exc:  # noqa: BLE001 - one bad file must not lose the batch
        return FileResult(cand.path, STATUS_UNREADABLE, reason=f"internal error: {type(exc).__name__}: {exc}",
                          seconds=time.perf_counter() - t0)


def _validate_one(cand: Candidate, opts: Options, t0: float) -> FileResult:
    from . import syntax, xmlsafe
    from .errors import EinvoiceError
    from .validate import validate_document

    path = cand.path
    try:
        if cand.data is not None:
            data = cand.data
            if len(data) > opts.max_bytes:
                raise xmlsafe.UnreadableInput(f"input is larger than the limit of {opts.max_bytes} bytes", path)
        else:
            size = os.path.getsize(path)
            if size > opts.max_bytes:
                return FileResult(path, STATUS_UNREADABLE, reason=f"file is {size} bytes, over the limit of "
                                  f"{opts.max_bytes} bytes (raise it with --max-size)", seconds=time.perf_counter() - t0)
            with open(path, "rb") as fh:
                data = fh.read()
        kind = sniff(data[:1024])
        if kind is None:
            if not data.strip():
                named = cand.explicit or Path(path).suffix.lower() in (".xml", ".pdf")
                return FileResult(path, STATUS_UNREADABLE if named else STATUS_SKIPPED,
                                  reason="empty file", seconds=time.perf_counter() - t0)
            if Path(path).suffix.lower() == ".pdf":
                return FileResult(path, STATUS_UNREADABLE, reason="not a PDF (no %PDF header)",
                                  seconds=time.perf_counter() - t0)
            if cand.explicit or Path(path).suffix.lower() == ".xml":
                return FileResult(path, STATUS_UNREADABLE, reason="neither XML nor PDF (binary or text content)",
                                  seconds=time.perf_counter() - t0)
            return FileResult(path, STATUS_SKIPPED, reason="not an invoice (neither XML nor PDF)",
                              seconds=time.perf_counter() - t0)
        from .container import invoice_xml

        data, container_findings = invoice_xml(data, path)
        tree = xmlsafe.parse(data, path)
        doc = syntax.read_tree(tree.getroot(), path)
        doc.container_findings = container_findings
        doc.form = kind if kind == "pdf" else doc.syntax.value  # ubl, cii or pdf: one invoice may come in each
    except EinvoiceError as exc:
        reason = getattr(exc, "reason", None) or str(exc)
        if not cand.explicit and "unknown root element" in reason:
            return FileResult(path, STATUS_SKIPPED, reason=f"not an invoice ({reason})",
                              seconds=time.perf_counter() - t0)
        return FileResult(path, STATUS_UNREADABLE, reason=reason, seconds=time.perf_counter() - t0)
    report = validate_document(doc, profile=opts.profile, schema=opts.schema, rules=opts.rules, policy=opts.policy)
    findings = report.findings
    for f in findings:
        f.path = path
    if any(f.severity.blocking for f in findings):
        status = STATUS_INVALID
    elif findings:
        status = STATUS_WARNINGS
    else:
        status = STATUS_VALID
    return FileResult(path, status, report.profile, report.profile_reason, findings,
                      seconds=time.perf_counter() - t0, facts=_facts(doc), releases=report.releases)


def warm_up(opts: Options) -> None:
    """Import the rule layers the options can need and compile their tables and execution plans
    (what the first document of a worker would otherwise pay for); never raises."""
    try:
        from .model.invoice import Syntax
        from .profiles import PROFILES, rules_for
        from .rules.engine import Context, plan_for
        from .validate import validate_document  # noqa: F401 - imported for the workers

        # auto: the layers of the EHF/Peppol stack (a superset of EN 16931's); Factur-X layers load when met
        names = ["ehf"] if opts.profile == "auto" else [opts.profile]
        for name in names:
            profile = PROFILES.get(name)
            if profile is None:
                continue
            layers = (*profile.layers, "policy") if opts.policy else profile.layers
            rules = rules_for(layers)
            for syntax in (Syntax.UBL, Syntax.CII):
                plan_for(rules, syntax, Context.default(opts.rules))
        from .syntax.ubl.rules import TABLE as ubl_table
        from .syntax.cii.rules import TABLE as cii_table

        ubl_table.groups, cii_table.groups  # compile the structure tables
    except Exception:  # noqa: BLE001 - warming up is an optimisation only
        pass


def run(inputs: Iterable[str], opts: Options | None = None, jobs: int | None = None,
        progress: Callable[[FileResult], None] | None = None, stdin: Any = None) -> list[FileResult]:
    """Validate every input; results in input order, cross-invoice findings added."""
    opts = opts or Options()
    cands, results = expand(inputs, stdin)
    jobs = jobs or os.cpu_count() or 1
    done: list[FileResult] = list(results)
    if jobs <= 1 or len(cands) < 8:
        for c in cands:
            r = validate_one(c, opts)
            done.append(r)
            if progress:
                progress(r)
    else:
        chunk = max(1, min(64, len(cands) // (jobs * 4) or 1))
        import multiprocessing  # the process pool is imported only when a run uses it (not for one file)
        from concurrent.futures import ProcessPoolExecutor

        forked = multiprocessing.get_start_method(allow_none=False) == "fork"
        if forked:  # warm once here: the workers start as copies of this process, already warm
            warm_up(opts)
        with ProcessPoolExecutor(max_workers=jobs, initializer=None if forked else warm_up,
                                 initargs=() if forked else (opts,)) as pool:
            for r in pool.map(validate_one, cands, [opts] * len(cands), chunksize=chunk):
                done.append(r)
                if progress:
                    progress(r)
    cross_checks(done)
    return done


def _x(rule: str, message: str, hint: str, path: str, others: list[str]) -> Finding:
    return Finding(rule, Severity.ERROR if rule != "EINV-X-002" else Severity.WARNING,
                   message + " (also in: " + ", ".join(others) + ")", hint, path=path)


def _content(r: FileResult) -> tuple:
    """What makes two files of one seller with one number the same invoice: type, amount due and currency.

    Not the issue date: the official Factur-X samples carry twins whose XML was dated anew."""
    f = r.facts
    try:
        payable = Decimal(f["payable"]).normalize() if f.get("payable") else None
    except ArithmeticError:
        payable = f.get("payable")
    return f.get("type_code"), payable, f.get("currency")


def _reused_number(r: FileResult, group: list[FileResult]) -> list[FileResult]:
    """The files of ``group`` whose number clashes with ``r``'s: another invoice (other content), or the
    same invoice in the same form (UBL, CII or PDF) twice. The same invoice in another form is one invoice
    delivered in several syntaxes (a UBL and a CII twin, the CII of a Factur-X PDF), not a reused number."""
    mine, form = _content(r), r.facts.get("form")
    return [o for o in group if o is not r
            and (_content(o) != mine or form is None or o.facts.get("form") in (None, form))]


def _configured(findings: list[Finding]) -> list[Finding]:
    """Cross-invoice findings with the severity or "off" set in the configuration, like every other rule."""
    if not any(f.rule.startswith("EINV-X-") for f in findings):
        return findings
    from .rules.policy.config import load

    cfg = load()
    out = []
    for f in findings:
        setting = cfg.severity_of(f.rule) if f.rule.startswith("EINV-X-") else None
        if setting == "off":
            continue
        if setting is not None:
            f.severity = Severity(setting)
        out.append(f)
    return out


def cross_checks(results: list[FileResult]) -> None:
    """Findings that only a batch can see: duplicates, double billing, mismatched credit notes."""
    by_number: dict[tuple, list[FileResult]] = {}
    by_billing: dict[tuple, list[FileResult]] = {}
    invoices: dict[tuple, list[FileResult]] = {}
    for r in results:
        f = r.facts
        if not f:
            continue
        if f.get("number"):
            by_number.setdefault((f.get("seller"), f["number"]), []).append(r)
            if not f.get("credit_note"):
                invoices.setdefault((f.get("seller"), f["number"]), []).append(r)
        if f.get("buyer") and f.get("payable") and f.get("issue_date") and not f.get("credit_note"):
            by_billing.setdefault((f.get("seller"), f["buyer"], f["payable"], f.get("currency"), f["issue_date"]),
                                  []).append(r)
    for (seller, number), group in by_number.items():
        if len(group) > 1:
            for r in group:
                others = [o.path for o in _reused_number(r, group)]
                if not others:
                    continue
                r.findings.append(_x("EINV-X-001", f"invoice number {number} is used more than once by the same seller",
                                     "Give every invoice and credit note of a seller its own number.", r.path, others))
    for key, group in by_billing.items():
        numbers = {r.facts.get("number") for r in group}
        if len(group) > 1 and len(numbers) > 1:
            for r in group:
                others = [o.path for o in group if o is not r]
                r.findings.append(_x("EINV-X-002", f"same buyer, amount {key[2]} {key[3] or ''} and date {key[4]} as "
                                     "another invoice: possible double billing",
                                     "Make sure the buyer is not billed twice for the same delivery.", r.path, others))
    for r in results:
        f = r.facts
        if not f or not f.get("credit_note"):
            continue
        for ref in f.get("preceding", []):
            for inv in invoices.get((f.get("seller"), ref), []):
                g = inv.facts
                problems = []
                if g.get("buyer") != f.get("buyer"):
                    problems.append("another buyer")
                try:
                    if g.get("payable") and f.get("payable") and abs(Decimal(f["payable"])) > abs(Decimal(g["payable"])):
                        problems.append(f"more than the invoice amount {g['payable']}")
                except ArithmeticError:
                    pass
                if problems:
                    r.findings.append(_x("EINV-X-003", f"credit note for invoice {ref}, which is for "
                                         + " and ".join(problems),
                                         "Credit the buyer and the amount of the invoice being corrected.",
                                         r.path, [inv.path]))
    for r in results:
        r.findings = _configured(r.findings)
        if r.status == STATUS_VALID and r.findings:
            r.status = STATUS_INVALID if any(x.severity.blocking for x in r.findings) else STATUS_WARNINGS
        elif r.status == STATUS_WARNINGS and any(x.severity.blocking for x in r.findings):
            r.status = STATUS_INVALID


@dataclass
class Summary:
    counts: Counter
    top_rules: list[tuple[str, int]]
    slowest: list[tuple[str, float]]
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": sum(self.counts.values()),
            **{k: self.counts.get(k, 0) for k in (STATUS_VALID, STATUS_WARNINGS, STATUS_INVALID, STATUS_UNREADABLE,
                                                  STATUS_SKIPPED)},
            "top_rules": [{"rule": r, "count": n} for r, n in self.top_rules],
            "slowest": [{"path": p, "seconds": round(s, 4)} for p, s in self.slowest],
            "seconds": round(self.seconds, 3),
        }


def summarize(results: list[FileResult], seconds: float = 0.0) -> Summary:
    counts = Counter(r.status for r in results)
    rules = Counter(f.rule for r in results for f in r.findings)
    slow = sorted(((r.path, r.seconds) for r in results), key=lambda x: -x[1])[:5]
    return Summary(counts, rules.most_common(5), slow, seconds)


def exit_code(results: list[FileResult], fail_on: str = "error") -> int:
    """0 clean, 1 findings at or above the threshold, 2 when a file was unreadable."""
    if any(r.status == STATUS_UNREADABLE for r in results):
        return 2
    if fail_on == "never":
        return 0
    for r in results:
        for f in r.findings:
            if f.severity.blocking or (fail_on == "warning" and f.severity == Severity.WARNING):
                return 1
    return 0
