"""``python -m einvoice`` and the ``einvoice`` command: the command line, started so that Ctrl-C while its
modules load is one line and exit status 130, as during a command (not a traceback of the import)."""

import signal
import sys


def _interrupt(signum, frame) -> None:
    """Ctrl-C as Python's own handler takes it, but never inside importlib's weakref callback, which drops every
    exception (a Ctrl-C while a module loaded was lost and the command ran to its end): there it comes again, as
    soon as the callback has returned."""
    if frame is not None and frame.f_code.co_name == "cb" and frame.f_code.co_filename == "<frozen importlib._bootstrap>":
        signal.raise_signal(signal.SIGINT)
        return
    raise KeyboardInterrupt


def run() -> None:
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # (a command started with Ctrl-C ignored keeps it so)
        signal.signal(signal.SIGINT, _interrupt)
    try:
        from .cli import main
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # (one more Ctrl-C now would end the process by SIGINT, not 130)
        sys.stderr.write("einvoice: interrupted\n")
        sys.exit(130)
    main(prog_name="einvoice")


if __name__ == "__main__":
    run()
