"""Writes the XRechnung unit tests (vefa testSet files) of this folder.

The cases are ours, written from the official KoSIT rule files (XRechnung 3.0.2,
rule set 2.5.0): for every rule id, documents on which it must hold and
documents on which it must fire, in UBL and CII. Each document is a fragment:
only the rules named in its assert are judged (see ../shared/conformance/README.md).

    python tests/xrechnung/make_testsets.py   # rewrites tests/xrechnung/*.xml
"""

from __future__ import annotations

from collections import defaultdict
from functools import partial
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent

CIUS = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
EXT = CIUS + "#conformant#urn:xeinkauf.de:kosit:extension:xrechnung_3.0"
CVD = CIUS + "#compliant#urn:xeinkauf.de:kosit:xrechnung:cvd_0.9"
PEPPOL = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"

IBAN_OK = "DE89370400440532013000"
IBAN_BAD = "DE89370400440532013001"

UBL_NS = ('xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
          'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"')
CII_NS = ('xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" '
          'xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" '
          'xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"')


def ubl(body: str = "", cid: str = CIUS, credit: bool = False) -> str:
    root = "CreditNote" if credit else "Invoice"
    ns = f"urn:oasis:names:specification:ubl:schema:xsd:{root}-2"
    return (f'<{root} xmlns="{ns}" {UBL_NS}>'
            f"<cbc:CustomizationID>{escape(cid)}</cbc:CustomizationID>{body}</{root}>")


def cii(agreement: str = "", delivery: str = "", settlement: str = "", lines: str = "", cid: str | None = CIUS,
        type_code: str | None = "380", process: str | None = None) -> str:
    bp = (f"<ram:BusinessProcessSpecifiedDocumentContextParameter><ram:ID>{process}</ram:ID>"
          "</ram:BusinessProcessSpecifiedDocumentContextParameter>") if process else ""
    ctx = (f"<rsm:ExchangedDocumentContext>{bp}<ram:GuidelineSpecifiedDocumentContextParameter>"
           f"<ram:ID>{escape(cid)}</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>"
           "</rsm:ExchangedDocumentContext>") if cid is not None else ""
    doc = f"<rsm:ExchangedDocument><ram:TypeCode>{type_code}</ram:TypeCode></rsm:ExchangedDocument>" \
        if type_code is not None else ""
    return (f"<rsm:CrossIndustryInvoice {CII_NS}>{ctx}{doc}<rsm:SupplyChainTradeTransaction>{lines}"
            f"<ram:ApplicableHeaderTradeAgreement>{agreement}</ram:ApplicableHeaderTradeAgreement>"
            f"<ram:ApplicableHeaderTradeDelivery>{delivery}</ram:ApplicableHeaderTradeDelivery>"
            f"<ram:ApplicableHeaderTradeSettlement>{settlement}</ram:ApplicableHeaderTradeSettlement>"
            "</rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>")


def wrap(path: str, inner: str = "", attrs: str = "") -> str:
    """``<a><b attrs>inner</b></a>`` for the path 'a/b' (the attributes go on the innermost element)."""
    tags = path.split("/")
    return "".join(f"<{t}>" for t in tags[:-1]) + f"<{tags[-1]}{attrs}>{inner}" + "".join(f"</{t}>" for t in reversed(tags))


def opt(path: str, value: str | None, attrs: str = "") -> str:
    """:func:`wrap` of a value that may be left out (None)."""
    return "" if value is None else wrap(path, value, attrs)


EUR_ATTR = ' currencyID="EUR"'

# the fixtures both syntaxes have: their element and its parts, in the order the syntax writes them
FIXTURES = {
    "ubl": {"contact": ("cac:Contact", [("name", "cbc:Name"), ("phone", "cbc:Telephone"), ("mail", "cbc:ElectronicMail")]),
            "address": ("cac:PostalAddress", [("city", "cbc:CityName"), ("zone", "cbc:PostalZone"),
                                              ("country", "cac:Country/cbc:IdentificationCode")])},
    "cii": {"contact": ("ram:DefinedTradeContact", [("name", "ram:PersonName"), ("dept", "ram:DepartmentName"),
                                                    ("phone", "ram:TelephoneUniversalCommunication/ram:CompleteNumber"),
                                                    ("mail", "ram:EmailURIUniversalCommunication/ram:URIID")]),
            "address": ("ram:PostalTradeAddress", [("zone", "ram:PostcodeCode"), ("city", "ram:CityName"),
                                                   ("country", "ram:CountryID")])},
}


def fixture(syntax: str, what: str, **values: str | None) -> str:
    wrapper, parts = FIXTURES[syntax][what]
    return wrap(wrapper, "".join(opt(path, values.get(key)) for key, path in parts))


def contact(syntax: str, name="Frau Koch", phone="+49 30 1234567", mail="rechnung@example.de", dept=None) -> str:
    return fixture(syntax, "contact", name=name, dept=dept, phone=phone, mail=mail)


def address(syntax: str, city="Berlin", zone="10115") -> str:
    return fixture(syntax, "address", city=city, zone=zone, country="DE")


# (file, syntax) -> [(description, [(kind, rule id)], document)]
CASES: dict[tuple[str, str], list] = defaultdict(list)


def case(group: str, syntax: str, what: str, asserts: list[tuple[str, str]], document: str) -> None:
    CASES[(group, syntax)].append((what, asserts, document))


def ok(rid):
    return ("success", rid)


def err(rid):
    return ("error", rid)


def warn(rid):
    return ("warning", rid)


def info(rid):
    return ("information", rid)


# ============================================================== UBL

def u_pm(code: str, inner: str = "") -> str:
    return f"<cac:PaymentMeans><cbc:PaymentMeansCode>{code}</cbc:PaymentMeansCode>{inner}</cac:PaymentMeans>"


U_PAYEE = f"<cac:PayeeFinancialAccount><cbc:ID>{IBAN_OK}</cbc:ID></cac:PayeeFinancialAccount>"
U_CARD = "<cac:CardAccount><cbc:PrimaryAccountNumberID>123456</cbc:PrimaryAccountNumberID><cbc:NetworkID>VISA</cbc:NetworkID></cac:CardAccount>"


def u_mandate(iban: str = IBAN_OK) -> str:
    return ("<cac:PaymentMandate><cbc:ID>MANDATE-1</cbc:ID><cac:PayerFinancialAccount>"
            f"<cbc:ID>{iban}</cbc:ID></cac:PayerFinancialAccount></cac:PaymentMandate>")


def u_supplier(party: str) -> str:
    return f"<cac:AccountingSupplierParty><cac:Party>{party}</cac:Party></cac:AccountingSupplierParty>"


def u_customer(party: str) -> str:
    return f"<cac:AccountingCustomerParty><cac:Party>{party}</cac:Party></cac:AccountingCustomerParty>"


u_contact, u_address = partial(contact, "ubl"), partial(address, "ubl")


def u_line(cat="S", extra="", tag="InvoiceLine") -> str:
    return (f"<cac:{tag}><cbc:ID>1</cbc:ID>{extra}<cac:Item><cbc:Name>Beratung</cbc:Name><cac:ClassifiedTaxCategory>"
            f"<cbc:ID>{cat}</cbc:ID><cbc:Percent>19</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>"
            f"</cac:ClassifiedTaxCategory></cac:Item></cac:{tag}>")


U_SELLER_VAT = u_supplier("<cac:PartyTaxScheme><cbc:CompanyID>DE123456789</cbc:CompanyID>"
                          "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>")

g = "br-de-document"
case(g, "ubl", "no payment instructions", [err("BR-DE-1")], ubl())
case(g, "ubl", "payment instructions given", [ok("BR-DE-1")], ubl(u_pm("58")))
case(g, "ubl", "no buyer reference", [err("BR-DE-15")], ubl())
case(g, "ubl", "blank buyer reference", [err("BR-DE-15")], ubl("<cbc:BuyerReference> \n\t</cbc:BuyerReference>"))
case(g, "ubl", "Leitweg-ID given", [ok("BR-DE-15")], ubl("<cbc:BuyerReference>04011000-12345-03</cbc:BuyerReference>"))
case(g, "ubl", "standard rate on a line without seller tax number", [err("BR-DE-16")], ubl(u_line("S")))
case(g, "ubl", "standard rate with seller VAT identifier", [ok("BR-DE-16")], ubl(U_SELLER_VAT + u_line("S")))
case(g, "ubl", "standard rate with a tax representative", [ok("BR-DE-16")],
     ubl("<cac:TaxRepresentativeParty><cac:PartyName><cbc:Name>Vertreter</cbc:Name></cac:PartyName></cac:TaxRepresentativeParty>"
         + u_line("S")))
case(g, "ubl", "only category O: nothing required", [ok("BR-DE-16")], ubl(u_line("O")))
case(g, "ubl", "zero rate on a document allowance without seller tax number", [err("BR-DE-16")],
     ubl("<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator><cac:TaxCategory><cbc:ID>Z</cbc:ID>"
         "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:AllowanceCharge>"))
case(g, "ubl", "reverse charge on a document charge without seller tax number", [err("BR-DE-16")],
     ubl("<cac:AllowanceCharge><cbc:ChargeIndicator>true</cbc:ChargeIndicator><cac:TaxCategory><cbc:ID>AE</cbc:ID>"
         "</cac:TaxCategory></cac:AllowanceCharge>"))
case(g, "ubl", "unusual type code", [warn("BR-DE-17")], ubl("<cbc:InvoiceTypeCode>383</cbc:InvoiceTypeCode>"))
case(g, "ubl", "commercial invoice", [ok("BR-DE-17")], ubl("<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>"))
case(g, "ubl", "partial invoice with blanks around the code", [ok("BR-DE-17")], ubl("<cbc:InvoiceTypeCode> 326 </cbc:InvoiceTypeCode>"))
case(g, "ubl", "credit note 381", [ok("BR-DE-17")], ubl("<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>", credit=True))
case(g, "ubl", "credit note with another code", [warn("BR-DE-17")], ubl("<cbc:CreditNoteTypeCode>396</cbc:CreditNoteTypeCode>", credit=True))


def u_terms(text: str) -> str:
    return f"<cac:PaymentTerms><cbc:Note>{escape(text)}</cbc:Note></cac:PaymentTerms>"


SKONTO_CASES = [
    ("plain payment terms", "Zahlbar innerhalb 30 Tagen netto.", True),
    ("one discount line ending with a line break", "#SKONTO#TAGE=14#PROZENT=2.00#\n", True),
    ("discount line with base amount, then text", "#SKONTO#TAGE=7#PROZENT=3.00#BASISBETRAG=-100.00#\nRest netto.", True),
    ("two discount lines", "#SKONTO#TAGE=7#PROZENT=3.00#\n#SKONTO#TAGE=14#PROZENT=2.00#\n", True),
    ("discount line without the closing line break", "#SKONTO#TAGE=14#PROZENT=2.00#", False),
    ("discount keyword in lower case", "#skonto#TAGE=14#PROZENT=2.00#\n", False),
    ("one decimal in the percentage", "#SKONTO#TAGE=14#PROZENT=2.0#\n", False),
    ("blank inside the line", "#SKONTO# TAGE=14#PROZENT=2.00#\n", False),
    ("comma as decimal separator", "#SKONTO#TAGE=14#PROZENT=2,00#\n", False),
]
for what, text, good in SKONTO_CASES:
    case(g, "ubl", what, [ok("BR-DE-18") if good else err("BR-DE-18")], ubl(u_terms(text)))

case(g, "ubl", "XRechnung identifier", [ok("BR-DE-21")], ubl())
case(g, "ubl", "extension identifier", [ok("BR-DE-21")], ubl(cid=EXT))
case(g, "ubl", "CVD identifier", [ok("BR-DE-21")], ubl(cid=CVD))
case(g, "ubl", "Peppol identifier", [warn("BR-DE-21")], ubl(cid=PEPPOL))


def u_adr(name: str) -> str:
    return (f"<cac:AdditionalDocumentReference><cbc:ID>{name}</cbc:ID><cac:Attachment>"
            f'<cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="{name}">QUJD</cbc:EmbeddedDocumentBinaryObject>'
            "</cac:Attachment></cac:AdditionalDocumentReference>")


case(g, "ubl", "two attachments with the same file name", [err("BR-DE-22")], ubl(u_adr("a.pdf") + u_adr("a.pdf")))
case(g, "ubl", "two attachments with their own names", [ok("BR-DE-22")], ubl(u_adr("a.pdf") + u_adr("b.pdf")))
case(g, "ubl", "corrected invoice without preceding invoice", [warn("BR-DE-26")], ubl("<cbc:InvoiceTypeCode>384</cbc:InvoiceTypeCode>"))
case(g, "ubl", "corrected invoice naming the invoice it corrects", [ok("BR-DE-26")],
     ubl("<cbc:InvoiceTypeCode>384</cbc:InvoiceTypeCode><cac:BillingReference><cac:InvoiceDocumentReference>"
         "<cbc:ID>R-1</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>"))
case(g, "ubl", "direct debit without creditor identifier", [err("BR-DE-30"), ok("BR-DE-31")], ubl(u_pm("59", u_mandate())))
case(g, "ubl", "direct debit with creditor identifier", [ok("BR-DE-30")],
     ubl(u_supplier('<cac:PartyIdentification><cbc:ID schemeID="SEPA">DE98ZZZ09999999999</cbc:ID></cac:PartyIdentification>')
         + u_pm("59", u_mandate())))
case(g, "ubl", "direct debit with creditor identifier of the payee", [ok("BR-DE-30")],
     ubl('<cac:PayeeParty><cac:PartyIdentification><cbc:ID schemeID="SEPA">DE98ZZZ09999999999</cbc:ID></cac:PartyIdentification></cac:PayeeParty>'
         + u_pm("59", u_mandate())))
case(g, "ubl", "direct debit without debited account", [err("BR-DE-31")],
     ubl(u_pm("59", "<cac:PaymentMandate><cbc:ID>M-1</cbc:ID></cac:PaymentMandate>")))
case(g, "ubl", "no direct debit", [ok("BR-DE-30"), ok("BR-DE-31")], ubl(u_pm("58", U_PAYEE)))
case(g, "ubl", "no delivery date, period or line periods", [info("BR-DE-TMP-32")], ubl(u_line("S")))
case(g, "ubl", "actual delivery date", [ok("BR-DE-TMP-32")],
     ubl("<cac:Delivery><cbc:ActualDeliveryDate>2026-11-30</cbc:ActualDeliveryDate></cac:Delivery>" + u_line("S")))
case(g, "ubl", "invoicing period", [ok("BR-DE-TMP-32")],
     ubl("<cac:InvoicePeriod><cbc:StartDate>2026-11-01</cbc:StartDate></cac:InvoicePeriod>" + u_line("S")))
case(g, "ubl", "a period on every line", [ok("BR-DE-TMP-32")],
     ubl(u_line("S", "<cac:InvoicePeriod><cbc:StartDate>2026-11-01</cbc:StartDate></cac:InvoicePeriod>")))


def u_ext_ref(uri: str | None) -> str:
    inner = f"<cbc:URI>{escape(uri)}</cbc:URI>" if uri is not None else ""
    return (f"<cac:AdditionalDocumentReference><cbc:ID>X</cbc:ID><cac:Attachment><cac:ExternalReference>{inner}"
            "</cac:ExternalReference></cac:Attachment></cac:AdditionalDocumentReference>")


case(g, "ubl", "external location without a scheme", [warn("BR-TMP-2")], ubl(u_ext_ref("www.example.com/lieferschein.pdf")))
case(g, "ubl", "external location without URI", [warn("BR-TMP-2")], ubl(u_ext_ref(None)))
case(g, "ubl", "external location with https", [ok("BR-TMP-2")], ubl(u_ext_ref("https://www.example.com/lieferschein.pdf")))
case(g, "ubl", "external location with a one-letter scheme", [warn("BR-TMP-2")], ubl(u_ext_ref("c:/temp/a.pdf")))

g = "br-de-parties"
case(g, "ubl", "seller without contact", [err("BR-DE-2")], ubl(u_supplier(u_address())))
case(g, "ubl", "seller with contact", [ok("BR-DE-2")], ubl(u_supplier(u_address() + u_contact())))
case(g, "ubl", "seller address without city", [err("BR-DE-3"), ok("BR-DE-4")], ubl(u_supplier(u_address(city=None))))
case(g, "ubl", "seller address without post code", [ok("BR-DE-3"), err("BR-DE-4")], ubl(u_supplier(u_address(zone=None))))
case(g, "ubl", "seller address with blank city and post code", [err("BR-DE-3"), err("BR-DE-4")],
     ubl(u_supplier(u_address(city=" ", zone=""))))
case(g, "ubl", "complete seller contact", [ok("BR-DE-5"), ok("BR-DE-6"), ok("BR-DE-7"), ok("BR-DE-27"), ok("BR-DE-28")],
     ubl(u_supplier(u_contact())))
case(g, "ubl", "seller contact without name", [err("BR-DE-5"), ok("BR-DE-6")], ubl(u_supplier(u_contact(name=None))))
case(g, "ubl", "seller contact without telephone", [err("BR-DE-6"), warn("BR-DE-27")], ubl(u_supplier(u_contact(phone=None))))
case(g, "ubl", "seller contact without e-mail", [err("BR-DE-7"), warn("BR-DE-28")], ubl(u_supplier(u_contact(mail=None))))
case(g, "ubl", "telephone with two digits", [ok("BR-DE-6"), warn("BR-DE-27")], ubl(u_supplier(u_contact(phone="0-1"))))
case(g, "ubl", "telephone with three digits", [ok("BR-DE-27")], ubl(u_supplier(u_contact(phone="1 2 3"))))
case(g, "ubl", "e-mail without a dot in the domain", [warn("BR-DE-28")], ubl(u_supplier(u_contact(mail="rechnung@example"))))
case(g, "ubl", "e-mail with two @", [warn("BR-DE-28")], ubl(u_supplier(u_contact(mail="a@b@example.de"))))
case(g, "ubl", "e-mail with a blank", [warn("BR-DE-28")], ubl(u_supplier(u_contact(mail="rech nung@example.de"))))
case(g, "ubl", "e-mail with special characters", [ok("BR-DE-28")], ubl(u_supplier(u_contact(mail="o'neil+rechnung@mail.example.de"))))
case(g, "ubl", "buyer address without city and post code", [err("BR-DE-8"), err("BR-DE-9")], ubl(u_customer(u_address(None, None))))
case(g, "ubl", "buyer address complete", [ok("BR-DE-8"), ok("BR-DE-9")], ubl(u_customer(u_address())))
case(g, "ubl", "delivery address without city and post code", [err("BR-DE-10"), err("BR-DE-11")],
     ubl("<cac:Delivery><cac:DeliveryLocation><cac:Address><cbc:StreetName>Hauptstr. 1</cbc:StreetName>"
         "</cac:Address></cac:DeliveryLocation></cac:Delivery>"))
case(g, "ubl", "delivery address complete", [ok("BR-DE-10"), ok("BR-DE-11")],
     ubl("<cac:Delivery><cac:DeliveryLocation><cac:Address><cbc:CityName>Bonn</cbc:CityName><cbc:PostalZone>53111</cbc:PostalZone>"
         "</cac:Address></cac:DeliveryLocation></cac:Delivery>"))
case(g, "ubl", "no delivery address", [ok("BR-DE-10"), ok("BR-DE-11")], ubl())

g = "br-de-payment"
case(g, "ubl", "SEPA credit transfer with a valid IBAN", [ok("BR-DE-19"), ok("BR-DE-23-a"), ok("BR-DE-23-b")], ubl(u_pm("58", U_PAYEE)))
case(g, "ubl", "SEPA credit transfer with a wrong check digit", [warn("BR-DE-19")],
     ubl(u_pm("58", f"<cac:PayeeFinancialAccount><cbc:ID>{IBAN_BAD}</cbc:ID></cac:PayeeFinancialAccount>")))
case(g, "ubl", "SEPA credit transfer with blanks in the IBAN", [ok("BR-DE-19")],
     ubl(u_pm("58", "<cac:PayeeFinancialAccount><cbc:ID>DE89 3704 0044 0532 0130 00</cbc:ID></cac:PayeeFinancialAccount>")))
case(g, "ubl", "non-SEPA credit transfer: the IBAN is not checked", [ok("BR-DE-19")],
     ubl(u_pm("30", "<cac:PayeeFinancialAccount><cbc:ID>12345</cbc:ID></cac:PayeeFinancialAccount>")))
case(g, "ubl", "credit transfer without account", [err("BR-DE-23-a"), warn("BR-DE-19")], ubl(u_pm("58")))
case(g, "ubl", "credit transfer with a card", [err("BR-DE-23-b")], ubl(u_pm("30", U_PAYEE + U_CARD)))
case(g, "ubl", "credit transfer with a mandate", [err("BR-DE-23-b")], ubl(u_pm("30", U_PAYEE + u_mandate())))
case(g, "ubl", "card payment with card", [ok("BR-DE-24-a"), ok("BR-DE-24-b")], ubl(u_pm("54", U_CARD)))
case(g, "ubl", "card payment without card", [err("BR-DE-24-a")], ubl(u_pm("48")))
case(g, "ubl", "card payment with an account", [err("BR-DE-24-b")], ubl(u_pm("55", U_CARD + U_PAYEE)))
case(g, "ubl", "direct debit with mandate", [ok("BR-DE-20"), ok("BR-DE-25-a"), ok("BR-DE-25-b")], ubl(u_pm("59", u_mandate())))
case(g, "ubl", "direct debit with a wrong IBAN", [warn("BR-DE-20")], ubl(u_pm("59", u_mandate(IBAN_BAD))))
case(g, "ubl", "direct debit with a lower-case country code", [warn("BR-DE-20")], ubl(u_pm("59", u_mandate(IBAN_OK.lower()))))
case(g, "ubl", "direct debit without mandate", [err("BR-DE-25-a"), warn("BR-DE-20")], ubl(u_pm("59")))
case(g, "ubl", "direct debit with a payee account", [err("BR-DE-25-b")], ubl(u_pm("59", u_mandate() + U_PAYEE)))
case(g, "ubl", "direct debit with a card", [err("BR-DE-25-b")], ubl(u_pm("59", u_mandate() + U_CARD)))
case(g, "ubl", "VAT breakdown without rate", [err("BR-DE-14")],
     ubl("<cac:TaxTotal><cac:TaxSubtotal><cac:TaxCategory><cbc:ID>S</cbc:ID></cac:TaxCategory></cac:TaxSubtotal></cac:TaxTotal>"))
case(g, "ubl", "VAT breakdown with rate", [ok("BR-DE-14")],
     ubl("<cac:TaxTotal><cac:TaxSubtotal><cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>19</cbc:Percent></cac:TaxCategory>"
         "</cac:TaxSubtotal></cac:TaxTotal>"))
case(g, "ubl", "exempt breakdown with rate 0", [ok("BR-DE-14")],
     ubl("<cac:TaxTotal><cac:TaxSubtotal><cac:TaxCategory><cbc:ID>E</cbc:ID><cbc:Percent>0</cbc:Percent></cac:TaxCategory>"
         "</cac:TaxSubtotal></cac:TaxTotal>"))

g = "br-dex"


def u_embedded(mime: str) -> str:
    return (f'<cac:AdditionalDocumentReference><cbc:ID>A</cbc:ID><cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode="{mime}" '
            'filename="a">QUJD</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference>')


case(g, "ubl", "extension: XML attachment", [ok("BR-DEX-01")], ubl(u_embedded("application/xml"), cid=EXT))
case(g, "ubl", "extension: plain text attachment", [err("BR-DEX-01")], ubl(u_embedded("text/plain"), cid=EXT))
case(g, "ubl", "not the extension: the rule does not apply", [ok("BR-DEX-01")], ubl(u_embedded("text/plain")))


def u_sub(amount: str, inner: str = "", vat: bool = True) -> str:
    cat = ("<cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>19</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID>"
           "</cac:TaxScheme></cac:ClassifiedTaxCategory>") if vat else ""
    return (f'<cac:SubInvoiceLine><cbc:ID>s</cbc:ID><cbc:LineExtensionAmount currencyID="EUR">{amount}</cbc:LineExtensionAmount>'
            f"<cac:Item><cbc:Name>Teil</cbc:Name>{cat}</cac:Item>{inner}</cac:SubInvoiceLine>")


def u_parent(amount: str, subs: str) -> str:
    return (f'<cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:LineExtensionAmount currencyID="EUR">{amount}</cbc:LineExtensionAmount>'
            f"<cac:Item><cbc:Name>Paket</cbc:Name></cac:Item>{subs}</cac:InvoiceLine>")


case(g, "ubl", "extension: line equals the sum of its sub-lines", [ok("BR-DEX-02"), ok("BR-DEX-03")],
     ubl(u_parent("100.00", u_sub("60.00") + u_sub("40.00")), cid=EXT))
case(g, "ubl", "extension: line differs from the sum of its sub-lines", [warn("BR-DEX-02")],
     ubl(u_parent("100.00", u_sub("60.00") + u_sub("30.00")), cid=EXT))
case(g, "ubl", "extension: a sub-line differs from the sum of its own sub-lines", [warn("BR-DEX-02")],
     ubl(u_parent("100", u_sub("100", u_sub("50") + u_sub("49.99"))), cid=EXT))
case(g, "ubl", "extension: zero line with zero sub-lines", [ok("BR-DEX-02")],
     ubl(u_parent("0", u_sub("0.00") + u_sub("0")), cid=EXT))
case(g, "ubl", "extension: sub-line item without VAT category", [err("BR-DEX-03")],
     ubl(u_parent("100.00", u_sub("100.00", vat=False)), cid=EXT))
case(g, "ubl", "not the extension: sub-line sums are not checked", [ok("BR-DEX-02"), ok("BR-DEX-03")],
     ubl(u_parent("100.00", u_sub("60.00", vat=False)), cid=CIUS))


def u_totals(inclusive: str, payable: str, prepaid: str | None = None, rounding: str | None = None) -> str:
    return wrap("cac:LegalMonetaryTotal", opt("cbc:TaxInclusiveAmount", inclusive, EUR_ATTR) + opt("cbc:PrepaidAmount", prepaid, EUR_ATTR)
                + opt("cbc:PayableRoundingAmount", rounding, EUR_ATTR) + opt("cbc:PayableAmount", payable, EUR_ATTR))


def u_prepaid(pid: str | None = "Gutschein", amount: str | None = "10.00", instruction: str | None = "Einlösung",
              currency: str = "EUR") -> str:
    return wrap("cac:PrepaidPayment", opt("cbc:ID", pid) + opt("cbc:PaidAmount", amount, f' currencyID="{currency}"')
                + opt("cbc:InstructionID", instruction))


CUR = "<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>"
case(g, "ubl", "extension: amount due without third-party payments", [ok("BR-DEX-09")], ubl(u_totals("119.00", "119.00"), cid=EXT))
case(g, "ubl", "extension: amount due with prepaid and rounding amounts", [ok("BR-DEX-09")],
     ubl(u_totals("119.00", "69.01", prepaid="50.00", rounding="0.01"), cid=EXT))
case(g, "ubl", "extension: amount due adds the third-party payment", [ok("BR-DEX-09")],
     ubl(CUR + u_prepaid() + u_totals("119.00", "129.00"), cid=EXT))
case(g, "ubl", "extension: amount due that leaves out the third-party payment", [err("BR-DEX-09")],
     ubl(CUR + u_prepaid() + u_totals("119.00", "119.00"), cid=EXT))
case(g, "ubl", "extension: amount due off by a cent", [err("BR-DEX-09")], ubl(u_totals("119.00", "118.99"), cid=EXT))
case(g, "ubl", "not the extension: BR-DEX-09 does not apply", [ok("BR-DEX-09")], ubl(u_totals("119.00", "1.00")))
case(g, "ubl", "extension: complete third-party payment",
     [ok("BR-DEX-10"), ok("BR-DEX-11"), ok("BR-DEX-12"), ok("BR-DEX-13"), ok("BR-DEX-14")], ubl(CUR + u_prepaid(), cid=EXT))
case(g, "ubl", "extension: third-party payment without type", [err("BR-DEX-10")], ubl(CUR + u_prepaid(pid=None), cid=EXT))
case(g, "ubl", "extension: third-party payment without amount", [err("BR-DEX-11"), err("BR-DEX-14")],
     ubl(CUR + u_prepaid(amount=None), cid=EXT))
case(g, "ubl", "extension: third-party payment without description", [err("BR-DEX-12")],
     ubl(CUR + u_prepaid(instruction=None), cid=EXT))
case(g, "ubl", "extension: third-party amount with three decimals", [err("BR-DEX-13")], ubl(CUR + u_prepaid(amount="10.125"), cid=EXT))
case(g, "ubl", "extension: third-party amount in another currency", [err("BR-DEX-14")],
     ubl(CUR + u_prepaid(currency="USD"), cid=EXT))
case(g, "ubl", "not the extension: third-party payment rules do not apply", [ok("BR-DEX-10"), ok("BR-DEX-13")],
     ubl(CUR + u_prepaid(pid=None, amount="1.999")))


def u_ids(scheme: str) -> str:
    return (f'<cac:PartyIdentification><cbc:ID schemeID="{scheme}">X1</cbc:ID></cac:PartyIdentification>')


case(g, "ubl", "extension: party identifier with a DiGA scheme", [ok("BR-DEX-04")], ubl(u_customer(u_ids("XR01")), cid=EXT))
case(g, "ubl", "extension: party identifier with an ICD scheme", [ok("BR-DEX-04")], ubl(u_customer(u_ids("0088")), cid=EXT))
case(g, "ubl", "extension: party identifier with an unknown scheme", [err("BR-DEX-04")], ubl(u_customer(u_ids("9999")), cid=EXT))
case(g, "ubl", "extension: SEPA identifier of the seller", [ok("BR-DEX-04")], ubl(u_supplier(u_ids("SEPA")), cid=EXT))
case(g, "ubl", "extension: SEPA identifier of the buyer", [err("BR-DEX-04")], ubl(u_customer(u_ids("SEPA")), cid=EXT))
case(g, "ubl", "not the extension: DiGA scheme is not judged here", [ok("BR-DEX-04")], ubl(u_customer(u_ids("9999"))))
case(g, "ubl", "extension: legal registration with a DiGA scheme", [ok("BR-DEX-05")],
     ubl(u_supplier('<cac:PartyLegalEntity><cbc:CompanyID schemeID="XR02">1</cbc:CompanyID></cac:PartyLegalEntity>'), cid=EXT))
case(g, "ubl", "extension: legal registration with an unknown scheme", [err("BR-DEX-05")],
     ubl(u_supplier('<cac:PartyLegalEntity><cbc:CompanyID schemeID="XR04">1</cbc:CompanyID></cac:PartyLegalEntity>'), cid=EXT))
STD = '<cac:InvoiceLine><cbc:ID>1</cbc:ID><cac:Item><cac:StandardItemIdentification><cbc:ID schemeID="{}">4012345000009</cbc:ID></cac:StandardItemIdentification></cac:Item></cac:InvoiceLine>'
case(g, "ubl", "extension: item standard identifier GTIN", [ok("BR-DEX-06")], ubl(STD.format("0160"), cid=EXT))
case(g, "ubl", "extension: item standard identifier with an unknown scheme", [err("BR-DEX-06")], ubl(STD.format("GTIN"), cid=EXT))
EP = '<cac:AccountingSupplierParty><cac:Party><cbc:EndpointID schemeID="{}">x@example.de</cbc:EndpointID></cac:Party></cac:AccountingSupplierParty>'
case(g, "ubl", "extension: e-mail endpoint", [ok("BR-DEX-07")], ubl(EP.format("EM"), cid=EXT))
case(g, "ubl", "extension: endpoint with a DiGA scheme", [ok("BR-DEX-07")], ubl(EP.format("XR03"), cid=EXT))
case(g, "ubl", "extension: endpoint with an unknown scheme", [err("BR-DEX-07")], ubl(EP.format("9999"), cid=EXT))
DL = '<cac:Delivery><cac:DeliveryLocation><cbc:ID schemeID="{}">4000001000005</cbc:ID></cac:DeliveryLocation></cac:Delivery>'
case(g, "ubl", "extension: delivery location GLN", [ok("BR-DEX-08")], ubl(DL.format("0088"), cid=EXT))
case(g, "ubl", "extension: delivery location with an unknown scheme", [err("BR-DEX-08")], ubl(DL.format("GLN"), cid=EXT))

g = "br-de-cvd"


def u_cvd_item(codes: list[tuple[str, str]], props: list[tuple[str, str]], tag: str = "InvoiceLine") -> str:
    cc = "".join(f'<cac:CommodityClassification><cbc:ItemClassificationCode listID="{lid}">{v}</cbc:ItemClassificationCode>'
                 "</cac:CommodityClassification>" for lid, v in codes)
    pp = "".join(f"<cac:AdditionalItemProperty><cbc:Name>{n}</cbc:Name><cbc:Value>{v}</cbc:Value></cac:AdditionalItemProperty>"
                 for n, v in props)
    return f"<cac:{tag}><cbc:ID>1</cbc:ID><cac:Item><cbc:Name>Bus</cbc:Name>{pp}{cc}</cac:Item></cac:{tag}>"


GOOD_CVD = u_cvd_item([("CVD", "M3")], [("cva", "clean")])
REFS = ("<cac:OriginatorDocumentReference><cbc:ID>LOS-7</cbc:ID></cac:OriginatorDocumentReference>"
        "<cac:ContractDocumentReference><cbc:ID>V-2026-1</cbc:ID></cac:ContractDocumentReference>")
case(g, "ubl", "CVD invoice with contract, tender and a classified vehicle",
     [ok("BR-DE-CVD-01"), ok("BR-DE-CVD-02"), ok("BR-DE-CVD-03"), ok("BR-DE-CVD-04"), ok("BR-DE-CVD-05"),
      ok("BR-DE-CVD-06-a"), ok("BR-DE-CVD-06-b"), ok("BR-TMP-CVD-01")], ubl(REFS + GOOD_CVD, cid=CVD))
case(g, "ubl", "CVD credit note with a classified vehicle", [ok("BR-DE-CVD-03"), ok("BR-DE-CVD-06-a")],
     ubl(REFS + u_cvd_item([("CVD", "N1")], [("cva", "other")], tag="CreditNoteLine"), cid=CVD, credit=True))
case(g, "ubl", "CVD invoice without contract and tender references", [err("BR-DE-CVD-01"), err("BR-DE-CVD-02")],
     ubl(GOOD_CVD, cid=CVD))
case(g, "ubl", "CVD invoice without a CVD line", [err("BR-DE-CVD-03")], ubl(REFS + u_cvd_item([("STI", "123")], []), cid=CVD))
case(g, "ubl", "CVD class that is no vehicle category", [err("BR-DE-CVD-04")], ubl(REFS + u_cvd_item([("CVD", "L1")], [("cva", "clean")]), cid=CVD))
case(g, "ubl", "cva value not allowed", [err("BR-DE-CVD-05")], ubl(REFS + u_cvd_item([("CVD", "M1")], [("cva", "diesel")]), cid=CVD))
case(g, "ubl", "CVD class with two cva attributes", [err("BR-DE-CVD-06-a")],
     ubl(REFS + u_cvd_item([("CVD", "M1")], [("cva", "clean"), ("cva", "other")]), cid=CVD))
case(g, "ubl", "cva attribute without a CVD class", [err("BR-DE-CVD-06-b")], ubl(REFS + GOOD_CVD + u_cvd_item([], [("cva", "clean")]), cid=CVD))
case(g, "ubl", "classification scheme outside UNTDID 7143", [err("BR-TMP-CVD-01")],
     ubl(REFS + u_cvd_item([("CVD", "M1"), ("QQQ", "1")], [("cva", "clean")]), cid=CVD))
case(g, "ubl", "not a CVD invoice: the CVD rules do not apply", [ok("BR-DE-CVD-01"), ok("BR-DE-CVD-03"), ok("BR-TMP-CVD-01")],
     ubl(u_cvd_item([("QQQ", "1")], [])))

# ============================================================== CII

C_SELLER_VAT = ('<ram:SellerTradeParty><ram:Name>V</ram:Name><ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">DE123456789</ram:ID>'
                "</ram:SpecifiedTaxRegistration></ram:SellerTradeParty>")


def c_line(cat="S", extra="", product="<ram:SpecifiedTradeProduct><ram:Name>Beratung</ram:Name></ram:SpecifiedTradeProduct>",
           agreement="") -> str:
    return ("<ram:IncludedSupplyChainTradeLineItem><ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID>"
            f"</ram:AssociatedDocumentLineDocument>{product}<ram:SpecifiedLineTradeAgreement>{agreement}</ram:SpecifiedLineTradeAgreement>"
            "<ram:SpecifiedLineTradeSettlement><ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode>"
            f"<ram:CategoryCode>{cat}</ram:CategoryCode></ram:ApplicableTradeTax>{extra}</ram:SpecifiedLineTradeSettlement>"
            "</ram:IncludedSupplyChainTradeLineItem>")


def c_pm(code: str, inner: str = "") -> str:
    return f"<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>{code}</ram:TypeCode>{inner}</ram:SpecifiedTradeSettlementPaymentMeans>"


C_PAYEE = f"<ram:PayeePartyCreditorFinancialAccount><ram:IBANID>{IBAN_OK}</ram:IBANID></ram:PayeePartyCreditorFinancialAccount>"
C_CARD = "<ram:ApplicableTradeSettlementFinancialCard><ram:ID>123456</ram:ID></ram:ApplicableTradeSettlementFinancialCard>"


def c_payer(iban: str = IBAN_OK) -> str:
    return f"<ram:PayerPartyDebtorFinancialAccount><ram:IBANID>{iban}</ram:IBANID></ram:PayerPartyDebtorFinancialAccount>"


C_CREDITOR = "<ram:CreditorReferenceID>DE98ZZZ09999999999</ram:CreditorReferenceID>"
C_MANDATE = "<ram:SpecifiedTradePaymentTerms><ram:DirectDebitMandateID>M-1</ram:DirectDebitMandateID></ram:SpecifiedTradePaymentTerms>"

g = "br-de-document"
case(g, "cii", "no payment instructions", [err("BR-DE-1")], cii())
case(g, "cii", "payment instructions given", [ok("BR-DE-1")], cii(settlement=c_pm("58", C_PAYEE)))
case(g, "cii", "no buyer reference", [err("BR-DE-15")], cii())
case(g, "cii", "blank buyer reference", [err("BR-DE-15")], cii("<ram:BuyerReference>  </ram:BuyerReference>"))
case(g, "cii", "Leitweg-ID given", [ok("BR-DE-15")], cii("<ram:BuyerReference>04011000-12345-03</ram:BuyerReference>"))
case(g, "cii", "standard rate on a line without seller tax number", [err("BR-DE-16")], cii(lines=c_line("S")))
case(g, "cii", "standard rate with seller VAT identifier", [ok("BR-DE-16")], cii(C_SELLER_VAT, lines=c_line("S")))
case(g, "cii", "standard rate with seller tax number (FC)", [ok("BR-DE-16")],
     cii('<ram:SellerTradeParty><ram:SpecifiedTaxRegistration><ram:ID schemeID="FC">201/113/40209</ram:ID>'
         "</ram:SpecifiedTaxRegistration></ram:SellerTradeParty>", lines=c_line("S")))
case(g, "cii", "standard rate with a tax representative", [ok("BR-DE-16")],
     cii("<ram:SellerTaxRepresentativeTradeParty><ram:Name>Vertreter</ram:Name></ram:SellerTaxRepresentativeTradeParty>", lines=c_line("S")))
case(g, "cii", "standard rate with a registration of another scheme", [err("BR-DE-16")],
     cii('<ram:SellerTradeParty><ram:SpecifiedTaxRegistration><ram:ID schemeID="XX">1</ram:ID>'
         "</ram:SpecifiedTaxRegistration></ram:SellerTradeParty>", lines=c_line("S")))
case(g, "cii", "only category O: nothing required", [ok("BR-DE-16")], cii(lines=c_line("O")))
case(g, "cii", "standard rate on a document allowance only: the official test does not see it", [ok("BR-DE-16")],
     cii(settlement="<ram:SpecifiedTradeAllowanceCharge><ram:CategoryTradeTax><ram:TypeCode>VAT</ram:TypeCode>"
         "<ram:CategoryCode>S</ram:CategoryCode></ram:CategoryTradeTax></ram:SpecifiedTradeAllowanceCharge>"))
case(g, "cii", "unusual type code", [warn("BR-DE-17")], cii(type_code="383"))
case(g, "cii", "commercial invoice", [ok("BR-DE-17")], cii(type_code="380"))
case(g, "cii", "credit note", [ok("BR-DE-17")], cii(type_code=" 381 "))
case(g, "cii", "no type code", [warn("BR-DE-17")], cii(type_code=None))


def c_terms(text: str) -> str:
    return f"<ram:SpecifiedTradePaymentTerms><ram:Description>{escape(text)}</ram:Description></ram:SpecifiedTradePaymentTerms>"


for what, text, good in SKONTO_CASES:
    case(g, "cii", what, [ok("BR-DE-18") if good else err("BR-DE-18")], cii(settlement=c_terms(text)))

case(g, "cii", "XRechnung identifier", [ok("BR-DE-21")], cii())
case(g, "cii", "extension identifier", [ok("BR-DE-21")], cii(cid=EXT))
case(g, "cii", "Factur-X EN 16931 identifier", [warn("BR-DE-21")], cii(cid="urn:cen.eu:en16931:2017"))
case(g, "cii", "XRechnung 2.1 identifier", [warn("BR-DE-21")], cii(cid="urn:cen.eu:en16931:2017#compliant#urn:xoev-de:kosit:standard:xrechnung_2.1"))


def c_ard(name: str) -> str:
    return (f"<ram:AdditionalReferencedDocument><ram:IssuerAssignedID>{name}</ram:IssuerAssignedID><ram:TypeCode>916</ram:TypeCode>"
            f'<ram:AttachmentBinaryObject mimeCode="application/pdf" filename="{name}">QUJD</ram:AttachmentBinaryObject>'
            "</ram:AdditionalReferencedDocument>")


case(g, "cii", "two attachments with the same file name", [err("BR-DE-22")], cii(c_ard("a.pdf") + c_ard("a.pdf")))
case(g, "cii", "two attachments with their own names", [ok("BR-DE-22")], cii(c_ard("a.pdf") + c_ard("b.pdf")))
case(g, "cii", "corrected invoice without preceding invoice", [warn("BR-DE-26")], cii(type_code="384"))
case(g, "cii", "corrected invoice naming the invoice it corrects", [ok("BR-DE-26")],
     cii(type_code="384", settlement="<ram:InvoiceReferencedDocument><ram:IssuerAssignedID>R-1</ram:IssuerAssignedID></ram:InvoiceReferencedDocument>"))
case(g, "cii", "direct debit complete", [ok("BR-DE-30"), ok("BR-DE-31")], cii(settlement=C_CREDITOR + c_pm("59", c_payer()) + C_MANDATE))
case(g, "cii", "direct debit without creditor identifier", [err("BR-DE-30"), ok("BR-DE-31")], cii(settlement=c_pm("59", c_payer()) + C_MANDATE))
case(g, "cii", "creditor identifier alone", [err("BR-DE-30"), err("BR-DE-31")], cii(settlement=C_CREDITOR))
case(g, "cii", "direct debit without debited account", [ok("BR-DE-30"), err("BR-DE-31")], cii(settlement=C_CREDITOR + C_MANDATE))
case(g, "cii", "no direct debit", [ok("BR-DE-30"), ok("BR-DE-31")], cii(settlement=c_pm("58", C_PAYEE)))
case(g, "cii", "no delivery date, period or line periods", [info("BR-DE-TMP-32")], cii(lines=c_line("S")))
case(g, "cii", "actual delivery date", [ok("BR-DE-TMP-32")],
     cii(delivery='<ram:ActualDeliverySupplyChainEvent><ram:OccurrenceDateTime><udt:DateTimeString format="102">20261130'
         "</udt:DateTimeString></ram:OccurrenceDateTime></ram:ActualDeliverySupplyChainEvent>", lines=c_line("S")))
case(g, "cii", "invoicing period", [ok("BR-DE-TMP-32")],
     cii(settlement='<ram:BillingSpecifiedPeriod><ram:StartDateTime><udt:DateTimeString format="102">20261101</udt:DateTimeString>'
         "</ram:StartDateTime></ram:BillingSpecifiedPeriod>", lines=c_line("S")))
case(g, "cii", "a period on every line", [ok("BR-DE-TMP-32")],
     cii(lines=c_line("S", '<ram:BillingSpecifiedPeriod><ram:StartDateTime><udt:DateTimeString format="102">20261101'
                           "</udt:DateTimeString></ram:StartDateTime></ram:BillingSpecifiedPeriod>")))


def c_ext_ref(uri: str | None, type_code: str = "916") -> str:
    inner = f"<ram:URIID>{escape(uri)}</ram:URIID>" if uri is not None else ""
    return (f"<ram:AdditionalReferencedDocument><ram:IssuerAssignedID>X</ram:IssuerAssignedID>{inner}"
            f"<ram:TypeCode>{type_code}</ram:TypeCode></ram:AdditionalReferencedDocument>")


case(g, "cii", "external location without a scheme", [warn("BR-TMP-2")], cii(c_ext_ref("www.example.com/lieferschein.pdf")))
case(g, "cii", "supporting document without location", [ok("BR-TMP-2")], cii(c_ext_ref(None)))
case(g, "cii", "external location with https", [ok("BR-TMP-2")], cii(c_ext_ref("https://www.example.com/lieferschein.pdf")))
case(g, "cii", "tender reference (type 50) is not judged", [ok("BR-TMP-2")], cii(c_ext_ref("LOS-7", "50")))


def c_price(kind: str, qty: str | None, unit: str | None) -> str:
    if qty is None:
        return f"<ram:{kind}PriceProductTradePrice><ram:ChargeAmount>10</ram:ChargeAmount></ram:{kind}PriceProductTradePrice>"
    attr = f' unitCode="{unit}"' if unit is not None else ""
    return (f"<ram:{kind}PriceProductTradePrice><ram:ChargeAmount>10</ram:ChargeAmount>"
            f"<ram:BasisQuantity{attr}>{qty}</ram:BasisQuantity></ram:{kind}PriceProductTradePrice>")


for what, gross, net, good in [
    ("same base quantity and unit on both prices", ("1", "C62"), ("1", "C62"), True),
    ("base quantity on the net price only", (None, None), ("1", "C62"), True),
    ("different base quantities", ("10", "C62"), ("1", "C62"), False),
    ("same quantity written differently", ("1", "C62"), ("1.0", "C62"), False),
    ("different units", ("1", "C62"), ("1", "H87"), False),
    ("unit on the net price only", ("1", None), ("1", "C62"), True),
]:
    case(g, "cii", what, [ok("BR-TMP-3") if good else err("BR-TMP-3")],
         cii(lines=c_line("S", agreement=c_price("Gross", *gross) + c_price("Net", *net))))

g = "br-de-parties"


def c_seller(inner: str) -> str:
    return f"<ram:SellerTradeParty><ram:Name>V</ram:Name>{inner}</ram:SellerTradeParty>"


c_contact, c_address = partial(contact, "cii"), partial(address, "cii")


case(g, "cii", "seller without contact", [err("BR-DE-2")], cii(c_seller(c_address())))
case(g, "cii", "seller with contact", [ok("BR-DE-2")], cii(c_seller(c_contact() + c_address())))
case(g, "cii", "seller address without city", [err("BR-DE-3"), ok("BR-DE-4")], cii(c_seller(c_address(city=None))))
case(g, "cii", "seller address without post code", [ok("BR-DE-3"), err("BR-DE-4")], cii(c_seller(c_address(zone=None))))
case(g, "cii", "complete seller contact", [ok("BR-DE-5"), ok("BR-DE-6"), ok("BR-DE-7"), ok("BR-DE-27"), ok("BR-DE-28")],
     cii(c_seller(c_contact())))
case(g, "cii", "seller contact with a department only", [ok("BR-DE-5")], cii(c_seller(c_contact(name=None, dept="Buchhaltung"))))
case(g, "cii", "seller contact without name or department", [err("BR-DE-5")], cii(c_seller(c_contact(name=None))))
case(g, "cii", "seller contact without telephone", [err("BR-DE-6"), warn("BR-DE-27")], cii(c_seller(c_contact(phone=None))))
case(g, "cii", "seller contact without e-mail", [err("BR-DE-7"), warn("BR-DE-28")], cii(c_seller(c_contact(mail=None))))
case(g, "cii", "telephone with two digits", [warn("BR-DE-27")], cii(c_seller(c_contact(phone="(0) 1"))))
case(g, "cii", "e-mail ending with a dot", [warn("BR-DE-28")], cii(c_seller(c_contact(mail="rechnung@example.de."))))
case(g, "cii", "e-mail with a subdomain", [ok("BR-DE-28")], cii(c_seller(c_contact(mail="rechnung@bund.example.de"))))
case(g, "cii", "buyer address without city and post code", [err("BR-DE-8"), err("BR-DE-9")],
     cii("<ram:BuyerTradeParty><ram:Name>K</ram:Name>" + c_address(None, None) + "</ram:BuyerTradeParty>"))
case(g, "cii", "buyer address complete", [ok("BR-DE-8"), ok("BR-DE-9")],
     cii("<ram:BuyerTradeParty><ram:Name>K</ram:Name>" + c_address() + "</ram:BuyerTradeParty>"))
case(g, "cii", "delivery address without city and post code", [err("BR-DE-10"), err("BR-DE-11")],
     cii(delivery="<ram:ShipToTradeParty>" + c_address(None, None) + "</ram:ShipToTradeParty>"))
case(g, "cii", "delivery address complete", [ok("BR-DE-10"), ok("BR-DE-11")],
     cii(delivery="<ram:ShipToTradeParty>" + c_address("Bonn", "53111") + "</ram:ShipToTradeParty>"))

g = "br-de-payment"
case(g, "cii", "SEPA credit transfer with a valid IBAN", [ok("BR-DE-19"), ok("BR-DE-23-a"), ok("BR-DE-23-b")], cii(settlement=c_pm("58", C_PAYEE)))
case(g, "cii", "SEPA credit transfer with a wrong check digit", [warn("BR-DE-19")],
     cii(settlement=c_pm("58", f"<ram:PayeePartyCreditorFinancialAccount><ram:IBANID>{IBAN_BAD}</ram:IBANID></ram:PayeePartyCreditorFinancialAccount>")))
case(g, "cii", "SEPA credit transfer with a proprietary account only", [warn("BR-DE-19"), ok("BR-DE-23-a")],
     cii(settlement=c_pm("58", "<ram:PayeePartyCreditorFinancialAccount><ram:ProprietaryID>123</ram:ProprietaryID></ram:PayeePartyCreditorFinancialAccount>")))
case(g, "cii", "credit transfer without account", [err("BR-DE-23-a")], cii(settlement=c_pm("30")))
case(g, "cii", "credit transfer with a card", [err("BR-DE-23-b")], cii(settlement=c_pm("30", C_CARD + C_PAYEE)))
case(g, "cii", "credit transfer with a creditor identifier", [err("BR-DE-23-b")], cii(settlement=C_CREDITOR + c_pm("58", C_PAYEE)))
case(g, "cii", "card payment with card", [ok("BR-DE-24-a"), ok("BR-DE-24-b")], cii(settlement=c_pm("48", C_CARD)))
case(g, "cii", "card payment without card", [err("BR-DE-24-a")], cii(settlement=c_pm("54")))
case(g, "cii", "card payment with a payee account", [err("BR-DE-24-b")], cii(settlement=c_pm("55", C_CARD + C_PAYEE)))
case(g, "cii", "card payment with a mandate reference", [err("BR-DE-24-b")], cii(settlement=c_pm("55", C_CARD) + C_MANDATE))
case(g, "cii", "direct debit complete", [ok("BR-DE-20"), ok("BR-DE-25-a"), ok("BR-DE-25-b")],
     cii(settlement=C_CREDITOR + c_pm("59", c_payer()) + C_MANDATE))
case(g, "cii", "direct debit with a wrong IBAN", [warn("BR-DE-20")], cii(settlement=C_CREDITOR + c_pm("59", c_payer(IBAN_BAD)) + C_MANDATE))
case(g, "cii", "direct debit without any direct debit information", [err("BR-DE-25-a"), warn("BR-DE-20")], cii(settlement=c_pm("59")))
case(g, "cii", "direct debit with a payee account", [err("BR-DE-25-b")], cii(settlement=C_CREDITOR + c_pm("59", c_payer() + C_PAYEE) + C_MANDATE))
case(g, "cii", "direct debit with the payee's bank", [err("BR-DE-25-b")],
     cii(settlement=C_CREDITOR + c_pm("59", c_payer() + "<ram:PayeeSpecifiedCreditorFinancialInstitution><ram:BICID>COBADEFFXXX"
                                      "</ram:BICID></ram:PayeeSpecifiedCreditorFinancialInstitution>") + C_MANDATE))
case(g, "cii", "VAT breakdown without rate", [err("BR-DE-14")],
     cii(settlement="<ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode></ram:ApplicableTradeTax>"))
case(g, "cii", "VAT breakdown with rate", [ok("BR-DE-14")],
     cii(settlement="<ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode>"
         "<ram:RateApplicablePercent>19</ram:RateApplicablePercent></ram:ApplicableTradeTax>"))

g = "br-dex"


def c_attachment(mime: str) -> str:
    return (f'<ram:AdditionalReferencedDocument><ram:IssuerAssignedID>A</ram:IssuerAssignedID><ram:TypeCode>916</ram:TypeCode>'
            f'<ram:AttachmentBinaryObject mimeCode="{mime}" filename="a">QUJD</ram:AttachmentBinaryObject></ram:AdditionalReferencedDocument>')


case(g, "cii", "extension: XML attachment", [ok("BR-DEX-01")], cii(c_attachment("application/xml"), cid=EXT))
case(g, "cii", "extension: plain text attachment", [err("BR-DEX-01")], cii(c_attachment("text/plain"), cid=EXT))
case(g, "cii", "not the extension: the rule does not apply", [ok("BR-DEX-01")], cii(c_attachment("text/plain")))
PARENT = ("<ram:IncludedSupplyChainTradeLineItem><ram:AssociatedDocumentLineDocument><ram:LineID>1.1</ram:LineID>"
          "<ram:ParentLineID>1</ram:ParentLineID></ram:AssociatedDocumentLineDocument></ram:IncludedSupplyChainTradeLineItem>")
case(g, "cii", "extension: a line with a parent line", [warn("BR-DEX-15")], cii(lines=c_line("S") + PARENT, cid=EXT))
case(g, "cii", "extension: lines without parent lines", [ok("BR-DEX-15")], cii(lines=c_line("S"), cid=EXT))
case(g, "cii", "not the extension: parent lines are not judged here", [ok("BR-DEX-15")], cii(lines=c_line("S") + PARENT))


def c_buyer_gid(scheme: str) -> str:
    return f'<ram:BuyerTradeParty><ram:GlobalID schemeID="{scheme}">4000001000005</ram:GlobalID></ram:BuyerTradeParty>'


case(g, "cii", "extension: party global identifier with a DiGA scheme", [ok("BR-DEX-04")], cii(c_buyer_gid("XR01"), cid=EXT))
case(g, "cii", "extension: party global identifier GLN", [ok("BR-DEX-04")], cii(c_buyer_gid("0088"), cid=EXT))
case(g, "cii", "extension: party global identifier with an unknown scheme", [err("BR-DEX-04")], cii(c_buyer_gid("GLN"), cid=EXT))
case(g, "cii", "not the extension: the scheme is not judged here", [ok("BR-DEX-04")], cii(c_buyer_gid("GLN")))
LEGAL = ('<ram:SellerTradeParty><ram:SpecifiedLegalOrganization><ram:ID schemeID="{}">HRB 1</ram:ID>'
         "</ram:SpecifiedLegalOrganization></ram:SellerTradeParty>")
case(g, "cii", "extension: legal registration with a DiGA scheme", [ok("BR-DEX-05")], cii(LEGAL.format("XR02"), cid=EXT))
case(g, "cii", "extension: legal registration with an unknown scheme", [err("BR-DEX-05")], cii(LEGAL.format("HRB"), cid=EXT))
case(g, "cii", "extension: a VAT registration is not judged", [ok("BR-DEX-05")],
     cii('<ram:SellerTradeParty><ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">DE123456789</ram:ID>'
         "</ram:SpecifiedTaxRegistration></ram:SellerTradeParty>", cid=EXT))
PRODUCT = '<ram:SpecifiedTradeProduct><ram:GlobalID schemeID="{}">4012345000009</ram:GlobalID><ram:Name>A</ram:Name></ram:SpecifiedTradeProduct>'
case(g, "cii", "extension: item standard identifier GTIN", [ok("BR-DEX-06"), ok("BR-DEX-04")], cii(lines=c_line(product=PRODUCT.format("0160")), cid=EXT))
case(g, "cii", "extension: item standard identifier with an unknown scheme", [err("BR-DEX-06"), ok("BR-DEX-04")],
     cii(lines=c_line(product=PRODUCT.format("EAN")), cid=EXT))
URI = ('<ram:SellerTradeParty><ram:URIUniversalCommunication><ram:URIID schemeID="{}">x@example.de</ram:URIID>'
       "</ram:URIUniversalCommunication></ram:SellerTradeParty>")
case(g, "cii", "extension: e-mail endpoint", [ok("BR-DEX-07")], cii(URI.format("EM"), cid=EXT))
case(g, "cii", "extension: endpoint with a DiGA scheme", [ok("BR-DEX-07")], cii(URI.format("XR03"), cid=EXT))
case(g, "cii", "extension: endpoint with an unknown scheme", [err("BR-DEX-07")], cii(URI.format("MAIL"), cid=EXT))
SHIP = '<ram:ShipToTradeParty><ram:GlobalID schemeID="{}">4000001000005</ram:GlobalID></ram:ShipToTradeParty>'
case(g, "cii", "extension: delivery location GLN", [ok("BR-DEX-08"), ok("BR-DEX-04")], cii(delivery=SHIP.format("0088"), cid=EXT))
case(g, "cii", "extension: delivery location with an unknown scheme", [err("BR-DEX-08"), ok("BR-DEX-04")],
     cii(delivery=SHIP.format("GLN"), cid=EXT))

g = "br-de-cvd"


def c_product(codes: list[tuple[str, str]], props: list[tuple[str, str]]) -> str:
    pp = "".join(f"<ram:ApplicableProductCharacteristic><ram:Description>{n}</ram:Description><ram:Value>{v}</ram:Value>"
                 "</ram:ApplicableProductCharacteristic>" for n, v in props)
    cc = "".join(f'<ram:DesignatedProductClassification><ram:ClassCode listID="{lid}">{v}</ram:ClassCode>'
                 "</ram:DesignatedProductClassification>" for lid, v in codes)
    return f"<ram:SpecifiedTradeProduct><ram:Name>Bus</ram:Name>{pp}{cc}</ram:SpecifiedTradeProduct>"


C_REFS = ("<ram:ContractReferencedDocument><ram:IssuerAssignedID>V-2026-1</ram:IssuerAssignedID></ram:ContractReferencedDocument>"
          "<ram:AdditionalReferencedDocument><ram:IssuerAssignedID>LOS-7</ram:IssuerAssignedID><ram:TypeCode>50</ram:TypeCode>"
          "</ram:AdditionalReferencedDocument>")
C_GOOD = c_line(product=c_product([("CVD", "M3")], [("cva", "clean")]))
case(g, "cii", "CVD invoice with contract, tender and a classified vehicle",
     [ok("BR-DE-CVD-01"), ok("BR-DE-CVD-02"), ok("BR-DE-CVD-03"), ok("BR-DE-CVD-04"), ok("BR-DE-CVD-05"),
      ok("BR-DE-CVD-06-a"), ok("BR-DE-CVD-06-b"), ok("BR-TMP-CVD-01")], cii(C_REFS, lines=C_GOOD, cid=CVD))
case(g, "cii", "CVD invoice without contract and tender references", [err("BR-DE-CVD-01"), err("BR-DE-CVD-02")],
     cii(lines=C_GOOD, cid=CVD))
case(g, "cii", "CVD invoice without a CVD line", [err("BR-DE-CVD-03")], cii(C_REFS, lines=c_line(product=c_product([("STI", "1")], [])), cid=CVD))
case(g, "cii", "CVD class that is no vehicle category", [err("BR-DE-CVD-04")],
     cii(C_REFS, lines=c_line(product=c_product([("CVD", "L1")], [("cva", "clean")])), cid=CVD))
case(g, "cii", "cva value not allowed", [err("BR-DE-CVD-05")],
     cii(C_REFS, lines=c_line(product=c_product([("CVD", "M1")], [("cva", "diesel")])), cid=CVD))
case(g, "cii", "CVD class without a cva attribute", [err("BR-DE-CVD-06-a")],
     cii(C_REFS, lines=C_GOOD + c_line(product=c_product([("CVD", "M1")], [])), cid=CVD))
case(g, "cii", "cva attribute with two CVD classes", [err("BR-DE-CVD-06-b")],
     cii(C_REFS, lines=c_line(product=c_product([("CVD", "M1"), ("CVD", "M2")], [("cva", "clean")])), cid=CVD))
case(g, "cii", "classification scheme outside UNTDID 7143", [err("BR-TMP-CVD-01")],
     cii(C_REFS, lines=c_line(product=c_product([("CVD", "M1"), ("QQQ", "1")], [("cva", "clean")])), cid=CVD))
case(g, "cii", "not a CVD invoice: the CVD rules do not apply", [ok("BR-DE-CVD-01"), ok("BR-DE-CVD-03"), ok("BR-TMP-CVD-01")],
     cii(lines=c_line(product=c_product([("QQQ", "1")], []))))


# ============================================================== Peppol rules taken over by XRechnung

PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
g = "peppol"


def u_ac(ind="false", pct=None, base=None, amount=None) -> str:
    return wrap("cac:AllowanceCharge", wrap("cbc:ChargeIndicator", ind) + opt("cbc:MultiplierFactorNumeric", pct)
                + opt("cbc:Amount", amount, EUR_ATTR) + opt("cbc:BaseAmount", base, EUR_ATTR))


def u_priced_line(price="10", base_qty=None, qty="2", qty_unit="C62", base_unit=None, net="20", price_ac="",
                  extra="") -> str:
    bq = opt("cbc:BaseQuantity", base_qty, f' unitCode="{base_unit}"' if base_unit else "")
    return (f'<cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:InvoicedQuantity unitCode="{qty_unit}">{qty}</cbc:InvoicedQuantity>'
            f'<cbc:LineExtensionAmount currencyID="EUR">{net}</cbc:LineExtensionAmount>{extra}'
            f'<cac:Price><cbc:PriceAmount currencyID="EUR">{price}</cbc:PriceAmount>{bq}{price_ac}</cac:Price></cac:InvoiceLine>')


def u_tax_total(amount="19.00", currency="EUR", sub=True) -> str:
    subtotal = (f'<cac:TaxSubtotal><cbc:TaxableAmount currencyID="{currency}">100.00</cbc:TaxableAmount>'
                f'<cbc:TaxAmount currencyID="{currency}">{amount}</cbc:TaxAmount><cac:TaxCategory><cbc:ID>S</cbc:ID>'
                "<cbc:Percent>19</cbc:Percent></cac:TaxCategory></cac:TaxSubtotal>") if sub else ""
    return f'<cac:TaxTotal><cbc:TaxAmount currencyID="{currency}">{amount}</cbc:TaxAmount>{subtotal}</cac:TaxTotal>'


P = "PEPPOL-EN16931-"
case(g, "ubl", "no business process", [err(P + "R001")], ubl())
case(g, "ubl", "business process given", [ok(P + "R001")], ubl(f"<cbc:ProfileID>{PROCESS}</cbc:ProfileID>"))
case(g, "ubl", "VAT accounting currency equals the invoice currency", [err(P + "R005")],
     ubl("<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode><cbc:TaxCurrencyCode>EUR</cbc:TaxCurrencyCode>"))
case(g, "ubl", "VAT accounting currency of its own", [ok(P + "R005")],
     ubl("<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode><cbc:TaxCurrencyCode>USD</cbc:TaxCurrencyCode>"))
case(g, "ubl", "an empty element", [err(P + "R008")], ubl("<cbc:Note/>"))
case(g, "ubl", "a blank element", [err(P + "R008")], ubl("<cbc:Note> </cbc:Note>"))
case(g, "ubl", "no empty element", [ok(P + "R008")], ubl("<cbc:Note>Danke</cbc:Note>"))
case(g, "ubl", "buyer without electronic address", [err(P + "R010")], ubl(u_customer("<cac:PartyName><cbc:Name>K</cbc:Name></cac:PartyName>")))
case(g, "ubl", "buyer with electronic address", [ok(P + "R010")],
     ubl(u_customer('<cbc:EndpointID schemeID="0204">04011000-12345-03</cbc:EndpointID>')))
case(g, "ubl", "seller without electronic address", [err(P + "R020")], ubl(u_supplier("<cac:PartyName><cbc:Name>V</cbc:Name></cac:PartyName>")))
case(g, "ubl", "seller with electronic address", [ok(P + "R020")],
     ubl(u_supplier('<cbc:EndpointID schemeID="EM">rechnung@example.de</cbc:EndpointID>')))
case(g, "ubl", "allowance amount is base x percentage", [ok(P + "R040"), ok(P + "R041"), ok(P + "R042"), ok(P + "R043")],
     ubl(u_ac("false", "10", "100.00", "10.00")))
case(g, "ubl", "allowance amount differs from base x percentage", [err(P + "R040")], ubl(u_ac("false", "10", "100.00", "5.00")))
case(g, "ubl", "percentage without base amount", [err(P + "R041")], ubl(u_ac("false", "10", None, "5.00")))
case(g, "ubl", "base amount without percentage", [err(P + "R042")], ubl(u_ac("true", None, "100.00", "5.00")))
case(g, "ubl", "charge indicator neither true nor false", [err(P + "R043")], ubl(u_ac("yes", None, None, "5.00")))
case(g, "ubl", "price discount", [ok(P + "R044"), ok(P + "R046")],
     ubl(u_priced_line(price="90", net="180", price_ac=u_ac("false", None, "100", "10"))))
case(g, "ubl", "price charge", [err(P + "R044")], ubl(u_priced_line(price="90", net="180", price_ac=u_ac("true", None, "100", "10"))))
case(g, "ubl", "net price is not gross price less discount", [err(P + "R046")],
     ubl(u_priced_line(price="95", net="190", price_ac=u_ac("false", None, "100", "10"))))
case(g, "ubl", "no VAT total", [err(P + "R053")], ubl())
case(g, "ubl", "one VAT total with breakdown", [ok(P + "R053"), ok(P + "R054")], ubl(u_tax_total()))
case(g, "ubl", "VAT total without breakdown and no accounting currency", [err(P + "R054")],
     ubl(u_tax_total() + u_tax_total("19.00", "EUR", sub=False)))
case(g, "ubl", "VAT totals in two currencies with opposite signs", [err(P + "R055")],
     ubl("<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode><cbc:TaxCurrencyCode>USD</cbc:TaxCurrencyCode>"
         + u_tax_total("19.00") + u_tax_total("-20.00", "USD", sub=False)))
case(g, "ubl", "VAT totals in two currencies with the same sign", [ok(P + "R055"), ok(P + "R054")],
     ubl("<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode><cbc:TaxCurrencyCode>USD</cbc:TaxCurrencyCode>"
         + u_tax_total("19.00") + u_tax_total("20.00", "USD", sub=False)))
case(g, "ubl", "direct debit without mandate reference", [err(P + "R061")],
     ubl(u_pm("59", "<cac:PaymentMandate><cac:PayerFinancialAccount><cbc:ID>" + IBAN_OK + "</cbc:ID></cac:PayerFinancialAccount></cac:PaymentMandate>")))
case(g, "ubl", "direct debit with mandate reference", [ok(P + "R061")], ubl(u_pm("59", u_mandate())))
LINE_REF = "<cac:DocumentReference><cbc:ID>OBJ-1</cbc:ID><cbc:DocumentTypeCode>{}</cbc:DocumentTypeCode></cac:DocumentReference>"
case(g, "ubl", "line document reference of type 130", [ok(P + "R101")], ubl(u_priced_line(extra=LINE_REF.format("130"))))
case(g, "ubl", "line document reference of another type", [err(P + "R101")], ubl(u_priced_line(extra=LINE_REF.format("916"))))
U_PERIOD = "<cac:InvoicePeriod><cbc:StartDate>2026-11-01</cbc:StartDate><cbc:EndDate>2026-11-30</cbc:EndDate></cac:InvoicePeriod>"


def u_line_period(start: str, end: str) -> str:
    return u_priced_line(extra=f"<cac:InvoicePeriod><cbc:StartDate>{start}</cbc:StartDate><cbc:EndDate>{end}</cbc:EndDate></cac:InvoicePeriod>")


case(g, "ubl", "line period inside the invoicing period", [ok(P + "R110"), ok(P + "R111")], ubl(U_PERIOD + u_line_period("2026-11-02", "2026-11-29")))
case(g, "ubl", "line period starts before the invoicing period", [err(P + "R110"), ok(P + "R111")],
     ubl(U_PERIOD + u_line_period("2026-10-31", "2026-11-29")))
case(g, "ubl", "line period ends after the invoicing period", [ok(P + "R110"), err(P + "R111")],
     ubl(U_PERIOD + u_line_period("2026-11-02", "2026-12-01")))
case(g, "ubl", "line net amount is quantity x price", [ok(P + "R120"), ok(P + "R121"), ok(P + "R130")],
     ubl(u_priced_line("10", "1", "2", "C62", "C62", "20")))
case(g, "ubl", "line net amount differs from quantity x price", [warn(P + "R120")], ubl(u_priced_line(net="25")))
case(g, "ubl", "price base quantity zero", [err(P + "R121")], ubl(u_priced_line(base_qty="0")))
case(g, "ubl", "price base quantity in another unit", [err(P + "R130")], ubl(u_priced_line(base_qty="1", base_unit="H87")))

def c_ac(ind="false", pct=None, base=None, amount="10.00") -> str:
    return wrap("ram:SpecifiedTradeAllowanceCharge", wrap("ram:ChargeIndicator/udt:Indicator", ind) + opt("ram:CalculationPercent", pct)
                + opt("ram:BasisAmount", base) + wrap("ram:ActualAmount", amount) + wrap("ram:Reason", "Rabatt"))


def c_priced_line(net_price="10", qty="2", qty_unit="C62", base_qty=None, base_unit=None, total="20", gross=None,
                  extra_settlement="") -> str:
    bq = opt("ram:BasisQuantity", base_qty, f' unitCode="{base_unit}"' if base_unit else "")
    return ("<ram:IncludedSupplyChainTradeLineItem><ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID>"
            "</ram:AssociatedDocumentLineDocument><ram:SpecifiedTradeProduct><ram:Name>A</ram:Name></ram:SpecifiedTradeProduct>"
            f"<ram:SpecifiedLineTradeAgreement>{gross or ''}<ram:NetPriceProductTradePrice><ram:ChargeAmount>{net_price}</ram:ChargeAmount>{bq}"
            "</ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>"
            f'<ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="{qty_unit}">{qty}</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>'
            f"<ram:SpecifiedLineTradeSettlement>{extra_settlement}<ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>{total}"
            "</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement>"
            "</ram:IncludedSupplyChainTradeLineItem>")


def c_gross(amount="100", ind="false", ac_amount="10") -> str:
    ac = (f"<ram:AppliedTradeAllowanceCharge><ram:ChargeIndicator><udt:Indicator>{ind}</udt:Indicator></ram:ChargeIndicator>"
          f"<ram:ActualAmount>{ac_amount}</ram:ActualAmount></ram:AppliedTradeAllowanceCharge>") if ac_amount is not None else ""
    return f"<ram:GrossPriceProductTradePrice><ram:ChargeAmount>{amount}</ram:ChargeAmount>{ac}</ram:GrossPriceProductTradePrice>"


def c_totals(*amounts: tuple[str, str]) -> str:
    body = "".join(f'<ram:TaxTotalAmount currencyID="{c}">{a}</ram:TaxTotalAmount>' for a, c in amounts)
    return f"<ram:SpecifiedTradeSettlementHeaderMonetarySummation>{body}</ram:SpecifiedTradeSettlementHeaderMonetarySummation>"


EUR = "<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>"
case(g, "cii", "no business process", [err(P + "R001")], cii())
case(g, "cii", "business process given", [ok(P + "R001")], cii(process=PROCESS))
case(g, "cii", "VAT accounting currency equals the invoice currency", [err(P + "R005")],
     cii(settlement="<ram:TaxCurrencyCode>EUR</ram:TaxCurrencyCode>" + EUR))
case(g, "cii", "VAT accounting currency of its own", [ok(P + "R005")], cii(settlement="<ram:TaxCurrencyCode>USD</ram:TaxCurrencyCode>" + EUR))
case(g, "cii", "an empty element", [err(P + "R008")], cii("<ram:BuyerReference/>", settlement=EUR))
case(g, "cii", "no empty element but the header delivery", [ok(P + "R008")],
     cii("<ram:BuyerReference>04011000-12345-03</ram:BuyerReference>", settlement=EUR))
case(g, "cii", "buyer without electronic address", [err(P + "R010")], cii("<ram:BuyerTradeParty><ram:Name>K</ram:Name></ram:BuyerTradeParty>"))
case(g, "cii", "buyer with electronic address", [ok(P + "R010")],
     cii('<ram:BuyerTradeParty><ram:Name>K</ram:Name><ram:URIUniversalCommunication><ram:URIID schemeID="0204">04011000-12345-03'
         "</ram:URIID></ram:URIUniversalCommunication></ram:BuyerTradeParty>"))
case(g, "cii", "seller without electronic address", [err(P + "R020")], cii("<ram:SellerTradeParty><ram:Name>V</ram:Name></ram:SellerTradeParty>"))
case(g, "cii", "seller with electronic address", [ok(P + "R020")],
     cii('<ram:SellerTradeParty><ram:Name>V</ram:Name><ram:URIUniversalCommunication><ram:URIID schemeID="EM">rechnung@example.de'
         "</ram:URIID></ram:URIUniversalCommunication></ram:SellerTradeParty>"))
case(g, "cii", "allowance amount is base x percentage", [ok(P + "R040"), ok(P + "R041"), ok(P + "R042"), ok(P + "R043-1")],
     cii(settlement=c_ac("false", "10", "100.00", "10.00")))
case(g, "cii", "allowance amount differs from base x percentage", [err(P + "R040")], cii(settlement=c_ac("false", "10", "100.00", "5.00")))
case(g, "cii", "percentage without base amount", [err(P + "R041")], cii(settlement=c_ac("false", "10", None, "5.00")))
case(g, "cii", "base amount without percentage", [err(P + "R042")], cii(settlement=c_ac("true", None, "100.00", "5.00")))
case(g, "cii", "charge indicator neither true nor false", [err(P + "R043-1"), ok(P + "R043-2")], cii(settlement=c_ac("yes")))
case(g, "cii", "price allowance indicator neither true nor false", [err(P + "R043-2"), ok(P + "R043-1")],
     cii(lines=c_priced_line("90", total="180", gross=c_gross("100", "ja", "10"))))
case(g, "cii", "price discount", [ok(P + "R044"), ok(P + "R046"), ok(P + "R043-2")],
     cii(lines=c_priced_line("90", total="180", gross=c_gross("100", "false", "10"))))
case(g, "cii", "price charge", [err(P + "R044")], cii(lines=c_priced_line("90", total="180", gross=c_gross("100", "true", "10"))))
case(g, "cii", "net price is not gross price less discount", [err(P + "R046")],
     cii(lines=c_priced_line("95", total="190", gross=c_gross("100", "false", "10"))))
case(g, "cii", "gross price without discount equals the net price", [ok(P + "R046")],
     cii(lines=c_priced_line("100", total="200", gross=c_gross("100", ac_amount=None))))
case(g, "cii", "two VAT totals in the invoice currency", [err(P + "R053")], cii(settlement=EUR + c_totals(("19.00", "EUR"), ("19.00", "EUR"))))
case(g, "cii", "one VAT total in the invoice currency", [ok(P + "R053"), ok(P + "R054")], cii(settlement=EUR + c_totals(("19.00", "EUR"))))
case(g, "cii", "no VAT total (XRechnung accepts it in CII)", [ok(P + "R053")], cii(settlement=EUR))
case(g, "cii", "VAT total in another currency without accounting currency", [err(P + "R054")],
     cii(settlement=EUR + c_totals(("19.00", "EUR"), ("20.00", "USD"))))
case(g, "cii", "VAT totals in two currencies with opposite signs", [err(P + "R055")],
     cii(settlement="<ram:TaxCurrencyCode>USD</ram:TaxCurrencyCode>" + EUR + c_totals(("19.00", "EUR"), ("-20.00", "USD"))))
case(g, "cii", "VAT totals in two currencies with the same sign", [ok(P + "R055"), ok(P + "R054")],
     cii(settlement="<ram:TaxCurrencyCode>USD</ram:TaxCurrencyCode>" + EUR + c_totals(("19.00", "EUR"), ("20.00", "USD"))))
case(g, "cii", "direct debit without mandate reference", [err(P + "R061")], cii(settlement=C_CREDITOR + c_pm("59", c_payer())))
case(g, "cii", "direct debit with mandate reference", [ok(P + "R061")], cii(settlement=C_CREDITOR + c_pm("59", c_payer()) + C_MANDATE))
C_LINE_REF = ("<ram:AdditionalReferencedDocument><ram:IssuerAssignedID>OBJ-1</ram:IssuerAssignedID><ram:TypeCode>{}</ram:TypeCode>"
              "</ram:AdditionalReferencedDocument>")
case(g, "cii", "line document reference of type 130", [ok(P + "R101")], cii(lines=c_priced_line(extra_settlement=C_LINE_REF.format("130"))))
case(g, "cii", "line document reference of another type", [err(P + "R101")], cii(lines=c_priced_line(extra_settlement=C_LINE_REF.format("916"))))
C_PERIOD = ('<ram:BillingSpecifiedPeriod><ram:StartDateTime><udt:DateTimeString format="102">20261101</udt:DateTimeString></ram:StartDateTime>'
            '<ram:EndDateTime><udt:DateTimeString format="102">20261130</udt:DateTimeString></ram:EndDateTime></ram:BillingSpecifiedPeriod>')


def c_line_period(start: str, end: str) -> str:
    return c_priced_line(extra_settlement=(
        f'<ram:BillingSpecifiedPeriod><ram:StartDateTime><udt:DateTimeString format="102">{start}</udt:DateTimeString></ram:StartDateTime>'
        f'<ram:EndDateTime><udt:DateTimeString format="102">{end}</udt:DateTimeString></ram:EndDateTime></ram:BillingSpecifiedPeriod>'))


case(g, "cii", "line period inside the invoicing period", [ok(P + "R110"), ok(P + "R111")],
     cii(settlement=C_PERIOD, lines=c_line_period("20261102", "20261129")))
case(g, "cii", "line period starts before the invoicing period", [err(P + "R110"), ok(P + "R111")],
     cii(settlement=C_PERIOD, lines=c_line_period("20261031", "20261129")))
case(g, "cii", "line period ends after the invoicing period", [ok(P + "R110"), err(P + "R111")],
     cii(settlement=C_PERIOD, lines=c_line_period("20261102", "20261201")))
case(g, "cii", "line net amount is quantity x price", [ok(P + "R120"), ok(P + "R121"), ok(P + "R130")],
     cii(lines=c_priced_line("10", "2", "C62", "1", "C62", "20")))
case(g, "cii", "line net amount differs from quantity x price", [warn(P + "R120")], cii(lines=c_priced_line(total="25")))
case(g, "cii", "price base quantity zero", [err(P + "R121")], cii(lines=c_priced_line(base_qty="0")))
case(g, "cii", "price base quantity in another unit", [err(P + "R130")], cii(lines=c_priced_line(base_qty="1", base_unit="H87")))


def render(group: str, syntax: str, cases: list) -> str:
    config = f"xrechnung-3.0-{syntax}"
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testSet xmlns="http://difi.no/xsd/vefa/validator/1.0" configuration="{config}">',
           "  <assert>",
           f"    <description>XRechnung 3.0 ({syntax.upper()}): {group} - written by the einvoice project from the KoSIT rule files</description>",
           "    <scope>XRechnung 3.0.2, KoSIT rule set 2.5.0</scope>",
           "  </assert>"]
    for what, asserts, document in cases:
        out.append("  <test>")
        out.append("    <assert>")
        out.append(f"      <description>{escape(what)}</description>")
        for kind, rid in asserts:
            out.append(f"      <{kind}>{rid}</{kind}>")
        out.append("    </assert>")
        out.append("    " + document)
        out.append("  </test>")
    out.append("</testSet>")
    return "\n".join(out) + "\n"


def files() -> dict[str, str]:
    """File name -> content of every testSet file."""
    return {f"{syntax}-{group}.xml": render(group, syntax, cases) for (group, syntax), cases in sorted(CASES.items())}


def main(folder: Path = HERE) -> None:
    for old in folder.glob("*.xml"):
        old.unlink()
    for name, text in files().items():
        (folder / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
