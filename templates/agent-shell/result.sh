# shellcheck shell=bash
# The result document (templates/agent-shell/result.sh, docs/result-protocol.md): when the agent container
# ends, one JSON document in its termination message file, which the controller copies into the run's
# status. Shell (the agent image need not have jq), so it also works when everything else has failed;
# only the agent's usage, read from the CLI's JSON stream, needs node (usage.mjs, which the CLI runs on
# anyway). A plain file sourced by the entry script beside lib.sh.

# The protocol's marker and limits come from the prelude (src/api/result-protocol.ts): RESULT_PROTOCOL,
# RESULT_MAX_BYTES (Kubernetes keeps at most that much of a termination message; a longer one is cut,
# and no longer JSON), SUMMARY_MAX_BYTES, PULL_REQUEST_URL_MAX_BYTES, SESSION_ID_MAX_BYTES.
# What the attempt did, recorded as it happens: the agent's exit status (empty: it never ran), the
# work branch's commit before the agent, the CLI's last words when it failed, and why the script gave
# up (die).
AGENT_STATUS=''
AGENT_LAST_WORDS=''
# What the agent CLI reported it spent (the result document's usage, one JSON object) and the limit
# that stopped it (TurnLimitReached, BudgetExceeded), from its final result event: record_usage.
USAGE_JSON=''
STOP_REASON=''
START_COMMIT=''
FAILURE=''
# The setup script's exit status (run_setup_script; empty: none ran).
SETUP_STATUS=''

# $1 as a JSON string: backslash, quote and control characters escaped; other bytes as they are (UTF-8).
json_string() {
  local s=$1 bs=\\ q=\" i c
  s=${s//"$bs"/"$bs$bs"}
  s=${s//"$q"/"$bs$q"}
  for ((i = 1; i < 32; i++)); do
    printf -v c '%b' "\\x$(printf '%02x' "$i")"
    if [[ $s == *"$c"* ]]; then s=${s//"$c"/"$(printf '\\u%04x' "$i")"}; fi
  done
  printf '"%s"' "$s"
}

# Reads the agent's usage and stop reason (USAGE_JSON, STOP_REASON) from what the CLI reported at its
# end: its cli_usage (agent-shell/cli-{name}.sh) says them as two lines (the limit that ended the
# agent, if any; the usage in the result document's shape).
record_usage() {
  local out
  out=$(cli_usage 2>/dev/null) || return 0
  [[ -n $out ]] || return 0
  STOP_REASON=${out%%$'\n'*}
  USAGE_JSON=${out#*$'\n'}
  case $STOP_REASON in
    TurnLimitReached) log "the agent reached its turn limit (--max-turns $MAX_TURNS)" ;;
    BudgetExceeded) log "the agent reached its spend limit (--max-budget-usd $MAX_BUDGET_USD)" ;;
  esac
}

# The first $2 bytes of $1, dropping a UTF-8 sequence the cut would split (the message must stay UTF-8).
utf8_prefix() {
  local LC_ALL=C
  local s=${1:0:$2} i b need
  for ((i = ${#s} - 1; i >= 0 && i >= ${#s} - 4; i--)); do
    printf -v b '%d' "'${s:i:1}"
    ((b >= 0x80)) || break
    ((b >= 0xc0)) || continue
    need=2
    if ((b >= 0xf0)); then need=4; elif ((b >= 0xe0)); then need=3; fi
    if ((${#s} - i < need)); then s=${s:0:i}; fi
    break
  done
  printf '%s' "$s"
}

byte_length() {
  local LC_ALL=C
  printf '%s' "${#1}"
}

# One line: control characters (newlines, tabs, escapes) become spaces.
one_line() { printf '%s' "${1//[[:cntrl:]]/ }"; }

# The work branch's commit: the one the publisher took from the checkout, else the checkout's (a phase
# before the publisher), or nothing without a checkout.
result_commit() {
  if [[ -n ${WORK_COMMIT:-} ]]; then
    printf '%s' "$WORK_COMMIT"
    return 0
  fi
  [[ -n $REPO_DIR && -d $REPO_DIR/.git ]] || return 0
  local sha
  sha=$(git -C "$REPO_DIR" rev-parse --verify --quiet "refs/heads/$WORK_BRANCH^{commit}" 2>/dev/null) || return 0
  if [[ $sha =~ ^[0-9a-f]{7,64}$ ]]; then printf '%s' "$sha"; fi
}

# The pull request the publisher found or opened (publish.sh), if it is an https URL.
result_pull_request() {
  local url=${PULL_REQUEST_URL:-}
  if [[ $url =~ ^https://[^[:space:][:cntrl:]]+$ && $(byte_length "$url") -le $PULL_REQUEST_URL_MAX_BYTES ]]; then printf '%s' "$url"; fi
}

# The setup script's report (status.setup): the attempt, the script, its exit status and the last
# SETUP_OUTPUT_MAX_BYTES of its output (the whole is setup.log in the run directory), redacted, control
# characters but newlines and tabs dropped, no UTF-8 sequence cut.
result_setup() {
  [[ -n $SETUP_STATUS ]] || return 0
  local output=''
  if [[ -f $RUN_DIR/setup.log && ! -L $RUN_DIR/setup.log ]]; then
    output=$(tail -c "$((2 * SETUP_OUTPUT_MAX_BYTES))" "$RUN_DIR/setup.log" | LC_ALL=C tr -d '\000-\010\013-\037\177')
    output=$(redact "$output" | tail -c "$SETUP_OUTPUT_MAX_BYTES" | LC_ALL=C sed '1s/^[\x80-\xbf]*//')
  fi
  printf '{"attempt":%s,"script":%s,"exitCode":%s,"output":%s}' "$ATTEMPT" "$(json_string "$SETUP_SCRIPT")" \
    "$SETUP_STATUS" "$(json_string "$output")"
}

result_session() {
  local id=''
  if [[ -f $RUN_DIR/session-id ]]; then id=$(head -n 1 "$RUN_DIR/session-id"); fi
  if [[ -n $id && $id != *[[:cntrl:]]* && $(byte_length "$id") -le $SESSION_ID_MAX_BYTES ]]; then printf '%s' "$id"; fi
}

# Credentials cut from what the result says: the run's own tokens by value, and the shapes of others
# (a password in a URL, GitHub tokens), as src/util/redact.ts cuts them again on the operator's side.
redact() {
  local s=$1 secret re out
  for secret in "${GITHUB_TOKEN:-}" "${GH_TOKEN:-}"; do
    if ((${#secret} >= 8)); then s=${s//"$secret"/[REDACTED]}; fi
  done
  for re in '([a-zA-Z][a-zA-Z0-9+.-]*://[^][:space:]/:@]+:)[^][:space:]/@]+@' '(gh[pousr]_|github_pat_)[A-Za-z0-9_]{16,}'; do
    out=''
    while [[ $s =~ $re ]]; do
      out+="${s%%"${BASH_REMATCH[0]}"*}${BASH_REMATCH[1]}[REDACTED]"
      if [[ ${BASH_REMATCH[0]} == *@ ]]; then out+=@; fi
      s=${s#*"${BASH_REMATCH[0]}"}
    done
    s=$out$s
  done
  printf '%s' "$s"
}

# Why the step failed, in its own words: the last 3 distinct lines of its stderr (a command tried
# again said the same each time; git's advice lines, the "fatal: " prefix and the URL the step already
# names dropped), one line of at most 512 bytes.
step_cause() {
  [[ -s $STEP_STDERR ]] || return 0
  local -a lines picked=()
  local -A seen=()
  local line i cause=''
  mapfile -t lines < <(grep -v -e '^[[:space:]]*$' -e '^Please make sure you have the correct access rights$' \
    -e '^and the repository exists\.$' "$STEP_STDERR")
  for ((i = ${#lines[@]} - 1; i >= 0 && ${#picked[@]} < 3; i--)); do
    line=${lines[i]#fatal: }
    line=${line#"unable to access '"*"': "}
    [[ -z ${seen[$line]:-} ]] || continue
    seen[$line]=1
    picked=("$line" "${picked[@]}")
  done
  for line in "${picked[@]}"; do cause+=${cause:+; }$line; done
  utf8_prefix "$(one_line "$cause")" 512
}

# What failed before the agent: why the script gave up (die), else the step that failed and its cause.
step_failure() {
  local status=$1 cause
  if [[ -n $FAILURE ]]; then
    printf '%s' "$FAILURE"
  elif [[ -n $STEP ]]; then
    cause=$(step_cause)
    printf '%s: %s' "$STEP" "${cause:-exited with status $status}"
  else
    printf 'the entry script exited with status %s' "$status"
  fi
}

# The one-line summary: the first of these that applies.
result_summary() {
  local status=$1 pr=$2 commit=$3
  if [[ -z $AGENT_STATUS ]]; then
    printf 'failed before the agent ran: %s' "$(step_failure "$status")"
  elif [[ -n $STOP_REASON ]]; then
    if [[ $STOP_REASON == TurnLimitReached ]]; then
      printf 'the agent reached its turn limit (%s turns)' "$MAX_TURNS"
    else
      printf 'the agent reached its spend limit ($%s)' "$MAX_BUDGET_USD"
    fi
    if [[ -n $pr ]]; then printf '; its work so far is on %s' "$pr"; fi
  elif ((AGENT_STATUS != 0)); then
    printf 'the agent exited with status %s' "$AGENT_STATUS"
    if [[ -n $AGENT_LAST_WORDS ]]; then printf ': %s' "$AGENT_LAST_WORDS"; fi
    if [[ -n $pr ]]; then printf '; its work so far is on %s' "$pr"; fi
  elif [[ -n ${PUBLISH_REFUSED:-} ]]; then
    printf 'not pushed: %s' "$PUBLISH_REFUSED"
  elif [[ -n ${PUBLISH_FAILED:-} ]]; then
    printf 'not pushed: %s' "$PUBLISH_FAILED"
  elif [[ -n $pr ]]; then
    printf 'pull request %s' "$pr"
  elif [[ -z $REPO_DIR ]]; then
    printf 'the agent finished (no repository)'
  elif [[ -n $commit && $commit == "$START_COMMIT" ]]; then
    printf 'no changes: the agent finished without a commit on %s' "$WORK_BRANCH"
  else
    printf 'no pull request: the agent finished; the work is on %s%s' "$WORK_BRANCH" "${commit:+ at ${commit:0:12}}"
  fi
}

# The document, from what the attempt recorded. Work is complete when the agent exited 0 and its work
# is on a pull request (or the run has no repository): the agent's success alone says nothing of it.
result_document() {
  local status=$1 pr commit session summary completed=false doc
  pr=$(result_pull_request)
  commit=$(result_commit)
  session=$(result_session)
  if [[ $AGENT_STATUS == 0 && -z $STOP_REASON && (-n $pr || -z $REPO_DIR) ]]; then completed=true; fi
  doc="{\"protocol\":$(json_string "$RESULT_PROTOCOL")"
  doc+=",\"workCompleted\":$completed"
  if [[ -n $pr ]]; then doc+=",\"pullRequestUrl\":$(json_string "$pr")"; fi
  if [[ -n $commit ]]; then doc+=",\"commit\":\"$commit\""; fi
  if [[ -n $session ]]; then doc+=",\"sessionId\":$(json_string "$session")"; fi
  if [[ -n $STOP_REASON ]]; then doc+=",\"stopReason\":\"$STOP_REASON\""; fi
  if [[ -n $SETUP_STATUS ]]; then doc+=",\"setup\":$(result_setup)"; fi
  # Built by node's JSON.stringify from numbers and short model ids (record_usage): at most ~1 KB.
  if [[ $USAGE_JSON == '{'*'}' ]]; then doc+=",\"usage\":$USAGE_JSON"; fi
  # Built by outputs.mjs's JSON.stringify: at most 9 entries of short reasons (safe outputs).
  if [[ ${OUTPUTS_JSON:-} == '['*']' ]]; then doc+=",\"outputs\":$OUTPUTS_JSON"; fi
  summary=$(redact "$(one_line "$(result_summary "$status" "$pr" "$commit")")")
  # Escaping can lengthen the summary: cut it until the whole document fits.
  local budget=$SUMMARY_MAX_BYTES escaped
  while ((budget > 0)); do
    escaped=$(json_string "$(utf8_prefix "$summary" "$budget")")
    if (($(byte_length "$doc,\"summary\":$escaped}") <= RESULT_MAX_BYTES)); then
      doc+=",\"summary\":$escaped"
      break
    fi
    budget=$((budget - 64))
  done
  printf '%s}' "$doc"
}

# The EXIT trap of the agent container: writes the document, never changes the exit status.
write_result() {
  local status=$1 file=${ORCHESTRATOR_RESULT_FILE:-/dev/termination-log} doc
  # A failed step's stderr was kept for the summary: the log gets it too.
  if [[ -n $STEP && -f $STEP_STDERR ]]; then cat "$STEP_STDERR" >&2; fi
  doc=$(result_document "$status") || return 0
  if ! printf '%s' "$doc" 2>/dev/null >"$file"; then
    log "cannot write the result to $file"
    return 0
  fi
  log "result: $doc"
}
