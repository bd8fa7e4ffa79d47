# shellcheck shell=bash
# OpenAI's Codex CLI on the agent CLI contract (docs/agents.md "codex"; src/agent-cli/codex.ts): the
# cli_* functions, sourced by the entry script before lib.sh when the profile's cli is codex. Its
# config.toml is written into the private CODEX_HOME: the model provider is the gateway's OpenAI route
# with the attempt's token (env_key), the checkout's AGENTS.md is not read (project_doc_max_bytes 0), and
# the rendered system prompt is its developer_instructions (0.171 ignores experimental_instructions_file,
# and model_instructions_file did not reach the request: both tried against the stand-in).
# Its web_search tool is off: the gateway refuses a tool the provider runs itself (decision 0067).

readonly CLI_COMMAND=codex

cli_private_dirs() {
  export CODEX_HOME="$PRIVATE_DIR/codex"
  mkdir -p "$CODEX_HOME"
}

# The repository's instructions and the memory file as the CLI's global instructions
# ($CODEX_HOME/AGENTS.md, one file: it reads no other), as they are when the agent starts.
cli_load_memory() {
  local -a files
  mapfile -d '' files < <(agent_instructions)
  cat -- "${files[@]}" >"$CODEX_HOME/AGENTS.md"
}

# The lineage's session files (regular *.jsonl only, never a link) into CODEX_HOME/sessions.
cli_restore_sessions() {
  local from="$SESSION_STORE/codex-sessions" file rel
  [[ -d $from && ! -L $from ]] || return 0
  while IFS= read -r -d '' file; do
    rel=${file#"$from"/}
    mkdir -p "$CODEX_HOME/sessions/$(dirname "$rel")"
    cp "$file" "$CODEX_HOME/sessions/$rel"
  done < <(find "$from" -type f -name '*.jsonl' -print0)
}

cli_save_sessions() {
  rm -rf "$SESSION_STORE/codex-sessions"
  if [[ -d $CODEX_HOME/sessions ]]; then cp -R "$CODEX_HOME/sessions" "$SESSION_STORE/codex-sessions"; fi
}

# A TOML basic string: JSON's string escapes (\\ \" \n \uXXXX) are TOML's too, so any text fits in one.
toml_string() { node -e 'process.stdout.write(JSON.stringify(process.argv[1]))' "$1"; }

codex_config() {
  cat <<TOML
model = $(toml_string "$MODEL")
model_provider = "orchestrator"
approval_policy = "never"
sandbox_mode = "danger-full-access"
project_doc_max_bytes = 0
web_search = "disabled"
developer_instructions = $(toml_string "$(cat "$RENDERED_DIR/system-prompt.md")")

[model_providers.orchestrator]
name = "orchestrator model gateway"
base_url = $(toml_string "${ORCHESTRATOR_OPENAI_BASE_URL:-}")
env_key = "ORCHESTRATOR_MODEL_TOKEN"
wire_api = "responses"
TOML
}

# `codex exec` with the prompt on stdin, its events as JSON lines; resumed with `exec resume`. The
# pod is the sandbox (restricted, no credential), so the CLI's own is off. It has no turn or spend
# limit: the gateway holds maxBudgetUsd, and admission refuses maxTurns for it (docs/agents.md).
cli_run_agent() {
  codex_config >"$CODEX_HOME/config.toml"
  cli_restore_sessions
  local -a args=(exec --json --skip-git-repo-check --cd "$WORK_DIR")
  if [[ $RESUME == true && -n $SESSION_ID ]]; then
    log "resuming session $SESSION_ID of lineage $SESSION_LINEAGE"
    args+=(resume "$SESSION_ID")
  fi
  log "running the agent $AGENT (codex, model $MODEL) in $WORK_DIR"
  local status=0
  (cd "$WORK_DIR" && codex "${args[@]}" - <"$RENDERED_DIR/prompt.md" 2> >(tee "$RUN_DIR/agent.stderr" >&2)) |
    tee "$RUN_DIR/agent.jsonl" || status=$?
  record_session_field thread_id
  save_sessions
  return "$status"
}

cli_last_words() { last_event_message 'turn.failed|error'; }
cli_usage() { cli_usage_of codex; }
