"""The compiled form of the YAML data (schemas/compiled/, scripts/compile_schemas.py)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

import script_module
from einvoice.rules import engine

ROOT = Path(__file__).resolve().parent.parent


def _script():
    return script_module.load("compile_schemas")


def test_compiled_data_is_up_to_date_with_the_yaml():
    problems = _script().stale()
    assert not problems, "run: python scripts/compile_schemas.py\n" + "\n".join(problems)


def test_every_rule_file_is_compiled_and_loads_as_the_yaml(monkeypatch):
    monkeypatch.delenv("EINVOICE_CACHE_DIR", raising=False)
    files = sorted((engine.SCHEMAS / "rules").rglob("*.yaml"))
    assert files
    for path in files:
        assert (engine.COMPILED / path.relative_to(engine.SCHEMAS).with_suffix(".json")).exists(), path
        got = engine._compiled(path)
        assert got is not engine._NOT_COMPILED, path
        assert got == yaml.safe_load(path.read_text(encoding="utf-8")), path
        assert engine.load_yaml(path) == got


def test_an_edited_source_is_read_from_yaml_not_from_stale_compiled_data(tmp_path, monkeypatch):
    monkeypatch.delenv("EINVOICE_CACHE_DIR", raising=False)
    schemas = tmp_path / "schemas"
    (schemas / "rules").mkdir(parents=True)
    src = schemas / "rules" / "x.yaml"
    src.write_text("A-1: {severity: error, message: first}\n", encoding="utf-8")
    from einvoice import data

    monkeypatch.setattr(data, "SCHEMAS", schemas)
    monkeypatch.setattr(data, "COMPILED", schemas / "compiled")
    import zlib

    out = schemas / "compiled" / "rules" / "x.json"
    out.parent.mkdir(parents=True)
    out.write_text(json.dumps({"source": [len(src.read_bytes()), zlib.crc32(src.read_bytes())],
                               "data": {"A-1": {"severity": "error", "message": "compiled"}}}), encoding="utf-8")
    # matching hash: the compiled data is used (its marker text proves it)
    assert engine.load_yaml(src)["A-1"]["message"] == "compiled"
    src.write_text("A-1: {severity: error, message: edited}\n", encoding="utf-8")
    assert engine.load_yaml(src)["A-1"]["message"] == "edited"
    out.write_text("{not json", encoding="utf-8")  # damaged compiled data: the YAML again
    assert engine.load_yaml(src)["A-1"]["message"] == "edited"


def test_the_rule_engine_loads_without_the_pydantic_model():
    import subprocess
    import sys

    code = ("import sys, einvoice.rules.engine, einvoice.rules.releases, einvoice.syntax, einvoice.syntax.namespaces\n"
            "print(sorted(m for m in sys.modules if m == 'pydantic' or m.startswith('einvoice.model')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_the_shared_types_are_the_same_objects_in_their_old_places():
    from einvoice import basics
    from einvoice.model import base, invoice
    from einvoice.syntax import namespaces

    assert invoice.Syntax is basics.Syntax and namespaces.Syntax is basics.Syntax
    assert base.Origin is basics.Origin and base.element_origin is basics.element_origin
    assert engine.Syntax is basics.Syntax and engine.Origin is basics.Origin


def test_registration_still_refuses_an_unknown_id_after_the_layer_is_cached():
    from einvoice.rules.engine import RuleDefinitionError, RuleSet, check_registration

    import einvoice.rules.peppol  # noqa: F401 - the layer's ids are cached by its registrations

    check_registration("peppol", "PEPPOL-COMMON-R057")
    import pytest

    with pytest.raises(RuleDefinitionError, match="no metadata"):
        RuleSet("peppol").rule("PEPPOL-EN16931-R999")(lambda doc: ())
