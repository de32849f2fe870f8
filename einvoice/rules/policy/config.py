"""Configuration of the house policy: ``[tool.einvoice]`` in pyproject.toml or ``einvoice.toml``.

    [tool.einvoice]            # in einvoice.toml the table is [einvoice] or top level
    due-days = 30              # longest payment term accepted (days after issue)
    consumer-due-days = 14     # term for consumer invoices (buyer without VAT id / org number)
    require-late-interest = false

    [tool.einvoice.rules]      # per rule: "off", or a severity: "error" | "warning" | "info"
    EINV-P-005 = "off"
    EINV-P-001 = "error"

The nearest file upwards from the working folder wins; without one, defaults apply.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class PolicyConfig:
    due_days: int = 30
    consumer_due_days: int | None = None
    require_late_interest: bool = False
    rules: dict[str, str] = field(default_factory=dict)  # rule id -> "off" | severity
    source: str | None = None

    def severity_of(self, rule: str) -> str | None:
        return self.rules.get(rule)


def _table(data: dict, filename: str) -> dict | None:
    if filename == "pyproject.toml":
        return data.get("tool", {}).get("einvoice")
    return data.get("einvoice", data.get("tool", {}).get("einvoice", data))


def parse(data: dict, source: str | None = None) -> PolicyConfig:
    def get(name, default):
        return data.get(name, data.get(name.replace("-", "_"), default))

    rules = {str(k): str(v).lower() for k, v in (data.get("rules") or {}).items()}
    consumer = get("consumer-due-days", None)
    return PolicyConfig(
        due_days=int(get("due-days", 30)),
        consumer_due_days=int(consumer) if consumer is not None else None,
        require_late_interest=bool(get("require-late-interest", False)),
        rules=rules,
        source=source,
    )


@functools.lru_cache(maxsize=None)
def load(start: str | None = None) -> PolicyConfig:
    """The policy configuration nearest to ``start`` (default: the working folder)."""
    folder = Path(start or Path.cwd()).resolve()
    for d in (folder, *folder.parents):
        for name in ("einvoice.toml", "pyproject.toml"):
            p = d / name
            if p.is_file():
                try:
                    data = tomllib.loads(p.read_text(encoding="utf-8"))
                except (OSError, tomllib.TOMLDecodeError):
                    continue
                table = _table(data, name)
                if table:
                    return parse(table, str(p))
    return PolicyConfig()
