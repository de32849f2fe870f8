"""Hardened XML parsing: no DTDs with entities, no network, bounded size and depth."""

from __future__ import annotations

import re

import threading
from pathlib import Path

from lxml import etree

from .errors import UnreadableInput

MAX_BYTES = 50 * 1024 * 1024  # default limit on one document, configurable per call
MAX_DEPTH = 256


_local = threading.local()


def _parser() -> etree.XMLParser:
    """The hardened parser of this thread (a parser is not shared between threads)."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = _new_parser()
    return parser


def _new_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        remove_comments=False,
        collect_ids=False,
    )


def is_pdf(data: bytes) -> bool:
    """Whether bytes are a PDF by their content (a %PDF header after an optional BOM or white space)."""
    return data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF")


def read_bytes(source: str | Path | bytes, max_bytes: int = MAX_BYTES) -> tuple[bytes, str | None]:
    """Bytes of a path or of bytes given; refuses what is over the size limit."""
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
        name = None
    else:
        name = str(source)
        p = Path(source)
        try:
            size = p.stat().st_size
        except OSError as exc:
            raise UnreadableInput(f"cannot read file ({exc.strerror or exc})", name) from None
        if p.is_dir():
            raise UnreadableInput("is a folder, not a file", name)
        if size > max_bytes:
            raise UnreadableInput(f"file is {size} bytes, over the limit of {max_bytes}", name)
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise UnreadableInput(f"cannot read file ({exc.strerror or exc})", name) from None
    if len(data) > max_bytes:
        raise UnreadableInput(f"document is {len(data)} bytes, over the limit of {max_bytes}", name)
    return data, name


def parse(data: bytes, name: str | None = None, max_depth: int = MAX_DEPTH) -> etree._ElementTree:
    """Parse XML bytes safely, or raise :class:`UnreadableInput` with a one-line reason."""
    if not data or not data.strip():
        raise UnreadableInput("empty file", name)
    head = data[:4096]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in data[:65536]:
        raise UnreadableInput("document has a DOCTYPE or entity declarations; refused for safety", name)
    try:
        tree = etree.fromstring(data, _parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        raise UnreadableInput(_syntax_error(exc), name) from None
    except ValueError as exc:
        raise UnreadableInput(f"not readable as XML: {exc}", name) from None
    if tree.docinfo.doctype:
        raise UnreadableInput("document has a DOCTYPE; refused for safety", name)
    _check_depth(tree.getroot(), max_depth, name)
    return tree


def _syntax_error(exc: etree.XMLSyntaxError) -> str:
    """'not well-formed XML at line 4, column 11: opening and ending tag mismatch: a line 3 and Invoice'.

    libxml2's text repeats the position ("..., line 4, column 11 (<string>, line 4)"); it is said once, first."""
    text = (exc.msg or str(exc) or "").splitlines()[0] if (exc.msg or str(exc)) else ""
    text = re.sub(r"(, line \d+)?, column \d+( \(<string>, line \d+\))?$", "", text).strip() or "malformed XML"
    line, column = exc.position if exc.position and exc.position[0] else (None, None)
    where = f" at line {line}, column {column}" if line else ""
    return f"not well-formed XML{where}: {text[:1].lower()}{text[1:]}"


_DEPTH_TESTS: dict[int, etree.XPath] = {}


def _check_depth(root, max_depth: int, name: str | None) -> None:
    # one XPath in C: is there an element at depth max_depth + 1?
    test = _DEPTH_TESTS.get(max_depth)
    if test is None:
        test = _DEPTH_TESTS[max_depth] = etree.XPath("boolean(/*" + "/*" * max_depth + ")")
    if test(root):
        raise UnreadableInput(f"elements nested deeper than {max_depth} levels", name)
