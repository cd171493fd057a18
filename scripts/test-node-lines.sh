#!/usr/bin/env bash
# Runs a bounded part of the test suite under the Node LTS lines other than the machine's own (22 and 24 by
# default), so that `engines` can promise them. Debian ships one Node; the others come from the npm registry
# (the `node-linux-<arch>` packages hold the binary and the C headers), which is the only network CI has.
#
# Works in a throw-away copy of this checkout (the working tree, with node_modules and the built kiosk, console
# and firmware copied in), because better-sqlite3 is the one native module tied to a Node ABI and must be rebuilt
# for each line; the checkout's own node_modules stay built for the machine's Node. The copy is removed at exit.
#
# Usage: scripts/test-node-lines.sh [vitest filters...]   (after scripts/setup.sh)
#   NODE_LINES="22 24"   the majors to test
#   NODE_LINES_TIMEOUT   seconds allowed for each line's vitest run (default 900)
#   NODE_LINES_KEEP=1    keep the copy for a look afterwards
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
lines="${NODE_LINES:-22 24}"
run_timeout="${NODE_LINES_TIMEOUT:-900}"

# What runs on each line: the device runtime and its hardware units, sync against the in-process gateway, the
# uplink outbox, the channels, receipts, and the simulated panel (johnny-five and serialport over a pty). The
# 200-kill drill (test/device/kill9) is left out: it alone takes 4 to 5 minutes and adds no Node-specific path.
if [ $# -gt 0 ]; then
  subset=("$@")
else
  subset=(device test/sync/attacks.test.ts test/sync/config-flow.test.ts test/gateway/cases-and-defaults.test.ts
    test/uplink/outbox.test.ts test/channels test/receipt/receipt-golden.test.ts
    test/receipt/receipt-transports.test.ts test/hardware/panel-hil.test.ts)
fi

[ -d "$root/node_modules" ] || { echo "node_modules is missing: run scripts/setup.sh first" >&2; exit 2; }
arch="$(node -p process.arch)"
work="$(mktemp -d "${TMPDIR:-/tmp}/hcp-node-lines.XXXXXX")"
cleanup() { if [ "${NODE_LINES_KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT

t0=$SECONDS
step() { printf '[node-lines %4ds] %s\n' "$((SECONDS - t0))" "$*"; }

step "copying the working tree to $work/hcp"
mkdir -p "$work/hcp"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp -a --parents -t "$work/hcp" 2>/dev/null) || true
# Files deleted in the working tree but still in the index make cp complain; anything else missing shows below.
cp -a "$root/node_modules" "$work/hcp/node_modules"
for built in electron-app/dist gateway/console/dist hardware/build; do
  if [ -d "$root/$built" ]; then
    mkdir -p "$work/hcp/$(dirname "$built")"
    cp -a "$root/$built" "$work/hcp/$built"
  fi
done
[ -f "$work/hcp/package.json" ] || { echo "the copy has no package.json" >&2; exit 2; }

failed=()
summary=()
for line in $lines; do
  ls=$SECONDS
  step "Node $line: fetching node-linux-$arch@$line from the npm registry"
  prefix="$work/node-$line"
  if ! npm install --prefix "$prefix" --no-save --no-audit --no-fund --ignore-scripts --loglevel=error \
    "node-linux-$arch@$line" >"$work/fetch-$line.log" 2>&1; then
    cat "$work/fetch-$line.log" >&2
    failed+=("$line (fetch)"); summary+=("Node $line: could not fetch"); continue
  fi
  nodedir="$prefix/node_modules/node-linux-$arch"
  nodebin="$nodedir/bin"
  version="$("$nodebin/node" -v)"
  case "$version" in v"$line".*) ;; *) echo "asked for Node $line, got $version" >&2; failed+=("$line (version)"); continue ;; esac

  step "Node $line ($version): rebuilding better-sqlite3 against its headers"
  # prebuild-install would try GitHub for a binary; build from source at once (node-gyp, gcc, make, python3).
  if ! (cd "$work/hcp" && PATH="$nodebin:$PATH" npm_config_build_from_source=true \
    npm rebuild better-sqlite3 --nodedir="$nodedir" >"$work/rebuild-$line.log" 2>&1); then
    tail -40 "$work/rebuild-$line.log" >&2
    failed+=("$line (rebuild)"); summary+=("Node $line: better-sqlite3 did not build"); continue
  fi
  if ! abi="$(cd "$work/hcp" && PATH="$nodebin:$PATH" node -e \
    "const D=require('better-sqlite3'); new D(':memory:').prepare('select 1').get(); require('usb'); require('sharp'); require('@serialport/bindings-cpp'); process.stdout.write(process.versions.modules)")"; then
    failed+=("$line (native modules)"); summary+=("Node $line: a native module does not load"); continue
  fi
  step "Node $line: native modules load (ABI $abi); running vitest on: ${subset[*]}"

  rs=$SECONDS
  # The excluded drill is matched by the `device` filter; --exclude drops it whatever the filters are.
  if (cd "$work/hcp" && PATH="$nodebin:$PATH" timeout "$run_timeout" \
    npx vitest run --exclude test/device/kill9.test.ts "${subset[@]}"); then
    summary+=("Node $version: passed (rebuild+fetch $((rs - ls))s, tests $((SECONDS - rs))s)")
  else
    rc=$?
    [ "$rc" = 124 ] && why="timed out after ${run_timeout}s" || why="failed (exit $rc)"
    failed+=("$line"); summary+=("Node $version: $why (tests $((SECONDS - rs))s)")
  fi
done

step "done"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED on: ${failed[*]}" >&2
  exit 1
fi
