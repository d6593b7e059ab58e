#!/usr/bin/env bash
# Sign (hardened runtime), package, notarise and staple Playbook for macOS. Called by
# packaging/build.py (make dist) after PyInstaller; cannot run on the Linux build machine.
#
#   package.sh VERSION PYINSTALLER_DIST_DIR OUT_DIR
#
#   PLAYBOOK_CODESIGN_ID      "Developer ID Application: Example Corp (TEAMID)"
#   PLAYBOOK_INSTALLER_ID     "Developer ID Installer: Example Corp (TEAMID)"
#   PLAYBOOK_NOTARY_PROFILE   a notarytool keychain profile
#                             (xcrun notarytool store-credentials …)
#   PLAYBOOK_UNSIGNED=1       skip signing and notarisation (a build Gatekeeper refuses)
# Silent install (IT): sudo installer -pkg Playbook-VERSION.pkg -target /
set -euo pipefail
version="$1"; dist="$2"; out="$3"
here="$(cd "$(dirname "$0")" && pwd)"
app="$dist/Playbook.app"
[ -d "$app" ] || { echo "no $app: run PyInstaller first" >&2; exit 2; }
mkdir -p "$out"
pkg="$out/Playbook-$version.pkg"

if [ "${PLAYBOOK_UNSIGNED:-}" = "1" ]; then
    echo "warning: building an unsigned package (PLAYBOOK_UNSIGNED=1)" >&2
    pkgbuild --component "$app" --install-location /Applications \
        --identifier com.playbook.Playbook --version "$version" "$pkg"
    exit 0
fi
: "${PLAYBOOK_CODESIGN_ID:?set PLAYBOOK_CODESIGN_ID (Developer ID Application identity)}"
: "${PLAYBOOK_INSTALLER_ID:?set PLAYBOOK_INSTALLER_ID (Developer ID Installer identity)}"
: "${PLAYBOOK_NOTARY_PROFILE:?set PLAYBOOK_NOTARY_PROFILE (notarytool keychain profile)}"

sign() {
    codesign --force --timestamp --options runtime \
        --entitlements "$here/entitlements.plist" --sign "$PLAYBOOK_CODESIGN_ID" "$@"
}
# Inside out: every Mach-O file first, then the bundle itself.
while IFS= read -r -d '' f; do
    if file -b "$f" | grep -q "Mach-O"; then sign "$f"; fi
done < <(find "$app/Contents" -type f -print0)
sign "$app"
codesign --verify --deep --strict --verbose=2 "$app"

pkgbuild --component "$app" --install-location /Applications \
    --identifier com.playbook.Playbook --version "$version" \
    --sign "$PLAYBOOK_INSTALLER_ID" --timestamp "$pkg"
xcrun notarytool submit "$pkg" --keychain-profile "$PLAYBOOK_NOTARY_PROFILE" --wait
xcrun stapler staple "$pkg"
xcrun stapler validate "$pkg"
spctl --assess --type install --verbose "$pkg"
echo "Built, notarised and stapled $pkg"
