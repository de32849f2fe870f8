"""Exceptions the library raises on purpose. Each carries a one-line, human reason."""

from __future__ import annotations


class EinvoiceError(Exception):
    """Base of every deliberate error."""


class UnreadableInput(EinvoiceError):
    """The input cannot be read as an invoice (not XML, unsafe XML, unknown root, empty ...)."""

    def __init__(self, reason: str, path: str | None = None):
        self.reason = reason
        self.path = path
        super().__init__(f"{path}: {reason}" if path else reason)


class BuildRefused(EinvoiceError):
    """A build did not pass validation; ``findings`` lists every reason. No file was written."""

    def __init__(self, findings: list):
        self.findings = list(findings)
        n = len(self.findings)
        super().__init__(f"invoice refused: {n} finding{'s' if n != 1 else ''}")


class InvalidModelInput(EinvoiceError):
    """Build input (JSON/YAML) that does not fit the model."""
