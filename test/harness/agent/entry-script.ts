// Runs a rendered entry script for real, as the Job does: the ConfigMap written as files, its three
// containers' phases (`--prepare`, `--agent`, `--publish`), with a real git against local bare repositories
// and stubs of the `claude` and `gh` CLIs that record how they were called (and of the MCP servers'
// commands, which must only exist).
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import type { RenderedRun } from '../../../src/render/index.js';
import { parseToolPresets } from '../../../src/render/tool-presets.js';

/** The commands of the shipped presets' local MCP servers: stand-ins that only exist (never run). */
function mcpCommands(): string[] {
  const text = readFileSync(path.join(import.meta.dirname, '../../../templates/tool-presets.yaml'), 'utf8');
  const { presets, problems } = parseToolPresets(text);
  if (!presets) throw new Error(problems.join('; '));
  return [...new Set(Object.values(presets.localServers).map((s) => s.command))];
}

// Environment of the stubs: STUB_EXIT (claude's exit status), STUB_SESSION (the session it reports,
// default sess-42), STUB_NO_WORK (leave the repository untouched), STUB_WORK_FILE (a file, relative to
// the working directory, it also writes), STUB_STDERR (a line to stderr),
// STUB_RESULT (the text of a final error event), STUB_PR_URL (what `gh pr create`
// prints; without it creating a pull request fails as gh does when there is nothing to propose),
// STUB_WORK_BYTES (a file of that many random bytes), STUB_COMMIT (commit everything itself, forced),
// STUB_AGENT_PUSH (try a push of its own, its output in agent-push), STUB_FORGE (write a pull request
// URL where the old stop hook left it), STUB_SHELL (bash commands it runs in its working directory,
// e.g. to leave a symbolic link or a nested repository). It always records its environment
// (agent-env) and the git config it sees (agent-gitconfig). With the gateway's token URL set (as the
// Job sets it), it runs its settings' apiKeyHelper as Claude Code does when it starts: the key it got
// goes to api-key, and a helper that fails ends it as the CLI ends on the API's 401.
const CLAUDE_STUB = `#!/usr/bin/env bash
# Records its arguments (NUL-separated), working directory and stdin; leaves a session and some work.
printf '%s\\0' "$@" >"$STUB_OUT/argv"
pwd >"$STUB_OUT/cwd"
cat >"$STUB_OUT/stdin"
if [[ -n \${ORCHESTRATOR_MODEL_TOKEN_URL:-} ]]; then
  settings=''
  while (($#)); do if [[ $1 == --settings ]]; then settings=$2; fi; shift; done
  helper=$(node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); process.stdout.write(s.apiKeyHelper ?? "")' "$settings")
  if [[ -n $helper ]]; then
    if ! sh -c "$helper" >"$STUB_OUT/api-key"; then
      printf '{"type":"result","is_error":true,"result":"API Error: 401 no key"}\\n'
      exit 1
    fi
  fi
fi
session=\${STUB_SESSION:-sess-42}
mkdir -p "$CLAUDE_CONFIG_DIR/projects/p" && echo '{}' >"$CLAUDE_CONFIG_DIR/projects/p/$session.jsonl"
if [[ -z \${STUB_NO_WORK:-} ]]; then echo "work of attempt $ORCHESTRATOR_ATTEMPT" >>agent-output.txt; fi
if [[ -n \${STUB_WORK_FILE:-} ]]; then mkdir -p "$(dirname "$STUB_WORK_FILE")" && echo changed >"$STUB_WORK_FILE"; fi
if [[ -n \${STUB_SHELL:-} ]]; then bash -c "$STUB_SHELL"; fi
if [[ -n \${STUB_WORK_BYTES:-} ]]; then head -c "$STUB_WORK_BYTES" /dev/urandom >agent-blob.bin; fi
# What the agent could reach: its environment, the git config it sees, and a push of its own.
env >"$STUB_OUT/agent-env"
cat "\${ORCHESTRATOR_GITHUB_TOKEN_FILE:-/nonexistent}" >>"$STUB_OUT/agent-env" 2>/dev/null || true
git config --global --list >"$STUB_OUT/agent-gitconfig" 2>&1 || true
if [[ -n \${STUB_AGENT_PUSH:-} ]]; then
  git -c user.name=a -c user.email=a@a commit -q --allow-empty -m agent-push
  if git push -q origin HEAD:refs/heads/agent-owned >"$STUB_OUT/agent-push" 2>&1; then echo pushed >>"$STUB_OUT/agent-push"; fi
fi
if [[ -n \${STUB_COMMIT:-} ]]; then git add --all --force && git -c user.name=a -c user.email=a@a commit -q -m "the agent's own commit"; fi
if [[ -n \${STUB_FORGE:-} ]]; then printf 'https://evil.example/pull/1\n' >"$ORCHESTRATOR_RUN_DIR/pull-request-url"; fi
printf '{"type":"system","subtype":"init","session_id":"%s"}\\n' "$session"
if [[ -n \${STUB_STDERR:-} ]]; then printf '%s\\n\\n' "$STUB_STDERR" >&2; fi
if [[ -n \${STUB_RESULT:-} ]]; then printf '{"type":"result","is_error":true,"result":"%s"}\\n' "$STUB_RESULT"; fi
exit "\${STUB_EXIT:-0}"
`;

// The codex CLI's stand-in: it records its arguments and environment as the claude stub does.
const CODEX_STUB = `#!/usr/bin/env bash
printf '%s\\0' "$@" >"$STUB_OUT/argv"
cat >"$STUB_OUT/stdin"
env >"$STUB_OUT/agent-env"
`;

// gh speaks GitHub's REST API here as the stop hook uses it (`gh api`): each call is appended to
// STUB_OUT/gh.log (GH_HOST, then the arguments, tab-separated); listing pull requests prints
// STUB_PR_EXISTING (none when unset), creating one prints STUB_PR_URL or fails with GitHub's 422.
// A call with its body on stdin (--input -: the publisher's outputs step) goes to the GitHub
// stand-in at STUB_GH_API (test/harness/remote/github-api) as gh sends it (GH_FORWARD).
const GH_STUB = `#!/usr/bin/env bash
(IFS=$'\\t'; printf '%s\\t%s\\n' "\${GH_HOST:-}" "$*") >>"$STUB_OUT/gh.log"
[[ $1 == api ]] || { echo "gh stub: only gh api is served" >&2; exit 1; }
if [[ -n \${STUB_GH_API:-} && " $* " == *" --input - "* ]]; then exec node "$(dirname "$0")/gh-forward.mjs" "$@"; fi
case "$2 $3" in
  "--method GET") [[ -n \${STUB_PR_EXISTING:-} ]] && printf '%s\\n' "$STUB_PR_EXISTING"; exit 0 ;;
  "--method POST")
    if [[ -n \${STUB_PR_URL:-} ]]; then printf '%s\\n' "$STUB_PR_URL"; exit 0; fi
    echo "gh: Validation Failed (HTTP 422)" >&2
    exit 1 ;;
esac
echo "gh stub: unexpected call: $*" >&2
exit 1
`;

// gh api --method M PATH --input -, as gh performs it: the body from stdin to the API with the token of
// GH_TOKEN; GitHub's answer on stdout, and on an error status gh's own line on stderr and status 1.
const GH_FORWARD = `const [, , , , method, path] = process.argv;
let body = '';
for await (const chunk of process.stdin) body += chunk;
const res = await fetch(\`\${process.env.STUB_GH_API}/\${path}\`, {
  method,
  headers: { authorization: \`token \${process.env.GH_TOKEN}\`, 'content-type': 'application/json' },
  body,
});
const text = await res.text();
process.stdout.write(text);
if (res.status >= 400) {
  console.error(\`gh: \${JSON.parse(text || '{}').message ?? res.statusText} (HTTP \${res.status})\`);
  process.exitCode = 1;
}
`;

/** The variables that carry a GitHub credential: the agent's container has none of them. */
const CREDENTIAL_ENV = [
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'GITHUB_APP_TOKEN_URL',
  'GITHUB_APP_TOKEN_CREDENTIAL_FILE',
  'GITHUB_SSH_KEY_FILE',
];

export const git = (args: string[], cwd?: string) => {
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

export interface EntryRun {
  status: number | null;
  log: string;
  /** The arguments the agent CLI got ([] when it never ran). */
  argv: string[];
  cwd: string;
  stdin: string;
  /** The termination message file as the agent container left it ('' when absent). */
  result: string;
  /** The gh stub's calls: GH_HOST, then the arguments. */
  gh: string[][];
  /** What the agent saw: its environment, its global git config, its own push's output ('' when absent). */
  agentEnv: string;
  /** The key the CLI got from its settings' apiKeyHelper ('' when it ran none). */
  apiKey: string;
  agentGitConfig: string;
  agentPush: string;
}

export interface EntryFixtureOptions {
  /** The real agent CLI to run instead of the `claude` stub (test/harness/agent/agent-cli.ts). */
  agentCli?: string;
  /** A command the entry script runs under, e.g. `nsenter --net=…` (test/harness/cluster/offline.ts). */
  prefix?: string[];
}

interface Spawn {
  command: string;
  args: string[];
  options: { env: Record<string, string>; encoding: 'utf8'; timeout: number; killSignal: 'SIGKILL' };
}
type Spawned = { status: number | null; stdout: string; stderr: string };

/** spawnSync's outcome, without blocking the event loop. */
function spawnAsync({ command, args, options }: Spawn): Promise<Spawned> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      env: options.env,
      timeout: options.timeout,
      killSignal: options.killSignal,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export function entryFixture(t: Test, { agentCli, prefix = [] }: EntryFixtureOptions = {}) {
  const root = mkdtempSync(path.join(tmpdir(), 'entry-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const bin = path.join(root, 'bin');
  mkdirSync(bin);
  // The agent image's commands the entry script checks for before it starts (require_tools).
  for (const [name, stub] of [
    ['claude', CLAUDE_STUB],
    ['codex', CODEX_STUB],
    ['gh', GH_STUB],
    ...mcpCommands().map((c) => [c, '#!/bin/sh\nexit 0\n'] as const),
  ] as const) {
    writeFileSync(path.join(bin, name), stub);
    chmodSync(path.join(bin, name), 0o755);
  }
  writeFileSync(path.join(bin, 'gh-forward.mjs'), GH_FORWARD);
  if (agentCli) {
    rmSync(path.join(bin, 'claude'));
    symlinkSync(agentCli, path.join(bin, 'claude'));
    // The presets' MCP servers belong to the agent image (issue 28, item 1): here they fail at once,
    // as in an image without them, rather than npx waiting on a network it does not have.
    for (const name of ['npx', 'uvx']) {
      writeFileSync(
        path.join(bin, name),
        `#!/bin/sh\necho "${name}: not in this test's image" >&2\nexit 127\n`,
      );
      chmodSync(path.join(bin, name), 0o755);
    }
  }
  const [command = 'bash', ...before] = [...prefix, 'bash'];
  /** A bare repository at `dir` whose `branch` holds `files`. */
  const origin = (dir: string, branch: string, files: Record<string, string>) => {
    const work = mkdtempSync(path.join(root, 'seed-'));
    git(['init', '-q', '-b', branch, work]);
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
      writeFileSync(path.join(work, file), content);
    }
    git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '.'], work);
    git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'seed'], work);
    git(['clone', '-q', '--bare', work, dir]);
    return dir;
  };
  /** The branch `branch` of the bare repository `dir`: `base`'s tip and `files` on top, as a push leaves it. */
  const branch = (dir: string, base: string, name: string, files: Record<string, string>) => {
    const work = mkdtempSync(path.join(root, 'push-'));
    git(['clone', '-q', '--branch', base, dir, work]);
    git(['checkout', '-q', '-b', name], work);
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
      writeFileSync(path.join(work, file), content);
    }
    git(['add', '.'], work);
    git(['-c', 'user.name=a', '-c', 'user.email=a@a', 'commit', '-qm', 'an earlier agent'], work);
    git(['push', '-q', 'origin', name], work);
  };
  /**
   * The entry script's run as steps: each phase a spawn it yields and whose outcome it is sent, so
   * that one definition runs synchronously (run) and beside servers of this process (runAsync).
   */
  function* steps(
    rendered: RenderedRun,
    env: Record<string, string>,
    prepareOnly: boolean,
  ): Generator<Spawn, EntryRun, Spawned> {
    const cm = rendered.context.paths.configMap;
    rmSync(cm, { recursive: true, force: true });
    mkdirSync(cm, { recursive: true });
    for (const [key, value] of Object.entries(rendered.data)) writeFileSync(path.join(cm, key), value);
    const out = path.join(root, 'out');
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out);
    const options = {
      encoding: 'utf8' as const,
      // The real agent CLI, if it ever waits on something that will not come, is ended here.
      timeout: 5 * 60_000,
      killSignal: 'SIGKILL' as const,
      env: {
        PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
        HOME: path.join(root, 'home'),
        STUB_OUT: out,
        TMPDIR: root,
        ORCHESTRATOR_RESULT_FILE: path.join(out, 'termination-log'),
        ...env,
      },
    };
    // The Job's three containers in order, each phase only when the one before succeeded: prepare
    // and publish with the credentials, the agent's with none of them (as the Job mounts them); an
    // App run's publisher asks the broker's write path where prepare asks its read path.
    const phase = (flag: string, phaseEnv: Record<string, string> = options.env): Spawn => ({
      command,
      args: [...before, path.join(cm, 'container.sh'), flag],
      options: { ...options, env: phaseEnv },
    });
    const withoutCredentials = Object.fromEntries(
      Object.entries(options.env).filter(([name]) => !CREDENTIAL_ENV.includes(name)),
    );
    const url = (options.env as Record<string, string>).GITHUB_APP_TOKEN_URL;
    const publishing = url
      ? { ...options.env, GITHUB_APP_TOKEN_URL: url.replace(/\/read$/, '/write') }
      : options.env;
    const phases = prepareOnly ? ['--prepare'] : ['--prepare', '--agent', '--publish'];
    let r = yield phase('--prepare');
    for (const flag of phases.slice(1)) {
      if (r.status !== 0) break;
      const next = yield phase(flag, flag === '--agent' ? withoutCredentials : publishing);
      r = { ...next, stderr: r.stderr + next.stderr, stdout: r.stdout + next.stdout };
    }
    const read = (f: string) =>
      existsSync(path.join(out, f)) ? readFileSync(path.join(out, f), 'utf8') : '';
    return {
      status: r.status,
      log: r.stderr + r.stdout,
      argv: read('argv').split('\0').slice(0, -1),
      cwd: read('cwd').trim(),
      stdin: read('stdin'),
      result: read('termination-log'),
      agentEnv: read('agent-env'),
      apiKey: read('api-key'),
      agentGitConfig: read('agent-gitconfig'),
      agentPush: read('agent-push'),
      gh: read('gh.log')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\t')),
    };
  }
  /** Writes the ConfigMap as its mount would show it and runs the entry script as the Job does. */
  const run = (rendered: RenderedRun, env: Record<string, string> = {}, prepareOnly = false): EntryRun => {
    const it = steps(rendered, env, prepareOnly);
    let next = it.next();
    while (!next.done) {
      const { command: c, args, options: o } = next.value;
      next = it.next(spawnSync(c, args, o));
    }
    return next.value;
  };
  /** As run, without blocking this process: for a test whose servers (the GitHub stand-in) answer the script. */
  const runAsync = async (rendered: RenderedRun, env: Record<string, string> = {}): Promise<EntryRun> => {
    const it = steps(rendered, env, false);
    let next = it.next();
    while (!next.done) next = it.next(await spawnAsync(next.value));
    return next.value;
  };
  const options = {
    workspaceRoot: path.join(root, 'workspace'),
    configMapDir: path.join(root, 'task-files'),
    baseBranchDir: path.join(root, 'base-branch'),
  };
  /**
   * From now on `git` is a git whose commands naming `word` (push, ls-remote, ...) fail `times` times
   * first, as git does when the remote does not answer (status 128), then run; the entry script's
   * and the agent's git alike.
   */
  const gitFailing = (word: string, times: number) => {
    const real = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
    const count = path.join(root, `git-${word}-failures`);
    const wrapper = `#!/bin/sh
for a in "$@"; do
  if [ "$a" = '${word}' ]; then
    n=$(cat '${count}' 2>/dev/null || echo 0)
    if [ "$n" -lt ${times} ]; then
      echo $((n + 1)) >'${count}'
      echo "fatal: unable to access 'https://flaky.test/': Recv failure: Connection reset by peer" >&2
      exit 128
    fi
  fi
done
exec '${real}' "$@"
`;
    writeFileSync(path.join(bin, 'git'), wrapper);
    chmodSync(path.join(bin, 'git'), 0o755);
  };
  return { root, bin, origin, branch, run, runAsync, options, gitFailing };
}
