# shellcheck shell=bash
# Google's Gemini CLI on the agent CLI contract (docs/agents.md "gemini"; src/agent-cli/gemini.ts): the
# cli_* functions, sourced by the entry script before lib.sh when the profile's cli is gemini. Its home
# (GEMINI_CLI_HOME) is private, and the checkout does not configure it (docs/security.md "The workspace
# is hostile"; decision 0047). 0.61 runs headless only in a trusted workspace, and merges a trusted
# workspace's .gemini/settings.json (MCP servers, hooks) over the platform's and reads its .gemini/.env.
# So the workspace is left untrusted while the settings are read (folderTrust on, no
# GEMINI_CLI_TRUST_WORKSPACE: a reserved name), and trusted by --skip-trust, which the CLI applies only
# after it has read them; the environment files are not read again (security.auth.useExternal skips the
# auth check that rereads them; advanced.ignoreLocalEnv skips the checkout's .env). Its memory is a
# context file of a name drawn per attempt, so no checkout holds one; the image's CLI is edited so that
# it does not add GEMINI.md to that name (decision 0071). The Job gives it the gateway's
# Gemini route (GOOGLE_GEMINI_BASE_URL) and the attempt's token (GEMINI_API_KEY).

readonly CLI_COMMAND=gemini

cli_private_dirs() {
  export GEMINI_CLI_HOME="$PRIVATE_DIR/gemini"
  GEMINI_MEMORY_NAME="orchestrator-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n').md"
  GEMINI_INSTRUCTIONS_NAME="${GEMINI_MEMORY_NAME%.md}-repository.md"
  mkdir -p "$GEMINI_CLI_HOME/.gemini"
}

# The memory file as the user's context file, a link to the lineage's copy (the first name, where the
# CLI's memory tool writes), and the repository's instructions as a second one.
cli_load_memory() {
  ln -sfn "$MEMORY_FILE" "$GEMINI_CLI_HOME/.gemini/$GEMINI_MEMORY_NAME"
  if [[ -s $REPOSITORY_INSTRUCTIONS ]]; then
    ln -sfn "$REPOSITORY_INSTRUCTIONS" "$GEMINI_CLI_HOME/.gemini/$GEMINI_INSTRUCTIONS_NAME"
  fi
}

# Sessions are not resumed (docs/agents.md): nothing to carry.
cli_restore_sessions() { :; }
cli_save_sessions() { :; }

# The platform's settings; the MCP servers are the rendered mcp.json's (the profile's tool preset, the
# remote tool server and the team's servers), in the Gemini CLI's form: a server over streamable HTTP
# names its URL httpUrl, one over SSE url. A header from a Secret stays ${VARIABLE}: the CLI expands
# its settings' variables from the environment when it reads them, so the value is in no file.
gemini_settings() {
  local turns=${MAX_TURNS:--1}
  node -e 'const [model, turns, memory, instructions, mcp] = process.argv.slice(1);
  const servers = Object.entries(JSON.parse(require("node:fs").readFileSync(mcp, "utf8")).mcpServers ?? {});
  const mcpServers = Object.fromEntries(servers.map(([name, { type, url, ...server }]) =>
    [name, type === "http" ? { httpUrl: url, headers: server.headers }
      : type === "sse" ? { type, url, headers: server.headers } : server]));
  process.stdout.write(JSON.stringify({
    security: { auth: { selectedType: "gemini-api-key", useExternal: true }, folderTrust: { enabled: true } },
    advanced: { ignoreLocalEnv: true },
    model: { name: model, maxSessionTurns: Number(turns) },
    mcpServers,
    context: { fileName: [memory, instructions] },
    skills: { enabled: false },
    general: { disableAutoUpdate: true, disableUpdateNag: true },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
  }))' "$MODEL" "$turns" "$GEMINI_MEMORY_NAME" "$GEMINI_INSTRUCTIONS_NAME" "$RENDERED_DIR/mcp.json"
}

cli_run_agent() {
  gemini_settings >"$GEMINI_CLI_HOME/.gemini/settings.json"
  if [[ $RESUME == true ]]; then log "the gemini CLI does not resume sessions here: starting a new one"; fi
  local prompt
  prompt="$(cat "$RENDERED_DIR/system-prompt.md")"$'\n\n'"$(cat "$RENDERED_DIR/prompt.md")"
  log "running the agent $AGENT (gemini, model $MODEL) in $WORK_DIR"
  local status=0
  (cd "$WORK_DIR" && gemini --model "$MODEL" --yolo --skip-trust --output-format stream-json --prompt "$prompt" </dev/null \
    2> >(tee "$RUN_DIR/agent.stderr" >&2)) | tee "$RUN_DIR/agent.jsonl" || status=$?
  record_session_field session_id
  save_sessions
  return "$status"
}

cli_last_words() { last_event_message 'result|error'; }
cli_usage() { cli_usage_of gemini; }
