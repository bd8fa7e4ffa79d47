#!/bin/bash
# Fills Node's compile cache ($NODE_COMPILE_CACHE) for the MCP servers the tool presets start
# (templates/tool-presets.yaml; decision 0095). Each server is started once, as the agents' user (the
# cache is kept per user id), with what the Claude Code CLI sends it first, and ends with its input;
# Node then writes the bytecode of what it compiled. In a run, the servers load it instead of
# compiling their modules again. The image build fails when a server fails here.
set -euo pipefail
requests='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"warm","version":"1"}}}
{"jsonrpc":"2.0","method":"notifications/initialized"}
{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
scratch=$(mktemp -d)
# Its input stays open a second after the requests, so that the server answers them before it ends.
warm() {
  if ! { printf '%s\n' "$requests"; sleep 1; } | timeout 60 "$@" >"$scratch/out" 2>"$scratch/err"; then
    echo "warming the compile cache: $* failed" >&2
    cat "$scratch/err" >&2
    exit 1
  fi
  grep -q '"id":2' "$scratch/out" || { echo "warming the compile cache: $* listed no tools" >&2; exit 1; }
}
warm mcp-server-filesystem "$scratch"
warm env MCP_TRANSPORT_TYPE=stdio MCP_LOG_LEVEL=warning git-mcp-server
warm env MEMORY_FILE_PATH="$scratch/memory.json" mcp-server-memory
warm mcp-server-sequential-thinking
warm mcp-fetch-server
rm -rf "$scratch"
