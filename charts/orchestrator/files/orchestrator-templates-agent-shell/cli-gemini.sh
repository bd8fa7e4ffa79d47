# shellcheck shell=bash
# Google's Gemini CLI on the agent CLI contract (docs/agents.md "gemini"; src/agent-cli/gemini.ts): the
# cli_* functions, sourced by the entry script before lib.sh when the profile's cli is gemini. Its home
# (GEMINI_CLI_HOME) is private. The workspace must be trusted (GEMINI_CLI_TRUST_WORKSPACE true): 0.61
# refuses to run headless in an untrusted one. So the checkout's .gemini/settings.json is merged over
# the platform's settings (its system settings file would win, but the CLI skips one under a directory
# others may write, as /tmp is); the model is on the command line and the route and token in the
# environment, which a workspace's settings or .env do not override. Its GEMINI.md is not read
# (context.fileName names a file only the private home has). The Job gives it the gateway's Gemini
# route (GOOGLE_GEMINI_BASE_URL) and the attempt's token (GEMINI_API_KEY); docs/agents.md says what else.

readonly CLI_COMMAND=gemini

cli_private_dirs() {
  export GEMINI_CLI_HOME="$PRIVATE_DIR/gemini" GEMINI_CLI_TRUST_WORKSPACE=true
  mkdir -p "$GEMINI_CLI_HOME/.gemini"
}

# The memory file as the user's context file, a link to the lineage's copy.
cli_load_memory() { ln -sfn "$MEMORY_FILE" "$GEMINI_CLI_HOME/.gemini/ORCHESTRATOR.md"; }

# Sessions are not resumed (docs/agents.md): nothing to carry.
cli_restore_sessions() { :; }
cli_save_sessions() { :; }

gemini_settings() {
  local turns=${MAX_TURNS:--1}
  node -e 'const [model, turns] = process.argv.slice(1); process.stdout.write(JSON.stringify({
    security: { auth: { selectedType: "gemini-api-key" }, folderTrust: { enabled: true } },
    model: { name: model, maxSessionTurns: Number(turns) },
    context: { fileName: ["ORCHESTRATOR.md"] },
    general: { disableAutoUpdate: true, disableUpdateNag: true },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
  }))' "$MODEL" "$turns"
}

cli_run_agent() {
  gemini_settings >"$GEMINI_CLI_HOME/.gemini/settings.json"
  if [[ $RESUME == true ]]; then log "the gemini CLI does not resume sessions here: starting a new one"; fi
  local prompt
  prompt="$(cat "$RENDERED_DIR/system-prompt.md")"$'\n\n'"$(cat "$RENDERED_DIR/prompt.md")"
  log "running the agent $AGENT (gemini, model $MODEL) in $WORK_DIR"
  local status=0
  (cd "$WORK_DIR" && gemini --model "$MODEL" --yolo --output-format stream-json --prompt "$prompt" </dev/null \
    2> >(tee "$RUN_DIR/agent.stderr" >&2)) | tee "$RUN_DIR/agent.jsonl" || status=$?
  record_session_field session_id
  save_sessions
  return "$status"
}

cli_last_words() { last_event_message 'result|error'; }
cli_usage() { cli_usage_of gemini; }
