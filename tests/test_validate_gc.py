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


def test_collector_is_running_again_after_the_command_validated_one_file():
    """The command pauses the collector for a single file and resumes it when it ends (also when it
    runs inside another process, as here)."""
    from einvoice.cli import main

    assert gc.isenabled()
    with pytest.raises(SystemExit) as ended:
        main(["validate", str(SAMPLES / "ehf-invoice.xml")])
    assert ended.value.code == 0
    assert gc.isenabled()
