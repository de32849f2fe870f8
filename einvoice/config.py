"""Configuration of the house policy: ``[tool.einvoice]`` in pyproject.toml or ``einvoice.toml``.

    [tool.einvoice]            # in einvoice.toml the table is [einvoice] or top level (not both)
    due-days = 30              # longest payment term accepted (days after issue)
    consumer-due-days = 14     # term for consumer invoices (buyer without VAT id / org number)
    require-late-interest = false

    [tool.einvoice.rules]      # per rule: "off", or a severity: "error" | "warning" | "info"
    EINV-P-005 = "off"
    EINV-P-001 = "error"

The nearest configuration upwards from the working folder applies: an einvoice.toml, or a pyproject.toml with a
[tool.einvoice] table, empty or not (empty: the defaults; a parent folder's configuration is not read); both in one
folder is an error. Without one, defaults apply. A UTF-8 byte order mark at the start of a file is dropped. An
einvoice.toml that is there but cannot be read (no permission, a folder, a named pipe, a link to nothing) or parsed is
an error, as is a pyproject.toml that cannot be read, or that evidently holds [tool.einvoice] and cannot be parsed.
The cross-invoice checks of a batch (EINV-X-*) take their setting from ``rules`` too. An unknown key, an unknown
rule id, a setting or rule written twice (due-days and due_days; EINV-P-005 and einv-p-005) or a value of the wrong
kind is an error (:class:`ConfigError`, one line naming the file), never ignored.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UnreadableInput

SETTINGS = ("off", "fatal", "error", "warning", "info")
MAX_BYTES = 1 << 20  # a configuration file larger than this is refused (einvoice.toml, or a pyproject.toml with our
#                     table), else passed over (pyproject.toml)
KEYS = ("due-days", "consumer-due-days", "require-late-interest", "rules")
OTHER_RULES = ("EINV-X-001", "EINV-X-002", "EINV-X-003", "EINV-X-004")  # configurable besides the house policy's (house.yaml)


class ConfigError(UnreadableInput):
    """The configuration file has an unknown key or a wrong value (``path`` is the file)."""


@functools.lru_cache(maxsize=1)
def configurable_rules() -> frozenset[str]:
    from .rules.engine import SCHEMAS, load_yaml

    return frozenset(load_yaml(SCHEMAS / "rules" / "policy" / "house.yaml")) | frozenset(OTHER_RULES)


@dataclass(frozen=True)
class PolicyConfig:
    due_days: int = 30
    consumer_due_days: int | None = None
    require_late_interest: bool = False
    rules: dict[str, str] = field(default_factory=dict)  # rule id -> "off" | severity
    source: str | None = None

    def severity_of(self, rule: str) -> str | None:
        return self.rules.get(rule)


def _table(data: dict, filename: str) -> dict | None:  # (einvoice.toml: its settings at top level or in one table)
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    table = data.get("einvoice", tool.get("einvoice")) if filename == "einvoice.toml" else tool.get("einvoice")
    alone = isinstance(table, dict) and (filename == "pyproject.toml" or len(data) == 1 and len(tool) <= 1)
    return (None if filename == "pyproject.toml" else data) if table is None else table if alone else {f"{k} (beside the einvoice table, or where a table belongs)": v for k, v in ({"tool.einvoice": table} if filename == "pyproject.toml" else data).items() if v is not table or not isinstance(v, dict)}


def parse(data: dict, source: str | None = None) -> PolicyConfig:
    """The configuration in ``data`` (the [tool.einvoice] table); :class:`ConfigError` on anything unknown."""
    def fail(reason: str):
        raise ConfigError(reason, source)

    spelt: dict[str, str] = {}  # setting -> its key as written (due-days, due_days, or a mix of the two)
    for key in data:
        name = str(key).replace("_", "-")
        if name not in KEYS:
            fail(f"unknown setting {key!r} (known: {', '.join(KEYS)})")
        if name in spelt:  # (one of the two values would not apply)
            fail(f"{spelt[name]!r} and {key!r} are one setting written twice: keep one")
        spelt[name] = key

    def get(name, default):
        return data[spelt[name]] if name in spelt else default

    def days(name, default):
        value = get(name, default)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            fail(f"{name} must be a whole number of days, not {value!r}")
        return value

    late = get("require-late-interest", False)
    if not isinstance(late, bool):
        fail(f"require-late-interest must be true or false, not {late!r}")
    table = get("rules", {})
    if table is None:
        table = {}
    if not isinstance(table, dict):  # ([], false, 0 passed for an empty table)
        fail("rules must be a table of rule id = setting")
    known = configurable_rules()
    rules = {}
    spelt_rule: dict[str, str] = {}  # rule id -> its key as written (EINV-P-005, einv-p-005, " EINV-P-005")
    for rule, value in table.items():
        rid = str(rule).strip().upper()
        if rid in spelt_rule:  # (one of the two settings would not apply)
            fail(f"rules: {spelt_rule[rid]!r} and {rule!r} are one rule written twice: keep one")
        spelt_rule[rid] = rule
        if rid not in known:
            policy = sorted(known - set(OTHER_RULES))  # (from the house policy's table: never behind it)
            fail(f"rule {rule!r} cannot be configured (configurable: {policy[0]} ... {policy[-1]}, "
                 f"{', '.join(OTHER_RULES)})")
        setting = str(value).strip().lower() if isinstance(value, str) else None
        if setting not in SETTINGS:
            fail(f"rule {rule}: {value!r} is no setting (use one of: {', '.join(SETTINGS)})")
        rules[rid] = setting
    return PolicyConfig(due_days=days("due-days", 30), consumer_due_days=days("consumer-due-days", None),
                        require_late_interest=late, rules=rules, source=source)


# where a pyproject.toml can hold our table: [tool.einvoice...], a dotted key tool.einvoice..., or a [tool]
# table / tool = {...} inline table (quotes and blanks allowed around the key parts); any other
# pyproject.toml is not parsed (most projects have one; parsing it costs a cold start several ms)
_MAY_CONFIGURE = re.compile(r"""tool["']?[ \t]*\.[ \t]*["']?einvoice|^[ \t]*\[[ \t]*["']?tool["']?[ \t]*\]|^[ \t]*["']?tool["']?[ \t]*=""",
                            re.M)  # (TOML's blanks: spaces and tabs; one line, so no run of blank lines is read twice)


# a pyproject.toml that evidently holds our table: a [tool.einvoice...] header (closed or not) or a tool.einvoice...
# dotted key at the start of a line, an einvoice key in a [tool] table, or a tool = {...} inline table naming
# einvoice. One that cannot be read as TOML is then an error; any other broken pyproject.toml is its own tool's
# business (passed over)
_OURS = re.compile(r"""^[ \t]*(?:\[\[?[ \t]*)?["']?tool["']?[ \t]*\.[ \t]*["']?einvoice["']?[ \t]*(?:[\].=]|$)"""
                   r"""|^[ \t]*\[[ \t]*["']?tool["']?[ \t]*\][^\[]*?^[ \t]*["']?einvoice["']?[ \t]*[.=]"""
                   r"""|^[ \t]*["']?tool["']?[ \t]*=[^\n]*\beinvoice\b""", re.M | re.S)


_BOM = b"\xef\xbb\xbf"


def _read(p: Path, name: str) -> str | None:
    """The text of configuration file ``p``; None when there is none, or (pyproject.toml) when it is not
    ours. A file that is there but cannot be read or decoded is a :class:`ConfigError` naming it, never
    passed over: its settings would silently not apply."""
    from .xmlsafe import read_head

    ours = name == "einvoice.toml"
    try:
        raw = read_head(p, MAX_BYTES + 1)
    except UnreadableInput as exc:  # (a pyproject.toml that cannot be read: whether it configures us is not known)
        if not ours and exc.reason.startswith(("a symbolic link", "it is")):
            return None  # (a link to nothing, a folder: no configuration anyone reads)
        said = f": {exc.reason}" if exc.reason.startswith("it is") else f" ({exc.reason})"
        raise ConfigError(f"cannot read the configuration{said}", str(p)) from None
    if raw is None:
        return None
    # a UTF-8 byte order mark before the first line (Windows editors write one) is dropped: TOML asks for UTF-8,
    # which may begin with it, and tomllib read it as a character ("Invalid statement (at line 1, column 1)");
    # the [tool.einvoice] header of a pyproject.toml right after it was not seen, and its settings not applied
    body = raw[len(_BOM):] if raw.startswith(_BOM) else raw
    head = body[:MAX_BYTES].decode("utf-8", "replace")
    if not ours and not _MAY_CONFIGURE.search(head):
        return None
    if len(raw) > MAX_BYTES:  # read no more than that: a configuration is a few lines
        if ours or _OURS.search(head):
            raise ConfigError(f"over {MAX_BYTES} bytes", str(p))
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        if ours or _OURS.search(head):
            raise ConfigError("not UTF-8 text", str(p)) from None
        return None


def load(start: str | None = None) -> PolicyConfig:
    """The policy configuration nearest to ``start`` (default: the working folder as it is at the call).

    Read again whenever a configuration file on the way up was added, removed or changed (its size or time of
    change): a long-running process sees an edited, new or removed einvoice.toml (a broken one is an error) at its
    next call, as a new process would; kept otherwise (a few stat calls per call)."""
    from .xmlsafe import working_folder

    folder = str(Path(start or working_folder()).resolve())  # (a folder deleted under the process: its former name)
    return _load(folder, _stamps(Path(folder)))


def _stamps(folder: Path) -> tuple:
    """What identifies the configuration files from ``folder`` upwards as they are now: (path, size, time of
    change, inode) of each that exists."""
    out = []
    for d in (folder, *folder.parents):
        for name in ("einvoice.toml", "pyproject.toml"):
            p = os.path.join(d, name)
            try:
                st = os.stat(p)
            except (OSError, ValueError):
                continue
            out.append((p, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    return tuple(out)


@functools.lru_cache(maxsize=64)
def _load(start: str, stamps: tuple = ()) -> PolicyConfig:  # (stamps: the cache's key only)
    folder = Path(start)
    for d in (folder, *folder.parents):
        found = []  # (file, its table): the configurations in this folder
        for name in ("einvoice.toml", "pyproject.toml"):
            p = d / name
            text = _read(p, name)
            if text is None:
                continue
            import tomllib

            try:
                data = tomllib.loads(text)
            except (ValueError, RecursionError) as exc:  # TOMLDecodeError is a ValueError
                if name == "einvoice.toml" or _OURS.search(text):
                    why = ("not valid TOML (nested too deeply)" if isinstance(exc, RecursionError) else
                           f"not valid TOML ({exc})")
                    raise ConfigError(why, str(p)) from None
                continue  # a broken pyproject.toml that does not configure einvoice is its own tool's business
            table = _table(data, name)
            if table is not None:  # (an empty table, an empty einvoice.toml: the defaults, and no search upwards)
                found.append((p, table))
        if len(found) > 1:  # (which one applies would be a guess: one of them would be silently ignored)
            raise ConfigError(f"two configurations in one folder, this file and {found[1][0]} ([tool.einvoice]): "
                              f"keep one", str(found[0][0]))
        if found:
            return parse(found[0][1], str(found[0][0]))
    return PolicyConfig()


load.cache_clear = _load.cache_clear  # (the tests, and a caller whose configuration files changed)


def policy_of(doc) -> PolicyConfig:
    """The policy configuration of a rule run on ``doc`` (its evaluation context's), else the nearest file's."""
    ctx = getattr(doc, "context", None)
    if ctx is not None and ctx.config is not None:
        return ctx.config
    cache = doc.__dict__.setdefault("_cache", {})
    if "policy" not in cache:
        cache["policy"] = load()
    return cache["policy"]


def today_of(doc):
    """Today's date as the evaluation context of a rule run on ``doc`` states it."""
    from datetime import date

    ctx = getattr(doc, "context", None)
    return ctx.today if ctx is not None and ctx.today is not None else date.today()


def apply_config(findings, config=None):
    """Drop switched-off policy findings and apply configured severities (in place, order kept): the house policy as
    configured ([tool.einvoice] rules)."""
    from .rules.engine import Severity

    cfg = config or load()
    if not cfg.rules:
        return findings
    out = []
    for f in findings:
        setting = cfg.severity_of(f.rule) if f.rule.startswith("EINV-") else None
        if setting == "off":
            continue
        if setting in ("fatal", "error", "warning", "info"):
            f.severity = Severity(setting)
        out.append(f)
    return out
