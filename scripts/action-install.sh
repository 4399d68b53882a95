#!/usr/bin/env bash
# The install step of action.yml, kept here (not inline in YAML) so that the tests
# run it exactly as the action does. Inputs arrive as environment variables:
#   VERSION   a readlist version to install from the package index ("" = SOURCE)
#   SOURCE    the action's own checkout (github.action_path)
set -euo pipefail
if [ -n "${VERSION:-}" ]; then
  python -m pip install "readlist==${VERSION}"
else
  python -m pip install "${SOURCE:?}"
fi
readlist --version
