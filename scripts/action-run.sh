#!/usr/bin/env bash
# The command step of action.yml, kept here (not inline in YAML) so that the tests
# run it exactly as the action does. Inputs arrive as environment variables:
#   COMMAND   validate | check-links | link-issue
#   READINGS  the project root or its readings/ folder (validate, check-links)
#   ARGS      extra arguments, split on whitespace, never globbed
#   FAIL      "true": exit 1 (problems found) fails the step; "false": only exit 2+ does
#   GH_TOKEN  for link-issue only (it is unset for the other commands)
set -uo pipefail
set -f  # ARGS is split on whitespace but never globbed
read -r -a extra <<< "${ARGS:-}"
readings="${READINGS:-readings}"

case "${COMMAND:-}" in
  validate)
    unset GH_TOKEN
    readlist validate "$readings" --format github "${extra[@]}"
    ;;
  check-links)
    unset GH_TOKEN
    readlist check-links "$readings" --format github "${extra[@]}"
    ;;
  link-issue)
    readlist ci link-issue "${extra[@]}"
    ;;
  *)
    echo "::error title=readlist action::unknown command '${COMMAND:-}' (use validate, check-links or link-issue)"
    exit 2
    ;;
esac
status=$?
if [ "$status" -eq 1 ] && [ "${FAIL:-true}" = "false" ]; then
  echo "readlist ${COMMAND} found problems (exit 1); going on because fail-on-problems is false"
  exit 0
fi
exit "$status"
