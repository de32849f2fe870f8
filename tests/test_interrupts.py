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


def _arrive_in(file_suffix: str, name: str, parent: str | None = None):
    """A profile function that raises SIGALRM (its handler: the time limit) when the named Python function is
    entered: the time limit arrives exactly there, as a real timer's would."""
    import sys

    def prof(frame, event, _arg):
        code = frame.f_code
        if event == "call" and code.co_name == name and code.co_filename.endswith(file_suffix) and (
                parent is None or frame.f_back is not None and frame.f_back.f_code.co_name == parent):
            sys.setprofile(None)
            signal.raise_signal(signal.SIGALRM)
    return prof


def _facturx_pdf() -> bytes:
    return einvoice.build_pdf(einvoice.load_input(SAMPLES / "facturx-en16931.yaml"), "facturx-en16931")


@pytest.mark.parametrize("make, kwargs, site", [
    # an IBAN checked by python-stdnum, whose clean() turns any exception into InvalidFormat: a correct IBAN was
    # reported as a wrong one (EINV-P-010 error, the invoice INVALID)
    (lambda: (SAMPLES / "facturx-en16931.xml").read_bytes(), {"policy": True}, ("stdnum/util.py", "<genexpr>", "clean")),
    # an organisation number's check: EINV-P-012 dropped
    (lambda: (SAMPLES / "ehf-invoice.xml").read_bytes().replace(b"921534523", b"921534524"), {"policy": True},
     ("stdnum/no/orgnr.py", "validate", None)),
    # a total's figures in BR-CO-16's message: dropped
    (_invalid_document, {}, ("einvoice/figures.py", "_pair", None)),
    # the PDF/A checks of a Factur-X PDF: an EINV-PDF-113 warning naming the time limit
    (_facturx_pdf, {}, ("einvoice/pdfa.py", "step", None)),
], ids=["iban", "organisation-number", "figures", "pdfa"])
def test_a_time_limit_is_not_taken_for_a_wrong_value_or_a_damaged_object(make, kwargs, site):
    """A time limit (a signal handler's exception) arriving in code that judges a value, words a message or reads a PDF
    object was caught there as that value's or object's fault: the call returned a wrong report (a correct IBAN called
    wrong, an error dropped, a bogus warning). It reaches the caller; the next run is as usual."""
    import sys

    data = make()
    expected = _summary(einvoice.validate(data, **kwargs))
    old = signal.signal(signal.SIGALRM, _raise_time_limit)
    try:
        sys.setprofile(_arrive_in(*site))
        with pytest.raises(SoftTimeLimitExceeded):
            einvoice.validate(data, **kwargs)
    finally:
        sys.setprofile(None)
        signal.signal(signal.SIGALRM, old)
    assert _summary(einvoice.validate(data, **kwargs)) == expected


def test_want_of_memory_in_a_rule_of_a_family_is_the_runs_not_the_rules(monkeypatch):
    """A MemoryError in a rule evaluated with others in one pass (the VAT rules, national rules, Factur-X rules) was
    kept as that rule's result and reported as EINV-INTERNAL: a valid invoice INVALID, 'please report this document'.
    The want of memory is the run's, as everywhere else: it reaches the caller."""
    from einvoice.rules.en16931 import vat

    data = (SAMPLES / "ehf-invoice.xml").read_bytes()
    assert einvoice.validate(data).valid
    real = vat.child_decimals

    def starved(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(vat, "child_decimals", starved)
    with pytest.raises(MemoryError):
        einvoice.validate(data)
    monkeypatch.setattr(vat, "child_decimals", real)
    assert einvoice.validate(data).valid
