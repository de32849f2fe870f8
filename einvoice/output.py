"""Report formats for a batch: text, JSON, JUnit XML and SARIF 2.1.0.

JSON schema (version 1, stable; new keys may be added, none removed)::

    {"format": "einvoice-report", "version": 1,
     "files": [{"path", "status", "profile", "valid", "error"? (unreadable), "note"? (skipped), "profile_reason"?,
                "releases"? (the rule releases applied, e.g. "Peppol BIS Billing 3.0.21"),
                "findings": [{"rule", "severity", "message", "hint", "xpath", "line"}]}],
     "summary": {"files", "valid", "warnings", "invalid", "unreadable", "skipped",
                 "top_rules": [{"rule", "count"}], "slowest": [{"path", "seconds"}], "seconds"}}

``severity`` is named as the official rule sets name it: fatal, error or warning
(info for house-policy notes).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lxml import etree

from .basics import words_for
from .batch import LIMIT_RULE, STATUS_SKIPPED, STATUS_UNREADABLE, STATUS_WARNINGS, FileResult, Summary
from .errors import one_line, printable
from .xmlsafe import absolute as _absolute

JSON_VERSION = 1
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _version() -> str:
    from . import __version__

    return __version__


SEVERITIES = ("fatal", "error", "warning", "info")


def severity_counts(findings) -> dict[str, int]:
    """Findings per severity, fatal and error apart: {"fatal": n, "error": n, "warning": n, "info": n}."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        counts[f.severity.value] = counts.get(f.severity.value, 0) + 1
    return counts


def result_counts(results) -> dict[str, int]:
    """Findings per severity of results, those a --max-findings cap left out of the list included."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for r in results:
        for sev, n in severity_counts(f for f in r.findings if f.rule != LIMIT_RULE).items():  # (the cap's own note)
            counts[sev] += n
        for sev, n in (getattr(r, "not_listed", None) or {}).items():
            counts[sev] = counts.get(sev, 0) + n
    return counts


def severity_text(counts: dict[str, int]) -> str:
    """'1 fatal, 2 errors, 0 warnings' (info only when there is some)."""
    parts = [f"{counts['fatal']} fatal", f"{counts['error']} error{'s' if counts['error'] != 1 else ''}",
             f"{counts['warning']} warning{'s' if counts['warning'] != 1 else ''}"]
    if counts.get("info"):
        parts.append(f"{counts['info']} info")
    return ", ".join(parts)


_SURROGATE = re.compile(r"[\ud800-\udfff]")
# the characters XML 1.0 does not allow, listed (the negated class of the allowed ones takes 6 ms to compile)
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _escape_char(m: re.Match) -> str:
    code = ord(m.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: str) -> str:
    """A string that encodes as UTF-8: bytes of a file name that were not UTF-8 are shown as \\xNN."""
    return _SURROGATE.sub(_escape_char, text) if _SURROGATE.search(text) else text


def xml_safe(text: str | None) -> str | None:
    """A string that XML 1.0 can carry: control characters and undecodable bytes are shown as \\xNN."""
    if text is None:
        return None
    return _NOT_XML.sub(_escape_char, text) if _NOT_XML.search(text) else text


def _cleaned(value: Any) -> Any:
    """``value`` (dicts, lists, strings) with every string made :func:`safe`."""
    if isinstance(value, str):
        return safe(value)
    if isinstance(value, dict):
        return {_cleaned(k): _cleaned(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_cleaned(v) for v in value]
    return value


def to_json(results: list[FileResult], summary: Summary) -> str:
    summary_dict = summary.as_dict()
    summary_dict["findings"] = result_counts(results)
    return json.dumps(_cleaned({"format": "einvoice-report", "version": JSON_VERSION,
                                "files": [r.as_dict() for r in results], "summary": summary_dict}),
                      indent=2, ensure_ascii=False)


def _heading(path: object) -> str:
    """A file's name where it starts a line of the text report: :func:`printable`, and a relative name starting with
    '::' (after white space) shown as './::...' (the same file): a line starting '::' is a workflow command to GitHub
    Actions' runner, so a file named '::error file=README.md::x.xml' in a folder made the report of a CI job forge an
    annotation."""
    shown = printable(path)
    return f"./{shown}" if shown.lstrip().startswith("::") else shown


_COMMAND_START = re.compile(r"^(\s*):(?=:)", re.M)  # a line whose first characters but white space are '::'


def log_safe(text: str, kind: str = "text") -> str:
    """Output that a CI log shows without running any of it as a workflow command of GitHub Actions' runner, which
    takes a line whose first characters but white space are '::' (``::error file=...::``) and '##[' anywhere in a
    line (its older form: ``##[error]``, ``##[stop-commands]``, which ends command handling for the rest of the
    step), whatever a file name or an invoice's value holds. ``kind`` "text": the '[' of '##[' and the first ':' of
    such a line are written as ``\\x5b`` and ``\\x3a``, as the report writes other characters it cannot show;
    "json" and "xml" (JSON, SARIF, JUnit): the same characters written as the format's own escapes (``\\u0023``,
    ``&#35;``, ``&#58;``), the values read back unchanged."""
    if "##[" not in text and "::" not in text:
        return text
    if kind == "json":  # (JSON writes no line break inside a value: '##[' inside a string is the only way in)
        return text.replace("##[", "\\u0023#[")
    if kind == "xml":
        return _COMMAND_START.sub(r"\1&#58;", text.replace("##[", "&#35;#["))
    return _COMMAND_START.sub(r"\1\\x3a", text.replace("##[", "##\\x5b"))


def to_text(results: list[FileResult], summary: Summary, color: bool = False, verbose: bool = True,
            summary_always: bool = False, all_results: list[FileResult] | None = None) -> str:
    """The text report; ``summary_always`` prints the summary line even for one clean file (``-q``),
    ``all_results`` are the results the summary counts when ``results`` shows only some."""
    def paint(text: str, c: str) -> str:
        if not color:
            return text
        codes = {"red": "31", "yellow": "33", "green": "32", "dim": "2", "bold": "1", "cyan": "36"}
        return f"\x1b[{codes[c]}m{text}\x1b[0m"

    sev_color = {"fatal": "red", "error": "red", "warning": "yellow", "info": "cyan"}
    status_label = {"unreadable": paint("UNREADABLE", "red"), "skipped": paint("skipped", "dim")}
    lines: list[str] = []
    for r in results:
        if r.status == STATUS_SKIPPED:
            lines.append(f"{_heading(r.path)}: {status_label['skipped']} ({one_line(r.reason, None)})")
            continue
        if r.status == STATUS_UNREADABLE:
            lines.append(f"{_heading(r.path)}: {status_label['unreadable']} - {one_line(r.reason, None)}")
            continue
        counts = result_counts([r])
        if not r.valid:
            label = paint("INVALID", "red")
        elif r.status == STATUS_WARNINGS:
            label = paint("VALID with warnings", "yellow")
        else:
            label = paint("VALID", "green")
        lines.append(f"{_heading(r.path)}: {label} ({severity_text(counts)})")
        if r.profile:
            lines.append(paint(f"  profile: {r.profile} ({r.profile_reason})", "dim"))
        if r.releases:
            lines.append(paint(f"  rules: {', '.join(r.releases)}", "dim"))
        in_pdf = any(f.line for f in r.findings) and _is_pdf_result(r)  # (a line of the embedded XML, not of the PDF)
        for f in sorted(r.findings, key=lambda f: (not f.severity.blocking, f.line or 0)):
            where = (f"line {f.line} of the embedded invoice XML" if in_pdf else f"line {f.line}") if f.line else "document"
            lines.append(f"  {paint(f.severity.value.upper(), sev_color.get(f.severity.value, 'bold')):<7} "
                         f"{paint(f.rule, 'bold')}: {one_line(f.message, None)}")  # (values quoted: one line)
            if verbose and (f.line or f.xpath):
                lines.append(" " * 10 + paint(f"at {where}" + (f", {one_line(f.xpath, None)}" if f.xpath else ""), "dim"))
            if verbose and f.hint:
                lines.append(" " * 10 + paint(f"hint: {one_line(f.hint, None)}", "dim"))
    c = summary.counts
    total = sum(c.values())
    if total > 1 or summary.top_rules or summary_always:
        if lines:
            lines.append("")
        every = results if all_results is None else all_results
        lines.append(f"{total} file{'s' if total != 1 else ''}: {c.get('valid', 0)} valid, "
                     f"{c.get('warnings', 0)} with warnings, {c.get('invalid', 0)} invalid, "
                     f"{c.get('unreadable', 0)} unreadable, {c.get('skipped', 0)} skipped"
                     + (f" in {summary.seconds:.2f} s" if summary.seconds else "")
                     + f"; findings: {severity_text(result_counts(every))}")
        if summary.top_rules:
            lines.append("most frequent: " + ", ".join(f"{r} ({n})" for r, n in summary.top_rules))
        if total > 1 and summary.slowest:
            lines.append("slowest: " + ", ".join(f"{printable(p)} ({s * 1000:.0f} ms)" for p, s in summary.slowest[:3]))
    return safe("\n".join(lines))


def to_junit(results: list[FileResult], summary: Summary) -> str:
    suites = etree.Element("testsuites", name="einvoice")
    failures = sum(1 for r in results if r.status == "invalid")
    errors = sum(1 for r in results if r.status == STATUS_UNREADABLE)
    skipped = sum(1 for r in results if r.status == STATUS_SKIPPED)
    suite = etree.SubElement(suites, "testsuite", name="einvoice validate", tests=str(len(results)),
                             failures=str(failures), errors=str(errors), skipped=str(skipped),
                             time=f"{sum(r.seconds for r in results):.3f}")
    applied = _releases(results)
    if applied:
        props = etree.SubElement(suite, "properties")
        etree.SubElement(props, "property", name="releases", value=", ".join(applied))
    for r in results:
        # (the file's name as the text report shows it: a line break, a C1 control, U+2028 or a bidi override in a
        # name made test names of several lines, or reversed, in the consoles and tables that list them)
        case = etree.SubElement(suite, "testcase", classname="einvoice", name=xml_safe(printable(r.path)),
                                time=f"{r.seconds:.4f}")
        if r.status == STATUS_UNREADABLE:
            etree.SubElement(case, "error", message=xml_safe(one_line(r.reason or "unreadable", None)),
                             type="unreadable").text = xml_safe(one_line(r.reason, None)) if r.reason else None
        elif r.status == STATUS_SKIPPED:
            etree.SubElement(case, "skipped", message=xml_safe(one_line(r.reason or "not an invoice", None)))
        elif r.status == "invalid":
            blocking = sum(f.severity.blocking for f in r.findings) + sum(  # (every one, listed or not)
                n for sev, n in (getattr(r, "not_listed", None) or {}).items() if sev in ("fatal", "error"))
            fail = etree.SubElement(case, "failure", message=f"{blocking} error(s)", type="invalid")
            fail.text = xml_safe("\n".join(_junit_line(f) for f in r.findings))
        if r.findings and r.status != "invalid":
            etree.SubElement(case, "system-out").text = xml_safe("\n".join(_junit_line(f) for f in r.findings))
    return etree.tostring(suites, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def _junit_line(f) -> str:
    """A finding as one line of a JUnit failure or system-out text, its message flattened as the text report's is (a
    value with a line break, quoted in a message, added lines of its own: a forged finding among the real ones)."""
    return f"{f.rule} [{f.severity.value}] line {f.line or '-'}: {one_line(f.message, None)}"


def _releases(results: list[FileResult]) -> list[str]:
    """Every rule release applied in a batch, in order of first use."""
    return list(dict.fromkeys(name for r in results for name in getattr(r, "releases", ()) or ()))


def _sarif_level(sev: str) -> str:
    return {"fatal": "error", "error": "error", "warning": "warning"}.get(sev, "note")


# a format field of a rule's message: {value}, with a conversion ({value!r}), a format spec ({amount:.2f}), an attribute or
# an index ({party.name}, {ids[0]}): '{value!r}' was left in six policy rules' descriptions
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*|\[[^\]{}]*\])*(?:![rsa])?(?::[^{}]*)?\}")


def _rule_text(f) -> str:
    """What a rule checks, for SARIF's rule list: the rule table's message with its values left out ('...'), not one
    finding's (the first file's values stood for the rule); a finding's own message where no table has the rule."""
    try:
        from .rules.engine import known_metadata

        template = str((known_metadata(f.layer).get(f.rule) or {}).get("message") or "") if f.layer else ""
    except Exception:  # noqa: BLE001 - a layer without a table (xsd, batch, container): the finding's message
        template = ""
    # (a part written per syntax, words_for: both, labelled; the rule list is of every file)
    text = _PLACEHOLDER.sub("...", words_for(template, None)).strip() if template else _NO_TABLE.get(f.rule, f.message)
    return text[:200]


# what the rules without a message table check (their findings' messages name one file's values)
_NO_TABLE = {
    "XSD": "The document does not follow the XML Schema of its syntax.",
    "EINV-X-001": "An invoice number is used more than once by the same seller in the batch.",
    "EINV-X-002": "Another invoice of the batch has the same buyer, amount and date (billed twice?).",
    "EINV-X-003": "A credit note names another buyer than its invoice, or credits more than that invoice's amount due.",
    "EINV-X-004": "An invoice and a credit note of the same seller in the batch have the same number.",
    LIMIT_RULE: "A file has more findings than --max-findings lists.",
}


STDIN = "<stdin>"  # the name the reports give standard input (batch.expand)


def _encoded(name: str) -> str:
    """A URI reference of a path: the bytes of the name, percent-encoded (those of a name that is not UTF-8 too)."""
    try:
        return quote(os.fsencode(name), safe="/")
    except (UnicodeError, ValueError):  # (a lone surrogate that is no escaped byte)
        return quote(safe(name).encode("utf-8"), safe="/")


def _file_uri(full: str) -> str:
    """The absolute file URI of an absolute path (file:///C:/... for a drive letter)."""
    posix = Path(full).as_posix()
    return "file://" + ("" if posix.startswith("/") else "/") + _encoded(posix)


def _artifact_location(path: str, base: str) -> dict[str, Any]:
    """A SARIF artifactLocation for a reported path: the path as the user gave it (made absolute, symbolic links not
    followed: a link is reported at its own name, a link to nothing too, and a loop of links is no error), relative to
    ``base`` with ``uriBaseId`` SRCROOT (the run's originalUriBaseIds give it), or an absolute file URI outside
    it; standard input by the name the other reports give it, as no file of the checkout (no uriBaseId); a path that
    cannot be made absolute, as given. Never raises."""
    if path == STDIN:
        return {"uri": _encoded(STDIN), "description": {"text": "standard input"}}
    try:
        full = _absolute(path)
        try:
            rel = Path(full).relative_to(base)
        except ValueError:  # (named through a link to a folder of the base: its folder resolved, its own name kept)
            try:
                rel = (Path(full).parent.resolve() / Path(full).name).relative_to(Path(base).resolve())
            except (ValueError, OSError, RuntimeError):  # (outside the base, or a loop of links among its folders)
                rel = None
        if rel is not None:
            return {"uri": _encoded(rel.as_posix()), "uriBaseId": "SRCROOT"}
        return {"uri": _file_uri(full)}
    except Exception:  # noqa: BLE001 - a name the system cannot take: written as given, never a report lost
        return {"uri": _encoded(str(path))}


def _is_pdf_result(r: FileResult) -> bool:
    """Whether a result is of a PDF (a Factur-X / ZUGFeRD container), by what was read or by the file's first bytes."""
    form = (getattr(r, "facts", None) or {}).get("form")
    if form:
        return form == "pdf"
    if any(f.rule.startswith("EINV-PDF-") for f in r.findings):  # (a PDF's container rules)
        return True
    if r.path == STDIN:
        return False
    try:
        from .xmlsafe import is_pdf, read_head

        head = read_head(r.path, 1024)  # (a named pipe is never opened)
        return head is not None and is_pdf(head)
    except Exception:  # noqa: BLE001 - gone or unreadable now: judged by its name
        return str(r.path).lower().endswith(".pdf")


def to_sarif(results: list[FileResult], summary: Summary, base: Path | None = None) -> str:
    from .xmlsafe import working_folder

    base = _absolute(base or working_folder())  # (not resolved: the paths are not either)
    rules: dict[str, dict[str, Any]] = {}
    out_results = []
    for r in results:
        where = _artifact_location(r.path, base)
        # the findings of a PDF's embedded XML: their lines are of that XML, not of the PDF's bytes (a code-scanning UI
        # annotated that line of the binary file); the line is said in the message and properties.embeddedLine
        in_pdf = r.status != STATUS_UNREADABLE and any(f.line for f in r.findings) and _is_pdf_result(r)
        if r.status == STATUS_UNREADABLE:
            rules.setdefault("EINV-UNREADABLE", {
                "id": "EINV-UNREADABLE", "name": "UnreadableInput",
                "shortDescription": {"text": "The file cannot be read as an invoice."},
                "defaultConfiguration": {"level": "error"},
            })
            out_results.append({"ruleId": "EINV-UNREADABLE", "level": "error", "message": {"text": r.reason or "unreadable"},
                                "locations": [{"physicalLocation": {"artifactLocation": dict(where)}}]})
            continue
        for f in r.findings:
            entry = rules.get(f.rule)
            if entry is None:  # (the rule's entry made once, at its first finding)
                entry = rules[f.rule] = {
                    "id": f.rule,
                    "shortDescription": {"text": _rule_text(f)},
                    "help": {"text": f.hint or f.message},
                    "defaultConfiguration": {"level": _sarif_level(f.severity.value)},
                    "properties": {"severity": f.severity.value, "layer": f.layer or ""},
                }
            elif f.severity.rank < type(f.severity)(entry["properties"]["severity"]).rank:  # (one id of two rule sets,
                # a warning in one and fatal in another: the rule's entry says the gravest, whichever file came first)
                entry["defaultConfiguration"]["level"] = _sarif_level(f.severity.value)
                entry["properties"]["severity"] = f.severity.value
            if f.layer and f.layer not in entry["properties"]["layer"].split(", "):
                entry["properties"]["layer"] = ", ".join(filter(None, [entry["properties"]["layer"], f.layer]))
            loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": dict(where)}}
            text, props = f.message, {}
            if f.line and in_pdf:
                text = f"{text} (line {int(f.line)} of the invoice XML embedded in the PDF)"
                props["embeddedLine"] = int(f.line)
            elif f.line:
                loc["physicalLocation"]["region"] = {"startLine": int(f.line)}
            if f.xpath:
                loc["logicalLocations"] = [{"fullyQualifiedName": f.xpath, "kind": "element"}]
            item = {"ruleId": f.rule, "level": _sarif_level(f.severity.value), "message": {"text": text},
                    "locations": [loc]}
            if f.hint:
                props["hint"] = f.hint
            if props:
                item["properties"] = props
            out_results.append(item)
    ids = list(rules)
    for item in out_results:
        item["ruleIndex"] = ids.index(item["ruleId"])
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "einvoice", "version": _version(), "rules": list(rules.values())}},
            "originalUriBaseIds": {"SRCROOT": {"uri": _file_uri(base).rstrip("/") + "/"}},
            "results": out_results,
            "properties": {"releases": _releases(results)},
        }],
    }
    return json.dumps(_cleaned(doc), indent=2, ensure_ascii=False)


FORMATS = {"text": to_text, "json": to_json, "junit": to_junit, "sarif": to_sarif}
