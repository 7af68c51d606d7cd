#!/usr/bin/env bash
# Installs what vanthu needs to build, run and test on Debian/Ubuntu.
# Idempotent and quick when everything is present: it asks dpkg first and
# runs apt-get only for what is missing.
set -euo pipefail

pkgs=(
	gcc pkg-config                                # cgo (PKCS#11, GLFW)
	libgl1-mesa-dev xorg-dev libxkbcommon-dev     # Fyne's GLFW driver
	softhsm2 opensc                               # a real PKCS#11 token for tests and the demo
	poppler-utils qpdf                            # independent PDF validators (pdfsig, qpdf --check)
	fonts-liberation2                             # Times New Roman metrics with Vietnamese glyphs
	libreoffice-writer-nogui                      # second producer of the Nghị định 30 test documents (signing/roles)
	xvfb xauth imagemagick                        # the GUI test: a real window under Xvfb, screenshot
	x11-utils                                     # xev: the start-to-first-window benchmark
	gcc-mingw-w64-x86-64 wine64 xz-utils          # make package: the Windows .exe, run under Wine in tests
	postgresql                                    # the hub's PostgreSQL store, started by internal/pgtest
	xmlsec1                                       # independent XML-DSig verifier of edXML signatures (exchange/edxml)
)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

if ((${#missing[@]} == 0)); then
	exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
