"""A small seeded slice of the fuzz harness (scripts/fuzz.py): no crash, no hang, bounded memory.

The full campaign runs the same harness with more inputs (``python scripts/fuzz.py --count N``);
this slice keeps every kind of mutation and every entry point in the test suite.
"""

from __future__ import annotations

import script_module


def _fuzz():
    return script_module.load("fuzz")


def test_seeded_fuzz_slice_finds_no_crash_hang_or_memory_blowup():
    fuzz = _fuzz()
    fig = fuzz.run(count=160, seed=20261201, budget=10.0, cli_every=8, mem_budget=300.0, quiet=True)
    text = fuzz.report(fig)
    assert fig["inputs"] == 160, text
    assert fig["crashes"] == 0, text
    assert fig["hangs"] == 0, text
    assert not fig["memory_over_budget"], text
    calls = fig["calls"]
    for entry in ("call:validate", "call:show", "call:extract", "call:build"):
        assert calls.get(entry, 0) > 0, (entry, calls)
    assert any(k.startswith("cli:") for k in calls), calls


def test_harness_reports_a_crash(monkeypatch):
    """The harness is no rubber stamp: an exception out of an entry point is counted as a crash."""
    import sys

    import einvoice.validate  # noqa: F401

    fuzz = _fuzz()
    validate_module = sys.modules["einvoice.validate"]

    def broken(*_a, **_kw):
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(validate_module, "validate_document", broken)
    fig = fuzz.run(count=10, seed=1, budget=10.0, cli_every=0, quiet=True)
    assert fig["crashes"] > 0
    assert any("ZeroDivisionError" in c["what"] for c in fig["distinct_crashes"])
