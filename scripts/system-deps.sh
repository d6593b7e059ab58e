#!/usr/bin/env bash
# Makes sure the system libraries that Qt (PySide6 wheels) and WeasyPrint load at run time,
# and the tools the packaging tests use, are present. On Debian/Ubuntu as root it installs what is missing; elsewhere it stops and
# names the packages to install. The Python packages come from requirements.lock.
set -euo pipefail

case "$(uname -s)" in
  Linux) ;;
  *) exit 0 ;;  # macOS and Windows wheels bundle what Qt needs.
esac

# soname -> Debian package
libs=(
  "libEGL.so.1:libegl1"
  "libGL.so.1:libgl1"
  "libfontconfig.so.1:libfontconfig1"
  "libfreetype.so.6:libfreetype6"
  "libxkbcommon.so.0:libxkbcommon0"
  "libxkbcommon-x11.so.0:libxkbcommon-x11-0"
  "libdbus-1.so.3:libdbus-1-3"
  "libglib-2.0.so.0:libglib2.0-0"
  "libX11-xcb.so.1:libx11-xcb1"
  "libxcb-cursor.so.0:libxcb-cursor0"
  "libxcb-icccm.so.4:libxcb-icccm4"
  "libxcb-image.so.0:libxcb-image0"
  "libxcb-keysyms.so.1:libxcb-keysyms1"
  "libxcb-randr.so.0:libxcb-randr0"
  "libxcb-render-util.so.0:libxcb-render-util0"
  "libxcb-shape.so.0:libxcb-shape0"
  "libxcb-xkb.so.1:libxcb-xkb1"
  "libwayland-client.so.0:libwayland-client0"
  "libwayland-cursor.so.0:libwayland-cursor0"
  # WeasyPrint (PDF export)
  "libpango-1.0.so.0:libpango-1.0-0"
  "libpangoft2-1.0.so.0:libpangoft2-1.0-0"
  "libharfbuzz.so.0:libharfbuzz0b"
  "libharfbuzz-subset.so.0:libharfbuzz-subset0"
)

ldconfig_bin=$(command -v ldconfig || echo /sbin/ldconfig)
libcache=$("$ldconfig_bin" -p 2>/dev/null || true)
have_lib() { grep -q -E "^[[:space:]]+${1//./\\.} " <<<"$libcache"; }

missing=()
for pair in "${libs[@]}"; do
  soname=${pair%%:*}
  pkg=${pair#*:}
  have_lib "$soname" || missing+=("$pkg")
done
# Tools the release tests and `make dist` run: gpg/gpgv sign and verify, dpkg-deb builds
# the .deb, PyInstaller reads binaries' dependencies with objdump.
tools=(
  "gpg:gnupg"
  "gpgv:gpgv"
  "dpkg-deb:dpkg"
  "objdump:binutils"
)
for pair in "${tools[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
# Qt needs at least one font to draw text, even offscreen.
if ! fc-list 2>/dev/null | grep -q .; then missing+=("fonts-dejavu-core" "fontconfig"); fi

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages Playbook needs: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
  exit 0
fi

echo "Playbook needs these system packages, which are missing: ${missing[*]}" >&2
if command -v apt-get >/dev/null 2>&1; then
  echo "Install them with:  sudo apt-get install ${missing[*]}" >&2
else
  echo "Install the equivalents with your distribution's package manager (Qt 6 runtime libraries, Pango, HarfBuzz, fontconfig and a font; GnuPG, binutils)." >&2
fi
exit 1
