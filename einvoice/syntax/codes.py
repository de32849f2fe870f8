"""Code mappings between the model (meaning) and the two syntaxes (codes as written).

Readers map a syntax's codes to the model's meaning, writers map meaning back
to codes. These tables are facts of the EN 16931 syntax bindings.
"""

from __future__ import annotations

from ..model.invoice import RegistrationScheme

# BT-8 Value added tax point date code: the model (and UBL) hold UNTDID 2005,
# CII writes UNTDID 2475 (DueDateTypeCode): invoice date, delivery date, paid to date.
TAX_POINT_2475_TO_2005 = {"5": "3", "29": "35", "72": "432"}
TAX_POINT_2005_TO_2475 = {v: k for k, v in TAX_POINT_2475_TO_2005.items()}

# VAT category codes (BT-95/102/118/151) each Factur-X profile's code list allows (its schematron's
# ram:CategoryCode list; MINIMUM states no category). EN 16931 also has "B" (Italian split payment):
# of the Factur-X profiles only EXTENDED lists it.
FACTURX_VAT_CATEGORIES = {
    "basicwl": frozenset({"AE", "E", "G", "K", "L", "M", "O", "S", "Z"}),
    "basic": frozenset({"AE", "E", "G", "K", "L", "M", "O", "S", "Z"}),
    "en16931": frozenset({"AE", "E", "G", "K", "L", "M", "O", "S", "Z"}),
    "extended": frozenset({"AE", "B", "E", "G", "K", "L", "M", "O", "S", "Z"}),
}

# Tax registration scheme: UBL TaxScheme/cbc:ID, CII SpecifiedTaxRegistration/ram:ID/@schemeID
UBL_REGISTRATION_SCHEME = {RegistrationScheme.VAT: "VAT", RegistrationScheme.OTHER: "TAX"}
CII_REGISTRATION_SCHEME = {RegistrationScheme.VAT: "VA", RegistrationScheme.OTHER: "FC"}


def tax_point_from_cii(code: str | None) -> str | None:
    """A CII DueDateTypeCode as BT-8 (UNTDID 2005); a code outside the binding is kept as written."""
    if code is None:
        return None
    return TAX_POINT_2475_TO_2005.get(code.strip(), code)


def tax_point_to_cii(code: str | None) -> str | None:
    """BT-8 (UNTDID 2005) as a CII DueDateTypeCode (UNTDID 2475); a code outside the binding as it is."""
    if code is None:
        return None
    return TAX_POINT_2005_TO_2475.get(code.strip(), code)


from ..rules.values import trim  # noqa: E402 - (XML whitespace only, as XPath trims: a no-break space stays)


def registration_from_ubl(code: str | None) -> RegistrationScheme | None:
    """UBL: the scheme ``VAT`` is a VAT identifier, however it is spaced or cased (``'vat'``, ``' VAT '``: CEN's
    rules read ``upper-case`` and ``normalize-space`` of it), any other a tax registration."""
    if code is None:
        return None
    return RegistrationScheme.VAT if trim(code).upper() == "VAT" else RegistrationScheme.OTHER


def registration_from_cii(code: str | None) -> RegistrationScheme | None:
    """CII: ``VA`` is a VAT identifier, any other scheme (``FC``) a tax registration."""
    if code is None:
        return None
    return RegistrationScheme.VAT if code == "VA" else RegistrationScheme.OTHER


def category_scheme(code: str | None) -> str:
    """The tax scheme of a VAT category as written: ``VAT`` (also for none, or VAT written with blanks or in
    lower case, which the official rules read as VAT), another scheme as it is."""
    if code is None or trim(code).upper() == "VAT":
        return "VAT"
    return code


def category_scheme_from(code: str | None) -> str | None:
    """A VAT category's tax scheme as read: ``VAT`` however it is spaced or cased (as the official rules
    read it), another scheme as written, None when absent."""
    if code is not None and trim(code).upper() == "VAT":
        return "VAT"
    return code


def exemption_code(code: str | None) -> str | None:
    """A VAT exemption reason code (BT-121): VATEX codes in their upper-case spelling (the official UBL
    rules compare them upper-cased; Factur-X's code list has them so), any other code as written."""
    if code is not None and code.strip().upper().startswith("VATEX-"):
        return code.strip().upper()
    return code


def _ubl_registration(scheme: RegistrationScheme | None) -> str:
    """A tax registration's UBL TaxScheme: VAT, another registration TAX (none stated: VAT)."""
    return UBL_REGISTRATION_SCHEME.get(scheme, "VAT")


def _without_scheme(ident):
    """An identifier without its scheme (UBL gives only BT-18 a scheme on a document reference, UBL-SR-43)."""
    if ident is None or ident.scheme_id is None:
        return ident
    return type(ident).model_construct(value=ident.value)


# The code mappings the binding tables name (``Term.codes``): (reader: as written -> model, writer:
# model -> as written); None where that side takes the value as it is.
CODECS = {
    "VAT -> VAT, other -> TAX": (registration_from_ubl, _ubl_registration),
    "VAT -> VA, other -> FC": (registration_from_cii, CII_REGISTRATION_SCHEME.get),
    "VATEX upper case": (exemption_code, exemption_code),
    "VAT": (category_scheme_from, category_scheme),
    "UNTDID 2005 <-> 2475 (3/35/432 <-> 5/29/72)": (tax_point_from_cii, tax_point_to_cii),
    "1 when absent": (None, lambda code: "1" if code is None else code),  # UNCL4461 1: instrument not defined
    "NA when absent": (None, lambda v: "NA" if v is None else v),
    "no scheme (UBL-SR-43)": (None, _without_scheme),
    "no scheme (only BT-18 has one, as ReferenceTypeCode)": (None, _without_scheme),
}
