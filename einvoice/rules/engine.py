"""The rule engine.

A rule is an official id, a check and the metadata kept as data in
``schemas/rules/<layer>.yaml`` or ``schemas/rules/<layer>/*.yaml`` (severity as the official set names it, our
message, a fix hint). Rules are grouped in layers (``RuleSet``); a profile is a
list of layers. The engine runs every rule of every layer on a document, never
raises on bad content, and returns every finding.

A run is evaluated in a :class:`Context` (the rule releases, today's date, the
profile, the configuration) passed into :func:`run_rules` and read by the rules
as ``doc.context``. For a versioned layer (Peppol, national) the release decides
which ids run and with which metadata (:mod:`einvoice.rules.releases`). A rule's
metadata must exist when it registers (:class:`RuleDefinitionError` otherwise).

A check is a function ``check(doc) -> iterable of targets``; each target is a
place where the rule fails: a model object, ``(model object, field name)``, an
lxml element, or ``None`` for the document as a whole. An optional second item
in a tuple target may also be a dict of message parameters
(``(obj, field, {"expected": ...})``).
"""

from __future__ import annotations

import functools
import signal
import sys
from dataclasses import dataclass, field, replace
from decimal import Context as DecimalContext, localcontext
from datetime import date as date_type
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Collection, Iterable

from ..basics import Origin, PathCache, Syntax, clipped, element_origin, stated_text, words_for

if TYPE_CHECKING:  # the pydantic model is imported only where a document needs it
    from ..model.invoice import Invoice

from ..data import COMPILED, SCHEMAS, _NOT_COMPILED, _compiled, load_yaml  # noqa: F401 (the rule modules' imports)

EXACT = DecimalContext(prec=10_000)  # rule arithmetic: digits enough for any amount a bounded read lets in


class Severity(str, Enum):
    FATAL = "fatal"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def blocking(self) -> bool:
        return self in (Severity.FATAL, Severity.ERROR)

    @property
    def rank(self) -> int:
        """0 for fatal ... 3 for info: ``sorted(findings, key=lambda f: f.severity.rank)`` puts the gravest first (the
        severities themselves, being text, sort alphabetically)."""
        return _SEVERITY_RANK[self]

    def __str__(self) -> str:  # 'warning', not 'Severity.WARNING' (f-strings, print, logs)
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


@dataclass(slots=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    hint: str | None = None
    xpath: str | None = None
    line: int | None = None
    layer: str | None = None
    path: str | None = None  # the file, when a finding belongs to a batch
    field: str | None = None  # a build's: the input field it is about, in the caller's names ("a / b": either)

    def __post_init__(self) -> None:
        if type(self.severity) is not Severity:  # ("fatal", as as_dict() and the JSON report write it: read back)
            self.severity = Severity(self.severity)

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity.value, "message": self.message, "hint": self.hint,
                "xpath": self.xpath, "line": self.line, **({"field": self.field} if self.field else {})}

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"[{self.severity.value}] {self.rule}: {self.message}{where}"


# what a document's indexes hold (its tree, read once): kept when the document is evaluated in another context
_STRUCTURE = frozenset(("_tag_index", "_tree_tags", "_tree_paths", "_tree_keys", "_tree_memo", "_header_model"))


class Document:
    """What the rules see: the model read from a document, and the document itself.

    ``Document(invoice, syntax, root=None, path=None, profile=None)``. A document
    read from XML may be given a ``reader`` instead of the model: the model is then
    read from ``root`` the first time ``doc.invoice`` is asked for (rules that
    work on the tree alone never pay for it).
    """

    __slots__ = ("_invoice", "_reader", "syntax", "root", "path", "profile", "context", "container_findings",
                 "__dict__")

    def __init__(self, invoice: Invoice | None = None, syntax: Syntax | None = None, root: Any = None,
                 path: str | None = None, profile: str | None = None, *,
                 reader: Callable[[Any], Invoice] | None = None):
        self._invoice = invoice
        self._reader = reader if invoice is None else None
        self.syntax = syntax
        self.root = root  # lxml root element, None for a model built in code
        self.path = path
        self.profile = profile  # the profile being applied (set by validate)
        self.context: Context | None = None  # the evaluation context of the run (set by validate / run_rules)
        self.container_findings: list = []  # findings about the PDF the XML came from (einvoice.container)

    @property
    def invoice(self) -> Invoice:
        inv = self._invoice
        if inv is None and self._reader is not None:
            reader, self._reader = self._reader, None
            try:
                inv = self._invoice = reader(self.root)
            except BaseException:  # (out of memory, a time limit: read again when asked, not taken as no model)
                self._reader = reader
                raise
        return inv

    @invoice.setter
    def invoice(self, value: Invoice) -> None:
        self._invoice = value
        self._reader = None

    def use_context(self, context: "Context") -> None:
        """Evaluate in ``context`` from now on; what was computed in another one (release, profile, date) goes,
        the indexes of the tree stay."""
        if self.context is not None and self.context != context:
            for key in [k for k in self.__dict__ if k.startswith("_") and k not in _STRUCTURE]:
                del self.__dict__[key]
        self.context = context

    def forget_computed(self) -> None:
        """Drop everything a run computed and kept on the document (rule results, indexes of the tree): after a
        run that was interrupted (a time limit, out of memory) some of it may be part-done, or hold the
        interruption as a rule's error; the next run works it all out again."""
        for key in [k for k in self.__dict__ if k.startswith("_")]:
            del self.__dict__[key]

    @property
    def model_read(self) -> bool:
        """Whether the model exists already (False while a lazy read is pending)."""
        return self._reader is None

    def __repr__(self) -> str:
        return f"Document(syntax={self.syntax!r}, path={self.path!r}, profile={self.profile!r})"

    @functools.cached_property
    def nsmap(self) -> dict[str, str]:
        from ..syntax import namespaces

        return namespaces.for_syntax(self.syntax)

    def xpath(self, expr: str, node: Any = None) -> list:
        """Evaluate an XPath 1.0 expression with the syntax's usual prefixes (empty without XML)."""
        base = self.root if node is None else node
        return [] if base is None else base.xpath(expr, namespaces=self.nsmap)


@dataclass(frozen=True)
class RuleMeta:
    id: str
    severity: Severity
    message: str
    hint: str | None = None
    # where the official sets give one id another severity in one syntax (e.g. BR-51:
    # warning in UBL, fatal in CII): YAML keys severity_ubl / severity_cii
    by_syntax: tuple[tuple[str, Severity], ...] = ()

    def for_syntax(self, syntax: Syntax | None) -> "RuleMeta":
        severity = next((s for name, s in self.by_syntax if syntax is not None and syntax.value == name), self.severity)
        message, hint = (words_for(text, syntax and syntax.value) for text in (self.message, self.hint))  # one syntax's words
        same = severity is self.severity and message is self.message and hint is self.hint
        return self if same else replace(self, severity=severity, message=message, hint=hint)


def _version_in(releases: tuple[tuple[str, str], ...], family: str) -> str | None:
    """The version of a family among a run's (family, version) pairs (None when it has none)."""
    return next((version for fam, version in releases if fam == family), None)


@functools.lru_cache(maxsize=64)
def _release_in(releases: tuple[tuple[str, str], ...], family: str):
    """The release of a family among a run's pairs (the rules ask for it often, with the same pairs for
    every document of a run)."""
    from .releases import release

    version = _version_in(releases, family)
    return release(family, version) if version is not None else None


@dataclass(frozen=True)
class Context:
    """What a run is evaluated in: the rule releases, today's date, the profile and the configuration.

    It is passed into the run (``run_rules(..., context)``, ``validate(..., rules=...)``)
    and reaches the rules as ``doc.context``; nothing about the run lives in
    module or thread state. ``releases`` holds ``(family, version)`` pairs, e.g.
    ``(("en16931", "1.3.16"), ("facturx", "1.09"), ("peppol", "3.0.21"))``.
    """

    releases: tuple[tuple[str, str], ...]
    today: date_type | None = None
    profile: str | None = None
    config: Any = None

    @classmethod
    def default(cls, rules: "dict[str, str] | str | None" = None, profile: str | None = None,
                today: date_type | None = None, config: Any = None) -> "Context":
        """The releases in force (``schemas/releases/index.yaml``) for the profile, with ``rules`` choosing others."""
        from .releases import select

        return cls(select(rules, profile), today or date_type.today(), profile, config)

    def version(self, family: str) -> str | None:
        return _version_in(self.releases, family)

    def release(self, family: str):
        """The :class:`~einvoice.rules.releases.Release` of a family applied in this run."""
        return _release_in(self.releases, family)

    def release_of_layer(self, layer: str):
        return _release_of_layer(self.releases, layer)

    def release_names(self, layers: Iterable[str] | None = None) -> list[str]:
        """Titles of the releases applied (only the families of ``layers`` when given)."""
        from .releases import family_of_layer

        wanted = None if layers is None else {family_of_layer(name) for name in layers}
        return [self.release(fam).title for fam, _v in self.releases if wanted is None or fam in wanted]


@functools.lru_cache(maxsize=512)
def _release_of_layer(releases: tuple[tuple[str, str], ...], layer: str):
    """The release a run's ``releases`` apply to a layer (None: the layer belongs to no family); asked
    once per rule when a run is planned, so kept per (releases, layer)."""
    from .releases import family_of_layer

    family = family_of_layer(layer)
    return None if family is None else _release_in(releases, family)


Check = Callable[[Document], Iterable[Any]]
# a family's evaluation: doc -> {rule id: targets, or the exception that stopped that rule}
FamilyEval = Callable[[Document], "dict[str, Any]"]


def _handler_codes() -> set:
    """The code objects of the Python signal handlers installed now (functions, methods, partials, callables)."""
    codes = set()
    for sig in signal.valid_signals():
        try:
            handler = signal.getsignal(sig)
        except (ValueError, OSError):  # pragma: no cover - a signal Python cannot name
            continue
        for _ in range(4):  # unwrap partials and methods
            if isinstance(handler, functools.partial):
                handler = handler.func
            elif hasattr(handler, "__func__"):
                handler = handler.__func__
            else:
                break
        code = getattr(handler, "__code__", None) or getattr(getattr(type(handler), "__call__", None), "__code__", None)
        if code is not None:
            codes.add(code)
    return codes


def interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` came from outside the rules: raised by a Python signal handler (a time limit such as Celery's
    soft time limit, ``signal.alarm`` with a handler that raises), or by code such a handler called, while a rule ran.

    A rule's own failure (a bug, a value it cannot handle) is reported as EINV-INTERNAL and the run goes on; an
    exception that arrived asynchronously is the caller's and reaches the caller (raised again). The two cannot be
    told apart by type (Celery's SoftTimeLimitExceeded is a plain Exception), but a handler's frame is on the
    exception's traceback, above the rule's frame that it interrupted: that is what is looked for (also in the
    exceptions it was raised from or during). Not recognised: exceptions injected into a thread by C
    (``PyThreadState_SetAsyncExc``), which carry no handler frame.
    """
    codes = None
    seen = 0
    while exc is not None and seen < 8:
        tb = exc.__traceback__
        if tb is not None:
            if codes is None:
                codes = _handler_codes()
                if not codes:
                    return False
            while tb is not None:
                if tb.tb_frame.f_code in codes:
                    return True
                tb = tb.tb_next
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def rule_failure(exc: BaseException) -> BaseException:
    """``exc`` as a rule's own failure (to report as EINV-INTERNAL); raised again when it came from outside (see
    :func:`interrupted`) or is the want of memory, the run's (a family's rule loop kept it as that rule's result)."""
    if isinstance(exc, MemoryError) or interrupted(exc):
        raise exc
    return exc


def forget_failures(doc: "Document") -> None:
    """Drop the failed rule results a previous run left on a Document (a family's or a table's that recorded an
    exception): a new run works them out again instead of repeating an error that may have had an outside cause."""
    fams = doc.__dict__.get("_families")
    if fams:
        for key in [k for k, v in fams.items()
                    if isinstance(v, _FamilyFailed) or any(isinstance(h, BaseException) for h in v.values())]:
            del fams[key]
    tables = doc.__dict__.get("_tree_results")
    if tables:
        from .tree import failed_result

        for key in [k for k, v in tables.items() if failed_result(v)]:
            del tables[key]


class Family:
    """Rules evaluated together in one pass: ``evaluate(doc)`` returns every id's targets at once.

    The result is computed once per document (cached on it); ids without failures
    are simply absent from it. A value that is an exception is reported as that
    rule's internal error; an exception out of ``evaluate`` as every id's.
    """

    __slots__ = ("name", "evaluate", "ids")

    def __init__(self, name: str, evaluate: FamilyEval):
        self.name = name
        self.evaluate = evaluate
        self.ids: list[str] = []

    def results(self, doc: Document) -> dict[str, Any]:
        cache = doc.__dict__.get("_families")
        if cache is None:
            cache = doc.__dict__["_families"] = {}
        res = cache.get(self)
        if res is None:
            try:
                res = self.evaluate(doc) or {}
            except MemoryError:  # (the run's, not a rule's: the file is said to need more memory than there is)
                raise
            except Exception as exc:  # every rule of the family reports it (kept for this run only)
                res = _FamilyFailed(rule_failure(exc))
            cache[self] = res
        return res

    def check_for(self, rid: str) -> Check:
        """A plain check for one id (what ``Rule.check`` is for a family member)."""

        def check(doc: Document) -> list:
            res = self.results(doc)
            if isinstance(res, _FamilyFailed):
                raise res.exc
            hits = res.get(rid)
            if hits is None:
                return []
            if isinstance(hits, BaseException):
                raise hits
            return hits

        check.__name__ = "check_" + rid.replace("-", "_").lower()
        return check

    def __repr__(self) -> str:
        return f"Family({self.name!r}, {len(self.ids)} ids)"


class _FamilyFailed(dict):
    """An empty result carrying the exception that stopped a family's evaluation."""

    def __init__(self, exc: Exception):
        super().__init__()
        self.exc = exc

    def __bool__(self) -> bool:
        return True


@dataclass(eq=False)
class Rule:
    id: str
    check: Check
    layer: str
    syntax: Syntax | None = None  # None: the rule serves both syntaxes
    family: Family | None = field(default=None, kw_only=True)  # set when evaluated with others in one pass

    @property
    def meta(self) -> RuleMeta:
        """The rule's metadata in its layer's files, else in the release that adds it (registration
        guarantees one of them exists); a run takes its release's with :meth:`meta_in`."""
        meta = rule_table(self.layer).get(self.id)
        if meta is None:
            meta = meta_table({self.id: known_metadata(self.layer)[self.id]})[self.id]
        return meta

    def meta_in(self, context: "Context | None") -> RuleMeta | None:
        """The rule's metadata in the releases of a run; None when the selected release does not have the rule."""
        release = context.release_of_layer(self.layer) if context is not None else None
        if release is None or not release.versioned:
            return self.meta
        return release.meta(self.layer).get(self.id)


def layer_files(layer: str) -> list[Path]:
    base = SCHEMAS / "rules"
    return [p for p in (base / f"{layer}.yaml", *sorted((base / layer).glob("*.yaml"))) if p.exists()]


@functools.lru_cache(maxsize=None)
def raw_table(layer: str) -> dict[str, dict]:
    """The metadata data of a layer: ``schemas/rules/<layer>.yaml`` and every file in ``schemas/rules/<layer>/``."""
    data: dict = {}
    for path in layer_files(layer):
        data.update(load_yaml(path) or {})
    return data


@functools.lru_cache(maxsize=None)
def rule_table(layer: str) -> dict[str, RuleMeta]:
    """Metadata of a layer's rules (for a versioned layer: its base release, see :mod:`einvoice.rules.releases`)."""
    return meta_table(raw_table(layer))


def meta_table(data: dict) -> dict[str, RuleMeta]:
    """Rule metadata from the data of a ``schemas/rules`` file (id -> severity, message, hint)."""
    severities = _SEVERITIES
    out: dict[str, RuleMeta] = {}
    for rid, meta in data.items():
        value = meta.get("severity", "error")
        by_syntax = ()
        if "severity_ubl" in meta or "severity_cii" in meta:  # rare: only then the per-syntax tuple
            by_syntax = tuple((name, Severity(meta[f"severity_{name}"])) for name in ("ubl", "cii")
                              if meta.get(f"severity_{name}"))
        out[rid] = RuleMeta(rid, severities.get(value) or Severity(value), meta.get("message") or "",
                            meta.get("hint"), by_syntax)
    return out


_SEVERITIES = {s.value: s for s in Severity}  # a dict lookup instead of an Enum call per rule (thousands)


class RuleDefinitionError(Exception):
    """A rule registered without metadata (unknown id, or no message): raised when its module is imported."""


def known_metadata(layer: str) -> dict[str, dict]:
    """Every rule id a layer may register, with its data: the layer's files, and for a versioned layer
    (Peppol, national) also the rules its later releases add (``schemas/releases/``)."""
    from .releases import layer_metadata

    return layer_metadata(layer)


@functools.lru_cache(maxsize=None)
def _registrable(layer: str, schemas: Path) -> frozenset[str]:
    """The ids a layer may register (metadata with a message in some release), computed once per layer
    (``schemas`` is part of the key: the data folder they come from)."""
    return frozenset(rid for rid, data in known_metadata(layer).items()
                     if isinstance(data, dict) and str(data.get("message") or "").strip())


def check_registration(layer: str, rid: str) -> None:
    """Refuse a rule id that has no metadata in any release of its layer, or metadata without a message."""
    if rid in _registrable(layer, SCHEMAS):  # one set lookup per registration (thousands at import)
        return
    data = known_metadata(layer).get(rid)
    if data is None:
        raise RuleDefinitionError(f"rule {rid} of layer {layer!r} has no metadata: add it to "
                                  f"schemas/rules/{layer}/ (or to the release that introduces it)")
    if not isinstance(data, dict) or not str(data.get("message") or "").strip():
        raise RuleDefinitionError(f"rule {rid} of layer {layer!r} has no message in its metadata")


class RuleSet:
    """A layer of rules (EN 16931, UBL syntax, Peppol, NO, house policy, ...).

    ``@RULES.rule("ID")`` declares a check once under its official id; the id's
    metadata (severity, message) must exist when the rule registers, or the
    import fails with :class:`RuleDefinitionError`.
    """

    def __init__(self, layer: str):
        self.layer = layer
        self.rules: list[Rule] = []

    def _append(self, rule: Rule) -> None:
        check_registration(self.layer, rule.id)
        self.rules.append(rule)

    def rule(self, *ids: str, syntax: Syntax | str | None = None) -> Callable[[Check], Check]:
        """Register a check under one or more rule ids (several ids share one check when their test is the same)."""
        syn = Syntax(syntax) if isinstance(syntax, str) else syntax

        def deco(fn: Check) -> Check:
            for rid in ids:
                self._append(Rule(rid, fn, self.layer, syn))
            return fn

        return deco

    def add(self, rid: str, check: Check, syntax: Syntax | str | None = None, family: Family | None = None) -> None:
        """Register one rule id (as a member of ``family``, evaluated with it, when given)."""
        syn = Syntax(syntax) if isinstance(syntax, str) else syntax
        self._append(Rule(rid, check, self.layer, syn, family=family))

    def family(self, ids: Iterable[str], evaluate: FamilyEval, syntax: Syntax | str | None = None,
               name: str | None = None) -> Family:
        """Register rule ids evaluated together: ``evaluate(doc) -> {rule id: [targets]}`` (see :class:`Family`).

        Each id is still a :class:`Rule` of its own (listed, with its metadata and a
        ``check``), but the engine calls ``evaluate`` once per document and skips
        every id of the family at once when the result is empty.
        """
        syn = Syntax(syntax) if isinstance(syntax, str) else syntax
        fam = Family(name or f"{self.layer}:{getattr(evaluate, '__name__', 'family')}", evaluate)
        for rid in ids:
            fam.ids.append(rid)
            self._append(Rule(rid, fam.check_for(rid), self.layer, syn, family=fam))
        return fam

    def without(self, ids: Collection[str]) -> "RuleSet":
        """The same rules and metadata but those of ``ids`` (a layer as a profile or scenario runs it)."""
        out = RuleSet(self.layer)
        out.rules = [r for r in self.rules if r.id not in ids]
        return out

    def for_profile(self, profile: str | None) -> "RuleSet":
        """The rules a document validated against ``profile`` needs: all of them (a layer with rules per
        profile, Factur-X's, loads that profile's only)."""
        return self

    def __iter__(self):
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)


@dataclass
class Report:
    """The result of validating one document."""

    path: str | None = None
    profile: str | None = None
    profile_reason: str | None = None
    syntax: Syntax | None = None
    findings: list[Finding] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    releases: list[str] = field(default_factory=list)  # the rule releases applied, e.g. "Peppol BIS Billing 3.0.21"
    namespaces: dict[str, str] = field(default_factory=dict)  # the prefixes the findings' XPaths use ("": the default)

    @property
    def valid(self) -> bool:
        return not any(f.severity.blocking for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity.blocking]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.WARNING]

    def rule_ids(self) -> set[tuple[str, str]]:
        return {(f.rule, f.severity.value) for f in self.findings}

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "profile": self.profile,
            "profile_reason": self.profile_reason,
            "releases": list(self.releases),
            "valid": self.valid,
            "status": "invalid" if not self.valid else "warnings" if self.warnings else "valid",
            "findings": [f.as_dict() for f in self.findings],
            **({"namespaces": dict(self.namespaces)} if self.namespaces else {}),
        }


def _locate(target: Any, positions: PathCache | None = None) -> tuple[Origin, dict]:
    params: dict = {}
    if isinstance(target, tuple):
        items = list(target)
        if items and isinstance(items[-1], dict):
            params = items.pop()
        obj = items[0] if items else None
        fld = items[1] if len(items) > 1 else None
    else:
        obj, fld = target, None
    if obj is None:
        return Origin(None, None), params
    model = getattr(sys.modules.get("einvoice.model.base"), "ModelBase", None)  # None until imported (by any thread)
    if model is not None and isinstance(obj, model):
        return obj.origin(fld), params
    if hasattr(obj, "sourceline"):
        return element_origin(obj, positions), params
    return Origin(None, None), params


class RuleList(list):
    """A list of rules that keeps its execution plans (one per syntax); see :func:`plan_for`."""

    def __init__(self, rules: Iterable[Rule] = ()):
        super().__init__(rules)
        self.plans: dict[Any, list] = {}
        self.layers: tuple[str, ...] = tuple(dict.fromkeys(r.layer for r in self))


def _plan(rules: Iterable[Rule], syntax: Syntax | None, context: "Context | None" = None) -> list:
    """Steps for a syntax, in rule order: ``(None, rule, meta)`` or ``(family, [(rule, meta), ...], positions)``
    (``positions``: rule id -> its indexes among the members).

    Consecutive ids of one family make one step (evaluated once, skipped at once
    when it finds nothing); rules of another syntax, and rules the selected
    release does not have, are left out; the metadata is the release's.
    """
    steps: list = []
    for rule in rules:
        if rule.syntax is not None and rule.syntax != syntax:
            continue
        meta = rule.meta_in(context)
        if meta is None:
            continue
        meta = meta.for_syntax(syntax)
        fam = rule.family
        if fam is not None:
            if steps and steps[-1][0] is fam:
                steps[-1][1].append((rule, meta))
            else:
                steps.append((fam, [(rule, meta)]))
        else:
            steps.append((None, rule, meta))
    out = []
    for step in steps:
        if step[0] is not None:  # a family step also keeps where each id stands among its members
            pos: dict[str, list[int]] = {}
            for i, (rule, _meta) in enumerate(step[1]):
                pos.setdefault(rule.id, []).append(i)
            step = (step[0], step[1], pos)
        out.append(step)
    return out


def plan_for(rules: Iterable[Rule], syntax: Syntax | None, context: "Context | None" = None) -> list:
    if context is None:
        context = Context.default()
    if isinstance(rules, RuleList):
        key = (syntax, context.releases)
        plan = rules.plans.get(key)
        if plan is None:
            plan = rules.plans[key] = _plan(rules, syntax, context)
        return plan
    return _plan(rules, syntax, context)


def format_message(message: str, params: dict | None) -> str:
    """A rule's message with its parameters filled in, long texts clipped (left as written when they do not fit)."""
    if "{amounts}" in message and not (params or {}).get("amounts"):  # (figures a rule could not work out: none)
        params = {**(params or {}), "amounts": ""}
    try:
        return message.format(**{k: clipped(v) for k, v in params.items()}) if params else message
    except (KeyError, IndexError, ValueError):
        return message


def _add_findings(doc: Document, rule: Rule, meta: RuleMeta, targets: Iterable[Any], report: Report,
                  root_origin: list, positions: PathCache) -> None:
    findings = report.findings
    for target in targets:
        origin, params = _locate(target, positions)
        if "{value" in meta.message and "value" not in params:  # (a message quoting the value its element states)
            params = {**params, "value": stated_text(target[0] if isinstance(target, tuple) and target else target)}
        if origin.xpath is None and doc.root is not None:
            if not root_origin:
                root_origin.append(element_origin(doc.root))
            origin = root_origin[0]
        message = format_message(meta.message, params) if not params.get("stops") else (  # (values.SPLIT)
            f"The official validators stop on the document here, which counts as this rule failing: {params['stops']}.")
        findings.append(Finding(rule.id, Severity.FATAL if params.get("stops") else params.get("severity", meta.severity),
                                message, params.get("fix", meta.hint) if params.get("stops") else meta.hint,  # (a stop:
                                origin.xpath, origin.line, rule.layer, doc.path))  # no verdict; its own fix, if known)


def run_rules(doc: Document, rules: Iterable[Rule], report: Report, context: "Context | None" = None) -> Report:
    """Run rules on a document in an evaluation context, adding each failure to the report. Raises only what
    came from outside the rules.

    The context (releases, date, profile, configuration) is the one given, else the
    document's, else the releases in force; the rules read it from ``doc.context``.
    """
    if context is None:
        context = doc.context or Context.default(profile=doc.profile)
    doc.use_context(context)
    forget_failures(doc)
    if not isinstance(rules, RuleList):
        rules = list(rules)
    layers = rules.layers if isinstance(rules, RuleList) else {r.layer for r in rules}
    report.releases = context.release_names(layers)
    root_origin: list = []
    positions = PathCache()  # the paths worked out for locating findings (see element_origin)
    errors = report.internal_errors
    if doc.root is None:
        from .releases import tree_only

        skipped = [name for name in layers if tree_only(name)]
        if skipped:  # never a silent pass: say that these layers need the written document
            errors.append(f"the {', '.join(skipped)} rules run on the document tree: write the model as XML "
                          "first (einvoice.validate does)")
            rules = [r for r in rules if r.layer not in skipped]
    try:
        with localcontext(EXACT):  # xs:decimal sums and products are exact in Saxon (BigDecimal), not 28 digits
            for step in plan_for(rules, doc.syntax, context):
                fam = step[0]
                if fam is None:
                    rule = step[1]
                    try:
                        targets = rule.check(doc)
                        if targets and not isinstance(targets, (list, tuple)):
                            targets = list(targets)
                        if not targets:
                            continue
                    except MemoryError:
                        raise
                    except Exception as exc:  # a rule must never take the run down (a time limit reaches the caller)
                        rule_failure(exc)
                        errors.append(f"{rule.id}: {type(exc).__name__}: {exc}")
                        continue
                    _add_findings(doc, rule, step[2], targets, report, root_origin, positions)
                    continue
                res = fam.results(doc)
                if not res:
                    continue
                if isinstance(res, _FamilyFailed):
                    exc = rule_failure(res.exc)
                    for rule, _meta in step[1]:
                        errors.append(f"{rule.id}: {type(exc).__name__}: {exc}")
                    continue
                members = step[1]
                if len(res) < len(members):  # few ids failed: visit those members only, in member order
                    pos = step[2]
                    at = [i for rid in res for i in pos.get(rid, ())]
                    at.sort()
                    members = [members[i] for i in at]
                for rule, meta in members:
                    hits = res.get(rule.id)
                    if not hits:
                        continue
                    if isinstance(hits, BaseException):
                        rule_failure(hits)
                        errors.append(f"{rule.id}: {type(hits).__name__}: {hits}")
                        continue
                    _add_findings(doc, rule, meta, hits, report, root_origin, positions)
    except BaseException:  # a time limit, out of memory: nothing part-done or holding it stays on the document
        doc.forget_computed()
        raise
    return report
