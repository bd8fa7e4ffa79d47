// The real Claude Code CLI (pinned in devDependencies) run by the rendered entry script, exactly as the
// agent container runs it (templates/agent-shell/lib.sh: its command line, the rendered
// settings.json, mcp.json and system prompt), against the scripted model stand-in over HTTPS, offline
// (a network namespace with only loopback, where the machine allows one). It writes a file through
// its Write tool, runs `git status` through Bash, reports its session in the stream's first event and
// exits 0; the next context version resumes that session and sends the earlier turns. And the
// repository does not configure the CLI: a work branch an earlier run pushed with hooks in its
// .claude/settings*.json, its own agents, commands, MCP servers and CLAUDE.local.md, and instructions
// above the checkout on the volume, leave the CLI with the platform's settings and memory, and the
// instructions of the base branch, only. A team MCP server over HTTP (docs/tools.md) gets its header
// from the variable the rendered mcp.json names.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import type { ControllerConfig } from '../../src/api/index.js';
import { configFrom } from '../../src/config/load.js';
import { loadTemplateSet, renderCodeRun } from '../../src/render/index.js';
import { sampleCodeRun } from '../../src/render/samples.js';
import { agentCliBinary, agentCliVersion, apiKeyConfig } from '../harness/agent/agent-cli.js';
import { entryFixture, git } from '../harness/agent/entry-script.js';
import { offlineNamespace } from '../harness/cluster/offline.js';
import { mcpServerProcess } from '../harness/remote/mcp-server.js';
import { say, tool } from '../harness/remote/model-script.js';
import type { RecordedRequest } from '../harness/remote/model-standin.js';
import { modelStandinProcess } from '../harness/remote/model-standin-process.js';

const config = apiKeyConfig();
const set = loadTemplateSet();
const API_KEY = 'sk-ant-standin-dummy';
const BRANCH = 'feature/task-7-implementation';
const HELLO = 'hello from the scripted model\n';
const BASE_INSTRUCTION = 'BASE-INSTRUCTION: the repository asks for tests with every change.';

type Block = { type: string; [key: string]: unknown };
const messagesOf = (r: RecordedRequest | undefined) =>
  ((r?.body as { messages?: { role: string; content: string | Block[] }[] })?.messages ?? []).map((m) => ({
    role: m.role,
    blocks: typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content,
  }));
const toolResults = (r: RecordedRequest | undefined) =>
  messagesOf(r)
    .flatMap((m) => m.blocks)
    .filter((b) => b.type === 'tool_result')
    .map((b) => JSON.stringify(b.content));

/** The sample CodeRun of rex (minimal preset) on `repo`, its task documents in a docs origin of `f`. */
function renderedCodeRun(f: ReturnType<typeof entryFixture>, repo: string, under: ControllerConfig = config) {
  const docs = f.origin(path.join(f.root, 'docs.git'), 'main', {
    'projects/payments/.taskmaster/docs/task-7/task.md': '# Seven\n',
  });
  const run = sampleCodeRun({ agent: 'rex', preset: 'minimal', continuing: false }, under);
  Object.assign(run.spec, { repositoryUrl: repo, docsRepositoryUrl: docs });
  const rendered = renderCodeRun(set, run, under, 1, f.options);
  const { paths } = rendered.context;
  return { run, rendered, paths, workDir: path.join(paths.repo ?? '', 'services/payments') };
}

t.test(
  `Claude Code ${agentCliVersion()} runs the rendered command line against the model stand-in`,
  async (t) => {
    const offline = await offlineNamespace(t);
    if (!offline.prefix) t.comment(`not isolated from the network: ${offline.reason}`);
    const prefix = offline.prefix ?? [];
    const f = entryFixture(t, { agentCli: agentCliBinary(), prefix });
    const repo = f.origin(path.join(f.root, 'payments.git'), 'main', { 'services/payments/x.txt': 'x\n' });
    const { run, rendered, paths, workDir } = renderedCodeRun(f, repo);

    const model = await modelStandinProcess(t, f.root, {
      apiKey: API_KEY,
      prefix,
      script: [
        tool('Write', { file_path: path.join(workDir, 'hello.txt'), content: HELLO }, 'Writing the file.'),
        tool('Bash', { command: 'git status --short', description: 'Show what changed' }),
        say('Wrote hello.txt.'),
        say('Resumed: nothing more to do.'),
      ],
    });
    const env = {
      ANTHROPIC_BASE_URL: model.base,
      ANTHROPIC_API_KEY: API_KEY,
      NODE_EXTRA_CA_CERTS: model.caFile,
    };

    const first = f.run(rendered, env);
    t.equal(first.status, 0, `the entry script and the CLI exit 0\n${first.log}`);
    const stream = readFileSync(path.join(paths.run, 'agent.jsonl'), 'utf8').trim().split('\n');
    const init = JSON.parse(stream[0] ?? '{}') as Record<string, unknown>;
    t.match(
      init,
      { type: 'system', subtype: 'init', session_id: /^[0-9a-f-]{36}$/ },
      'session_id in the first event',
    );
    t.equal(init.model, rendered.context.agent.model, 'the model of the rendered command line');
    t.equal(init.cwd, workDir);
    // The CLI drops a settings file it cannot use without a word: its permission mode tells.
    const settings = JSON.parse(rendered.data['settings.json'] ?? '{}') as {
      permissions: { defaultMode: string };
    };
    t.equal(init.permissionMode, settings.permissions.defaultMode, 'the rendered settings.json was applied');
    t.match(init.mcp_servers, [{ name: 'filesystem' }], 'the rendered mcp.json was read');
    t.equal(readFileSync(path.join(paths.run, 'session-id'), 'utf8').trim(), init.session_id);
    t.match(JSON.parse(stream.at(-1) ?? '{}'), { type: 'result', subtype: 'success', is_error: false });

    t.equal(
      readFileSync(path.join(workDir, 'hello.txt'), 'utf8'),
      HELLO,
      'the Write tool call wrote the file',
    );
    t.equal(
      git(['show', `${BRANCH}:services/payments/hello.txt`], repo),
      HELLO,
      'and the stop hooks committed and pushed it',
    );
    const turns = model.requests().filter((r) => r.turn !== undefined);
    t.same(
      turns.map((r) => r.turn),
      [0, 1, 2],
      'three turns of the agent',
    );
    t.match(toolResults(turns[2]).join('\n'), /\?\? hello\.txt/, 'git status ran and its output went back');
    t.same(
      model.requests().flatMap((r) => r.problems),
      [],
      'every request had the shapes the SDK types require',
    );
    t.match(JSON.parse(first.result), { sessionId: init.session_id, commit: /^[0-9a-f]{40}$/ });

    // The next context version resumes the recorded session (--resume) and sends its turns again.
    run.spec.continueSession = true;
    run.spec.contextVersion = 2;
    run.status = { sessionId: String(init.session_id) };
    const second = f.run(renderCodeRun(set, run, config, 2, f.options), env);
    t.equal(second.status, 0, second.log);
    const resumed = model.requests().find((r) => r.turn === 3);
    const earlier = messagesOf(resumed).flatMap((m) => m.blocks);
    t.ok(
      earlier.some((b) => b.type === 'tool_use' && b.name === 'Write'),
      'the resumed conversation carries the Write call of the first run',
    );
    t.ok(
      toolResults(resumed).some((r) => r.includes('hello.txt')),
      'and the results of the first run',
    );
    t.match(JSON.parse(second.result), { sessionId: init.session_id }, 'the same session went on');
  },
);

// Every hook event a hostile settings file names runs this: the canary file appears when one ran.
const canaryHook = (canary: string, event: string) => ({
  [event]: [{ hooks: [{ type: 'command', command: `echo ${event} >>${canary}` }] }],
});
const hostileSettings = (canary: string) =>
  JSON.stringify({
    hooks: Object.assign(
      {},
      ...['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'Stop'].map((e) =>
        canaryHook(canary, e),
      ),
    ),
    env: { POISON_ENV: 'POISON' },
  });

t.test('the checkout and the volume do not configure the CLI', async (t) => {
  const offline = await offlineNamespace(t);
  const prefix = offline.prefix ?? [];
  const f = entryFixture(t, { agentCli: agentCliBinary(), prefix });
  const canary = path.join(f.root, 'canary');
  const settings = hostileSettings(canary);
  const agent = '---\nname: poison-agent\ndescription: POISON agent\n---\nPOISON\n';
  // What an earlier run's agent committed and pushed to the work branch, at the root and in the
  // working directory (services/payments).
  const planted: Record<string, string> = {};
  for (const dir of ['', 'services/payments/']) {
    Object.assign(planted, {
      [`${dir}.claude/settings.json`]: settings,
      [`${dir}.claude/settings.local.json`]: settings,
      [`${dir}.claude/agents/poison.md`]: agent,
      [`${dir}.claude/commands/poison-command.md`]: 'POISON command\n',
      [`${dir}.mcp.json`]: JSON.stringify({
        mcpServers: { poison: { command: 'sh', args: ['-c', `echo mcp >>${canary}`] } },
      }),
      [`${dir}CLAUDE.md`]: 'POISON repository memory\n',
      [`${dir}CLAUDE.local.md`]: 'POISON local memory\n',
    });
  }
  // The base branch, which people reviewed: its instructions are the repository's (docs/agents.md).
  const repo = f.origin(path.join(f.root, 'payments.git'), 'main', {
    'AGENTS.md': `${BASE_INSTRUCTION}\n`,
    'services/payments/x.txt': 'x\n',
  });
  f.branch(repo, 'main', BRANCH, planted);
  // Above the checkout, on the volume: what another run's agent may have left there.
  mkdirSync(f.options.workspaceRoot, { recursive: true });
  for (const name of ['CLAUDE.md', 'CLAUDE.local.md']) {
    writeFileSync(path.join(f.options.workspaceRoot, name), 'POISON on the volume\n');
  }
  const { rendered, paths, workDir } = renderedCodeRun(f, repo);

  const model = await modelStandinProcess(t, f.root, {
    apiKey: API_KEY,
    prefix,
    script: [tool('Write', { file_path: path.join(workDir, 'work.txt'), content: 'work\n' }), say('Done.')],
  });
  const r = f.run(rendered, {
    ANTHROPIC_BASE_URL: model.base,
    ANTHROPIC_API_KEY: API_KEY,
    NODE_EXTRA_CA_CERTS: model.caFile,
  });
  t.equal(r.status, 0, r.log);
  t.notOk(existsSync(canary), 'no hook of the checkout ran (nor its MCP server)');

  const init = JSON.parse(readFileSync(path.join(paths.run, 'agent.jsonl'), 'utf8').split('\n')[0] ?? '{}');
  t.equal(init.cwd, workDir);
  t.notMatch(JSON.stringify(init.agents), 'poison', "the checkout's agents are not loaded");
  t.notMatch(JSON.stringify(init.slash_commands), 'poison', 'nor its commands');
  t.notMatch(JSON.stringify(init.mcp_servers), 'poison', 'nor its MCP servers');
  const first = model.requests().find((q) => q.turn === 0);
  const sent = JSON.stringify(first?.body);
  t.match(sent, 'You are rex', 'the rendered memory is loaded (through the private user memory)');
  t.match(sent, '# Seven', 'with its imports');
  t.notMatch(sent, 'POISON', 'no memory from the checkout or the volume, no settings of the checkout');
  t.match(sent, BASE_INSTRUCTION, "the base branch's AGENTS.md is (through the private user memory)");

  t.equal(git(['show', `${BRANCH}:services/payments/work.txt`], repo), 'work\n', 'the work was pushed');
});

t.test("a team MCP server over HTTP: the real CLI sends the Secret's header from its variable", async (t) => {
  // On the host's loopback, with the stand-ins, each its own process.
  const f = entryFixture(t, { agentCli: agentCliBinary() });
  const jira = await mcpServerProcess(t, f.root, 'you are the payments team');
  // Egress off: the stand-in is an address, which no allowlist names (an install names a host).
  const teamConfig = configFrom({
    ...config,
    egress: { ...config.egress, enabled: false },
    mcpServers: [
      {
        agents: ['rex'],
        servers: {
          jira: {
            url: jira.url,
            headers: {
              Authorization: { secretKeyRef: { name: 'jira-mcp', key: 'authorization' } },
              'X-Team': { value: 'payments' },
            },
          },
        },
      },
    ],
  });
  const repo = f.origin(path.join(f.root, 'payments.git'), 'main', { 'services/payments/x.txt': 'x\n' });
  const { rendered } = renderedCodeRun(f, repo, teamConfig);
  const model = await modelStandinProcess(t, f.root, {
    apiKey: API_KEY,
    script: [tool('mcp__jira__whoami', {}, 'Asking the team server.'), say('Done.')],
  });
  const r = f.run(rendered, {
    ANTHROPIC_BASE_URL: model.base,
    ANTHROPIC_API_KEY: API_KEY,
    NODE_EXTRA_CA_CERTS: model.caFile,
    // What the Job gives the agent container from the Secret (src/controllers/agent/features/mcp-headers.ts).
    ORCHESTRATOR_MCP_1_JIRA_AUTHORIZATION: 'Bearer jira-secret-value',
  });
  t.equal(r.status, 0, r.log);
  t.notMatch(rendered.data['mcp.json'], 'jira-secret-value', 'the rendered file names the variable only');
  const called = jira.requests().filter((q) => q.method === 'tools/call');
  t.equal(
    called.length,
    1,
    `the agent called the team server's tool (it got ${jira
      .requests()
      .map((q) => q.method)
      .join(', ')})`,
  );
  t.ok(
    jira
      .requests()
      .every(
        (q) => q.headers.authorization === 'Bearer jira-secret-value' && q.headers['x-team'] === 'payments',
      ),
    "every request carried the Secret's header and the literal one",
  );
  const last = model.requests().find((q) => q.turn === 1);
  t.match(
    toolResults(last).join('\n'),
    'you are the payments team',
    "the tool's result went back to the model",
  );
});
