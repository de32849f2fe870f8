"""The library used from several threads at once, from a cold start: the same verdicts as one after the other.

Runs in a new process, so that every lazy import, table compilation and cache is first reached by threads
racing for it: conformance documents and mutants of them, under several profiles, releases and the house
policy. (One such race, a finding located while another thread was still importing the model, is also
reproduced deterministically in test_reliability.py.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fragments import CONFORMANCE

ROOT = Path(__file__).resolve().parent.parent

_SCRIPT = r"""
import json, sys
from concurrent.futures import ThreadPoolExecutor
import einvoice

sys.path.insert(0, "tests")
from mutate import mutant

paths = json.loads(sys.argv[1])
sources = [open(p, "rb").read() for p in paths]
docs = [d for i, d in enumerate(sources)] + [mutant(d, 8800 + i)[0] for i, d in enumerate(sources * 2)]
PROFILES = ["auto", "ehf", "en16931", "xrechnung", "facturx-en16931", "facturx-basic", "peppol"]


def verdict(job):
    i, data = job
    try:
        r = einvoice.validate(data, profile=PROFILES[i % len(PROFILES)], rules={"peppol": "3.0.20"} if i % 5 == 0 else None,
                              policy=i % 3 == 0)
        return [r.profile, sorted([f.rule, f.severity.value, f.line or 0] for f in r.findings), list(r.internal_errors)]
    except einvoice.UnreadableInput as exc:
        return ["unreadable", exc.reason]
    except Exception as exc:  # what the test reports
        return ["exception", f"{type(exc).__name__}: {exc}"]


jobs = list(enumerate(docs))
with ThreadPoolExecutor(8) as pool:
    together = list(pool.map(verdict, jobs))
print(json.dumps([together, [verdict(job) for job in jobs]]))
"""


def test_threads_from_a_cold_start_give_the_verdicts_of_one_thread():
    paths = sorted(str(p) for p in (ROOT / "samples").glob("*.xml"))
    if CONFORMANCE.is_dir():
        paths += sorted(str(p) for p in (CONFORMANCE / "en16931").rglob("*.xml"))[:80]
        paths += sorted(str(p) for p in (CONFORMANCE / "peppol-bis-3" / "rules" / "examples").rglob("*.xml"))[:20]
    out = subprocess.run([sys.executable, "-c", _SCRIPT, json.dumps(paths)], capture_output=True, text=True,
                         timeout=600, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    together, alone = json.loads(out.stdout)
    assert not [v for v in together if v[0] == "exception"], [v for v in together if v[0] == "exception"][:3]
    assert together == alone


_FORK_SCRIPT = r"""
import os, signal, sys, threading, time
import einvoice

samples = [open(p, "rb").read() for p in sys.argv[1:]]
for s in samples:
    einvoice.validate(s)
stop = False

def loop(data):
    while not stop:
        einvoice.validate(data)

threads = [threading.Thread(target=loop, args=(samples[i % len(samples)],), daemon=True) for i in range(4)]
for t in threads:
    t.start()
hung = 0
for i in range(12):
    time.sleep(0.03)
    pid = os.fork()
    if pid == 0:  # the child validates once, as a worker forked by a pool would; killed if it hangs
        signal.alarm(15)
        os._exit(0 if einvoice.validate(samples[i % len(samples)]).valid else 3)
    _, status = os.waitpid(pid, 0)
    hung += os.WIFSIGNALED(status) or os.WEXITSTATUS(status) != 0
stop = True
print("hung", hung)
"""


def test_a_process_forked_while_threads_validate_validates_in_the_child():
    """lxml locks an XPath evaluator while it runs: one shared by every thread, held by another thread when the
    process forked, stayed held in the child, whose first validation hung for good (11 of 15 children before
    the evaluators were made fork-safe)."""
    import os

    if not hasattr(os, "fork"):
        import pytest

        pytest.skip("no fork on this platform")
    samples = [str(ROOT / "samples" / n) for n in ("ehf-invoice.xml", "facturx-en16931.xml", "peppol-se-bankgiro.xml")]
    run = subprocess.run([sys.executable, "-c", _FORK_SCRIPT, *samples], capture_output=True, text=True, timeout=600,
                         cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "hung 0", run.stdout + run.stderr[-2000:]


_FIRST_USE_FORK = r"""
import os, signal, sys, threading, time
import einvoice

ehf, cii, delay = sys.argv[1], sys.argv[2], float(sys.argv[3]) / 1000
threading.Thread(target=lambda: [einvoice.validate(f) for f in (ehf, cii, ehf, cii)], daemon=True).start()
time.sleep(delay)
pid = os.fork()
if pid == 0:  # the child's first validation, while the parent's thread was in its own first ones at the fork
    signal.alarm(20)
    try:
        os._exit(0 if einvoice.validate(ehf).valid else 4)
    except Exception as exc:
        print(type(exc).__name__, exc, flush=True)
        os._exit(3)
_, status = os.waitpid(pid, 0)
print("hung" if os.WIFSIGNALED(status) else f"exit {os.WEXITSTATUS(status)}")
"""


def test_a_fork_during_another_threads_first_validations_leaves_a_working_child():
    """The library imports its modules (and lxml, and libxml2 its schema types) on first use: a fork while another
    thread did that left the child waiting for good on an import lock whose thread it does not have (a fork at
    0 to 30 ms), or with a half-made module; a fork now waits for such imports and first validations to end."""
    import os

    if not hasattr(os, "fork"):
        import pytest

        pytest.skip("no fork on this platform")
    ehf, cii = str(ROOT / "samples" / "ehf-invoice.xml"), str(ROOT / "samples" / "facturx-en16931.xml")
    for delay in (0, 5, 10, 20, 30):
        run = subprocess.run([sys.executable, "-c", _FIRST_USE_FORK, ehf, cii, str(delay)], capture_output=True,
                             text=True, timeout=120, cwd=ROOT)
        assert run.stdout.strip() == "exit 0" and not run.stderr.strip(), (delay, run.stdout, run.stderr[-2000:])


def test_runs_on_one_document_from_two_threads_take_turns(monkeypatch):
    """A Document keeps what a run computed in its evaluation context (release, profile): two runs on one Document
    from two threads in other contexts took each other's (a Peppol 3.0.21 rule in a 3.0.19 result, 6 to 25 of 240
    runs). The second run waits for the first: shown here by holding the first inside its rules."""
    import threading
    import time

    import importlib

    import einvoice

    v = importlib.import_module("einvoice.validate")  # (the module: einvoice.validate is also the function)
    doc = einvoice.load(ROOT / "samples" / "ehf-invoice.xml")
    v.validate_document(doc)  # (warm: the first use's own lock is not what is shown)
    v.validate_document(doc, rules={"peppol": "3.0.19"})
    inside, release, real = [], threading.Event(), v.run_rules

    def held(*args, **kwargs):
        inside.append(threading.current_thread().name)
        if threading.current_thread().name == "first":
            assert release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(v, "run_rules", held)
    results = {}
    first = threading.Thread(target=lambda: results.setdefault("first", v.validate_document(doc)), name="first")
    second = threading.Thread(target=lambda: results.setdefault("second", v.validate_document(
        doc, rules={"peppol": "3.0.19"})), name="second")
    first.start()
    while not inside:
        time.sleep(0.01)
    second.start()
    time.sleep(0.3)
    assert inside == ["first"]  # (the second waits outside while the first runs)
    release.set()
    first.join(10)
    second.join(10)
    assert inside == ["first", "second"]
    assert "Peppol BIS Billing 3.0.21" in " ".join(results["first"].releases)
    assert "Peppol BIS Billing 3.0.19" in " ".join(results["second"].releases)


_SHARED_TREE_SCRIPT = r"""
import copy, json, sys, threading
import einvoice
from einvoice import xsd
from lxml import etree

xsd.WIDE, xsd.WINDOW = 40, 8  # (a document of 150 lines validated in many windows: quick, and much moving)
CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
base = open(sys.argv[1], "rb").read()


def wide():
    root = etree.fromstring(base)
    line = root.find(f"{CAC}InvoiceLine")
    for i in range(150):
        c = copy.deepcopy(line)
        c.find(f"{CBC}ID").text = f"L{i}"
        if i % 30 == 7:
            c.find(f"{CBC}ID").set("bogus", "x")  # XSD errors in several windows
        line.addnext(c)
    return root


def dates():
    root = etree.fromstring(base)
    for el in root.iter(f"{CBC}IssueDate", f"{CBC}DueDate"):
        el.text = f"  {el.text}\n"
    return root


def attached():
    root = etree.fromstring(base)
    ref = etree.Element(f"{CAC}AdditionalDocumentReference")
    root.find(f"{CAC}AccountingSupplierParty").addprevious(ref)
    etree.SubElement(ref, f"{CBC}ID").text = "att1"
    obj = etree.SubElement(etree.SubElement(ref, f"{CAC}Attachment"), f"{CBC}EmbeddedDocumentBinaryObject",
                           mimeCode="application/pdf", filename="a.pdf")
    obj.text = "QUFB" * 20_000
    return root


def norm(report):
    return json.dumps(report.as_dict(), sort_keys=True, default=str)


out = {}
for name, make in (("wide", wide), ("dates", dates), ("attached", attached)):
    root = make()
    before = etree.tostring(root)
    alone = norm(einvoice.validate(root))
    got = []

    def work():
        for _ in range(int(sys.argv[2])):
            try:
                got.append(norm(einvoice.validate(root)))
            except Exception as exc:
                got.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=work) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    out[name] = [sum(g != alone for g in got), len(got), etree.tostring(root) == before, json.loads(alone)["valid"]]
print(json.dumps(out))
"""


def test_threads_validating_one_lxml_element_get_the_verdict_of_one_thread():
    """einvoice.validate(root) from several threads on one lxml element: the XSD step changed the caller's tree
    while it ran (dates without their white space, long base64 swapped for a stand-in, wide groups of siblings
    moved out a window at a time), so the threads moved the same nodes at once (a segmentation fault) and one
    thread's rules read dates another had stripped (valid=True for a refused invoice). It works on a copy now."""
    out = subprocess.run([sys.executable, "-c", _SHARED_TREE_SCRIPT, str(ROOT / "samples" / "ehf-invoice.xml"), "8"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, (out.returncode, out.stderr[-2000:])
    found = json.loads(out.stdout)
    assert found["dates"][3] is False and found["wide"][3] is False  # (refused: F001 for the dates, XSD for the lines)
    assert {name: (differing, runs, same_tree) for name, (differing, runs, same_tree, _valid) in found.items()} == {
        name: (0, 32, True) for name in ("wide", "dates", "attached")}


def test_only_a_callers_tree_is_copied_for_the_schema_step(monkeypatch):
    """The schema step works on a copy of a tree it would change (long runs of siblings, long base64, dates with white
    space) when the tree is a caller's element, which other threads may read; a tree einvoice parsed itself for the
    run is changed and put back as before, not copied (a 10,000-line invoice paid for a copy it did not need)."""
    import copy

    from lxml import etree

    import einvoice
    from einvoice import xsd

    sample = (Path(__file__).resolve().parents[1] / "samples" / "ehf-invoice.xml").read_bytes()
    root = etree.fromstring(sample)
    line = root.find("{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}InvoiceLine")
    for _ in range(xsd.WIDE + 5):
        line.addnext(copy.deepcopy(line))
    wide = etree.tostring(root)
    copies = []
    real = copy.deepcopy
    monkeypatch.setattr(xsd.copy, "deepcopy", lambda x, *a: copies.append(x) or real(x, *a))
    by_bytes = einvoice.validate(wide)
    assert copies == []
    before = etree.tostring(root)
    by_element = einvoice.validate(root)
    assert len(copies) == 1 and etree.tostring(root) == before
    assert [(f.rule, f.xpath) for f in by_bytes.findings] == [(f.rule, f.xpath) for f in by_element.findings]


def test_a_schema_compiled_in_a_thread_holds_the_lock_a_fork_waits_for(monkeypatch):
    """Each thread compiles its own schemas, also once the process's first validations are done (a new thread of a
    pool): a child forked meanwhile could hang for good on a lock of libxml2's. The compile holds the lock a fork waits
    for (einvoice.FIRST_USE), as first validations do."""
    import threading

    import einvoice
    from einvoice import xsd

    started, go = threading.Event(), threading.Event()
    real = xsd._compiled

    def slow(key):
        started.set()
        go.wait(10)
        return real(key)

    monkeypatch.setattr(xsd, "_compiled", slow)
    worker = threading.Thread(target=xsd.get_schema, args=("ubl-invoice",))  # (a new thread: no schema of its own yet)
    worker.start()
    try:
        assert started.wait(10)
        assert not einvoice.FIRST_USE.acquire(blocking=False)  # (what a fork takes first: it would wait here)
    finally:
        go.set()
        worker.join(30)
    assert einvoice.FIRST_USE.acquire(blocking=False)
    einvoice.FIRST_USE.release()


def test_a_fork_while_another_thread_imports_a_module_that_logs_does_not_hang(tmp_path):
    """Before a fork einvoice waits (two seconds at most) for other threads' imports to finish. It waited on the
    import's lock itself: logging's own fork handler, run first (logging imported after einvoice), had taken logging's
    lock, and an import that logs (fontTools, imported by pypdf) waited for it: the fork and the import hung for good."""
    (tmp_path / "logs_on_import.py").write_text(
        "import logging, time\ntime.sleep(0.5)\nlogging.getLogger('logs_on_import')\n")
    code = ("import os, sys, threading, time\n"
            f"sys.path.insert(0, {str(tmp_path)!r})\n"
            "import einvoice\n"
            "import logging\n"  # (after einvoice: its fork handler runs before einvoice's)
            "t = threading.Thread(target=__import__, args=('logs_on_import',))\n"
            "t.start()\n"
            "time.sleep(0.2)\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    os._exit(0)\n"
            "os.waitpid(pid, 0)\n"
            "t.join()\n"
            "print('done')\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0 and res.stdout.strip() == "done", res.stderr
