"""Batch validation: many files, in parallel, with a summary and cross-invoice checks.

Inputs are files, folders (recursive), glob patterns and ``-`` (standard input).
The type of a file is decided by its content (UBL, CII, or a Factur-X/ZUGFeRD
PDF), not its name. A file that cannot be read gets a one-line reason and the
status ``unreadable``; it never stops the rest of the batch. A file met while
walking a folder that is neither XML nor PDF is skipped with a note.

Only regular files are read (a device, named pipe or socket is unreadable, standard
input is read through ``-``), and never more than the size limit. Files are validated
in worker processes, one file per worker at a time: a worker that dies (killed, out
of memory) costs only the file it held, which is tried once more and then reported
unreadable with the reason; a file that takes longer than the time budget
(``Options.timeout``) is stopped and reported unreadable. A file's findings are
capped (``Options.max_findings``); a note ``EINV-LIMIT-001`` says how many were left out.
"""

from __future__ import annotations

import errno
import glob
import os
import signal
import stat
import sys
import threading
import time
from collections import Counter, deque
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .basics import clipped, xpath_namespaces
from .budget import OverBudget, time_budget  # noqa: F401 - (time_budget: read as batch.time_budget too)
from .errors import printable, size_hint
from .rules.engine import Finding, Severity
from .xmlsafe import MAX_BYTES, _os_reason, absolute as _absolute

DEFAULT_TIMEOUT = 60.0  # seconds of validation per file
DEFAULT_MAX_FINDINGS = 1000  # findings kept per file
LIMIT_RULE = "EINV-LIMIT-001"  # the note saying a file's findings were capped

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
    timeout: float | None = DEFAULT_TIMEOUT  # seconds per file; None or 0: no limit
    max_findings: int | None = DEFAULT_MAX_FINDINGS  # None or 0: no cap
    facts: bool = True  # read what cross-invoice checks need (a batch of one file does not: no model read)
    # a named XML file of another kind (its root is no invoice's: a pom.xml) is skipped, not unreadable: for lists of
    # changed files (--files-from, a pre-commit hook), where it is no mistake (--skip-other-xml)
    other_xml_skipped: bool = False


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
    not_listed: dict[str, int] = field(default_factory=dict)  # severity -> findings left out by --max-findings
    namespaces: dict[str, str] = field(default_factory=dict)  # the prefixes of the findings' XPaths ("": the default)
    not_listed_rules: dict[str, int] = field(default_factory=dict)  # rule -> findings left out by --max-findings

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
        if self.not_listed:
            out["findings_not_listed"] = dict(self.not_listed)
        if self.namespaces and any(f.xpath for f in self.findings):
            out["namespaces"] = dict(self.namespaces)
        return out


@dataclass
class Candidate:
    path: str
    explicit: bool  # named by the user (not found by walking a folder)
    data: bytes | None = None  # standard input


def expand(inputs: Iterable[str], stdin: Any = None,
           max_bytes: int = MAX_BYTES) -> tuple[list[Candidate], list[FileResult]]:
    """Candidates to validate, and results for inputs that do not exist (standard input is read here,
    no further than ``max_bytes``)."""
    out: list[Candidate] = []
    missing: list[FileResult] = []
    seen: set[str] = set()
    told: set[str] = set()  # the paths given a result here

    files: dict[tuple[int, int], str] = {}  # (device, inode) of each regular file added -> its path

    def add(p: str, explicit: bool):
        key = _absolute(p)
        if key in seen:
            return
        seen.add(key)
        try:
            st = os.stat(p)
        except OSError:  # (said by its validation)
            st = None
        if st is not None and stat.S_ISREG(st.st_mode):  # one file under two names (a link and its target, two
            # links, a hard link): one invoice, judged once; it was judged twice and EINV-X-001 against itself
            first = files.setdefault((st.st_dev, st.st_ino), p)
            if first != p:
                said(FileResult(p, STATUS_SKIPPED, reason=f"the same file as {printable(first)} (another name for "
                                                          "it, a link): judged once, there"))
                return
        out.append(Candidate(p, explicit))

    def said(result: FileResult) -> None:  # (once: a folder met again through a pattern, 'inv/**', or named twice)
        key = _absolute(result.path)
        if key not in told:
            told.add(key)
            missing.append(result)

    def named(item: str, pattern: bool = False) -> bool:
        """Add what one name gives (a file, a folder's files, or a result saying why not); False for a pattern."""
        if item == "<stdin>":  # a file of that name (the name reports give standard input): shown as './<stdin>'
            item = "./<stdin>"
        p = Path(item)
        try:
            is_dir, exists = p.is_dir(), p.exists()
        except OSError as exc:  # a name too long, a loop of links, ...: that input's reason, not a crash
            said(FileResult(item, STATUS_UNREADABLE, reason=f"cannot read file ({_os_reason(exc)})"))
            return True
        if is_dir:
            found = False
            for sub, result in _walk(p):
                found = True
                if result is None:
                    add(str(sub), False)
                else:
                    said(result)
            if not found:  # a folder named on purpose that holds nothing is no pass: say so (exit 2)
                said(FileResult(item, STATUS_UNREADABLE, reason="the folder holds no files"))
        elif exists:
            add(item, True)
        elif pattern and any(ch in item for ch in "*?["):
            return False
        elif _is_link(p):
            said(FileResult(item, STATUS_UNREADABLE,
                            reason="cannot read file (a symbolic link to nothing, or a loop of links)"))
        else:
            said(FileResult(item, STATUS_UNREADABLE, reason="cannot read file (no such file or folder)"))
        return True

    for item in inputs:
        if item == "-":
            from .errors import UnreadableInput
            from .xmlsafe import read_limited

            stream = stdin if stdin is not None else sys.stdin.buffer if sys.stdin is not None else None
            if stream is None:  # (started with standard input closed)
                missing.append(FileResult("<stdin>", STATUS_UNREADABLE, reason="standard input is closed"))
                continue
            try:
                out.append(Candidate("<stdin>", True, read_limited(stream, max_bytes)))
            except UnreadableInput as exc:
                missing.append(FileResult("<stdin>", STATUS_UNREADABLE,
                                          reason=size_hint(exc.reason)))
            except OSError as exc:
                missing.append(FileResult("<stdin>", STATUS_UNREADABLE,
                                          reason=f"cannot read standard input ({exc.strerror or exc})"))
            continue
        if not item:  # ('' would be the current folder)
            missing.append(FileResult(item, STATUS_UNREADABLE, reason="an empty name, no file or folder"))
            continue
        if not named(item, pattern=True):
            matches = sorted(glob.glob(item, recursive=True))
            if not matches:
                missing.append(FileResult(item, STATUS_UNREADABLE, reason="no file matches this pattern"))
            walked: set[Path] = set()
            for m in matches:  # (each as if named: a folder walked, a pipe or a link to nothing refused with its
                # reason; they were left out, and a pattern of folders judged nothing and passed), but what a folder
                # walked holds ('inv/**' matches inv/ and all inside): as that walk has it (its folders looked up
                # among those walked: a pattern of 10,000 folders was compared with each walked one)
                full = Path(_absolute(m))
                if not walked.isdisjoint(full.parents):
                    continue
                named(m)
                if os.path.isdir(m):
                    walked.add(full)
    return out, missing


def _walk(folder: Path) -> list[tuple[Path, FileResult | None]]:
    """What a folder holds, recursively, in path order: (file, None) for each file to judge, (entry, its result) for
    what cannot be: a folder that cannot be listed (unreadable), a link to a folder (skipped: not followed, which
    also keeps a loop of links out), and a name that is no file (a named pipe, a device, a socket, a link to nothing):
    skipped, unless its name says .xml or .pdf, when it is judged as named and refused with its reason. Hidden
    files and folders (a name starting with '.', as .git) are left out."""
    out: list[tuple[Path, FileResult | None]] = []

    def unlisted(exc: OSError) -> None:
        out.append((Path(exc.filename or folder), FileResult(exc.filename or str(folder), STATUS_UNREADABLE,
                                                             reason=f"cannot read the folder ({_os_reason(exc)})")))

    from .xmlsafe import _kind

    try:
        for root, dirs, files in os.walk(folder, onerror=unlisted):
            base = Path(root)
            for name in sorted(dirs):
                if name.startswith(".") or not _is_link(base / name):  # (one that cannot be looked at, in a folder
                    continue  # listed but not entered, is tried as a folder: os.walk says why it cannot be listed)
                dirs.remove(name)
                out.append((base / name, FileResult(str(base / name), STATUS_SKIPPED,
                                                    reason="a link to a folder, not followed")))
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                if name.startswith("."):
                    continue
                sub = base / name
                dangling = False
                try:
                    kind = _kind(sub.stat().st_mode)
                except OSError as exc:
                    dangling = bool(_is_link(sub))
                    if not dangling and exc.errno != errno.ENOENT:  # (in a folder that can be listed but not
                        # entered, say: Permission denied; what it is cannot be known, so it is no skip)
                        out.append((sub, FileResult(str(sub), STATUS_UNREADABLE,
                                                    reason=f"cannot read file ({_os_reason(exc)})")))
                        continue
                    kind = "is a symbolic link to nothing, or a loop of links" if dangling else _os_reason(exc)
                if dangling and sub.suffix.lower() in (".xml", ".pdf"):  # (said so, as when named on its own)
                    out.append((sub, FileResult(str(sub), STATUS_UNREADABLE, reason=f"cannot read file (a {kind[5:]})")))
                elif kind is None or sub.suffix.lower() in (".xml", ".pdf"):
                    out.append((sub, None))
                else:
                    out.append((sub, FileResult(str(sub), STATUS_SKIPPED, reason=kind.split(";")[0])))
    except RecursionError:  # (os.walk recurses: some 990 folders deep; what was found so far is judged)
        out.append((folder, FileResult(str(folder), STATUS_UNREADABLE, reason="folders nested too deeply to walk")))
    return sorted(out, key=lambda t: t[0])


def _is_link(path: Path) -> bool | None:
    """Whether a name is a symbolic link; None where it cannot be looked at (its folder cannot be entered)."""
    try:
        return path.is_symlink()
    except OSError:
        return None


def _facts(doc) -> dict[str, Any]:
    """What cross-invoice checks need to know of one invoice."""
    from .syntax import header

    inv = header(doc)  # header fields only: no need to read the lines for these

    def stated(p) -> list[tuple[str, str]]:  # (kind, value) of the party's identifiers and name it states
        if p is None:
            return []
        return [(kind, value.strip()) for kind, value in (
            ("vat", p.vat_id), ("reg", p.legal_registration_id.value if p.legal_registration_id else None),
            ("address", p.electronic_address.value if p.electronic_address else None), ("name", p.name))
            if value and value.strip()]

    def party_ids(p) -> dict[str, str]:  # (every identifier and the name, normalised: which one a form states varies)
        return {kind: " ".join(value.split()).casefold() if kind == "name" else "".join(value.split()).upper()
                for kind, value in stated(p)}

    payable = inv.totals.payable_amount.value if inv.totals and inv.totals.payable_amount else None
    total = inv.totals.tax_inclusive_amount.value if inv.totals and inv.totals.tax_inclusive_amount else None
    credit = inv.is_credit

    def at(obj, field: str) -> tuple[str | None, int | None]:  # (xpath, line) of a field, for the findings that name it
        o = obj.origin(field) if obj is not None else None
        return (o.xpath, o.line) if o is not None else (None, None)

    return {
        "number": (inv.number or "").strip() or None,
        "parties": (party_ids(inv.seller), party_ids(inv.buyer)),
        "issue_date": inv.issue_date.isoformat() if inv.issue_date else None,
        "payable": str(payable) if payable is not None else None,
        "total": str(total) if total is not None else None,  # (BT-112: what an invoice is for, paid in advance or not)
        "currency": inv.currency_code,
        "credit_note": credit,
        "preceding": [p.reference.strip() for p in inv.preceding_invoices if p.reference and p.reference.strip()],
        "form": getattr(doc, "form", None),
        "type_code": inv.type_code,
        "at": {"number": at(inv, "number"), "payable": at(inv.totals, "payable_amount"),
               **{f"preceding:{p.reference.strip()}": at(p, "reference") for p in inv.preceding_invoices
                  if p.reference and p.reference.strip()}},
    }


def over_budget_reason(seconds: float) -> str:
    return f"validation took longer than the limit of {seconds:g} s and was stopped (raise it with --timeout)"


def _status(findings: list[Finding]) -> str:
    """invalid with a fatal or error finding, 'with warnings' with a warning; notes (info) alone leave a file valid."""
    if any(f.severity.blocking for f in findings):
        return STATUS_INVALID
    if any(f.severity == Severity.WARNING for f in findings):
        return STATUS_WARNINGS
    return STATUS_VALID


def _is_pdf(cand: Candidate) -> bool:
    """Whether a candidate is a PDF by its first bytes (a file that cannot be read is left to its validation to say)."""
    from .xmlsafe import is_pdf, read_head

    try:
        head = cand.data[:1024] if cand.data is not None else read_head(cand.path, 1024)
    except Exception:  # noqa: BLE001 - (said by its validation)
        return False
    return head is not None and is_pdf(head)


_SWALLOWED = [0]  # MemoryErrors raised where Python could only print them (see quiet_memory_unraisables)


def quiet_memory_unraisables() -> None:
    """A MemoryError raised inside a C callback (lxml's error log receiving a schema error) cannot propagate: Python
    printed it, a traceback on stderr for each (114 of them in a batch under a memory limit). It is counted instead,
    and the file being checked is said to lack memory (some of its schema errors may be lost); any other exception
    that cannot propagate is printed as before."""
    previous = sys.unraisablehook
    if getattr(previous, "einvoice", False):
        return

    def hook(unraisable: Any) -> None:
        if unraisable.exc_type is not None and issubclass(unraisable.exc_type, MemoryError):
            _SWALLOWED[0] += 1
            return
        previous(unraisable)

    hook.einvoice = True  # type: ignore[attr-defined]
    sys.unraisablehook = hook


def validate_one(cand: Candidate, opts: Options) -> FileResult:
    """Validate one candidate within the time budget of ``opts``; never raises (but KeyboardInterrupt)."""
    t0 = time.perf_counter()
    swallowed = _SWALLOWED[0]
    try:
        with time_budget(opts.timeout):
            result = _validate_one(cand, opts, t0)
        if _SWALLOWED[0] != swallowed:  # (a memory error lxml could not raise: the result may lack findings)
            raise MemoryError
    except OverBudget:
        return FileResult(cand.path, STATUS_UNREADABLE, reason=over_budget_reason(opts.timeout or 0),
                          seconds=time.perf_counter() - t0)
    except RecursionError:
        return FileResult(cand.path, STATUS_UNREADABLE, reason="structure nested too deeply to check",
                          seconds=time.perf_counter() - t0)
    except MemoryError:
        return FileResult(cand.path, STATUS_UNREADABLE, reason="not enough memory to check this file",
                          seconds=time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001 - one bad file must not lose the batch
        from .errors import one_line

        if _short_of_memory(exc):  # (a library loaded when first needed, under a memory limit: no internal error)
            return FileResult(cand.path, STATUS_UNREADABLE, seconds=time.perf_counter() - t0,
                              reason="not enough memory to check this file (a library it needs could not be loaded)")
        if _short_of_files(exc):  # (a schema file a worker could not open: judged again once the workers are gone)
            return FileResult(cand.path, STATUS_UNREADABLE, seconds=time.perf_counter() - t0, reason=FILES_SHORT)
        return FileResult(cand.path, STATUS_UNREADABLE, reason=one_line(f"internal error: {type(exc).__name__}: {exc}"),
                          seconds=time.perf_counter() - t0)
    cap_findings(result, opts.max_findings)
    return result


FILES_SHORT = ("too many open files to check this file (the process's limit of open files, ulimit -n: raise it, or "
               "give --jobs fewer workers)")


def _short_of_files(exc: BaseException) -> bool:
    """Whether an error is for want of file descriptors (a file, or a schema file libxml2 could not open: its error
    carries no errno, only the system's words)."""
    return getattr(exc, "errno", None) in (errno.EMFILE, errno.ENFILE) or "too many open files" in str(exc).lower()


def _short_of_memory(exc: BaseException) -> bool:
    """Whether an error is for want of memory: a MemoryError, or a shared library (a C extension imported when first
    needed) the system could not map under a memory limit (ImportError 'failed to map segment from shared object')."""
    for _ in range(8):  # (and its causes: pikepdf says its extension failed to import, the system's words below)
        if isinstance(exc, MemoryError):
            return True
        if not isinstance(exc, (ImportError, OSError)):
            return False
        if getattr(exc, "errno", None) == errno.ENOMEM:
            return True
        text = str(exc).lower()
        if ("failed to map segment" in text or "cannot map zero-fill pages" in text
                or "cannot allocate memory" in text and "static tls" not in text):
            return True
        exc = exc.__cause__ or exc.__context__
        if exc is None:
            return False
    return False


def cap_findings(result: FileResult, cap: int | None) -> None:
    """Keep at most ``cap`` findings (errors first, in their order), and a note saying how many were left out. Capped
    again once the batch's cross-file findings are added (a file's own are capped where it is validated, before the
    result leaves its worker): the note then counts what either cap left out."""
    if not cap or cap <= 0:
        return
    findings = [f for f in result.findings if f.rule != LIMIT_RULE]
    earlier = sum(result.not_listed.values())  # (left out by the cap where the file was validated)
    if len(findings) <= cap and not earlier:
        return
    kept = [f for f in findings if f.severity.blocking][:cap]
    if len(kept) < cap:
        kept += [f for f in findings if not f.severity.blocking][:cap - len(kept)]
    left = earlier + len(findings) - len(kept)
    listed = {id(f) for f in kept}
    for f in findings:  # (counted still: the file's and the batch's counts are of every finding)
        if id(f) not in listed:
            result.not_listed[f.severity.value] = result.not_listed.get(f.severity.value, 0) + 1
            result.not_listed_rules[f.rule] = result.not_listed_rules.get(f.rule, 0) + 1  # (for 'most frequent')
    kept.append(Finding(LIMIT_RULE, Severity.INFO,
                        f"{left} more finding{'s' if left != 1 else ''} not listed: the report keeps the first {cap} "
                        "findings of a file (errors first)",
                        "Fix the findings listed and validate again, or raise the cap with --max-findings.",
                        path=result.path, layer="batch"))
    result.findings = kept


def _validate_one(cand: Candidate, opts: Options, t0: float) -> FileResult:
    from . import syntax, xmlsafe
    from .errors import EinvoiceError
    from .validate import validate_document

    path, data = cand.path, None
    try:
        if cand.data is not None:
            data = cand.data
            if len(data) > opts.max_bytes:
                raise xmlsafe.UnreadableInput(f"input is larger than the limit of {opts.max_bytes} bytes", path)
        else:
            try:
                data, _ = xmlsafe.read_bytes(path, opts.max_bytes)
            except xmlsafe.UnreadableInput as exc:
                reason = size_hint(exc.reason)
                return FileResult(path, STATUS_UNREADABLE, reason=reason, seconds=time.perf_counter() - t0)
        reason = xmlsafe.not_xml_nor_pdf(data, str(path))
        if reason is not None:  # (named so, or named at all, it is unreadable; a folder's other files are skipped)
            named = cand.explicit or Path(path).suffix.lower() in (".xml", ".pdf")
            return FileResult(path, STATUS_UNREADABLE if named else STATUS_SKIPPED,
                              reason=reason if named or reason == "empty file" else "not an invoice (neither XML nor PDF)",
                              seconds=time.perf_counter() - t0)
        from .container import parse_invoice

        tree, container_findings = parse_invoice(data, path, opts.max_bytes)
        doc = syntax.read_tree(tree.getroot(), path)
        doc.container_findings = container_findings + doc.container_findings  # (an SBDH envelope's, say)
        doc.form = "pdf" if xmlsafe.is_pdf(data) else doc.syntax.value  # ubl, cii or pdf: one invoice may come in each
        if doc.__dict__.get("legacy"):  # (a ZUGFeRD 1.0 original, read as CII: its conversion is another form of it)
            doc.form = f"zugferd1-{doc.form}"
    except EinvoiceError as exc:
        from .container import NO_EMBEDDED_FILE

        reason = getattr(exc, "reason", None) or str(exc)
        if (not cand.explicit or opts.other_xml_skipped) and "unknown root element" in reason \
                or opts.other_xml_skipped and (syntax.OTHER_FORMAT in reason or NO_EMBEDDED_FILE in reason):
            return FileResult(path, STATUS_SKIPPED, reason=reason if syntax.OTHER_FORMAT in reason else f"not an invoice: {reason}",
                              seconds=time.perf_counter() - t0)
        if (not cand.explicit or opts.other_xml_skipped) and "DOCTYPE" in reason and data is not None \
                and (other := syntax.doctype_of_another_kind(data)):  # (a web.xml or an XHTML page, not read)
            return FileResult(path, STATUS_SKIPPED, reason=f"not an invoice: its DOCTYPE names <{other}> (not read)",
                              seconds=time.perf_counter() - t0)
        return FileResult(path, STATUS_UNREADABLE, reason=size_hint(reason), seconds=time.perf_counter() - t0)
    report = validate_document(doc, profile=opts.profile, schema=opts.schema, rules=opts.rules, policy=opts.policy)
    findings = report.findings
    for f in findings:
        f.path = path
    status = _status(findings)
    return FileResult(path, status, report.profile, report.profile_reason, findings,
                      seconds=time.perf_counter() - t0, facts=_facts(doc) if opts.facts else {"form": getattr(doc, "form", None)},
                      releases=report.releases,
                      # (the report's map, else the root's declarations: cross-invoice findings come later)
                      namespaces=(report.namespaces or xpath_namespaces(doc.root, [])) if doc.root is not None else {})


def warm_up(opts: Options) -> None:
    """Import the rule layers the options can need and compile their tables and execution plans
    (what the first document of a worker would otherwise pay for); never raises."""
    try:
        from .basics import Syntax
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
            rules = rules_for(layers, name)
            for syntax in (Syntax.UBL, Syntax.CII):
                plan_for(rules, syntax, Context.default(opts.rules))
        from .syntax.ubl.rules import TABLE as ubl_table
        from .syntax.cii.rules import TABLE as cii_table

        ubl_table.groups, cii_table.groups  # compile the structure tables
        if opts.schema:
            from . import xsd

            for key in ("ubl-invoice", "ubl-creditnote", "cii-en16931"):
                xsd.get_schema(key)
        if opts.facts:  # the cross-invoice facts read each document's header: the readers and the model
            from .syntax.cii import reader as _cii  # noqa: F401
            from .syntax.ubl import reader as _ubl  # noqa: F401
    except Exception:  # noqa: BLE001 - warming up is an optimisation only
        pass


def run(inputs: Iterable[str], opts: Options | None = None, jobs: int | None = None,
        progress: Callable[[FileResult], None] | None = None, stdin: Any = None) -> list[FileResult]:
    """Validate every input; results in input order, cross-invoice findings added.

    Files are judged in worker processes (``jobs`` of them), but one XML file alone, judged in this process; called
    from another thread than the main one with a time budget (``Options.timeout``), that file too is judged in a
    worker: the budget's signal is the main thread's only."""
    opts = opts or Options()
    cands, results = expand(inputs, stdin, opts.max_bytes)
    jobs = jobs or os.cpu_count() or 1
    done: list[FileResult] = list(results)
    budget_here = not (opts.timeout and opts.timeout > 0) or threading.current_thread() is threading.main_thread()
    if len(cands) <= 1 and budget_here and not any(_is_pdf(c) for c in cands):  # one XML file: judged here (nothing
        # else to lose if the process dies; a PDF is judged in a worker all the same: its reading runs partly in
        # qpdf's C++ code, which the time budget's signal cannot stop, and the worker's hard limit can; and so is a
        # file with a time budget when called from another thread than the main one, where the budget's signal
        # cannot be had)
        for c in cands:
            r = validate_one(c, replace(opts, facts=False))
            done.append(r)
            if progress:
                progress(r)
    else:  # (a worker process at least: one that dies, killed or out of memory, costs its own file only; one file
        # alone reads no facts for the checks across files)
        each = opts if len(cands) > 1 else replace(opts, facts=False)
        done.extend(run_pool(cands, each, max(1, jobs), progress))
        # a file a worker lacked a file descriptor for (a schema it could not open, few allowed and several workers
        # each holding some): judged again here, one at a time, now that the workers and their pipes are gone (a limit
        # of open files costs no file, as one that lets fewer workers start)
        short = {r.path: i for i, r in enumerate(done) if r.status == STATUS_UNREADABLE and r.reason == FILES_SHORT}
        for c in (c for c in cands if c.path in short) if short else ():
            done[short[c.path]] = validate_one(c, each)
    cross_checks(done)
    if opts.max_findings:
        for r in done:
            cap_findings(r, opts.max_findings)
    return done


# --- worker processes -----------------------------------------------------------------

ATTEMPTS = 2  # a file whose worker died is tried this often before it is reported unreadable
FAULT_ENV = "EINVOICE_FAULT_INJECT"  # test hook: "kill:NAME" / "hang:NAME" make a worker die / hang on file NAME


def _fault(cand: Candidate) -> None:
    """Test hook (workers only): simulate a worker killed (out of memory) or stuck in C code on a named file."""
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return
    for item in spec.split(","):
        action, _, name = item.partition(":")
        if name and os.path.basename(cand.path) == name:
            if action == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            elif action == "hang":  # deaf to the time budget's alarm, as a long call into C would be
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
                time.sleep(3600)


def _die_with(parent: int) -> None:
    """End this worker when the batch process ends without stopping it (killed by a CI time limit, say): on Linux
    the kernel sends it SIGKILL then; elsewhere a thread looks for its parent every half second. A worker left
    behind would wait for files forever (or stay stuck in a file), holding the command's output open."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            if ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0) == 0:  # PR_SET_PDEATHSIG
                if os.getppid() != parent:  # the parent ended before the request
                    os._exit(1)
                return
        except (OSError, AttributeError, ImportError) as exc:  # (no ctypes: watched from a thread, below)
            if _short_of_memory(exc):
                raise

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="einvoice-parent-watch", daemon=True).start()


EXIT_NO_MEMORY_TO_START = 86  # a worker's exit status: it could not start for want of memory
EXIT_NO_MEMORY = 87  # ... it ran out of memory between files (receiving one, sending a result)
EXIT_START_FAILED = 88  # ... it could not start for another reason


def _worker_main(conn: Any, opts: Options, warm: bool, parent: int | None = None) -> None:
    """A worker: validate the files sent one at a time until told to stop (None) or the pipe closes. One that cannot
    start, or runs out of memory between files, ends with a status saying so (multiprocessing printed a traceback
    and ended it with status 1)."""
    try:
        quiet_memory_unraisables()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        if hasattr(signal, "pthread_sigmask"):  # held back while the parent started this worker (see _ctrl_c_held)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        if parent is not None:
            _die_with(parent)
        if warm:
            warm_up(opts)
    except Exception as exc:  # noqa: BLE001 - (said by the batch, from the exit status)
        os._exit(EXIT_NO_MEMORY_TO_START if _short_of_memory(exc) else EXIT_START_FAILED)
    try:
        _serve(conn, opts)
    except MemoryError:
        os._exit(EXIT_NO_MEMORY)


def _serve(conn: Any, opts: Options) -> None:
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if msg is None:
            return
        index, cand = msg
        _fault(cand)
        result = validate_one(cand, opts)
        try:
            conn.send((index, result))
        except (EOFError, OSError):
            return
        except Exception as exc:  # noqa: BLE001 - a result that cannot be sent is still a result
            conn.send((index, FileResult(cand.path, STATUS_UNREADABLE, seconds=result.seconds, reason=(
                "not enough memory to send this file's result" if isinstance(exc, MemoryError) else
                f"internal error: the result cannot be sent ({type(exc).__name__})"))))


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        why = ", e.g. for lack of memory" if -exitcode == signal.SIGKILL else ""
        return f"killed by {name}{why}"
    known = {EXIT_NO_MEMORY_TO_START: "not enough memory to start a worker", EXIT_NO_MEMORY: "out of memory",
             EXIT_START_FAILED: "the worker could not start"}
    if exitcode in known:
        return known[exitcode]
    return f"exit status {exitcode}" if exitcode is not None else "it stopped answering"


@contextmanager
def _ctrl_c_held():
    """Ctrl-C held back while a worker is started and registered, then delivered: between the fork and its
    registration a worker known to nobody would outlive an interrupted batch, waiting for files forever and
    keeping the command's output open."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


class _Worker:
    __slots__ = ("proc", "conn", "task", "started")

    def __init__(self, ctx: Any, opts: Options, warm: bool):
        parent_end, child_end = ctx.Pipe(duplex=True)
        try:
            self.proc = ctx.Process(target=_worker_main, args=(child_end, opts, warm, os.getpid()), daemon=True)
            self.proc.start()
        except BaseException:  # (no process: OSError of fork, EAGAIN, ENOMEM, or of its pipes, EMFILE)
            parent_end.close()
            child_end.close()
            raise
        child_end.close()
        self.conn = parent_end
        self.task: int | None = None
        self.started = 0.0

    def stop(self, kill: bool = False) -> None:
        if not kill:
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                kill = True
        if not kill:
            self.proc.join(timeout=2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout=5)
        self.conn.close()


def _start_failure(exc: OSError) -> str:
    """Why a worker process could not be started, in words."""
    if exc.errno == errno.ENOMEM:
        return "not enough memory to start a worker"
    if exc.errno in (errno.EMFILE, errno.ENFILE):
        return "too many open files"
    if exc.errno == errno.EAGAIN:
        return "the limit of processes is reached"
    return _os_reason(exc)


def _say(line: str) -> None:
    """One line on standard error, for what the batch does other than asked (never raises)."""
    try:
        if sys.stderr is not None:
            sys.stderr.write(f"einvoice: {line}\n")
            sys.stderr.flush()
    except (OSError, ValueError):
        pass


def run_pool(cands: list[Candidate], opts: Options, jobs: int,
             progress: Callable[[FileResult], None] | None = None) -> list[FileResult]:
    """Validate candidates in ``jobs`` worker processes; a result for every candidate, in their order.

    A worker holds one file at a time, so a worker that dies costs only that file (tried
    again in a fresh worker, then reported unreadable with the reason); a worker still busy
    past the time budget (plus a grace period for the budget's own stop) is killed.
    """
    import multiprocessing
    from multiprocessing.connection import wait

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    forked = ctx.get_start_method() == "fork"
    if forked and sys.platform.startswith("linux"):  # (each worker asks for its parent's death through ctypes:
        try:  # loaded here, it is the workers' as they start; each loading it anew may fail under a memory limit)
            import ctypes  # noqa: F401
        except Exception:  # noqa: BLE001 - (a worker without it watches its parent from a thread)
            pass
    if forked and len(cands) > 1:  # warm once here: the workers start as copies of this process, already warm (one
        warm_up(opts)  # file alone warms what it needs only, as when judged in this process)
    hard_limit = (opts.timeout + max(2.0, opts.timeout * 0.25)) if opts.timeout and opts.timeout > 0 else None
    queue = deque(range(len(cands)))
    results: list[FileResult | None] = [None] * len(cands)
    tries = Counter()
    left = len(cands)
    workers: list[_Worker] = []

    def finish(index: int, result: FileResult) -> None:
        nonlocal left
        if results[index] is None:
            results[index] = result
            left -= 1
            if progress:
                progress(result)

    def lost(w: _Worker, reason: str | None = None) -> None:
        """A worker died (or was killed): its file is tried again or reported; the worker is replaced."""
        index, w.task = w.task, None
        w.stop(kill=True)
        workers.remove(w)
        if index is None:
            return
        if reason is not None:  # over the time budget: not tried again
            finish(index, FileResult(cands[index].path, STATUS_UNREADABLE, reason=reason,
                                     seconds=time.perf_counter() - w.started))
            return
        tries[index] += 1
        deaths[index] = _death(w.proc.exitcode)
        if tries[index] < ATTEMPTS:
            queue.append(index)  # after the others: a second death costs no other file
        else:
            finish(index, FileResult(cands[index].path, STATUS_UNREADABLE, seconds=time.perf_counter() - w.started,
                                     reason=f"the process validating this file died ({_death(w.proc.exitcode)}), "
                                            f"{ATTEMPTS} times; the file was not validated"))

    def here() -> None:
        """No worker can be started: the files left are judged in this process (a file that had a worker die under
        it is not: it would end the batch with it)."""
        while queue:
            index = queue.popleft()
            if tries[index]:
                finish(index, FileResult(cands[index].path, STATUS_UNREADABLE, reason=(
                    f"the process validating this file died ({deaths[index]}) and no other could be started to try "
                    "it again; the file was not validated")))
            else:
                finish(index, validate_one(cands[index], opts))

    deaths: dict[int, str] = {}  # file -> how its worker died
    told: set[str] = set()
    try:
        while left:
            while len(workers) < min(jobs, left):
                try:
                    with _ctrl_c_held():
                        workers.append(_Worker(ctx, opts, warm=not forked))
                except OSError as exc:  # (a process or descriptor limit, no memory: the batch goes on with fewer)
                    why = _start_failure(exc)
                    line = (f"could not start more than {len(workers)} worker process"
                            f"{'es' if len(workers) != 1 else ''} ({why}): going on with {len(workers)}" if workers else
                            f"could not start a worker process ({why}): the files left are validated in this "
                            "process, one after the other")
                    if line not in told:  # (once: a worker that dies is replaced, and may fail again alike)
                        told.add(line)
                        _say(line)
                    jobs = len(workers)
                    break
            if not workers:
                here()
                break
            for w in list(workers):
                if w.task is None and queue:
                    index = queue.popleft()
                    try:
                        w.conn.send((index, cands[index]))
                    except (OSError, ValueError):
                        w.task = index
                        lost(w)
                        continue
                    w.task, w.started = index, time.perf_counter()
            busy = [w for w in workers if w.task is not None]
            if not busy:
                if not queue:
                    break  # pragma: no cover - every file has a result
                continue
            now = time.perf_counter()
            wait_for = None
            if hard_limit is not None:
                wait_for = max(0.0, min(w.started + hard_limit for w in busy) - now)
            by_handle: dict[Any, _Worker] = {}
            for w in busy:
                by_handle[w.conn] = w
                by_handle[w.proc.sentinel] = w
            ready = wait(list(by_handle), timeout=wait_for)
            handled: set[int] = set()
            for handle in ready:
                w = by_handle[handle]
                if id(w) in handled or w not in workers:
                    continue
                handled.add(id(w))
                try:
                    if w.conn.poll():
                        index, result = w.conn.recv()
                        w.task = None
                        finish(index, result)
                        continue
                except (EOFError, OSError):
                    pass
                w.proc.join(timeout=1)
                lost(w)
            if hard_limit is not None:
                now = time.perf_counter()
                for w in [w for w in workers if w.task is not None and now - w.started > hard_limit]:
                    lost(w, over_budget_reason(opts.timeout))
    finally:
        for w in workers:
            w.stop(kill=w.task is not None)
    return [r if r is not None else FileResult(c.path, STATUS_UNREADABLE, reason="internal error: no result")
            for r, c in zip(results, cands)]


def _x(rule: str, message: str, hint: str, r: FileResult, others: list[str], count: int | None = None,
       at: str = "number") -> Finding:
    """A cross-invoice finding of ``r``, at the element of its fact ``at`` (the number, the amount due, a preceding
    invoice's reference) as the file states it."""
    count = len(others) if count is None else count
    listed = ", ".join(map(printable, others[:_NAMED])) + (f" and {count - _NAMED} more" if count > _NAMED else "")
    xpath, line = (r.facts.get("at") or {}).get(at) or (None, None)
    return Finding(rule, Severity.WARNING if rule in ("EINV-X-002", "EINV-X-004") else Severity.ERROR,
                   f"{message} (also in: {listed})", hint, xpath, line, path=r.path)


_NAMED = 5  # the other files a cross-invoice finding names (3,000 copies named 2,999 each: a report of 9 million names)


def _amount(text: str | None) -> Decimal | str | None:
    """An amount as a number (578.3 and 578.30 are one amount); text that is no finite number as it is."""
    try:
        value = Decimal(text) if text else None
    except ArithmeticError:
        return text
    return value.normalize() if value is not None and value.is_finite() else text


def _due(f: dict[str, Any]) -> bool:
    """Whether an invoice asks for a payment: an amount due, and not zero or less (nobody is billed twice for 0.00);
    invoice information for accounting purposes (type code 751) asks for none, whatever its amount."""
    amount = _amount(f.get("payable"))
    return amount is not None and not (isinstance(amount, Decimal) and amount <= 0) and \
        (f.get("type_code") or "").strip() != "751"


def _content(r: FileResult) -> tuple:
    """What makes two files of one seller with one number the same invoice: type, amount due and currency
    (and the same seller and buyer: :func:`_same_party`).

    Not the issue date: the official Factur-X samples carry twins whose XML was dated anew."""
    f = r.facts
    return f.get("type_code"), _amount(f.get("payable")), f.get("currency")


def _same_party(a: dict[str, str], b: dict[str, str]) -> bool:
    """Whether two forms name one party: every identifier both state (VAT id, legal registration id, electronic
    address) is the same; with none in common, the names. What cannot be compared does not tell them apart."""
    common = [k for k in ("vat", "reg", "address") if k in a and k in b]
    if common:
        return all(a[k] == b[k] for k in common)
    return a.get("name") == b.get("name") if "name" in a and "name" in b else True


def _parties(r: FileResult) -> tuple[dict[str, str], dict[str, str]]:
    """The identifiers and names a file states of its seller and of its buyer."""
    return r.facts.get("parties") or ({}, {})


_IDS = ("vat", "reg", "address")  # the identifiers :func:`_same_party` compares
_ANY = object()  # a party of a row with nothing to compare (see _matching)


def _matching(rows: list[tuple[dict[str, str], ...]]) -> list[list[int]]:
    """For each row (the parties of a file: its seller, or its seller and buyer) the rows that name the same parties
    (:func:`_same_party` on each), itself among them, in order. Looked up, not compared pair by pair (a batch can hold
    thousands of files of one day and amount, or of one number): rows stating the same kinds of identifier are
    indexed by the identifiers they have in common with another such kind, or by the names where there are none. A
    party without a name where the name decides (rare: the name is mandatory) is compared with each.

    Rows found by the same lookups get one list, the same object (a caller may do its work once per list): 3,000
    files of one seller stating its name in 3,000 ways each got a list of 3,000, nine million entries."""
    kinds: dict[tuple, list[int]] = {}
    for i, row in enumerate(rows):
        kinds.setdefault(tuple(tuple(k for k in _IDS if k in p) for p in row), []).append(i)
    parts: list[list[list[int]]] = [[] for _ in rows]  # per row, the lists its matches are in (index lists shared)
    for mine, xs in kinds.items():
        for theirs, ys in kinds.items():
            common = [[k for k in a if k in b] for a, b in zip(mine, theirs)]

            def key(row: tuple[dict[str, str], ...], partial: bool = False) -> tuple | None:
                parts_: list = []
                for p, shared in zip(row, common):
                    if shared:
                        parts_.append(tuple(p[k] for k in shared))
                    elif "name" in p:
                        parts_.append(p["name"])
                    elif partial:
                        parts_.append(_ANY)  # (nothing of this party to compare: any matches it)
                    else:
                        return None
                return tuple(parts_)

            index: dict[tuple, list[int]] = {}
            loose: list[int] = []
            for j in ys:
                k = key(rows[j])
                if k is None:
                    loose.append(j)
                else:
                    index.setdefault(k, []).append(j)
            extras: dict[tuple, list[int]] = {}  # what rows of one (partial) key match besides the index: found once
            for i in xs:
                k = key(rows[i])
                if k is not None and k in index:
                    parts[i].append(index[k])
                if k is None or loose:
                    # (the rows _same_party compares with: all of them where this one has nothing to compare in a
                    # party, else those with nothing to compare; which match depends on the values the partial key
                    # holds, so rows of one partial key share one list: 4,000 files of one number whose sellers
                    # state one a VAT id, the other a registration id, and no name, were compared pair by pair)
                    pk = key(rows[i], partial=True)
                    extra = extras.get(pk)
                    if extra is None:
                        extra = extras[pk] = [j for j in (ys if k is None else loose)
                                              if all(map(_same_party, rows[i], rows[j]))]
                    if extra:
                        parts[i].append(extra)
    joined: dict[tuple[int, ...], list[int]] = {}  # the ids of a row's lists -> their rows, in order
    out: list[list[int]] = []
    for found in parts:
        sig = tuple(map(id, found))  # (every list is kept alive by ``parts``: no id is reused meanwhile)
        same = joined.get(sig)
        if same is None:
            same = joined[sig] = sorted(j for lst in found for j in lst)
        out.append(same)
    return out


def _first(lists: list[list[FileResult]], r: FileResult, skip: frozenset[int] | set[int] = frozenset()) -> list[str]:
    """The paths of the first files of ``lists`` (but ``r`` and the lists whose id is in ``skip``) a finding names."""
    return [o.path for o in islice((o for files in lists if id(files) not in skip for o in files[:_NAMED + 1]
                                    if o is not r), _NAMED)]


def _of_one_number(group: list[FileResult]) -> Iterator[tuple[FileResult, tuple[list[str], int], tuple[list[str], int]]]:
    """Each file of ``group`` (the files of one number, whoever their seller) with the files of the same seller
    whose number clashes with its own, and the files of the same seller of the other kind (an invoice's credit notes,
    a credit note's invoices): the first of them and how many there are.

    The same seller: :func:`_same_party`, whichever identifiers each file states (which ones a file states varies).
    A clash: a file of the same kind that is another invoice (other content, seller or buyer), or the same invoice in
    the same form (UBL, CII or PDF) twice. The same invoice in another form is one invoice delivered in several
    syntaxes (a UBL and a CII twin, the CII of a Factur-X PDF), not a reused number. Files alike in kind, content and
    parties are compared once, as a class (3,000 copies of one invoice were compared pair by pair: 50 s)."""
    classes: dict[tuple, dict] = {}  # (kind, content, parties) -> form -> its files
    for r in group:
        key = (bool(r.facts.get("credit_note")), _content(r), repr(_parties(r)))
        classes.setdefault(key, {}).setdefault(r.facts.get("form"), []).append(r)
    keys = list(classes)
    reps = [next(iter(classes[k].values()))[0] for k in keys]
    sellers: dict[tuple, list[int]] = {}  # the seller as stated -> the classes that state it so
    for i, r in enumerate(reps):
        sellers.setdefault(tuple(_parties(r)[0].items()), []).append(i)
    stated = list(sellers)
    seen: dict[int, tuple] = {}  # id of a list of matching sellers -> what is gathered of their files (once)
    for a, same in enumerate(_matching([(dict(seller),) for seller in stated])):
        gathered = seen.get(id(same))
        if gathered is None:
            # this seller's files however stated, in order, by kind (credit note or not); its classes by kind and
            # content, by form
            files_of: dict[bool, list[list[FileResult]]] = {False: [], True: []}
            by_content: dict[tuple, list[int]] = {}
            for k in sorted(i for b in same for i in sellers[stated[b]]):
                files_of[keys[k][0]] += classes[keys[k]].values()
                by_content.setdefault(keys[k][:2], []).append(k)
            totals = {kind: sum(map(len, lists)) for kind, lists in files_of.items()}
            # the classes of one content whose buyer is the same: their sellers are (they are this seller's), so
            # they are one invoice (same content, seller and buyer), its files in several forms
            buyers = {content: (ks, dict(zip(ks, _matching([(_parties(reps[k])[1],) for k in ks]))))
                      for content, ks in by_content.items()}
            gathered = seen[id(same)] = (files_of, buyers, totals, {})
        files_of, buyers, totals, elsewhere = gathered
        for i in sellers[stated[a]]:
            credit = keys[i][0]
            ks, matched = buyers[keys[i][:2]]
            mine = matched[i]  # (positions in ks of the classes that are this invoice)
            for form, members in classes[keys[i]].items():
                found = elsewhere.get((id(mine), form))
                if found is None:  # (the same invoice in another form: no clash; once per list of twins and form)
                    twins_elsewhere = [] if form is None else [
                        files for q in mine for f, files in classes[keys[ks[q]]].items() if f not in (None, form)]
                    found = elsewhere[id(mine), form] = ({id(files) for files in twins_elsewhere},
                                                         sum(map(len, twins_elsewhere)))
                skip, twin_count = found
                count = totals[credit] - twin_count - 1  # (r itself is among its own)
                for r in members:
                    yield (r, (_first(files_of[credit], r, skip), count),
                           (_first(files_of[not credit], r), totals[not credit]))


def _configured(findings: list[Finding]) -> list[Finding]:
    """Cross-invoice findings with the severity or "off" set in the configuration, like every other rule."""
    if not any(f.rule.startswith("EINV-X-") for f in findings):
        return findings
    from .config import load

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


def _magnitude(text: str | None) -> Decimal | None:
    """An amount without its sign (a credit note may state its amounts negative); None for none or no finite number
    (a NaN compared raises)."""
    try:
        amount = Decimal(text) if text else None
    except ArithmeticError:
        return None
    return abs(amount) if amount is not None and amount.is_finite() else None


def _credited(f: dict[str, Any]) -> Decimal | None:
    """What a credit note credits: the larger of its total with VAT (BT-112) and its amount due, what it asks to be
    refunded at most."""
    return max((m for m in (_magnitude(f.get("total")), _magnitude(f.get("payable"))) if m is not None), default=None)


def _invoiced(f: dict[str, Any]) -> Decimal | None:
    """What an invoice is for: its total with VAT (BT-112), not the amount due, which an amount paid in advance lowers
    (a refund of an invoice paid by card, amount due 0.00, credits less than the invoice was for)."""
    return _magnitude(f.get("total")) if _magnitude(f.get("total")) is not None else _magnitude(f.get("payable"))


def _credits_checked(credited: dict[str, list[FileResult]], by_number: dict[str, list[FileResult]]) -> None:
    """EINV-X-003 on the credit notes of ``credited`` (an invoice number -> the credit notes that credit it), against
    the invoices of those numbers of the same seller: a credit note for another buyer than an invoice's (a finding per
    number credited), and one crediting more than the invoices it credits are for together (one finding; judged only
    where every invoice it names is in the batch: a credit note may credit several). Files alike in what the check
    reads are judged once, as a class, and a credit note meets the invoices of its seller by :func:`_matching`; a
    finding names the first five invoices it is about (a credit note was compared with every invoice of its number,
    pair by pair, each pair a finding: 2,000 files from one template, 26 s and a million findings)."""
    def classes(files: list[FileResult], *extra: str) -> dict[tuple, list[FileResult]]:
        out: dict[tuple, list[FileResult]] = {}
        for r in files:
            key = (repr(_parties(r)), r.facts.get("total"), r.facts.get("payable"), *(repr(r.facts.get(x)) for x in extra))
            out.setdefault(key, []).append(r)
        return out

    # per class of credit notes (alike in parties, amounts and the numbers they credit): per number, the classes of
    # the invoices of their seller (lists of files, in the batch's order)
    mine: dict[tuple, dict[str, list[list[FileResult]]]] = {}
    members: dict[tuple, list[FileResult]] = {}
    for ref, notes in credited.items():
        of_invoices = classes([inv for inv in by_number.get(ref, []) if not inv.facts.get("credit_note")])
        if not of_invoices:
            continue
        of_notes = classes(notes, "preceding")
        ikeys, nkeys = list(of_invoices), list(of_notes)
        same = _matching([(_parties(of_invoices[k][0])[0],) for k in ikeys] +
                         [(_parties(of_notes[k][0])[0],) for k in nkeys])
        for j, key in enumerate(nkeys):
            lists = [of_invoices[ikeys[i]] for i in same[len(ikeys) + j] if i < len(ikeys)]  # (invoice rows first)
            if lists:
                members.setdefault(key, of_notes[key])
                mine.setdefault(key, {})[ref] = lists
    for key, refs in mine.items():
        r = members[key][0]
        f = r.facts
        told: list[tuple[str, list[list[FileResult]], str]] = []  # (problem, the invoices it is about, reference)
        for ref, lists in refs.items():
            other_buyer = [files for files in lists if not _same_party(_parties(files[0])[1], _parties(r)[1])]
            if other_buyer:
                told.append(("names another buyer than that invoice", other_buyer, ref))
        credit = _credited(f)
        every = list(dict.fromkeys(f.get("preceding", [])))
        if credit is not None and all(ref in refs for ref in every):
            # (each number's invoice: the largest of the totals that number's invoices of this seller state)
            totals = [max((t for files in refs[ref] if (t := _invoiced(files[0].facts)) is not None), default=None)
                      for ref in every]
            if None not in totals and credit > sum(totals):
                lists = [files for ref in every for files in refs[ref]]
                if len(every) == 1:
                    said = f"credits more ({clipped(str(credit))}) than that invoice's total ({clipped(str(totals[0]))})"
                else:
                    said = (f"credits more ({clipped(str(credit))}) than the {len(every)} invoices it credits are for "
                            f"together ({clipped(str(sum(totals)))})")
                if told and told[0][2] == every[0] and len(every) == 1:  # (one finding of both faults)
                    named = {id(x) for x in told[0][1]}
                    told[0] = (f"{told[0][0]} and {said}", told[0][1] + [x for x in lists if id(x) not in named], every[0])
                else:
                    told.append((said, lists, every[0]))
        for problem, lists, ref in told:
            for r in members[key]:
                r.findings.append(_x("EINV-X-003", f"This credit note credits invoice {clipped(ref)} but {problem}",
                                     "Credit the buyer and the amount of the invoice being corrected.", r,
                                     _first(lists, r), sum(map(len, lists)), at=f"preceding:{ref}"))


def cross_checks(results: list[FileResult]) -> None:
    """Findings that only a batch can see: duplicates, double billing, mismatched credit notes.

    Files meet by number, or by amount due, currency and issue date; within these, who the seller and the buyer are
    is compared as :func:`_same_party` says (a file keyed by the first identifier it states never met one that left
    that identifier out). A file that states nothing of its seller (no identifier, no name: its validation says so)
    is nobody's: it would be the same seller as every other file of its number."""
    by_number: dict[str, list[FileResult]] = {}
    by_billing: dict[tuple, list[FileResult]] = {}
    for r in results:
        f = r.facts
        if not f or not _parties(r)[0]:
            continue
        if f.get("number"):  # (an invoice and a credit note: each kind may have its number series, EINV-X-004)
            by_number.setdefault(f["number"], []).append(r)
        if _parties(r)[1] and _due(f) and f.get("issue_date") and not f.get("credit_note"):
            by_billing.setdefault((_amount(f["payable"]), f.get("currency"), f["issue_date"]), []).append(r)
    for number, group in by_number.items():
        if len(group) < 2:
            continue
        for r, (others, count), (other_kind, kind_count) in _of_one_number(group):
            if kind_count:
                kind, other = ("credit note", "an invoice") if r.facts.get("credit_note") else ("invoice", "a credit note")
                r.findings.append(_x("EINV-X-004", f"{kind.capitalize()} number {clipped(number)} is also the number of {other} "
                                     "of the same seller", "Fine where credit notes have a number series of their "
                                     "own (the VAT directive allows several series); a receiver who matches "
                                     "documents by number alone may mix them up: a prefix of the series (CN-) "
                                     "keeps them apart.", r, other_kind, kind_count))
            if count:
                r.findings.append(_x("EINV-X-001", f"Invoice number {clipped(number)} is used more than once by the same "
                                     "seller", "Give every invoice of a seller its own number, and every credit note (or, "
                                     "where one file was put in twice, remove the copy).", r,
                                     others, count))
    for (_, currency, date), group in by_billing.items():
        if len(group) < 2:
            continue
        classes: dict[str, list[FileResult]] = {}  # the parties as stated -> their files
        for r in group:
            classes.setdefault(repr(_parties(r)), []).append(r)
        keys = list(classes)
        seen: dict[int, tuple] = {}  # id of a list of matching parties -> their files, and whether numbers differ
        for key, same in zip(keys, _matching([_parties(classes[k][0]) for k in keys])):
            gathered = seen.get(id(same))
            if gathered is None:
                billed = [classes[keys[j]] for j in same]  # this seller's invoices to this buyer, however stated
                numbers = {o.facts.get("number") for files in billed for o in files}
                gathered = seen[id(same)] = (billed, len(numbers) > 1, sum(map(len, billed)) - 1)
            billed, several, count = gathered
            if not several:
                continue
            for r in classes[key]:
                r.findings.append(_x("EINV-X-002", f"Same buyer, amount {clipped(r.facts['payable'])} {clipped(currency or '')} and date "
                                     f"{clipped(date)} as another invoice: possible double billing",
                                     "Make sure the buyer is not billed twice for the same delivery.", r,
                                     _first(billed, r), count, at="payable"))
    credited: dict[str, list[FileResult]] = {}  # an invoice number -> the credit notes that credit it
    for r in results:
        f = r.facts
        if f and f.get("credit_note") and _parties(r)[0]:
            for ref in dict.fromkeys(f.get("preceding", [])):
                credited.setdefault(ref, []).append(r)
    _credits_checked(credited, by_number)
    for r in results:
        r.findings = _configured(r.findings)
        if r.status in (STATUS_VALID, STATUS_WARNINGS):
            r.status = _status(r.findings)


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
    # every finding, as the counts beside it: those --max-findings left out of the list included (by rule where the
    # cap recorded them), the cap's own note (EINV-LIMIT-001, no finding) not
    rules = Counter(f.rule for r in results for f in r.findings if f.rule != LIMIT_RULE)
    for r in results:
        rules.update(getattr(r, "not_listed_rules", None) or {})
    slow = sorted(((r.path, r.seconds) for r in results), key=lambda x: -x[1])[:5]
    return Summary(counts, rules.most_common(5), slow, seconds)


def no_invoice(results: list[FileResult]) -> bool:
    """Whether every file was skipped: folders and patterns were searched and no invoice found (a named file that is
    no invoice is unreadable already), and a search that judged nothing is no pass."""
    return bool(results) and all(r.status == STATUS_SKIPPED for r in results)


def searched_in_vain(inputs: Iterable[str], results: list[FileResult]) -> list[tuple[str, int]]:
    """The folders and patterns among ``inputs`` whose files found were all skipped (no invoice among them), each with
    how many it found: a search that judged nothing is no pass, whatever the other inputs held (``no_invoice`` asks
    it of the whole run; a folder of non-invoices beside a folder of invoices passed)."""
    out = []
    paths = [(Path(r.path), r.status) for r in results]
    for item in dict.fromkeys(inputs):
        if item in ("-", ""):
            continue
        p = Path(item)
        try:
            if p.is_dir():
                tops = [p]
            elif not p.exists() and any(ch in item for ch in "*?["):
                tops = [Path(m) for m in glob.glob(item, recursive=True)]
            else:
                continue
        except OSError:
            continue
        top_set = set(tops)
        found = [st for path, st in paths if path in top_set or not top_set.isdisjoint(path.parents)]
        if found and all(st == STATUS_SKIPPED for st in found):
            out.append((item, len(found)))
    return out


def exit_code(results: list[FileResult], fail_on: str = "error") -> int:
    """0 clean, 1 findings at or above the threshold, 2 when a file was unreadable or a search found no invoice
    (or nothing at all: a run that judged nothing is no pass)."""
    if not results or any(r.status == STATUS_UNREADABLE for r in results) or no_invoice(results):
        return 2
    if fail_on == "never":
        return 0
    for r in results:
        for f in r.findings:
            if f.severity.blocking or (fail_on == "warning" and f.severity == Severity.WARNING):
                return 1
    return 0
