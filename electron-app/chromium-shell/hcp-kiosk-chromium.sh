#!/bin/bash
# The kiosk on Chromium instead of Electron (no hall-IT PIN exit: leave through the OS session).
# Runs Chromium full screen under cage (a one-window Wayland compositor) on the device runtime's
# local API. Refuses to start unless hcp's managed policy is installed: without it F12 opens
# DevTools, which show the local API token in the page URL.
#
#   hcp-kiosk-chromium.sh [--token-file FILE] [--local-api http://127.0.0.1:PORT] [--no-cage]
set -euo pipefail

HERE=$(dirname "$(readlink -f "$0")")
TOKEN_FILE=${HCP_TOKEN_FILE:-/var/lib/hcp/local-api.token}
LOCAL_API=${HCP_LOCAL_API:-http://127.0.0.1:8765}
POLICY=${HCP_CHROMIUM_POLICY:-/etc/chromium/policies/managed/hcp-kiosk.json}
CHROMIUM=${CHROMIUM:-chromium}
PROFILE=${HCP_CHROMIUM_PROFILE:-${XDG_STATE_HOME:-$HOME/.local/state}/hcp-kiosk-chromium}
USE_CAGE=1

while [ $# -gt 0 ]; do
  case "$1" in
    --token-file) TOKEN_FILE=$2; shift 2 ;;
    --local-api) LOCAL_API=$2; shift 2 ;;
    --no-cage) USE_CAGE=0; shift ;;
    *) echo "hcp-kiosk-chromium: unknown argument $1" >&2; exit 2 ;;
  esac
done

if ! grep -q "\"$LOCAL_API\"" "$POLICY" 2>/dev/null; then
  echo "hcp-kiosk-chromium: the managed policy $POLICY is missing or does not allow $LOCAL_API." >&2
  echo "  install it: sed 's#http://127.0.0.1:8765#$LOCAL_API#' $HERE/policies/hcp-kiosk.json | sudo tee $POLICY" >&2
  exit 4
fi

# The device runtime writes a new token at every boot; wait for it (up to 2 min) rather than fail.
for _ in $(seq 120); do [ -s "$TOKEN_FILE" ] && break; sleep 1; done
if [ ! -r "$TOKEN_FILE" ]; then
  echo "hcp-kiosk-chromium: cannot read the token file $TOKEN_FILE (is the device runtime running?)" >&2
  exit 3
fi
TOKEN=$(tr -d '[:space:]' < "$TOKEN_FILE")

mapfile -t FLAGS < <(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$HERE/chromium-flags.conf")
mkdir -p "$PROFILE"
# Note: the token is on Chromium's command line; mount /proc with hidepid=2 so other local users cannot read it.
CMD=("$CHROMIUM" "${FLAGS[@]}" "--user-data-dir=$PROFILE" "--app=$LOCAL_API/#token=$TOKEN")
if [ "$USE_CAGE" = 1 ]; then exec cage -- "${CMD[@]}"; else exec "${CMD[@]}"; fi
