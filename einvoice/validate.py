"""Validate one document: read it, pick the profile, run the XSD and the rule layers.

``validate(source, profile="auto")`` is the library entry point; it returns a
:class:`~einvoice.rules.engine.Report` and raises only
:class:`~einvoice.errors.UnreadableInput` for input that is no readable invoice.
"""

from __future__ import annotations

import functools
import gc
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, ParamSpec, TypeVar, cast

from .errors import UnreadableInput, raise_outside
from .profiles import PROFILES, detect_profile, layers_for_syntax, rules_for
from .rules.engine import Context, Document, Finding, Report, Severity, run_rules
from .rules.releases import UnknownRelease, tree_only

P = ParamSpec("P")
R = TypeVar("R")  # (the decorators below keep the signature of what they wrap, for a type checker: einvoice ships py.typed)


def gc_paused(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` with Python's cyclic garbage collector paused (one document at a time).

    Reading and judging a document allocates many small objects and no cycles worth
    collecting mid-way; with the collector running, its passes over the growing heap made
    a 1,000-line CII invoice cost 15x a 100-line one (10x when paused). What the document
    left behind is collected as usual once the collector runs again.

    Only while the calling thread is the process's only Python thread: the collector is the whole process's,
    and with several threads validating it was paused nearly all the time (one call or another had it paused),
    an application's cyclic garbage left uncollected (2 GB in 40 s). With other threads it runs as usual.
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if not gc.isenabled() or threading.active_count() != 1:  # paused already (a nested call, the caller), or
            return fn(*args, **kwargs)  # other threads run: the collector is theirs too
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            gc.enable()

    return wrapper


_WARMED: set = set()


def first_use_fork_safe(fn: Callable[P, R]) -> Callable[P, R]:
    """The first validation of each kind (profile, layers, policy, syntax, releases) imports modules and compiles
    tables and schemas (libxml2's own types too) on first use; a fork while another thread did that left the child
    with an import lock held for good, or libxml2 half set up (every schema 'unavailable'): such first runs hold
    a lock that a fork waits for (``einvoice.FIRST_USE``, taken before a fork), later ones run freely."""

    @functools.wraps(fn)
    def wrapper(doc, profile="auto", schema=True, layers=None, rules=None, context=None, policy=False, today=None):
        key = (profile, tuple(layers) if layers else None, bool(policy), str(getattr(doc, "syntax", "")),
               repr(rules) if rules else None, bool(schema))
        if key in _WARMED:
            return fn(doc, profile, schema, layers, rules, context, policy, today)
        from . import FIRST_USE

        with FIRST_USE:
            report = fn(doc, profile, schema, layers, rules, context, policy, today)
        _WARMED.add(key)
        return report

    return cast(Callable[P, R], wrapper)  # (the same parameters, named)


def one_run_per_document(fn: Callable[P, R]) -> Callable[P, R]:
    """A Document keeps what a run computed in its evaluation context (release, profile; see
    ``Document.use_context``): two runs on one Document from two threads in other contexts took each other's (a
    Peppol 3.0.21 rule in a 3.0.19 result, an internal error). Runs on one Document take turns; on other Documents
    (``einvoice.validate`` reads a new one each call) they run freely."""

    @functools.wraps(fn)
    def wrapper(doc, *args, **kwargs):
        lock = doc.__dict__.get("run_lock") or doc.__dict__.setdefault("run_lock", threading.RLock())
        with lock:  # (outside the first use's lock: no thread waits for a document holding that one)
            try:
                return fn(doc, *args, **kwargs)
            except BaseException:  # a time limit, out of memory (or a refusal): nothing part-done stays on it
                forget = getattr(doc, "forget_computed", None)
                if forget is not None:
                    forget()
                raise

    return cast(Callable[P, R], wrapper)  # (the same parameters, named)


@one_run_per_document
@first_use_fork_safe
@gc_paused
def validate_document(doc: Document, profile: str = "auto", schema: bool = True,
                      layers: list[str] | tuple[str, ...] | None = None,
                      rules: dict[str, str] | str | None = None, context: Context | None = None,
                      policy: bool = False, today: Any = None) -> Report:
    """Run a profile's XSD and rule layers (or the layers given) on a Document already read.

    ``rules`` picks rule releases other than those in force (``{"peppol": "3.0.20"}`` or
    ``"peppol=3.0.20"``); ``context`` gives the whole evaluation context instead.
    ``policy`` adds the house policy to the profile's layers (the one place where
    profile and policy are layered; its configuration travels in the context).
    ``today`` (a ``datetime.date``) is the day the date rules judge by (an issue date in the future), else today's.
    """
    reason = None
    if layers is None:
        if profile == "auto":
            profile, reason = detect_profile(doc)
        if profile not in PROFILES:
            raise UnreadableInput(_unknown_profile(profile), doc.path)
        layers = PROFILES[profile].layers
        reason = reason or "chosen by the caller"
        if policy:
            reason += "; with the house policy"
    if policy and "policy" not in layers:  # (the layers given too: policy=True with layers=[...] dropped it, unsaid)
        layers = (*layers, "policy")
    if doc.root is None and any(tree_only(name) for name in layers):
        doc = written(doc)
    doc.profile = profile
    if context is None:
        try:
            context = Context.default(rules, profile=profile, today=today)
        except UnknownRelease as exc:
            raise UnreadableInput(str(exc), doc.path) from None
    elif context.profile != profile:
        context = replace(context, profile=profile)
    if today is not None and context.today != today:
        context = replace(context, today=today)
    if "policy" in layers and context.config is None:
        from .config import load

        context = replace(context, config=load())
    doc.use_context(context)
    report = Report(path=doc.path, profile=profile, profile_reason=reason, syntax=doc.syntax)
    report.findings.extend(doc.container_findings)
    legacy = doc.__dict__.get("legacy")
    if legacy is not None:  # ZUGFeRD 1.0: its own schema judged the original; the converted tree is ours, not judged
        from .syntax.zugferd1 import legacy_finding  # by Factur-X's (its lines are not the file's)

        given = PROFILES.get(profile) if profile != "en16931" else None  # (a profile given: its rules judged it)
        ran = f"the rules of {given.description}" if given is not None else "the EN 16931 rules"
        report.findings += [legacy_finding(doc.path, ran), *(f for f in legacy["findings"] if schema or f.rule != "XSD")]
    if schema and doc.root is not None and legacy is None:
        try:
            from . import xsd
        except ModuleNotFoundError:  # pragma: no cover - XSD step not installed
            xsd = None
        if xsd is not None:
            from .rules.tree import tag_index  # (the document's element index: built once, for the rules too)
            from .syntax import PARSED_HERE

            report.findings.extend(xsd.validate_tree(doc.root, doc.syntax, profile=profile, path=doc.path,
                                                     tags=tag_index(doc), shared=not doc.__dict__.get(PARSED_HERE)))
    kept = layers_for_syntax(layers, doc.syntax)  # a layer of the other syntax only would find nothing
    rules = rules_for(kept, profile)
    run_rules(doc, rules, report, context)
    report.findings = _once(report.findings)
    if len(kept) < len(layers):  # the releases of the profile, as when every layer ran
        report.releases = context.release_names((*rules.layers, *(name for name in layers if name not in kept)))
    if "policy" in layers:
        from .config import apply_config

        report.findings = apply_config(report.findings, context.config)
    for problem in report.internal_errors:
        report.findings.append(Finding("EINV-INTERNAL", Severity.ERROR,
                                       f"a rule could not be evaluated: {problem}",
                                       "please report this document to the einvoice maintainers",
                                       path=doc.path))
    if doc.root is not None and any(f.xpath for f in report.findings):  # (the map that evaluates the XPaths, as the
        from .basics import xpath_namespaces  # JSON report gives it)

        report.namespaces = xpath_namespaces(doc.root, [f.xpath for f in report.findings])
    return report


# the layers that judge some rule ids twice: CEN's (its syntax rules and its business rules) and a Factur-X profile's
_JUDGED_TWICE = frozenset(("cii-syntax", "en16931", "facturx"))


def _once(findings: list[Finding]) -> list[Finding]:
    """A rule id judged at one place by two rule layers is reported once, as the more severe of them (EN 16931
    rules of the Factur-X profiles checked twice: CEN's test in the en16931 or cii-syntax layer, the profile file's
    in its table; all of BASIC 1.09.2's, those of EN16931's and EXTENDED's whose file test can be stricter than
    CEN's; CII-SR-465 to 467 and 474 to 476 were listed twice under Factur-X EN16931, from CEN's syntax rules and
    the profile file's).
    One place is one element, an element and its child, or two children of one element: the files put some
    contexts one step apart (CEN's VAT breakdown, the profile file's category code in it; CEN's category code, the
    profile file's VAT amount beside it: BR-G-09 was listed twice, as fatal and as error). Two children of one name
    are two places (a second VAT breakdown the profile file flags beside CEN's finding at the first stays)."""
    seen: dict[tuple, int] = {}
    out: list[Finding] = []
    for f in findings:
        if f.layer not in _JUDGED_TWICE or not f.xpath:
            out.append(f)
            continue
        up, _, step = f.xpath.rpartition("/")
        # a finding kept at the same element, at this one's parent, or at a child of this one (stored by its parent),
        # or at a sibling of another name
        keys = (("at", f.rule, f.xpath), ("at", f.rule, up), ("under", f.rule, f.xpath), ("under", f.rule, up))
        at = next((seen[k] for k in keys if k in seen and out[seen[k]].layer != f.layer
                   and not (k[0] == "under" and k[2] == up and _same_name(out[seen[k]].xpath, step))), None)
        if at is not None:  # (one layer's own repeats stay as they are)
            if f.severity.rank < out[at].severity.rank:
                out[at] = f
            continue
        seen.setdefault(("at", f.rule, f.xpath), len(out))
        seen.setdefault(("under", f.rule, up), len(out))
        out.append(f)
    return out


def _same_name(xpath: str, step: str) -> bool:
    """Whether the last step of ``xpath`` names an element of the same name as ``step`` (another one: ``x[1]``,
    ``x[2]``), not the same element."""
    last = xpath.rpartition("/")[2]
    return last != step and last.partition("[")[0] == step.partition("[")[0]


def written(doc: Document) -> Document:
    """A model built in code, written as XML in its syntax and read back: the official rule sets run on
    the document tree, so a model is validated as the document it would be sent as."""
    from . import syntax, xmlsafe
    from .model.invoice import Syntax  # a model built in code: the model module is loaded already

    try:
        if doc.syntax == Syntax.CII:
            from .syntax.cii.writer import write_cii

            data = write_cii(doc.invoice)
        else:
            from .syntax.ubl.writer import write_ubl

            data = write_ubl(doc.invoice)
    except Exception as exc:  # noqa: BLE001 - a model the writer cannot express
        raise_outside(exc)
        raise UnreadableInput(f"the invoice model cannot be written as XML: {type(exc).__name__}: {exc}",
                              doc.path) from None
    new = syntax.read_tree(xmlsafe.parse(data, doc.path).getroot(), doc.path)
    new.container_findings = doc.container_findings
    return new


@gc_paused
def validate(source: str | Path | bytes | Any, profile: str = "auto", schema: bool = True,
             layers: list[str] | tuple[str, ...] | None = None,
             rules: dict[str, str] | str | None = None, policy: bool = False,
             max_size: int | None = None, today: Any = None) -> Report:
    """Validate bytes, a path, a binary file object, an lxml element, or a document :func:`einvoice.load` read (read
    once, validated as often as asked: by several profiles, in several threads, which take turns on it). Raises
    UnreadableInput with a one-line reason (TypeError for a source of another type).

    ``max_size`` bounds what is read (bytes; default 50 MB, or the limit of an enclosing ``einvoice.max_size``).

    ``rules={"peppol": "3.0.20"}`` validates against another rule release than the one in force.
    ``policy=True`` adds the house policy (EINV-P-*, configured in [tool.einvoice]; a
    configuration with unknown keys raises ConfigError, an UnreadableInput).
    ``today`` (a ``datetime.date``) is the day the policy judges dates by (an issue date in the future) instead of the
    machine's: a test's verdict does not change with the calendar.
    """
    import contextlib

    from . import arguments, syntax, xmlsafe

    _checked(profile, schema, layers, rules, policy, today)
    if max_size is not None:
        arguments.size("max_size", max_size)
    if isinstance(source, Document):
        doc = source
    elif hasattr(source, "tag") and hasattr(source, "xpath"):
        doc = syntax.read_tree(source)
    else:
        with xmlsafe.limited_to(max_size) if max_size is not None else contextlib.nullcontext():
            doc = syntax.load(source)
    return validate_document(doc, profile=profile, schema=schema, layers=layers, rules=rules, policy=policy, today=today)


def gravest_first(findings: Any) -> list:
    """The blocking findings (fatal, error), gravest first, then in document order."""
    errors = [f for f in findings or () if getattr(getattr(f, "severity", None), "blocking", False)]
    return sorted(errors, key=lambda f: (f.severity.rank, f.line or 0))


def validation_errors(doc: Any) -> list:
    """The blocking findings of a document's validation, as ``einvoice validate`` finds them (its profile detected),
    gravest first, for the page and ``show`` (a page of a document that does not pass says so, since a value the
    reader could not read, a date that is no date, is missing from it). A document that cannot be validated is one
    error saying why."""
    from .errors import EinvoiceError

    try:
        report = validate_document(doc)
    except EinvoiceError as exc:
        return [Finding("validation", Severity.FATAL, f"the document could not be validated: "
                        f"{getattr(exc, 'reason', None) or exc}")]
    return gravest_first(report.errors)


def _unknown_profile(profile: Any) -> str:
    from .profiles import PROFILES

    return f"unknown profile {profile!r}; known: {', '.join(sorted(PROFILES))}, auto"


def _checked(profile: Any, schema: Any, layers: Any, rules: Any, policy: Any, today: Any = None) -> None:
    """The arguments of :func:`validate` checked before any work (TypeError or ValueError naming the argument)."""
    from . import arguments
    from .profiles import LAYERS, PROFILES
    from .rules.releases import select

    arguments.text("profile", profile)
    if profile != "auto" and profile not in PROFILES:  # (a typo is the caller's, not the document's: said before reading)
        raise ValueError(_unknown_profile(profile))
    arguments.flag("schema", schema)
    arguments.flag("policy", policy)
    arguments.names("layers", layers, LAYERS)
    select(arguments.releases(rules))  # an unknown family or release: UnknownRelease, a ValueError naming it
    import datetime

    if today is not None and (not isinstance(today, datetime.date) or isinstance(today, datetime.datetime)):
        raise TypeError(f"today must be a datetime.date, not {type(today).__name__}")


def __getattr__(name: str) -> Any:
    if name == "Syntax":  # re-exported on demand: validating needs no model module of its own
        from .basics import Syntax

        return Syntax
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["validate", "validate_document", "Report", "Syntax"]

