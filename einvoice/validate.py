"""Validate one document: read it, pick the profile, run the XSD and the rule layers.

``validate(source, profile="auto")`` is the library entry point; it returns a
:class:`~einvoice.rules.engine.Report` and raises only
:class:`~einvoice.errors.UnreadableInput` for input that is no readable invoice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import UnreadableInput
from .model.invoice import Syntax
from .profiles import PROFILES, detect_profile, rules_for
from .rules.engine import Document, Finding, Report, Severity, run_rules


def validate_document(doc: Document, profile: str = "auto", schema: bool = True,
                      layers: list[str] | tuple[str, ...] | None = None, policy: bool = False) -> Report:
    """Run a profile's XSD and rule layers (or the layers given) on a Document already read;
    with ``policy`` the house policy (EINV-P-*, as configured) is run too."""
    reason = None
    if layers is None:
        if profile == "auto":
            profile, reason = detect_profile(doc)
        if profile not in PROFILES:
            raise UnreadableInput(f"unknown profile {profile!r}; known: {', '.join(sorted(PROFILES))}, auto", doc.path)
        layers = PROFILES[profile].layers
        reason = reason or "chosen by the caller"
    if policy and "policy" not in layers:
        layers = (*layers, "policy")
    doc.profile = profile
    report = Report(path=doc.path, profile=profile, profile_reason=reason, syntax=doc.syntax)
    report.findings.extend(doc.container_findings)
    if schema and doc.root is not None:
        try:
            from . import xsd
        except ModuleNotFoundError:  # pragma: no cover - XSD step not installed
            xsd = None
        if xsd is not None:
            report.findings.extend(xsd.validate_tree(doc.root, doc.syntax, profile=profile, path=doc.path))
    run_rules(doc, rules_for(layers), report)
    if "policy" in layers:
        from .rules.policy.house import apply_config

        report.findings = apply_config(report.findings)
    for problem in report.internal_errors:
        report.findings.append(Finding("EINV-INTERNAL", Severity.ERROR,
                                       f"a rule could not be evaluated: {problem}",
                                       "please report this document to the einvoice maintainers",
                                       path=doc.path))
    return report


def validate(source: str | Path | bytes | Any, profile: str = "auto", schema: bool = True,
             layers: list[str] | tuple[str, ...] | None = None, policy: bool = False) -> Report:
    """Validate bytes, a path, or an lxml element. Raises UnreadableInput with a one-line reason.

    ``policy=True`` adds the house policy (EINV-P-*, as configured) to the profile's layers."""
    from . import syntax

    if hasattr(source, "tag") and hasattr(source, "xpath"):
        doc = syntax.read_tree(source)
    else:
        doc = syntax.load(source)
    return validate_document(doc, profile=profile, schema=schema, layers=layers, policy=policy)


__all__ = ["validate", "validate_document", "Report", "Syntax"]
