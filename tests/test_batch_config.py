"""Cross-invoice checks take their setting from the configuration like every other rule; unknown
configuration keys and values are errors; one invoice delivered in two syntaxes is no duplicate."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from einvoice import batch
from einvoice.cli import main
from einvoice import config
from fragments import NO_CORPUS

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
FXS = ROOT.parent / "shared" / "conformance" / "facturx-samples"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config.load.cache_clear()
    yield tmp_path
    config.load.cache_clear()


def two_invoices_one_number(folder: Path) -> list[str]:
    """The EHF sample and a copy with another note: one number twice in one syntax (EINV-X-001)."""
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes()
    (folder / "a.xml").write_bytes(xml)
    other = xml.replace(b"Thank you for your order.", b"Second copy.")
    assert other != xml
    (folder / "b.xml").write_bytes(other)
    return [str(folder / "a.xml"), str(folder / "b.xml")]


def x001(results) -> list:
    return [f for r in results for f in r.findings if f.rule == "EINV-X-001"]


# --- configuration -----------------------------------------------------------------


@pytest.mark.parametrize("text, says", [
    ('[einvoice]\ndue-dayz = 3\n', "unknown setting 'due-dayz'"),
    ('[einvoice.rules]\nEINV-X-001 = "of"\n', "'of' is no setting"),
    ('[einvoice.rules]\nBR-CO-16 = "off"\n', "'BR-CO-16' cannot be configured"),
    ('[einvoice.rules]\nBR-CO-16 = "off"\n', f"configurable: EINV-P-001 ... {max(config.configurable_rules() - set(config.OTHER_RULES))},"),
    ('[einvoice]\ndue-days = "thirty"\n', "due-days must be a whole number"),
    ('[einvoice]\nrequire-late-interest = "yes"\n', "must be true or false"),
    ('[einvoice\n', "not valid TOML"),
    ('[einvoice]\ndue-days = 10\n\n[rules]\nEINV-P-005 = "error"\n', "'rules (beside the einvoice table"),
    ('due-days = 10\n[einvoice]\nconsumer-due-days = 5\n', "'due-days (beside the einvoice table"),
    ('[einvoice]\ndue-days = 10\n[tool.einvoice.rules]\nEINV-P-005 = "error"\n', "'tool (beside the einvoice table"),
    ('[[einvoice]]\ndue-days = 10\n', "'einvoice (beside the einvoice table, or where a table belongs)'"),
    ('einvoice = 5\n', "'einvoice (beside the einvoice table, or where a table belongs)'"),
    ('einvoice = []\n', "'einvoice (beside the einvoice table, or where a table belongs)'"),
    ('tool = 5\n', "unknown setting 'tool'"),
    (b'\xff\xfe[einvoice]\n', "not UTF-8 text"),
])
def test_unknown_keys_and_values_are_one_line_errors(folder, text, says):
    if isinstance(text, bytes):
        (folder / "einvoice.toml").write_bytes(text)
    else:
        (folder / "einvoice.toml").write_text(text)
    with pytest.raises(config.ConfigError) as exc:
        config.load()
    assert says in exc.value.reason and exc.value.path.endswith("einvoice.toml")
    res = CliRunner().invoke(main, ["validate", str(SAMPLES / "ehf-invoice.xml")])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("einvoice: ") and says in lines[0]


@pytest.mark.parametrize("name, text, says", [
    ("einvoice.toml", "due-days = 40\ndue_days = 10\n", "'due-days' and 'due_days' are one setting written twice"),
    ("einvoice.toml", "[einvoice]\nconsumer_due_days = 5\nconsumer-due_days = 9\n",
     "'consumer_due_days' and 'consumer-due_days' are one setting written twice"),
    ("einvoice.toml", "require-late-interest = true\nrequire_late_interest = false\n",
     "'require-late-interest' and 'require_late_interest' are one setting written twice"),
    ("einvoice.toml", '[rules]\nEINV-P-005 = "off"\neinv-p-005 = "error"\n',
     "rules: 'EINV-P-005' and 'einv-p-005' are one rule written twice"),
    ("einvoice.toml", '[einvoice.rules]\n"EINV-X-001 " = "off"\nEINV-X-001 = "warning"\n',
     "rules: 'EINV-X-001 ' and 'EINV-X-001' are one rule written twice"),
    ("pyproject.toml", "[tool.einvoice]\ndue_days = 10\ndue-days = 40\n",
     "'due_days' and 'due-days' are one setting written twice"),
    ("pyproject.toml", '[tool.einvoice.rules]\nEINV-P-001 = "off"\nEinv-P-001 = "off"\n',
     "rules: 'EINV-P-001' and 'Einv-P-001' are one rule written twice"),
])
def test_one_setting_written_twice_is_an_error(folder, name, text, says):
    """A setting written in both spellings (due-days and due_days), or a rule in two (EINV-P-005 and einv-p-005),
    took one of the two values and ignored the other without a word: one line naming the file and both keys."""
    (folder / name).write_text(text)
    with pytest.raises(config.ConfigError) as exc:
        config.load()
    assert says in exc.value.reason and exc.value.path == str(folder / name)
    config.load.cache_clear()
    res = run("validate", SAMPLES / "ehf-invoice.xml")
    assert res.exit_code == 2
    assert [ln for ln in res.output.splitlines() if ln.strip()] == [f"einvoice: {folder / name}: {exc.value.reason}"]


def test_a_setting_in_mixed_spelling_applies(folder):
    """consumer_due-days (one underscore, one hyphen) was accepted as a known setting and then not read."""
    (folder / "einvoice.toml").write_text("consumer_due-days = 5\ndue_days = 12\n")
    got = config.load()
    assert (got.consumer_due_days, got.due_days) == (5, 12)


def _unreadable(path: Path, monkeypatch) -> None:
    """``path`` cannot be opened: mode 000, and (as root, whom mode bits do not stop) os.open refuses it."""
    import os

    path.chmod(0)
    real = os.open

    def refuse(name, *args, **kwargs):
        if Path(name) == path:
            raise PermissionError(13, "Permission denied", str(name))
        return real(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)


SETTING = '[einvoice.rules]\nEINV-X-001 = "off"\n'


@pytest.mark.parametrize("make, says", [
    (lambda p, mp: (p.write_text(SETTING), _unreadable(p, mp)), "cannot read the configuration (Permission denied)"),
    (lambda p, mp: p.mkdir(), "it is a folder, not a file"),
    (lambda p, mp: __import__("os").mkfifo(p), "it is a named pipe, not a file"),
    (lambda p, mp: p.symlink_to(p.parent / "elsewhere.toml"), "a symbolic link to nothing"),
    (lambda p, mp: p.symlink_to(p), "a symbolic link to nothing, or a loop of links"),
])
def test_an_einvoice_toml_that_cannot_be_read_is_an_error(folder, monkeypatch, make, says):
    """An einvoice.toml that is there but cannot be read was passed over without a word (its settings did not
    apply: VALID, exit 0, or a configuration farther up was used): one line naming it, exit 2. A named pipe is
    not opened (it would block)."""
    p = folder / "einvoice.toml"
    make(p, monkeypatch)
    (folder / "pyproject.toml").write_text('[tool.einvoice]\ndue-days = 3\n')  # (farther: never reached)
    with pytest.raises(config.ConfigError) as exc:
        config.load()
    assert says in exc.value.reason and exc.value.path == str(p)
    config.load.cache_clear()
    res = CliRunner().invoke(main, ["validate", str(SAMPLES / "ehf-invoice.xml")])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert lines == [f"einvoice: {p}: {exc.value.reason}"]


def test_a_pyproject_with_our_table_that_cannot_be_read_or_parsed_is_an_error(folder, monkeypatch):
    """A pyproject.toml holding [tool.einvoice] with a TOML error elsewhere was passed over as its own tool's
    business, so its settings did not apply. A pyproject.toml that cannot be read may hold them too."""
    p = folder / "pyproject.toml"
    p.write_text('[tool.einvoice]\ndue-days = 10\n[tool.einvoice.rules]\nEINV-X-001 = "off"\n'
                 '[project]\nname = 5 = 6\n')
    with pytest.raises(config.ConfigError, match="not valid TOML") as exc:
        config.load()
    assert exc.value.path == str(p)
    config.load.cache_clear()
    res = run("validate", SAMPLES / "ehf-invoice.xml")
    assert res.exit_code == 2 and res.output.startswith(f"einvoice: {p}: not valid TOML")
    config.load.cache_clear()
    p.write_text('[tool.einvoice]\ndue-days = 10\n')
    _unreadable(p, monkeypatch)
    with pytest.raises(config.ConfigError, match=r"cannot read the configuration \(Permission denied\)"):
        config.load()


@pytest.mark.parametrize("text", [
    '[tool]\neinvoice.due-days = 31\nx = "unclosed\n',  # (an einvoice key in the [tool] table)
    "[tool.einvoice\ndue-days = 31\n",  # (its header not closed)
    'tool = { einvoice = { due-days = 31 } }\nx = "unclosed\n',  # (an inline table naming it)
])
def test_a_broken_pyproject_that_configures_us_in_other_spellings_is_an_error(folder, text):
    """A pyproject.toml configuring einvoice through an einvoice key in its [tool] table, an inline tool table, or
    with the [tool.einvoice header left open, and broken, was passed over without a word: a configuration further up
    applied instead."""
    (folder / "pyproject.toml").write_text(text)
    with pytest.raises(config.ConfigError, match="not valid TOML"):
        config.load()


@pytest.mark.parametrize("text", [
    "[project]\nname = 5 = 6\n[tool.black]\nline-length = 120\n",
    '[tool.poetry.dependencies]\neinvoice = "^1"\nx = \n',  # (a dependency on einvoice: no configuration of it)
    "[tool]\nx = [\n",  # (may hold our table, evidently does not)
    "# [tool.einvoice] is configured in einvoice.toml\n[tool.x]\ny = \n",
])
def test_a_broken_pyproject_without_our_table_is_left_to_its_tool(folder, text):
    (folder / "pyproject.toml").write_text(text)
    assert config.load() == config.PolicyConfig()
    assert run("validate", SAMPLES / "ehf-invoice.xml").exit_code == 0


def test_a_pyproject_that_is_no_file_is_no_configuration(folder):
    (folder / "pyproject.toml").mkdir()
    assert config.load() == config.PolicyConfig()


def test_a_pyproject_that_is_not_utf8_is_left_to_its_tool(folder):
    (folder / "pyproject.toml").write_bytes(b"\xff[tool.einvoice]\n")
    assert run("validate", SAMPLES / "ehf-invoice.xml").exit_code == 0


def test_pyproject_table_is_checked_too(folder):
    (folder / "pyproject.toml").write_text('[tool.einvoice.rules]\nEINV-P-001 = "loud"\n')
    assert run("validate", SAMPLES / "ehf-invoice.xml").exit_code == 2


@pytest.mark.parametrize("text", [
    "[tool.einvoice]\ndue-days = 10\n",
    "[ tool . \"einvoice\" ]\ndue-days = 10\n",
    "[tool]\neinvoice = {due-days = 10}\n",
    "[project]\nname = 'x'\n[tool]\n'einvoice'.due-days = 10\n",
    "tool.einvoice.due-days = 10\n",
    "tool = {einvoice = {due-days = 10}}\n",
    "[tool.other]\na = 1\n[tool.einvoice.rules]\nEINV-P-001 = 'warning'\n[tool.einvoice]\ndue-days = 10\n",
])
def test_every_toml_spelling_of_the_pyproject_table_is_read(folder, text):
    """A pyproject.toml is parsed only when it can hold [tool.einvoice]; every TOML way of writing it can."""
    import tomllib

    assert tomllib.loads(text)["tool"]["einvoice"]["due-days"] == 10  # the text does say it
    (folder / "pyproject.toml").write_text(text)
    config.load.cache_clear()
    assert config.load(str(folder)).due_days == 10


def test_a_pyproject_without_our_table_is_not_parsed(folder, monkeypatch):
    (folder / "pyproject.toml").write_text("[project]\nname = 'einvoice-user'\n[tool.pytest.ini_options]\nx = 1\n")
    config.load.cache_clear()
    monkeypatch.setitem(__import__("sys").modules, "tomllib", None)  # importing it would fail
    assert config.load(str(folder)) == config.PolicyConfig()


@pytest.mark.parametrize("pyproject", [
    '[tool.einvoice]\ndue-days = 50\n[tool.einvoice.rules]\nEINV-P-001 = "off"\n',
    "[project]\nname = 'x'\n[tool.einvoice]\n",  # (empty: a configuration too, the defaults)
    "tool.einvoice.due-days = 50\n",
])
def test_einvoice_toml_and_a_pyproject_table_in_one_folder_is_an_error(folder, pyproject):
    """An einvoice.toml and a pyproject.toml with [tool.einvoice] in one folder: the pyproject's settings were
    passed over without a word. One line naming both files, exit 2."""
    (folder / "einvoice.toml").write_text("due-days = 35\n")
    (folder / "pyproject.toml").write_text(pyproject)
    with pytest.raises(config.ConfigError) as exc:
        config.load()
    assert exc.value.path == str(folder / "einvoice.toml") and str(folder / "pyproject.toml") in exc.value.reason
    assert "two configurations in one folder" in exc.value.reason
    config.load.cache_clear()
    res = run("validate", SAMPLES / "ehf-invoice.xml", "--policy")
    assert res.exit_code == 2
    assert [ln for ln in res.output.splitlines() if ln.strip()] == [f"einvoice: {folder / 'einvoice.toml'}: {exc.value.reason}"]


@pytest.mark.parametrize("pyproject", [
    "[project]\nname = 'x'\n[tool.black]\nline-length = 120\n",
    "[tool]\nx = 1\n",
    "[project]\nname = 5 = 6\n",  # (broken, not ours: its own tool's business)
])
def test_einvoice_toml_beside_a_pyproject_without_our_table_applies(folder, pyproject):
    (folder / "einvoice.toml").write_text("due-days = 35\n")
    (folder / "pyproject.toml").write_text(pyproject)
    assert config.load().due_days == 35


@pytest.mark.parametrize("name, text", [
    ("pyproject.toml", "[project]\nname = 'x'\n\n[tool.einvoice]\n"),
    ("pyproject.toml", "[tool]\neinvoice = {}\n"),
    ("einvoice.toml", ""),
    ("einvoice.toml", "# the defaults\n"),
    ("einvoice.toml", "[einvoice]\n"),
])
def test_an_empty_configuration_is_the_defaults_not_the_parent_folders(folder, monkeypatch, name, text):
    """An empty [tool.einvoice] table or einvoice.toml in the nearest folder let a parent folder's configuration
    apply: the nearest configuration applies, and an empty one says the defaults."""
    (folder / "einvoice.toml").write_text('due-days = 40\n[rules]\nEINV-P-001 = "off"\n')
    sub = folder / "sub"
    sub.mkdir()
    (sub / name).write_text(text)
    monkeypatch.chdir(sub)
    config.load.cache_clear()
    got = config.load()
    assert (got.due_days, got.rules, got.source) == (30, {}, str(sub / name))
    assert config.load(str(folder)).due_days == 40  # (the parent's own folder still has its configuration)
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes()
    (folder / "inv40.xml").write_bytes(xml.replace(b"<cbc:DueDate>2024-06-01<", b"<cbc:DueDate>2024-06-11<", 1))
    monkeypatch.chdir(folder)
    assert "EINV-P-005" not in run("validate", folder / "inv40.xml", "--policy").output  # (due-days = 40 up there)
    monkeypatch.chdir(sub)
    assert "EINV-P-005: The payment term is 40 days, longer than the 30 days" in run(
        "validate", folder / "inv40.xml", "--policy").output


@pytest.mark.parametrize("name, text", [
    ("einvoice.toml", 'due-days = 7\n[rules]\nEINV-P-001 = "off"\n'),
    ("einvoice.toml", '[einvoice]\ndue-days = 7\n[einvoice.rules]\nEINV-P-001 = "off"\n'),
    ("pyproject.toml", '[tool.einvoice]\ndue-days = 7\n[tool.einvoice.rules]\nEINV-P-001 = "off"\n'),
    ("pyproject.toml", "[project]\nname = 'x'\n[tool.einvoice]\ndue-days = 7\n[tool.einvoice.rules]\nEINV-P-001 = 'off'\n"),
])
def test_a_configuration_saved_with_a_byte_order_mark_is_read(folder, name, text):
    """A configuration saved as UTF-8 with a byte order mark (as Windows editors do): an einvoice.toml was refused as
    "not valid TOML (Invalid statement (at line 1, column 1))", which does not say what is wrong, and a pyproject.toml
    whose [tool.einvoice] came first was passed over (its settings did not apply). The mark is dropped."""
    (folder / name).write_bytes(b"\xef\xbb\xbf" + text.encode())
    got = config.load()
    assert (got.due_days, got.rules, got.source) == (7, {"EINV-P-001": "off"}, str(folder / name))
    assert run("validate", SAMPLES / "ehf-invoice.xml", "--policy").exit_code == 0


def test_a_byte_order_mark_only_at_the_start(folder):
    (folder / "einvoice.toml").write_bytes(b"due-days = 7\n\xef\xbb\xbfconsumer-due-days = 3\n")
    with pytest.raises(config.ConfigError, match="not valid TOML"):
        config.load()


def test_cross_invoice_rules_follow_the_configuration(folder):
    files = two_invoices_one_number(folder)
    opts = batch.Options(schema=False)
    found = x001(batch.run(files, opts, jobs=1))
    assert len(found) == 2 and all(f.severity.value == "error" for f in found)
    (folder / "einvoice.toml").write_text('[einvoice.rules]\nEINV-X-001 = "warning"\n')
    config.load.cache_clear()
    results = batch.run(files, opts, jobs=1)
    assert [f.severity.value for f in x001(results)] == ["warning", "warning"]
    assert {r.status for r in results} == {batch.STATUS_WARNINGS}
    (folder / "einvoice.toml").write_text('[einvoice.rules]\nEINV-X-001 = "off"\n')
    config.load.cache_clear()
    results = batch.run(files, opts, jobs=1)
    assert x001(results) == [] and {r.status for r in results} == {batch.STATUS_VALID}
    assert run("validate", *files, "--no-schema").exit_code == 0


# --- one invoice, two syntaxes ----------------------------------------------------------


def test_the_same_invoice_in_ubl_cii_and_pdf_is_one_invoice(folder):
    ehf = SAMPLES / "ehf-invoice.xml"
    assert run("convert", ehf, "--to", "cii", "-o", folder / "ehf-cii.xml").exit_code == 0
    from einvoice.build import load_input
    from einvoice.facturx_pdf import build_pdf

    pdf, _xml, _r = build_pdf(load_input(SAMPLES / "ehf-invoice.yaml"), "facturx-en16931")
    (folder / "ehf.pdf").write_bytes(pdf)
    files = [str(ehf), str(folder / "ehf-cii.xml"), str(folder / "ehf.pdf")]
    assert x001(batch.run(files, batch.Options(schema=False), jobs=1)) == []
    # the same form twice is still a duplicate: two CII files with one number
    (folder / "again-cii.xml").write_bytes((folder / "ehf-cii.xml").read_bytes() + b"\n")
    found = x001(batch.run(files + [str(folder / "again-cii.xml")], batch.Options(schema=False), jobs=1))
    assert sorted(Path(f.path).name for f in found) == ["again-cii.xml", "ehf-cii.xml"]


def test_official_twins_are_no_duplicates():
    if not FXS.is_dir():
        pytest.skip(NO_CORPUS)
    results = batch.run([str(FXS / "CII"), str(FXS / "UBL"), str(FXS / "FX")], batch.Options(schema=False), jobs=1)

    def stem(path: str) -> str:
        return re.sub(r"\.(cii|ubl)\.xml$|\.pdf$|\.xml$", "", Path(path).name)

    checked = 0
    for r in results:
        for f in r.findings:
            if f.rule == "EINV-X-001":
                others = f.message.split("(also in: ")[1].rstrip(")").split(", ")
                assert stem(r.path) not in {stem(o) for o in others}, (r.path, others)
        checked += 1
    assert checked >= 70
    # the samples do reuse numbers for different invoices (471102 in several): those stay findings
    assert any(f.rule == "EINV-X-001" for r in results for f in r.findings)


def test_two_forms_with_one_number_but_another_buyer_are_two_invoices(folder):
    """A UBL and a CII with one seller, number, type, amount and currency but another buyer were taken for one
    invoice in two forms: no EINV-X-001. The same buyer written with other case and blanks stays one invoice."""
    ehf = SAMPLES / "ehf-invoice.xml"
    assert run("convert", ehf, "--to", "cii", "-o", folder / "ehf-cii.xml").exit_code == 0
    other = ehf.read_bytes().replace(b"998777658", b"923609016").replace(b"Havbruk Nord AS", b"Fiskeri Nord AS")
    (folder / "other-buyer.xml").write_bytes(other)
    files = [str(folder / "ehf-cii.xml"), str(folder / "other-buyer.xml")]
    found = x001(batch.run(files, batch.Options(schema=False), jobs=1))
    assert sorted(Path(f.path).name for f in found) == ["ehf-cii.xml", "other-buyer.xml"]
    # only the name differs, while the identifiers agree: the same buyer
    (folder / "other-name.xml").write_bytes(ehf.read_bytes().replace(b"Havbruk Nord AS", b"Havbruk Nord AS (avd. 2)"))
    assert x001(batch.run([files[0], str(folder / "other-name.xml")], batch.Options(schema=False), jobs=1)) == []


def test_a_zugferd_1_original_and_its_conversion_are_one_invoice(folder):
    """A ZUGFeRD 1.0 invoice and the CII einvoice converts it to were both CII to the batch: one form twice, EINV-X-001
    on each (a reused number) where the README says an invoice and its conversions are one invoice."""
    original = Path(__file__).resolve().parent / "data" / "zugferd1-comfort.xml"
    assert run("convert", original, "--to", "cii", "-o", folder / "converted.xml").exit_code == 0
    (folder / "original.xml").write_bytes(original.read_bytes())
    files = [str(folder / "original.xml"), str(folder / "converted.xml")]
    assert x001(batch.run(files, batch.Options(schema=False), jobs=1)) == []
    (folder / "copy.xml").write_bytes(original.read_bytes())  # (the same ZUGFeRD 1.0 file twice is a reused number)
    found = x001(batch.run([files[0], str(folder / "copy.xml")], batch.Options(schema=False), jobs=1))
    assert sorted(Path(f.path).name for f in found) == ["copy.xml", "original.xml"]


def test_double_billing_compares_amounts_as_numbers(folder):
    """578.3 and 578.30 are one amount: two invoices to one buyer on one day for it are possible double billing
    (EINV-X-002); the amounts were compared as text."""
    xml = (SAMPLES / "ehf-invoice.xml").read_bytes()
    (folder / "a.xml").write_bytes(xml.replace(b"<cbc:ID>", b"<cbc:ID>A", 1))
    (folder / "b.xml").write_bytes(xml.replace(b"<cbc:ID>", b"<cbc:ID>B", 1)
                                   .replace(b'<cbc:PayableAmount currencyID="NOK">13123.75<',
                                            b'<cbc:PayableAmount currencyID="NOK">13123.750<'))
    results = batch.run([str(folder / "a.xml"), str(folder / "b.xml")], batch.Options(schema=False), jobs=1)
    found = {Path(r.path).name: [f.message for f in r.findings if f.rule == "EINV-X-002"] for r in results}
    assert len(found["a.xml"]) == 1 and len(found["b.xml"]) == 1, found
    assert "amount 13123.75 NOK" in found["a.xml"][0] and "amount 13123.750 NOK" in found["b.xml"][0]
