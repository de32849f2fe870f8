#!/usr/bin/env bash
# Visual check of the printed invoice: render the samples, then look at pictures of them.
#
#   scripts/check_render.sh [OUT_DIR]        (default OUT_DIR: out/render-check)
#
# What it does:
#   1. installs Debian's chromium and poppler-utils (pdftoppm) when they are missing
#      (apt-get; needs root or sudo);
#   2. renders every samples/*.xml to HTML and PDF with `einvoice render` (an invoice,
#      a credit note, a Swedish bankgiro invoice, a 45-line invoice, ...), the EHF sample
#      also in English and German and with totals of 11-12 digits, and builds the EHF
#      sample as a Factur-X PDF (`einvoice build ... --pdf`);
#   3. takes a screenshot of each HTML page with headless Chromium (no network, no
#      profile: a throw-away --user-data-dir) and turns each PDF page into a PNG with
#      pdftoppm.
# Then open the PNGs in OUT_DIR and check the layout: seller, buyer with customer
# number, invoice number and dates, the amount due and due date, account and KID,
# lines, VAT breakdown and totals must be easy to find and must not overlap; a
# bankgiro reads "Bankgiro 5678-1230"; the credit note shows no due date and no account
# to pay to; large totals keep their labels on one line; no page holds only the footer.
# Every PDF is also checked for the PDF/A-3 essentials (einvoice.pdfa); a problem stops the script.
# The PNGs are for looking at only: do not commit them (out/ is ignored by git).
set -euo pipefail

cd "$(dirname "$0")/.."
OUT="${1:-out/render-check}"
mkdir -p "$OUT"

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing: ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

[ -x .venv/bin/einvoice ] && PATH="$PWD/.venv/bin:$PATH"   # the checkout's venv (README quick start)
EINVOICE="${EINVOICE:-einvoice}"
command -v "$EINVOICE" >/dev/null 2>&1 || EINVOICE="python -m einvoice"

shot() {  # HTML file -> PNG screenshot (A4 width at 96 dpi)
  local html="$1" png="$2" profile
  profile="$(mktemp -d)"
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
    --hide-scrollbars --window-size=900,1400 --screenshot="$png" "file://$(realpath "$html")" \
    >/dev/null 2>&1 || echo "warning: screenshot of $html failed"
  rm -rf "$profile"
}

pages() {  # PDF -> PNG per page
  local pdf="$1" stem="$2"
  pdftoppm -r 80 -png "$pdf" "$stem"
}

for xml in samples/*.xml; do
  name="$(basename "$xml" .xml)"
  $EINVOICE render "$xml" -o "$OUT/$name.html"
  $EINVOICE render "$xml" -o "$OUT/$name.pdf"
  shot "$OUT/$name.html" "$OUT/$name.html.png"
  pages "$OUT/$name.pdf" "$OUT/$name.pdf"
done

# totals of 11-12 digits: the EHF sample with quantities multiplied by 10 million
python - <<'PY' "$OUT/ehf-large.yaml"
import sys, re
text = open("samples/ehf-invoice.yaml", encoding="utf-8").read()
text = re.sub(r'quantity: "(\d+)"', lambda m: f'quantity: "{int(m.group(1)) * 10_000_000}"', text)
open(sys.argv[1], "w", encoding="utf-8").write(text)
PY
$EINVOICE build "$OUT/ehf-large.yaml" --format ehf -o "$OUT/ehf-large.xml"
$EINVOICE render "$OUT/ehf-large.xml" -o "$OUT/ehf-large.pdf"
pages "$OUT/ehf-large.pdf" "$OUT/ehf-large.pdf"

for lang in en de; do
  $EINVOICE render samples/ehf-invoice.xml -o "$OUT/ehf-invoice-$lang.html" --lang "$lang"
  shot "$OUT/ehf-invoice-$lang.html" "$OUT/ehf-invoice-$lang.html.png"
done

if $EINVOICE build samples/ehf-invoice.yaml --format facturx-en16931 --pdf "$OUT/ehf-invoice-facturx.pdf"; then
  pages "$OUT/ehf-invoice-facturx.pdf" "$OUT/ehf-invoice-facturx.pdf"
  $EINVOICE render "$OUT/ehf-invoice-facturx.pdf" -o "$OUT/ehf-invoice-from-pdf.html"
fi

python - "$OUT"/*.pdf <<'PY'
import sys
from einvoice import pdfa
bad = {p: pdfa.problems(open(p, "rb").read()) for p in sys.argv[1:]}
for p, found in bad.items():
    print(f"PDF/A essentials {'ok' if not found else 'MISSING'}: {p}" + "".join(f"\n  {r}: {d}" for r, d in found))
sys.exit(1 if any(bad.values()) else 0)
PY

echo
echo "pictures to look at:"
ls -1 "$OUT"/*.png
