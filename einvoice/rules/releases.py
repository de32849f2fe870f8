"""Rule releases as data: every rule set is a named, versioned release (``schemas/releases/``).

``schemas/releases/index.yaml`` names the families (EN 16931, Peppol BIS, Factur-X),
the layers each covers and the release in force (the default). Each release has a
file ``<family>-<version>.yaml`` holding:

* ``title``, ``in_force``;
* ``base``: the release it amends (its metadata, code lists and parameters are
  inherited, then this file's entries are applied); the first release of a family
  takes its metadata from the layer files ``schemas/rules/<layer>/``;
* ``rules``: per layer, metadata added or changed (``id: {severity, message, hint}``;
  ``null`` removes an id from the release);
* ``codelists``: the list a rule asks for by name -> the file under
  ``schemas/codelists/`` this release uses (optionally per syntax: ``{ubl: ..., cii: ...}``);
* ``params``: facts the rules read that change between releases (business process
  identifiers, patterns), optionally per syntax;
* ``ids``: the exact official rule ids of the release, per syntax (a test checks
  that the ids this project runs for the release are these).

A family is ``versioned`` when its layers take their metadata from the release
(Peppol and its national rules; EN 16931, whose 1.3.15, 1.3.15-peppol and 1.3.14.1 amend the layer files, which are 1.3.16's); the
other families have one release whose metadata are the layer files themselves.

Adding a Peppol release (e.g. 3.0.22):

1. ``schemas/releases/peppol-3.0.22.yaml`` with ``base: "3.0.21"``: the rules it adds
   or changes (severity, our message and hint), the code lists it replaces, the
   parameters that change, and its official id lists (per syntax);
2. ``schemas/releases/index.yaml``: the version in ``releases`` (and in ``default``
   once it is in force);
3. new code list files ``schemas/codelists/peppol-*-3.0.22.yaml`` if lists changed;
4. checks only for rules whose test is new (a rule that only changes severity,
   list or pattern needs no code), with their tests in ``tests/test_peppol_releases.py``.

The rules of a release are checked against its official id list by a test, and an id
registered without metadata in any release fails at import.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from .engine import SCHEMAS, RuleMeta, load_yaml, meta_table, raw_table

RELEASES = SCHEMAS / "releases"


class UnknownRelease(ValueError):
    """A release selection names a family or version this project does not have."""


@functools.cache
def index() -> dict:
    return load_yaml(RELEASES / "index.yaml") or {}


def families() -> dict[str, dict]:
    return index().get("families") or {}


@functools.cache
def family_of_layer(layer: str) -> str | None:
    """The family whose releases a layer belongs to (None: the layer is not part of a release, e.g. the house policy)."""
    for name, fam in families().items():
        if layer in (fam.get("layers") or ()):
            return name
    return None


def tree_only(layer: str) -> bool:
    """Whether a layer's rules run on the document tree only (a model built in code is written first)."""
    family = family_of_layer(layer)
    return bool(family and families()[family].get("tree_only"))


def _per_syntax(value: Any, syntax) -> Any:
    if isinstance(value, dict) and set(value) <= {"ubl", "cii"} and value:
        key = getattr(syntax, "value", syntax)
        return value.get(key)
    return value


@dataclass(frozen=True, eq=False)
class Release:
    family: str
    version: str
    title: str
    in_force: str | None
    versioned: bool
    layers: tuple[str, ...]
    chain: tuple[dict, ...] = field(repr=False)  # the release files, oldest first

    @property
    def key(self) -> str:
        return f"{self.family}={self.version}"

    @functools.cached_property
    def _raw(self) -> dict[str, dict[str, dict]]:
        out: dict[str, dict[str, dict]] = {}
        for layer in self.layers:
            data = {rid: dict(meta) for rid, meta in raw_table(layer).items()}
            for rel in self.chain:
                for rid, meta in ((rel.get("rules") or {}).get(layer) or {}).items():
                    if meta is None:
                        data.pop(rid, None)
                    else:
                        merged = dict(data.get(rid) or {})
                        merged.update(meta)
                        data[rid] = merged
            out[layer] = data
        return out

    def raw_meta(self, layer: str) -> dict[str, dict]:
        return self._raw.get(layer, {})

    @functools.lru_cache(maxsize=None)
    def meta(self, layer: str) -> dict[str, RuleMeta]:
        """Metadata of a layer's rules in this release (an id absent here is not part of the release)."""
        return meta_table(self.raw_meta(layer))

    @functools.lru_cache(maxsize=None)
    def _merged(self, key: str) -> dict:
        """The ``key`` entries (``codelists``, ``params``) of the release files, the newest file winning."""
        return {k: v for rel in self.chain for k, v in (rel.get(key) or {}).items()}

    def codelist_name(self, name: str, syntax=None) -> str:
        """The code list file a rule's list ``name`` is in this release (``name`` itself when not remapped)."""
        return _per_syntax(self._merged("codelists").get(name), syntax) or name

    @functools.lru_cache(maxsize=None)  # (asked by several rules per document; a release's lists never change)
    def codes(self, name: str, syntax=None) -> frozenset[str]:
        from .. import codelists

        return codelists.get(self.codelist_name(name, syntax))

    def param(self, name: str, syntax=None, default: Any = None) -> Any:
        value = _per_syntax(self._merged("params").get(name, default), syntax)
        return default if value is None else value

    @functools.cached_property
    def table_rows(self) -> dict[str, dict[str, list]]:
        """Structure-table rows this release tests otherwise, over its chain: {table: {rule id: row, or rows}}."""
        out: dict[str, dict[str, list]] = {}
        for rel in self.chain:
            for table, rows in ((rel.get("params") or {}).get("table_rows") or {}).items():
                out.setdefault(table, {}).update(rows)
        return out

    def official_ids(self, syntax) -> frozenset[str]:
        ids = (self.chain[-1].get("ids") or {}).get(getattr(syntax, "value", syntax)) or ()
        return frozenset(ids)

    def rule_count(self, syntax=None) -> int:
        if syntax is not None and self.official_ids(syntax):
            return len(self.official_ids(syntax))
        return sum(len(self.raw_meta(layer)) for layer in self.layers)


@functools.cache
def _file(family: str, version: str) -> dict:
    path = RELEASES / f"{family}-{version}.yaml"
    if not path.exists():
        known = ", ".join(versions(family)) or "none"
        raise UnknownRelease(f"no release {version!r} of {family!r} (known: {known})")
    return load_yaml(path) or {}


@functools.cache
def release(family: str, version: str) -> Release:
    if family not in families():
        raise UnknownRelease(f"no rule family {family!r} (known: {', '.join(sorted(families()))})")
    chain: list[dict] = []
    v: str | None = version
    while v is not None:
        data = _file(family, v)
        chain.insert(0, data)
        v = data.get("base")
    top = chain[-1]
    fam = families()[family]
    return Release(family, version, top.get("title") or f"{family} {version}", top.get("in_force"),
                   bool(fam.get("versioned")), tuple(fam.get("layers") or ()), tuple(chain))


def versions(family: str) -> list[str]:
    """The versions of a family, oldest first (as listed in the index)."""
    return [str(v) for v in (families().get(family) or {}).get("releases") or ()]


def defaults() -> dict[str, str]:
    return {fam: str(v) for fam, v in (index().get("default") or {}).items()}


def parse(selection: str) -> dict[str, str]:
    """``"peppol=3.0.20"`` or ``"peppol=3.0.20,en16931=1.3.16"`` -> {family: version}."""
    out: dict[str, str] = {}
    for part in selection.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        fam, sep, version = part.partition("=")
        if not sep or not fam.strip() or not version.strip():
            raise UnknownRelease(f"{part!r}: write a rule release as FAMILY=VERSION, e.g. peppol=3.0.20")
        if out.setdefault(fam.strip().lower(), version.strip()) != version.strip():
            raise UnknownRelease(f"{fam.strip()}: two releases named ({out[fam.strip().lower()]} and {version.strip()}); name one")
    return out


def select(rules: "dict[str, str] | str | None" = None, profile: str | None = None) -> tuple[tuple[str, str], ...]:
    """The releases of a run: the defaults, with the families in ``rules`` replaced (checked); a Peppol release
    chosen without an EN 16931 one brings the CEN release its official validator runs (3.0.20: 1.3.15-peppol), and so
    does an XRechnung profile (KoSIT's validator configuration in force runs CEN 1.3.15 beside rule set 2.5.0)."""
    chosen = defaults()
    if isinstance(rules, str):
        rules = parse(rules)
    for fam, version in (rules or {}).items():
        release(fam, str(version))  # raises UnknownRelease
        chosen[fam] = str(version)
    if "en16931" in (rules or {}):
        pass
    elif (profile or "").startswith("xrechnung"):  # (whatever Peppol release is named: KoSIT's CEN release is its own)
        chosen["en16931"] = str(release("xrechnung", chosen["xrechnung"]).param("en16931", default=chosen["en16931"]))
    elif "peppol" in (rules or {}) and _runs_peppol(profile):  # the CEN release that Peppol release runs (not for a
        # Factur-X or plain EN 16931 run, whose CEN release a Peppol choice in a mixed batch does not change)
        chosen["en16931"] = str(release("peppol", chosen["peppol"]).param("en16931", default=chosen["en16931"]))
    return tuple(sorted(chosen.items()))


def _runs_peppol(profile: str | None) -> bool:
    """Whether a run of ``profile`` applies the Peppol BIS rules (a run of no known profile is taken to)."""
    from ..profiles import PROFILES

    known = PROFILES.get(profile or "")
    return known is None or "peppol" in known.layers


def layer_metadata(layer: str) -> dict[str, dict]:
    """Every id a layer may register, over all its releases (used to check a rule when it registers)."""
    family = family_of_layer(layer)
    if family is None or not families()[family].get("versioned"):
        return raw_table(layer)
    return _union(layer, family)


@functools.cache
def _union(layer: str, family: str) -> dict[str, dict]:
    out: dict[str, dict] = dict(raw_table(layer))
    for v in versions(family):
        out.update(release(family, v).raw_meta(layer))
    return out


def of(doc, family: str) -> Release:
    """The release of ``family`` a document is being validated against (its context's, else the one in force)."""
    ctx = getattr(doc, "context", None)
    if ctx is None:
        from .engine import Context

        ctx = Context.default()
    rel = ctx.release(family)
    if rel is None:  # pragma: no cover - every context names every family
        rel = release(family, defaults()[family])
    return rel


def peppol(doc) -> Release:
    """The Peppol BIS release of a run (what the Peppol and national rules read their facts from)."""
    return of(doc, "peppol")
