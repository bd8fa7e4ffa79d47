// The model gateway's ledger against the real apiserver (docs/economics.md "The model gateway"): two
// replicas' ledgers adding one attempt's calls at once lose and double-count nothing, a restarted
// replica and the leader's cache of the records sum the same; and the controllers with the gateway
// take the runs' usage from the ledger (a forged termination-message cost bills nothing), end an
// attempt the gateway refused BudgetExceeded naming the limit, and hold new attempts on a budget
// summed from the ledger after the runs that spent it are deleted.
import pino from 'pino';
import t from 'tap';
import type { ControllerConfig, TaskRun } from '../../src/api/index.js';
import type { GatewayAttempt } from '../../src/gateway/index.js';
import { LedgerIndex } from '../../src/gateway/ledger-index.js';
import { startKubeLedger } from '../../src/gateway/ledger-informer.js';
import { LEDGER_SELECTOR } from '../../src/gateway/ledger-record.js';
import {
  CONFIGMAPS,
  type CoreEvent,
  EVENTS,
  Informer,
  type KubeClient,
  type KubeObject,
  resourcePath,
} from '../../src/runtime/index.js';
import { meteredCall as call } from '../harness/fakes/gateway.js';
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
import { waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();
const PROTOCOL = 'orchestrator.io/result/v1';

t.test('two replicas adding calls at once: the ledger is exact, and read the same by all', async (t) => {
  const namespace = await suite.namespace(t);
  const replica = async () => {
    const running = await startKubeLedger({
      client: suite.admin(t),
      namespace,
      logger: pino({ level: 'silent' }),
    });
    t.teardown(running.stop);
    return running.ledger;
  };
  const [one, two] = [await replica(), await replica()];
  const attempt: GatewayAttempt = {
    namespace: 'team-a',
    kind: 'CodeRun',
    run: 'busy',
    uid: 'busy-uid',
    attempt: 1,
    job: 'busy-1',
  };
  // 2 × 30 calls in flight at once, each of its own cost: a lost or repeated one changes the sum.
  const costs = Array.from({ length: 60 }, (_, i) => 1000 + i);
  await Promise.all(costs.map((cost, i) => (i % 2 === 0 ? one : two).record(attempt, call(cost))));
  const total = costs.reduce((a, b) => a + b, 0);
  const list = await suite
    .admin(t)
    .request<{ items: KubeObject[] }>('GET', resourcePath(CONFIGMAPS, namespace), {
      query: { labelSelector: LEDGER_SELECTOR },
    });
  t.equal(list.items.length, 1, 'one record for the attempt and day');
  const data = (list.items[0] as { data?: Record<string, string> }).data;
  t.equal(data?.calls, '60', 'every call counted once');
  t.equal(Number(data?.costMicros), total);
  // Each replica holds its own writes at once and the other's as its watch delivers them.
  await waitFor('both replicas to sum every call', async () =>
    (await one.attemptSpent(attempt)) === total && (await two.attemptSpent(attempt)) === total
      ? true
      : undefined,
  );
  t.equal(
    await (await replica()).spentSince((ns) => ns === 'team-a', 0),
    total,
    'a restarted replica reads the same',
  );

  const records = new Informer({
    client: suite.admin(t),
    logger: pino({ level: 'silent' }),
    resource: CONFIGMAPS,
    namespace,
    labelSelector: LEDGER_SELECTOR,
  });
  const index = new LedgerIndex(records);
  await records.start();
  t.teardown(() => records.stop());
  const seen = await waitFor('the leader cache of the ledger to hold the record', async () =>
    index.metered(attempt),
  );
  t.equal(seen.usage.costUsd, String(total / 1e6), "the leader's figure is the ledger's");
});

const get = (client: KubeClient, namespace: string, name: string) =>
  client.request<TaskRun>('GET', taskRunPath(namespace, name));
const condition = (run: TaskRun, type: string) => run.status?.conditions?.find((c) => c.type === type);

t.test(
  'with the gateway: usage from the ledger, a refusal ends BudgetExceeded, deleting runs gives nothing back',
  async (t) => {
    const namespace = await suite.namespace(t);
    const config: ControllerConfig = testConfig();
    config.budgets = [{ name: 'team-a', namespaces: [namespace], limitUsd: '1', window: 'month' }];
    const { client } = await startOperator(t, suite.cluster, namespace, config, {
      // The operator's namespace stands in as the test's own.
      gateway: { ledgerNamespace: namespace },
    });
    const running = await startKubeLedger({
      client: suite.admin(t),
      namespace,
      logger: pino({ level: 'silent' }),
    });
    t.teardown(running.stop);
    const { ledger } = running;
    /** Starts a run and returns its first attempt as the gateway knows it. */
    const started = async (name: string, taskId: number): Promise<GatewayAttempt> => {
      await client.request('POST', taskRunPath(namespace), {
        body: sampleTaskRun(name, taskId, { workspace: { pvcName: `workspace-${name}` } }),
      });
      const job = await untilAttemptJob(client, namespace, 'TaskRun', name);
      const uid = (await get(client, namespace, name)).metadata?.uid ?? '';
      return { namespace, kind: 'TaskRun', run: name, uid, attempt: 1, job };
    };

    const liar = await started('liar', 1);
    await ledger.record(liar, call(400_000));
    await ledger.record(liar, call(200_000));
    const forged = { costUsd: '999999', inputTokens: 1, turns: 1 };
    await finishJob(
      client,
      namespace,
      liar.job,
      'Complete',
      JSON.stringify({ protocol: PROTOCOL, usage: forged }),
    );
    const done = await waitFor('the liar Succeeded with its usage', async () => {
      const run = await get(client, namespace, 'liar');
      return run.status?.phase === 'Succeeded' && run.status.usage ? run : undefined;
    });
    t.equal(done.status?.usage?.costUsd, '0.6', "status.usage is the gateway's figure");
    t.match(done.status?.attemptUsage, [{ attempt: 1, costUsd: '0.6', outputTokens: 40, reported: forged }]);

    const refused = await started('refused', 2);
    await ledger.record(refused, call(500_000));
    const limit = 'budget "team-a" is spent: $1.1 of $1 (its month resets at 2026-12-01T00:00:00.000Z)';
    await ledger.refuse(refused, limit);
    // The CLI ends on the gateway's 402 as on any API error it does not retry.
    await finishJob(client, namespace, refused.job, 'Failed', 'API Error: 402 billing_error');
    const stopped = await waitFor('the refused run Failed', async () => {
      const run = await get(client, namespace, 'refused');
      return run.status?.phase === 'Failed' ? run : undefined;
    });
    t.match(condition(stopped, 'Succeeded'), { status: 'False', reason: 'BudgetExceeded' });
    t.match(stopped.status?.message, `attempt 1 stopped: the model gateway refused its calls: ${limit}`);
    t.match(stopped.status?.attemptUsage, [{ attempt: 1, stopReason: 'BudgetExceeded', costUsd: '0.5' }]);
    const event = await waitFor('the BudgetExceeded Event', async () => {
      const events = await client.request<{ items: CoreEvent[] }>('GET', resourcePath(EVENTS, namespace), {
        query: { fieldSelector: 'involvedObject.name=refused' },
      });
      return events.items.find((e) => e.reason === 'BudgetExceeded');
    });
    t.match(event, { type: 'Warning', message: /the model gateway refused its calls: budget "team-a"/ });
    t.equal(
      (await client.request<{ items: KubeObject[] }>('GET', jobPath(namespace))).items.length,
      2,
      'no retry',
    );

    // The runs that spent the budget are deleted: the ledger still holds it spent.
    for (const name of ['liar', 'refused']) await client.request('DELETE', taskRunPath(namespace, name));
    await waitFor('the spent runs gone', async () => {
      const runs = await client.request<{ items: KubeObject[] }>('GET', taskRunPath(namespace));
      return runs.items.length === 0;
    });
    await client.request('POST', taskRunPath(namespace), {
      body: sampleTaskRun('next', 3, { workspace: { pvcName: 'workspace-next' } }),
    });
    const held = await waitFor('the next run held by the budget', async () => {
      const run = await get(client, namespace, 'next');
      return condition(run, 'JobCreated')?.reason === 'BudgetExhausted' ? run : undefined;
    });
    t.match(held.status?.message, /^attempt 1 waits: budget team-a has spent \$1\.1 of \$1 this month/);
  },
);
