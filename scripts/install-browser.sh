#!/usr/bin/env bash
# Install what the browser tests render with: Debian's Chromium and the two
# fonts the phone-layout tests measure tables in (DejaVu Sans, what Debian's
# Chromium falls back to, and Liberation Sans, the narrower Arial-metric font).
# Playwright drives /usr/bin/chromium (executable_path); it never downloads a
# browser of its own.
#
# Every run checks every package, not only Chromium: a machine that already
# had Chromium but other fonts lays pages out differently from a fresh one.
# Packages already installed are left alone (no apt-get update, no root
# needed); missing ones are installed with apt-get, with sudo when not root.
set -euo pipefail
FONTS=(fonts-dejavu-core fonts-liberation)

missing=()
# Chromium counts as there when /usr/bin/chromium runs, however it came (a CI
# image may ship it outside dpkg); the fonts are checked as packages.
if [ ! -x /usr/bin/chromium ]; then
    missing+=(chromium)
fi
for pkg in "${FONTS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "install-browser: no apt-get here; install ${missing[*]} yourself" >&2
        echo "install-browser: without Chromium the browser tests are skipped" >&2
        exit 0
    fi
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        SUDO="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    echo "install-browser: installed ${missing[*]}"
fi
if command -v fc-cache >/dev/null 2>&1; then
    fc-cache >/dev/null 2>&1 || true
fi
/usr/bin/chromium --version
