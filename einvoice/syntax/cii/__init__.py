"""UN/CEFACT CII D16B binding (Factur-X / ZUGFeRD): reader, writer and syntax rules."""
