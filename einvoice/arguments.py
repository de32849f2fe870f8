"""Checks of the public functions' arguments: a wrong type or an unknown name is a TypeError or ValueError that
names the argument, raised before any work, never an internal error from deep inside."""

from __future__ import annotations

from typing import Any


def flag(name: str, value: Any) -> bool:
    """A yes/no argument: True or False (1 and 0 too); anything else ('no' is a true string) is refused."""
    if isinstance(value, bool) or type(value) is int and value in (0, 1):
        return bool(value)
    raise TypeError(f"{name} must be True or False, not {value!r}")


def text(name: str, value: Any, optional: bool = False) -> Any:
    """A name given as a str (None too when ``optional``)."""
    if isinstance(value, str) or optional and value is None:
        return value
    raise TypeError(f"{name} must be a str{' or None' if optional else ''}, not {type(value).__name__}")


def names(name: str, value: Any, known: Any) -> Any:
    """None, or a list or tuple of names each in ``known``."""
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of names, not {type(value).__name__}"
                        + (f" (give [{value!r}])" if isinstance(value, str) else ""))
    for one in value:
        text(f"each of {name}", one)
        if one not in known:
            raise ValueError(f"unknown {name[:-1] if name.endswith('s') else name} {one!r}; known: {', '.join(sorted(known))}")
    return value


def releases(value: Any) -> Any:
    """Rule releases: None, 'FAMILY=VERSION[,...]' or a mapping of family to version (each a str)."""
    if value is None or isinstance(value, str) or hasattr(value, "items") and all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return value
    if hasattr(value, "items"):
        raise TypeError(f"rules must map each family to a version, both str ({{'peppol': '3.0.20'}}), not {value!r}")
    raise TypeError(f"rules must be a dict such as {{'peppol': '3.0.20'}} or a str 'peppol=3.0.20', "
                    f"not {type(value).__name__}")


def collector(name: str, value: Any) -> Any:
    """A list the caller gives to be filled (None: not wanted)."""
    if value is None or isinstance(value, list):
        return value
    raise TypeError(f"{name} must be a list to fill (or None), not {type(value).__name__}")


def size(name: str, value: Any) -> int:
    """A limit in bytes: a positive int."""
    if type(value) is int and value > 0:
        return value
    raise TypeError(f"{name} must be a positive int (bytes), not {value!r}")


def count(name: str, value: Any, optional: bool = False) -> Any:
    """A limit as a count: a positive int (None too when ``optional``: the default)."""
    if optional and value is None or type(value) is int and value > 0:
        return value
    raise TypeError(f"{name} must be a positive int{' or None' if optional else ''}, not {value!r}")


def build_options(format: Any, policy: Any, allow_lossy: Any, data: Any = None) -> None:
    """The options every build function takes (and its input, when given: a dict or an Invoice)."""
    from .build import FORMATS
    from .model.invoice import Invoice

    text("format", format)
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    flag("policy", policy)
    flag("allow_lossy", allow_lossy)
    if data is not None and not isinstance(data, (dict, Invoice)):
        raise TypeError(f"the input must be a dict of invoice fields or an einvoice.Invoice, not {type(data).__name__}")
