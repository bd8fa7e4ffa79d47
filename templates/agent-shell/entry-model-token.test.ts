// With the model gateway, the agent container asks for its attempt's token as it starts (issue #73
// G6: the token was a value of the Job's spec), with its projected ServiceAccount token. Claude Code
// asks itself, through its settings' apiKeyHelper (model-token.sh), while it starts its MCP servers
// (decision 0094); a CLI that reads a variable (codex, gemini) gets the token the entry script asked
// for before it starts, in its own environment. The stand-in operator is the broker harness's process
// (its route answers any path of the test's with the token it is given, for the credential file it
// wrote). The real CLI running the helper against the real gateway: test/integration/agent-e2e.test.ts.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import type { ControllerConfig } from '../../src/api/index.js';
import { loadDefaultConfig } from '../../src/config/load.js';
import { loadTemplateSet, type RenderedRun, renderTaskRun } from '../../src/render/index.js';
import { sampleTaskRun } from '../../src/render/samples.js';
import { entryFixture as fixture } from '../../test/harness/agent/entry-script.js';
import { phaseTokenBroker } from '../../test/harness/agent/phase-token-broker.js';
import { waitFor } from '../../test/harness/util/wait.js';

const config = loadDefaultConfig();
const set = loadTemplateSet();
const rex = { agent: 'rex', preset: 'default' as const, continuing: false };
const TOKEN = 'orcgw1.the-attempts-token.signature';

const settingsOf = (rendered: RenderedRun) =>
  JSON.parse(rendered.data['settings.json'] ?? '{}') as { apiKeyHelper?: string };

function onLocalRepo(t: Test, under: ControllerConfig = config) {
  const f = fixture(t);
  const url = f.origin(path.join(f.root, 'payments.git'), 'main', { 'README.md': 'hello\n' });
  const spec = sampleTaskRun(rex);
  spec.spec.repository = { url, branch: 'main' };
  return { f, rendered: renderTaskRun(set, spec, under, 1, f.options) };
}

/** What the Job gives the agent container with the gateway on (src/controllers/agent/features/model-gateway.ts). */
const gatewayEnv = (broker: { env: Record<string, string> }, variable?: string) => ({
  ORCHESTRATOR_MODEL_TOKEN_URL: broker.env.GITHUB_APP_TOKEN_URL as string,
  ORCHESTRATOR_MODEL_TOKEN_CREDENTIAL_FILE: broker.env.GITHUB_APP_TOKEN_CREDENTIAL_FILE as string,
  ...(variable ? { ORCHESTRATOR_MODEL_TOKEN_VARIABLE: variable } : {}),
});

/** Files of `dir` that still hold `text`. */
const holding = (dir: string, text: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .filter((file) => readFileSync(file, 'utf8').includes(text));

t.test(
  'Claude Code asks for the token itself as it starts, through its settings: it is in no environment',
  async (t) => {
    const { f, rendered } = onLocalRepo(t);
    t.equal(
      settingsOf(rendered).apiKeyHelper,
      `bash '${rendered.context.paths.configMap}/agent-shell_model-token.sh'`,
      "the helper is the ConfigMap's own file, which the workspace cannot change",
    );
    const broker = await phaseTokenBroker(t, f.root, { read: TOKEN });
    const r = f.run(rendered, gatewayEnv(broker));
    t.equal(r.status, 0, r.log);
    t.equal(r.apiKey, TOKEN, "the CLI got the operator's answer from its helper");
    t.notOk(r.agentEnv.includes(TOKEN), "neither the CLI's environment nor its tools' hold it");
    await waitFor('the stand-in to log the request', () => broker.asked().length >= 1);
    t.same(broker.asked(), [{ phase: 'read', status: 200 }], 'asked once, with the projected token');
    t.notOk(r.log.includes(TOKEN), 'no log line holds it');
    t.same(
      holding(f.root, TOKEN).filter((file) => !/\/(out|broker-tokens-[^/]+)\//.test(file)),
      [],
      "no file holds it (but the stub's record of what it got, and the stand-in operator's)",
    );
  },
);

t.test(
  'asked before the kubelet reports the container running: the operator says 409, and it is asked again',
  async (t) => {
    const { f, rendered } = onLocalRepo(t);
    const broker = await phaseTokenBroker(t, f.root, { read: TOKEN }, 3);
    const r = f.run(rendered, gatewayEnv(broker));
    t.equal(r.status, 0, r.log);
    t.equal(r.apiKey, TOKEN);
    await waitFor('the stand-in to log the requests', () => broker.asked().length >= 4);
    t.same(
      broker.asked().map((a) => a.status),
      [409, 409, 409, 200],
      'three times "not yet", then the token',
    );
  },
);

t.test("refused by the operator: the agent's failure says so", async (t) => {
  const { f, rendered } = onLocalRepo(t);
  const broker = await phaseTokenBroker(t, f.root, {});
  const r = f.run(rendered, gatewayEnv(broker));
  t.equal(r.status, 1, r.log);
  t.match(r.log, /error: the model gateway: the operator gave this phase no token \(.* answered 403/);
  t.match(JSON.parse(r.result), {
    workCompleted: false,
    summary:
      /^the agent exited with status 1: the model gateway: the operator gave this phase no token \(.* answered 403, 0 retries\)/,
  });
  await waitFor('the stand-in to log the request', () => broker.asked().length >= 1);
  const { paths } = rendered.context;
  const again = spawnSync('sh', ['-c', settingsOf(rendered).apiKeyHelper ?? ''], {
    encoding: 'utf8',
    env: {
      ...process.env,
      ...gatewayEnv(broker),
      ORCHESTRATOR_MODEL_TOKEN_REFUSAL: `${paths.run}/model-token-refusal`,
    },
  });
  t.equal(again.status, 1, 'the helper run again (as the CLI does after a 401) fails too');
  t.match(again.stderr, /answered 403/, 'saying why');
  await waitFor('the stand-in to log the second request', () => broker.asked().length >= 2);
  t.same(
    broker.asked(),
    [
      { phase: 'read', status: 403 },
      { phase: 'read', status: 403 },
    ],
    'asking once more: a refusal comes at once, and an operator that was away may answer the next run',
  );
});

t.test("a refusal an earlier run's agent left in the attempt's directory is not this one's", async (t) => {
  const { f, rendered } = onLocalRepo(t);
  mkdirSync(rendered.context.paths.run, { recursive: true });
  writeFileSync(path.join(rendered.context.paths.run, 'model-token-refusal'), 'planted words\n');
  const r = f.run(rendered, { STUB_EXIT: '1', STUB_STDERR: 'the last line of stderr' });
  t.equal(r.status, 1, r.log);
  t.match(JSON.parse(r.result), { summary: 'the agent exited with status 1: the last line of stderr' });
});

t.test("the publisher reads a refusal as words only: an agent's link there is not followed", async (t) => {
  const { f, rendered } = onLocalRepo(t);
  const r = f.run(rendered, {
    STUB_EXIT: '1',
    STUB_SHELL: 'ln -s /etc/passwd "$ORCHESTRATOR_RUN_DIR/model-token-refusal"',
    STUB_STDERR: 'the last line of stderr',
  });
  t.equal(r.status, 1, r.log);
  t.match(JSON.parse(r.result), { summary: 'the agent exited with status 1: the last line of stderr' });
});

// A CLI that reads the token from a variable: codex, on the claude stub's recording (its settings do
// not matter to a codex stub).
t.test('a CLI that reads a variable gets the token there, asked before it starts', async (t) => {
  const codex = structuredClone(config) as ControllerConfig;
  for (const profile of Object.values(codex.agents)) profile.cli = 'codex';
  const { f, rendered } = onLocalRepo(t, codex);
  const broker = await phaseTokenBroker(t, f.root, { read: TOKEN });
  const r = f.run(rendered, gatewayEnv(broker, 'ORCHESTRATOR_MODEL_TOKEN'));
  t.equal(r.status, 0, r.log);
  t.match(r.agentEnv, `ORCHESTRATOR_MODEL_TOKEN=${TOKEN}\n`, 'the CLI reads it from its environment');
  await waitFor('the stand-in to log the request', () => broker.asked().length >= 1);
  t.same(broker.asked(), [{ phase: 'read', status: 200 }]);
  t.same(
    readdirSync(f.root).filter((n) => n.startsWith('orchestrator-model-token')),
    [],
    'its file is gone once the CLI has it',
  );
});

t.test('refused by the operator, a variable CLI never runs: the agent phase fails saying so', async (t) => {
  const codex = structuredClone(config) as ControllerConfig;
  for (const profile of Object.values(codex.agents)) profile.cli = 'codex';
  const { f, rendered } = onLocalRepo(t, codex);
  const broker = await phaseTokenBroker(t, f.root, {});
  const r = f.run(rendered, gatewayEnv(broker, 'ORCHESTRATOR_MODEL_TOKEN'));
  t.equal(r.status, 1, r.log);
  t.match(r.log, /the model gateway: the operator gave this phase no token \(.* answered 403/);
  t.same(r.argv, [], 'the CLI did not run');
});
