"""``python -m einvoice`` and the ``einvoice`` command: the command line, started so that Ctrl-C while its
modules load is one line and exit status 130, as during a command (not a traceback of the import)."""

import sys


def run() -> None:
    try:
        from .cli import main
    except KeyboardInterrupt:
        sys.stderr.write("einvoice: interrupted\n")
        sys.exit(130)
    main(prog_name="einvoice")


if __name__ == "__main__":
    run()
