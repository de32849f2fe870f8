"""Seeded mutants of complete invoices, for differential tests and benchmarks.

``mutant(xml_bytes, seed)`` returns (mutated bytes, description). The same seed on
the same document always gives the same mutant, so a disagreement can be replayed
from the seed a test prints. ``EINVOICE_SEED_BASE=N`` shifts every seed by N: the
same tests then run on mutants no earlier run saw (a replay sets the same base).
"""

from __future__ import annotations

import copy
import os
import random
from decimal import Decimal

from lxml import etree

AMOUNT_WORDS = ("Amount", "Price", "Quantity", "Percent", "MultiplierFactorNumeric", "RateApplicablePercent",
                "BasisQuantity", "BaseQuantity", "ChargeAmount", "BasisAmount", "ActualAmount", "LineTotalAmount")
DATE_WORDS = ("Date", "DateTimeString")
CODE_WORDS = ("Code", "ID", "TypeCode")
CODES = ["S", "Z", "E", "AE", "K", "G", "O", "L", "M", "B", "XX", "380", "381", "384", "389", "751", "999",
         "EUR", "NOK", "SEK", "XXX", "EU", "NO", "DE", "ZZ", "VAT", "C62", "H87", "XYZ", "30", "58", "49", "31", "1",
         "0088", "0192", "9908", "VA", "FC", ""]
ATTRIBUTES = ["schemeID", "listID", "currencyID", "unitCode", "format", "mimeCode", "filename", "listVersionID"]
CURRENCIES = ["EUR", "NOK", "SEK", "USD", "DKK", "XYZ", "eur"]
RATES = ["0", "0.00", "25", "15", "12", "19", "7", "20.5", "-1", "abc"]
# whitespace XPath trims (space, tab, CR, LF) and characters it does not (U+00A0, U+2003, U+3000)
SPACES = [" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2003", "\u3000", " \u00a0"]
# number forms: exponents, INF/NaN, signs, bare points, negative zero, leading zeros, non-ASCII digits
NUMBER_FORMS = ["1e2", "1E2", "1.0e0", "-1e-2", "INF", "-INF", "+INF", "NaN", "+1", "+{v}", ".5", "1.", "-0", "-0.00",
                "00012.0", "0{v}", "{v}e0", "{v}E+00", "{v}.", " {v} ", "\t{v}\n", "\u00a0{v}", "{v}\u00a0",
                "\uff11\uff10\uff10", "\u0661\u0660", "1_0", "1 0", "0x10", "Infinity", "inf", "1e", "e2", "+-1"]


def _leaves(root) -> list:
    return [el for el in root.iter() if isinstance(el.tag, str) and len(el) == 0 and el is not root]


def _elements(root) -> list:
    return [el for el in root.iter() if isinstance(el.tag, str) and el is not root]


def _local(el) -> str:
    return etree.QName(el).localname


def _new_amount(rng: random.Random, text: str | None) -> str:
    choice = rng.random()
    try:
        base = Decimal((text or "0").strip())
    except Exception:  # noqa: BLE001
        base = Decimal("0")
    if choice < 0.3:
        return str(base + Decimal(rng.choice(["0.01", "-0.01", "1", "-1", "100"])))
    if choice < 0.5:
        if not base.is_finite():  # an amount already mutated to 'INF' / 'NaN': kept (quantize refuses it)
            return str(base)
        return str((base * Decimal("1.001")).quantize(Decimal("0.001")))
    if choice < 0.6:
        return rng.choice(["", "abc", "1,5", "1e3", " 12.00 ", "--1"])
    if choice < 0.8:
        return str(-base)
    return "0"


def _new_date(rng: random.Random, text: str | None) -> str:
    if rng.random() < 0.25 and text and len(text.strip()) == 10:  # the same day in a time zone (dates compare as instants)
        return text.strip() + rng.choice(["Z", "+14:00", "-14:00", "+01:00", "-10:00", "+00:00"])
    return rng.choice(["2017-02-30", "2017-13-01", "20170101", "2017-01-01T10:00:00", "", "1999-12-31",
                       "2030-06-15", "garbage"])


def _number_form(rng: random.Random, text: str | None) -> str:
    v = (text or "0").strip(" \t\r\n") or "0"
    return rng.choice(NUMBER_FORMS).replace("{v}", v)


def _space(rng: random.Random, text: str) -> str:
    where = rng.choice(("before", "after", "both", "inside"))
    sp = rng.choice(SPACES)
    if where == "before":
        return sp + text
    if where == "after":
        return text + sp
    if where == "both":
        return sp + text + rng.choice(SPACES)
    i = rng.randrange(len(text) + 1)
    return text[:i] + sp + text[i:]


def _comment_inside(rng: random.Random, el) -> str:
    """Put a comment (or a processing instruction) into a leaf's text: before, inside or after it."""
    text = el.text or ""
    i = rng.choice((0, len(text), rng.randrange(len(text) + 1)))
    node = etree.Comment(" note ") if rng.random() < 0.8 else etree.ProcessingInstruction("pi", "x")
    el.text = text[:i] or None
    node.tail = text[i:] or None
    el.insert(0, node)
    return f"{'comment' if node.tag is etree.Comment else 'pi'} in {_local(el)} at {i}/{len(text)}"


def mutate_tree(root, rng: random.Random) -> str:
    """Apply one random mutation to the tree in place; return what was done."""
    ops = ["drop", "duplicate", "empty", "amount", "date", "code", "currency", "rate", "swap", "attr",
           "space", "comment", "number", "number", "bare-copy", "add-attr", "case", "graft", "second",
           "aggregate-copy", "hollow", "repeat", "shuffle"]
    for _ in range(50):
        op = rng.choice(ops)
        elements = _elements(root)
        leaves = _leaves(root)
        if op == "drop" and elements:
            el = rng.choice(elements)
            el.getparent().remove(el)
            return f"drop {_local(el)}"
        if op == "duplicate" and elements:
            el = rng.choice(elements)
            el.addnext(copy.deepcopy(el))
            return f"duplicate {_local(el)}"
        if op == "empty" and leaves:
            el = rng.choice(leaves)
            el.text = rng.choice(["", " "])
            return f"empty {_local(el)}"
        if op == "amount":
            cands = [e for e in leaves if any(w in _local(e) for w in AMOUNT_WORDS)]
            if cands:
                el = rng.choice(cands)
                el.text = _new_amount(rng, el.text)
                return f"amount {_local(el)}={el.text!r}"
        if op == "date":
            cands = [e for e in leaves if any(w in _local(e) for w in DATE_WORDS)]
            if cands:
                el = rng.choice(cands)
                el.text = _new_date(rng, el.text)
                return f"date {_local(el)}={el.text!r}"
        if op == "code":
            cands = [e for e in leaves if any(_local(e).endswith(w) for w in CODE_WORDS)]
            if cands:
                el = rng.choice(cands)
                el.text = rng.choice(CODES)
                return f"code {_local(el)}={el.text!r}"
        if op == "currency":
            cands = [e for e in root.iter() if isinstance(e.tag, str) and e.get("currencyID") is not None]
            cands += [e for e in leaves if "CurrencyCode" in _local(e)]
            if cands:
                el = rng.choice(cands)
                cur = rng.choice(CURRENCIES)
                if el.get("currencyID") is not None:
                    el.set("currencyID", cur)
                else:
                    el.text = cur
                return f"currency {_local(el)}={cur}"
        if op == "rate":
            cands = [e for e in leaves if _local(e) in ("Percent", "RateApplicablePercent")]
            if cands:
                el = rng.choice(cands)
                el.text = rng.choice(RATES)
                return f"rate {_local(el)}={el.text!r}"
        if op == "swap":
            parents = {}
            for el in elements:
                parents.setdefault((el.getparent(), el.tag), []).append(el)
            groups = [g for g in parents.values() if len(g) > 1]
            if groups:
                g = rng.choice(groups)
                a, b = rng.sample(g, 2)
                pa = a.getparent()
                ia, ib = pa.index(a), pa.index(b)
                a_copy, b_copy = copy.deepcopy(a), copy.deepcopy(b)
                pa.replace(a, b_copy)
                pa.replace(b, a_copy)
                return f"swap {_local(a)} #{ia}<->#{ib}"
        if op == "attr":
            cands = [e for e in root.iter() if isinstance(e.tag, str) and e.attrib]
            if cands:
                el = rng.choice(cands)
                name = rng.choice(list(el.attrib))
                if rng.random() < 0.5:
                    del el.attrib[name]
                    return f"drop @{name} of {_local(el)}"
                el.set(name, rng.choice(CODES))
                return f"attr @{name} of {_local(el)}={el.get(name)!r}"
        if op == "space":
            cands = [e for e in leaves if (e.text or "").strip()]
            if cands:
                el = rng.choice(cands)
                el.text = _space(rng, el.text)
                return f"space {_local(el)}={el.text!r}"
        if op == "comment":
            cands = [e for e in leaves if (e.text or "").strip()]
            if cands:
                return _comment_inside(rng, rng.choice(cands))
        if op == "number":
            cands = [e for e in leaves if any(w in _local(e) for w in AMOUNT_WORDS)]
            if cands:
                el = rng.choice(cands)
                el.text = _number_form(rng, el.text)
                return f"number {_local(el)}={el.text!r}"
        # an element with attributes copied without them, before or after it (one of two identifiers has a scheme)
        if op == "bare-copy":
            cands = [e for e in elements if e.attrib]
            if cands:
                el = rng.choice(cands)
                bare = copy.deepcopy(el)
                bare.attrib.clear()
                (el.addprevious if rng.random() < 0.5 else el.addnext)(bare)
                return f"bare copy of {_local(el)}"
        if op == "add-attr" and elements:
            el, name = rng.choice(elements), rng.choice(ATTRIBUTES)
            el.set(name, rng.choice(CODES))
            return f"add @{name}={el.get(name)!r} to {_local(el)}"
        if op == "case":  # a code in the other case ('s', 'Vat')
            cands = [e for e in leaves if (e.text or "").strip().isalpha() and len(e.text.strip()) <= 4]
            if cands:
                el = rng.choice(cands)
                el.text = el.text.lower() if el.text != el.text.lower() else el.text.upper()
                return f"case {_local(el)}={el.text!r}"
        if op == "graft":  # a copy of an element placed after another element of the same name elsewhere
            named: dict = {}
            for el in elements:
                named.setdefault(el.tag, []).append(el)
            groups = [g for g in named.values() if len(g) > 1]
            if groups:
                a, b = rng.sample(rng.choice(groups), 2)
                b.addnext(copy.deepcopy(a))
                return f"graft {_local(a)}"
        # one element given a second value: a copy beside it with another code or value of the document (a tax of
        # two categories, an allowance of two indicators: the official pattern's first matching context takes it)
        if op == "second":
            cands = [e for e in leaves if e.getparent() is not None]
            if cands:
                el = rng.choice(cands)
                others = [e.text for e in root.iter(el.tag) if e is not el and (e.text or "") != (el.text or "")]
                new = copy.deepcopy(el)
                new.tail = None
                r = rng.random()
                new.text = rng.choice(others) if others and r < 0.5 else rng.choice(CODES) if r < 0.85 else (el.text or "").lower()
                (el.addprevious if rng.random() < 0.5 else el.addnext)(new)
                return f"second {_local(el)}={new.text!r} beside {el.text!r}"
        # an aggregate copied beside itself with one leaf of the copy changed or left out (a second total without
        # its amount without VAT, a second process parameter without its identifier: paths over every copy)
        if op == "aggregate-copy":
            cands = [e for e in elements if e.getparent() is not None and any(isinstance(c.tag, str) for c in e)]
            if cands:
                el = rng.choice(cands)
                new = copy.deepcopy(el)
                new.tail = None
                inner = _leaves(new)
                what = ""
                if inner and rng.random() < 0.8:
                    leaf = rng.choice(inner)
                    if rng.random() < 0.3:
                        leaf.getparent().remove(leaf)
                        what = f" without {_local(leaf)}"
                    else:
                        others = [e.text for e in root.iter(leaf.tag) if (e.text or "") != (leaf.text or "")]
                        leaf.text = rng.choice(others) if others and rng.random() < 0.6 else rng.choice(CODES)
                        what = f" with {_local(leaf)}={leaf.text!r}"
                (el.addprevious if rng.random() < 0.3 else el.addnext)(new)
                return f"aggregate copy of {_local(el)}{what}"
        # an aggregate emptied of its children (the element stays: a context with nothing in it)
        if op == "hollow":
            cands = [e for e in elements if any(isinstance(c.tag, str) for c in e)]
            if cands:
                el = rng.choice(cands)
                for c in list(el):
                    el.remove(c)
                el.text = rng.choice([None, "", " "])
                return f"hollow {_local(el)}"
        # an element repeated 3-6 times beside itself, the copies' texts varied (counts, 'every' and 'some' tests)
        if op == "repeat" and elements:
            el = rng.choice(elements)
            n = rng.randint(3, 6)
            for _ in range(n - 1):
                new = copy.deepcopy(el)
                new.tail = None
                if len(new) == 0:
                    others = [e.text for e in root.iter(el.tag) if (e.text or "") != (el.text or "")]
                    r = rng.random()
                    new.text = rng.choice(others) if others and r < 0.4 else rng.choice(CODES) if r < 0.7 else el.text
                el.addnext(new)
            return f"repeat {_local(el)} x{n}"
        # the element children of an aggregate in another order (the 'first of' readings over mixed names)
        if op == "shuffle":
            cands = [e for e in root.iter() if isinstance(e.tag, str)
                     and len({c.tag for c in e if isinstance(c.tag, str)}) >= 2]
            if cands:
                el = rng.choice(cands)
                kids = [c for c in el if isinstance(c.tag, str)]
                order = kids[:]
                rng.shuffle(order)
                for c in kids:
                    el.remove(c)
                el.extend(order if order != kids else kids[::-1])
                return f"shuffle {_local(el)}"
    return "none"


SEED_BASE = int(os.environ.get("EINVOICE_SEED_BASE", "0"))


def mutant(data: bytes, seed: int, rounds: int | None = None) -> tuple[bytes, str]:
    """A seeded mutant of a document: 1-3 mutations (the seed shifted by ``EINVOICE_SEED_BASE``)."""
    rng = random.Random(seed + SEED_BASE)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    root = etree.fromstring(data, parser)
    n = rounds if rounds is not None else rng.choice((1, 1, 2, 3))
    done = [mutate_tree(root, rng) for _ in range(n)]
    base = f"base {SEED_BASE}; " if SEED_BASE else ""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), base + "; ".join(done)


# --- national rules: make a document Swedish, Danish, Greek ... before mutating it ----------------

COUNTRIES = ("SE", "NL", "DK", "IT", "NO", "GR", "EL", "IS", "DE")
_UBL_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
_UBL_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


_RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"


def _nationalize_cii(root, rng: random.Random, country: str) -> str:
    sides = ["Seller"] + (["Buyer"] if rng.random() < 0.6 else [])
    for side in sides:
        for party in root.iter(f"{{{_RAM}}}{side}TradeParty"):
            for code in party.iter(f"{{{_RAM}}}CountryID"):
                code.text = country
            for ident in party.iter(f"{{{_RAM}}}ID"):
                if ident.get("schemeID") in ("VA", "VAT") and ident.text and len(ident.text) > 2 and rng.random() < 0.8:
                    ident.text = country + ident.text[2:]
                    if rng.random() < 0.5:  # the CII rule set reads VAT identifiers under the scheme 'VAT'
                        ident.set("schemeID", "VAT")
    for code in root.iter(f"{{{_RAM}}}TypeCode"):
        parent = code.getparent()
        if parent is not None and parent.tag == f"{{{_RAM}}}SpecifiedTradeSettlementPaymentMeans" and rng.random() < 0.5:
            code.text = rng.choice(("30", "31", "42", "49", "50", "56", "58", "59", "93", " 30"))
    return f"national {country} ({', '.join(sides)})"


def nationalize(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    """A document whose seller (and often buyer) is moved to one of the countries with national rules:
    the postal country code and, mostly, the VAT identifiers' prefix, and often a payment means code the
    national rules look at; so that the national rules run. UBL or CII."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    root = etree.fromstring(data, parser)
    country = rng.choice(COUNTRIES)
    if root.tag == "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice":
        what = _nationalize_cii(root, rng, country)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), what
    sides = ["AccountingSupplierParty"] + (["AccountingCustomerParty"] if rng.random() < 0.6 else [])
    for side in sides:
        party = f"{{{_UBL_CAC}}}{side}/{{{_UBL_CAC}}}Party"
        for code in root.iterfind(f"{party}/{{{_UBL_CAC}}}PostalAddress/{{{_UBL_CAC}}}Country/{{{_UBL_CBC}}}IdentificationCode"):
            code.text = country
        if rng.random() < 0.7:
            for cid in root.iterfind(f"{party}/{{{_UBL_CAC}}}PartyTaxScheme/{{{_UBL_CBC}}}CompanyID"):
                if cid.text and len(cid.text) > 2:
                    cid.text = country + cid.text[2:]
    what = f"national {country} ({', '.join(sides)})"
    means = root.findall(f"{{{_UBL_CAC}}}PaymentMeans")
    if means and rng.random() < 0.5:  # payment means the national rules look at
        pm = rng.choice(means)
        code = pm.find(f"{{{_UBL_CBC}}}PaymentMeansCode")
        if code is not None:
            code.text = rng.choice(("30", "31", "42", "49", "50", "56", "58", "59", "93", "9", "1", "10", " 30"))
            what += f", means {code.text!r}"
        account = pm.find(f"{{{_UBL_CAC}}}PayeeFinancialAccount")
        if account is not None and rng.random() < 0.6:
            branch = account.find(f"{{{_UBL_CAC}}}FinancialInstitutionBranch")
            if branch is None:
                branch = etree.SubElement(account, f"{{{_UBL_CAC}}}FinancialInstitutionBranch")
            bid = branch.find(f"{{{_UBL_CBC}}}ID")
            if bid is None:
                bid = etree.Element(f"{{{_UBL_CBC}}}ID")
                branch.insert(0, bid)
            bid.text = rng.choice(("SE:BANKGIRO", "SE:PLUSGIRO", " SE:BANKGIRO", "DABADKKK"))
            aid = account.find(f"{{{_UBL_CBC}}}ID")
            if aid is not None:
                aid.text = rng.choice(("1234567", "12345678", "123", "12-34567", "SE4550000000058398257466", aid.text))
            what += f", branch {bid.text!r}"
        pid = pm.find(f"{{{_UBL_CBC}}}PaymentID")
        if pid is not None and rng.random() < 0.4:
            pid.text = rng.choice(("01#1234567890", "04#1234567890123456", "15#12345", "71#123456789012345",
                                   "75#1234", pid.text or ""))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), what
