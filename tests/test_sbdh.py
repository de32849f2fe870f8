"""Invoices inside an SBDH envelope (StandardBusinessDocument, the Peppol network's transport wrapper).

The payload is validated as if it were the file (same findings, same XPaths, line numbers
of the file), with one information finding saying the envelope was opened; an envelope
without exactly one invoice is a one-line unreadable-input error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from einvoice import syntax
from einvoice.batch import run as run_batch
from einvoice.cli import main
from einvoice.errors import UnreadableInput
from einvoice.validate import validate

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "ehf-invoice.xml"
SBDH_NS = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"

HEADER = f"""<?xml version="1.0" encoding="UTF-8"?>
<StandardBusinessDocument xmlns="{SBDH_NS}">
  <StandardBusinessDocumentHeader>
    <HeaderVersion>1.0</HeaderVersion>
    <Sender><Identifier Authority="iso6523-actorid-upis">0192:987654325</Identifier></Sender>
    <Receiver><Identifier Authority="iso6523-actorid-upis">0192:123456785</Identifier></Receiver>
    <DocumentIdentification>
      <Standard>urn:oasis:names:specification:ubl:schema:xsd:Invoice-2</Standard>
      <TypeVersion>2.1</TypeVersion>
      <InstanceIdentifier>4f0c2a5e-8a53-4a0c-9b7a-1d2f3e4a5b6c</InstanceIdentifier>
      <Type>Invoice</Type>
      <CreationDateAndTime>2026-11-30T10:00:00</CreationDateAndTime>
    </DocumentIdentification>
  </StandardBusinessDocumentHeader>
"""
HEADER_LINES = HEADER.count("\n")


def _wrapped(payload: bytes, extra: str = "") -> bytes:
    body = payload.split(b"?>", 1)[1].lstrip() if payload.startswith(b"<?xml") else payload
    return HEADER.encode() + body + extra.encode() + b"\n</StandardBusinessDocument>\n"


def _broken_sample() -> bytes:
    """The EHF sample with its due date removed and a wrong total: findings to compare."""
    data = SAMPLE.read_bytes()
    data = data.replace(b"<cbc:PayableAmount currencyID=\"NOK\">", b"<cbc:PayableAmount currencyID=\"NOK\">1", 1)
    return data


def test_the_payload_is_judged_as_the_file_would_be():
    plain = validate(_broken_sample())
    wrapped = validate(_wrapped(_broken_sample()))
    assert not plain.valid and not wrapped.valid
    assert wrapped.profile == plain.profile
    strip = [(f.rule, f.severity, f.xpath) for f in plain.findings]
    assert [(f.rule, f.severity, f.xpath) for f in wrapped.findings if f.rule != "EINV-SBDH-001"] == strip
    # lines are those of the file the envelope is in
    body_offset = HEADER_LINES - 1  # the payload's XML declaration line is dropped
    assert [f.line for f in wrapped.findings if f.rule != "EINV-SBDH-001"] == \
        [f.line + body_offset if f.line else f.line for f in plain.findings]
    info = [f for f in wrapped.findings if f.rule == "EINV-SBDH-001"]
    assert len(info) == 1 and info[0].severity.value == "info"


def test_a_valid_invoice_stays_valid_in_its_envelope():
    report = validate(_wrapped(SAMPLE.read_bytes()))
    assert report.valid, [str(f) for f in report.findings]
    assert [f.rule for f in report.findings] == ["EINV-SBDH-001"]


@pytest.mark.parametrize("payload, reason", [
    (b"", "with 0 payload elements"),
    (b"<Order xmlns='urn:oasis:names:specification:ubl:schema:xsd:Order-2'/>", "carrying <Order>"),
])
def test_an_envelope_without_one_invoice_is_unreadable(payload, reason):
    with pytest.raises(UnreadableInput) as exc:
        syntax.load(HEADER.encode() + payload + b"</StandardBusinessDocument>")
    assert reason in str(exc.value) and "\n" not in str(exc.value)


def test_two_payloads_are_refused():
    data = _wrapped(SAMPLE.read_bytes(), extra=SAMPLE.read_bytes().split(b"?>", 1)[1].decode())
    with pytest.raises(UnreadableInput, match="with 2 payload elements"):
        syntax.load(data)


def test_cli_and_batch_open_the_envelope(tmp_path):
    (tmp_path / "in-envelope.xml").write_bytes(_wrapped(SAMPLE.read_bytes()))
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "in-envelope.xml")])
    assert result.exit_code == 0, result.output
    assert "EINV-SBDH-001" in result.output
    results = run_batch([str(tmp_path)], jobs=1)
    assert [r.status for r in results] == ["valid"], results
