// The model gateway between the real CLI and the model, on the real node (test/integration/agent-e2e.test.ts;
// docs/economics.md): a CodeRun's CLI reaches the model stand-in only through the gateway, which meters
// every call into the ledger and the run's usage; the platform's key stays in the operator's namespace,
// in no object of the run's; and an agent looping past its run's spend cap is refused with the API's
// own billing error and not retried.
import { readFileSync } from 'node:fs';
import type { Test } from 'tap';
import { kubectl } from '../cluster/cluster.js';
import { ledgerRows, objectsHolding } from '../operator/gateway.js';
import { say, tool } from '../remote/model-script.js';
import { e2eCodeRun, findFile, SPEND_LOOP, taskDocs } from './agent-e2e.js';
import { agentWorld, type Suite } from './agent-world.js';

const bash = (command: string) => tool('Bash', { command, description: 'edit the repository' });

export async function gatewayRuns(t: Test, suite: Suite): Promise<void> {
  const { cluster, client, git, user } = suite;
  // Every call that offers no tools (the loop's, the CLI's side queries) reports 100k input tokens:
  // $0.315 at claude-sonnet-4's $3 in, $15 out per million.
  const aside = () => ({ ...say('spent'), usage: { input_tokens: 100_000, output_tokens: 1_000 } });
  const { ns, ops, model, create, finished, volumeDir } = await agentWorld(
    t,
    suite,
    [bash('printf "metered\\n" > METERED.md'), say('Wrote METERED.md.'), bash(SPEND_LOOP), say('never')],
    { aside },
  );
  if (!ops) throw new Error('the world has no gateway namespace');
  const messages = () => model.requests.filter((r) => r.path === '/v1/messages');

  const repo = git.repository('acme/metered.git', 'main', { 'README.md': '# metered\n' });
  const docs = git.repository('acme/metered-docs.git', 'main', taskDocs('projects/payments', 7, '# M\n'));
  await create('CodeRun', e2eCodeRun(user.name, 'metered-7', repo, docs, { service: 'metered' }));
  const first = await finished('CodeRun', 'metered-7');
  t.equal(first.phase, 'Succeeded', first.message ?? '');
  t.same(model.problems, [], 'every request the stand-in got had the shape of the Messages API');
  t.ok(
    model.requests.every((r) => r.status !== 401),
    'none came without the platform key (the stand-in refuses any other)',
  );
  const billed = (kind: 'input_tokens' | 'output_tokens') =>
    messages().reduce((n, r) => n + (r.billed?.[kind] ?? 0), 0);
  t.match(
    first.usage,
    { inputTokens: billed('input_tokens'), outputTokens: billed('output_tokens') },
    "the run's usage is what the stand-in billed, as the gateway metered it",
  );
  const ledger = await ledgerRows(client, ops);
  const sent = messages().length;
  t.ok(sent > 0, `the CLI's ${sent} calls reached the stand-in`);
  t.equal(
    ledger.filter((r) => r.run === 'metered-7').reduce((n, r) => n + r.calls, 0),
    sent,
    'each of them through the gateway, which metered every one',
  );
  const pod = await kubectl(cluster, ['get', 'pod', first.podName ?? '', '-n', ns, '-o', 'json']);
  type Container = { name: string; env?: { name: string }[] };
  const { spec } = JSON.parse(pod.stdout) as {
    spec: { initContainers?: Container[]; containers: Container[] };
  };
  const env = [...(spec.initContainers ?? []), ...spec.containers]
    .find((c) => c.name === 'agent')
    ?.env?.map((e) => e.name);
  t.ok(
    env?.includes('ANTHROPIC_BASE_URL') && env.includes('ORCHESTRATOR_MODEL_TOKEN_URL'),
    'the agent got the gateway’s URL and where to ask for its token',
  );
  t.notOk(
    env?.includes('ANTHROPIC_AUTH_TOKEN'),
    'the token itself is in no object: the container asks for it',
  );
  t.notOk(env?.includes('ANTHROPIC_API_KEY'), 'and no API key');

  // The key: in the operator's namespace, and in no object of the run's (its Secrets, pods with
  // their specs, Jobs, ConfigMaps, the run, Events, ...: every kind that can be listed).
  const run = await objectsHolding(cluster, ns, suite.apiKey);
  t.ok(
    ['secrets', 'pods', 'jobs.batch', 'configmaps', 'coderuns.orchestrator.io'].every((k) =>
      run.kinds.includes(k),
    ),
    `every kind listed (${run.kinds.length} kinds, ${run.count} objects)`,
  );
  t.same(run.holding, [], "the platform key is in no object of the run's namespace");
  t.same(
    (await objectsHolding(cluster, ops, suite.apiKey)).holding,
    [`Secret/orchestrator-model-api-key`],
    "it is in the operator's namespace: the search finds it where it is",
  );

  // An agent that loops calls with its own token past its run's cap is refused by the gateway.
  await create(
    'CodeRun',
    e2eCodeRun(user.name, 'spender-7', repo, docs, { service: 'spender', limits: { maxBudgetUsd: '1' } }),
  );
  const spender = await finished('CodeRun', 'spender-7');
  t.equal(spender.phase, 'Failed', spender.message ?? '');
  t.match(
    spender.message,
    'attempt 1 stopped: the model gateway refused its calls',
    'ended by the refusal, naming it, and not retried',
  );
  t.match(spender.attemptUsage, [{ attempt: 1, stopReason: 'BudgetExceeded' }]);
  const loopFile = findFile(await volumeDir('workspace-spender'), 'gateway-loop.txt');
  t.ok(loopFile, "the agent's loop ran to its end");
  const codes = readFileSync(loopFile ?? '/dev/null', 'utf8')
    .trim()
    .split('\n');
  t.comment(`the loop's answers: ${codes.join(', ')}`);
  const refused = codes.indexOf('402 billing_error');
  t.ok(refused >= 0, "the gateway refused it with the API's own billing error");
  t.same(
    codes.slice(refused),
    codes.slice(refused).map(() => '402 billing_error'),
    'and every call after the first refusal',
  );
  const spentMicros = (await ledgerRows(client, ops))
    .filter((r) => r.run === 'spender-7')
    .reduce((n, r) => n + r.costMicros, 0);
  t.comment(`spender-7 spent $${spentMicros / 1e6} against its cap of $1`);
  t.ok(codes.length - refused > 20, `most of the loop's 30 calls never reached the model (${refused} did)`);
}
