"""The project's data files (``schemas/``): YAML read through its compiled JSON form, or an opt-in disk cache.

Code lists, structure tables, rule metadata and releases are all read with :func:`load_yaml`; it lives
apart from the rule engine because the code lists and the readers use it too.
"""

from __future__ import annotations

import json
import marshal
import os
import sys
import zlib
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
# a checkout (or an editable install) reads schemas/ beside einvoice/; an installed wheel carries that folder inside
# the package, as einvoice/_schemas (a top-level "schemas" package of its own is a name another distribution may
# install too: setup.py maps the folder there)
SCHEMAS = _HERE / "_schemas" if (_HERE / "_schemas").is_dir() else _HERE.parent / "schemas"


# --------------------------------------------------------------------------- YAML data, cached on disk

_CACHE_FORMAT = 1


def _cache_dir() -> Path | None:
    """Folder for parsed data files, only when the user asks for one with EINVOICE_CACHE_DIR (None: no cache).

    Nothing is written under the user's home unless asked: without the variable every
    run parses the YAML files (libyaml's loader keeps that fast).
    """
    if os.environ.get("EINVOICE_NO_CACHE"):
        return None
    base = os.environ.get("EINVOICE_CACHE_DIR")
    return Path(base) if base else None


def _cache_key(path: Path, st: os.stat_result) -> tuple:
    from . import __version__

    return (_CACHE_FORMAT, __version__, sys.version_info[:2], str(path), st.st_size, st.st_mtime_ns)


COMPILED = SCHEMAS / "compiled"
_NOT_COMPILED = object()


def _compiled(path: Path) -> Any:
    """The data of ``schemas/<x>.yaml`` from ``schemas/compiled/<x>.json`` (``scripts/compile_schemas.py``),
    only when the length and CRC-32 of the source recorded there are the source file's (else
    ``_NOT_COMPILED``: parse the YAML). A check against an edited source, not against tampering: both
    files are the package's own; CRC-32 because zlib is loaded already and hashlib costs a cold start ~3 ms."""
    try:
        rel = path.relative_to(SCHEMAS)
    except ValueError:
        return _NOT_COMPILED
    try:
        raw = path.read_bytes()
        with open(COMPILED / rel.with_suffix(".json"), "rb") as fh:
            blob = json.loads(fh.read())
    except (OSError, ValueError):
        return _NOT_COMPILED
    if not isinstance(blob, dict) or blob.get("source") != [len(raw), zlib.crc32(raw)]:
        return _NOT_COMPILED
    return blob.get("data")


def load_yaml(path: Path) -> Any:
    """A YAML data file parsed with the safe loader, through the opt-in disk cache (EINVOICE_CACHE_DIR).

    Without a cache folder, a file under ``schemas/`` is read from its compiled form
    (``schemas/compiled/``, JSON made by ``scripts/compile_schemas.py``) when that
    was made from the same bytes (length and CRC-32); an edited source is parsed from YAML.

    The cache holds the parsed data (``marshal``, plain values only) keyed by the
    file's path, size and modification time, the package version and the Python
    version; a stale, damaged or unwritable cache falls back to parsing the file.
    """
    path = Path(path)
    st = path.stat()
    folder = _cache_dir()
    key = entry = None
    if folder is None:  # the default: the compiled form shipped with the package, when it matches the source
        data = _compiled(path)
        if data is not _NOT_COMPILED:
            return data
    if folder is not None:
        key = _cache_key(path, st)
        import hashlib  # (only for a cache folder: the file name of an entry)

        entry = folder / (hashlib.sha1(str(path).encode("utf-8", "surrogateescape")).hexdigest()[:24] + ".marshal")
        try:
            with open(entry, "rb") as fh:
                stored_key, data = marshal.loads(fh.read())  # loads: much faster than load(file)
            if tuple(stored_key) == key:
                return data
        except (OSError, EOFError, ValueError, TypeError):
            pass
    import yaml  # only when a file is parsed (not when every file comes from the cache)

    # libyaml's safe loader when available: several times faster than the pure-Python one
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if entry is not None:
        try:
            blob = marshal.dumps((key, data))
            folder.mkdir(parents=True, exist_ok=True)
            tmp = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
            with open(tmp, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, entry)
        except (OSError, ValueError):  # not writable, or data marshal cannot keep: parse again next time
            pass
    return data
