#!/usr/bin/env bash
# Opens vanthu with its data in the given folder. On a machine without a
# token driver the app offers, on its first start, to create the demo key
# store (a software store with demo certificates, PIN 123456; every demo
# signature is marked "KHÔNG CÓ GIÁ TRỊ PHÁP LÝ") and opens the bundled
# sample letter: press Enter to accept.
set -euo pipefail
bin=$1
data=$2
mkdir -p "$data"
export VANTHU_DATA_DIR="$data"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
	echo "run: no display; set DISPLAY or run on a desktop session" >&2
	exit 1
fi
exec "$bin"
