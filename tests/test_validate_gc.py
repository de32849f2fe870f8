"""validate() pauses the cyclic garbage collector for one document and always resumes it."""

import gc

import pytest

from einvoice import validate
from einvoice.errors import UnreadableInput
from einvoice.validate import gc_paused

from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def test_collector_is_running_again_after_a_validation():
    assert gc.isenabled()
    validate((SAMPLES / "ehf-invoice.xml").read_bytes())
    assert gc.isenabled()


def test_collector_is_running_again_after_unreadable_input():
    with pytest.raises(UnreadableInput):
        validate(b"<not-closed")
    assert gc.isenabled()


def test_paused_while_validating_and_left_alone_when_the_caller_paused_it():
    import threading

    if threading.active_count() != 1:
        pytest.skip("paused only when the calling thread is the only one (another test left a thread)")
    seen = []

    @gc_paused
    def probe():
        seen.append(gc.isenabled())

    probe()
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        probe()
        assert not gc.isenabled()  # the caller's choice is kept
    finally:
        gc.enable()


def test_never_paused_while_other_threads_run():
    """The collector is the process's: with another thread running, a validation leaves it on (paused by
    validations in several threads, it was nearly never on and an application's cycles piled up)."""
    import threading

    seen = []

    @gc_paused
    def probe():
        seen.append(gc.isenabled())

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        probe()
        validate((SAMPLES / "ehf-invoice.xml").read_bytes())
    finally:
        stop.set()
        other.join()
    assert seen == [True] and gc.isenabled()


def test_the_collector_runs_while_threads_validate():
    """Threads validating in a loop: the main thread sees the collector on, and it collects."""
    import threading
    import time

    data = (SAMPLES / "ehf-invoice.xml").read_bytes()
    stop = threading.Event()

    def work():
        while not stop.is_set():
            validate(data)

    threads = [threading.Thread(target=work) for _ in range(3)]
    before = sum(s["collections"] for s in gc.get_stats())
    for t in threads:
        t.start()
    off = 0
    try:
        for _ in range(200):
            off += not gc.isenabled()
            [{}.setdefault("self", {}) for _ in range(50)]
            time.sleep(0.005)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert off == 0
    assert sum(s["collections"] for s in gc.get_stats()) > before


def test_collector_is_running_again_after_the_command_validated_one_file():
    """The command pauses the collector for a single file and resumes it when it ends (also when it
    runs inside another process, as here)."""
    from einvoice.cli import main

    assert gc.isenabled()
    with pytest.raises(SystemExit) as ended:
        main(["validate", str(SAMPLES / "ehf-invoice.xml")])
    assert ended.value.code == 0
    assert gc.isenabled()


def _documents() -> list[tuple[str, bytes]]:
    """The samples, and complete examples of the official suites (UBL, CII, national, Factur-X PDFs) when present."""
    from fragments import CONFORMANCE

    files = sorted(SAMPLES.glob("*.xml"))
    for folder, pattern in (("en16931/ubl/examples", "*.xml"), ("en16931/cii/examples", "*.xml"),
                            ("peppol-bis-3/rules/national-examples", "*.xml"), ("facturx-samples", "*.pdf")):
        files += sorted((CONFORMANCE / folder).rglob(pattern))[:12]
    return [(p.name, p.read_bytes()) for p in files]


def _held_in_cycles(data: bytes, options: dict) -> list[str]:
    """What one validation leaves in reference cycles: every object for XML; for a PDF, einvoice's (the PDF
    libraries' objects refer to one another, as do lxml's feed parser and the unfinished tree it leaves
    when the root element's name is read from the first bytes of the attachment)."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        validate(data, **options)
        gc.collect()
        pdf = data.startswith(b"%PDF")
        return sorted({f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.garbage
                       if not pdf or type(o).__module__.split(".")[0] == "einvoice"})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.collect()


@pytest.mark.parametrize("options", [{}, {"profile": "ehf"}, {"profile": "facturx-en16931"}, {"policy": True}],
                         ids=["auto", "ehf", "facturx", "policy"])
def test_a_validated_document_leaves_no_reference_cycles(options):
    """Everything a validation builds is freed by reference counting once its report is returned, the
    document's tree first: the cyclic collector has nothing to find. (Compiled, a function's closures share
    one scope object: a closure kept where that scope reaches, a memo of the document's index say, made a
    cycle holding the whole tree, found and freed later in bulk, a hundred documents' objects at once.)"""
    docs = _documents()
    for _name, data in docs:  # first runs: what is built once per process (imports, tables, caches)
        validate(data, **options)
    gc.collect()
    cyclic = {name: kinds for name, data in docs if (kinds := _held_in_cycles(data, options))}
    assert not cyclic, cyclic
