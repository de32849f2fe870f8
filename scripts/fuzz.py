#!/usr/bin/env python3
"""Fuzz the library and the command line with hostile invoices.

Seeds are the complete examples of the shared conformance corpus (UBL, CII, Factur-X
PDFs) and the project's samples (XML and the YAML build inputs). Hypothesis picks a
seed and the mutations; a mutation works on bytes (flip, cut, splice, repeat, BOM and
encoding changes), on the XML structure (remove, repeat, rename or move elements,
hostile text values: 60-digit numbers, impossible dates, NaN, control characters;
thousands of attributes, deep nesting, a foreign root), on the PDF wrapping (the
XML re-embedded under another name, a Flate bomb, a missing /EF or /UF, an
attachment that is not a stream, two invoices, an encrypted or cut PDF) or on the
build input (keys removed, values of the wrong type or size).

Every input goes through the library (validate, show = the model read and printed,
convert, render, extract, build) and every ``--cli-every``-th input through the
command line as well (in process). What counts:

* crash: an exception other than the deliberate ones (UnreadableInput, BuildRefused,
  InvalidModelInput), a traceback or an "internal error" line from the command line,
  an exit code other than 0/1/2, or a rule that could not be evaluated (EINV-INTERNAL);
* hang: an input whose calls take more than ``--budget`` seconds of CPU time (they are stopped);
* memory: the peak resident size of the process, and the inputs that raised it by
  more than ``--mem-budget`` MB (an unbounded read would).

    python scripts/fuzz.py --count 10000 --seed 1 [--json out.json] [--crash-dir DIR]
    python scripts/fuzz.py --total out1.json out2.json ...   # add up the figures of several runs

Exit status 1 when a crash or a hang was found.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import resource
import sys
import tempfile
import time
import traceback
import warnings
import zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CORPUS = ROOT.parent / "shared" / "conformance"
SEED_FOLDERS = ("en16931/ubl/examples", "en16931/cii/examples", "peppol-bis-3/rules/examples",
                "facturx-samples/FX", "facturx-samples/CII", "facturx-samples/UBL")
MAX_SEED_BYTES = 300_000
PDF_MAX_BYTES = 2_000_000  # the size limit given to PDF reads (keeps Flate bombs cheap to refuse)

INTERESTING = [
    "", " ", "0", "-0", "00", "-1", "1e400", "1E-400", "NaN", "Infinity", "-inf", "9" * 60, "0." + "0" * 40 + "1",
    "1" * 20 + "." + "9" * 20, "12,50", "1 000", "0x10", "١٢٣", "20240230", "2024-02-30", "20241301", "2024-13-01",
    "0000-00-00", "00000000", "99991231", "9999-12-31", "2024-02-29", "20230229", "-2024-01-01", "2024-01-01T00:00:00",
    "\x00", "\x0b", "\u202e", "\ufeff", "\U0001F600" * 3, "é" * 300, "A" * 5000, "<", "&amp;", "]]>", "NOK", "XXX",
    "urn:cen.eu:en16931:2017", "urn:factur-x.eu:1p0:minimum", "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
    "380", "381", "999", "S", "Z", "AE", "O", "VAT", "0192", "9908", "NO999999999MVA", "DE123", "true", "false",
]
ATTR_NAMES = ["currencyID", "schemeID", "unitCode", "format", "listID", "mimeCode", "filename", "languageID"]
PDF_NAMES = ["factur-x.xml", "zugferd-invoice.xml", "ZUGFeRD-invoice.xml", "xrechnung.xml", "invoice.xml",
             "FACTUR-X.XML", "factur-x.xml "]


# --------------------------------------------------------------------------- seeds

def seeds(extra: list[str] | None = None) -> list[tuple[str, bytes]]:
    """(name, bytes) of every seed: corpus examples (when present), the samples, extra folders."""
    folders = [CORPUS / f for f in SEED_FOLDERS] if CORPUS.is_dir() else []
    folders.append(ROOT / "samples")
    folders += [Path(x) for x in extra or []]
    out = []
    for folder in folders:
        for p in sorted(folder.glob("*")):
            if p.suffix.lower() in (".xml", ".pdf", ".yaml", ".yml", ".json") and p.is_file() \
                    and p.stat().st_size <= MAX_SEED_BYTES:
                out.append((f"{folder.name}/{p.name}", p.read_bytes()))
    return out


# --------------------------------------------------------------------------- mutations

def mutate_bytes(data: bytes, rng: random.Random, op: str) -> bytes:
    n = len(data)
    if n == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
    if op == "flip":
        b = bytearray(data)
        for _ in range(rng.randrange(1, 16)):
            b[rng.randrange(n)] = rng.randrange(256)
        return bytes(b)
    if op == "cut":
        return data[:rng.randrange(n)]
    if op == "cut-head":
        return data[rng.randrange(n):]
    if op == "insert":
        i = rng.randrange(n)
        return data[:i] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64))) + data[i:]
    if op == "delete":
        i = rng.randrange(n)
        return data[:i] + data[i + rng.randrange(1, min(n - i, 4096) + 1):]
    if op == "repeat":
        i = rng.randrange(n)
        chunk = data[i:i + rng.randrange(1, 512)]
        return data[:i] + chunk * rng.randrange(2, 200) + data[i:]
    if op == "bom":
        return rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"  \n"]) + data
    if op == "encoding":
        text = data.decode("utf-8", "replace")
        enc = rng.choice(["utf-16", "utf-16-le", "latin-1", "cp1252"])
        return text.encode(enc, "replace")
    if op == "declaration":
        return re.sub(rb"encoding=\"[^\"]*\"", rng.choice([b'encoding="latin-1"', b'encoding="nonsense"',
                                                          b'encoding="UTF-16"', b""]), data, count=1)
    return data


STRUCT_OPS = ("text", "text", "text", "remove", "repeat", "rename", "move", "attrs", "attr", "nest", "root-ns",
              "comment", "swap-texts", "empty-all", "date", "number")


def mutate_tree(data: bytes, rng: random.Random, op: str, value: str) -> bytes:
    """One structural mutation of XML (the input is returned unchanged when it does not parse)."""
    from lxml import etree

    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except (etree.XMLSyntaxError, ValueError):
        return data
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    leaves = [e for e in elements if len(e) == 0]
    el = rng.choice(elements)
    if op == "text" and leaves:
        rng.choice(leaves).text = _xml_text(value)
    elif op == "date":
        dates = [e for e in leaves if "Date" in etree.QName(e).localname]
        if dates:
            rng.choice(dates).text = rng.choice(["20240230", "2024-02-30", "20231301", "2023-02-29", "00000000",
                                                 "2024-04-31", "99999999", "2024-1-1"])
    elif op == "number":
        nums = [e for e in leaves if e.text and re.fullmatch(r"\s*-?[0-9.]+\s*", e.text)]
        if nums:
            rng.choice(nums).text = rng.choice(["9" * rng.randrange(20, 80), "-" + "9" * 40 + ".99", "1e400",
                                                "0." + "0" * 60 + "1", "NaN", "-0.000", "1" * 30 + "." + "5" * 30])
    elif op == "remove" and el is not root:
        el.getparent().remove(el)
    elif op == "repeat" and el is not root:
        parent = el.getparent()
        for _ in range(rng.choice([1, 2, 10, 200, 2000])):
            parent.append(etree.fromstring(etree.tostring(el)))
    elif op == "rename":
        qn = etree.QName(el)
        el.tag = etree.QName(qn.namespace, rng.choice(["ID", "Note", "Name", "X", qn.localname + "s", "IssueDate",
                                                       "LineExtensionAmount", "CrossIndustryInvoice"])).text
    elif op == "move" and el is not root and len(elements) > 2:
        target = rng.choice(elements)
        if el not in target.iterancestors() and target is not el:
            target.append(el)
    elif op == "attrs":
        # lxml's set() scans the attributes it has (20,000 calls: seconds); the parser builds them at once
        many = " ".join(f'a{i}="x"' for i in range(rng.choice([10, 1000, 20000])))
        shell = etree.fromstring(f"<x {many}/>")
        for key, val in el.attrib.items():
            shell.set(key, val)
        shell.tag, shell.text, shell.tail = el.tag, el.text, el.tail
        for child in list(el):
            shell.append(child)
        if el is root:
            root = shell
        else:
            el.getparent().replace(el, shell)
    elif op == "attr":
        el.set(rng.choice(ATTR_NAMES), _xml_text(value))
    elif op == "nest":
        inner = el
        for _ in range(rng.choice([10, 100, 300])):
            wrapper = etree.Element(el.tag)
            wrapper.append(etree.fromstring(etree.tostring(inner)) if inner is el else inner)
            inner = wrapper
        if el is not root:
            el.getparent().replace(el, inner)
    elif op == "root-ns":
        root.tag = etree.QName(rng.choice(["urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
                                           "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
                                           "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
                                           "urn:x"]), rng.choice(["Invoice", "CreditNote", "CrossIndustryInvoice"])).text
    elif op == "comment":
        el.append(etree.Comment(" x "))
        el.append(etree.ProcessingInstruction("pi", "data"))
    elif op == "swap-texts" and len(leaves) > 1:
        a, b = rng.sample(leaves, 2)
        a.text, b.text = b.text, a.text
    elif op == "empty-all":
        for e in leaves:
            if rng.random() < 0.3:
                e.text = None
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _xml_text(value: str) -> str:
    """``value`` without the characters XML cannot carry (lxml refuses them)."""
    return re.sub(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", "?", value)


def make_pdf(xml: bytes, rng: random.Random, op: str) -> bytes:
    """A PDF carrying ``xml`` under a (maybe unknown) name, with one of the hostile wrappings."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, NameObject, NumberObject

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    name = rng.choice(PDF_NAMES) if op == "rename" else "factur-x.xml"
    w.add_attachment(name, xml)
    if op == "two":
        w.add_attachment(rng.choice(["zugferd-invoice.xml", "xrechnung.xml"]), xml)
    names = w._root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    spec = names[1].get_object()
    if op == "bomb":
        stream = spec["/EF"]["/F"].get_object()
        stream._data = zlib.compress(xml + b" " * rng.choice([3_000_000, 20_000_000]), 9)
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    elif op == "no-ef":
        del spec["/EF"]
    elif op == "no-f":
        del spec["/EF"]["/F"]
    elif op == "not-stream":
        spec["/EF"][NameObject("/F")] = rng.choice([NumberObject(7), ArrayObject()])
    elif op == "names-odd":
        names.append(NumberObject(1))
    if op in ("encrypt", "aes-claim"):
        w.encrypt("", rng.choice(["", "owner"]), algorithm="RC4-128")
    buf = io.BytesIO()
    w.write(buf)
    out = buf.getvalue()
    if op == "aes-claim":  # an encryption dictionary that asks for AES (which needs a missing dependency)
        out = out.replace(b"/V 2", b"/V 5").replace(b"/R 3", b"/R 6")
    if op == "cut":
        out = out[:rng.randrange(len(out))]
    return out


PDF_OPS = ("plain", "rename", "two", "bomb", "no-ef", "no-f", "not-stream", "names-odd", "encrypt", "aes-claim", "cut")


def mutate_build(data: bytes, rng: random.Random, value: str) -> bytes:
    """A build input (YAML) with one key removed or given a hostile value."""
    import yaml

    try:
        doc = yaml.load(data, Loader=_yaml_loader())
    except yaml.YAMLError:
        return data
    if not isinstance(doc, dict):
        return data
    paths = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                paths.append(path + [k])
                walk(v, path + [k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                paths.append(path + [i])
                walk(v, path + [i])

    walk(doc, [])
    for _ in range(rng.randrange(1, 4)):
        if not paths:
            break
        path = rng.choice(paths)
        parent = doc
        try:
            for k in path[:-1]:
                parent = parent[k]
            choice = rng.random()
            if choice < 0.25 and isinstance(parent, dict):
                del parent[path[-1]]
            else:
                parent[path[-1]] = rng.choice([value, None, [], {}, -1, 10 ** 60, 1e308, True, "2024-02-30",
                                               [value] * 3, {"value": value}, "9" * 60])
        except (KeyError, IndexError, TypeError):
            continue
    return yaml.dump(doc, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=True).encode("utf-8")


def _yaml_loader():
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: many times faster


# --------------------------------------------------------------------------- drivers

def _deliberate():
    from einvoice.errors import BuildRefused, InvalidModelInput, UnreadableInput

    return (UnreadableInput, BuildRefused, InvalidModelInput)


def drive_library(data: bytes, kind: str, n: int, stats: Counter) -> None:
    """Every library entry point that applies to the input; deliberate errors are fine, others propagate."""
    from einvoice import syntax
    from einvoice.validate import validate_document

    deliberate = _deliberate()
    if kind == "yaml":
        from einvoice.build import build_report

        import yaml

        try:
            doc = yaml.load(data, Loader=_yaml_loader())
        except yaml.YAMLError:
            return
        fmt = ("ehf", "peppol", "cii", "facturx-en16931", "facturx-basic")[n % 5]
        stats["call:build"] += 1
        try:
            build_report(doc, fmt)
        except deliberate:
            pass
        return
    if kind == "pdf":
        from einvoice.container import extract_xml

        stats["call:extract"] += 1
        try:
            extract_xml(data, "fuzz.pdf", PDF_MAX_BYTES)
        except deliberate:
            pass
    stats["call:validate"] += 1
    try:
        doc = syntax.load(data, max_bytes=PDF_MAX_BYTES if kind == "pdf" else 50 * 1024 * 1024)
    except deliberate:
        return
    report = validate_document(doc, schema=n % 3 != 0)
    if report.internal_errors:
        raise RuleError("; ".join(report.internal_errors)[:500])
    stats["call:show"] += 1
    inv = doc.invoice
    _show(inv)
    if n % 6 == 0:
        stats["call:convert"] += 1
        _convert(doc, n)
    if n % 8 == 0:
        from einvoice.render import render_html

        stats["call:render"] += 1
        render_html(inv, None)


class RuleError(Exception):
    """A rule that could not be evaluated on the input (reported as EINV-INTERNAL)."""


def _show(inv) -> None:
    """What ``einvoice show`` prints, without printing it."""
    from einvoice.cli import _money, _party

    t = inv.totals
    _ = [inv.number, inv.issue_date, inv.due_date, _party(inv.seller), _party(inv.buyer), len(inv.lines),
         _money(t.payable_amount, inv.currency_code) if t else "-",
         _money(t.tax_inclusive_amount, inv.currency_code) if t else "-"]
    for m in inv.payment_means:
        _ = [ct.account_id for ct in m.credit_transfers]


def _convert(doc, n: int) -> None:
    """UBL <-> CII through the semantic model, as `convert` does, then judged as a written document."""
    from einvoice.build import check_written
    from einvoice.syntax.convert import ConversionRefused, convert

    to = "cii" if n % 8 == 0 else "ubl"
    try:
        data = convert(doc.invoice, to, profile="peppol" if to == "ubl" and n % 16 == 1 else None)
        check_written(data, "auto")
    except (*_deliberate(), ConversionRefused):
        pass


CLI_COMMANDS = ("validate", "show", "convert", "render", "extract", "validate-json", "build")


def drive_cli(data: bytes, kind: str, n: int, folder: Path, stats: Counter) -> str | None:
    """One command on the input through the command line (in process); a description of what went wrong, or None."""
    from click.testing import CliRunner

    from einvoice.cli import main

    src = folder / ("in.pdf" if kind == "pdf" else "in.yaml" if kind == "yaml" else "in.xml")
    src.write_bytes(data)
    out = folder / "out"
    if kind == "yaml":
        args = ["build", str(src), "-f", ("ehf", "cii", "facturx-basic")[n % 3], "-o", str(out) + ".xml"]
    else:
        cmd = CLI_COMMANDS[n % 6]
        if cmd == "extract" and kind != "pdf":
            cmd = "validate"
        args = {"validate": ["validate", str(src), "--timeout", "20"],
                "validate-json": ["validate", str(src), "--format", "json", "-o", str(out) + ".json"],
                "show": ["show", str(src)],
                "convert": ["convert", str(src), "--to", "cii" if n % 2 else "ubl", "-o", str(out) + ".xml"],
                "render": ["render", str(src), "-o", str(out) + ".html"],
                "extract": ["extract", str(src), "-o", str(out) + ".xml"]}[cmd]
    stats[f"cli:{args[0]}"] += 1
    result = CliRunner().invoke(main, args, catch_exceptions=True)
    text = (result.output or "") + (getattr(result, "stderr", "") if result.stderr_bytes is not None else "")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"cli {' '.join(args[:1])}: exception {type(result.exception).__name__}: {result.exception}"
    if result.exit_code not in (0, 1, 2):
        return f"cli {args[0]}: exit code {result.exit_code}"
    if "Traceback" in text or "internal error" in text:
        line = next((ln for ln in text.splitlines() if "internal error" in ln or "Error" in ln), text[:200])
        return f"cli {args[0]}: {line[:300]}"
    if args[0] == "validate" and "-o" in args and result.exit_code in (0, 1):
        try:
            json.loads((Path(str(out) + ".json")).read_bytes().decode("utf-8"))
        except (ValueError, OSError) as exc:
            return f"cli validate: the JSON report is not valid UTF-8 JSON ({exc})"
    return None


# --------------------------------------------------------------------------- the run

def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run(count: int = 1000, seed: int = 0, budget: float = 10.0, cli_every: int = 20, mem_budget: float = 300.0,
        crash_dir: str | None = None, extra: list[str] | None = None, quiet: bool = False,
        checkpoint: str | None = None) -> dict:
    """Fuzz ``count`` inputs; the figures as a dict (see the module doc)."""
    from hypothesis import HealthCheck, Phase, given, settings, strategies as st
    from hypothesis import seed as hseed

    from einvoice.batch import OverBudget, time_budget

    warnings.simplefilter("ignore")
    import logging

    logging.disable(logging.CRITICAL)
    pool = seeds(extra)
    if not pool:
        raise SystemExit("no seeds found")
    groups: dict[str, list] = {}
    for name, raw in pool:
        ext = name.rsplit(".", 1)[-1].lower()
        groups.setdefault("pdf" if ext == "pdf" else "yaml" if ext in ("yaml", "yml", "json") else "xml",
                          []).append((name, raw))
    # XML inputs most often, then PDFs, then build inputs
    group_names = [g for g in ("xml", "xml", "xml", "xml", "xml", "pdf", "pdf", "yaml") if g in groups]
    stats: Counter = Counter()
    crashes: dict[str, dict] = {}
    hangs: list[dict] = []
    memory: list[dict] = []
    slowest = [0.0, ""]
    started = time.time()
    tmp = Path(tempfile.mkdtemp(prefix="einvoice-fuzz-"))
    crash_path = Path(crash_dir) if crash_dir else None
    counter = [0]
    base_peak = _peak_mb()

    def record(kind: str, label: str, data: bytes, what: str, detail: str) -> None:
        key = what.split("\n")[0][:160]
        entry = crashes.setdefault(key, {"what": key, "count": 0, "example": label, "detail": detail[-2000:]})
        entry["count"] += 1
        if crash_path is not None and entry["count"] == 1:
            crash_path.mkdir(parents=True, exist_ok=True)
            ext = {"pdf": ".pdf", "yaml": ".yaml"}.get(kind, ".xml")
            (crash_path / f"crash-{seed}-{len(crashes)}{ext}").write_bytes(data)

    def snapshot() -> dict:
        return {
            "seed": seed, "inputs": stats["inputs"], "seconds": round(time.time() - started, 1),
            "crashes": sum(c["count"] for c in crashes.values()), "distinct_crashes": list(crashes.values()),
            "hangs": len(hangs), "hang_inputs": hangs[:20], "budget_seconds": budget,
            "peak_rss_mb": round(_peak_mb(), 1), "start_rss_mb": round(base_peak, 1),
            "memory_over_budget": memory[:20], "mem_budget_mb": mem_budget,
            "slowest": {"seconds": round(slowest[0], 3), "input": slowest[1]},
            "calls": {k: v for k, v in sorted(stats.items()) if ":" in k}, "seeds": len(pool),
        }

    @hseed(seed)
    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=False)
    @given(st.data())
    def one(data_strategy):
        draw = data_strategy.draw
        n = counter[0]
        counter[0] += 1
        group = groups[draw(st.sampled_from(group_names), label="group")]
        name, raw = group[draw(st.integers(0, len(group) - 1), label="seed")]
        rng = random.Random(draw(st.integers(0, 2 ** 32 - 1), label="rng"))
        value = draw(st.one_of(st.sampled_from(INTERESTING), st.text(max_size=40),
                               st.decimals(allow_nan=True, allow_infinity=True).map(str),
                               st.integers(min_value=-10 ** 70, max_value=10 ** 70).map(str),
                               st.dates().map(lambda d: d.isoformat())), label="value")
        ext = name.rsplit(".", 1)[-1].lower()
        kind = "pdf" if ext == "pdf" else "yaml" if ext in ("yaml", "yml", "json") else "xml"
        layer = draw(st.sampled_from(["bytes", "tree", "tree", "tree", "pdf", "none"]), label="layer")
        label = f"{name} {layer}"
        try:
            if kind == "yaml":
                raw = mutate_build(raw, rng, value)
                if layer == "bytes":
                    raw = mutate_bytes(raw, rng, draw(st.sampled_from(["flip", "cut", "insert", "delete"])))
                label += " build"
            elif kind == "pdf":
                if layer in ("tree", "pdf"):
                    from einvoice.container import extract_xml

                    try:
                        xml = extract_xml(raw, None)[1]
                    except Exception:  # noqa: BLE001 - a seed PDF without usable XML: byte mutations only
                        xml = None
                    if xml is not None:
                        ops = draw(st.lists(st.sampled_from(STRUCT_OPS), min_size=0, max_size=3))
                        for op in ops:
                            xml = mutate_tree(xml, rng, op, value)
                        pop = draw(st.sampled_from(PDF_OPS))
                        raw = make_pdf(xml, rng, pop)
                        label += f" {'+'.join(ops)} pdf:{pop}"
                elif layer == "bytes":
                    op = draw(st.sampled_from(["flip", "cut", "insert", "delete", "repeat"]))
                    raw = mutate_bytes(raw, rng, op)
                    label += f" {op}"
            else:
                if layer == "bytes":
                    op = draw(st.sampled_from(["flip", "cut", "cut-head", "insert", "delete", "repeat", "bom",
                                               "encoding", "declaration"]))
                    raw = mutate_bytes(raw, rng, op)
                    label += f" {op}"
                elif layer in ("tree", "pdf"):
                    ops = draw(st.lists(st.sampled_from(STRUCT_OPS), min_size=1, max_size=4))
                    for op in ops:
                        raw = mutate_tree(raw, rng, op, value)
                    label += " " + "+".join(ops)
                    if layer == "pdf":
                        pop = draw(st.sampled_from(PDF_OPS))
                        raw = make_pdf(raw, rng, pop)
                        kind = "pdf"
                        label += f" pdf:{pop}"
        except Exception as exc:  # noqa: BLE001 - a mutation that failed: the input is used as it is
            stats["mutation-failed"] += 1
            label += f" (mutation failed: {type(exc).__name__})"
        stats["inputs"] += 1
        stats[f"kind:{kind}"] += 1
        stats[f"layer:{layer}"] += 1
        peak_before = _peak_mb()
        t0 = time.perf_counter()
        c0 = time.process_time()
        try:
            with time_budget(budget, cpu=True):  # CPU seconds: a busy machine is no hang
                drive_library(raw, kind, n, stats)
                if cli_every and n % cli_every == 0:
                    problem = drive_cli(raw, kind, n, tmp, stats)
                    if problem:
                        record(kind, label, raw, problem, problem)
        except OverBudget:
            hangs.append({"input": label, "bytes": len(raw), "seconds": round(time.perf_counter() - t0, 2),
                          "cpu_seconds": budget})
            if crash_path is not None:
                crash_path.mkdir(parents=True, exist_ok=True)
                (crash_path / f"hang-{seed}-{len(hangs)}.{kind}").write_bytes(raw)
        except RuleError as exc:
            record(kind, label, raw, f"rule error: {str(exc)[:150]}", str(exc))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - this is what the fuzzer looks for
            tb = traceback.extract_tb(exc.__traceback__)
            where = next((f"{Path(f.filename).name}:{f.lineno}" for f in reversed(tb)
                          if "/einvoice/" in f.filename), "?")
            record(kind, label, raw, f"{type(exc).__name__} at {where}: {str(exc)[:100]}",
                   "".join(traceback.format_exception(exc)))
        spent = time.process_time() - c0  # CPU: a busy machine does not make an input look slow
        if spent > slowest[0]:
            slowest[:] = [spent, label]
        rise = _peak_mb() - peak_before
        if rise > mem_budget:
            memory.append({"input": label, "bytes": len(raw), "peak_rise_mb": round(rise, 1)})
        if checkpoint and stats["inputs"] % 250 == 0:  # a run stopped early still has its figures
            Path(checkpoint).write_text(json.dumps(snapshot(), indent=2, ensure_ascii=False))
        if not quiet and stats["inputs"] % 500 == 0:
            print(f"  {stats['inputs']} inputs, {sum(c['count'] for c in crashes.values())} crashes, "
                  f"{len(hangs)} hangs, peak {_peak_mb():.0f} MB, {time.time() - started:.0f} s", flush=True)

    one()
    figures = snapshot()
    return figures


def report(fig: dict) -> str:
    lines = [f"inputs tried: {fig['inputs']} (seeds {fig.get('seeds', '-')}, {fig['seconds']} s)",
             f"crashes: {fig['crashes']} ({len(fig['distinct_crashes'])} distinct)",
             f"hangs over {fig['budget_seconds']} s: {fig['hangs']}",
             f"memory: peak RSS {fig['peak_rss_mb']} MB; inputs raising it by more than {fig['mem_budget_mb']} MB: "
             f"{len(fig['memory_over_budget'])}",
             f"slowest input: {fig['slowest']['seconds']} s CPU ({fig['slowest']['input']})",
             "calls: " + ", ".join(f"{k} {v}" for k, v in fig["calls"].items())]
    for c in fig["distinct_crashes"][:20]:
        lines.append(f"  CRASH x{c['count']}: {c['what']}  [{c['example']}]")
    for h in fig["hang_inputs"][:10]:
        lines.append(f"  HANG {h['seconds']} s: {h['input']} ({h['bytes']} bytes)")
    for m in fig["memory_over_budget"][:10]:
        lines.append(f"  MEMORY +{m['peak_rise_mb']} MB: {m['input']} ({m['bytes']} bytes)")
    return "\n".join(lines)


def total(paths: list[str]) -> dict:
    """The figures of several runs added up."""
    figs = [json.loads(Path(p).read_text()) for p in paths]
    calls: Counter = Counter()
    for f in figs:
        calls.update(f["calls"])
    slow = max(figs, key=lambda f: f["slowest"]["seconds"])["slowest"]
    crashes: dict[str, dict] = {}
    for f in figs:
        for c in f["distinct_crashes"]:
            e = crashes.setdefault(c["what"], dict(c, count=0))
            e["count"] += c["count"]
    return {"seed": [f["seed"] for f in figs], "inputs": sum(f["inputs"] for f in figs),
            "seconds": round(sum(f["seconds"] for f in figs), 1), "crashes": sum(f["crashes"] for f in figs),
            "distinct_crashes": list(crashes.values()), "hangs": sum(f["hangs"] for f in figs),
            "hang_inputs": [h for f in figs for h in f["hang_inputs"]], "budget_seconds": figs[0]["budget_seconds"],
            "peak_rss_mb": max(f["peak_rss_mb"] for f in figs), "mem_budget_mb": figs[0]["mem_budget_mb"],
            "memory_over_budget": [m for f in figs for m in f["memory_over_budget"]], "slowest": slow,
            "calls": dict(sorted(calls.items())), "seeds": figs[0].get("seeds")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=1000, help="inputs to try")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--budget", type=float, default=10.0, help="CPU seconds per input before it counts as a hang")
    ap.add_argument("--cli-every", type=int, default=20, help="every N-th input also goes through the command line")
    ap.add_argument("--mem-budget", type=float, default=300.0, help="MB one input may add to the peak RSS")
    ap.add_argument("--crash-dir", help="save inputs that crash or hang here")
    ap.add_argument("--seeds", action="append", help="another folder of seed files")
    ap.add_argument("--json", help="write the figures here (also every 250 inputs while running)")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--total", nargs="+", help="add up the figures of earlier runs (their --json files)")
    args = ap.parse_args(argv)
    if args.total:
        fig = total(args.total)
    else:
        fig = run(args.count, args.seed, args.budget, args.cli_every, args.mem_budget, args.crash_dir, args.seeds,
                  args.quiet, checkpoint=args.json)
    print(report(fig))
    if args.json:
        Path(args.json).write_text(json.dumps(fig, indent=2, ensure_ascii=False))
    return 1 if fig["crashes"] or fig["hangs"] else 0


if __name__ == "__main__":
    sys.exit(main())
