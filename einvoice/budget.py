"""Time budgets: stop the code inside a ``with`` block after so many seconds (a light module: the single-file
commands use it without the batch machinery).

The stop is an exception raised by a timer's signal handler in the main thread. Raised while a C library calls back
into Python (lxml's error log receiving a schema error), Python can only print it and the library carries on: the timer
goes off again every quarter second until the stop is raised where it stops the code."""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from typing import Callable

AGAIN = 0.25  # seconds between a stop Python could only print and the next


class OverBudget(BaseException):
    """Raised inside a validation that ran past its time budget (a BaseException: rules do not catch it)."""


@contextmanager
def time_budget(seconds: float | None, cpu: bool = False, stop: Callable[[], BaseException] = OverBudget):
    """Stop the code inside after ``seconds`` with ``stop()`` (by default :class:`OverBudget`; main thread, POSIX only;
    elsewhere a no-op): wall-clock seconds, or with ``cpu`` seconds of this process's CPU time (a busy machine does
    not count). A timer of the same kind already running outside is put back afterwards."""
    usable = (seconds and seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return
    which, signum = (signal.ITIMER_PROF, signal.SIGPROF) if cpu else (signal.ITIMER_REAL, signal.SIGALRM)
    clock = time.process_time if cpu else time.monotonic

    def on_alarm(_signum, _frame):
        raise stop()

    started = clock()
    old_handler = signal.signal(signum, on_alarm)
    old_delay, old_interval = signal.setitimer(which, seconds, AGAIN)
    try:
        yield
    finally:
        signal.setitimer(which, 0)
        signal.signal(signum, old_handler)
        if old_delay:
            left = max(old_delay - (clock() - started), 0.001)
            signal.setitimer(which, left, old_interval)
