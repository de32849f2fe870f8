"""Exceptions the library raises on purpose. Each carries a one-line, human reason."""

from __future__ import annotations

import contextlib
import errno
import re
from typing import Callable

# control characters (NEL, U+0085, among the C1), the line and paragraph separators U+2028 / U+2029 (a line end to
# Python's splitlines, JavaScript and many log viewers), lone surrogates, and the marks that reorder text on a terminal
# (bidirectional marks, embeddings, overrides and isolates: an account number shown backwards), each shown escaped
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def one_line(text: object, limit: int | None = 400) -> str:
    """``text`` as one printable line: line breaks and control characters become spaces or escapes,
    lone surrogates (file names that are not UTF-8) become ``\\xNN``, and the length is bounded (``limit``;
    None: not bounded). What a document says, printed this way, cannot add a line of its own to a report."""
    s = str(text)
    s = " ".join(s.split())  # every run of white space (line breaks included) is one space
    if _CONTROL.search(s):
        s = _CONTROL.sub(lambda m: _escape(m.group()), s)
    if limit is not None and len(s) > limit:
        s = s[: limit - 3].rstrip() + "..."
    return s


def printable(text: object) -> str:
    """``text`` (e.g. a file name) with control characters and undecodable bytes shown as ``\\xNN``."""
    s = str(text)
    return _CONTROL.sub(lambda m: _escape(m.group()), s) if _CONTROL.search(s) else s


def _escape(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that os.fsdecode could not decode (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def size_hint(reason: str) -> str:
    """A reason saying an input is over the size limit, with the option that raises it (the commands that read take
    --max-size); any other reason as it is."""
    if "over the limit" in reason and "--max-size" not in reason:
        return f"{reason} (raise it with --max-size)"
    return reason


def not_installed(exc: ImportError, package: str) -> bool:
    """Whether an ImportError says the package is not installed, not that it is there and could not be loaded (a shared
    library the system could not map under a memory limit: said as a want of memory, never as a package missing)."""
    return isinstance(exc, ModuleNotFoundError) and (exc.name or "").partition(".")[0] == package


class EinvoiceError(Exception):
    """Base of every deliberate error."""

    def __reduce__(self) -> tuple:
        # pickled as it is (class, args, attributes), not by calling the class with its args, which are the message,
        # not the arguments its __init__ takes: an error out of a worker of a process pool came back broken (no
        # ConversionRefused: the pool's result thread died), or as a message of one "finding" per character
        return _rebuilt, (type(self), self.args, self.__dict__)


def _rebuilt(cls: type, args: tuple, state: dict) -> BaseException:
    """An error of einvoice's as it was pickled (see EinvoiceError.__reduce__)."""
    exc = cls.__new__(cls, *args)
    if isinstance(exc, OSError):  # (its errno and strerror are read from the args by OSError's own __init__)
        OSError.__init__(exc, *args)
    exc.args = args
    exc.__dict__.update(state)
    return exc


class UnreadableInput(EinvoiceError):
    """The input cannot be read as an invoice (not XML, unsafe XML, unknown root, empty ...)."""

    def __init__(self, reason: str, path: str | None = None):
        self.reason = one_line(reason)
        self.path = path  # (as given; the message shows it on one line, bounded: a name with a line break, or text
        # given where a file name belongs, made a message of many lines)
        super().__init__(f"{_shown_path(path)}: {self.reason}" if path else self.reason)


def _shown_path(path: object, limit: int = 300) -> str:
    s = printable(path)
    return s if len(s) <= limit else s[: limit - 3] + "..."


class BuildRefused(EinvoiceError):
    """A build did not pass validation; ``findings`` lists every reason. No file was written."""

    HEAD = "invoice refused"
    SHOWN = 10  # findings its text names (``findings`` holds them all)

    def __init__(self, findings: list):
        self.findings = list(findings)
        self.dropped: list[str] = []  # a conversion's: what the target does not hold of the source (see api.convert)
        n = len(self.findings)
        # (the text names the findings, a line each: uncaught, or logged as str(exc), it said a count only)
        lines = [f"{self.HEAD}: {n} finding{'s' if n != 1 else ''}"]
        lines += [f"  {getattr(f, 'rule', '?')}: {one_line(str(getattr(f, 'message', f)))}" for f in self.findings[:self.SHOWN]]
        if n > self.SHOWN:
            lines.append(f"  ... and {n - self.SHOWN} more (the exception's findings list them all)")
        super().__init__("\n".join(lines))


class SourceInvalid(BuildRefused):
    """A conversion's source does not validate: ``findings`` are the source's own blocking findings (converting it
    would issue the same errors in another syntax, or mask them). Nothing was converted."""

    HEAD = "the source does not validate, nothing converted"


class CannotWrite(EinvoiceError, OSError):
    """An output file that cannot be written (a folder, no permission, a missing folder it may not make, a full disk,
    a name the system refuses): its path and the system's reason, on one line; nothing was written. An OSError too,
    with the system's errno, as the error of writing it directly would be."""

    def __init__(self, path: object, exc: BaseException):
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__  # (the system's words)
        if isinstance(exc, UnicodeError):
            reason = "the name cannot be written in the file system's encoding"
        elif isinstance(exc, ValueError):
            reason = "the name holds a NUL character" if "null" in str(exc) else str(exc)
        self.path, self.reason = path, one_line(reason)
        super().__init__(getattr(exc, "errno", None), self.reason)  # (.errno, .strerror as an OSError has them)

    def __str__(self) -> str:
        return f"{_shown_path(self.path)}: cannot write the output ({self.reason}); nothing written"


class InvalidModelInput(EinvoiceError):
    """Build input (JSON/YAML) that does not fit the model: one line per problem. ``findings``: what a build would
    refuse besides in the rest of the input (each naming its field, also a line of the text), so that one round
    shows every mistake; empty where the rest cannot be judged without the fields refused (an amount, a line)."""

    def __init__(self, *args: object, findings: list | None = None):
        super().__init__(*args)
        self.findings = list(findings or ())


class ModelInputError(InvalidModelInput, ValueError):
    """A model class constructed with values that do not fit it (``Price(net_amount="9_50")``): one line per problem,
    ``Class.field: what is expected, not what was given``, as ``build()`` words its input's. A ValueError too, as
    pydantic's own error (which the model classes raised before) is."""


# the errors of an output that has no room (a full disk, a quota, a file size limit): the output's failure, said as
# such (one line, exit 2), never a refusal of the invoice nor an error of einvoice's
NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def raise_interruption(exc: BaseException) -> None:
    """Raise the exception a Python signal handler raised (a time limit: Celery's SoftTimeLimitExceeded, an alarm's)
    when ``exc`` is it or came of it: it is the caller's, and an ``except Exception`` that judges a value, reads a PDF
    object or words a message must not take it for a wrong IBAN, a damaged object or a figure it cannot give (see
    :func:`einvoice.rules.engine.interrupted`). Nothing otherwise."""
    from .rules.engine import interrupted

    found, seen, at = None, 0, exc
    while at is not None and seen < 8 and interrupted(at):  # (the deepest of the chain a handler raised)
        found, at, seen = at, at.__cause__ or at.__context__, seen + 1
    if found is not None:
        raise found


def raise_outside(exc: BaseException) -> None:
    """:func:`raise_interruption`, and a MemoryError raised again: the want of memory is the run's, not a value's or an
    object's fault."""
    if isinstance(exc, MemoryError):
        raise exc
    raise_interruption(exc)


@contextlib.contextmanager
def termination_handled(handler: Callable[[int], None]):
    """SIGTERM and SIGHUP (a CI job's time limit, a closed terminal) given to ``handler(signum)`` while the block runs;
    the handlers they had are put back after. Only where the signal would end the process unhandled (a handler of the
    caller's, or the signal ignored, stays as it is) and in the main thread, where Python runs signal handlers;
    elsewhere, and where the interpreter gives no handler, as before."""
    import signal
    import threading

    before: dict = {}
    if threading.current_thread() is threading.main_thread():
        try:
            for signum in [getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]:
                if signal.getsignal(signum) is signal.SIG_DFL:
                    before[signum] = signal.signal(signum, lambda signum, _frame: handler(signum))
        except (ValueError, OSError):
            pass
    try:
        yield
    finally:
        for signum, old in before.items():
            signal.signal(signum, old)


def end_by(signum: int) -> None:
    """End the process by the signal, as it would have ended unhandled."""
    import os
    import signal

    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
