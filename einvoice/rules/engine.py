"""The rule engine.

A rule is an official id, a check and the metadata kept as data in
``schemas/rules/<layer>.yaml`` or ``schemas/rules/<layer>/*.yaml`` (severity as the official set names it, our
message, a fix hint). Rules are grouped in layers (``RuleSet``); a profile is a
list of layers. The engine runs every rule of every layer on a document, never
raises on bad content, and returns every finding.

A check is a function ``check(doc) -> iterable of targets``; each target is a
place where the rule fails: a model object, ``(model object, field name)``, an
lxml element, or ``None`` for the document as a whole. An optional second item
in a tuple target may also be a dict of message parameters
(``(obj, field, {"expected": ...})``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

from ..model.base import ModelBase, Origin, element_origin
from ..model.invoice import Invoice, Syntax

SCHEMAS = Path(__file__).resolve().parent.parent.parent / "schemas"


class Severity(str, Enum):
    FATAL = "fatal"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def blocking(self) -> bool:
        return self in (Severity.FATAL, Severity.ERROR)


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "hint": self.hint,
            "xpath": self.xpath,
            "line": self.line,
        }

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"[{self.severity.value}] {self.rule}: {self.message}{where}"


@dataclass
class Document:
    """What the rules see: the model read from a document, and the document itself."""

    invoice: Invoice
    syntax: Syntax
    root: Any = None  # lxml root element, None for a model built in code
    path: str | None = None
    profile: str | None = None  # the profile being applied (set by validate)

    @functools.cached_property
    def nsmap(self) -> dict[str, str]:
        from ..syntax import namespaces

        return namespaces.for_syntax(self.syntax)

    def xpath(self, expr: str, node: Any = None) -> list:
        """Evaluate an XPath 1.0 expression with the syntax's usual prefixes (empty without XML)."""
        base = self.root if node is None else node
        if base is None:
            return []
        return base.xpath(expr, namespaces=self.nsmap)


@dataclass(frozen=True)
class RuleMeta:
    id: str
    severity: Severity
    message: str
    hint: str | None = None


Check = Callable[[Document], Iterable[Any]]


@dataclass
class Rule:
    id: str
    check: Check
    layer: str
    syntax: Syntax | None = None  # None: the rule serves both syntaxes

    @property
    def meta(self) -> RuleMeta:
        return rule_table(self.layer).get(self.id) or RuleMeta(self.id, Severity.ERROR, self.id)


@functools.lru_cache(maxsize=None)
def rule_table(layer: str) -> dict[str, RuleMeta]:
    """Metadata of a layer's rules: ``schemas/rules/<layer>.yaml`` and every file in ``schemas/rules/<layer>/``."""
    base = SCHEMAS / "rules"
    files = [base / f"{layer}.yaml", *sorted((base / layer).glob("*.yaml"))]
    data: dict = {}
    for path in files:
        if path.exists():
            data.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    table = {}
    for rid, meta in data.items():
        table[rid] = RuleMeta(
            id=rid,
            severity=Severity(meta.get("severity", "error")),
            message=meta.get("message", rid),
            hint=meta.get("hint"),
        )
    return table


class RuleSet:
    """A layer of rules (EN 16931, UBL syntax, Peppol, NO, house policy, ...)."""

    def __init__(self, layer: str):
        self.layer = layer
        self.rules: list[Rule] = []

    def rule(self, *ids: str, syntax: Syntax | str | None = None) -> Callable[[Check], Check]:
        """Register a check under one or more rule ids (several ids share one check when their test is the same)."""
        syn = Syntax(syntax) if isinstance(syntax, str) else syntax

        def deco(fn: Check) -> Check:
            for rid in ids:
                self.rules.append(Rule(rid, fn, self.layer, syn))
            return fn

        return deco

    def add(self, rid: str, check: Check, syntax: Syntax | str | None = None) -> None:
        syn = Syntax(syntax) if isinstance(syntax, str) else syntax
        self.rules.append(Rule(rid, check, self.layer, syn))

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
            "valid": self.valid,
            "findings": [f.as_dict() for f in self.findings],
        }


def _locate(target: Any) -> tuple[Origin, dict]:
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
    if isinstance(obj, ModelBase):
        return obj.origin(fld), params
    if hasattr(obj, "sourceline"):
        return element_origin(obj), params
    return Origin(None, None), params


def run_rules(doc: Document, rules: Iterable[Rule], report: Report) -> Report:
    """Run rules on a document, adding each failure to the report. Never raises."""
    root_origin: Origin | None = None
    for rule in rules:
        if rule.syntax is not None and rule.syntax != doc.syntax:
            continue
        try:
            targets = list(rule.check(doc) or ())
        except Exception as exc:  # a rule must never take the run down
            report.internal_errors.append(f"{rule.id}: {type(exc).__name__}: {exc}")
            continue
        if not targets:
            continue
        meta = rule.meta
        for target in targets:
            origin, params = _locate(target)
            if origin.xpath is None and doc.root is not None:
                if root_origin is None:
                    root_origin = element_origin(doc.root)
                origin = root_origin
            message = meta.message
            if params:
                try:
                    message = message.format(**params)
                except (KeyError, IndexError, ValueError):
                    pass
            report.findings.append(
                Finding(rule.id, meta.severity, message, meta.hint, origin.xpath, origin.line, rule.layer, doc.path)
            )
    return report
