#!/usr/bin/env bash
# Sets up a fresh Debian machine for hcp: the Debian packages the tests and the demo use, and the
# npm dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

debs=(
  chromium                                   # the kiosk renderer under test (playwright-core drives it)
  fonts-noto-cjk fonts-noto-core fonts-tibetan-machine   # Chinese and Tibetan glyphs for the kiosk
  mosquitto                                  # the second real broker of the sync tests
  gcc libc6-dev                              # build the virtual panel, and a failing disk for one test (test/support/failing-fdatasync.c)
  gcc-avr avr-libc arduino-core-avr          # build the panel firmware
  simavr libsimavr-dev libsimavrparts1 libelf-dev pkg-config   # run it: the virtual panel
  socat xvfb openssl                         # pty pairs for serial tests; a real X display; test certificates
  poppler-utils                              # the reports tests read the PDF exports back (pdftotext, pdffonts, pdftoppm)
  postgresql                                 # the gateway's suites again on PostgreSQL (npm run test:pg)
  strace                                     # shows which thread flushes the gateway's SQLite WAL (test/gateway/wal-flush.test.ts)
  libjemalloc2                               # the gateway unit's malloc (deploy/systemd/hcp-gateway.service): tests and benches run it so
)
missing=()
for p in "${debs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Mosquitto's packaged service is not used: tests start their own on a loopback port.
command -v systemctl >/dev/null 2>&1 && systemctl disable --now mosquitto >/dev/null 2>&1 || true
# Nor PostgreSQL's: the tests make a throw-away cluster of their own (test/support/pg-cluster.ts).
command -v systemctl >/dev/null 2>&1 && systemctl disable --now postgresql >/dev/null 2>&1 || true

# Electron's binary cannot be downloaded on these machines; the kiosk shell is type-checked and its
# renderer tested in Debian's Chromium (README, "The kiosk").
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if [ -f hardware/Makefile ]; then make -s -C hardware; fi
# The kiosk UI the device runtime serves at its local API's root, and the console the gateway serves at its own.
npm run -s build:kiosk
npm run -s build:console
