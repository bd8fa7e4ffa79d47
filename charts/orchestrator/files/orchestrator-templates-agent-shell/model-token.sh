#!/usr/bin/env bash
# The agent CLI's way to its attempt's model token when it asks for it itself (claude: its settings'
# apiKeyHelper, shared/settings.json.hbs): run by the CLI as it starts, beside its MCP servers, so that
# the wait for the kubelet to report the container running (the gateway's 409) overlaps the CLI's start
# (decision 0094). The token goes to stdout, to the CLI alone. Each run asks: the CLI runs this again to
# refresh and after a 401, and an operator that was away may answer then (one that refuses answers at
# once). The last refusal is left in ORCHESTRATOR_MODEL_TOKEN_REFUSAL for the entry script (the agent's
# last words, lib.sh), and an answer removes it.
set -euo pipefail
refusal=${ORCHESTRATOR_MODEL_TOKEN_REFUSAL:?the entry script sets where a refusal goes}
# shellcheck source=SCRIPTDIR/ask-operator.sh
source "${BASH_SOURCE[0]%/*}/agent-shell_ask-operator.sh"
PRIVATE_DIR=$(umask 077 && mktemp -d "${TMPDIR:-/tmp}/orchestrator-model-token-XXXXXX")
trap 'rm -rf "$PRIVATE_DIR"' EXIT
ASK_STDERR="$PRIVATE_DIR/curl.stderr"
if ask_operator "the model gateway" "${ORCHESTRATOR_MODEL_TOKEN_URL:-}" "${ORCHESTRATOR_MODEL_TOKEN_CREDENTIAL_FILE:-}" "$PRIVATE_DIR/token"; then
  rm -f "$refusal"
  cat "$PRIVATE_DIR/token"
  exit 0
fi
cat "$ASK_STDERR" >&2 2>/dev/null || true
printf '%s\n' "$ASK_REFUSAL" >&2
(umask 077 && printf '%s\n' "$ASK_REFUSAL" >"$refusal") || true
exit 1
