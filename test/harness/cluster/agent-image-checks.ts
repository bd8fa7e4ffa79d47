// What the real-node suite (test/integration/real-node.test.ts) checks inside the agent image, as bash
// scripts of a pod of that image: the presets' fetch server through the egress proxy, the tools of the
// servers docs/tools.md maps the seeds' tool names to, the servers' compile cache, and Rust (cargo build, clippy, fmt) on crates
// made in the pod. Each script prints `name answer` lines a test compares whole.

import { PRESETS, type ToolPresets } from '../../../src/render/index.js';
import { MCP_PROBE_SCRIPT, mcpProbeCommand, seedToolTable } from '../agent/mcp-probe.js';

/** Where the scripts write (an emptyDir: the image's root is read-only under the restricted profile). */
export const SCRATCH = '/tmp';
const PROBE = `${SCRATCH}/mcp-probe.cjs`;

const writeProbe = [`cat > ${PROBE} <<'MCP_PROBE'`, MCP_PROBE_SCRIPT.trim(), 'MCP_PROBE'];

export interface FetchCase {
  name: string;
  url: string;
  /** What the answer starts with; the case is retried (the policy comes after the pod) until it does. */
  expect: string;
  /** The server's env over the preset's. */
  env?: Record<string, string>;
}

/** The fetch server's cases against the egress world of test/harness/cluster/egress.ts. */
export const fetchCases = (webAddress: string): FetchCase[] => [
  { name: 'allowed', url: 'http://allowed.test:8080/', expect: 'ok hello' },
  // Node's fetch tunnels (CONNECT) plain HTTP too: the proxy's 403 reaches the server as a failed fetch.
  {
    name: 'unlisted',
    url: 'http://unlisted.test:8080/',
    expect: 'error Failed to fetch http://unlisted.test:8080/: fetch failed',
  },
  {
    name: 'private',
    url: `http://${webAddress}:8080/`,
    expect: `error Fetcher blocked request to private address "${webAddress}"`,
  },
  // Without the switch, Node's fetch ignores HTTP_PROXY: it looks the host up and connects directly,
  // which the pod cannot (no resolver; the policy drops a direct connection).
  {
    name: 'no-proxy-switch',
    url: 'http://allowed.test:8080/',
    expect: 'error Failed to fetch http://allowed.test:8080/: fetch failed',
    env: { NODE_USE_ENV_PROXY: '' },
  },
];

/**
 * Runs the presets' fetch server (its command and env, over the pod's proxy variables) on each case's
 * URL with its fetch_txt tool; prints `name answer` (the answer cut to the expected length once it
 * matches, whole otherwise).
 */
export function fetchProbeScript(presets: ToolPresets, cases: FetchCase[]): string {
  const fetchServer = presets.localServers.fetch;
  if (!fetchServer) throw new Error('the shipped presets have no fetch server');
  const withEnv = (env: Record<string, string> = {}): ToolPresets => ({
    ...presets,
    localServers: { fetch: { ...fetchServer, env: { ...fetchServer.env, ...env } } },
  });
  return [
    ...writeProbe,
    'check() {',
    '  local name=$1 expect=$2 command=$3 got i',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's substring, not a template.
    '  for i in $(seq 20); do got=$(eval "$command"); [ "${got:0:${#expect}}" = "$expect" ] && got=$expect && break; sleep 2; done',
    '  echo "$name $got"',
    '}',
    ...cases.map((c) => {
      const command = mcpProbeCommand(withEnv(c.env), 'fetch', PROBE, {
        tool: 'fetch_txt',
        arguments: { url: c.url },
      });
      return `check ${c.name} '${c.expect.replaceAll("'", `'\\''`)}' ${quote(command)}`;
    }),
  ].join('\n');
}

const quote = (v: string) => `'${v.replaceAll("'", `'\\''`)}'`;

/**
 * The Claude Code CLI of the image starts the presets' fetch server (`claude mcp list` checks it) with
 * the container's environment and the server's own: prints `claude-env` and the proxy variables and
 * switch the server saw, sorted.
 */
export function claudeServerEnvScript(presets: ToolPresets): string {
  const fetchServer = presets.localServers.fetch;
  if (!fetchServer) throw new Error('the shipped presets have no fetch server');
  const seen = `${SCRATCH}/claude-home/server-env`;
  const wrapped = {
    command: 'bash',
    args: ['-c', `env > ${seen}; exec ${fetchServer.command} "$@"`, 'server', ...fetchServer.args],
    env: fetchServer.env,
  };
  return [
    `export HOME=${SCRATCH}/claude-home`,
    'mkdir -p "$HOME/project" && cd "$HOME/project"',
    `printf '%s' ${quote(JSON.stringify({ mcpServers: { fetch: wrapped } }))} > "$HOME/.claude.json"`,
    // Its answer is not compared (kubectl logs mixes in stderr): what the server saw is.
    `timeout 60 claude mcp list > ${SCRATCH}/claude-mcp-list.log 2>&1`,
    `echo "claude-env $(grep -E '^(HTTPS_PROXY|NODE_USE_ENV_PROXY)=' ${seen} | sort | paste -sd ' ')"`,
  ].join('\n');
}

/** Lists the tools of each server docs/tools.md maps a seed's tool to: `server tools a b c`. */
export function seedToolServersScript(presets: ToolPresets): string {
  const servers = [...new Set(seedToolTable().flatMap((r) => (r.server ? [r.server] : [])))];
  return [...writeProbe, ...servers.map((s) => `echo "${s} $(${mcpProbeCommand(presets, s, PROBE)})"`)].join(
    '\n',
  );
}

/** What the CLI sends a server first: the compile-cache check starts each server on it. */
const FIRST_REQUESTS = [
  {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'check', version: '1' } },
  },
  { jsonrpc: '2.0', method: 'notifications/initialized' },
  { jsonrpc: '2.0', id: 2, method: 'tools/list' },
].map((r) => JSON.stringify(r));

/**
 * Starts each stdio server of the presets (its command, arguments and env) as the CLI would, with Node's
 * compile-cache log on: prints `server accepted answered`, the count of modules whose bytecode came from
 * the image's cache and whether it listed its tools.
 */
export function compileCacheScript(presets: ToolPresets): string {
  const names = [...new Set(PRESETS.flatMap((p) => presets.presets[p].local))];
  return names
    .map((name) => {
      const server = presets.localServers[name];
      if (!server) throw new Error(`the shipped presets have no server ${name}`);
      const env = Object.entries({ ...server.env, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' }).map(([k, v]) =>
        quote(`${k}=${v}`),
      );
      const run = ['env', ...env, quote(server.command), ...server.args.map(quote)].join(' ');
      const input = `{ printf '%s\\n' ${FIRST_REQUESTS.map(quote).join(' ')}; sleep 1; }`;
      return [
        `${input} | timeout 60 ${run} >${SCRATCH}/${name}.out 2>${SCRATCH}/${name}.err`,
        `echo "${name} $(grep -c 'was accepted' ${SCRATCH}/${name}.err) $(grep -c '"id":2' ${SCRATCH}/${name}.out)"`,
      ].join('\n');
    })
    .join('\n');
}

const CARGO_TOML = (name: string) =>
  `[package]\nname = "${name}"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n`;

/** Rust crates without dependencies (no crates.io here): clean, one clippy warns of, one badly formatted. */
const CRATES: Record<string, string> = {
  clean: 'fn main() {\n    println!("hello");\n}\n',
  linted:
    'fn main() {\n    let v: Vec<u8> = Vec::new();\n    if v.len() == 0 {\n        println!("empty");\n    }\n}\n',
  unformatted: 'fn main(){println!("hello");}\n',
};

/** The expected output of rustScript: cargo's exit codes per crate and step. */
export const RUST_EXPECTED = [
  'clean build 0',
  'clean clippy 0',
  'clean fmt 0',
  'linted build 0',
  'linted clippy 101',
  'unformatted fmt 1',
].join('\n');

/**
 * Makes the crates under SCRATCH and runs, offline, with CARGO_HOME there (as the entry script puts it
 * on the workspace): `cargo build`, `cargo clippy -- -D warnings`, `cargo fmt --check`; prints
 * `crate step exit-code`, then the tools' versions on stderr.
 */
export function rustScript(): string {
  const make = Object.entries(CRATES).flatMap(([name, main]) => [
    `mkdir -p ${SCRATCH}/${name}/src`,
    `printf '%s' ${quote(CARGO_TOML(name))} > ${SCRATCH}/${name}/Cargo.toml`,
    `printf '%s' ${quote(main)} > ${SCRATCH}/${name}/src/main.rs`,
  ]);
  const step = (crate: string, name: string, command: string) =>
    `(cd ${SCRATCH}/${crate} && ${command} >&2); echo "${crate} ${name} $?"`;
  return [
    'set -u',
    `export CARGO_HOME=${SCRATCH}/.cargo CARGO_NET_OFFLINE=true`,
    ...make,
    step('clean', 'build', 'cargo build'),
    step('clean', 'clippy', 'cargo clippy -- -D warnings'),
    step('clean', 'fmt', 'cargo fmt --check'),
    step('linted', 'build', 'cargo build'),
    step('linted', 'clippy', 'cargo clippy -- -D warnings'),
    step('unformatted', 'fmt', 'cargo fmt --check'),
    'rustc --version >&2; cargo --version >&2',
  ].join('\n');
}
