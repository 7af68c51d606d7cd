#!/usr/bin/env bash
# Refreshes the README's screenshots (app/gui/screenshots) from a run of
# the Xvfb walkthrough of the real binary (app/gui TestRealBinaryWalkthrough):
# the screens as a new user sees them on a fresh machine with the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
shots=$(mktemp -d)
trap 'rm -rf "$shots"' EXIT
VANTHU_SCREENSHOT_DIR="$shots" scripts/with-display.sh \
	go test -count=1 -run '^TestRealBinaryWalkthrough$' ./app/gui/
dest=app/gui/screenshots
while read -r from to; do
	install -m 0644 "$shots/$from" "$dest/$to"
	echo "$dest/$to"
done <<'LIST'
02-sign.png ky-so.png
05-verify.png kiem-tra.png
07-gui-van-ban.png gui-van-ban.png
08-van-ban-den.png van-ban-den.png
09-da-gui.png da-gui.png
10-so-van-ban.png so-van-ban.png
11-bao-cao.png bao-cao.png
LIST
