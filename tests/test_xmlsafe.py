"""Hostile and broken input: every case is refused with a one-line reason, nothing is expanded or fetched."""

from __future__ import annotations

import os
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


def test_depth_limit_the_parser_keeps_is_not_checked_twice():
    """At the default limit libxml2 refuses the next level itself: no XPath over each document then."""
    xmlsafe.parse(b"<a>" * 256 + b"</a>" * 256)
    reason = refused(b"<a>" * 257 + b"</a>" * 257).reason  # (libxml2's own words advised a parser option)
    assert reason.startswith("elements nested deeper than 256 levels at line 1") and "XML_PARSE" not in reason
    assert xmlsafe._DEPTH_TESTS[xmlsafe.MAX_DEPTH] is None


def _invoice_with(extra: bytes, at: bytes = b"<cbc:ID>1</cbc:ID>") -> bytes:
    return (b'<Invoice xmlns="' + UBL_NS.encode() + b'" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:'
            b'CommonBasicComponents-2">' + at + extra + b"</Invoice>")


def test_attributes_are_bounded_before_the_document_is_read():
    """2 million attributes (25 MB, within the size limit) took 4 GB: each one the schema does not allow costs
    about 2 KB in its error list. Over MAX_ATTRIBUTES in all (white space before the quote counted too), or over
    MAX_ATTRIBUTES_EACH on one element, the document is refused in one line."""
    many = b"".join(b"<cbc:Note a%d = '1' b%d='2'>x</cbc:Note>" % (n, n) for n in range(xmlsafe.MAX_ATTRIBUTES // 2 + 1))
    assert "more than the 1,000,000 accepted" in refused(_invoice_with(many)).reason
    crowded = _invoice_with(b"", at=b"<cbc:ID " + b" ".join(b'a%d="1"' % n for n in range(100)) + b">1</cbc:ID>")
    assert len(crowded) < xmlsafe._CROWDED_FROM  # (a small document: not looked at)
    xmlsafe.parse(crowded)
    padded = crowded.replace(b"</Invoice>", b"<!--" + b" " * xmlsafe._CROWDED_FROM + b"--></Invoice>")
    assert refused(padded).reason == "element <ID> at line 1 has 100 attributes, more than the 64 accepted (an " \
                                     "invoice's carry a few)"
    fine = _invoice_with(b"".join(b'<cbc:Note languageID="en">x</cbc:Note>' for _ in range(2000)))
    xmlsafe.parse(fine)  # (one each, under both limits)
    commented = _invoice_with(b"<!--" + b'a="1" ' * (xmlsafe.MAX_ATTRIBUTES + 1) + b"-->")
    xmlsafe.parse(commented)  # (in a comment: no attribute)


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


# --- encodings: read as the official validators' XML parser reads them -------------------------------------

_BODY = "<r>æøå €</r>"
_MARKS = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff",
          "utf-32-le": b"\xff\xfe\x00\x00", "utf-32-be": b"\x00\x00\xfe\xff"}


def _encoded(declared: str | None, codec: str, mark: bool) -> bytes:
    decl = "<?xml version='1.0'" + (f" encoding='{declared}'" if declared else "") + "?>\n"
    return (_MARKS[codec] if mark else b"") + (decl + _BODY).encode(codec)


def test_utf16_declaring_another_encoding_is_refused_with_one_line():
    for declared in ("UTF-8", "ISO-8859-1", "UTF16", "UCS-2", "UTF-16BE"):
        with pytest.raises(UnreadableInput, match="written in UTF-16 but its declaration says") as err:
            xmlsafe.parse(_encoded(declared, "utf-16-le", True))
        assert "\n" not in str(err.value)
    assert xmlsafe.parse(_encoded("UTF-16", "utf-16-le", True)).getroot().text == "æøå €"
    assert xmlsafe.parse(_encoded("UTF-16BE", "utf-16-be", True)).getroot().text == "æøå €"
    assert xmlsafe.parse(_encoded(None, "utf-16-le", True)).getroot().text == "æøå €"


def test_after_a_utf8_mark_the_declared_encoding_decides():
    assert xmlsafe.parse(_encoded("UTF-8", "utf-8", True)).getroot().text == "æøå €"
    assert xmlsafe.parse(_encoded("ISO-8859-1", "utf-8", True)).getroot().text == "æøå €".encode().decode("latin-1")
    with pytest.raises(UnreadableInput, match="byte order mark says UTF-8"):
        xmlsafe.parse(_encoded("UTF-16", "utf-8", True))
    with pytest.raises(UnreadableInput):  # non-ASCII bytes in a document declared US-ASCII
        xmlsafe.parse(_encoded("US-ASCII", "utf-8", True))


def test_encodings_are_read_as_the_official_validators_parser_reads_them(tmp_path):
    """Each mark, byte encoding and declared encoding: the document is refused here exactly where Saxon's parser
    (the one the official validators run in) refuses it, and read to the same text where it reads it."""
    saxonche = pytest.importorskip("saxonche")
    proc = saxonche.PySaxonProcessor(license=False)
    declared_names = [None, "UTF-8", "utf-8", "UTF8", "UTF-16", "UTF-16LE", "UTF-16BE", "UTF16", "UCS-2",
                      "ISO-10646-UCS-2", "ISO-8859-1", "latin1", "windows-1252", "ISO-8859-15", "US-ASCII",
                      "UNICODE", "UnicodeBig", "UnicodeLittle", "UTF_16", "UTF_16LE", "UTF_16BE", "X-UTF-16LE-BOM",
                      "X-UTF-16BE", "UnicodeBigUnmarked", "UnicodeLittleUnmarked", "utf16le", "UTF-32", "UTF_8", "CP1252",
                      "UTF-32LE", "UTF-32BE", "utf-32le", "ISO-10646-UCS-4", "UCS-4", "UTF_32", "UTF_32LE", "UTF_32BE",
                      "X-UTF-32LE", "X-UTF-32BE", "UTF32"]
    # (not IBM00858 and the like: charsets Java has and libxml2 has not, refused here with or without a mark)
    compared, differ = 0, []
    for codec in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        for mark in (True, False):
            for declared in declared_names:
                data = _encoded(declared, codec, mark)
                f = tmp_path / "doc.xml"
                f.write_bytes(data)
                try:
                    node = proc.parse_xml(xml_file_name=str(f))
                    theirs = None if node is None else str(node).rsplit("<r>", 1)[-1].split("</r>")[0]
                except Exception:  # noqa: BLE001 - the parser refuses the document
                    theirs = None
                try:
                    ours = xmlsafe.parse(data).getroot().text
                except UnreadableInput:
                    ours = None
                if theirs is not None:
                    theirs = theirs.replace("&#x82;", "\x82")  # (Saxon writes a C1 control as a reference)
                if ours != theirs:
                    differ.append((codec, mark, declared, ours, theirs))
                compared += 1
    assert not differ, differ
    assert compared == 5 * 2 * len(declared_names)


_PARSER_CASES = {  # what Java's parser and libxml2 might read differently: versions, declarations, namespaces, characters
    "version 1.1": b"<?xml version='1.1'?><r>a</r>", "version 2.0": b"<?xml version='2.0'?><r>a</r>",
    "version with a space": b"<?xml version='1.0 '?><r>a</r>",
    "standalone maybe": b"<?xml version='1.0' standalone='maybe'?><r>a</r>",
    "standalone yes": b"<?xml version='1.0' standalone='yes'?><r>a</r>",
    "unbound element prefix": b"<r><x:b/></r>", "unbound attribute prefix": b"<r x:a='1'/>",
    "prefix undeclared": b"<r xmlns:x='u'><b xmlns:x=''/></r>", "xml prefix rebound": b"<r xmlns:xml='http://wrong'/>",
    "xmlns prefix bound": b"<r xmlns:xmlns='u'/>", "same attribute twice by namespace":
    b"<r xmlns:a='u' xmlns:b='u' a:x='1' b:x='2'/>", "U+FFFE": "<r>\ufffe</r>".encode(), "U+FFFF": "<r>\uffff</r>".encode(),
    "reference to U+FFFE": b"<r>&#xFFFE;</r>", "reference to a surrogate": b"<r>&#xD800;</r>",
    "encoded surrogate": b"<r>\xed\xa0\x80</r>", "C1 control": "<r>\x85</r>".encode(), "DEL": b"<r>\x7f</r>",
    "NEL in the declaration": b"<?xml version='1.0'\xc2\x85?><r/>", "declaration after the root": b"<r/><?xml version='1.0'?>",
    "two colons in a name": b"<r><a:b:c xmlns:a='u'/></r>", "prefix bound to nothing": b"<r xmlns:p=''><p:b/></r>",
    "< in an attribute": b"<r a='<'/>", "tab before an attribute": b"<r\tb='1'/>", "relative namespace": b"<r xmlns='rel/uri'/>",
    "text before the root": b"x<r/>", "space before the declaration": b"\xef\xbb\xbf <?xml version='1.0'?><r/>",
}


def test_documents_are_refused_where_the_official_validators_parser_refuses_them(tmp_path):
    """Where libxml2 and Java's parser (under Saxon) could part: refused here exactly where Saxon refuses. One
    difference is known and kept: an XML 1.1 document with a reference to a C0 control character, which XML 1.1
    allows and libxml2 (an XML 1.0 parser) refuses; invoices are XML 1.0."""
    saxonche = pytest.importorskip("saxonche")
    proc = saxonche.PySaxonProcessor(license=False)
    differ = []
    for what, data in _PARSER_CASES.items():
        (tmp_path / "doc.xml").write_bytes(data)
        try:
            theirs = proc.parse_xml(xml_file_name=str(tmp_path / "doc.xml")) is not None
        except Exception:  # noqa: BLE001 - refused
            theirs = False
        try:
            ours = xmlsafe.parse(data) is not None
        except UnreadableInput:
            ours = False
        if ours != theirs:
            differ.append((what, ours, theirs))
    assert not differ, differ
    with pytest.raises(UnreadableInput):  # the known difference, kept
        xmlsafe.parse(b"<?xml version='1.1'?><r>&#x1;</r>")


def test_xml_1_1_line_ends_are_read_as_the_official_validators_parser_reads_them(tmp_path):
    """XML 1.1 makes NEL and LINE SEPARATOR line ends (LF); libxml2 reads 1.1 as 1.0 and kept them, so a value of one
    NEL was not blank here while the official rules find it blank. Character references are not line ends."""
    cases = {"<?xml version='1.1' encoding='UTF-8'?><r>S\u0085</r>": "S\n",
             "\ufeff<?xml version='1.1'?><r>a\r\u0085b\u2028c</r>": "a\nb\nc",
             "<?xml version='1.1'?><r a='x\u0085y'>&#x85;</r>": "\x85",
             "<?xml version='1.0' encoding='UTF-8'?><r>S\u0085</r>": "S\x85"}
    for text, value in cases.items():
        assert xmlsafe.parse(text.encode()).getroot().text == value
    assert xmlsafe.parse("<?xml version='1.1'?><r a='x\u0085y'/>".encode()).getroot().get("a") == "x y"
    saxonche = pytest.importorskip("saxonche")
    proc = saxonche.PySaxonProcessor(license=False)
    for text, value in cases.items():
        (tmp_path / "doc.xml").write_bytes(text.encode())
        xp = proc.new_xpath_processor()
        xp.set_context(xdm_item=proc.parse_xml(xml_file_name=str(tmp_path / "doc.xml")))
        assert xp.evaluate_single("string(/r)").string_value == value, text


def test_xml_1_1_is_read_so_in_every_encoding_and_refuses_c1_controls_written_as_they_are(tmp_path):
    """XML 1.1's line ends were applied to UTF-8 only: UTF-16 and ISO-8859-1 documents kept NEL and LINE SEPARATOR
    (a value of one NEL passed PEPPOL-EN16931-R008, which the official rules fail); and a C1 control written as it is,
    which XML 1.1 allows only as a reference and the official validators' parser refuses, was read."""
    cases = [("<?xml version='1.1' encoding='UTF-16'?><r>S\u0085</r>".encode("utf-16"), "S\n"),
             ("<?xml version='1.1' encoding='UTF-16BE'?><r>a\u2028b</r>".encode("utf-16-be"), "a\nb"),
             ("<?xml version='1.1' encoding='ISO-8859-1'?><r>S\x85\xe6</r>".encode("latin-1"), "S\n\xe6"),
             ("<?xml version='1.0' encoding='ISO-8859-1'?><r>S\x85</r>".encode("latin-1"), "S\x85")]
    for data, value in cases:
        assert xmlsafe.parse(data).getroot().text == value, data
    for data in ("<?xml version='1.1'?><r>a\u0082</r>".encode(), "<?xml version='1.1' encoding='UTF-16'?><r>\u009f</r>".encode("utf-16")):
        with pytest.raises(UnreadableInput, match="U\\+00(82|9F)"):
            xmlsafe.parse(data)
    assert xmlsafe.parse("<?xml version='1.1'?><r>&#x82;</r>".encode()).getroot().text == "\x82"  # (a reference: allowed)
    saxonche = pytest.importorskip("saxonche")
    proc = saxonche.PySaxonProcessor(license=False)
    for data, value in cases:
        (tmp_path / "doc.xml").write_bytes(data)
        xp = proc.new_xpath_processor()
        xp.set_context(xdm_item=proc.parse_xml(xml_file_name=str(tmp_path / "doc.xml")))
        assert xp.evaluate_single("string(/r)").string_value == value, data


@pytest.mark.parametrize("name", ["UTF-8-W/O-BOM", "UTF 8", "8BIT", ""])
def test_a_declared_encoding_that_is_no_encoding_name_is_said_so(name):
    """A declaration whose encoding is no EncName (a real Factur-X file declares 'UTF-8-W/O-BOM'): refused as before,
    in words that say what is wrong (libxml2's own: 'string not closed expecting " or \\'')."""
    data = f'<?xml version="1.0" encoding="{name}"?>\n<Invoice/>'.encode()
    with pytest.raises(UnreadableInput) as info:
        xmlsafe.parse(data)
    assert info.value.reason == (f"not well-formed XML: the declared encoding {name!r} is no encoding name (letters, "
                                 "digits, '.', '_' and '-', a letter first)")


def test_utf32_is_read_only_where_receivers_parsers_read_it():
    """UTF-32 with a byte order mark: Java's parser (the official validators') refuses it, libxml2 would read it."""
    for codec in ("utf-32-le", "utf-32-be"):
        with pytest.raises(UnreadableInput, match="UTF-32 with a byte order mark") as err:
            xmlsafe.parse(_encoded(None, codec, True))
        assert "\n" not in str(err.value)
        assert xmlsafe.parse(_encoded(None, codec, False)).getroot().text == "æøå €"
    with pytest.raises(UnreadableInput, match="written in UTF-32 but its declaration says encoding 'UTF-8'"):
        xmlsafe.parse(_encoded("UTF-8", "utf-32-le", False))


def _pe_doctype(target: str, encoding: str = "UTF-8", comment: int = 0) -> bytes:
    """A document whose internal subset loads ``target`` as a parameter entity (after a comment of that length)."""
    text = (f"<?xml version='1.0' encoding='{encoding}'?>" + (f"<!--{'x' * comment}-->" if comment else "")
            + f'<!DOCTYPE Invoice [<!ENTITY % r SYSTEM "{target}"> %r;]><Invoice xmlns="{UBL_NS}"/>')
    return text.encode(encoding.lower())


@pytest.mark.parametrize("encoding, comment", [("UTF-16", 0), ("UTF-8", 70_000), ("UTF-16", 70_000)])
def test_a_doctype_in_any_encoding_or_after_any_comment_is_refused_unread(tmp_path, encoding, comment):
    """A UTF-16 document (its bytes are no '<!DOCTYPE'), or one whose DOCTYPE follows a long comment, naming a file
    as a parameter entity: libxml2 loaded it without load_dtd (``/dev/zero`` read forever; which files exist told
    by the refusal). Refused as a DOCTYPE, by the commands' readers and the root element's sniffer alike."""
    target = tmp_path / "named.ent"  # (a file: read, the refusal said something else; test_the_parsers_... a pipe)
    target.write_text("<!ENTITY e 'x'>")
    data = _pe_doctype(str(target), encoding, comment)
    assert "DOCTYPE" in refused(data).reason
    assert xmlsafe.root_tag(data, limit=len(data)) is None


def test_the_parsers_load_nothing_a_document_names(tmp_path):
    """Whatever reaches libxml2, its parsers open no file a document names (a parameter entity of the internal
    subset, which libxml2 loads even without load_dtd): run apart, so that a parser that opens the named pipe
    hangs that process, not this one."""
    import subprocess
    import sys

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    code = ("import sys; from lxml import etree; from einvoice import xmlsafe\n"
            "data = sys.stdin.buffer.read()\n"
            "for parser in (xmlsafe._new_parser(), xmlsafe._new_parser(huge=True)):\n"
            "    try: etree.fromstring(data, parser)\n"
            "    except etree.XMLSyntaxError: pass\n"
            "print('done')\n")
    done = subprocess.run([sys.executable, "-c", code], input=_pe_doctype(str(fifo)), capture_output=True, timeout=20)
    assert done.stdout.strip() == b"done", done.stderr[-500:]


@pytest.mark.parametrize("version", ["1.2", "1.5", "1.10", "1.01", "1.00", "1."])
def test_an_xml_version_other_than_1_0_and_1_1_is_refused(version):
    """libxml2 reads any declared 1.x as 1.0 (a warning only); Java's parser, the official validators', stops on it
    ('XML version "1.2" is not supported'): such a document was reported valid where no receiver can read it."""
    with pytest.raises(UnreadableInput, match=f"XML version '{version}' is declared"):
        xmlsafe.parse(f'<?xml version="{version}" encoding="UTF-8"?><a/>'.encode())
    for ok in ("1.0", "1.1"):
        assert xmlsafe.parse(f'<?xml version="{ok}"?><a/>'.encode()).getroot().tag == "a"
    assert xmlsafe.parse(b"<a/>").getroot().tag == "a"


@pytest.mark.parametrize("encoding", ["UTF-7", "macintosh", "ISO-8859-10", "ISO-8859-14", "VISCII", "hp-roman8"])
def test_an_encoding_the_official_parser_does_not_know_is_refused(encoding):
    """libxml2 (iconv) reads UTF-7, macintosh or ISO-8859-14; Java's XML parser, under the official validators,
    does not (UnsupportedEncoding): such a document was reported valid though no receiver can open it."""
    with pytest.raises(UnreadableInput, match=f"the declared encoding '{encoding}' is none the receivers' XML parsers read"):
        xmlsafe.parse(f'<?xml version="1.0" encoding="{encoding}"?><a>x</a>'.encode("ascii"))


@pytest.mark.parametrize("encoding,codec", [("Latin9", "iso8859_15"), ("CP437", "cp437"), ("IBM852", "cp852"),
                                            ("MS932", "cp932"), ("utf-8", "utf-8"), ("ISO-8859-1", "latin-1")])
def test_an_encoding_the_official_parser_knows_is_read(encoding, codec):
    """Java's names that libxml2 lacks (Latin9, CP437) are read through Python's codec of the name, as the official
    parser reads them: they were refused as 'unsupported encoding'."""
    text = f'<?xml version="1.0" encoding="{encoding}"?><a>Kr\u00f6ne \u00e9</a>' if codec != "cp932" else \
        f'<?xml version="1.0" encoding="{encoding}"?><a>\u6771\u4eac</a>'
    root = xmlsafe.parse(text.encode(codec)).getroot()
    assert root.text == text.split("<a>")[1].split("</a>")[0]


def test_lines_ended_by_cr_alone_are_counted():
    """XML reads a CR alone as a line end (as CR LF); libxml2 reads it so but counts no line at it: every finding of
    a document written with CR line ends (old Mac style) was said to be at line 1, where the official validators
    name its line. The text is read the same (a CR in a value is a line feed either way)."""
    data = b'<?xml version="1.0"?>\r<a>\r  <b x="1\r2">t\r\nu</b>\r  <c/>\r</a>\r'
    root = xmlsafe.parse(data).getroot()
    assert [el.sourceline for el in root.iter()] == [2, 4, 6]  # (an element: the line its start tag ends at)
    assert root[0].text == "t\nu" and root[0].get("x") == "1 2"
    crlf = xmlsafe.parse(data.replace(b"\r", b"\r\n").replace(b"\r\n\n", b"\r\n")).getroot()  # (CR LF: as before)
    assert [el.sourceline for el in crlf.iter()] == [2, 4, 6] and crlf[0].text == "t\nu"
    wide = xmlsafe.parse('<?xml version="1.0" encoding="UTF-16"?>\r<a>\r<b/></a>'.encode("utf-16")).getroot()
    assert wide[0].tag == "b"  # (UTF-16: its bytes are not rewritten)


@pytest.mark.parametrize("code_page", ["IBM037", "IBM500", "IBM273", "EBCDIC-CP-US"])
def test_an_ebcdic_document_is_read_in_the_code_page_it_declares(code_page):
    """Java's parser (the official validators') reads an EBCDIC document by its declared code page; it was called
    'neither XML nor PDF'. A code page Python has no codec for is refused, saying so."""
    import codecs

    text = f'<?xml version="1.0" encoding="{code_page}"?><a>Kr\u00f6ne 1.00</a>'
    data = text.encode(codecs.lookup(code_page).name)
    assert xmlsafe.sniff(data[:64]) == "xml" and xmlsafe.not_xml_nor_pdf(data) is None
    assert xmlsafe.parse(data).getroot().text == "Kr\u00f6ne 1.00"
    with pytest.raises(UnreadableInput, match="written in EBCDIC .declared 'IBM1047'., in a code page this tool cannot read"):
        xmlsafe.parse('<?xml version="1.0" encoding="IBM1047"?><a/>'.encode("cp037"))


def test_utf32_without_a_mark_is_sniffed_as_xml():
    data = '<?xml version="1.0" encoding="UTF-32BE"?><a>x</a>'.encode("utf-32-be")
    assert xmlsafe.not_xml_nor_pdf(data) is None and xmlsafe.parse(data).getroot().text == "x"


def test_an_ebcdic_documents_new_lines_are_line_feeds():
    """EBCDIC's new line (0x15), a mainframe file's line end, is a line feed to Java's decoders (the official
    validators' parser); Python's codecs read it as NEL, which XML 1.0 does not take for white space: refused."""
    text = '<?xml version="1.0" encoding="IBM037"?>\n<a>\n  <b>x</b>\n</a>\n'
    data = text.encode("cp037").replace(b"\x25", b"\x15")  # (0x25: EBCDIC's line feed; 0x15: its new line)
    root = xmlsafe.parse(data).getroot()
    assert root[0].text == "x" and root[0].sourceline == 3
