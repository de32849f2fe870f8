#!/usr/bin/env bash
# Visual check of the printed invoice: render the samples, then look at pictures of them.
#
#   scripts/check_render.sh [OUT_DIR]        (default OUT_DIR: out/render-check)
#
# What it does:
#   1. installs Debian's chromium and poppler-utils (pdftoppm) when they are missing
#      (apt-get; needs root or sudo);
#   2. renders every samples/*.xml to HTML and PDF with `einvoice render`, the EHF
#      sample also in English and German, and builds the EHF sample as a Factur-X PDF
#      (`einvoice build ... --pdf`);
#   3. takes a screenshot of each HTML page with headless Chromium (no network, no
#      profile: a throw-away --user-data-dir) and turns each PDF page into a PNG with
#      pdftoppm.
# Then open the PNGs in OUT_DIR and check the layout: seller, buyer with customer
# number, invoice number and dates, the amount due and due date, account and KID,
# lines, VAT breakdown and totals must be easy to find and must not overlap.
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

for lang in en de; do
  $EINVOICE render samples/ehf-invoice.xml -o "$OUT/ehf-invoice-$lang.html" --lang "$lang"
  shot "$OUT/ehf-invoice-$lang.html" "$OUT/ehf-invoice-$lang.html.png"
done

if $EINVOICE build samples/ehf-invoice.yaml --format facturx-en16931 --pdf "$OUT/ehf-invoice-facturx.pdf"; then
  pages "$OUT/ehf-invoice-facturx.pdf" "$OUT/ehf-invoice-facturx.pdf"
  $EINVOICE render "$OUT/ehf-invoice-facturx.pdf" -o "$OUT/ehf-invoice-from-pdf.html"
fi

echo
echo "pictures to look at:"
ls -1 "$OUT"/*.png
