"""Labels of the printed invoice in English, Norwegian (bokmål), Swedish, Danish, German and French.

One row per label: the six texts in the order of :data:`LANGS`. Code names
(document types, payment means, VAT categories, units) are short everyday
words where a common code has one; the rarer document types and payment
means carry their UNTDID 1001 / 4461 names, translated. A label missing in a language falls
back to English; a code without a name is shown as the code itself.
"""

from __future__ import annotations

LANGS = ("en", "nb", "sv", "da", "de", "fr")

# seller country -> default language of the printed invoice
COUNTRY_LANG = {
    "NO": "nb", "SE": "sv", "DK": "da", "DE": "de", "AT": "de", "CH": "de", "LI": "de",
    "FR": "fr", "BE": "fr", "LU": "fr", "MC": "fr",
}

_T: dict[str, tuple[str, str, str, str, str, str]] = {
    #                  en                        nb                         sv                          da                          de                              fr
    "invoice":        ("Invoice",                "Faktura",                 "Faktura",                  "Faktura",                  "Rechnung",                     "Facture"),
    "credit_note":    ("Credit note",            "Kreditnota",              "Kreditfaktura",            "Kreditnota",               "Gutschrift",                   "Avoir"),
    "debit_note":     ("Debit note",             "Debetnota",               "Debetnota",                "Debetnota",                "Belastungsanzeige",            "Note de débit"),
    "corrected":      ("Corrected invoice",      "Korrigert faktura",       "Rättad faktura",           "Korrigeret faktura",       "Rechnungskorrektur",           "Facture rectificative"),
    "prepayment":     ("Prepayment invoice",     "Forskuddsfaktura",        "Förskottsfaktura",         "Forudbetalingsfaktura",    "Vorauszahlungsrechnung",       "Facture d'acompte"),
    "self_billed":    ("Self-billed invoice",    "Selvfakturering",         "Självfaktura",             "Selvfaktura",              "Gutschrift (Selbstfakturierung)", "Autofacture"),
    "number":         ("Number",                 "Nummer",                  "Nummer",                   "Nummer",                   "Nummer",                       "Numéro"),
    "issue_date":     ("Invoice date",           "Fakturadato",             "Fakturadatum",             "Fakturadato",              "Rechnungsdatum",               "Date de facture"),
    "date":           ("Date",                   "Dato",                    "Datum",                    "Dato",                     "Datum",                        "Date"),
    "due_date":       ("Due date",               "Forfallsdato",            "Förfallodatum",            "Forfaldsdato",             "Fällig am",                    "Date d'échéance"),
    "delivery_date":  ("Delivery date",          "Leveringsdato",           "Leveransdatum",            "Leveringsdato",            "Lieferdatum",                  "Date de livraison"),
    "tax_point_date": ("VAT point date",         "Avgiftsdato",             "Momsdatum",                "Momsdato",                 "Steuerdatum",                  "Date d'exigibilité de la TVA"),
    "period":         ("Invoice period",         "Periode",                 "Period",                   "Periode",                  "Leistungszeitraum",            "Période"),
    "seller":         ("From",                   "Fra",                     "Från",                     "Fra",                      "Von",                          "Émetteur"),
    "buyer":          ("To",                     "Til",                     "Till",                     "Til",                      "An",                           "Destinataire"),
    "payee":          ("Payee",                  "Betalingsmottaker",       "Betalningsmottagare",      "Betalingsmodtager",        "Zahlungsempfänger",            "Bénéficiaire"),
    "tax_rep":        ("Tax representative",     "Avgiftsrepresentant",     "Skatterepresentant",       "Skatterepræsentant",       "Steuervertreter",              "Représentant fiscal"),
    "delivery":       ("Delivery",               "Levering",                "Leverans",                 "Levering",                 "Lieferung",                    "Livraison"),
    "org_number":     ("Organisation number",    "Org.nr.",                 "Org.nr",                   "CVR-nr.",                  "Handelsregister",              "SIREN/SIRET"),
    # a party of another country: its register is not the language's own (a Norwegian number is no CVR-nr.)
    "org_number_any": ("Organisation number",    "Org.nr.",                 "Org.nr",                   "Registreringsnummer",      "Registernummer",               "Numéro d'immatriculation"),
    "vat_number":     ("VAT number",             "MVA-nr.",                 "Momsreg.nr",               "Moms-nr.",                 "USt-IdNr.",                    "N° TVA"),
    "tax_number":     ("Tax registration",       "Skatteregistrering",      "Skatteregistrering",       "Skatteregistrering",       "Steuernummer",                 "Enregistrement fiscal"),
    "contact":        ("Contact",                "Kontakt",                 "Kontakt",                  "Kontakt",                  "Ansprechpartner",              "Contact"),
    "phone":          ("Phone",                  "Telefon",                 "Telefon",                  "Telefon",                  "Telefon",                      "Téléphone"),
    "email":          ("E-mail",                 "E-post",                  "E-post",                   "E-mail",                   "E-Mail",                       "E-mail"),
    "customer_no":    ("Customer number",        "Kundenummer",             "Kundnummer",               "Kundenummer",              "Kundennummer",                 "N° client"),
    "buyer_ref":      ("Your reference",         "Deres referanse",         "Er referens",              "Jeres reference",          "Ihre Referenz",                "Votre référence"),
    "order_ref":      ("Order",                  "Bestilling",              "Beställning",              "Ordre",                    "Bestellung",                   "Commande"),
    "sales_order":    ("Our order number",       "Vårt ordrenummer",        "Vårt ordernummer",         "Vores ordrenummer",        "Auftragsnummer",               "N° de commande vendeur"),
    "contract_ref":   ("Contract",               "Kontrakt",                "Avtal",                    "Kontrakt",                 "Vertrag",                      "Contrat"),
    "project_ref":    ("Project",                "Prosjekt",                "Projekt",                  "Projekt",                  "Projekt",                      "Projet"),
    "despatch_ref":   ("Despatch advice",        "Pakkseddel",              "Följesedel",               "Følgeseddel",              "Lieferschein",                 "Bon de livraison"),
    "receiving_ref":  ("Receiving advice",       "Mottaksbekreftelse",      "Mottagningsbesked",        "Modtagelsesbekræftelse",   "Wareneingangsmeldung",         "Avis de réception"),
    "tender_ref":     ("Tender or lot",          "Anbud eller del",         "Anbud eller del",          "Udbud eller delaftale",    "Vergabe oder Los",             "Appel d'offres ou lot"),
    "invoiced_object": ("Invoiced object",       "Fakturert objekt",        "Fakturerat objekt",        "Faktureret objekt",        "Abgerechnetes Objekt",         "Objet facturé"),
    "process":        ("Business process",       "Forretningsprosess",      "Affärsprocess",            "Forretningsproces",        "Geschäftsprozess",             "Processus métier"),
    "specification":  ("Specification",          "Spesifikasjon",           "Specifikation",            "Specifikation",            "Spezifikation",                "Spécification"),
    "base":           ("base",                   "grunnlag",                "underlag",                 "grundlag",                 "Basis",                        "base"),
    "classification": ("Classification",         "Klassifisering",          "Klassificering",           "Klassifikation",           "Klassifikation",               "Classification"),
    "accounting_ref": ("Buyer accounting ref.",  "Konteringsreferanse",     "Konteringsreferens",       "Konteringsreference",      "Buchungsreferenz",             "Référence comptable"),
    "preceding":      ("Corrects invoice",       "Gjelder faktura",         "Avser faktura",            "Vedrører faktura",         "Bezieht sich auf Rechnung",    "Rectifie la facture"),
    "amount_due":     ("Amount due",             "Å betale",                "Att betala",               "At betale",                "Zahlbetrag",                   "Net à payer"),
    "amount_accounting": ("Amount (for accounting)", "Beløp (til regnskap)", "Belopp (för redovisning)", "Beløb (til regnskab)",
                          "Betrag (für die Buchhaltung)", "Montant (pour la comptabilité)"),
    "amount_credit":  ("Amount credited",        "Til gode",                "Att tillgodoräkna",        "Til gode",                 "Gutschriftsbetrag",            "Montant crédité"),
    "payment":        ("Payment",                "Betaling",                "Betalning",                "Betaling",                 "Zahlung",                      "Paiement"),
    "pay_means":      ("Payment method",         "Betalingsmåte",           "Betalningssätt",           "Betalingsmåde",            "Zahlungsart",                  "Moyen de paiement"),
    "account":        ("Account",                "Kontonummer",             "Konto",                    "Kontonummer",              "Konto",                        "Compte"),
    "iban":           ("IBAN",                   "IBAN",                    "IBAN",                     "IBAN",                     "IBAN",                         "IBAN"),
    "bankgiro":       ("Bankgiro",               "Bankgiro",                "Bankgiro",                 "Bankgiro",                 "Bankgiro",                     "Bankgiro"),
    "plusgiro":       ("PlusGiro",               "PlusGiro",                "PlusGiro",                 "PlusGiro",                 "PlusGiro",                     "PlusGiro"),
    "owed_text":      ("Nothing to pay: this invoice leaves an amount in your favour.",
                       "Ingenting å betale: fakturaen gir et beløp til gode for dere.",
                       "Inget att betala: fakturan ger er ett belopp till godo.",
                       "Intet at betale: fakturaen giver jer et beløb til gode.",
                       "Nichts zu zahlen: diese Rechnung ergibt einen Betrag zu Ihren Gunsten.",
                       "Rien à payer : cette facture laisse un montant en votre faveur."),
    "credit_owed_text": ("This credit note leaves an amount in the seller's favour: it is to be paid as an invoice is.",
                       "Denne kreditnotaen gir et beløp i selgers favør: det skal betales som en faktura.",
                       "Denna kreditfaktura ger ett belopp till säljarens fördel: det ska betalas som en faktura.",
                       "Denne kreditnota giver et beløb i sælgers favør: det skal betales som en faktura.",
                       "Diese Gutschrift ergibt einen Betrag zugunsten des Verkäufers: er ist wie eine Rechnung zu zahlen.",
                       "Cet avoir laisse un montant en faveur du vendeur : il est à payer comme une facture."),
    "paid_text":      ("Nothing to pay: the invoice is paid in full.",
                       "Ingenting å betale: fakturaen er betalt.",
                       "Inget att betala: fakturan är betald.",
                       "Intet at betale: fakturaen er betalt.",
                       "Nichts zu zahlen: die Rechnung ist vollständig bezahlt.",
                       "Rien à payer : la facture est entièrement réglée."),
    "accounting_info": ("Invoice information for accounting purposes", "Fakturainformasjon for regnskapsformål",
                        "Fakturainformation för bokföringsändamål", "Fakturainformation til bogføringsformål",
                        "Rechnungsinformation für Buchungszwecke", "Information de facturation à des fins comptables"),
    "accounting_text": ("This is invoice information for accounting purposes (type 751), not an invoice: nothing to pay.",
                        "Dette er fakturainformasjon for regnskapsformål (type 751), ikke en faktura: ingenting å betale.",
                        "Detta är fakturainformation för bokföringsändamål (typ 751), inte en faktura: inget att betala.",
                        "Dette er fakturainformation til bogføringsformål (type 751), ikke en faktura: intet at betale.",
                        "Dies ist eine Rechnungsinformation für Buchungszwecke (Typ 751), keine Rechnung: nichts zu zahlen.",
                        "Ceci est une information de facturation à des fins comptables (type 751), pas une facture : rien à payer."),
    "no_amount_text": ("The invoice states no amount due (BT-115).", "Fakturaen oppgir ikke noe beløp å betale (BT-115).",
                       "Fakturan anger inget belopp att betala (BT-115).", "Fakturaen angiver intet beløb at betale (BT-115).",
                       "Die Rechnung nennt keinen Zahlbetrag (BT-115).", "La facture n'indique pas de montant à payer (BT-115)."),
    "problems_title": ("This document does not pass validation ({n}): the page shows only what could be read, and values that could not be read are missing from it.",
                       "Dokumentet består ikke valideringen ({n}): siden viser bare det som kunne leses, og verdier som ikke kunne leses, mangler.",
                       "Dokumentet klarar inte valideringen ({n}): sidan visar bara det som kunde läsas, och värden som inte kunde läsas saknas.",
                       "Dokumentet består ikke valideringen ({n}): siden viser kun det, der kunne læses, og værdier, der ikke kunne læses, mangler.",
                       "Das Dokument besteht die Prüfung nicht ({n}): die Seite zeigt nur, was gelesen werden konnte; nicht lesbare Werte fehlen.",
                       "Le document ne passe pas la validation ({n}) : la page ne montre que ce qui a pu être lu ; les valeurs illisibles y manquent."),
    "problems_errors": ("{n} errors", "{n} feil", "{n} fel", "{n} fejl", "{n} Fehler", "{n} erreurs"),
    "problems_error":  ("1 error", "1 feil", "1 fel", "1 fejl", "1 Fehler", "1 erreur"),
    "problems_more":  ("… and {n} more: einvoice validate lists them all.", "… og {n} til: einvoice validate viser alle.",
                       "… och {n} till: einvoice validate visar alla.", "… og {n} mere: einvoice validate viser dem alle.",
                       "… und {n} weitere: einvoice validate nennt alle.", "… et {n} autres : einvoice validate les liste toutes."),
    "line_word":      ("line", "linje", "rad", "linje", "Zeile", "ligne"),
    "invoice_currency": ("Invoice currency", "Fakturavaluta", "Fakturavaluta", "Fakturavaluta", "Rechnungswährung", "Devise de facturation"),
    "zero_text":      ("Nothing to pay: the amount due is zero.",
                       "Ingenting å betale: beløpet å betale er null.",
                       "Inget att betala: beloppet att betala är noll.",
                       "Intet at betale: beløbet at betale er nul.",
                       "Nichts zu zahlen: der Zahlbetrag ist null.",
                       "Rien à payer : le montant à payer est nul."),
    "credit_text":    ("This is a credit note, not a payment request: nothing to pay. The amount is credited to you.",
                       "Dette er en kreditnota, ikke et betalingskrav: ingenting å betale. Beløpet godskrives dere.",
                       "Detta är en kreditfaktura, inte en betalningsbegäran: inget att betala. Beloppet tillgodoräknas er.",
                       "Dette er en kreditnota, ikke en betalingsanmodning: intet at betale. Beløbet godskrives jer.",
                       "Dies ist eine Gutschrift, keine Zahlungsaufforderung: nichts zu zahlen. Der Betrag wird Ihnen gutgeschrieben.",
                       "Ceci est un avoir, pas une demande de paiement : rien à payer. Le montant vous est crédité."),
    "bic":            ("BIC",                    "BIC",                     "BIC",                      "BIC",                      "BIC",                          "BIC"),
    "account_name":   ("Account holder",         "Kontohaver",              "Kontohavare",              "Kontohaver",               "Kontoinhaber",                 "Titulaire"),
    "reference":      ("Payment reference",      "Betalingsreferanse",      "Betalningsreferens",       "Betalingsreference",       "Verwendungszweck",             "Référence de paiement"),
    "kid":            ("KID",                    "KID",                     "KID",                      "KID",                      "KID",                          "KID"),
    "ocr":            ("OCR",                    "OCR",                     "OCR-nummer",               "OCR",                      "OCR",                          "OCR"),
    "rf":             ("RF creditor reference",  "RF-referanse",            "RF-referens",              "RF-reference",             "RF-Referenz",                  "Référence RF"),
    "fik":            ("FIK payment ID",         "FIK-betalings-ID",        "FIK-betalnings-ID",        "FIK-betalings-ID",         "FIK-Zahlungs-ID",              "Identifiant de paiement FIK"),
    "creditor_number": ("Creditor number",       "Kreditornummer",          "Kreditornummer",           "Kreditornummer",           "Kreditorennummer",             "Numéro de créancier"),
    "card":           ("Card",                   "Kort",                    "Kort",                     "Kort",                     "Karte",                        "Carte"),
    "mandate":        ("Direct debit mandate",   "Avtalegiro-fullmakt",     "Autogiromedgivande",       "Betalingsaftale",          "Mandatsreferenz",              "Mandat de prélèvement"),
    "creditor_id":    ("Creditor ID",            "Kreditor-ID",             "Borgenärs-ID",             "Kreditor-ID",              "Gläubiger-ID",                 "ICS"),
    "debited_account": ("Debited account",       "Belastes konto",          "Debiteras konto",          "Debiteres konto",          "Belastetes Konto",             "Compte débité"),
    "skonto":         ("{percent} % discount if paid within {days} days",
                       "{percent} % rabatt ved betaling innen {days} dager",
                       "{percent} % rabatt vid betalning inom {days} dagar",
                       "{percent} % rabat ved betaling inden {days} dage",
                       "{percent} % Skonto bei Zahlung innerhalb von {days} Tagen",
                       "{percent} % d'escompte pour un paiement sous {days} jours"),
    "skonto_1":       ("{percent} % discount if paid within {days} day",
                       "{percent} % rabatt ved betaling innen {days} dag",
                       "{percent} % rabatt vid betalning inom {days} dag",
                       "{percent} % rabat ved betaling inden {days} dag",
                       "{percent} % Skonto bei Zahlung innerhalb von {days} Tag",
                       "{percent} % d'escompte pour un paiement sous {days} jour"),
    "skonto_base":    ("on {amount}", "av {amount}", "på {amount}", "af {amount}", "auf {amount}", "sur {amount}"),
    "type_code":      ("type {code}", "type {code}", "typ {code}", "type {code}", "Typ {code}", "type {code}"),
    "refund":         ("refund",                 "tilbakebetaling",         "återbetalning",            "tilbagebetaling",          "Erstattung",                   "remboursement"),
    "nothing_to_pay": ("nothing to pay",         "ingenting å betale",      "inget att betala",         "intet at betale",          "nichts zu zahlen",             "rien à payer"),
    "means_code":     ("code {code}", "kode {code}", "kod {code}", "kode {code}", "Code {code}", "code {code}"),
    "terms":          ("Payment terms",          "Betalingsbetingelser",    "Betalningsvillkor",        "Betalingsbetingelser",     "Zahlungsbedingungen",          "Conditions de paiement"),
    "colon":          (":",                      ":",                       ":",                        ":",                        ":",                            "\u00a0:"),  # (French: a space before)
    "notes":          ("Notes",                  "Merknader",               "Anmärkningar",             "Bemærkninger",             "Bemerkungen",                  "Remarques"),
    "lines":          ("Lines",                  "Linjer",                  "Rader",                    "Linjer",                   "Positionen",                   "Lignes"),
    "line_no":        ("#",                      "#",                       "#",                        "#",                        "Pos.",                         "N°"),
    "description":    ("Description",            "Beskrivelse",             "Beskrivning",              "Beskrivelse",              "Bezeichnung",                  "Désignation"),
    "quantity":       ("Quantity",               "Antall",                  "Antal",                    "Antal",                    "Menge",                        "Quantité"),
    "unit":           ("Unit",                   "Enhet",                   "Enhet",                    "Enhed",                    "Einheit",                      "Unité"),
    "unit_price":     ("Unit price",             "Enhetspris",              "À-pris",                   "Enhedspris",               "Einzelpreis",                  "Prix unitaire"),
    "vat_rate":       ("VAT",                    "MVA",                     "Moms",                     "Moms",                     "USt.",                         "TVA"),
    "net_amount":     ("Amount",                 "Beløp",                   "Belopp",                   "Beløb",                    "Betrag",                       "Montant HT"),
    "item_no":        ("Item no.",               "Varenr.",                 "Art.nr",                   "Varenr.",                  "Art.-Nr.",                     "Réf."),
    "buyer_item_no":  ("Your item no.",          "Deres varenr.",           "Ert art.nr",               "Jeres varenr.",            "Ihre Art.-Nr.",                "Votre réf."),
    "gross_price":    ("List price",             "Listepris",               "Listpris",                 "Listepris",                "Listenpreis",                  "Prix brut"),
    "standard_id":    ("Standard ID",            "Standard-ID",             "Standard-ID",              "Standard-ID",              "Standardkennung",              "Identifiant standard"),
    "order_line":     ("Order line",             "Ordrelinje",              "Orderrad",                 "Ordrelinje",               "Bestellposition",              "Ligne de commande"),
    "price_discount": ("Price discount",         "Prisrabatt",              "Prisrabatt",               "Prisrabat",                "Preisnachlass",                "Remise sur prix"),
    "origin":         ("Country of origin",      "Opprinnelsesland",        "Ursprungsland",            "Oprindelsesland",          "Ursprungsland",                "Pays d'origine"),
    "object_id":      ("Object ID",              "Objekt-ID",               "Objekt-ID",                "Objekt-ID",                "Objektkennung",                "Identifiant d'objet"),
    "per":            ("per",                    "per",                     "per",                      "pr.",                      "je",                           "par"),
    "allowance":      ("Allowance",              "Rabatt",                  "Rabatt",                   "Rabat",                    "Nachlass",                     "Remise"),
    "charge":         ("Charge",                 "Tillegg",                 "Tillägg",                  "Tillæg",                   "Zuschlag",                     "Frais"),
    "allowances_charges": ("Allowances and charges", "Rabatter og tillegg", "Rabatter och tillägg",   "Rabatter og tillæg",       "Nachlässe und Zuschläge",      "Remises et frais"),
    "vat_breakdown":  ("VAT breakdown",          "MVA-spesifikasjon",       "Momsspecifikation",        "Momsspecifikation",        "Umsatzsteuer",                 "Détail de la TVA"),
    "category":       ("Category",               "Kategori",                "Kategori",                 "Kategori",                 "Kategorie",                    "Catégorie"),
    "rate":           ("Rate",                   "Sats",                    "Sats",                     "Sats",                     "Satz",                         "Taux"),
    "taxable":        ("Basis",                  "Grunnlag",                "Underlag",                 "Grundlag",                 "Bemessungsgrundlage",          "Base HT"),
    "tax":            ("VAT",                    "MVA",                     "Moms",                     "Moms",                     "Steuer",                       "TVA"),
    "exemption":      ("Exemption reason",       "Fritaksgrunn",            "Undantagsskäl",            "Fritagelsesgrund",         "Befreiungsgrund",              "Motif d'exonération"),
    "totals":         ("Totals",                 "Sum",                     "Summa",                    "Total",                    "Summen",                       "Totaux"),
    "sum_lines":      ("Sum of lines",           "Sum linjer",              "Summa rader",              "Sum linjer",               "Summe Positionen",             "Total des lignes"),
    "sum_allowances": ("Allowances",             "Rabatter",                "Rabatter",                 "Rabatter",                 "Nachlässe",                    "Remises"),
    "sum_charges":    ("Charges",                "Tillegg",                 "Tillägg",                  "Tillæg",                   "Zuschläge",                    "Frais"),
    "total_net":      ("Total excl. VAT",        "Sum eks. MVA",            "Summa exkl. moms",         "I alt ekskl. moms",        "Gesamt netto",                 "Total HT"),
    "total_vat":      ("VAT total",              "MVA",                     "Moms",                     "Moms",                     "Umsatzsteuer",                 "Total TVA"),
    "total_gross":    ("Total incl. VAT",        "Sum inkl. MVA",           "Summa inkl. moms",         "I alt inkl. moms",         "Gesamt brutto",                "Total TTC"),
    "prepaid":        ("Paid in advance",        "Forskuddsbetalt",         "Förskottsbetalt",          "Forudbetalt",              "Bereits gezahlt",              "Acompte versé"),
    "rounding":       ("Rounding",               "Øreavrunding",            "Öresavrundning",           "Afrunding",                "Rundung",                      "Arrondi"),
    "vat_accounting": ("VAT in accounting currency", "MVA i regnskapsvaluta", "Moms i redovisningsvaluta", "Moms i regnskabsvaluta", "Steuer in Buchungswährung", "TVA en devise de comptabilité"),
    "attachments":    ("Attachments",            "Vedlegg",                 "Bilagor",                  "Bilag",                    "Anlagen",                      "Pièces jointes"),
    "page":           ("Page",                   "Side",                    "Sida",                     "Side",                     "Seite",                        "Page"),
    "of":             ("of",                     "av",                      "av",                       "af",                       "von",                          "sur"),
    "electronic_address": ("Electronic address", "Elektronisk adresse",     "Elektronisk adress",       "Elektronisk adresse",      "Elektronische Adresse",        "Adresse électronique"),
    "generated":      ("Human-readable view of an electronic invoice", "Lesbar visning av en elektronisk faktura",
                       "Läsbar vy av en elektronisk faktura", "Læsbar visning af en elektronisk faktura",
                       "Lesbare Ansicht einer elektronischen Rechnung", "Vue lisible d'une facture électronique"),
    "enterprise_register": ("Register of Business Enterprises", "Foretaksregisteret", "Bolagsverket", "Erhvervsstyrelsen", "Handelsregister", "RCS"),
}

# UNCL 4461 payment means (the common ones; the rest below)
_MEANS: dict[str, tuple[str, str, str, str, str, str]] = {
    "1":  ("Not specified",          "Ikke angitt",            "Ej angivet",            "Ikke angivet",           "Nicht angegeben",        "Non défini"),
    "10": ("Cash",                   "Kontant",                "Kontant",               "Kontant",                "Bar",                    "Espèces"),
    "20": ("Cheque",                 "Sjekk",                  "Check",                 "Check",                  "Scheck",                 "Chèque"),
    "30": ("Bank transfer",          "Bankoverføring",         "Banköverföring",        "Bankoverførsel",         "Überweisung",            "Virement"),
    "31": ("Bank transfer",          "Bankoverføring",         "Banköverföring",        "Bankoverførsel",         "Überweisung",            "Virement"),
    "42": ("Payment to bank account", "Innbetaling til konto", "Inbetalning till konto", "Indbetaling til konto",  "Zahlung auf Bankkonto",  "Paiement sur compte bancaire"),
    "48": ("Bank card",              "Betalingskort",          "Betalkort",             "Betalingskort",          "Bankkarte",              "Carte bancaire"),
    "49": ("Direct debit",           "Direkte debitering",     "Autogiro",              "Direkte debitering",     "Lastschrift",            "Prélèvement"),
    "54": ("Credit card",            "Kredittkort",            "Kreditkort",            "Kreditkort",             "Kreditkarte",            "Carte de crédit"),
    "55": ("Debit card",             "Debetkort",              "Debetkort",             "Debetkort",              "Debitkarte",             "Carte de débit"),
    "57": ("Standing agreement",     "Fast avtale",            "Stående överföring",    "Fast aftale",            "Dauerauftrag",           "Accord permanent"),
    "58": ("SEPA credit transfer",   "SEPA-overføring",        "SEPA-överföring",       "SEPA-overførsel",        "SEPA-Überweisung",       "Virement SEPA"),
    "59": ("SEPA direct debit",      "SEPA-debitering",        "SEPA-autogiro",         "SEPA-direkte debitering", "SEPA-Lastschrift",      "Prélèvement SEPA"),
    "93": ("Reference giro",         "Referansegiro",          "Referensgiro",          "Indbetalingskort (FIK)", "Referenzgiro",           "Virement avec référence"),
    "97": ("Clearing between partners", "Avregning",           "Avräkning",             "Modregning",             "Verrechnung",            "Compensation"),
    "ZZZ": ("Agreed between partners", "Etter avtale",         "Enligt avtal",          "Efter aftale",           "Nach Vereinbarung",      "Selon accord"),
}

# the rest of UNTDID 4461 (the official names, translated; the ACH codes below are composed from their parts)
_MEANS.update({
    "8":  ("Hold",                   "Holdes tilbake",         "Innehålls",             "Tilbageholdes",          "Zurückbehalten",         "En attente"),
    "9":  ("National or regional clearing", "Nasjonal eller regional clearing", "Nationell eller regional clearing",
           "National eller regional clearing", "Nationales oder regionales Clearing", "Compensation nationale ou régionale"),
    "15": ("Bookentry credit",       "Kreditering ved kontoføring", "Kreditering genom kontoföring", "Kreditering ved kontoføring",
           "Gutschrift durch Buchung", "Crédit par écriture"),
    "16": ("Bookentry debit",        "Debitering ved kontoføring", "Debitering genom kontoföring", "Debitering ved kontoføring",
           "Belastung durch Buchung", "Débit par écriture"),
    "21": ("Banker's draft",         "Bankremisse",            "Bankväxel",             "Bankveksel",             "Bankwechsel",            "Traite bancaire"),
    "22": ("Certified banker's draft", "Bekreftet bankremisse", "Bekräftad bankväxel",  "Bekræftet bankveksel",   "Bestätigter Bankwechsel", "Traite bancaire certifiée"),
    "23": ("Bank cheque",            "Banksjekk",              "Bankcheck",             "Bankcheck",              "Bankscheck",             "Chèque de banque"),
    "24": ("Bill of exchange awaiting acceptance", "Veksel til aksept", "Växel för accept", "Veksel til accept",
           "Wechsel zur Annahme",    "Lettre de change en attente d'acceptation"),
    "25": ("Certified cheque",       "Bekreftet sjekk",        "Bekräftad check",       "Bekræftet check",        "Bestätigter Scheck",     "Chèque certifié"),
    "26": ("Local cheque",           "Lokal sjekk",            "Lokal check",           "Lokal check",            "Platzscheck",            "Chèque local"),
    "44": ("Accepted bill of exchange", "Akseptert veksel",    "Accepterad växel",      "Accepteret veksel",      "Akzeptierter Wechsel",   "Lettre de change acceptée"),
    "45": ("Referenced home-banking credit transfer", "Nettbankoverføring med referanse", "Internetbanksöverföring med referens",
           "Netbankoverførsel med reference", "Homebanking-Überweisung mit Referenz", "Virement de banque en ligne référencé"),
    "46": ("Interbank debit transfer", "Debitering mellom banker", "Debitering mellan banker", "Debitering mellem banker",
           "Interbanken-Lastschrift", "Débit interbancaire"),
    "47": ("Home-banking debit transfer", "Debitering i nettbank", "Debitering i internetbank", "Debitering i netbank",
           "Homebanking-Lastschrift", "Débit par banque en ligne"),
    "50": ("Payment by postgiro",    "Betaling med postgiro",  "Betalning med postgiro", "Betaling med postgiro", "Zahlung per Postgiro",   "Paiement par virement postal"),
    "51": ("FR, norme 6 97-Telereglement CFONB - Option A", "Télérèglement CFONB (Frankrike), alternativ A",
           "Télérèglement CFONB (Frankrike), alternativ A", "Télérèglement CFONB (Frankrig), mulighed A",
           "Télérèglement CFONB (Frankreich), Option A", "Télérèglement CFONB (norme 6 97), option A"),
    "52": ("Urgent commercial payment", "Hastebetaling (handel)", "Brådskande handelsbetalning", "Hastebetaling (handel)",
           "Eilige Handelszahlung",  "Paiement commercial urgent"),
    "53": ("Urgent Treasury Payment", "Hastebetaling (treasury)", "Brådskande treasurybetalning", "Hastebetaling (treasury)",
           "Eilige Treasury-Zahlung", "Paiement de trésorerie urgent"),
    "56": ("Bankgiro",               "Bankgiro",               "Bankgiro",              "Bankgiro",               "Bankgiro",               "Bankgiro"),
    "60": ("Promissory note",        "Gjeldsbrev",             "Skuldebrev",            "Gældsbrev",              "Solawechsel",            "Billet à ordre"),
    "61": ("Promissory note signed by the debtor", "Gjeldsbrev signert av skyldneren", "Skuldebrev undertecknat av gäldenären",
           "Gældsbrev underskrevet af debitor", "Solawechsel, vom Schuldner unterzeichnet", "Billet à ordre signé par le débiteur"),
    "62": ("Promissory note signed by the debtor and endorsed by a bank", "Gjeldsbrev signert av skyldneren, endossert av en bank",
           "Skuldebrev undertecknat av gäldenären, endosserat av en bank", "Gældsbrev underskrevet af debitor, endosseret af en bank",
           "Solawechsel, vom Schuldner unterzeichnet, von einer Bank indossiert",
           "Billet à ordre signé par le débiteur et endossé par une banque"),
    "63": ("Promissory note signed by the debtor and endorsed by a third party", "Gjeldsbrev signert av skyldneren, endossert av en tredjepart",
           "Skuldebrev undertecknat av gäldenären, endosserat av tredje man", "Gældsbrev underskrevet af debitor, endosseret af tredjemand",
           "Solawechsel, vom Schuldner unterzeichnet, von einem Dritten indossiert",
           "Billet à ordre signé par le débiteur et endossé par un tiers"),
    "64": ("Promissory note signed by a bank", "Gjeldsbrev signert av en bank", "Skuldebrev undertecknat av en bank",
           "Gældsbrev underskrevet af en bank", "Solawechsel, von einer Bank unterzeichnet", "Billet à ordre signé par une banque"),
    "65": ("Promissory note signed by a bank and endorsed by another bank", "Gjeldsbrev signert av en bank, endossert av en annen bank",
           "Skuldebrev undertecknat av en bank, endosserat av en annan bank", "Gældsbrev underskrevet af en bank, endosseret af en anden bank",
           "Solawechsel, von einer Bank unterzeichnet, von einer anderen Bank indossiert",
           "Billet à ordre signé par une banque et endossé par une autre banque"),
    "66": ("Promissory note signed by a third party", "Gjeldsbrev signert av en tredjepart", "Skuldebrev undertecknat av tredje man",
           "Gældsbrev underskrevet af tredjemand", "Solawechsel, von einem Dritten unterzeichnet", "Billet à ordre signé par un tiers"),
    "67": ("Promissory note signed by a third party and endorsed by a bank", "Gjeldsbrev signert av en tredjepart, endossert av en bank",
           "Skuldebrev undertecknat av tredje man, endosserat av en bank", "Gældsbrev underskrevet af tredjemand, endosseret af en bank",
           "Solawechsel, von einem Dritten unterzeichnet, von einer Bank indossiert",
           "Billet à ordre signé par un tiers et endossé par une banque"),
    "68": ("Online payment service", "Betalingstjeneste på nett", "Onlinebetaltjänst",  "Onlinebetalingstjeneste", "Online-Zahlungsdienst", "Service de paiement en ligne"),
    "69": ("Transfer Advice",        "Overføringsmelding",     "Överföringsavi",        "Overførselsadvis",       "Überweisungsavis",       "Avis de virement"),
    "70": ("Bill drawn by the creditor on the debtor", "Veksel trukket av kreditor på skyldneren", "Växel dragen av borgenären på gäldenären",
           "Veksel trukket af kreditor på debitor", "Vom Gläubiger auf den Schuldner gezogener Wechsel",
           "Lettre de change tirée par le créancier sur le débiteur"),
    "74": ("Bill drawn by the creditor on a bank", "Veksel trukket av kreditor på en bank", "Växel dragen av borgenären på en bank",
           "Veksel trukket af kreditor på en bank", "Vom Gläubiger auf eine Bank gezogener Wechsel",
           "Lettre de change tirée par le créancier sur une banque"),
    "75": ("Bill drawn by the creditor, endorsed by another bank", "Veksel trukket av kreditor, endossert av en annen bank",
           "Växel dragen av borgenären, endosserad av en annan bank", "Veksel trukket af kreditor, endosseret af en anden bank",
           "Vom Gläubiger gezogener Wechsel, von einer anderen Bank indossiert",
           "Lettre de change tirée par le créancier, endossée par une autre banque"),
    "76": ("Bill drawn by the creditor on a bank and endorsed by a third party", "Veksel trukket av kreditor på en bank, endossert av en tredjepart",
           "Växel dragen av borgenären på en bank, endosserad av tredje man", "Veksel trukket af kreditor på en bank, endosseret af tredjemand",
           "Vom Gläubiger auf eine Bank gezogener Wechsel, von einem Dritten indossiert",
           "Lettre de change tirée par le créancier sur une banque et endossée par un tiers"),
    "77": ("Bill drawn by the creditor on a third party", "Veksel trukket av kreditor på en tredjepart", "Växel dragen av borgenären på tredje man",
           "Veksel trukket af kreditor på tredjemand", "Vom Gläubiger auf einen Dritten gezogener Wechsel",
           "Lettre de change tirée par le créancier sur un tiers"),
    "78": ("Bill drawn by creditor on third party, accepted and endorsed by bank",
           "Veksel trukket av kreditor på en tredjepart, akseptert og endossert av en bank",
           "Växel dragen av borgenären på tredje man, accepterad och endosserad av en bank",
           "Veksel trukket af kreditor på tredjemand, accepteret og endosseret af en bank",
           "Vom Gläubiger auf einen Dritten gezogener Wechsel, von einer Bank angenommen und indossiert",
           "Lettre de change tirée par le créancier sur un tiers, acceptée et endossée par une banque"),
    "91": ("Not transferable banker's draft", "Ikke-overdragbar bankremisse", "Ej överlåtbar bankväxel", "Ikke-overdragelig bankveksel",
           "Nicht übertragbarer Bankwechsel", "Traite bancaire non transmissible"),
    "92": ("Not transferable local cheque", "Ikke-overdragbar lokal sjekk", "Ej överlåtbar lokal check", "Ikke-overdragelig lokal check",
           "Nicht übertragbarer Platzscheck", "Chèque local non transmissible"),
    "94": ("Urgent giro",            "Hastegiro",              "Brådskande giro",       "Hastegiro",              "Eilgiro",                "Virement urgent"),
    "95": ("Free format giro",       "Giro i fritt format",    "Giro i fritt format",   "Giro i frit format",     "Giro im freien Format",  "Virement en format libre"),
    "96": ("Requested method for payment was not used", "Den ønskede betalingsmåten ble ikke brukt", "Begärt betalningssätt användes inte",
           "Den ønskede betalingsmåde blev ikke brugt", "Gewünschte Zahlungsart nicht verwendet", "Moyen de paiement demandé non utilisé"),
    "98": ("Electronically recorded monetary claims", "Elektronisk registrerte pengekrav", "Elektroniskt registrerade penningfordringar",
           "Elektronisk registrerede pengekrav", "Elektronisch registrierte Geldforderungen", "Créances monétaires enregistrées électroniquement"),
})

# UNTDID 4461's automated clearing house (ACH, United States) codes: account (demand or savings), payment type,
# credit or debit, reversal; the English is the code list's own name
_ACH_CODES = {"2": ("", "", "credit", False), "3": ("", "", "debit", False),
              "4": ("demand", "", "debit", True), "5": ("demand", "", "credit", True),
              "6": ("demand", "", "credit", False), "7": ("demand", "", "debit", False),
              "11": ("savings", "", "credit", True), "12": ("savings", "", "debit", True),
              "13": ("savings", "", "credit", False), "14": ("savings", "", "debit", False),
              "17": ("demand", "CCD", "credit", False), "18": ("demand", "CCD", "debit", False),
              "19": ("demand", "CTP", "credit", False), "27": ("demand", "CTP", "debit", False),
              "28": ("demand", "CTX", "credit", False), "29": ("demand", "CTX", "debit", False),
              "32": ("demand", "CCD+", "credit", False), "33": ("demand", "CCD+", "debit", False),
              "34": ("", "PPD", "", False),
              "35": ("savings", "CCD", "credit", False), "36": ("savings", "CCD", "debit", False),
              "37": ("savings", "CTP", "credit", False), "38": ("savings", "CTP", "debit", False),
              "39": ("savings", "CTX", "credit", False), "40": ("savings", "CTX", "debit", False),
              "41": ("savings", "CCD+", "credit", False), "43": ("savings", "CCD+", "debit", False)}
_ACH_TYPES_EN = {"CCD": "cash concentration/disbursement (CCD)", "CTP": "corporate trade payment (CTP)",
                 "CTX": "corporate trade exchange (CTX)", "CCD+": "cash concentration/disbursement plus (CCD+)",
                 "PPD": "prearranged payment and deposit (PPD)"}
_ACH_WORDS: dict[str, tuple[str, str, str, str, str, str]] = {
    "demand":   ("demand",   "brukskonto",      "transaktionskonto", "anfordringskonto",  "Sichtkonto",    "compte à vue"),
    "savings":  ("savings",  "sparekonto",      "sparkonto",         "opsparingskonto",   "Sparkonto",     "compte d'épargne"),
    "credit":   ("credit",   "kreditering",     "kreditering",       "kreditering",       "Gutschrift",    "crédit"),
    "debit":    ("debit",    "debitering",      "debitering",        "debitering",        "Lastschrift",   "débit"),
    "reversal": ("reversal", "tilbakeføring",   "återföring",        "tilbageførsel",     "Storno",        "contre-passation"),
    "ach":      ("Automated clearing house", "Automatisert clearing (ACH)", "Automatiserad clearing (ACH)",
                 "Automatiseret clearing (ACH)", "Automatisierte Clearingstelle (ACH)", "Chambre de compensation automatisée (ACH)"),
}


def _ach_name(code: str, lang: str) -> str | None:
    """An ACH payment means' name (UNTDID 4461 2-7, 11-14, 17-19, 27-29, 32-41, 43), composed from its parts."""
    parts = _ACH_CODES.get(code)
    if parts is None:
        return None
    account, kind, direction, reversal = parts
    word = lambda key: _pick(_ACH_WORDS[key], lang) or ""  # noqa: E731
    if lang == "en":
        if not account and not kind:
            return f"Automated clearing house {direction}"
        return " ".join(x for x in ("ACH", account, _ACH_TYPES_EN.get(kind, ""), direction, "reversal" if reversal else "") if x)
    what = ", ".join(x for x in (kind, word(direction) if direction else "", word(account) if account else "",
                                 word("reversal") if reversal else "") if x)
    return f"{word('ach')}: {what}" if what else word("ach")


# UNCL 5305 VAT categories
_VAT: dict[str, tuple[str, str, str, str, str, str]] = {
    "S":  ("Standard rate",          "Ordinær sats",           "Normalsats",            "Standardsats",           "Regelsteuersatz",        "Taux normal"),
    "Z":  ("Zero rated",             "Nullsats",               "Nollskattesats",        "Nulsats",                "Nullsatz",               "Taux zéro"),
    "E":  ("Exempt",                 "Fritatt",                "Undantagen",            "Fritaget",               "Steuerbefreit",          "Exonéré"),
    "AE": ("Reverse charge",         "Omvendt avgiftsplikt",   "Omvänd skattskyldighet", "Omvendt betalingspligt", "Umkehr der Steuerschuld", "Autoliquidation"),
    "K":  ("Intra-community supply", "EØS-levering",           "Unionsintern leverans", "EU-levering",            "Innergemeinschaftliche Lieferung", "Livraison intracommunautaire"),
    "G":  ("Export",                 "Eksport",                "Export",                "Eksport",                "Ausfuhr",                "Exportation"),
    "O":  ("Outside the scope of VAT", "Utenfor avgiftsområdet", "Utanför momsens tillämpningsområde", "Uden for momsområdet", "Nicht steuerbar", "Hors champ de la TVA"),
    "L":  ("Canary Islands tax",     "IGIC",                   "IGIC",                  "IGIC",                   "IGIC",                   "IGIC"),
    "M":  ("Ceuta and Melilla tax",  "IPSI",                   "IPSI",                  "IPSI",                   "IPSI",                   "IPSI"),
}

# UN/ECE Rec 20/21 units (the common ones)
_UNITS: dict[str, tuple[str, str, str, str, str, str]] = {
    "HUR": ("h",    "timer",  "tim",   "timer", "Std.",  "h"),
    "DAY": ("days", "dager",  "dagar", "dage",  "Tage",  "jours"),
    "MON": ("months", "mnd.", "mån",   "mdr.",  "Mon.",  "mois"),
    "ANN": ("years", "år",    "år",    "år",    "Jahre", "ans"),
    "MIN": ("min",  "min",    "min",   "min",   "Min.",  "min"),
    "WEE": ("weeks", "uker",  "veckor", "uger", "Wochen", "semaines"),
    "EA":  ("pcs",  "stk",    "st",    "stk.",  "Stk.",  "pce"),
    "C62": ("pcs",  "stk",    "st",    "stk.",  "Stk.",  "pce"),
    "H87": ("pcs",  "stk",    "st",    "stk.",  "Stk.",  "pce"),
    "XPP": ("pcs",  "stk",    "st",    "stk.",  "Stk.",  "pce"),
    "SET": ("sets", "sett",   "set",   "sæt",   "Satz",  "lots"),
    "LS":  ("lump sum", "rundsum", "klumpsumma", "samlet", "pauschal", "forfait"),
    "KGM": ("kg",   "kg",     "kg",    "kg",    "kg",    "kg"),
    "GRM": ("g",    "g",      "g",     "g",     "g",     "g"),
    "TNE": ("t",    "tonn",   "ton",   "ton",   "t",     "t"),
    "MTR": ("m",    "m",      "m",     "m",     "m",     "m"),
    "KMT": ("km",   "km",     "km",    "km",    "km",    "km"),
    "MTK": ("m²",   "m²",     "m²",    "m²",    "m²",    "m²"),
    "MTQ": ("m³",   "m³",     "m³",    "m³",    "m³",    "m³"),
    "LTR": ("l",    "l",      "l",     "l",     "l",     "l"),
    "KWH": ("kWh",  "kWh",    "kWh",   "kWh",   "kWh",   "kWh"),
    "P1":  ("%",    "%",      "%",     "%",     "%",     "%"),
}

# UNTDID 1001 document types EN 16931 accepts that have no everyday title above (the code list's names, translated)
_DOC_TYPES: dict[str, tuple[str, str, str, str, str, str]] = {
    "71": ("Request for payment", "Betalingsanmodning", "Betalningsbegäran", "Betalingsanmodning", "Zahlungsaufforderung", "Demande de paiement"),
    "80": ("Debit note (goods or services)", "Debetnota (varer eller tjenester)", "Debetnota (varor eller tjänster)", "Debetnota (varer eller tjenesteydelser)", "Belastungsanzeige (Waren oder Dienstleistungen)", "Note de débit (biens ou services)"),
    "82": ("Metered services invoice", "Faktura for målte tjenester", "Faktura för uppmätta tjänster", "Faktura for målte ydelser", "Verbrauchsabrechnung", "Facture de services mesurés"),
    "84": ("Debit note (financial adjustments)", "Debetnota (finansielle justeringer)", "Debetnota (finansiella justeringar)", "Debetnota (finansielle justeringer)", "Belastungsanzeige (finanzielle Anpassungen)", "Note de débit (ajustements financiers)"),
    "102": ("Tax notification", "Skattevarsel", "Skatteavisering", "Skattemeddelelse", "Steuermitteilung", "Notification fiscale"),
    "130": ("Invoicing data sheet", "Faktureringsdataark", "Faktureringsdatablad", "Faktureringsdataark", "Rechnungsdatenblatt", "Fiche de données de facturation"),
    "202": ("Direct payment valuation", "Direkte betalingsvurdering", "Direkt betalningsvärdering", "Direkte betalingsvurdering", "Direkte Zahlungsbewertung", "Évaluation de paiement direct"),
    "203": ("Provisional payment valuation", "Foreløpig betalingsvurdering", "Preliminär betalningsvärdering", "Foreløbig betalingsvurdering", "Vorläufige Zahlungsbewertung", "Évaluation de paiement provisoire"),
    "204": ("Payment valuation", "Betalingsvurdering", "Betalningsvärdering", "Betalingsvurdering", "Zahlungsbewertung", "Évaluation de paiement"),
    "211": ("Interim application for payment", "Søknad om delbetaling", "Ansökan om delbetalning", "Anmodning om acontobetaling", "Antrag auf Abschlagszahlung", "Demande de paiement intermédiaire"),
    "218": ("Final payment request (completed work)", "Anmodning om sluttbetaling (utført arbeid)", "Begäran om slutbetalning (utfört arbete)", "Anmodning om slutbetaling (udført arbejde)", "Schlusszahlungsanforderung (fertiggestellte Arbeiten)", "Demande de paiement final (travaux achevés)"),
    "219": ("Payment request for completed units", "Betalingsanmodning for ferdige enheter", "Betalningsbegäran för färdiga enheter", "Betalingsanmodning for færdige enheder", "Zahlungsanforderung für fertiggestellte Einheiten", "Demande de paiement pour unités achevées"),
    "261": ("Self-billed credit note", "Selvfakturert kreditnota", "Självfakturerad kreditfaktura", "Selvfaktureret kreditnota", "Gutschrift zur Selbstfakturierung", "Avoir autofacturé"),
    "262": ("Consolidated credit note", "Samlekreditnota", "Samlingskreditfaktura", "Samlekreditnota", "Sammelgutschrift", "Avoir récapitulatif"),
    "295": ("Price variation invoice", "Prisjusteringsfaktura", "Prisjusteringsfaktura", "Prisreguleringsfaktura", "Preisanpassungsrechnung", "Facture de révision de prix"),
    "296": ("Credit note for price variation", "Kreditnota for prisjustering", "Kreditfaktura för prisjustering", "Kreditnota for prisregulering", "Gutschrift zur Preisanpassung", "Avoir de révision de prix"),
    "308": ("Delcredere credit note", "Delkredere-kreditnota", "Delkredere-kreditfaktura", "Delkredere-kreditnota", "Delkredere-Gutschrift", "Avoir ducroire"),
    "325": ("Proforma invoice", "Proformafaktura", "Proformafaktura", "Proformafaktura", "Proformarechnung", "Facture pro forma"),
    "326": ("Partial invoice", "Delfaktura", "Delfaktura", "Delfaktura", "Teilrechnung", "Facture partielle"),
    "331": ("Commercial invoice with packing list", "Handelsfaktura med pakkliste", "Handelsfaktura med packlista", "Handelsfaktura med pakkeliste", "Handelsrechnung mit Packliste", "Facture commerciale avec liste de colisage"),
    "382": ("Commission note", "Provisjonsnota", "Provisionsnota", "Provisionsnota", "Provisionsabrechnung", "Note de commission"),
    "385": ("Consolidated invoice", "Samlefaktura", "Samlingsfaktura", "Samlefaktura", "Sammelrechnung", "Facture récapitulative"),
    "387": ("Hire invoice", "Leiefaktura", "Hyresfaktura", "Lejefaktura", "Mietrechnung", "Facture de location"),
    "388": ("Tax invoice", "Skattefaktura", "Skattefaktura", "Skattefaktura", "Steuerrechnung", "Facture fiscale"),
    "390": ("Delcredere invoice", "Delkrederefaktura", "Delkrederefaktura", "Delkrederefaktura", "Delkredere-Rechnung", "Facture ducroire"),
    "393": ("Factored invoice", "Factoringfaktura", "Factoringfaktura", "Factoringfaktura", "Factoring-Rechnung", "Facture affacturée"),
    "394": ("Lease invoice", "Leasingfaktura", "Leasingfaktura", "Leasingfaktura", "Leasingrechnung", "Facture de crédit-bail"),
    "395": ("Consignment invoice", "Konsignasjonsfaktura", "Konsignationsfaktura", "Konsignationsfaktura", "Konsignationsrechnung", "Facture de consignation"),
    "420": ("OCR payment credit note", "Kreditnota for OCR-betaling", "Kreditfaktura för OCR-betalning", "Kreditnota for OCR-betaling", "Gutschrift zur OCR-Zahlung", "Avoir de paiement OCR"),
    "456": ("Debit advice", "Debiteringsmelding", "Debiteringsavi", "Debiteringsadvis", "Belastungsavis", "Avis de débit"),
    "457": ("Reversal of debit", "Tilbakeføring av debitering", "Återföring av debitering", "Tilbageførsel af debitering", "Storno einer Belastung", "Contre-passation de débit"),
    "458": ("Reversal of credit", "Tilbakeføring av kreditering", "Återföring av kreditering", "Tilbageførsel af kreditering", "Storno einer Gutschrift", "Contre-passation de crédit"),
    "471": ("Self-billed corrective invoice", "Selvfakturert korrigert faktura", "Självfakturerad rättelsefaktura", "Selvfaktureret korrektionsfaktura", "Rechnungskorrektur (Selbstfakturierung)", "Facture rectificative autofacturée"),
    "472": ("Factored corrective invoice", "Korrigert factoringfaktura", "Rättelsefaktura (factoring)", "Korrektionsfaktura (factoring)", "Rechnungskorrektur (Factoring)", "Facture rectificative affacturée"),
    "473": ("Self-billed factored corrective invoice", "Selvfakturert korrigert factoringfaktura", "Självfakturerad rättelsefaktura (factoring)", "Selvfaktureret korrektionsfaktura (factoring)", "Rechnungskorrektur (Selbstfakturierung, Factoring)", "Facture rectificative autofacturée affacturée"),
    "500": ("Self-billed prepayment invoice", "Selvfakturert forskuddsfaktura", "Självfakturerad förskottsfaktura", "Selvfaktureret forudbetalingsfaktura", "Vorauszahlungsrechnung (Selbstfakturierung)", "Facture d'acompte autofacturée"),
    "501": ("Self-billed factored invoice", "Selvfakturert factoringfaktura", "Självfakturerad factoringfaktura", "Selvfaktureret factoringfaktura", "Factoring-Rechnung (Selbstfakturierung)", "Autofacture affacturée"),
    "502": ("Self-billed factored credit note", "Selvfakturert factoring-kreditnota", "Självfakturerad kreditfaktura (factoring)", "Selvfaktureret kreditnota (factoring)", "Factoring-Gutschrift (Selbstfakturierung)", "Avoir autofacturé affacturé"),
    "503": ("Prepayment credit note", "Kreditnota for forskudd", "Kreditfaktura för förskott", "Kreditnota for forudbetaling", "Gutschrift zur Vorauszahlung", "Avoir sur acompte"),
    "527": ("Self-billed debit note", "Selvfakturert debetnota", "Självfakturerad debetnota", "Selvfaktureret debetnota", "Belastungsanzeige (Selbstfakturierung)", "Note de débit autofacturée"),
    "553": ("Forwarder's invoice discrepancy report", "Speditørens avviksrapport for faktura", "Speditörens avvikelserapport för faktura", "Speditørens afvigelsesrapport for faktura", "Abweichungsbericht zur Spediteurrechnung", "Rapport d'écart sur facture du transitaire"),
    "575": ("Insurer's invoice", "Forsikringsfaktura", "Försäkringsgivarens faktura", "Forsikringsfaktura", "Versicherungsrechnung", "Facture d'assureur"),
    "623": ("Forwarder's invoice", "Speditørfaktura", "Speditörsfaktura", "Speditørfaktura", "Spediteurrechnung", "Facture du transitaire"),
    "633": ("Port charges document", "Havneavgiftsdokument", "Hamnavgiftsdokument", "Havneafgiftsdokument", "Hafengebührenabrechnung", "Document de frais portuaires"),
    "780": ("Freight invoice", "Fraktfaktura", "Fraktfaktura", "Fragtfaktura", "Frachtrechnung", "Facture de fret"),
    "817": ("Claim notification", "Kravmelding", "Kravanmälan", "Kravmeddelelse", "Forderungsanzeige", "Notification de réclamation"),
    "870": ("Consular invoice", "Konsulatfaktura", "Konsulatsfaktura", "Konsulatfaktura", "Konsulatsfaktura", "Facture consulaire"),
    "875": ("Partial construction invoice", "Delfaktura for bygg og anlegg", "Delfaktura för byggentreprenad", "Delfaktura for byggeri", "Abschlagsrechnung (Bauleistung)", "Facture partielle de travaux"),
    "876": ("Partial final construction invoice", "Delsluttfaktura for bygg og anlegg", "Delslutfaktura för byggentreprenad", "Delslutfaktura for byggeri", "Teilschlussrechnung (Bauleistung)", "Facture partielle définitive de travaux"),
    "877": ("Final construction invoice", "Sluttfaktura for bygg og anlegg", "Slutfaktura för byggentreprenad", "Slutfaktura for byggeri", "Schlussrechnung (Bauleistung)", "Facture définitive de travaux"),
    "935": ("Customs invoice", "Tollfaktura", "Tullfaktura", "Toldfaktura", "Zollfaktura", "Facture douanière"),
}

_TYPE_TITLE = {"381": "credit_note", "396": "credit_note", "81": "credit_note", "83": "credit_note",
               "532": "credit_note", "383": "debit_note", "384": "corrected", "386": "prepayment",
               "389": "self_billed", "261": "self_billed", "751": "accounting_info"}


def _pick(row: tuple[str, ...] | None, lang: str) -> str | None:
    if row is None:
        return None
    i = LANGS.index(lang) if lang in LANGS else 0
    return row[i] or row[0]


def label(key: str, lang: str) -> str:
    """The label of ``key`` in ``lang`` (English when the language has none, the key when unknown)."""
    return _pick(_T.get(key), lang) or key


def means_name(code: str | None, lang: str) -> str | None:
    code = (code or "").strip()
    return _pick(_MEANS.get(code), lang) or _ach_name(code, lang)


def vat_name(code: str | None, lang: str) -> str | None:
    return _pick(_VAT.get((code or "").strip().upper()), lang)


def unit_name(code: str | None, lang: str) -> str | None:
    if not code:
        return None
    return _pick(_UNITS.get(code.strip().upper()), lang) or code.strip()


def title_key(type_code: str | None, credit_note: bool) -> str:
    if credit_note:
        return "credit_note"
    return _TYPE_TITLE.get((type_code or "").strip(), "invoice")


def title(type_code: str | None, credit_note: bool, lang: str) -> str:
    """The page's heading: the document type's everyday title, else its UNTDID 1001 name (a credit note's only when
    it is a credit-note type), else Invoice / Credit note with the code given (an unknown code is not hidden)."""
    from ..model.invoice import CREDIT_NOTE_TYPE_CODES

    code = " ".join((type_code or "").split())
    named = code in _DOC_TYPES and (not credit_note or code in CREDIT_NOTE_TYPE_CODES)
    if not named and (code in _TYPE_TITLE or code in ("", "380")):
        return label(title_key(code, credit_note), lang)
    if named:
        return _pick(_DOC_TYPES[code], lang) or code
    return f"{label(title_key(code, credit_note), lang)} ({label('type_code', lang).format(code=code)})"


def default_lang(country_code: str | None) -> str:
    return COUNTRY_LANG.get((country_code or "").strip().upper(), "en")
