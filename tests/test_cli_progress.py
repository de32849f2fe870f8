"""The batch progress bar of `einvoice validate`: shown on standard error when that is a terminal (the report on
standard output stays plain), and the terminal's cursor shown again when the process is ended by SIGTERM."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pty = pytest.importorskip("pty")

HIDE, SHOW = b"\x1b[?25l", b"\x1b[?25h"


def _folder(tmp_path: Path, n: int) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    for i in range(n):
        shutil.copy(ROOT / "samples" / "ehf-invoice.xml", folder / f"f{i}.xml")
    return folder


def _run(folder: Path, out, term_after: float | None = None) -> tuple[int, bytes]:
    """Run the batch with standard error on a pseudo-terminal; (exit status, what the terminal received)."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    env["TERM"] = "xterm"
    proc = subprocess.Popen([sys.executable, "-m", "einvoice", "validate", str(folder), "--jobs", "1"],
                            stdout=slave if out is None else out, stderr=slave, cwd=ROOT, env=env)
    os.close(slave)
    got = b""
    if term_after is not None:
        deadline = time.monotonic() + 60
        while HIDE not in got and time.monotonic() < deadline:  # the bar is up: its cursor hidden
            got += os.read(master, 65536)
        time.sleep(term_after)
        proc.send_signal(signal.SIGTERM)
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        got += chunk
    os.close(master)
    return proc.wait(timeout=120), got


def test_bar_on_stderr_report_plain(tmp_path):
    folder = _folder(tmp_path, 12)
    report = tmp_path / "report.txt"
    with open(report, "wb") as out:
        status, tty = _run(folder, out)
    assert status == 1  # (the sample's house-policy error: each file counted)
    assert HIDE in tty and SHOW in tty and b"validating" in tty  # the bar on the terminal, its cursor given back
    text = report.read_bytes()
    assert b"\x1b[" not in text and text.count(b": INVALID") == 12


def test_cursor_shown_after_sigterm(tmp_path):
    folder = _folder(tmp_path, 400)
    status, tty = _run(folder, None, term_after=0.5)
    assert status == -signal.SIGTERM  # ended by the signal, as before
    assert HIDE in tty and tty.rindex(SHOW) > tty.rindex(HIDE)
