"""A time limit raised as an ordinary Exception by a signal handler (Celery's SoftTimeLimitExceeded, a
``signal.alarm`` handler that raises) reaches the caller: it is not a rule's failure (EINV-INTERNAL), and a loaded
Document interrupted that way gives, validated again, what a fresh one gives."""

import re
import signal
import threading
from pathlib import Path

import pytest

import einvoice
from einvoice.rules import engine
from einvoice.validate import validate_document

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread(),
                                reason="needs setitimer in the main thread")


class SoftTimeLimitExceeded(Exception):  # as celery.exceptions.SoftTimeLimitExceeded: a plain Exception
    pass


def _raise_time_limit(signum, frame):
    raise SoftTimeLimitExceeded("time limit")


def _summary(report):
    return report.valid, sorted((f.rule, f.xpath) for f in report.findings), list(report.internal_errors)


def _invalid_document() -> bytes:
    data = (SAMPLES / "ehf-45-lines.xml").read_bytes()
    return re.sub(rb"(<cbc:PayableAmount[^>]*>)[^<]*", rb"\g<1>1.01", data, count=1)


@pytest.mark.parametrize("data", [(SAMPLES / "ehf-45-lines.xml").read_bytes(), _invalid_document()],
                         ids=["valid", "invalid"])
def test_a_time_limit_raised_by_a_signal_handler_reaches_the_caller_and_leaves_nothing(data):
    expected = _summary(validate_document(einvoice.load(data)))
    old = signal.signal(signal.SIGALRM, _raise_time_limit)
    raised = 0
    try:
        for us in range(100, 12000, 150):
            doc = einvoice.load(data)
            try:
                signal.setitimer(signal.ITIMER_REAL, us / 1e6)
                report = validate_document(doc)
                signal.setitimer(signal.ITIMER_REAL, 0)
            except SoftTimeLimitExceeded:
                raised += 1
            else:
                assert not any(f.rule == "EINV-INTERNAL" for f in report.findings), (us, report.internal_errors)
                assert not report.internal_errors, (us, report.internal_errors)
            signal.setitimer(signal.ITIMER_REAL, 0)
            assert _summary(validate_document(doc)) == expected, us  # the same Document, no time limit
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert raised


def test_a_rules_own_failure_is_reported_and_worked_out_again_on_the_next_run():
    calls = []

    def evaluate(doc):
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("a rule's bug")
        return {}

    family = engine.Family("probe", evaluate)
    doc = einvoice.load((SAMPLES / "ehf-invoice.xml").read_bytes())
    assert isinstance(family.results(doc), engine._FamilyFailed)  # a rule's own error: reported (EINV-INTERNAL)
    engine.forget_failures(doc)
    assert family.results(doc) == {} and len(calls) == 2


def test_an_exception_from_a_handler_is_told_from_a_rules_own():
    def rule_code():
        raise SoftTimeLimitExceeded("mine")

    try:
        rule_code()
    except SoftTimeLimitExceeded as exc:
        assert not engine.interrupted(exc)
    old = signal.signal(signal.SIGALRM, _raise_time_limit)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.001)
        with pytest.raises(SoftTimeLimitExceeded) as caught:
            while True:
                pass
        assert engine.interrupted(caught.value)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
