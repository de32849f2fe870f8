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

import json
import os
import tempfile
import types
import typing
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import xmlsafe
from .errors import BuildRefused, InvalidModelInput, UnreadableInput
from .model.base import ModelBase
from .model.invoice import (
    Amount,
    DocumentKind,
    DocumentTotals,
    Identifier,
    Invoice,
    Syntax,
    TaxCategory,
    TaxTotal,
    VatBreakdown,
)
from .model.calc import amount_value as _amt, breakdown_key
from .rules.engine import Finding, Report, Severity, format_message, rule_table
from .syntax.cii.writer import GUIDELINE_IDS
from .syntax.ubl.writer import PEPPOL_CUSTOMIZATION_ID as PEPPOL_CUSTOMIZATION, PEPPOL_PROFILE_ID as PEPPOL_PROCESS
from .syntax.cii.writer import XRECHNUNG_GUIDELINE_ID as XRECHNUNG_GUIDELINE
from .syntax.ubl.writer import XRECHNUNG_CUSTOMIZATION_ID as XRECHNUNG_CUSTOMIZATION

MAX_INPUT_BYTES = 10 * 1024 * 1024


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
    "cii": Target("cii", Syntax.CII, "en16931", "en16931", GUIDELINE_IDS["en16931"]),
    **{f"facturx-{p}": Target(f"facturx-{p}", Syntax.CII, p, f"facturx-{p}", GUIDELINE_IDS[p])
       for p in ("minimum", "basicwl", "basic", "en16931", "extended")},
}

# XRechnung 3.0: the EN 16931 content, the XRechnung identifier, validated with the XRechnung rules
# (which refuse an invoice without the Leitweg-ID, BR-DE-15, or without the seller contact, BR-DE-2/5/6/7)
FORMATS["xrechnung-ubl"] = Target("xrechnung-ubl", Syntax.UBL, "xrechnung-3.0", "xrechnung", XRECHNUNG_CUSTOMIZATION, PEPPOL_PROCESS)
FORMATS["xrechnung-cii"] = Target("xrechnung-cii", Syntax.CII, "en16931", "xrechnung", XRECHNUNG_GUIDELINE, PEPPOL_PROCESS)

CREDIT_TRANSFER_CODES = {"30", "58"}
# profiles whose documents carry no invoice lines
LINELESS = {"facturx-minimum", "facturx-basicwl"}


def _target(format: str) -> Target:
    try:
        return FORMATS[format]
    except KeyError:
        raise InvalidModelInput(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}") from None


# --- reading input ---------------------------------------------------------------


def _yaml_loader():
    """A YAML loader that keeps every scalar as text (or null): the model decides the types.

    This avoids YAML 1.1 surprises: ``NO`` (Norway) read as false, ``0123`` read as an
    octal number, ``1.10`` losing its trailing zero, long account numbers turned into ints.
    """
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:merge")]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader


def load_input(path: str | Path) -> dict:
    """Read a JSON or YAML build input into a dict (InvalidModelInput / UnreadableInput on failure)."""
    import yaml

    p = Path(path)
    name = str(path)
    raw, _ = xmlsafe.read_bytes(p, MAX_INPUT_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableInput(f"not UTF-8 text (byte {exc.start})", name) from None
    if not text.strip():
        raise UnreadableInput("empty file", name)
    is_json = p.suffix.lower() == ".json" or (p.suffix.lower() not in (".yaml", ".yml") and text.lstrip()[:1] in "{[")
    try:
        if is_json:
            data = json.loads(text, parse_float=str, parse_int=str)
        else:
            data = yaml.load(text, Loader=_yaml_loader())  # noqa: S506 - a SafeLoader subclass
    except json.JSONDecodeError as exc:
        raise UnreadableInput(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", name) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UnreadableInput(f"not valid YAML: {problem}{where}", name) from None
    if not isinstance(data, dict):
        raise InvalidModelInput(f"{name}: the input must be a mapping of invoice fields, not {type(data).__name__}")
    return data


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
    return "other", None


def _scalar(v: Any) -> bool:
    return isinstance(v, (str, int, float, Decimal)) and not isinstance(v, bool)


def _coerce(tp: Any, value: Any) -> Any:
    """Shorthands in input data: an amount or identifier as a plain value, numbers where text is expected."""
    kind, arg = _unwrap(tp)
    if kind == "model":
        if isinstance(value, dict):
            out = dict(value)
            for key, val in value.items():
                field = arg.model_fields.get(key) if isinstance(key, str) else None
                if field is not None:
                    out[key] = _coerce(field.annotation, val)
            return out
        if arg is Amount and _scalar(value):
            return {"value": str(value)}
        if arg is Identifier and _scalar(value):
            return {"value": str(value)}
        return value
    if kind == "list" and isinstance(value, list):
        return [_coerce(arg, v) for v in value]
    if kind == "str" and _scalar(value) and not isinstance(value, str):
        return str(value)
    return value


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _model_error_text(exc) -> str:
    lines = []
    for err in exc.errors(include_url=False):
        loc = _loc(tuple(p for p in err.get("loc", ()) if not (isinstance(p, str) and p.startswith("function-"))))
        kind = err.get("type", "")
        if kind == "extra_forbidden":
            msg = "unknown field (not a term of the model; check the spelling)"
        elif kind == "missing":
            msg = "required field missing"
        else:
            msg = err.get("msg", "invalid value")
            inp = err.get("input")
            if _scalar(inp) or inp is None:
                shown = repr(inp)
                msg += f" (got {shown[:60]}{'...' if len(shown) > 60 else ''})"
        lines.append(f"{loc}: {msg}")
    return "\n".join(lines) or "the input does not fit the invoice model"


def to_invoice(data: Invoice | dict) -> Invoice:
    """An Invoice from a model object (deep-copied) or from a dict in the model's field names."""
    from pydantic import ValidationError

    if isinstance(data, Invoice):
        return data.model_copy(deep=True)
    if not isinstance(data, dict):
        raise InvalidModelInput(f"expected an Invoice or a mapping of invoice fields, not {type(data).__name__}")
    try:
        return Invoice.model_validate(_coerce(Invoice, data))
    except ValidationError as exc:
        raise InvalidModelInput(_model_error_text(exc)) from None


# --- preparing the invoice -------------------------------------------------------


def _finding(rule: str, **params: Any) -> Finding:
    meta = rule_table("build").get(rule)
    if meta is None:  # pragma: no cover - every rule has an entry in build.yaml
        return Finding(rule, Severity.ERROR, rule, None, layer="build")
    return Finding(rule, meta.severity, format_message(meta.message, params), meta.hint, layer="build")


def _blank(s: str | None) -> bool:
    return s is None or not str(s).strip()


def _fill_currency(obj: Any, currency: str | None) -> None:
    """Every amount without a currency gets the invoice currency (UBL requires the attribute)."""
    if currency is None:
        return
    if isinstance(obj, Amount):
        if obj.currency_id is None and obj.value is not None:
            obj.currency_id = currency
        return
    if isinstance(obj, ModelBase):
        for name in type(obj).model_fields:
            _fill_currency(getattr(obj, name), currency)
    elif isinstance(obj, list):
        for item in obj:
            _fill_currency(item, currency)


def _fmt(v: Decimal | None) -> str:
    return "absent" if v is None else f"{v:f}"


def _money(v: Decimal) -> Decimal:
    return v.quantize(Decimal("0.01"))


def prepare(invoice: Invoice, target: Target) -> list[Finding]:
    """Complete the invoice in place (defaults, computed amounts) and return what refuses it."""
    from .model.calc import compute, line_net

    findings: list[Finding] = []
    inv = invoice
    inv.syntax = target.syntax
    if _blank(inv.customization_id):
        inv.customization_id = target.customization_id
    if target.profile_id and _blank(inv.profile_id):
        inv.profile_id = target.profile_id
    if _blank(inv.type_code):
        inv.type_code = "381" if inv.kind == DocumentKind.CREDIT_NOTE else "380"
    cur = inv.currency_code

    # line net amounts (BT-131)
    for n, line in enumerate(inv.lines, 1):
        computed = line_net(line)
        stated = _amt(line.net_amount)
        if stated is None:
            if computed is not None:
                line.net_amount = Amount(value=_money(computed), currency_id=cur)
        elif computed is not None and stated != computed:
            findings.append(_finding("EINV-B-020", line=line.id or n, stated=_fmt(stated), computed=_fmt(computed)))

    c = compute(inv)

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
        stated = _amt(getattr(t, name))
        if stated is None:
            if needed and (have_lines or inv.allowances_charges):
                setattr(t, name, Amount(value=_money(value), currency_id=cur))
        elif have_lines and stated != value:
            findings.append(_finding("EINV-B-021", term=term, stated=_fmt(stated), computed=_fmt(_money(value))))

    # VAT total (BT-110) and breakdown (BG-23)
    if have_lines or inv.allowances_charges:
        findings += _vat(inv, c, cur)

    _fill_currency(inv, cur)
    findings += mandatory(inv, target)
    return findings


def _vat(inv: Invoice, c, cur: str | None) -> list[Finding]:
    findings: list[Finding] = []
    # exemption reasons may be stated on line or allowance categories: they belong to the breakdown
    reasons: dict[str, tuple[str | None, str | None]] = {}
    cats: list[TaxCategory] = [ln.item.tax_category for ln in inv.lines if ln.item and ln.item.tax_category]
    cats += [ac.tax_category for ac in inv.allowances_charges if ac.tax_category]
    for cat in cats:
        if cat.exemption_reason or cat.exemption_reason_code:
            reasons.setdefault((cat.code or "").strip(), (cat.exemption_reason, cat.exemption_reason_code))
    for line in inv.lines:
        cat = line.item.tax_category if line.item else None
        if cat is not None:  # not a line term in EN 16931 (BG-30 has no reason)
            cat.exemption_reason = cat.exemption_reason_code = None

    total = inv.vat_total
    if total is None:
        total = TaxTotal()
        inv.tax_totals.insert(0, total)
    stated_tax = _amt(total.tax_amount)
    if stated_tax is None:
        total.tax_amount = Amount(value=_money(c.tax_amount), currency_id=cur)
    elif stated_tax != c.tax_amount:
        findings.append(_finding("EINV-B-023", stated=_fmt(stated_tax), computed=_fmt(_money(c.tax_amount))))

    computed = {breakdown_key(b.category, b.rate): b for b in c.breakdown}
    if not total.breakdown:
        for b in c.breakdown:
            reason, reason_code = (b.exemption_reason, b.exemption_reason_code)
            if not (reason or reason_code):
                reason, reason_code = reasons.get(b.category, (None, None))
            total.breakdown.append(VatBreakdown(
                taxable_amount=Amount(value=_money(b.taxable_amount), currency_id=cur),
                tax_amount=Amount(value=_money(b.tax_amount), currency_id=cur),
                category=TaxCategory(code=b.category or None, rate=b.rate, exemption_reason=reason,
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
        k = breakdown_key(cat.code, cat.rate)
        seen.add(k)
        comp = computed.get(k)
        label = f"{cat.code or '?'} {_fmt(cat.rate) if cat.rate is not None else ''}".strip()
        if comp is None:
            findings.append(_finding("EINV-B-022", category=label))
            continue
        if not (cat.exemption_reason or cat.exemption_reason_code):
            cat.exemption_reason, cat.exemption_reason_code = reasons.get(k[0], (None, None))
        for fld, value in (("taxable_amount", comp.taxable_amount), ("tax_amount", comp.tax_amount)):
            stated = _amt(getattr(bd, fld))
            if stated is None:
                setattr(bd, fld, Amount(value=_money(value), currency_id=cur))
            elif stated != value:
                term = "BT-116" if fld == "taxable_amount" else "BT-117"
                findings.append(_finding("EINV-B-024", category=label, term=term, stated=_fmt(stated),
                                         computed=_fmt(_money(value))))
    for k, comp in computed.items():
        if k not in seen:
            label = f"{comp.category or '?'} {_fmt(comp.rate) if comp.rate is not None else ''}".strip()
            findings.append(_finding("EINV-B-025", category=label))
    return findings


def mandatory(inv: Invoice, target: Target) -> list[Finding]:
    """What an invoice must carry before we issue it (house rules EINV-B-001 ...)."""
    out: list[Finding] = []
    buyer = inv.buyer
    buyer_ids = [i for i in (buyer.identifiers if buyer else []) if not _blank(i.value)]
    if not buyer_ids and _blank(inv.buyer_reference):
        out.append(_finding("EINV-B-001"))
    if inv.issue_date is None:
        out.append(_finding("EINV-B-002"))
    if inv.due_date is None and _blank(inv.payment_terms):
        out.append(_finding("EINV-B-003"))
    if _blank(inv.number):
        out.append(_finding("EINV-B-004"))
    if _blank(inv.currency_code):
        out.append(_finding("EINV-B-005"))
    if not inv.lines:
        stated_total = inv.totals is not None and _amt(inv.totals.payable_amount) is not None
        if not (target.profile in LINELESS and stated_total):
            out.append(_finding("EINV-B-006"))
    for n, line in enumerate(inv.lines, 1):
        ref = line.id or n
        if line.quantity is None:
            out.append(_finding("EINV-B-007", line=ref))
        if (line.price is None or _amt(line.price.net_amount) is None) and _amt(line.net_amount) is None:
            out.append(_finding("EINV-B-008", line=ref))
        cat = line.item.tax_category if line.item else None
        if cat is None or _blank(cat.code):
            out.append(_finding("EINV-B-009", line=ref))
    means = [m for m in inv.payment_means if not _blank(m.code)]
    if not means:
        out.append(_finding("EINV-B-010"))
    for m in means:
        if m.code.strip() in CREDIT_TRANSFER_CODES:
            if not any(not _blank(ct.account_id) for ct in m.credit_transfers):
                out.append(_finding("EINV-B-011", code=m.code.strip()))
            if _blank(m.remittance_information):
                out.append(_finding("EINV-B-012", code=m.code.strip()))
    contact = inv.seller.contact if inv.seller else None
    if contact is None or _blank(contact.name):
        out.append(_finding("EINV-B-013"))
    if contact is None or (_blank(contact.telephone) and _blank(contact.email)):
        out.append(_finding("EINV-B-014"))
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


def check_written(data: bytes, profile: str, path: str | None = None, policy: bool = False) -> Report:
    """Read written XML back and validate it (XSD + the profile's rule layers, and the house policy if asked)."""
    from . import syntax
    from .validate import validate_document

    tree = xmlsafe.parse(data, path)
    doc = syntax.read_tree(tree.getroot(), path)
    return validate_document(doc, profile=profile, schema=True, policy=policy)


def build_report(data: Invoice | dict, format: str, policy: bool = False) -> tuple[bytes, Report]:
    """Build and validate; returns the XML and the validation report (warnings included).

    With ``policy`` the house policy (EINV-P-*, as configured) is applied too, so an
    invoice a clerk would reject is refused (findings at error level refuse the build).

    Raises InvalidModelInput for input that does not fit the model and BuildRefused
    (carrying every blocking finding) when the invoice is not fit to issue.
    """
    target = _target(format)
    invoice = to_invoice(data)
    try:
        findings = prepare(invoice, target)
    except ArithmeticError:  # decimal.InvalidOperation: a result with more digits than the context carries
        raise InvalidModelInput("a number in the input is too large to compute the invoice's amounts with "
                                "(amounts carry at most 28 significant digits)") from None
    try:
        xml = _write(invoice, target)
    except Exception as exc:
        if any(f.severity.blocking for f in findings):
            # the writer could not cope with an incomplete invoice: our findings say why
            raise BuildRefused([f for f in findings if f.severity.blocking]) from exc
        if isinstance(exc, ValueError) and "XML compatible" in str(exc):  # lxml refuses the text
            raise InvalidModelInput("a text field holds a character that XML cannot carry "
                                    "(a control character such as NUL)") from None
        raise
    report = check_written(xml, target.profile, policy=policy)
    report.findings[:0] = findings
    blocking = [f for f in report.findings if f.severity.blocking]
    if blocking:
        raise BuildRefused(blocking)
    return xml, report


def build(invoice_or_dict: Invoice | dict, format: str, policy: bool = False) -> bytes:
    """XML bytes of an invoice in a format (see :data:`FORMATS`); BuildRefused when not fit to issue."""
    return build_report(invoice_or_dict, format, policy=policy)[0]


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write a file in one step: a temporary file in the same folder, then a rename."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=str(target.parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a written invoice gets the usual permissions
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def build_file(input_path: str | Path, format: str, output_path: str | Path, policy: bool = False) -> Report:
    """Build from a JSON/YAML file and write the XML atomically; nothing is written when refused."""
    data = load_input(input_path)
    try:
        xml, report = build_report(data, format, policy=policy)
    except InvalidModelInput as exc:
        exc.path = str(input_path)
        raise
    report.path = str(output_path)
    write_atomic(output_path, xml)
    return report


__all__ = ["build", "build_file", "build_report", "load_input", "to_invoice", "prepare", "mandatory",
           "write_atomic", "FORMATS", "Target"]
