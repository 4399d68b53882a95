#!/usr/bin/env bash
# Install what the browser tests render with: Debian's Chromium and the two
# fonts the phone-layout tests measure tables in (DejaVu Sans, what Debian's
# Chromium falls back to, and Liberation Sans, the narrower Arial-metric font).
# Playwright drives /usr/bin/chromium (executable_path); it never downloads a
# browser of its own.
#
# Every run installs every package, whatever the machine already has: a
# machine that had Chromium but other fonts lays pages out differently from a
# fresh one, and a test suite must not depend on what happened to be there.
# apt-get leaves packages that are already current alone, so a second run is
# quick. Runs apt-get with sudo when not root.
set -euo pipefail
PACKAGES=(chromium fonts-dejavu-core fonts-liberation)

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: no apt-get here; install ${PACKAGES[*]} yourself" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
if command -v fc-cache >/dev/null 2>&1; then
    fc-cache >/dev/null 2>&1 || true
fi
/usr/bin/chromium --version 2>/dev/null
