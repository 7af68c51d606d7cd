#!/usr/bin/env bash
# Opens vanthu. Without a real token driver (VANTHU_PKCS11_MODULE, or a
# vendor module installed), it creates a demo SoftHSM2 token with test
# certificates in the data directory and opens the app on it.
set -euo pipefail
bin=$1
data=$2
mkdir -p "$data"

real_module=""
if [ -n "${VANTHU_PKCS11_MODULE:-}" ]; then
	real_module=$VANTHU_PKCS11_MODULE
else
	# Vendor modules other than SoftHSM2 and OpenSC mean a real token driver.
	real_module=$("$bin" token modules --json 2>/dev/null |
		grep -o '"path": "[^"]*"' | cut -d'"' -f4 |
		grep -v -e softhsm -e opensc | head -n 1 || true)
fi

if [ -z "$real_module" ]; then
	demo="$data/demo-token"
	if [ ! -f "$demo/softhsm2.conf" ]; then
		echo "run: no token driver found; creating a demo token in $demo (PIN 123456)" >&2
		go run ./internal/cmd/demotoken -dir "$demo"
	fi
	export SOFTHSM2_CONF="$demo/softhsm2.conf"
	module=$(sed -n 's/^module = //p' "$demo/demo.txt")
	export VANTHU_PKCS11_MODULE="$module"
	echo "run: using the demo token (module $module, PIN 123456)" >&2
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
	echo "run: no display; set DISPLAY or run on a desktop session" >&2
	exit 1
fi
exec "$bin"
