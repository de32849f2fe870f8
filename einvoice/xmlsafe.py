"""Hardened XML parsing: no DOCTYPE (no DTD, no entity declarations), no network, bounded size and depth, and the
encodings read as the official validators' parser reads them (a document it refuses is refused)."""

from __future__ import annotations

import codecs
import contextvars
import os
import re
import stat
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from lxml import etree

from .basics import SharedXPath
from .errors import UnreadableInput

MAX_BYTES = 50 * 1024 * 1024  # default limit on one document, configurable per call
MAX_DEPTH = 256
# elements of one document: 100,000 invoice lines take about 3 million; each costs some 600 bytes of memory once read
# and judged, so 12 million empty elements (48 MB) took 7 GB: refused before they are read (4 bytes each at least)
MAX_ELEMENTS = 4_000_000
# attributes: an invoice of 10,000 lines has about 35,000, no element of UBL or CII more than seven (xsi ones included).
# Each one the schema does not allow costs about 2 KB in the schema's error list (2 million on one element took 4 GB):
# a document with more in all, or an element of a large document with more than MAX_ATTRIBUTES_EACH, is refused
MAX_ATTRIBUTES = 1_000_000
MAX_ATTRIBUTES_EACH = 64


_local = threading.local()
# the limit a call without its own max_bytes reads under (the command line's --max-size): MAX_BYTES unless set
_LIMIT: contextvars.ContextVar[int] = contextvars.ContextVar("einvoice_max_bytes", default=MAX_BYTES)


def size_limit(max_bytes: int | None = None) -> int:
    """``max_bytes`` when given, else the limit in force (:func:`limited_to`, else :data:`MAX_BYTES`)."""
    return _LIMIT.get() if max_bytes is None else max_bytes


def max_size(max_bytes: int):
    """``with einvoice.max_size(200_000_000): ...``: every read inside the block (a document given to validate, load,
    convert, render, show; the invoice XML inside a PDF) is bounded by ``max_bytes`` instead of :data:`MAX_BYTES`
    (50 MB), as the command line's --max-size does. A positive int (TypeError otherwise)."""
    from .arguments import size

    return limited_to(size("max_bytes", max_bytes))


@contextmanager
def limited_to(max_bytes: int):
    """Reads inside the block that name no limit of their own are bounded by ``max_bytes`` (an input file,
    standard input, the invoice XML inside a PDF)."""
    token = _LIMIT.set(max_bytes)
    try:
        yield
    finally:
        _LIMIT.reset(token)



def _parser() -> etree.XMLParser:
    """The hardened parser of this thread (a parser is not shared between threads)."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = _new_parser()
    return parser


def _huge_parser() -> etree.XMLParser:
    """The hardened parser of this thread for a text node over libxml2's 10 MB (an attachment of 7.5 MB or more):
    no limit on a text's length, the same refusals otherwise (entities are never expanded, the depth is tested)."""
    parser = getattr(_local, "huge", None)
    if parser is None:
        parser = _local.huge = _new_parser(huge=True)
    return parser


class _NoLoading(etree.Resolver):
    """Every external resource libxml2 would load (a DTD, an external entity, a parameter entity of the internal
    subset, which libxml2 loads without ``load_dtd``, from a push parser too) resolved to nothing: no file of this
    machine is opened by what a document names, none read forever (``/dev/zero``), and what a refusal says does not
    depend on what files there are."""

    def resolve(self, url: str, pubid: str, context: Any) -> Any:
        return self.resolve_string("", context)


_NO_LOADING = _NoLoading()


def _new_parser(huge: bool = False) -> etree.XMLParser:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=huge,
        remove_blank_text=False,
        remove_comments=False,
        collect_ids=False,
    )
    parser.resolvers.add(_NO_LOADING)
    return parser


def declares_doctype(data: bytes) -> bool:
    """Whether the prolog (what comes before the root element: white space, the XML declaration, comments and
    processing instructions, of any length) holds a document type declaration, read in the encoding the first bytes
    say (UTF-16 and UTF-32 decoded; UTF-8 and the byte encodings as they are)."""
    text = _countable(data)
    wide = isinstance(text, str)
    pi, end_pi, comment, end_comment, doctype = ("<?", "?>", "<!--", "-->", "<!DOCTYPE") if wide else (
        b"<?", b"?>", b"<!--", b"-->", b"<!DOCTYPE")
    i, n = 0, len(text)
    while i < n:
        i = _BLANK[wide].match(text, i).end()
        if text.startswith(pi, i):
            j = text.find(end_pi, i + 2)
            i = n if j < 0 else j + 2
        elif text.startswith(comment, i):
            j = text.find(end_comment, i + 4)
            i = n if j < 0 else j + 3
        else:
            return text.startswith(doctype, i)
    return False


_BLANK = {True: re.compile("[\ufeff \t\r\n]*"), False: re.compile(rb"(?:\xef\xbb\xbf)?[ \t\r\n]*")}



def is_pdf(data: bytes) -> bool:
    """Whether bytes are a PDF by their content (a %PDF header after an optional BOM or white space)."""
    return data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF")


def sniff(head: bytes) -> str | None:
    """'pdf', 'xml' or None from the first bytes of a file."""
    if is_pdf(head):
        return "pdf"
    h = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if h.startswith(b"<") or head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:4] in (b"\x00<\x00?", b"<\x00?\x00") \
            or head[:4] in _UTF32 or head[:4] == _EBCDIC_START:  # (UTF-32, EBCDIC '<?xm': read as the declaration says)
        return "xml"
    return None


def not_xml_nor_pdf(data: bytes, name: str | None = None) -> str | None:
    """Why bytes are no invoice file, in the words every command uses: 'empty file', 'not a PDF (no %PDF header)'
    (a name ending in .pdf), 'neither XML nor PDF (binary or text content)'; None for what may be XML or a PDF."""
    if sniff(data[:1024]) is not None:
        return None
    if not data.strip():
        return "empty file"
    if name and name.lower().endswith(".pdf"):
        return "not a PDF (no %PDF header)"
    return "neither XML nor PDF (binary or text content)"


def _what(mode: int) -> str:
    """What a file that is no regular file is: 'a folder', 'a named pipe', ..."""
    return ("a folder" if stat.S_ISDIR(mode) else "a named pipe" if stat.S_ISFIFO(mode) else
            "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else
            "no regular file")


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is (None for a regular file), as an input's refusal."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    what = _what(mode)
    if what == "no regular file":
        return "is not a regular file; refused"
    hint = " (pipe it to standard input with - instead)" if stat.S_ISFIFO(mode) else ""
    return f"is {what}, not a regular file; refused{hint}"


def read_head(path: str | Path, limit: int) -> bytes | None:
    """The first ``limit`` bytes of regular file ``path`` (a small file: a configuration); None when there is no
    file of that name. One that is there but cannot be read is an :class:`UnreadableInput` saying why (a
    symbolic link to nothing, 'it is a folder, not a file', the system's reason); a named pipe is never opened
    (it would block), nor one swapped for it after it was looked at."""
    import errno

    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR) and not os.path.islink(path):
            return None
        raise UnreadableInput("a symbolic link to nothing, or a loop of links" if exc.errno in (
            errno.ENOENT, errno.ENOTDIR, errno.ELOOP) else _os_reason(exc), str(path)) from None
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableInput(f"it is {_what(st.st_mode)}, not a file", str(path))
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise UnreadableInput("it is no longer a regular file", str(path))
            return fh.read(limit)
    except OSError as exc:
        raise UnreadableInput(_os_reason(exc), str(path)) from None


STDIN_NAMES = frozenset({"/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})


def _is_stdin(st: os.stat_result) -> bool:
    """Whether a file is this process's standard input (e.g. /dev/stdin)."""
    try:
        st0 = os.fstat(0)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == (st0.st_dev, st0.st_ino)


def read_limited(stream: Any, max_bytes: int | None = None, name: str | None = None) -> bytes:
    """At most ``max_bytes`` (default: :func:`size_limit`) from a binary stream (standard input, a pipe);
    UnreadableInput beyond."""
    max_bytes = size_limit(max_bytes)
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(1 << 20, max_bytes + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise UnreadableInput(f"input is over the limit of {max_bytes} bytes", name)
    return b"".join(chunks)


def read_bytes(source: str | os.PathLike[str] | bytes | IO[bytes], max_bytes: int | None = None) -> tuple[bytes, str | None]:
    """Bytes of a path, of a binary file object or of bytes given; refuses what is over the size limit (another
    type is a TypeError; a str that is XML text, not a file name, an UnreadableInput saying to give bytes).

    Only regular files are read (or standard input named as such, e.g. /dev/stdin): a
    device, a named pipe or a socket is refused before it is opened, and no more than
    ``max_bytes`` + 1 bytes are ever read, whatever the file system says its size is (default: the limit
    in force, :func:`size_limit`).
    """
    max_bytes = size_limit(max_bytes)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = None
    elif hasattr(source, "read"):  # a file object opened in binary mode: read no further than the limit
        name = getattr(source, "name", None)
        name = name if isinstance(name, str) else None
        try:
            first = source.read(0)
            if not isinstance(first, bytes):
                raise TypeError("the file object gives text, not bytes: open it in binary mode ('rb')")
            data = read_limited(source, max_bytes, name)
        except (OSError, ValueError) as exc:  # (a closed file, a connection reset: said as a path's read error is)
            raise UnreadableInput(f"cannot read the file object ({_os_reason(exc)})", name) from None
    elif not isinstance(source, (str, os.PathLike)) or isinstance(source, bool):
        raise TypeError(f"expected XML as bytes, a file path (str or os.PathLike) or a binary file object, "
                        f"not {type(source).__name__}")
    else:
        name = str(source)
        try:
            st = os.stat(source)
        except (OSError, ValueError) as exc:
            if isinstance(source, str) and source.lstrip().startswith("<"):
                raise UnreadableInput("a str is read as a file name and this one is XML text: give the XML as bytes "
                                      "(text.encode('utf-8'))", None) from None
            raise UnreadableInput(f"cannot read file ({_os_reason(exc)})", name) from None
        kind = _kind(st.st_mode)
        # (standard input named as such: not a link to it among files from elsewhere, a folder's, a list's)
        stdin = kind is not None and not stat.S_ISDIR(st.st_mode) and name in STDIN_NAMES and _is_stdin(st)
        if kind is not None and not stdin:
            raise UnreadableInput(kind, name)
        if not stdin and st.st_size > max_bytes:
            raise UnreadableInput(f"file is {st.st_size} bytes, over the limit of {max_bytes} bytes", name)
        try:
            # O_NONBLOCK: a file swapped for a named pipe after the check above does not block the open
            fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) * (not stdin))
        except (OSError, ValueError) as exc:
            raise UnreadableInput(f"cannot read file ({_os_reason(exc)})", name) from None
        with os.fdopen(fd, "rb") as fh:
            if not stdin:
                kind = _kind(os.fstat(fd).st_mode)
                if kind is not None:
                    raise UnreadableInput(kind, name)
            try:
                data = read_limited(fh, max_bytes, name)
            except UnreadableInput:
                raise UnreadableInput(f"file is over the limit of {max_bytes} bytes", name) from None
            except OSError as exc:
                raise UnreadableInput(f"cannot read file ({_os_reason(exc)})", name) from None
    if len(data) > max_bytes:
        raise UnreadableInput(f"document is {len(data)} bytes, over the limit of {max_bytes} bytes", name)
    return data, name


def working_folder() -> str:
    """The working folder; where it was deleted under the process (a CI step in a temporary folder cleaned away), the
    shell's name for it (PWD), else the root: absolute paths are still read, relative ones say they are not there."""
    try:
        return os.getcwd()
    except OSError:
        pwd = os.environ.get("PWD")
        return pwd if pwd and os.path.isabs(pwd) else os.sep


def absolute(path: str | os.PathLike) -> str:
    """``os.path.abspath``, in a working folder deleted under the process too (see :func:`working_folder`)."""
    path = os.fspath(path)
    return os.path.normpath(path if os.path.isabs(path) else os.path.join(working_folder(), path))


def same_path(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether two paths name the same file (existing or not): an output that would overwrite an input."""
    try:
        if os.path.exists(a) and os.path.exists(b):
            return os.path.samefile(a, b)
        return os.path.realpath(a) == os.path.realpath(b)
    except (OSError, ValueError):
        return False


def _os_reason(exc: Exception) -> str:
    """The system's reason, but for a name that is not there, said as a folder walk says it (every command alike)."""
    import errno

    if getattr(exc, "errno", None) == errno.ENOENT:
        return "no such file or folder"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def parse(data: bytes, name: str | None = None, max_depth: int = MAX_DEPTH) -> etree._ElementTree:
    """Parse XML bytes safely, or raise :class:`UnreadableInput` with a one-line reason."""
    if not data or data.isspace():  # (ASCII white space, as strip() would remove; no copy of the data)
        raise UnreadableInput("empty file", name)
    if data.find(b"<!DOCTYPE", 0, 4096) >= 0 or data.find(b"<!ENTITY", 0, 65536) >= 0 or declares_doctype(data):
        raise UnreadableInput("document has a DOCTYPE or entity declarations; refused for safety", name)
    if data[:4] == _EBCDIC_START:
        data = _from_ebcdic(data, name)
    data = _as_declared(data, name)
    data = _known_encoding(data, name)
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n") and not _wide(data):  # lines ended by CR alone:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")  # XML reads each as LF (its end-of-line handling,
        # before parsing), libxml2 too, but counts no line at it: every finding was said to be at line 1
    if len(data) > 4 * MAX_ELEMENTS:  # (start tags: '<' but not '</', '<!' or '<?')
        text = _countable(data)
        starts = _starts(text)
        if starts > MAX_ELEMENTS:  # then without comments, CDATA sections and processing instructions: no element
            starts = _starts(_QUOTED[type(text)].sub(text[:0], text))  # starts in them (nor after an unclosed one)
        if starts > MAX_ELEMENTS:
            raise UnreadableInput(f"document has about {starts:,} elements, more than the {MAX_ELEMENTS:,} accepted "
                                  "(an invoice of 100,000 lines has about 3 million)", name)
    if len(data) > 4 * MAX_ATTRIBUTES:  # (an attribute: '=' and a quote, white space between them allowed)
        text = _countable(data)
        count = text.count("=" if isinstance(text, str) else b"=")  # (at most one an attribute; no copy)
        if count > MAX_ATTRIBUTES:  # then '=' and a quote, outside comments, CDATA sections and processing instructions
            count = sum(1 for _ in _ASSIGNED[type(text)].finditer(_QUOTED[type(text)].sub(text[:0], text)))
        if count > MAX_ATTRIBUTES:
            raise UnreadableInput(f"document has about {count:,} attributes, more than the {MAX_ATTRIBUTES:,} "
                                  "accepted (an invoice of 10,000 lines has about 35,000)", name)
    huge = False
    try:
        try:
            tree = etree.fromstring(data, _parser()).getroottree()
        except etree.XMLSyntaxError as exc:  # a text over 10 MB (Java's parser, the official one, has no such limit)
            if not ("XML_PARSE_HUGE" in str(exc) or "too big" in str(exc)) or len(data) < 10_000_000:  # (or a comment)
                raise
            tree, huge = etree.fromstring(data, _huge_parser()).getroottree(), True
    except etree.XMLSyntaxError as exc:
        if exc.code == etree.ErrorTypes.ERR_NO_MEMORY:  # (libxml2 says 'unknown error': no fault of the document's)
            raise UnreadableInput("not enough memory to read this document", name) from None
        declared = _DECLARED.match(data[:512].decode("latin-1"))
        if declared and not _ENCODING_NAME.fullmatch(declared.group(1)):  # libxml2 says 'string not closed'
            raise UnreadableInput(f"not well-formed XML: the declared encoding {declared.group(1)!r} is no encoding "
                                  "name (letters, digits, '.', '_' and '-', a letter first)", name) from None
        raise UnreadableInput(_syntax_error(exc), name) from None
    except ValueError as exc:
        raise UnreadableInput(f"not readable as XML: {exc}", name) from None
    if tree.docinfo.doctype:
        raise UnreadableInput("document has a DOCTYPE; refused for safety", name)
    if tree.docinfo.xml_version not in ("1.0", "1.1"):  # (libxml2 reads any other 1.x as 1.0; Java's parser, the
        raise UnreadableInput(f"XML version {tree.docinfo.xml_version!r} is declared: the receivers' XML parsers read "
                              "XML 1.0 and 1.1 only (declare version 1.0)", name)  # official validators', refuses it)
    _check_depth(tree.getroot(), max_depth, name, huge)
    if len(data) > _CROWDED_FROM and (crowded := _CROWDED(tree)):  # (a smaller one holds 13,000 attributes at most)
        el = crowded[0]
        raise UnreadableInput(f"element <{etree.QName(el).localname}> at line {el.sourceline} has {len(el.attrib):,} "
                              f"attributes, more than the {MAX_ATTRIBUTES_EACH} accepted (an invoice's carry a few)", name)
    return tree


_CROWDED_FROM = 65_536
_CROWDED = SharedXPath(f"(//*[count(@*) > {MAX_ATTRIBUTES_EACH}])[1]")
_ASSIGNED = {str: re.compile(r"=[ \t\r\n]*[\"']"), bytes: re.compile(rb"=[ \t\r\n]*[\"']")}


def _starts(text: bytes | str) -> int:
    """The '<' that may start an element (not '</', '<!' or '<?')."""
    marks = ("<", "</", "<!", "<?") if isinstance(text, str) else (b"<", b"</", b"<!", b"<?")
    return text.count(marks[0]) - sum(text.count(m) for m in marks[1:])


# a comment, CDATA section or processing instruction, to where the parser ends it (or to the end of the text: after
# an unclosed one it builds nothing); one pass of the expression, linear in the text
_QUOTED_TEXT = r"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)|<\?.*?(?:\?>|\Z)"
_QUOTED = {str: re.compile(_QUOTED_TEXT, re.S), bytes: re.compile(_QUOTED_TEXT.encode(), re.S)}
_ENCODING_NAME = re.compile(r"[A-Za-z][A-Za-z0-9._-]*")  # XML's EncName
_DECLARED = re.compile(r"<\?xml[^>]*?\sencoding\s*=\s*[\"']([^\"']*)[\"']")
_UTF16 = {b"\xff\xfe": "LE", b"\xfe\xff": "BE", b"<\x00?\x00": "LE", b"\x00<\x00?": "BE"}  # byte order marks, '<?'
# UTF-32: (byte order, whether a byte order mark) by the first four bytes (a mark, or '<'; before UTF-16's: the
# UTF-32LE mark starts with UTF-16LE's, which no XML text can continue with U+0000)
_UTF32 = {b"\xff\xfe\x00\x00": ("LE", True), b"\x00\x00\xfe\xff": ("BE", True), b"<\x00\x00\x00": ("LE", False),
          b"\x00\x00\x00<": ("BE", False)}
# the declared names the official validators' parser reads UTF-32 without a mark by (it refuses every marked one)
_UTF32_NAMES = {"LE": {"UTF-32LE", "ISO-10646-UCS-4", "UTF_32LE", "X-UTF-32LE"},
                "BE": {"UTF-32", "UTF-32BE", "ISO-10646-UCS-4", "UTF_32", "UTF_32BE", "X-UTF-32BE", "UTF32"}}
# the declared names the official validators' parser reads UTF-16 by, per byte order (its own for UTF-16, then Java's
# charset names, whose UTF-16 without an order means big-endian): UCS-2 is none of them, UTF16 only big-endian
_UTF16_NAMES = {"LE": {"UTF-16", "ISO-10646-UCS-2", "UTF-16LE", "UTF_16LE", "X-UTF-16LE", "UNICODELITTLEUNMARKED",
                       "X-UTF-16LE-BOM", "UNICODELITTLE"},
                "BE": {"UTF-16", "ISO-10646-UCS-2", "UTF-16BE", "UTF_16BE", "X-UTF-16BE", "UNICODEBIGUNMARKED", "UTF16",
                       "UTF_16", "UNICODE", "UNICODEBIG"}}


def _as_declared(data: bytes, name: str | None) -> bytes:
    """The bytes as the official validators' XML parser (Java's, under Saxon) reads their encoding, where libxml2
    would read them otherwise: after a UTF-8 byte order mark the declared encoding decides (so the mark is dropped
    and libxml2 follows the declaration too: ISO-8859-1 reads the UTF-8 bytes as Latin-1 there as well), and a
    UTF-16 document that declares another encoding (libxml2 follows the byte order; that parser refuses it) or UTF-8
    bytes behind a UTF-8 mark that declare UTF-16 are refused. Without a mark, both read ASCII-like bytes alike."""
    if data[:3] == b"\xef\xbb\xbf":
        found = _DECLARED.match(data[3:512].decode("latin-1"))
        declared = found.group(1).upper() if found else "UTF-8"
        if declared.startswith(("UTF-16", "UTF16", "UCS-2", "ISO-10646-UCS-2", "UNICODE")):
            raise UnreadableInput(f"the byte order mark says UTF-8 but the declaration says encoding '{found.group(1)}'; "
                                  "receivers' XML parsers refuse it (declare UTF-8)", name)
        return _xml11(data[3:], declared, name) or (data if declared in ("UTF-8", "UTF8") else data[3:])
    if data[:5] == b"<?xml" and _VERSION_11.match(data):
        found = _DECLARED.match(data[:512].decode("latin-1"))
        return _xml11(data, found.group(1) if found else "UTF-8", name) or data
    wide = _UTF32.get(data[:4])
    if wide:
        order, marked = wide
        if marked:
            raise UnreadableInput("the document is written in UTF-32 with a byte order mark, which receivers' XML "
                                  "parsers refuse (write it in UTF-8)", name)
        found = _DECLARED.match(data[:2048].decode(f"utf-32-{order.lower()}", "replace"))
        if found is not None and found.group(1).upper() not in _UTF32_NAMES[order]:
            raise UnreadableInput(f"the document is written in UTF-32 but its declaration says encoding "
                                  f"'{found.group(1)}'; receivers' XML parsers refuse it (write it in UTF-8)", name)
        return _xml11(data, f"UTF-32-{order}", name) or data
    order = _UTF16.get(data[:2]) or _UTF16.get(data[:4])
    if order:
        found = _DECLARED.match(data[:1024].decode(f"utf-16-{order.lower()}", "replace").lstrip("\ufeff"))
        declared = found.group(1).upper() if found else None
        if declared is not None and declared not in _UTF16_NAMES[order]:
            raise UnreadableInput(f"the document is written in UTF-16 but its declaration says encoding "
                                  f"'{found.group(1)}'; receivers' XML parsers refuse it (declare UTF-16)", name)
        return _xml11(data, f"UTF-16-{order}", name) or data
    return data


_USUAL_ENCODINGS = frozenset({"UTF-8", "UTF8", "ISO-8859-1", "ISO-8859-15", "US-ASCII", "ASCII", "WINDOWS-1252", "CP1252",
                              "LATIN1", "ISO-8859-2", "WINDOWS-1250", "UTF-16"})


def _known_encoding(data: bytes, name: str | None) -> bytes:
    """Refuse a document (ASCII-like bytes: UTF-16 and UTF-32 are judged by :func:`_as_declared`) whose declared
    encoding the official validators' XML parser (Java's) does not know, where libxml2 may read it (UTF-7, macintosh,
    ISO-8859-10): the receivers cannot open it, so it was reported valid in vain. One it knows and libxml2 does not
    (Latin9, IBM437) is read through Python's codec of that name, where there is one. Unusual names only are looked up."""
    found = _DECLARED.match(data[:512].decode("latin-1")) if data[:5] == b"<?xml" else None
    if found is None or found.group(1).upper() in _USUAL_ENCODINGS or not _ENCODING_NAME.fullmatch(found.group(1)):
        return data  # (a name that is no encoding name: libxml2 says so, as the official parser refuses it too)
    from .codelists import get

    declared = found.group(1)
    if declared.upper() not in get("xml-encodings"):
        raise UnreadableInput(f"the declared encoding {declared!r} is none the receivers' XML parsers read (Java's, "
                              "under the official validators, cannot open the document): write it in UTF-8", name)
    reads = _LIBXML2_READS.get(declared.upper())
    if reads is None:  # (tried once per name)
        reads = _LIBXML2_READS[declared.upper()] = _libxml2_reads(declared)
    if reads:
        return data
    try:
        text = data.decode(codecs.lookup(declared).name)
    except (LookupError, UnicodeDecodeError):
        return data  # (libxml2 says it does not know the encoding, or where the bytes are no text of it)
    return _in_utf8(text)


_LIBXML2_READS: dict[str, bool] = {}  # (names the official parser knows: bounded)


def _libxml2_reads(encoding: str) -> bool:
    try:
        etree.fromstring(f'<?xml version="1.0" encoding="{encoding}"?><a/>'.encode("ascii"), _new_parser())
        return True
    except etree.XMLSyntaxError:
        return False


_EBCDIC_START = b"\x4c\x6f\xa7\x94"  # '<?xm' in the EBCDIC code pages


def _from_ebcdic(data: bytes, name: str | None) -> bytes:
    """An EBCDIC document (IBM037, IBM500, IBM273: the official validators' parser reads the code page it declares) as
    UTF-8 through Python's codec of that name; refused in one line where there is none, or the parser knows none."""
    found = _DECLARED.match(data[:512].decode("cp037"))
    declared = found.group(1) if found else None
    from .codelists import get

    try:
        if declared is None or declared.upper() not in get("xml-encodings"):
            raise LookupError(declared)
        text = data.decode(codecs.lookup(declared).name)
    except (LookupError, UnicodeDecodeError):
        raise UnreadableInput(f"the document is written in EBCDIC{f' (declared {declared!r})' if declared else ''}, in a "
                              "code page this tool cannot read: write it in UTF-8", name) from None
    return _in_utf8(text.replace("\x85", "\n"))  # (EBCDIC's new line, 0x15: Java's decoders read it as a line feed,
    # Python's as NEL, no XML 1.0 white space)


def _wide(data: bytes) -> bool:
    """Whether the text is UTF-16 or UTF-32 (by its mark or first character), where a CR byte may be part of a character."""
    return bool(_UTF32.get(data[:4]) or _UTF16.get(data[:2]) or _UTF16.get(data[:4]))


def _countable(data: bytes) -> bytes | str:
    """The text to count markup in: decoded where a markup character's byte can be part of another character
    (UTF-16 and UTF-32, by their mark or first character); UTF-8 and the byte encodings as they are."""
    wide = _UTF32.get(data[:4])
    if wide:
        return data.decode(f"utf-32-{wide[0].lower()}", "replace")
    order = _UTF16.get(data[:2]) or _UTF16.get(data[:4])
    return data.decode(f"utf-16-{order.lower()}", "replace") if order else data


_VERSION_11 = re.compile(rb"(\xef\xbb\xbf)?<\?xml\s+version\s*=\s*[\"']1\.1[\"']")


_VERSION_11_TEXT = re.compile(r"\ufeff?<\?xml\s+version\s*=\s*[\"']1\.1[\"']")
_C1_LITERAL = re.compile("[\x80-\x84\x86-\x9f]")  # C1 controls but NEL: XML 1.1 allows them only as references


def _xml11(data: bytes, encoding: str, name: str | None) -> bytes | None:
    """An XML 1.1 document (None for any other, or for an encoding Python has no codec for: libxml2 decides) as the
    official validators' parser reads it, in whichever encoding it is written: NEL and LINE SEPARATOR are line ends
    there, as CR LF and CR are in 1.0 (libxml2 reads 1.1 as 1.0 and would keep them: a value of one NEL is blank to
    the official rules), and a C1 control written as it is, which 1.1 allows only as a character reference, is
    refused. The text goes on in UTF-8, its declaration saying so."""
    import codecs

    try:
        codec = codecs.lookup(encoding.lower()).name
    except LookupError:
        return None
    head = data[:512].decode(codec, "replace")
    if not _VERSION_11_TEXT.match(head):
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None  # (libxml2 refuses it in its own words)
    text = text.removeprefix("\ufeff")
    bad = _C1_LITERAL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise UnreadableInput(f"not well-formed XML 1.1 at line {line}: the control character U+{ord(bad.group()):04X} is "
                              "written as it is (XML 1.1 allows it only as a character reference)", name)
    text = text.replace("\r\x85", "\n").replace("\x85", "\n").replace("\u2028", "\n")
    return _in_utf8(text)


def _in_utf8(text: str) -> bytes:
    """A document's text, decoded from the encoding it was read in, as UTF-8 bytes whose declaration says so."""
    declared = _DECLARED.match(text[:512])
    if declared:
        text = text[:declared.start(1)] + "UTF-8" + text[declared.end(1):]
    return text.encode("utf-8")


def root_tag(data: bytes, limit: int = 65536) -> str | None:
    """The Clark name of the root element of XML bytes, reading no further than it (None when none is found
    in the first ``limit`` bytes or the bytes are no XML); entities are not expanded, nothing is loaded."""
    if declares_doctype(data[:limit]):  # (never parsed: refused as such when read)
        return None
    parser = etree.XMLPullParser(events=("start",), resolve_entities=False, no_network=True, load_dtd=False,
                                 huge_tree=False)
    parser.resolvers.add(_NO_LOADING)
    try:
        for i in range(0, min(len(data), limit), 8192):
            parser.feed(data[i:i + 8192])
            for _event, el in parser.read_events():
                return el.tag if isinstance(el.tag, str) else None
    except etree.XMLSyntaxError:
        return None
    return None


def _syntax_error(exc: etree.XMLSyntaxError) -> str:
    """'not well-formed XML at line 4, column 11: opening and ending tag mismatch: a line 3 and Invoice'.

    libxml2's text repeats the position ("..., line 4, column 11 (<string>, line 4)"); it is said once, first."""
    text = (exc.msg or str(exc) or "").splitlines()[0] if (exc.msg or str(exc)) else ""
    text = re.sub(r"(, line \d+)?, column \d+( \(<string>, line \d+\))?$", "", text).strip() or "malformed XML"
    line, column = exc.position if exc.position and exc.position[0] else (None, None)
    where = f" at line {line}, column {column}" if line else ""
    if text.startswith("Excessive depth in document"):  # (libxml2's own limit, with its advice to a programmer)
        return f"elements nested deeper than {MAX_DEPTH} levels{where}"
    return f"not well-formed XML{where}: {text[:1].lower()}{text[1:]}"


_DEPTH_TESTS: dict[int, etree.XPath | None] = {}


def _deeper_than(depth: int) -> SharedXPath:
    return SharedXPath("boolean(/*" + "/*" * depth + ")")


def _check_depth(root, max_depth: int, name: str | None, huge: bool = False) -> None:
    # one XPath in C: is there an element at depth max_depth + 1? (None: the parser refuses that depth itself, as
    # libxml2 does beyond 256 levels; found out once per limit, so another libxml2 is asked rather than assumed)
    test = _DEPTH_TESTS.get(max_depth, False) if not huge else _deeper_than(max_depth)
    if test is False:
        try:
            etree.fromstring(b"<a>" * (max_depth + 1) + b"</a>" * (max_depth + 1), _new_parser())
            test = _deeper_than(max_depth)
        except etree.XMLSyntaxError:
            test = None
        _DEPTH_TESTS[max_depth] = test
    if test is not None and test(root):
        raise UnreadableInput(f"elements nested deeper than {max_depth} levels", name)
