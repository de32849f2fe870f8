"""The ``einvoice`` command: build, validate, convert, show, conformance.

Exit codes: 0 success / valid, 1 refused / invalid (findings listed), 2 unreadable
input or wrong usage. A deliberate error is one line on stderr
``einvoice: <file>: <reason>``, never a traceback. Heavy modules are imported
inside the commands so that ``einvoice --help`` starts fast.
"""

from __future__ import annotations

import io
import re
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from .cli_pdf import LANG_NAMES, MAX_SIZE_HELP, OutputPath, max_size_option, timeout_option  # a light module: click commands, heavy imports inside them
from .errors import NO_ROOM, one_line, size_hint  # (a light module: errno and re only)

# kept here (not imported from einvoice.profiles) for a fast start; a test checks they agree
PROFILE_NAMES = ["auto", "en16931", "peppol", "ehf", "facturx-minimum", "facturx-basicwl",
                 "facturx-basic", "facturx-en16931", "facturx-extended", "xrechnung", "xrechnung-extension"]
FORMAT_NAMES = ["ehf", "peppol", "cii", "facturx-minimum", "facturx-basicwl", "facturx-basic",
                "facturx-en16931", "facturx-extended", "xrechnung-ubl", "xrechnung-cii"]

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def _printable(text) -> str:
    """A file name or value in a line of ours: control characters as ``\\xNN``, and nothing a CI log runs as a
    workflow command (:func:`einvoice.output.log_safe`)."""
    from .errors import printable
    from .output import log_safe

    return log_safe(printable(text))


def _say_error(path, exc) -> None:
    """One line per problem on stderr: ``einvoice: <file>: <reason>``."""
    reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
    path = getattr(exc, "path", None) or path
    path = _printable(path) if path else path
    prefix = f"einvoice: {path}: " if path else "einvoice: "
    ctx = click.get_current_context(silent=True)
    raisable = ctx is not None and any(p.name == "max_size" for p in ctx.command.params)
    for line in str(reason).splitlines() or [""]:
        if path and line.startswith(f"{path}: "):
            line = line[len(path) + 2:]
        click.echo(_log_safe(prefix + (size_hint(line) if raisable else line)), err=True)


_LOG_KIND = {"json": "json", "sarif": "json", "junit": "xml"}  # a report format -> how log_safe escapes it


def _log_safe(text: str, kind: str = "text") -> str:
    from .output import log_safe

    return log_safe(text, kind)


def _finding_line(f, indent: str = "  ") -> str:
    where = []
    if f.line:
        where.append(f"line {f.line}")
    if f.xpath:
        where.append(f.xpath)
    # (a message quotes the document's values: one line each, whatever they hold)
    text = _log_safe(f"{indent}{f.severity.value.upper():<7} {f.rule}: {one_line(f.message, None)}")
    if where:
        text += f"\n{indent}        at {one_line(', '.join(where), None)}"
    if f.hint:
        text += f"\n{indent}        hint: {one_line(f.hint, None)}"
    return text


class _UsageLine(click.ClickException):
    """A misused command (an unknown option, a value out of its choices, a missing argument) said in one line on
    stderr, exit status 2, as every other refusal: click's usage banner took three lines before it."""

    exit_code = 2

    def __init__(self, exc: click.UsageError, ctx: click.Context | None = None):
        if exc.ctx is not None:
            cmd = exc.ctx.command_path
        else:  # (an option's missing value, found by the parser, comes without the subcommand's context)
            sub = getattr(ctx, "invoked_subcommand", None)
            cmd = f"{ctx.command_path} {sub}" if ctx is not None and sub else ctx.command_path if ctx else "einvoice"
        super().__init__(f"{cmd}: {exc.format_message()} (see {cmd} --help)")

    @staticmethod
    def of(exc: click.UsageError, ctx: click.Context | None = None) -> click.ClickException:
        """The one line, but for the group's help that a call without arguments shows (as a usage error, exit 2)."""
        return exc if isinstance(exc, getattr(click.exceptions, "NoArgsIsHelpError", ())) else _UsageLine(exc, ctx)

    def show(self, file=None) -> None:
        from .errors import one_line

        click.echo(one_line(self.message, None), err=True)


class _Guarded(click.Group):
    """The command group: an unexpected exception is one line on stderr (exit 2), not a traceback
    (EINVOICE_DEBUG=1 shows it); a closed standard output (``| head``) ends the command quietly."""

    def invoke(self, ctx):
        import errno
        import os

        for name in ("stdout", "stderr"):  # started with one closed (>&-, 2>&-): what goes there is not shown,
            stream = getattr(sys, name)  # the exit status still tells (for the rest of the process)
            if stream is None:
                setattr(sys, name, open(os.devnull, "w"))  # noqa: SIM115
                continue
            if name == "stderr" and not isinstance(stream, _Unfailing):  # (a full disk under it: see _Unfailing)
                stream = sys.stderr = _Unfailing(stream)
            if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
                # an output encoding that lacks a character of the document (€ or Greek under latin-1 or cp1252, a
                # Windows pipe's ANSI code page): shown as \u20ac, as Python's stderr does; it lost the whole report
                try:
                    stream.reconfigure(errors="backslashreplace")
                except (ValueError, OSError, io.UnsupportedOperation):  # (a stream that cannot: left as it is)
                    pass
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a write error of the last output is this command's, not the interpreter's at exit
            return result
        except click.UsageError as exc:  # (a subcommand's arguments, read here)
            raise _UsageLine.of(exc, ctx) from None
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            try:
                sys.stdout.flush()
            except BrokenPipeError:
                _quiet_stdout()
            except OSError as exc:
                _cannot_write(exc)
            raise
        except BrokenPipeError:
            _quiet_stdout()
            sys.exit(EXIT_UNREADABLE)
        except KeyboardInterrupt:  # (Ctrl-C, as a batch says it: not click's "Aborted!" with the exit status of findings)
            _interrupted()
        except OSError as exc:
            if exc.errno not in NO_ROOM | {errno.EBADF} or os.environ.get("EINVOICE_DEBUG"):
                return self._internal(exc)
            _cannot_write(exc)
        except Exception as exc:  # noqa: BLE001 - the promise: one line, never a traceback
            if not os.environ.get("EINVOICE_DEBUG") and (_after_memory_error(exc) or _near_memory_limit()):
                _out_of_memory()  # (under a memory limit, ulimit -v: said as such, not as an error of ours)
            self._internal(exc)

    def make_context(self, *args, **kwargs) -> click.Context:
        import errno

        try:  # (the arguments are read before invoke: Ctrl-C there said "Aborted!", exit status 1)
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            raise _UsageLine.of(exc) from None
        except KeyboardInterrupt:
            _interrupted()
        except BrokenPipeError:  # (--help, --version read by '| head')
            _quiet_stdout()
            sys.exit(EXIT_UNREADABLE)
        except OSError as exc:  # (--help or --version written to a full disk: one line, as any output, not a traceback)
            if exc.errno not in NO_ROOM | {errno.EBADF}:
                raise
            _cannot_write(exc)

    @staticmethod
    def _internal(exc: Exception) -> None:
        import os

        if os.environ.get("EINVOICE_DEBUG"):
            raise exc
        from .errors import one_line

        click.echo(f"einvoice: internal error: {type(exc).__name__}: {one_line(exc, 200)} "
                   "(please report it; EINVOICE_DEBUG=1 shows where)", err=True)
        sys.exit(EXIT_UNREADABLE)


class _Unfailing:
    """Standard error whose writes cannot fail: on a full disk (2>/dev/full, a log file's disk) the one-line reason of an
    unreadable file failed to be written, then the handler's own line, and the interpreter ended with status 1 (the
    status of findings) where the command's is 2. What cannot be written there is lost, as with 2>&-; the status tells."""

    def __init__(self, stream: object):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError:
            self._lost()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError:
            self._lost()

    def _lost(self) -> None:
        import os

        self._stream = open(os.devnull, "w")  # noqa: SIM115 - for the rest of the process

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def _colours_wanted() -> bool:
    """Whether a terminal may be given colours: not with NO_COLOR set (no-color.org) nor on a dumb terminal."""
    import os

    return not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _out_of_memory() -> None:
    click.echo("einvoice: not enough memory for this command: the document needs more than this process may use "
               "(a limit such as ulimit -v or a container's)", err=True)
    sys.exit(EXIT_UNREADABLE)


def _after_memory_error(exc: BaseException) -> bool:
    """Whether an exception came of a MemoryError (raised while handling one, or from one): a value a failed
    allocation left unset (None where a model was read) is the want of memory, not an error of einvoice's."""
    seen = 0
    while exc is not None and seen < 16:
        if isinstance(exc, MemoryError):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _near_memory_limit() -> bool:
    """Whether the process came within a tenth of its address space limit (ulimit -v): there an allocation that failed
    in compiled code may surface as another error (a value left None, 'returned NULL without setting an exception')."""
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
        if limit == resource.RLIM_INFINITY or limit <= 0:
            return False
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            peak = next((int(line.split()[1]) * 1024 for line in f if line.startswith("VmPeak:")), 0)
        return peak >= 0.9 * limit
    except (ImportError, OSError, ValueError, IndexError):
        return False


@contextmanager
def _cursor_shown_on_termination():
    """While the progress bar has hidden the terminal's cursor: SIGTERM or SIGHUP (a job's time limit, a closed
    terminal) first clears the bar's line and shows the cursor again on standard error, then ends the process by the
    signal as before (errors.termination_handled)."""
    import os

    from .errors import end_by, termination_handled

    def shown(signum: int) -> None:
        try:
            os.write(2, b"\r\x1b[2K\x1b[?25h")  # (the bar is shown only where standard error is a terminal)
        except OSError:
            pass
        end_by(signum)

    with termination_handled(shown):
        yield


def _interrupted() -> None:
    """Ctrl-C: one line and exit status 130, wherever in a command it comes. A second Ctrl-C meanwhile (or one the
    handler delivered again) is ignored from here on: raised while the process ended, it escaped and the process
    ended killed by SIGINT, not with status 130 (a caller that is no shell saw -2), after the line was written."""
    import signal

    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ValueError, OSError):  # (not the main thread: nothing to ignore there)
        pass
    click.echo("einvoice: interrupted", err=True)
    sys.exit(130)


def _quiet_stdout() -> None:
    """Nothing more goes to standard output (closed by a reader, or full): the interpreter's own flush at exit
    finds nothing left to write."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the rest of the process


def _cannot_write(exc: OSError) -> None:
    """The output cannot be written (a full disk): one line, exit 2; what was written is not complete. A write
    error naming no file is standard output's (standard error's own are not reported: see _Unfailing)."""
    _quiet_stdout()
    where = f" to {exc.filename}" if getattr(exc, "filename", None) else " to standard output"
    click.echo(f"einvoice: cannot write the output{where}: {exc.strerror or exc}", err=True)
    sys.exit(EXIT_UNREADABLE)


def _show_version(ctx: click.Context, _param, value: bool) -> None:
    """--version: the package version and the rule releases in force."""
    if not value or ctx.resilient_parsing:
        return
    from . import __version__  # not the distribution's metadata: it is named einvoice-kit
    from .rules import releases

    click.echo(f"einvoice {__version__}")
    for fam, ver in releases.defaults().items():
        rel = releases.release(fam, ver)
        others = [v for v in releases.versions(fam) if v != ver]
        click.echo(f"  {rel.title} (in force, {_rule_count(rel)})" + (f"; also {', '.join(others)}" if others else ""))
    from . import speedups

    click.echo(f"  rule engine: {speedups.status()[0]}")
    ctx.exit()


def _rule_count(rel) -> str:
    ubl, cii = len(rel.official_ids("ubl")), len(rel.official_ids("cii"))
    if not (ubl or cii) and rel.family == "facturx":  # rules per profile: the ones this release runs, over the five
        from .rules.engine import Context
        from .rules.facturx import RULES

        context = Context.default({"facturx": rel.version})
        return f"{sum(1 for r in RULES if r.meta_in(context) is not None)} rules over its five profiles"
    return f"{ubl} rules in UBL, {cii} in CII" if ubl or cii else f"{rel.rule_count()} rules"


def _parse_rules(_ctx, _param, values: tuple[str, ...]) -> dict[str, str] | None:
    """--rules FAMILY=VERSION (repeatable, or comma-separated): checked against schemas/releases/."""
    if not values:
        return None
    from .rules import releases

    if not any(v.strip(" ,") for v in values):  # ('', ',' or ' ' applied the releases in force without a word)
        raise click.BadParameter("no release named: give FAMILY=VERSION (einvoice rules lists them)")
    try:
        chosen = releases.parse(",".join(values))  # (a family named twice with two releases: refused)
        releases.select(chosen)
    except releases.UnknownRelease as exc:
        raise click.BadParameter(str(exc)) from None
    return chosen


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
              help="show the version and the rule releases in force, then exit")
def main() -> None:
    """Build and validate EHF / Peppol BIS Billing 3.0 (UBL) and Factur-X / ZUGFeRD (CII) invoices, offline.

    \b
    Examples:
      einvoice build samples/ehf-invoice.yaml -f ehf -o out/ehf-invoice.xml
      einvoice validate invoices/ --policy
      einvoice show out/ehf-invoice.xml
      einvoice render out/ehf-invoice.xml -o out/ehf-invoice-page.pdf
    Each command has its own examples: einvoice COMMAND --help
    """
    import gc

    # a command-line process: the modules loaded so far live until it exits; kept out of the cyclic
    # collector's walks (a cold validation allocates thousands of rule objects, each walk visited them all)
    gc.freeze()


# --- build ---------------------------------------------------------------------------


@main.command()
@click.argument("input", type=click.Path(path_type=Path, readable=False))
@click.option("--format", "-f", "fmt", required=True, type=click.Choice(FORMAT_NAMES), help="output format")
@click.option("--output", "-o", type=OutputPath(),
              help="XML file to write (optional with --pdf)")
@click.option("--policy", is_flag=True, help="also apply the house policy (EINV-P-*): refuse what a clerk would reject")
@click.option("--allow-lossy", is_flag=True,
              help="issue even when the format cannot carry fields the input gives (each dropped field is listed)")
@click.option("--pdf", type=OutputPath(), default=None,
              help="write a Factur-X PDF/A-3 (needs a facturx-* format, or xrechnung-cii: ZUGFeRD's XRECHNUNG level)")
@click.option("--lang", type=click.Choice(LANG_NAMES), default=None, help="language of the PDF page (with --pdf)")
@click.option("--max-lines", type=click.IntRange(min=1), default=None, metavar="N",
              help="with --pdf: the most invoice lines (with allowances and charges) the page is laid out for, "
                   "default 5,000; a longer invoice is refused before its layout")
def build(input: Path, fmt: str, output: Path | None, policy: bool = False, pdf: Path | None = None,
          lang: str | None = None, allow_lossy: bool = False, max_lines: int | None = None) -> None:
    """Build an invoice from a YAML/JSON file; refuse (exit 1) if it is not fit to issue.

    Totals and the VAT breakdown are computed when absent; stated ones that disagree
    are refused. Nothing is written unless the result passes XSD and the profile's rules.
    With --pdf the build writes a Factur-X PDF/A-3 (and the XML too when -o is given).

    \b
    Examples:
      einvoice build samples/ehf-invoice.yaml -f ehf -o out/ehf-invoice.xml
      einvoice build samples/ehf-invoice.yaml -f ehf -o out/ehf-invoice.xml --policy
      einvoice build samples/facturx-en16931.yaml -f facturx-en16931 --pdf out/facturx.pdf
    """
    refuse_overwrite(output, input)
    refuse_overwrite(pdf, input, output)
    if policy:
        _check_config()
    if pdf is not None:
        from .cli_pdf import build_pdf, refuse_other_kind

        refuse_other_kind("--pdf", pdf)
        build_pdf(input, fmt, output, pdf, lang, policy=policy, allow_lossy=allow_lossy, max_lines=max_lines)
        return
    if output is None:
        click.echo("einvoice: build: give -o OUT.xml and/or --pdf OUT.pdf", err=True)
        sys.exit(EXIT_UNREADABLE)
    if lang is not None:  # (the XML has no language of its own: said, not passed over)
        _usage_error("--lang", "sets the language of the PDF page: it needs --pdf OUT.pdf (the XML has no page)")
    if max_lines is not None:
        _usage_error("--max-lines", "limits the lines of the PDF page: it needs --pdf OUT.pdf (the XML has no page)")
    from . import xsd
    from .build import build_file
    from .cli_pdf import unwritable
    from .errors import BuildRefused, CannotWrite, EinvoiceError

    xsd.one_document()  # the written document is the one validated: its UBL schema set compiled for it alone

    existed = _is(output, Path.exists)
    try:
        report = build_file(input, fmt, output, policy=policy, allow_lossy=allow_lossy)
    except BuildRefused as exc:
        refused(input, exc, older=output if existed else None)
        sys.exit(EXIT_INVALID)
    except CannotWrite as exc:  # (the output's error, said as any command says it)
        unwritable(output, exc)
    except EinvoiceError as exc:
        _say_error(input, exc)
        if existed:
            click.echo(f"einvoice: nothing written; {_older(output)}", err=True)
        sys.exit(EXIT_UNREADABLE)
    except OSError as exc:
        unwritable(output, exc)
    wrote(str(output), f"{fmt}, profile {report.profile}", report.warnings)


def _check_config() -> None:
    """A configuration file with unknown keys or values stops the command: one line, exit 2."""
    from .errors import EinvoiceError
    from .config import load

    try:
        load()
    except EinvoiceError as exc:
        _say_error(None, exc)
        sys.exit(EXIT_UNREADABLE)


def _older(older) -> str:
    """What a refusal says of the files already at its output paths (one path, or a list of them)."""
    files = [older] if isinstance(older, (str, Path)) else list(older)
    if len(files) == 1:
        return f"the older file {files[0]} is left as it was and is not this invoice"
    return f"the older files {' and '.join(map(str, files))} are left as they were and are not this invoice"


def refused(path, exc, what: str = "refused", older=None) -> None:
    """The refusal line and every blocking finding, together on stderr (``older``: a file, or a list of
    files, already at the output paths, which the refusal leaves as they were)."""
    n = sum(1 for f in exc.findings if f.severity.blocking)  # (and the warnings that explain them: dropped fields)
    kept = f" ({_older(older)})" if older else ""
    click.echo(f"einvoice: {path}: {what}, {n} blocking finding{'s' if n != 1 else ''}; nothing written{kept}", err=True)
    for f in exc.findings:
        click.echo(_finding_line(f), err=True)


def wrote(what: str, detail: str, warnings, before: list | None = None) -> None:
    """The success line of a build, its warnings counted, then each finding (``before``: errors a forced result
    has, said first) on its line (on standard error, as a conversion's notes: a script reading standard output for
    what was written gets that line alone)."""
    click.echo(f"wrote {_printable(what)} ({detail}"
               + (f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else "") + ")")
    for f in [*(before or ()), *warnings]:
        click.echo(_finding_line(f), err=True)


# --- validate -----------------------------------------------------------------------


MAX_SIZE_LIMIT = 1 << 40  # the largest --max-size accepted (1 TiB)


def _usage_error(option: str, message: str):
    """A bad option value: one line on stderr, exit 2, naming the command as click's own usage errors do (_UsageLine)."""
    ctx = click.get_current_context(silent=True)
    cmd = "einvoice" + (ctx.command_path[len(ctx.find_root().command_path):] if ctx is not None else "")
    click.echo(f"{cmd}: {option}: {message} (see {cmd} --help)", err=True)
    sys.exit(EXIT_UNREADABLE)


def _parse_size(text: str) -> int:
    """Bytes from a size such as 50MB, 200k, 1.5g or 1000000; ValueError with the reason otherwise."""
    from decimal import Decimal, InvalidOperation

    units = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024 ** 2, "mb": 1024 ** 2, "g": 1024 ** 3, "gb": 1024 ** 3}
    t = text.strip().lower()
    num = t.rstrip("kmgb").strip()
    unit = t[len(t.rstrip("kmgb")):]
    try:
        value = Decimal(num) * units[unit]
        if not value.is_finite():
            raise InvalidOperation
    except (InvalidOperation, KeyError, ValueError):
        raise ValueError(f"{text!r} is no size (e.g. 50MB, 200k, 1000000)") from None
    if value < 1:
        raise ValueError(f"{text!r} is less than one byte")
    if value > MAX_SIZE_LIMIT:
        raise ValueError(f"{text!r} is more than the largest size accepted (1 TiB)")
    return int(value)


def _parse_seconds(text: str, option: str) -> float | None:
    """Seconds from an option (0 or 'none': no limit)."""
    import math

    t = text.strip().lower().removesuffix("s").strip()
    if t in ("0", "none", "off"):
        return None
    try:
        value = float(t)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0 or value > 7 * 24 * 3600:
        _usage_error(option, f"{text!r} is no number of seconds (e.g. 60, 2.5; 0 for no limit)")
    return value


def _same_file(a: Path | str | None, b: Path | str | None) -> bool:
    """Whether two paths name the same file (existing or not)."""
    if a is None or b is None:
        return False
    from .xmlsafe import same_path

    return same_path(a, b)


def _is(path: Path, test) -> bool:
    """``test(path)`` (Path.exists, Path.is_dir), False where the name itself cannot be looked up
    (too long, a loop of links): the read or write that follows says why in one line."""
    try:
        return test(path)
    except (OSError, ValueError):
        return False


def label(source) -> str | Path:
    """How a source is named in messages (``-`` is standard input)."""
    return "<stdin>" if str(source) == "-" else source


def from_stdin(source: Path) -> Path | bytes:
    """``-`` as the source of show, render, convert and extract: standard input, read no further than
    the size limit (an unreadable input is one line, exit 2); any other source as it is."""
    if str(source) != "-":
        return source
    from .errors import UnreadableInput
    from .xmlsafe import read_limited

    if sys.stdin is None:  # (started with standard input closed)
        click.echo("einvoice: <stdin>: standard input is closed", err=True)
        sys.exit(EXIT_UNREADABLE)
    try:
        return read_limited(sys.stdin.buffer, None, "<stdin>")  # (the limit in force: --max-size)
    except UnreadableInput as exc:
        _say_error("<stdin>", exc)
        sys.exit(EXIT_UNREADABLE)
    except OSError as exc:
        click.echo(f"einvoice: <stdin>: cannot read standard input ({exc.strerror or exc})", err=True)
        sys.exit(EXIT_UNREADABLE)


def _stdin_is(output: Path | None) -> bool:
    """Whether standard input is redirected from the file ``output`` names."""
    import os
    import stat

    if output is None:
        return False
    try:
        here = os.fstat(sys.stdin.fileno())
        there = os.stat(output)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return False
    return stat.S_ISREG(here.st_mode) and (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def refuse_overwrite(output: Path | None, *inputs: Path | str | None) -> None:
    """Exit 2 with one line when an output would overwrite an input."""
    for source in inputs:
        if source is not None and str(source) == "-" and _stdin_is(output):  # ('- -o a.xml < a.xml')
            click.echo(f"einvoice: {_printable(output)}: the output is the file standard input reads; refused "
                       "(choose another output file)", err=True)
            sys.exit(EXIT_UNREADABLE)
        if source is not None and str(source) != "-" and _same_file(output, source):
            click.echo(f"einvoice: {_printable(output)}: the output is the input file {_printable(source)}; refused "
                       "(choose another output file)", err=True)
            sys.exit(EXIT_UNREADABLE)


def write_output(path: Path, data: bytes | str) -> None:
    """Write a command's output file in one step (temporary file + rename: no partial file is left);
    an output that cannot be written is one line on stderr and exit 2."""
    from .cli_pdf import write_out

    write_out(path, data)


@contextmanager
def _collector_paused_for_one_file(inputs: list[str]):
    """One document: the cyclic collector stays paused for the whole command. Validation pauses it
    anyway; the first collection after it walked everything the first document had loaded and
    compiled (rule tables, plans: about 10 ms, none of it garbage). At the end what is left is
    frozen (no collection walks it on the way out) and the collector runs again."""
    import gc

    pause = len(inputs) == 1 and (inputs[0] == "-" or _is(Path(inputs[0]), Path.is_file)) and gc.isenabled()
    if pause:
        gc.disable()
    try:
        yield pause
    finally:
        if pause:
            gc.freeze()
            gc.enable()


_GIT_ESCAPES = {ord("\\"): 0x5C, ord('"'): 0x22, ord("a"): 0x07, ord("b"): 0x08, ord("t"): 0x09, ord("n"): 0x0A,
                ord("v"): 0x0B, ord("f"): 0x0C, ord("r"): 0x0D}


def _git_unquote(line: bytes) -> bytes | None:
    """The name git wrote in C-style quotes (core.quotePath: ``"faktura-\\303\\270.xml"``, escapes
    ``\\\\ \\" \\t \\n`` ..., a byte as ``\\ooo``); None when ``line`` is not such a quoted name."""
    if len(line) < 2 or line[:1] != b'"' or line[-1:] != b'"':
        return None
    out = bytearray()
    body, i = line[1:-1], 0
    while i < len(body):
        c = body[i]
        if c == 0x22:  # (an unescaped quote inside: not git's quoting)
            return None
        if c != 0x5C:
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1:i + 2]
        if nxt and nxt[0] in _GIT_ESCAPES:
            out.append(_GIT_ESCAPES[nxt[0]])
            i += 2
        elif len(octal := body[i + 1:i + 4]) == 3 and octal[0] in b"0123" and all(d in b"01234567" for d in octal):
            out.append(int(body[i + 1:i + 4], 8))
            i += 4
        else:
            return None
    return bytes(out)


def _files_from_names(raw: bytes) -> list[str]:
    """The paths of a --files-from list: one a line, or NUL-separated (``git diff -z``, ``find -print0``);
    a byte order mark is dropped (UTF-16 with one is decoded), and a line in git's C-style quotes is
    unquoted (git quotes a name with non-ASCII characters unless core.quotePath is false)."""
    import os

    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # (UTF-16 with its mark: PowerShell 5's '>')
        try:
            raw = os.fsencode(raw.decode("utf-16"))
        except (UnicodeDecodeError, UnicodeEncodeError):
            _usage_error("--files-from", "the list starts with a UTF-16 byte order mark but is not UTF-16 text")
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    if control := _LIST_CONTROL.search(raw):  # (3 MB of random bytes held '/' between NULs: the disk was walked)
        _usage_error("--files-from", f"the list is no list of paths (a control character, byte {control[0][0]:#04x}, "
                                     f"at byte {control.start() + 1}): give one path a line, or paths separated by NUL")
    if b"\0" in raw:  # names as given, not quoted (a blank line at the end is no name)
        return [os.fsdecode(name) for name in raw.split(b"\0") if name.strip()]
    names = []
    for line in raw.splitlines():
        line = line.strip()
        if line:
            unquoted = _git_unquote(line)
            names.append(os.fsdecode(line if unquoted is None or not unquoted else unquoted))
    return names


_LIST_CONTROL = re.compile(rb"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")  # (none in a name git or find lists)


def _read_files_from(name: str) -> list[str]:
    """The paths of --files-from (a file, a pipe or - for standard input), read no further than 16 MB."""
    import os
    import stat

    limit = 16 * 1024 * 1024
    try:
        if name == "-":
            if sys.stdin is None:
                _usage_error("--files-from", "standard input is closed")
            raw = sys.stdin.buffer.read(limit + 1)
        else:
            st = os.stat(name)
            if not (stat.S_ISREG(st.st_mode) or stat.S_ISFIFO(st.st_mode)) and not (
                    (st.st_dev, st.st_ino) == (os.fstat(0).st_dev, os.fstat(0).st_ino)):
                _usage_error("--files-from", f"{name} is not a regular file or a pipe")
            with open(name, "rb") as fh:
                raw = fh.read(limit + 1)
    except OSError as exc:
        _usage_error("--files-from", f"cannot read {name} ({exc.strerror or exc})")
    if len(raw) > limit:
        _usage_error("--files-from", f"{name} is longer than {limit // (1024 * 1024)} MB")
    return _files_from_names(raw) if raw else []


def _listed_inputs(names: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """The listed paths to validate, and those skipped by reason: not found (a file the change deleted or
    renamed), or not an invoice's name (neither .xml nor .pdf, and no folder). A path that exists but cannot
    be looked at, or a link to nothing, is validated, so that it is reported unreadable with its reason."""
    import errno
    import os
    import stat

    inputs: list[str] = []
    skipped: dict[str, list[str]] = {}
    for name in names:
        try:
            is_dir, gone = stat.S_ISDIR(os.stat(name).st_mode), False
        except (OSError, ValueError) as exc:  # (a link to nothing is not gone: its reason is said)
            is_dir = False
            gone = getattr(exc, "errno", None) in (errno.ENOENT, errno.ENOTDIR) and not os.path.islink(name)
        if is_dir:
            inputs.append(name)
        elif Path(name).suffix.lower() not in (".xml", ".pdf"):
            skipped.setdefault("neither .xml nor .pdf", []).append(name)
        elif gone:
            skipped.setdefault("not found", []).append(name)
        else:
            inputs.append(name)
    return inputs, skipped


def _skipped_note(listed: int, skipped: dict[str, list[str]]) -> str:
    """How many listed paths were skipped, and why (the first that was not found named)."""
    n = sum(map(len, skipped.values()))
    reasons = "; ".join(f"{len(names)} {why}" + (f", e.g. {_printable(names[0])}" if why == "not found" else "")
                        for why, names in sorted(skipped.items(), key=lambda item: item[0] == "not found"))
    return f"{n} of the {listed} listed path{'s' if listed != 1 else ''} skipped ({reasons})"


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=str, readable=False))
@click.option("--profile", "-p", default="auto", show_default=True, type=click.Choice(PROFILE_NAMES),
              help="rules to apply; auto picks them from the specification identifier (BT-24)")
@click.option("--no-schema", is_flag=True, help="skip XML Schema (XSD) validation (judge fragments by their rules)")
@click.option("--policy", is_flag=True, help="also apply the house policy (EINV-P-*, configured in [tool.einvoice])")
@click.option("--format", "out_format", default="text", show_default=True,
              type=click.Choice(["text", "json", "junit", "sarif"]))
@click.option("--output", "-o", "output", type=OutputPath(stdout=True),
              help="write the report to this file instead of standard output (-: standard output)")
@click.option("--fail-on", default="error", show_default=True, type=click.Choice(["error", "warning", "never"]),
              help="lowest severity that makes the exit code 1")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, help="parallel workers (default: all cores)")
@click.option("--files-from", help="read paths from this file, one per line or NUL-separated ('-': stdin), "
              "e.g. the output of git diff --name-only (git's quoted names are read); listed paths that no "
              "longer exist or are neither .xml nor .pdf are skipped, and counted on stderr")
@click.option("--skip-other-xml", is_flag=True,
              help="an XML file whose root is no invoice's (a pom.xml, a configuration) is skipped, not an error, and "
                   "a run that finds no invoice exits 0: for lists of changed files (pre-commit; --files-from implies it)")
@click.option("--max-size", default="50MB", show_default=True, help=MAX_SIZE_HELP)
@click.option("--timeout", default="60", show_default=True, help="seconds of validation per file (0: no limit)")
@click.option("--max-findings", default=1000, show_default=True, type=click.IntRange(min=0),
              help="findings listed per file (0: all)")
@click.option("--quiet", "-q", is_flag=True, help="text format: list only files with findings, and the summary")
@click.option("--rules", "rules", multiple=True, callback=_parse_rules, metavar="FAMILY=VERSION",
              help="apply another rule release than the one in force, e.g. --rules peppol=3.0.20 "
                   "(see einvoice rules)")
def validate(files: tuple[str, ...], profile: str, no_schema: bool, policy: bool, out_format: str,
             output: Path | None, fail_on: str, jobs: int, files_from, max_size: str, quiet: bool,
             rules: dict[str, str] | None = None, timeout: str = "60", max_findings: int = 1000,
             skip_other_xml: bool = False) -> None:
    """Validate invoices: files, folders (recursive), globs or - (stdin).

    UBL, CII and Factur-X/ZUGFeRD PDFs are recognised by content. Exit 0 clean,
    1 findings at or above --fail-on, 2 when a file is unreadable, a folder or the files named hold no invoice
    (without --skip-other-xml), or a usage error.

    \b
    Examples:
      einvoice validate invoice.xml
      einvoice validate invoices/ --policy -q            # findings and the summary line only
      einvoice validate invoice.pdf --fail-on warning     # warnings fail too (exit 1)
      einvoice validate invoices/ --format sarif -o einvoice.sarif
      git diff --name-only | einvoice validate --files-from -
    """
    import os
    import time

    from . import batch, output as formats

    batch.quiet_memory_unraisables()  # (files checked in this process too: one, or where no worker can start)
    try:
        max_bytes = _parse_size(max_size)
    except ValueError as exc:
        _usage_error("--max-size", str(exc))
    seconds = _parse_seconds(timeout, "--timeout")
    inputs = [str(f) for f in files]
    refuse_overwrite(output, *inputs)
    if files_from is not None:
        listed = _read_files_from(files_from)
        found, skipped = _listed_inputs(listed)
        inputs += found
        note = _skipped_note(len(listed), skipped) if skipped else None
        if not inputs:  # (a change that touched no invoice: nothing to judge, and said so with what was skipped)
            click.echo("einvoice: no invoice files to validate" + (
                f": {note}" if note else " (the list names no file)"), err=True)
            if out_format != "text" or output is not None:  # (an empty report all the same: the CI step that
                # uploads the SARIF or reads the JUnit file finds one, as on a change with invoices)
                empty = batch.summarize([], 0.0)
                text = (formats.FORMATS[out_format]([], empty) if out_format != "text" else
                        formats.to_text([], empty, color=False, summary_always=True, all_results=[]).lstrip("\n"))
                text = _log_safe(text, _LOG_KIND.get(out_format, "text"))
                if output is not None:
                    write_output(output, text + "\n")
                else:
                    click.echo(text)
            sys.exit(EXIT_OK)
        if note:  # never silently
            click.echo(f"einvoice: --files-from: {note}", err=True)
    if not inputs:
        raise click.UsageError("give at least one file, folder, glob or - (stdin)")
    if inputs.count("-") > 1:  # (the second read found it at its end: '<stdin>: empty file')
        _usage_error("FILES", "standard input (-) is named more than once; it can be read once")
    _check_config()
    with _collector_paused_for_one_file(inputs) as one:
        if one and not no_schema:  # its UBL schema set compiled for that document alone (a quicker start)
            from . import xsd

            xsd.one_document()
        changes = skip_other_xml or files_from is not None  # a list of changed files: other XML is no mistake
        opts = batch.Options(profile=profile, schema=not no_schema, policy=policy, max_bytes=max_bytes,
                             rules=rules, timeout=seconds, max_findings=max_findings or None,
                             other_xml_skipped=changes)
        started = time.perf_counter()
        progress_bar = None
        show_progress = sys.stderr.isatty() and out_format == "text" or (sys.stderr.isatty() and output is not None)
        try:
            if show_progress and len(inputs) > 1 or (show_progress and any(_is(Path(i), Path.is_dir) for i in inputs)):
                from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

                from rich.console import Console

                # on standard error, which the choice above looked at (standard output carries the report)
                progress_bar = Progress(TextColumn("validating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                        transient=True, console=Console(file=sys.stderr, stderr=True))
            if progress_bar is not None:
                with progress_bar, _cursor_shown_on_termination():
                    task = progress_bar.add_task("validate", total=None)
                    results = batch.run(inputs, opts, jobs=jobs or os.cpu_count() or 1,
                                        progress=lambda _r: progress_bar.advance(task))
            else:
                results = batch.run(inputs, opts, jobs=jobs or os.cpu_count() or 1)
        except KeyboardInterrupt:
            _interrupted()
        for r in results:
            if r.status == batch.STATUS_UNREADABLE:
                click.echo(_log_safe(f"einvoice: {_printable(r.path)}: {r.reason}"), err=True)
        nothing = batch.no_invoice(results)
        if nothing and changes:  # (changed files none of which is an invoice: nothing to judge, no failure)
            click.echo(f"einvoice: no invoice among the {len(results)} file(s): nothing to validate", err=True)
        elif nothing:
            why = f"no invoice among the {len(results)} file(s) found: every one was skipped"
            click.echo(f"einvoice: {why}", err=True)
            # the failure in the report too (JSON, JUnit, SARIF, a report file), not on stderr alone: a CI system reading
            # the report saw skipped files only while the run exited 2; each input searched in vain is unreadable, as a
            # folder holding no file is
            results = results + [batch.FileResult(item, batch.STATUS_UNREADABLE, reason=why)
                                 for item in dict.fromkeys(inputs)]
        elif not changes:  # a folder or pattern whose files were all skipped, beside inputs that held invoices: its own
            # failure (a CI job's folder of invoices exported under another name passed beside a folder that held some)
            for item, n in batch.searched_in_vain(inputs, results):
                why = f"no invoice among the {n} file(s) found in it: every one was skipped"
                click.echo(f"einvoice: {_printable(item)}: {why}", err=True)
                results = results + [batch.FileResult(item, batch.STATUS_UNREADABLE, reason=why)]
        summary = batch.summarize(results, time.perf_counter() - started)
        if out_format == "text":
            color = output is None and sys.stdout.isatty() and _colours_wanted()
            shown = [r for r in results if not quiet or r.findings or  # (-q: a skipped file, which has none, counted
                     r.status not in (batch.STATUS_VALID, batch.STATUS_SKIPPED)]  # in the summary line only)
            if output is None and _one_destination():  # (said on stderr above, where the report goes too: not twice; a
                # report file, or a standard output led elsewhere (> report.txt), names them too: it is the whole report)
                shown = [r for r in shown if r.status != batch.STATUS_UNREADABLE]
            text = formats.to_text(shown, summary, color=color, summary_always=quiet, all_results=results)
        else:
            text = formats.FORMATS[out_format](results, summary)
        text = _log_safe(text, _LOG_KIND.get(out_format, "text"))
        if output is not None:
            # (an input found in a folder or by a pattern: refused as one named; a file skipped as no invoice, a
            # previous run's JUnit report say, is the caller's to replace)
            refuse_overwrite(output, *(r.path for r in results if r.status != batch.STATUS_SKIPPED and r.path != "<stdin>"))
            write_output(output, text + "\n")
        elif text:
            click.echo(text)
        sys.exit(EXIT_OK if nothing and changes else batch.exit_code(results, fail_on))


def _one_destination() -> bool:
    """Whether standard output and standard error go to one place (a terminal, or one file: ``> f 2>&1``)."""
    import os

    try:
        out, err = os.fstat(sys.stdout.fileno()), os.fstat(sys.stderr.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):  # (not a file: a test's capture, a closed one)
        return sys.stdout.isatty() and sys.stderr.isatty()
    return (out.st_dev, out.st_ino) == (err.st_dev, err.st_ino)


# --- convert ------------------------------------------------------------------------

NOTES_SHOWN = 20  # lines of convert's note shown without --all-notes


@main.command()
@click.argument("source", type=click.Path(path_type=Path, readable=False))
@click.option("--to", "to", required=True, type=click.Choice(["ubl", "cii"]), help="target syntax")
@click.option("--profile", "target_profile", default=None,
              type=click.Choice(["peppol", "ehf", "minimum", "basicwl", "basic", "en16931", "extended"]),
              help="UBL: peppol or ehf (Peppol BIS Billing 3.0 identifiers; refused when the source lacks "
                   "terms Peppol needs). CII: the Factur-X profile (default: the source's, else en16931)")
@click.option("--output", "-o", required=True, type=OutputPath())
@click.option("--force", is_flag=True, help="write the result even if it (or the source) does not validate; a target that "
              "has no place for a term the source states, or needs one it lacks, is refused all the same, naming it")
@click.option("--all-notes", is_flag=True, help=f"list every term not carried over or supplied (else the first {NOTES_SHOWN})")
@timeout_option("60")
@max_size_option
def convert(source: Path, to: str, target_profile: str | None, output: Path, force: bool, all_notes: bool) -> None:
    """Convert an invoice between UBL and CII through the semantic model (validating the result);
    - reads standard input.

    UBL output keeps the source's specification identifier unless --profile peppol|ehf asks
    for Peppol BIS Billing 3.0 (a Factur-X or ZUGFeRD one, naming a CII profile, becomes
    EN 16931's own); CII output is the source's Factur-X profile (its guideline
    identifier kept; XRechnung stays XRechnung), else Factur-X EN16931; --profile names
    the Factur-X profile to write. Exit status 0 written, 1 refused (the result would
    not validate, or the source does not, or the target needs terms the source lacks; nothing written),
    2 unreadable input.

    \b
    Examples:
      einvoice convert out/ehf-invoice.xml --to cii -o out/ehf-invoice-cii.xml
      einvoice convert factur-x.xml --to ubl -o invoice-ubl.xml
      einvoice convert factur-x.xml --to ubl --profile peppol -o invoice-peppol.xml
    """
    from .api import convert_report
    from .errors import BuildRefused, EinvoiceError, SourceInvalid
    from .syntax.convert import UBL_PROFILES, ConversionRefused, facturx_label

    if target_profile is not None and (to == "ubl") != (target_profile in UBL_PROFILES):
        click.echo(f"einvoice: --profile {target_profile} does not apply to --to {to}", err=True)
        sys.exit(EXIT_UNREADABLE)
    refuse_overwrite(output, source)
    try:
        dropped: list[str] = []
        added: list[str] = []
        data, report = convert_report(from_stdin(source), to, force=force, profile=target_profile, dropped=dropped,
                                      supplied=added)
    except BuildRefused as exc:
        what = ("the source does not validate; nothing converted (use --force to convert it anyway)"
                if isinstance(exc, SourceInvalid) else
                "the converted document does not validate; nothing written (use --force to write anyway); "
                "the lines below are those of the converted document")
        n = len(exc.findings)
        click.echo(f"einvoice: {_printable(source)}: {what} ({n} error{'s' if n != 1 else ''}):", err=True)
        for f in exc.findings:
            click.echo(_finding_line(f))
        target = facturx_label(target_profile) if to == "cii" and target_profile else to.upper()
        _notes(exc.dropped, f"the source states what {target} does not hold (the errors above may follow from it)",
               all_notes)
        sys.exit(EXIT_INVALID)
    except ConversionRefused as exc:  # readable, but the target needs what the source lacks: refused, as a build is
        _say_error(label(source), exc)
        if force:  # (a forced result may fail the rules; it never lacks, or loses, a term in silence)
            click.echo("einvoice: --force writes a result that does not validate, not one without a term the target "
                       "needs or with a term it cannot hold: nothing written", err=True)
        sys.exit(EXIT_INVALID)
    except EinvoiceError as exc:
        _say_error(label(source), exc)
        sys.exit(EXIT_UNREADABLE)
    write_output(output, data)
    errors, warnings = report.errors, report.warnings  # (said as a build says them: counted, then each on its line)
    wrote(output, f"{to.upper()}, profile {report.profile}, "
          + ("valid" if report.valid else f"{len(errors)} error{'s' if len(errors) != 1 else ''}"), warnings, errors)
    for notes, heading in ((dropped, f"not carried over (outside EN 16931, or not held by {to.upper()}, where no other reason is given)"),
                           (added, f"supplied (needed by {to.upper()}, or worked out from the source; "
                                   "the source does not state it)")):
        _notes(notes, heading, all_notes)


def _notes(notes: list[str], heading: str, all_notes: bool) -> None:
    """A conversion's notes, never silent: what the source says that the result does not, and the other way round."""
    if not notes:
        return
    click.echo(f"einvoice: note: {heading}:", err=True)
    shown = notes if all_notes or len(notes) <= NOTES_SHOWN else notes[:NOTES_SHOWN - 1]
    from .basics import clipped

    for line in shown:  # (a value quoted in full: a 2 MB identifier made a line of 2 MB)
        click.echo(f"  {_printable(clipped(line, 400))}", err=True)
    if len(shown) < len(notes):
        click.echo(f"  ... and {len(notes) - len(shown)} more (--all-notes lists them all)", err=True)


# --- show ---------------------------------------------------------------------------


def _money(amount, currency: str | None = None) -> str:
    """An amount with two decimals, or as many as it states beyond them (an invalid 989.705 is not shown 989.70)."""
    if amount is None or amount.value is None:
        return "-"
    exponent = amount.value.as_tuple().exponent
    places = min(max(2, -exponent), 40) if isinstance(exponent, int) else 2
    return f"{amount.value:,.{places}f} {amount.currency_id or currency or ''}".strip().replace(",", " ")


def _party(p) -> str:
    from .model.invoice import party_name

    if p is None:
        return "-"
    bits = [_glance(party_name(p) or "(no name)")]
    if p.legal_registration_id and p.legal_registration_id.value:
        bits.append(f"reg. {_glance(p.legal_registration_id.value)}")
    if p.vat_id:
        bits.append(f"VAT {_glance(p.vat_id)}")
    if p.address and (p.address.city or p.address.country_code):
        bits.append(", ".join(_glance(x) for x in (p.address.city, p.address.country_code) if x))
    return _Joined(" | ".join(bits))


def _payments(inv) -> list:
    """How the invoice asks to be paid: its payment means, and what a CII settlement states for the document
    outside them (without any means: a reference, mandate or creditor identifier; a mandate and creditor
    identifier when no means is a direct debit), last, as an entry of its own (no means code)."""
    return [*inv.payment_means, *(m for m in (inv.payment_without_means,) if m is not None and _states_any(m))]


def _states_any(m) -> bool:
    """Whether the document's payment terms outside its means state anything: an empty ram:PaymentReference or
    ram:DirectDebitMandateID is read (the rules see the element), and gave a payment row saying nothing."""
    dd = m.direct_debit
    return any((v or "").strip() for v in (m.remittance_information, dd and dd.mandate_reference, dd and dd.creditor_id))


def _no_request(inv) -> str | None:
    """Why the document asks for no payment, in words (as the rendered page reads it), or None when it asks for one."""
    from .render.render import no_payment_asked

    return {"accounting": "invoice information for accounting purposes (type 751), not a payment request",
            "credit": "a credit note: credited to the buyer, not a payment request",
            "owed": "negative: the seller owes the buyer, not a payment request",
            "paid": "nothing to pay"}.get(no_payment_asked(inv))


def _preceding(p) -> str:
    """A preceding invoice reference (BG-3) in words: its number and issue date."""
    number = _glance(" ".join((p.reference or "").split()) or "-")
    return _Joined(f"{number} ({p.issue_date})" if p.issue_date else number)


def _how_to_pay(m) -> str:
    """One payment means in words: its name, accounts with BIC (a Swedish giro named as such), reference."""
    from .render.i18n import means_name
    from .refs import GIRO

    code = " ".join((m.code or "").split()) or None  # (a code as a reader sees it, as show's JSON gives it: '\n 1' is 1)
    code = code and _glance(code)
    name = means_name(code, "en") or (m.text and _glance(m.text))
    bits = [f"{name} ({code})" if name and code else name or (f"means {code}" if code else "means -")]
    dd, card = m.direct_debit, m.card
    for ct in m.credit_transfers:
        provider = (ct.service_provider_id or "").strip()
        giro = GIRO.get(provider.upper())
        if ct.account_id:
            bits.append(f"{giro or 'account'} {_glance(ct.account_id)}" + (f" (BIC {_glance(provider)})" if provider and not giro else ""))
        elif provider and not giro:
            bits.append(f"BIC {_glance(provider)}")
    if dd is not None:
        bits.append(f"direct debit of account {_glance(dd.debited_account_id or '-')}, mandate "
                    f"{_glance(dd.mandate_reference or '-')}, creditor id {_glance(dd.creditor_id or '-')}")
    if card is not None:
        bits.append(f"card {_glance(card.primary_account_number or '-')}")
    if len(bits) == 1:
        bits.append("account -")
    return _Joined(", ".join(bits + [f"reference {_glance(m.remittance_information or '-')}"]))


def _show_json(path: str, doc) -> dict:
    """What ``show`` says, as data (amounts as decimal strings, dates ISO 8601, absent values null)."""
    inv = doc.invoice
    t = inv.totals

    def amount(a):
        return None if a is None or a.value is None else f"{a.value:f}"

    def text(value):  # white space as a reader sees it (a name over two lines of the XML is one name)
        return " ".join(value.split()) or None if isinstance(value, str) else value

    from .model.invoice import party_name

    def party(p):
        if p is None:
            return None
        a = p.address
        return {"name": text(party_name(p)),
                "registration": text(p.legal_registration_id.value) if p.legal_registration_id else None,
                "vat_id": text(p.vat_id), "city": text(a.city) if a else None, "country": text(a.country_code) if a else None}

    contact = inv.seller.contact if inv.seller else None

    def day(d):
        return d.isoformat() if d else None

    return {
        "path": path, "kind": "credit-note" if inv.is_credit else "invoice", "number": text(inv.number),
        "type_code": text(inv.type_code), "syntax": doc.syntax.value, "issue_date": day(inv.issue_date),
        "due_date": day(inv.due_date), "payment_terms": inv.payment_terms, "currency": text(inv.currency_code),
        "seller": party(inv.seller), "buyer": party(inv.buyer), "payee": party(inv.payee),
        "seller_contact": None if contact is None else {"name": text(contact.name), "telephone": text(contact.telephone),
                                                        "email": text(contact.email)},
        "customer_number": [text(i.value) for i in (inv.buyer.identifiers if inv.buyer else []) if text(i.value)],
        "buyer_reference": text(inv.buyer_reference), "order_reference": text(inv.purchase_order_reference),
        "preceding_invoices": [{"number": text(p.reference), "issue_date": day(p.issue_date)} for p in inv.preceding_invoices],
        "lines": len(inv.lines),
        "tax_currency": text(inv.tax_currency_code),
        "totals": {"net": amount(t.tax_exclusive_amount) if t else None,
                   "vat": amount(inv.vat_total.tax_amount) if inv.vat_total else None,
                   "vat_accounting": amount(inv.vat_total_accounting.tax_amount) if inv.vat_total_accounting else None,
                   "total": amount(t.tax_inclusive_amount) if t else None,
                   "prepaid": amount(t.prepaid_amount) if t else None,
                   "rounding": amount(t.rounding_amount) if t else None,
                   "amount_due": amount(t.payable_amount) if t else None},
        "payment_requested": _no_request(inv) is None,
        "payment": [{"means": text(m.code), "accounts": [text(ct.account_id) for ct in m.credit_transfers if text(ct.account_id)],
                     "credit_transfers": [{"account": text(ct.account_id), "bic": text(ct.service_provider_id),
                                           "account_name": text(ct.account_name)} for ct in m.credit_transfers],
                     "reference": text(m.remittance_information),
                     "direct_debit": None if m.direct_debit is None else {
                         "debited_account": text(m.direct_debit.debited_account_id),
                         "mandate": text(m.direct_debit.mandate_reference), "creditor_id": text(m.direct_debit.creditor_id)},
                     "card": None if m.card is None else text(m.card.primary_account_number)}
                    for m in _payments(inv)],
    }


def errors_in_words(errors: list) -> str:
    """A validation's blocking findings (gravest first) in a few words: how many, and the first with its line, as
    ``show`` and ``render`` say them."""
    first = errors[0]
    return (f"{len(errors)} error{'s' if len(errors) != 1 else ''}, the first {first.rule}"
            f"{f' at line {first.line}' if first.line else ''}")


def _validation_json(errors: list) -> dict:
    """``show --format json``'s validation: whether the document passes, its error count and first error."""
    first = errors[0] if errors else None  # (gravest first)
    return {"valid": first is None, "errors": len(errors),
            "first_error": None if first is None else {"rule": first.rule, "line": first.line, "message": first.message}}


@main.command()
@click.argument("source", type=click.Path(path_type=Path, readable=False))
@click.option("--format", "out_format", default="text", show_default=True, type=click.Choice(["text", "json"]),
              help="text for people, json for programs (keys below)")
@timeout_option("60")
@max_size_option
def show(source: Path, out_format: str = "text") -> None:
    """Show an invoice at a glance: number, dates, parties, totals, how to pay (- reads standard input).

    JSON keys: path, kind (invoice | credit-note), number, type_code, syntax,
    issue_date, due_date, payment_terms, currency, seller, buyer, payee (the
    party paid, when another than the seller; each: name, registration, vat_id,
    city, country), seller_contact (name, telephone, email), customer_number,
    buyer_reference, order_reference, preceding_invoices (number, issue_date: the
    invoices a credit note credits or a corrective invoice corrects), lines,
    tax_currency (the VAT accounting
    currency), totals (net, vat, vat_accounting: the VAT total in the
    accounting currency, total, prepaid, rounding, amount_due; amounts as
    decimal strings), payment_requested (false for a credit note, unless its amount
    due is below zero: in the seller's favour, and for nothing or less than nothing
    due; payment then still lists what the document states, which the
    text leaves out: a credit note's account is where a refund may go, not one to
    pay to), payment (one per payment means: means, accounts,
    credit_transfers: account, bic, account_name; reference, direct_debit:
    debited_account, mandate, creditor_id; card: the card number as given;
    last, with means null, what a CII document states outside its means: a
    reference without any means, a mandate and creditor id that no means is
    a direct debit for), validation (valid, errors: how many, first_error: rule,
    line, message; as einvoice validate judges it, profile detected: a value the
    reader could not read, a date that is no date, shows as - / null).

    \b
    Examples:
      einvoice show out/ehf-invoice.xml
      einvoice show invoice.pdf --format json
    """
    from . import syntax
    from .errors import EinvoiceError
    from .model.invoice import credit_owed, no_payment_asked

    try:
        doc = syntax.load(from_stdin(source))
    except EinvoiceError as exc:
        _say_error(label(source), exc)
        sys.exit(EXIT_UNREADABLE)
    inv = doc.invoice
    from .validate import validation_errors

    errors = validation_errors(doc)  # (a value the reader could not read shows as '-': said why, below)
    if out_format == "json":
        import json

        data = _show_json(str(label(source)), doc)
        data["validation"] = _validation_json(errors)
        from .output import _cleaned

        click.echo(_log_safe(json.dumps(_cleaned(data), indent=2, ensure_ascii=False), "json"))  # (a file name's bytes
        # that are no UTF-8: \xNN)
        return
    t = inv.totals
    vat = inv.vat_total
    cur = inv.currency_code
    kind = inv.kind_name
    buyer_ids = ", ".join(_glance(i.value) for i in (inv.buyer.identifiers if inv.buyer else []) if i.value) or None
    why = _no_request(inv)  # (nothing asked: no due date, account or reference to pay to, as on the page)
    rows = [
        (kind, f"{inv.number or '-'}  (type {inv.type_code or '-'}, {doc.syntax.value.upper()})"),
        ("Issue date", inv.issue_date),
        ("Due date", inv.due_date if why is None else None if inv.due_date is None or no_payment_asked(inv) == "accounting"
         else f"{inv.due_date} ({'refund' if no_payment_asked(inv) in ('credit', 'owed') else 'nothing to pay'})"),
        # (a stated date is kept, said what it is: a refund's date; a type 751 document is no payment at all)
        ("Payment terms", " / ".join(x.strip() for x in inv.payment_terms.splitlines() if x.strip())
         if inv.payment_terms else None),  # (a line each, blank ones and white space at their ends left out: one row)
        ("Seller", _party(inv.seller)),
        *((("Payee", _Joined(f"{_party(inv.payee)} (paid instead of the seller)")),) if inv.payee is not None else ()),
        ("Buyer", _party(inv.buyer)),
        ("Customer number", _Joined(" / ".join(x for x in (f"buyer id {buyer_ids}" if buyer_ids else None,
                                                           f"buyer reference {_glance(inv.buyer_reference)}"
                                                           if inv.buyer_reference else None) if x) or "-")),
        ("Order reference", inv.purchase_order_reference),
        *((("Preceding invoice", _Joined(" / ".join(_preceding(p) for p in inv.preceding_invoices))),)
          if inv.preceding_invoices else ()),  # (what a credit note credits, or an invoice corrects: BG-3)
        ("Lines", len(inv.lines)),
        ("Net total", _money(t.tax_exclusive_amount, cur) if t else "-"),
        ("VAT", _money(vat.tax_amount, cur) if vat else "-"),
        *((("VAT in accounting currency", _money(acc.tax_amount, inv.tax_currency_code)),)
          if (acc := inv.vat_total_accounting) is not None else ()),
        ("Total", _money(t.tax_inclusive_amount, cur) if t else "-"),
        ("Amount due", (_money(t.payable_amount, cur) if t else "-") + (f" ({why})" if why else "" if not credit_owed(inv)
                       else " (a credit note in the seller's favour: the buyer pays the amount without its sign)")),
    ]
    contact = inv.seller.contact if inv.seller else None
    rows.append(("Seller contact", _Joined(", ".join(_glance(x) for x in (contact.name, contact.telephone, contact.email) if x))
                 if contact else None))
    for m in _payments(inv) if why is None else ():
        if m is inv.payment_without_means:  # (what a CII settlement states outside any means: rows of their own)
            if not inv.payment_means and m.remittance_information:  # (the document's reference, BT-83)
                rows.append(("Payment", _Joined(f"reference {_glance(m.remittance_information)} (it states no payment means)")))
            if (dd := m.direct_debit) is not None and ((dd.mandate_reference or "").strip() or (dd.creditor_id or "").strip()):
                # (a mandate no means is a direct debit for, or without any means)
                why_own = "none of its payment means is a direct debit" if inv.payment_means else "it states no payment means"
                rows.append(("Direct debit", _Joined(f"mandate {_glance(dd.mandate_reference or '-')}, creditor id "
                                                     f"{_glance(dd.creditor_id or '-')} "
                                                     f"(the document's: {why_own})")))
        else:
            rows.append(("Payment", _how_to_pay(m)))
    if why is not None or not _payments(inv):
        rows.append(("Payment", "- (not a payment request)" if why and why != "nothing to pay" else "-"))
    rows.append(("Validation", f"does not pass: {errors_in_words(errors)} (einvoice validate lists every error)"
                 if errors else "passes"))
    width = max(len(k) for k, _ in rows)
    for k, v in rows:  # (a value is the document's text: one line, whatever it holds, so it cannot add a row)
        shown = one_line(v, None) if isinstance(v, _Joined) else _glance(one_line(v, None))  # (each value cut, not the row)
        click.echo(_log_safe(f"{k + ':':<{width + 1}} {'-' if v is None or v == '' else shown}"))


SHOW_MAX_TEXT = 5_000  # characters of one value in show's text (as on the page; --format json gives it whole)


class _Joined(str):
    """A row of show's text joined from several values, each already cut by :func:`_glance` (a value within the bound
    is shown whole beside the others: a seller name of 4,990 characters hid the organisation number and VAT id)."""


def _glance(text: str) -> str:
    """A value as show's text prints it: whole up to SHOW_MAX_TEXT characters, else cut there and the rest counted."""
    return text if len(text) <= SHOW_MAX_TEXT else f"{text[:SHOW_MAX_TEXT]}… (+{len(text) - SHOW_MAX_TEXT:,})"


# --- conformance --------------------------------------------------------------------


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def conformance(args: tuple[str, ...]) -> None:
    """Scoreboard against the official conformance tests: einvoice conformance [DIR] [options].

    DIR defaults to ../shared/conformance. Options: --only TEXT, --rule ID, -v, --no-golden,
    --no-units, --json (see einvoice conformance --help).

    \b
    Examples:
      einvoice conformance ../shared/conformance
      einvoice conformance ../shared/conformance --rule BR-CO-15 -v
    """
    from .conformance import main as run

    try:
        code = run(list(args))
    except SystemExit as exc:  # argparse usage errors / --help
        code = exc.code if isinstance(exc.code, int) else EXIT_UNREADABLE
    sys.exit(code)


@main.command("rules")
def rules_command() -> None:
    """List the rule releases (the one in force first), their rule counts, and what each profile runs.

    \b
    Examples:
      einvoice rules                                      # releases, rule counts, layers per profile
      einvoice validate invoice.xml --rules peppol=3.0.20  # then validate against a listed release
    """
    from .profiles import PROFILES
    from .rules import releases

    defaults = releases.defaults()
    of_profile = {name: dict(releases.select(profile=name)) for name in PROFILES}  # (XRechnung: KoSIT's CEN release)
    click.echo("Rule releases:")
    for fam in releases.families():
        for ver in reversed(releases.versions(fam)):
            rel = releases.release(fam, ver)
            since = f"since {rel.in_force}, " if rel.in_force else ""
            mark = (f"  (in force {since}default)" if defaults.get(fam) == ver
                    else f"  ({'from ' + rel.in_force + '; ' if rel.in_force else ''}--rules {fam}={ver})")
            bundles = [f"peppol={v}" for v in releases.versions("peppol") if fam == "en16931" and
                       str(releases.release("peppol", v).param("en16931", default="")) == ver]
            mark += f", and with --rules {' or '.join(bundles)}" if bundles and defaults.get(fam) != ver else ""
            profiles = [p for p, chosen in of_profile.items() if defaults.get(fam) != ver and chosen.get(fam) == ver]
            mark += f", and with {' and '.join(f'-p {p}' for p in profiles)}" if profiles else ""
            click.echo(f"  {rel.title}: {_rule_count(rel)}{mark}")
    click.echo("")
    click.echo("Profiles (layers run, and the releases they come from):")
    for name, prof in PROFILES.items():
        fams = list(dict.fromkeys(f for f in (releases.family_of_layer(layer) for layer in prof.layers) if f))
        names = ", ".join(releases.release(f, of_profile[name][f]).title for f in fams)
        click.echo(f"  {name:<18} {' + '.join(prof.layers)}  [{names}]")


@main.command("speedups")
@click.option("--status", is_flag=True, help="only say what is compiled and in use")
@click.option("--force", is_flag=True, help="compile even where the compiled modules are current")
@click.option("--remove", is_flag=True, help="delete the compiled modules (the source runs then)")
def speedups_command(status: bool, force: bool, remove: bool) -> None:
    """Compile the rule engine's modules to C with Cython (needs a C compiler and the Python headers).

    The same source, compiled: validation takes less CPU, the verdicts stay the same. A module edited after
    it was compiled runs from its source until compiled again; EINVOICE_PURE=1 runs every one from source.

    \b
    Examples:
      einvoice speedups            # compile where needed (scripts/venv does)
      einvoice speedups --status
      einvoice speedups --remove   # run from source again
    """
    from . import speedups

    if remove:
        sys.exit(speedups.remove())
    if status:
        click.echo("\n".join(speedups.status()))
        return
    sys.exit(speedups.main(force))


from .cli_pdf import attach, extract, render  # noqa: E402 - the PDF and rendering commands

for _command in (render, extract, attach):
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
