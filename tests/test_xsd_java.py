"""The schema step against Java's built-in validator (javax.xml.validation), the one the official validators run on.

libxml2, which einvoice validates with, and Java's validator part where libxml2 does not do what a schema says (it
refused white space around a UBL date, which the type's white space facet collapses). This compares the verdict of
both, with the same schema files, on the samples, the complete documents of the corpus, mutants of them and documents
with white space put around one value or attribute. It runs where a JDK is installed (``javac`` and ``java`` on the
path; the product needs no Java) and skips, saying so, elsewhere. EINVOICE_XSD_JAVA_MUTANTS sets the number of
mutants (default 300).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent))

import oracle  # noqa: E402
from fragments import CONFORMANCE  # noqa: E402
from mutate import mutant  # noqa: E402

from einvoice import syntax, xmlsafe, xsd  # noqa: E402
from einvoice.errors import UnreadableInput  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
JAVA = shutil.which("java") and shutil.which("javac")
pytestmark = pytest.mark.skipif(not JAVA, reason="no JDK (javac, java) on the path: Java's validator is the oracle here")
KEYS = ("ubl-invoice", "ubl-creditnote", "cii-en16931", "cii-extended")
PROFILES = {"ubl": "ehf", "cii": "facturx-en16931"}


@pytest.fixture(scope="module")
def java(tmp_path_factory):
    out = tmp_path_factory.mktemp("java")
    subprocess.run(["javac", "-d", str(out), str(ROOT / "tests" / "java" / "XsdCheck.java")], check=True)
    args = ["java", "-cp", str(out), "XsdCheck"]
    for key in KEYS:
        args += [key, str(xsd.schema_dir() / xsd.SCHEMA_FILES[key])]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")
    doc = out / "doc.xml"

    def verdict(key: str, data: bytes) -> bool:
        doc.write_bytes(data)
        proc.stdin.write(f"{key}\t{doc}\n")
        proc.stdin.flush()
        return proc.stdout.readline().startswith("VALID")

    yield verdict
    proc.stdin.close()
    proc.wait(timeout=30)


def _documents() -> list[bytes]:
    files = sorted((ROOT / "samples").glob("*.xml"))
    if CONFORMANCE.is_dir():
        files += [p for folder in ("en16931/ubl/examples", "en16931/cii/examples", "peppol-bis-3/rules/examples")
                  for p in sorted((CONFORMANCE / folder).glob("*.xml"))]
    files += oracle.seed_files("ubl") + oracle.seed_files("cii")  # (more: EINVOICE_SEEDS)
    return [p.read_bytes() for p in files]


def _spaced(data: bytes, rng: random.Random) -> bytes:
    """White space (a no-break space too) around the text of one leaf element or the value of one attribute."""
    root = etree.fromstring(data)
    space = rng.choice([" ", "\n  ", "\t", " \r\n ", "\u00a0"])
    if rng.random() < 0.6:  # an element name first, then one of its elements: every type of value gets its turn
        leaves = [e for e in root.iter(etree.Element) if len(e) == 0 and (e.text or "").strip()]
        tag = rng.choice(sorted({e.tag for e in leaves}))
        el = rng.choice([e for e in leaves if e.tag == tag])
        el.text = space + el.text + space
    else:
        el, name = rng.choice([(e, a) for e in root.iter(etree.Element) for a in e.attrib])
        el.set(name, space + el.get(name))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_schema_verdicts_equal_javas(java):
    sources = _documents()
    rng = random.Random(5)
    total = int(os.environ.get("EINVOICE_XSD_JAVA_MUTANTS", "300"))
    cases = [(d, "as written") for d in sources]
    cases += [(mutant(sources[i % len(sources)], 9000 + i)[0], "mutant") for i in range(total)]
    cases += [(_spaced(sources[i % len(sources)], rng), "spaced") for i in range(total // 2)]
    compared, differ = 0, []
    for data, what in cases:
        try:
            doc = syntax.read_tree(xmlsafe.parse(data).getroot())
        except UnreadableInput:
            continue
        key = xsd.schema_key(doc.root, doc.syntax, PROFILES[str(getattr(doc.syntax, "value", doc.syntax))])
        if key not in KEYS:
            continue
        ours = not xsd.validate_tree(doc.root, doc.syntax, profile=PROFILES[str(getattr(doc.syntax, "value", doc.syntax))])
        theirs = java(key, data)
        compared += 1
        if ours != theirs:
            differ.append((what, key, "valid here" if ours else "invalid here", data[:200]))
    print(f"\ncompared {compared} schema verdicts with Java's validator")
    assert compared >= total
    assert not differ, differ[:3]



@pytest.mark.parametrize("where, kind, key", [("attachment", "ubl", "ubl-invoice"), ("attachment", "cii", "cii-en16931"),
                                              ("signature", "ubl", "ubl-invoice")])
def test_base64_texts_as_javas_validator_reads_them(java, where, kind, key):
    """Base64 texts with characters libxml2 skips and Java's validator refuses (see tests/test_xsd_base64.py), in an
    attachment and in a UBL invoice's XML signature (ds:SignatureValue, validated lax by both)."""
    from test_xsd_base64 import BASE64_TEXTS, document, signed

    for text, _expected in BASE64_TEXTS:
        data = document(kind, text) if where == "attachment" else signed(text)
        doc = syntax.read_tree(xmlsafe.parse(data).getroot())
        ours = not xsd.validate_tree(doc.root, doc.syntax, profile=PROFILES[kind])
        assert ours == java(key, data), repr(text)
