"""Labels of the printed invoice in English, Norwegian (bokmål), Swedish, Danish, German and French.

One row per label: the six texts in the order of :data:`LANGS`. Code names
(document types, payment means, VAT categories, units) are short everyday
words, not the official code-list titles. A label missing in a language falls
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
    "skonto_base":    ("on {amount}", "av {amount}", "på {amount}", "af {amount}", "auf {amount}", "sur {amount}"),
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

# UNCL 4461 payment means (the common ones)
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
    return _pick(_MEANS.get((code or "").strip()), lang)


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


def default_lang(country_code: str | None) -> str:
    return COUNTRY_LANG.get((country_code or "").strip().upper(), "en")
