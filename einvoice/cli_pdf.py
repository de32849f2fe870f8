"""Commands for PDFs and the human view: render, extract, attach, and what ``build --pdf`` runs.

:mod:`einvoice.cli` adds the commands to the ``einvoice`` group and calls
:func:`build_pdf` for ``build --pdf OUT.pdf``: a Factur-X PDF/A-3 (and the XML too
when ``-o`` is given).

Exit codes as everywhere: 0 written, 1 refused (findings listed, nothing written),
2 unreadable input or wrong usage (one line ``einvoice: <file>: <reason>``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

LANG_NAMES = ["nb", "sv", "da", "en", "de", "fr"]  # languages of the rendered page (einvoice.render)
EXIT_INVALID, EXIT_UNREADABLE = 1, 2  # as in einvoice.cli (not imported: cli imports this module)


def _printable(text) -> str:
    from .errors import printable

    return printable(text)


def _say(path, exc) -> None:
    from .cli import _say_error

    _say_error(path, exc)


def _refused(path, exc, what: str = "refused", older=None) -> None:
    from .cli import refused

    refused(path, exc, what, older)


def _label(source):
    from .cli import label

    return label(source)


def _stdin(source):
    from .cli import from_stdin

    return from_stdin(source)


def _read(path: Path) -> bytes:
    from .xmlsafe import read_bytes

    return read_bytes(path)[0]


class OutputPath(click.Path):
    """A file to write (-o, --pdf): a folder or another bad value is one line and exit 2, as every other refusal of
    an output (click's usage block said it in four)."""

    def __init__(self, stdout: bool = False):
        super().__init__(dir_okay=False, path_type=Path)
        self.stdout = stdout  # '-' is standard output, the option's default (else '-' is refused: no file named '-')

    def convert(self, value, param, ctx):
        if isinstance(value, str) and value == "-":
            if self.stdout:
                return None
            from .cli import _usage_error

            _usage_error(f"--{param.name}" if param is not None and param.name else "output",
                         "- (standard output) is not taken here: name a file to write (or /dev/stdout)")
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as exc:
            from .cli import _usage_error

            said = f"{value} is a folder; name a file to write" if os.path.isdir(value) else exc.message
            _usage_error(f"--{param.name}" if param is not None and param.name else "output", said)


def refuse_other_kind(option: str, output: Path) -> None:
    """A PDF output named as another kind of file (a.xml, a.html) is a usage error: read by its name, it would be
    taken for what it is not (a device such as /dev/stdout has no such name)."""
    if output.suffix.lower() in (".xml", ".html", ".htm", ".json", ".yaml", ".yml", ".txt"):
        from .cli import _usage_error

        _usage_error(option, f"{output} would be a PDF named {output.suffix}: name it .pdf")


MAX_SIZE_HELP = "largest input accepted (file, standard input, and the invoice XML inside a PDF)"


def _max_size_in_force(ctx: click.Context, _param, value: str) -> int:
    """--max-size of show, convert, render, extract and attach: every read of the command is bounded by it."""
    from .cli import _parse_size, _usage_error
    from .xmlsafe import limited_to

    try:
        limit = _parse_size(value)
    except ValueError as exc:
        _usage_error("--max-size", str(exc))
    ctx.with_resource(limited_to(limit))
    return limit


def _stopped_after(seconds: float | None, ctx: click.Context):
    """Stop the command after ``seconds`` (:func:`einvoice.budget.time_budget`): one line naming its input, exit 2. An
    output is written in one step at the end (write_out), so a command stopped has written nothing."""
    from .budget import time_budget

    said: list = []

    def stop() -> BaseException:
        if not said:  # (once, however often the timer goes off)
            said.append(True)
            source = ctx.params.get("source") or ctx.params.get("pdf")
            where = f"{_printable(source)}: " if source else ""
            click.echo(f"einvoice: {where}{ctx.info_name} took longer than the limit of {seconds:g} s and was stopped "
                       "(raise it with --timeout)", err=True)
        return SystemExit(EXIT_UNREADABLE)

    return time_budget(seconds, stop=stop)


def timeout_option(default: str):
    """--timeout of a command that reads one invoice (validate has its own, per file): a document that takes too long
    (a hundred thousand elements of nothing) is stopped, as validate stops it, not left to run for minutes."""
    def in_force(ctx: click.Context, _param, value: str) -> float | None:
        from .cli import _parse_seconds

        seconds = _parse_seconds(value, "--timeout")
        ctx.with_resource(_stopped_after(seconds, ctx))
        return seconds

    return click.option("--timeout", default=default, show_default=True, expose_value=False, callback=in_force,
                        help="seconds the command may take (0: no limit)")


def max_size_option(fn):
    """The --max-size option of a command that reads one invoice (validate has its own: its workers read)."""
    return click.option("--max-size", default="50MB", show_default=True, expose_value=False,
                        callback=_max_size_in_force, help=MAX_SIZE_HELP)(fn)


def unwritable(path, exc: OSError) -> None:
    """An output that cannot be written: one line on stderr, exit 2."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    click.echo(f"einvoice: {_printable(path)}: cannot write the output ({reason}); nothing written", err=True)
    sys.exit(EXIT_UNREADABLE)


def write_out(path: Path, data: bytes | str) -> None:
    """Write an output file in one step (see :func:`einvoice.build.write_atomic`: no partial file is left;
    a device or pipe such as /dev/stdout is written directly). Exit 2 with one line when it fails."""
    from .build import write_atomic

    if isinstance(data, str):
        data = data.encode("utf-8", "backslashreplace")
    try:
        write_atomic(path, data)
    except OSError as exc:
        unwritable(path, exc)


def _refuse_overwrite(output, *inputs) -> None:
    from .cli import refuse_overwrite

    refuse_overwrite(output, *inputs)


@click.command()
@click.argument("source", type=click.Path(path_type=Path, readable=False))
@click.option("--output", "-o", required=True, type=OutputPath(),
              help="HTML or PDF file to write (by its extension)")
@click.option("--lang", "-l", type=click.Choice(LANG_NAMES), default=None,
              help="language of the page (default: from the seller's country, else en)")
@click.option("--max-lines", type=click.IntRange(min=1), default=None, metavar="N",
              help="PDF output: the most invoice lines (with the document's allowances and charges) laid out, "
                   "default 5,000 (10,000 take about 2 minutes and 2 GB); a longer invoice is refused at once. "
                   "HTML has no limit")
@timeout_option("300")
@max_size_option
def render(source: Path, output: Path, lang: str | None, max_lines: int | None = None) -> None:
    """Render any invoice (UBL or CII XML, or a Factur-X PDF; - reads standard input) as printable HTML or PDF.

    The page shows seller and buyer (with organisation and customer numbers), number and
    dates, the amount due and due date, how to pay (account, KID/OCR/RF reference), the
    lines, allowances and charges, the VAT breakdown, totals, notes and terms. A credit
    note says it is no payment request (one whose amount due is below zero asks the
    buyer to pay the seller, and says so). A .pdf output is PDF/A-3b.

    \b
    Examples:
      einvoice render out/ehf-invoice.xml -o out/ehf-invoice-page.pdf
      einvoice render invoice.xml -o invoice.html --lang en
      einvoice render factur-x.pdf -o view.html
    """
    from .errors import EinvoiceError
    from . import syntax
    from .render import html_to_pdf, render_html
    from .render.render import check_pdf_rows
    from .validate import validation_errors

    suffix = output.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        click.echo(f"einvoice: {_printable(output)}: the output must end in .html or .pdf", err=True)
        sys.exit(EXIT_UNREADABLE)
    if max_lines is not None and suffix != ".pdf":
        click.echo("einvoice: render: --max-lines limits a PDF page's lines; an HTML page has no limit", err=True)
        sys.exit(EXIT_UNREADABLE)
    _refuse_overwrite(output, source)
    try:
        doc = syntax.load(_stdin(source))
        if suffix == ".pdf":
            check_pdf_rows(doc.invoice, max_lines)  # (before validating and laying out: said at once)
        errors = validation_errors(doc)
        html = render_html(doc.invoice, lang, errors)
        data = html_to_pdf(html) if suffix == ".pdf" else html.encode("utf-8")
    except EinvoiceError as exc:
        _say(_label(source), exc)
        sys.exit(EXIT_UNREADABLE)
    write_out(output, data)
    click.echo(f"wrote {_printable(output)} ({'PDF' if suffix == '.pdf' else 'HTML'}, {doc.invoice.kind_name.lower()} "
               f"{_printable(doc.invoice.number or '-')})")
    if errors:
        from .cli import errors_in_words

        click.echo(f"einvoice: {_printable(_label(source))}: warning: the document does not pass validation "
                   f"({errors_in_words(errors)}); the page says so at its top and lacks what could not be read "
                   "(einvoice validate lists every error)", err=True)



@click.command()
@click.argument("source", type=click.Path(path_type=Path, readable=False))
@click.option("--output", "-o", type=OutputPath(stdout=True), default=None,
              help="XML file to write (default, or -: standard output)")
@click.option("--raw", is_flag=True, help="write the attachment's bytes as embedded, well-formed or not (to repair it)")
@timeout_option("60")
@max_size_option
def extract(source: Path, output: Path | None, raw: bool) -> None:
    """Extract the invoice XML from a Factur-X / ZUGFeRD PDF (- reads standard input).

    The XML is checked to be well-formed before anything is written; a damaged attachment
    is one line on stderr (exit 2) and writes nothing, unless --raw asks for its bytes as they are.

    \b
    Examples:
      einvoice extract factur-x.pdf -o invoice.xml
      einvoice extract factur-x.pdf | einvoice validate -
    """
    from .container import extract_xml
    from .errors import EinvoiceError

    _refuse_overwrite(output, source)
    try:
        data = _stdin(source)
        xml = extract_xml(data if isinstance(data, bytes) else _read(source), str(_label(source)), raw=raw)[1]
    except EinvoiceError as exc:
        if getattr(exc, "reason", "").startswith("damaged attachment"):
            from .errors import UnreadableInput

            exc = UnreadableInput(f"{exc.reason} (--raw writes its bytes as they are)", exc.path)
        _say(_label(source), exc)
        sys.exit(EXIT_UNREADABLE)
    if output is None:
        sys.stdout.buffer.write(xml)
        sys.stdout.buffer.flush()
        return
    write_out(output, xml)
    click.echo(f"wrote {_printable(output)} ({len(xml)} bytes)")


@click.command()
@click.argument("pdf", type=click.Path(path_type=Path, readable=False))
@click.argument("xml", type=click.Path(path_type=Path, readable=False))
@click.option("--output", "-o", required=True, type=OutputPath(),
              help="Factur-X PDF to write")
@timeout_option("60")
@max_size_option
def attach(pdf: Path, xml: Path, output: Path) -> None:
    """Turn a PDF from another system into a Factur-X PDF by embedding a CII invoice.

    The XML is validated first (XSD and the rules of its Factur-X profile); with
    errors nothing is written (exit 1). A UBL XML (convert it to CII first) or a PDF
    that already carries an invoice is unusable input (exit 2). The result is PDF/A-3: a PDF whose pages
    cannot be PDF/A (fonts not embedded, device colour without an output intent,
    JavaScript ...) is refused with the reasons (exit 1), nothing written.

    \b
    Examples:
      einvoice attach their-invoice.pdf invoice-cii.xml -o facturx.pdf
    """
    from .errors import BuildRefused, EinvoiceError
    from .facturx_pdf import attach as run

    refuse_other_kind("--output", output)
    _refuse_overwrite(output, pdf, xml)
    try:
        data, report, notes = run(_read(pdf), _read(xml), str(pdf), str(xml))
    except BuildRefused as exc:
        _refused(exc.findings[0].path or xml if exc.findings else xml, exc)
        sys.exit(EXIT_INVALID)
    except EinvoiceError as exc:
        _say(getattr(exc, "path", None) or pdf, exc)
        sys.exit(EXIT_UNREADABLE)
    except OSError as exc:  # (the factur-x package's temporary files on a full disk, past a file size limit: the
        from .errors import NO_ROOM  # output's failure, said as writing it would be)

        if exc.errno not in NO_ROOM:
            raise
        unwritable(output, exc)
    write_out(output, data)
    click.echo(f"wrote {_printable(output)} ({_hybrid(report.profile)}, profile {report.profile})")
    for note in notes:
        click.echo(f"  note: {note}")


def _same_folder(exc: OSError, path: Path) -> bool:
    """Whether an OSError is about a file in the folder of ``path`` (a temporary file written beside it)."""
    name = getattr(exc, "filename", None)
    from .xmlsafe import absolute

    return bool(name) and os.path.dirname(absolute(str(name))) == os.path.dirname(absolute(str(path)))


def _hybrid(profile: str) -> str:
    """What kind of invoice PDF a profile's XML went into (as the commands say it wrote it)."""
    return "ZUGFeRD level XRECHNUNG" if profile.startswith("xrechnung") else "Factur-X"


def build_pdf(input: Path, fmt: str, output: Path | None, pdf: Path, lang: str | None, policy: bool = False,
              allow_lossy: bool = False, max_lines: int | None = None) -> None:
    """``einvoice build ... --pdf OUT.pdf``: build, render and embed; exit 1 when refused, 2 on bad input."""
    from .cli import wrote
    from .errors import BuildRefused, EinvoiceError
    from .facturx_pdf import LEVELS, build_pdf_file

    if fmt not in LEVELS:
        click.echo(f"einvoice: {input}: --pdf writes a Factur-X PDF and needs a facturx-* format (or xrechnung-cii: "
                   f"ZUGFeRD's XRECHNUNG level), not {fmt} "
                   "(for a printable view of any invoice use einvoice render)", err=True)
        sys.exit(EXIT_UNREADABLE)
    from .cli import _is, _older

    older = [p for p in (output, pdf) if p is not None and _is(Path(p), Path.exists)]  # (kept as they are by a refusal)
    try:
        report = build_pdf_file(input, fmt, pdf, output, lang, policy=policy, allow_lossy=allow_lossy,
                                max_lines=max_lines)
    except BuildRefused as exc:
        _refused(input, exc, older=older)
        sys.exit(EXIT_INVALID)
    except EinvoiceError as exc:
        _say(input, exc)
        if older:
            click.echo(f"einvoice: nothing written; {_older(older)}", err=True)
        sys.exit(EXIT_UNREADABLE)
    except OSError as exc:
        unwritable(pdf if output is None or not _same_folder(exc, output) else output, exc)
    wrote(f"{output} and {pdf}" if output is not None else str(pdf), f"{_hybrid(report.profile)} PDF/A-3, profile {report.profile}",
          report.warnings)
