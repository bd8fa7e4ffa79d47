// What runs cost and the budgets that stop a team (docs/economics.md), against the real apiserver and
// Job controller: the agent's usage (its result document, here the simulated pod's termination message)
// becomes status.usage and attemptUsage and the cost counters, once; a limit stop fails the run with its
// own reason and no retry; a namespace whose budget is spent gets no new attempt, still after a restart
// of the manager (the figure comes from the runs' status), until the budget's window is moved. Without
// the model gateway (these tests' setting, `selfReported`, not the shipped one) a forged cost bills at most the
// attempt's spec.limits.maxBudgetUsd, and a budget says its figures are self-reported.

import { Registry } from 'prom-client';
import t from 'tap';
import type { ControllerConfig, TaskRun } from '../../src/api/index.js';
import type { KubeClient, KubeObject } from '../../src/runtime/index.js';
import {
  finishJob,
  jobPath,
  sampleTaskRun,
  startOperator,
  taskRunPath,
  testConfig,
  untilAttemptJob,
} from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { sampleSum } from '../harness/util/prometheus-text.js';
import { waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();
const PROTOCOL = 'orchestrator.io/result/v1';
// The model rex's profile runs: a figure of a model the config does not name is counted as `other`.
const MODEL = String(testConfig().agents.rex?.model);
/**
 * Not the shipped setting: the model gateway off, so that the agent's own report (the termination
 * message) is the figure these tests drive. With the gateway on, as shipped, the gateway's ledger is
 * the bill (gateway-ledger.test.ts).
 */
const selfReported = (change: (c: ControllerConfig) => void = () => {}) =>
  testConfig((c) => {
    c.gateway.enabled = false;
    change(c);
  });

const usage = (costUsd: string) => ({
  costUsd,
  inputTokens: 1000,
  outputTokens: 200,
  cacheCreationInputTokens: 50,
  cacheReadInputTokens: 3000,
  turns: 4,
  durationMs: 5000,
  models: [
    {
      model: MODEL,
      costUsd,
      inputTokens: 1000,
      outputTokens: 200,
      cacheCreationInputTokens: 50,
      cacheReadInputTokens: 3000,
    },
  ],
});

const get = (client: KubeClient, namespace: string, name: string) =>
  client.request<TaskRun>('GET', taskRunPath(namespace, name));
const create = (client: KubeClient, namespace: string, name: string, taskId: number) =>
  client.request('POST', taskRunPath(namespace), {
    body: sampleTaskRun(name, taskId, { workspace: { pvcName: `workspace-${name}` } }),
  });
const condition = (run: TaskRun, type: string) => run.status?.conditions?.find((c) => c.type === type);
/** How a budget's message says, without the gateway, that it sums what the agents reported. */
const SELF_REPORTED = String.raw` \(self-reported: the sum of what its runs' agents reported, each attempt at most its spec\.limits\.maxBudgetUsd, as the model gateway is off\)`;

t.test(
  'usage in status and metrics once; a spent budget holds new attempts until its window moves',
  async (t) => {
    const config: ControllerConfig = selfReported();
    const registry = new Registry();
    const namespace = await suite.namespace(t);
    config.budgets = [{ name: 'team-a', namespaces: [namespace], limitUsd: '1', window: 'month' }];
    const first = await startOperator(t, suite.cluster, namespace, config, { registry });
    const { client } = first;

    await create(client, namespace, 'spender', 1);
    const job = await untilAttemptJob(client, namespace, 'TaskRun', 'spender');
    const spent = usage('1.25');
    await finishJob(
      client,
      namespace,
      job,
      'Complete',
      JSON.stringify({ protocol: PROTOCOL, workCompleted: true, usage: spent }),
    );
    const done = await waitFor('the spender Succeeded with its usage', async () => {
      const run = await get(client, namespace, 'spender');
      return run.status?.phase === 'Succeeded' && run.status.usage ? run : undefined;
    });
    t.same(done.status?.usage, spent, "status.usage is the agent's report");
    t.match(done.status?.attemptUsage, [{ attempt: 1, finishedAt: /^\d{4}-\d\d-\d\dT/, ...spent }]);
    const labels = { run_namespace: namespace, agent: 'rex', model: MODEL };
    // The status write and the counters are two steps of one reconcile: the run may be read between them.
    const metrics = await waitFor('the usage counted in the metrics', async () => {
      const text = await registry.metrics();
      return sampleSum(text, 'orchestrator_agent_cost_usd_total', labels) > 0 &&
        sampleSum(text, 'orchestrator_budget_spent_usd', { budget: 'team-a' }) > 0
        ? text
        : undefined;
    });
    t.equal(sampleSum(metrics, 'orchestrator_agent_cost_usd_total', labels), 1.25, 'the cost counted once');
    t.equal(sampleSum(metrics, 'orchestrator_agent_tokens_total', { ...labels, type: 'cacheRead' }), 3000);
    t.equal(
      sampleSum(metrics, 'orchestrator_agent_turns_total', { run_namespace: namespace, agent: 'rex' }),
      4,
    );
    t.equal(sampleSum(metrics, 'orchestrator_budget_spent_usd', { budget: 'team-a' }), 1.25);
    t.equal(sampleSum(metrics, 'orchestrator_budget_limit_usd', { budget: 'team-a' }), 1);

    await create(client, namespace, 'next', 2);
    const held = await waitFor('the next run held by the budget', async () => {
      const run = await get(client, namespace, 'next');
      return condition(run, 'JobCreated')?.reason === 'BudgetExhausted' ? run : undefined;
    });
    t.match(held.status, {
      phase: 'Pending',
      message: new RegExp(
        String.raw`^attempt 1 waits: budget team-a has spent \$1\.25 of \$1 this month${SELF_REPORTED}; it resets at \d{4}-\d\d-01T00:00:00\.000Z`,
      ),
    });
    t.notOk(held.status?.attempt, 'no attempt started');
    const jobs = await client.request<{ items: KubeObject[] }>('GET', jobPath(namespace));
    t.equal(jobs.items.length, 1, 'no Job for it');

    // A restarted manager sums the same spend from the runs' status: the run stays held.
    await first.stop();
    const second = await startOperator(t, suite.cluster, namespace, config, { registry: new Registry() });
    await waitFor(
      'the restarted manager reconciled the held run again',
      async () => (await second.reconciles()) > 0,
    );
    t.equal(condition(await get(second.client, namespace, 'next'), 'JobCreated')?.reason, 'BudgetExhausted');
    t.equal(
      (await second.client.request<{ items: KubeObject[] }>('GET', jobPath(namespace))).items.length,
      1,
    );

    // The window moved (notBefore now, as after raising a team's allowance): the run starts.
    const budget = config.budgets?.[0];
    if (budget) budget.notBefore = new Date().toISOString();
    await untilAttemptJob(second.client, namespace, 'TaskRun', 'next');
    t.pass('the run got its Job once the window moved');
  },
);

t.test('a limit stop: Failed with its reason, its partial usage, and no retry', async (t) => {
  const registry = new Registry();
  const { client, namespace } = await suite.start(t, selfReported(), { registry });
  await create(client, namespace, 'looper', 3);
  const job = await untilAttemptJob(client, namespace, 'TaskRun', 'looper');
  const doc = {
    protocol: PROTOCOL,
    workCompleted: false,
    stopReason: 'TurnLimitReached',
    usage: usage('0.5'),
    summary: 'the agent reached its turn limit (3 turns)',
  };
  await finishJob(client, namespace, job, 'Failed', JSON.stringify(doc));
  const failed = await waitFor('the looper Failed', async () => {
    const run = await get(client, namespace, 'looper');
    return run.status?.phase === 'Failed' ? run : undefined;
  });
  t.match(condition(failed, 'Succeeded'), { status: 'False', reason: 'TurnLimitReached' });
  t.match(
    failed.status?.message,
    /attempt 1 stopped: the agent reached its turn limit \(3 turns\); not retried/,
  );
  t.match(failed.status?.attemptUsage, [{ attempt: 1, stopReason: 'TurnLimitReached', costUsd: '0.5' }]);
  t.equal(failed.status?.workCompleted, false);
  const jobs = await client.request<{ items: KubeObject[] }>('GET', jobPath(namespace));
  t.equal(jobs.items.length, 1, 'no retry Job, though retries.maxRetries is 3');
  t.equal(
    sampleSum(await registry.metrics(), 'orchestrator_agent_limit_stops_total', {
      run_namespace: namespace,
      reason: 'TurnLimitReached',
    }),
    1,
  );
});

t.test(
  'a budget selecting namespaces by label: their runs share it, another namespace is not held',
  async (t) => {
    // The manager follows the namespaces of a selector (its scope): their labels are what budgets match.
    const unique = `b${Date.now().toString(36)}`;
    const scope = { selector: `budget-test=${unique}` };
    const payments = await suite.namespace(t, { 'budget-test': unique, team: 'payments' });
    const ledger = await suite.namespace(t, { 'budget-test': unique, team: 'ledger' });
    const config = selfReported((c) => {
      c.budgets = [{ name: 'payments', namespaceSelector: 'team=payments', limitUsd: '1', window: 'day' }];
    });
    const { client } = await startOperator(t, suite.cluster, payments, config, { scope });
    await create(client, payments, 'spender', 1);
    const job = await untilAttemptJob(client, payments, 'TaskRun', 'spender');
    await finishJob(
      client,
      payments,
      job,
      'Complete',
      JSON.stringify({ protocol: PROTOCOL, usage: usage('1') }),
    );
    await waitFor(
      'the spender Succeeded',
      async () => (await get(client, payments, 'spender')).status?.phase === 'Succeeded',
    );

    await create(client, payments, 'next', 2);
    await create(client, ledger, 'other', 3);
    await untilAttemptJob(client, ledger, 'TaskRun', 'other');
    t.pass('a namespace the selector does not match starts its run');
    const held = await waitFor('the next payments run held by the budget', async () => {
      const run = await get(client, payments, 'next');
      return condition(run, 'JobCreated')?.reason === 'BudgetExhausted' ? run : undefined;
    });
    t.match(
      held.status?.message,
      new RegExp(
        String.raw`budget payments has spent \$1 of \$1 today${SELF_REPORTED}; it resets at \d{4}-\d\d-\d\dT00:00:00\.000Z`,
      ),
    );
  },
);

t.test(
  'the gateway off: a forged cost bills at most maxBudgetUsd, the report kept; the budget says self-reported',
  async (t) => {
    const registry = new Registry();
    const namespace = await suite.namespace(t);
    // Not the shipped setting: this test is about the gateway off.
    const config = testConfig((c) => {
      c.gateway = { ...c.gateway, enabled: false };
      c.budgets = [{ name: 'shared', namespaces: [namespace], limitUsd: '15', window: 'month' }];
    });
    const { client } = await startOperator(t, suite.cluster, namespace, config, { registry });
    const forged = { ...usage('999999999999'), models: [{ model: MODEL, costUsd: '999999999999' }] };
    /** A run of its own workspace, capped at $10 an attempt, whose agent reports the forged cost. */
    const forger = async (name: string, taskId: number) => {
      const body = sampleTaskRun(name, taskId, {
        workspace: { pvcName: `workspace-${name}` },
        limits: { maxBudgetUsd: '10' },
      });
      await client.request('POST', taskRunPath(namespace), { body });
      const job = await untilAttemptJob(client, namespace, 'TaskRun', name);
      const doc = { protocol: PROTOCOL, workCompleted: true, usage: forged };
      await finishJob(client, namespace, job, 'Complete', JSON.stringify(doc));
      return waitFor(`${name} Succeeded with its usage`, async () => {
        const run = await get(client, namespace, name);
        return run.status?.phase === 'Succeeded' && run.status.usage ? run : undefined;
      });
    };

    const first = await forger('forger-1', 11);
    t.match(first.status?.usage, {
      costUsd: '10',
      inputTokens: 1000,
      models: [{ model: MODEL, costUsd: '10' }],
    });
    t.match(first.status?.attemptUsage, [{ attempt: 1, costUsd: '10', reported: forged }]);
    t.same(first.status?.attemptUsage?.[0]?.reported, forged, 'the figure as reported, kept whole');
    const labels = { run_namespace: namespace, agent: 'rex', model: MODEL };
    // The budget's ledger reads the status from its watch, which may come before the status write's
    // answer that counts the attempt's usage: wait for both.
    const metrics = await waitFor(
      'the capped cost counted by the budget and the usage counters',
      async () => {
        const text = await registry.metrics();
        const spent = sampleSum(text, 'orchestrator_budget_spent_usd', { budget: 'shared' });
        return spent > 0 && sampleSum(text, 'orchestrator_agent_cost_usd_total', labels) > 0
          ? text
          : undefined;
      },
    );
    t.equal(sampleSum(metrics, 'orchestrator_agent_cost_usd_total', labels), 10, 'the metrics count $10');
    t.equal(sampleSum(metrics, 'orchestrator_budget_spent_usd', { budget: 'shared' }), 10);
    t.equal(
      sampleSum(metrics, 'orchestrator_budget_info', { budget: 'shared', source: 'SelfReported' }),
      1,
      'the budget says whose figures it sums',
    );

    // $10 of $15: the forged trillion left the shared budget room for the next run.
    await forger('forger-2', 12);
    await create(client, namespace, 'after', 13);
    const held = await waitFor('the third run held: $20 of $15', async () => {
      const run = await get(client, namespace, 'after');
      return condition(run, 'JobCreated')?.reason === 'BudgetExhausted' ? run : undefined;
    });
    t.match(
      held.status?.message,
      new RegExp(
        String.raw`^attempt 1 waits: budget shared has spent \$20 of \$15 this month${SELF_REPORTED}; it resets`,
      ),
    );
  },
);
