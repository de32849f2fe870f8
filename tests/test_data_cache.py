"""The opt-in cache of parsed YAML data files (EINVOICE_CACHE_DIR; einvoice.data.load_yaml, which the rule engine re-exports)."""

from __future__ import annotations

import os

from einvoice.rules import engine


def test_cache_is_used_and_refreshed_when_the_file_changes(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("EINVOICE_CACHE_DIR", str(cache))
    monkeypatch.delenv("EINVOICE_NO_CACHE", raising=False)
    src = tmp_path / "data.yaml"
    src.write_text("a: 1\nb: [x, y]\n", encoding="utf-8")
    assert engine.load_yaml(src) == {"a": 1, "b": ["x", "y"]}
    assert len(list(cache.glob("*.marshal"))) == 1
    assert engine.load_yaml(src) == {"a": 1, "b": ["x", "y"]}  # from the cache
    src.write_text("a: 2\n", encoding="utf-8")
    st = src.stat()
    os.utime(src, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert engine.load_yaml(src) == {"a": 2}


def test_damaged_or_unwritable_cache_falls_back_to_parsing(tmp_path, monkeypatch):
    src = tmp_path / "data.yaml"
    src.write_text("codes: [A, B]\n", encoding="utf-8")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("EINVOICE_CACHE_DIR", str(blocker / "sub"))
    assert engine.load_yaml(src) == {"codes": ["A", "B"]}
    cache = tmp_path / "cache"
    monkeypatch.setenv("EINVOICE_CACHE_DIR", str(cache))
    engine.load_yaml(src)
    for entry in cache.glob("*.marshal"):
        entry.write_bytes(b"\x00garbage")
    assert engine.load_yaml(src) == {"codes": ["A", "B"]}
    monkeypatch.setenv("EINVOICE_NO_CACHE", "1")
    assert engine.load_yaml(src) == {"codes": ["A", "B"]}


def test_dates_are_not_cached_but_still_read(tmp_path, monkeypatch):
    monkeypatch.setenv("EINVOICE_CACHE_DIR", str(tmp_path / "cache"))
    src = tmp_path / "d.yaml"
    src.write_text("when: 2024-01-31\n", encoding="utf-8")
    first = engine.load_yaml(src)
    assert str(first["when"]) == "2024-01-31"
    assert engine.load_yaml(src) == first
