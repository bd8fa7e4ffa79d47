# shellcheck shell=bash
# Asking the operator for a credential, shared by the entry script (lib.sh, github-auth.sh) and the agent
# CLI's model-token helper (model-token.sh). A plain file of the run's ConfigMap, like lib.sh.

# Asks the operator (at url, what says who) for a credential with the projected ServiceAccount token in
# the file `credential` (mounted in this container only), into the private file `into`; else 1, with why
# in ASK_REFUSAL. The header comes from a file in PRIVATE_DIR, so the
# credential is in no argument of curl's; a refusal quotes the operator's message, never a credential;
# curl's own errors are appended to the file ASK_STDERR (not /dev/stderr: a socket, as the CLI runs its
# helper, cannot be opened by name). The operator answers 409 until the kubelet reports this container
# running, which its status shows about a second after the container starts: it is asked again soon
# (0.25 s, then 0.5 and 1), then every 2 s; 60 times in all (about two minutes). Called in conditions,
# where set -e does not act: each step that can fail says so itself.
ask_operator() {
  local what=$1 url=$2 credential=$3 into=$4 request="$PRIVATE_DIR/token-request"
  local answer="$PRIVATE_DIR/token-answer" status tries=0
  local -a pauses=(0.25 0.5 1)
  ASK_REFUSAL=''
  if [[ -z $url ]]; then
    ASK_REFUSAL="$what: no address to ask the operator at"
    return 1
  fi
  if [[ ! -r $credential ]]; then
    ASK_REFUSAL="$what: no readable credential at $credential to ask the operator for this phase's token with (the Job mounts a projected ServiceAccount token there)"
    return 1
  fi
  if ! (umask 077 && printf 'Authorization: Bearer %s\n' "$(<"$credential")" >"$request"); then
    ASK_REFUSAL="$what: could not write the request to $request"
    return 1
  fi
  while :; do
    # A try that failed after a 200 (a cut answer) leaves nothing of it for the next to quote.
    rm -f "$answer"
    status=$(umask 077 && curl -q -sS --max-time 30 -X POST -H @"$request" -o "$answer" -w '%{http_code}' "$url" 2>>"$ASK_STDERR") || status=000
    [[ $status == 200 ]] && break
    local again=0
    case $status in 409 | 429 | 503 | 000) again=1 ;; esac
    if ((!again || ++tries >= 60)); then
      rm -f "$request"
      local said=''
      if [[ $status != 000 ]]; then said=": $(head -c 500 "$answer" 2>/dev/null)"; fi
      ASK_REFUSAL="$what: the operator gave this phase no token ($url answered ${status/#000/nothing}, ${tries} retries)$said"
      rm -f "$answer"
      return 1
    fi
    # Only "not yet" is asked again soon; a busy operator (429, 503) or none (000) gets 2 s.
    if [[ $status == 409 ]]; then sleep "${pauses[tries - 1]:-2}"; else sleep 2; fi
  done
  rm -f "$request"
  if ! mv "$answer" "$into"; then
    ASK_REFUSAL="$what: could not keep the operator's answer in $into"
    return 1
  fi
}
