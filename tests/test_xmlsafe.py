"""Hostile and broken input: every case is refused with a one-line reason, nothing is expanded or fetched."""

from __future__ import annotations

import time

import pytest

from einvoice import syntax, xmlsafe
from einvoice.errors import EinvoiceError, UnreadableInput

UBL_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"


def refused(data: bytes, **kw) -> UnreadableInput:
    with pytest.raises(UnreadableInput) as info:
        syntax.load(data, **kw)
    exc = info.value
    assert isinstance(exc, EinvoiceError)
    assert "\n" not in str(exc), "the reason must be one line"
    assert exc.reason
    return exc


def test_malformed_xml():
    exc = refused(b"<Invoice><cbc:ID>1</Invoice>")
    assert "well-formed" in exc.reason


def test_truncated_document():
    exc = refused(f'<Invoice xmlns="{UBL_NS}"><ID>1</ID>'.encode())
    assert "well-formed" in exc.reason


@pytest.mark.parametrize("data", [b"", b"   \n\t  "])
def test_empty(data):
    assert "empty" in refused(data).reason


def test_billion_laughs_is_refused_quickly():
    lol = b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    prev = "lol"
    for i in range(1, 10):
        lol += f'<!ENTITY lol{i} "{("&" + prev + ";") * 10}">\n'.encode()
        prev = f"lol{i}"
    lol += f"]>\n<Invoice xmlns=\"{UBL_NS}\">&{prev};</Invoice>".encode()
    t = time.perf_counter()
    exc = refused(lol)
    assert time.perf_counter() - t < 1.0
    assert "DOCTYPE" in exc.reason or "entit" in exc.reason


def test_external_entity_is_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    data = (f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'
            f'<Invoice xmlns="{UBL_NS}"><ID>&xxe;</ID></Invoice>').encode()
    exc = refused(data)
    assert "TOP-SECRET" not in str(exc)


def test_doctype_late_in_document_is_still_refused():
    # a DOCTYPE after a long comment is beyond the quick check of the first bytes
    data = b"<?xml version='1.0'?><!--" + b"x" * 6000 + b"--><!DOCTYPE Invoice>" + \
        f'<Invoice xmlns="{UBL_NS}"/>'.encode()
    assert "DOCTYPE" in refused(data).reason


def test_parameter_entity_to_network_is_refused():
    data = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % ext SYSTEM "http://127.0.0.1:9/evil.dtd"> %ext;]>'
            + f'<Invoice xmlns="{UBL_NS}"/>'.encode())
    refused(data)


def test_non_utf8_bytes_labelled_utf8():
    data = f'<?xml version="1.0" encoding="UTF-8"?><Invoice xmlns="{UBL_NS}"><Note>'.encode() + \
        "Smørbrød".encode("latin-1") + b"</Note></Invoice>"
    exc = refused(data)
    assert "well-formed" in exc.reason or "readable" in exc.reason


def test_unknown_root():
    exc = refused(b'<Order xmlns="urn:example:order"><ID>1</ID></Order>')
    assert "unknown root element <Order>" in exc.reason
    assert "urn:example:order" in exc.reason


def test_root_without_namespace():
    exc = refused(b"<Invoice><ID>1</ID></Invoice>")
    assert "without namespace" in exc.reason


def test_too_deep():
    data = b"<a>" * 120 + b"</a>" * 120
    with pytest.raises(UnreadableInput) as info:
        xmlsafe.parse(data, max_depth=100)
    assert "deeper" in info.value.reason
    refused(b"<a>" * 400 + b"</a>" * 400)  # beyond what the parser itself accepts


def test_size_limit():
    exc = refused(f'<Invoice xmlns="{UBL_NS}"/>'.encode() + b" " * 2000, max_bytes=1000)
    assert "over the limit" in exc.reason


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(UnreadableInput) as info:
        syntax.load(tmp_path / "nope.xml")
    assert info.value.path.endswith("nope.xml")
    assert "cannot read" in info.value.reason
    with pytest.raises(UnreadableInput) as info:
        syntax.load(tmp_path)
    assert "folder" in info.value.reason


def test_binary_garbage():
    refused(bytes(range(256)) * 4)


def test_well_formed_invoice_is_read():
    data = (f'<Invoice xmlns="{UBL_NS}" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
            '<cbc:ID>42</cbc:ID></Invoice>').encode()
    doc = syntax.load(data)
    assert doc.syntax.value == "ubl"
    assert doc.invoice.number == "42"
