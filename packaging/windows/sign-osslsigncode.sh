#!/usr/bin/env bash
# Sign a Windows installer from Linux or macOS with osslsigncode (instead of signtool).
#   PLAYBOOK_SIGN_PFX=cert.pfx PLAYBOOK_SIGN_PFX_PASSWORD=… sign-osslsigncode.sh Playbook-1.2.3-setup.exe
set -euo pipefail
in="$1"
: "${PLAYBOOK_SIGN_PFX:?set PLAYBOOK_SIGN_PFX to the code-signing .pfx file}"
: "${PLAYBOOK_SIGN_PFX_PASSWORD:?set PLAYBOOK_SIGN_PFX_PASSWORD}"
ts="${PLAYBOOK_TIMESTAMP_URL:-http://timestamp.digicert.com}"
command -v osslsigncode >/dev/null || { echo "osslsigncode is needed (Debian: apt-get install osslsigncode)" >&2; exit 2; }
osslsigncode sign -pkcs12 "$PLAYBOOK_SIGN_PFX" -pass "$PLAYBOOK_SIGN_PFX_PASSWORD" \
    -n "Playbook" -h sha256 -ts "$ts" -in "$in" -out "$in.signed"
osslsigncode verify -in "$in.signed" >/dev/null
mv "$in.signed" "$in"
echo "Signed $in"
