#!/usr/bin/env bash
# Builds vanthu's release packages (make package):
#
#   OUT/vanthu-VERSION-linux-amd64.tar.xz    the fyne tool's Linux archive:
#       vanthu/usr/local/bin/vanthu, the .desktop entry, the icon, and a
#       Makefile ("make user-install" or "sudo make install")
#   OUT/vanthu-VERSION-windows-amd64.exe     cross-compiled with mingw-w64,
#       icon, version and manifest in its resources
#
# Usage: scripts/package.sh [OUT [linux] [windows]]   (OUT defaults to dist/)
#
# The version and build number come from FyneApp.toml alone; the Go side
# (vanthu version) gets them through -ldflags -X appinfo.Version. The build
# runs on a copy of the source: the fyne tool writes into the directory it
# builds (a metadata file, FyneApp.toml's build number) and the Windows
# resource object must not reach a Linux build.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/dist}
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
	targets=(linux windows)
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

toml() { # toml KEY: the value of KEY in FyneApp.toml's [Details]
	sed -n "/^\[Details\]/,/^\[/s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"\{0,1\}\([^\"]*\)\"\{0,1\}[[:space:]]*$/\1/p" "$root/FyneApp.toml"
}
version=$(toml Version)
build=$(toml Build)
app_id=$(toml ID)
if [[ ! $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ || ! $build =~ ^[0-9]+$ ]]; then
	echo "package: FyneApp.toml needs [Details] Version = \"X.Y.Z\" and Build = N (found \"$version\", \"$build\")" >&2
	exit 1
fi

# The kept tools, built from internal/tools/go.mod (cached by go).
fyne=$(go -C "$root/internal/tools" tool -n fyne)
versioninfo=$(go -C "$root/internal/tools" tool -n goversioninfo)

src=$(mktemp -d "${TMPDIR:-/tmp}/vanthu-package.XXXXXX")
trap 'rm -rf "$src"' EXIT
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$root" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar -c --null -T - -f -) | tar -x -C "$src"
else
	(cd "$root" && tar -c --exclude=./bin --exclude=./dist --exclude=./.git .) | tar -x -C "$src"
fi

export GOFLAGS="${GOFLAGS:+$GOFLAGS }-ldflags=-X=github.com/vanthu/vanthu/app/internal/appinfo.Version=$version"

package_linux() {
	local dest="$out/vanthu-$version-linux-amd64.tar.xz"
	echo "package: building $dest" >&2
	(cd "$src" && GOOS=linux GOARCH=amd64 "$fyne" package -os linux -release)
	# The fyne tool names the archive after the display name.
	local archive
	archive=$(find "$src" -maxdepth 1 -name '*.tar.xz' -print -quit)
	mv "$archive" "$dest"
}

package_windows() {
	local dest="$out/vanthu-$version-windows-amd64.exe"
	echo "package: building $dest" >&2
	local res="$src/.winres"
	mkdir -p "$res"
	# The icon in the sizes Explorer and the taskbar ask for.
	convert "$src/assets/icon.png" -define icon:auto-resize=256,64,48,32,16 "$res/vanthu.ico"
	cat >"$res/vanthu.exe.manifest" <<-EOF
		<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
		<assembly xmlns="urn:schemas-microsoft-com:asm.v1" manifestVersion="1.0" xmlns:asmv3="urn:schemas-microsoft-com:asm.v3">
		  <assemblyIdentity type="win32" name="$app_id" version="$version.$build" processorArchitecture="amd64"/>
		  <description>Văn thư — ký số và kiểm tra văn bản</description>
		  <compatibility xmlns="urn:schemas-microsoft-com:compatibility.v1">
		    <application>
		      <supportedOS Id="{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}"/>
		    </application>
		  </compatibility>
		  <asmv3:application>
		    <asmv3:windowsSettings xmlns="http://schemas.microsoft.com/SMI/2019/WindowsSettings">
		      <activeCodePage>UTF-8</activeCodePage>
		    </asmv3:windowsSettings>
		  </asmv3:application>
		</assembly>
	EOF
	local major minor patch
	IFS=. read -r major minor patch <<<"$version"
	cat >"$res/versioninfo.json" <<-EOF
		{
		  "FixedFileInfo": {
		    "FileVersion": {"Major": $major, "Minor": $minor, "Patch": $patch, "Build": $build},
		    "ProductVersion": {"Major": $major, "Minor": $minor, "Patch": $patch, "Build": $build},
		    "FileFlagsMask": "3f", "FileFlags": "00", "FileOS": "040004", "FileType": "01", "FileSubType": "00"
		  },
		  "StringFileInfo": {
		    "ProductName": "Văn thư",
		    "FileDescription": "Văn thư — ký số và kiểm tra văn bản",
		    "FileVersion": "$version.$build",
		    "ProductVersion": "$version.$build",
		    "InternalName": "vanthu",
		    "OriginalFilename": "vanthu.exe",
		    "Comments": "$app_id"
		  },
		  "VarFileInfo": {"Translation": {"LangID": "042A", "CharsetID": "04B0"}},
		  "IconPath": "$res/vanthu.ico",
		  "ManifestPath": "$res/vanthu.exe.manifest"
		}
	EOF
	# Linked into Windows/amd64 builds only, by its name.
	"$versioninfo" -64 -o "$src/rsrc_windows_amd64.syso" "$res/versioninfo.json"
	(cd "$src" && CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
		CGO_LDFLAGS="${CGO_LDFLAGS:+$CGO_LDFLAGS }-l:libssp.a" \
		"$fyne" build -os windows -release -o vanthu.exe)
	mv "$src/vanthu.exe" "$dest"
}

for t in "${targets[@]}"; do
	case $t in
	linux) package_linux ;;
	windows) package_windows ;;
	*)
		echo "package: unknown target $t (linux, windows)" >&2
		exit 2
		;;
	esac
done
