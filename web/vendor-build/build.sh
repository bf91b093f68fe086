#!/usr/bin/env bash
# Rebuild the portal's vendored front-end files under web/static/vendor/ from the npm registry.
# Run by hand when bumping a version (needs node + npm; the app and its tests do not):
#   bash web/vendor-build/build.sh
# GOV.UK Frontend is compiled from its Sass with the system font stack, without the GDS Transport
# @font-face rules (that typeface and the crown are for GOV.UK only), so no fonts or crown ship.
# Chart.js is copied as its UMD build. Each gets a LICENSE.txt from its package.
set -euo pipefail
GOVUK_VERSION=6.6.0
CHARTJS_VERSION=4.6.1
HERE="$(cd "$(dirname "$0")" && pwd)"
VENDOR="$HERE/../static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm init -y >/dev/null
npm install --no-audit --no-fund "govuk-frontend@$GOVUK_VERSION" "chart.js@$CHARTJS_VERSION" sass >/dev/null

GOVUK="$VENDOR/govuk-frontend-$GOVUK_VERSION"
rm -rf "$GOVUK" && mkdir -p "$GOVUK"
cp "$HERE/govuk.scss" portal.scss
npx sass --pkg-importer=node --style=compressed --no-source-map portal.scss "$GOVUK/govuk-frontend.min.css"
if grep -q "GDS Transport\|fonts/" "$GOVUK/govuk-frontend.min.css"; then
  echo "the compiled CSS still names the GOV.UK typeface or its fonts" >&2; exit 1
fi
node -e '
const p = require("./node_modules/govuk-frontend/package.json");
process.stdout.write(`${p.name} ${p.version}\nLicence: ${p.license} (from its package.json)\n\nThe MIT License (MIT)\n\nCopyright (C) 2017 Crown Copyright (Government Digital Service)\n\n`);
' > "$GOVUK/LICENSE.txt"
cat "$HERE/mit-terms.txt" >> "$GOVUK/LICENSE.txt"

CHART="$VENDOR/chart.js-$CHARTJS_VERSION"
rm -rf "$CHART" && mkdir -p "$CHART"
cp node_modules/chart.js/dist/chart.umd.min.js "$CHART/chart.umd.min.js"
cp node_modules/chart.js/LICENSE.md "$CHART/LICENSE.txt"
echo "vendored govuk-frontend $GOVUK_VERSION and chart.js $CHARTJS_VERSION under $VENDOR"
