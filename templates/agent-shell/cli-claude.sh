# shellcheck shell=bash
# The Claude Code CLI on the agent CLI contract (docs/agents.md; src/agent-cli/claude.ts): the cli_*
# functions every agent-shell/cli-{name}.sh defines, sourced by the entry script before lib.sh when the
# profile's cli is claude. Values arrive as lib.sh's and the prelude's variables.

readonly CLI_COMMAND=claude

# Its settings, sessions and user memory in the container's private directory (never the volume).
cli_private_dirs() {
  export CLAUDE_CONFIG_DIR="$PRIVATE_DIR/claude"
  mkdir -p "$CLAUDE_CONFIG_DIR"
}

# The repository's instructions and the memory file through the private user memory: an import of each
# (agent_instructions, lib.sh).
cli_load_memory() {
  local -a files
  mapfile -d '' files < <(agent_instructions)
  printf '@%s\n' "${files[@]}" >"$CLAUDE_CONFIG_DIR/CLAUDE.md"
}

# The lineage's session transcripts into the private CLAUDE_CONFIG_DIR: regular *.jsonl files only
# (a symlink or anything else an agent left there is not followed), nothing of the CLI's settings.
cli_restore_sessions() {
  local from="$SESSION_STORE/projects" file rel
  [[ -d $from && ! -L $from ]] || return 0
  while IFS= read -r -d '' file; do
    rel=${file#"$from"/}
    mkdir -p "$CLAUDE_CONFIG_DIR/projects/${rel%/*}"
    cp "$file" "$CLAUDE_CONFIG_DIR/projects/$rel"
  done < <(find "$from" -mindepth 2 -maxdepth 2 -type f -name '*.jsonl' -print0)
}

# After the agent: its transcripts kept for the lineage's later runs (save_sessions, lib.sh).
cli_save_sessions() {
  rm -rf "$SESSION_STORE/projects"
  if [[ -d $CLAUDE_CONFIG_DIR/projects ]]; then cp -R "$CLAUDE_CONFIG_DIR/projects" "$SESSION_STORE/projects"; fi
}

has_session() { compgen -G "$CLAUDE_CONFIG_DIR/projects/*/*.jsonl" >/dev/null; }

# Whether the agent CLI still has the session $1 (it keeps one file per session and project).
has_session_id() {
  local project
  for project in "$CLAUDE_CONFIG_DIR"/projects/*/; do
    if [[ -f $project$1.jsonl ]]; then return 0; fi
  done
  return 1
}

# The session id (for status.sessionId, to resume later) from the stream's first event; the result
# document (result.sh) reports it.
record_session() {
  local id
  id=$(grep -m1 -o '"session_id":"[^"]*"' "$RUN_DIR/agent.jsonl" | cut -d'"' -f4) || true
  [[ -n $id ]] || return 0
  printf '%s\n' "$id" >"$RUN_DIR/session-id"
}

# How the agent CLI picks up where it left off: the recorded session when the workspace still has it,
# else the latest session (a volume without the recorded one, or no id recorded), else a new one.
resume_args() {
  [[ $RESUME == true ]] || return 0
  if [[ -n $SESSION_ID ]] && has_session_id "$SESSION_ID"; then
    log "resuming session $SESSION_ID of lineage $SESSION_LINEAGE"
    printf '%s\0' --resume "$SESSION_ID"
  elif has_session; then
    if [[ -n $SESSION_ID ]]; then log "session $SESSION_ID is not among lineage $SESSION_LINEAGE's sessions: continuing its latest one"; fi
    log "continuing the latest session of lineage $SESSION_LINEAGE"
    printf '%s\0' --continue
  else
    log "no earlier session to resume: starting a new one"
  fi
}

# The repository does not configure the CLI: --setting-sources user loads the settings of the private
# CLAUDE_CONFIG_DIR and --settings only, so the checkout's .claude/settings*.json (hooks: commands the
# CLI would run), agents, commands and skills, and every CLAUDE.md or CLAUDE.local.md in or above the
# working directory, are ignored; --strict-mcp-config ignores its .mcp.json. docs/security.md.
cli_run_agent() {
  local -a args=(--print "--model=$MODEL" --output-format stream-json --verbose --setting-sources user
    --settings "$RENDERED_DIR/settings.json" --mcp-config "$RENDERED_DIR/mcp.json" --strict-mcp-config
    --append-system-prompt "$(cat "$RENDERED_DIR/system-prompt.md")")
  local dir
  for dir in "$RUN_DIR" "${EXTRA_DIRS[@]}"; do args+=(--add-dir "$dir"); done
  # The attempt's limits (spec.limits): the CLI ends the agent with its own result when one is reached.
  if [[ -n $MAX_TURNS ]]; then args+=(--max-turns "$MAX_TURNS"); fi
  if [[ -n $MAX_BUDGET_USD ]]; then args+=(--max-budget-usd "$MAX_BUDGET_USD"); fi
  if [[ -n $FALLBACK_MODEL ]]; then args+=(--fallback-model "$FALLBACK_MODEL"); fi
  cli_restore_sessions
  local -a resuming
  mapfile -d '' resuming < <(resume_args)
  args+=("${resuming[@]}")
  log "running the agent $AGENT (model $MODEL) in $WORK_DIR"
  local status=0
  (cd "$WORK_DIR" && claude "${args[@]}" <"$RENDERED_DIR/prompt.md" 2> >(tee "$RUN_DIR/agent.stderr" >&2)) |
    tee "$RUN_DIR/agent.jsonl" || status=$?
  record_session
  save_sessions
  return "$status"
}

# The text of the stream's last event (the result event carries the API's error).
cli_last_words() {
  [[ -s $RUN_DIR/agent.jsonl ]] || return 0
  tail -n 1 "$RUN_DIR/agent.jsonl" | json_field result
}

# Its final usage and the limit that stopped it, as two lines (record_usage, result.sh): usage.mjs reads
# the stream's last result event.
cli_usage() {
  [[ -s $RUN_DIR/agent.jsonl ]] || return 0
  node "$CONFIGMAP_DIR/agent-shell_usage.mjs" "$RUN_DIR/agent.jsonl"
}
