"""``python -m einvoice``: the einvoice command line."""

from .cli import main

main(prog_name="einvoice")
