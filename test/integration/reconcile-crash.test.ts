// Crash consistency against the real apiserver: a seeded mix of 50 TaskRuns (retried failures, runs
// that fail for good, dependsOn, runs deleted while running) reconciled by managers that see writes fail
// before or after reaching the apiserver and die at random points (restarted with fresh caches), and
// by a manager process SIGKILLed while runs are being created. Afterwards, read from the API: one Job
// per attempt, no orphaned ConfigMap, deleted runs cleaned up, right final phases and attempts.
// Replay a failure with its printed seed: CRASH_SEED=<seed> npx tap test/integration/reconcile-crash.test.ts
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { FaultyClient, seededRandom, testSeed } from '../harness/clients/faulty-client.js';
import { kubeConfig } from '../harness/cluster/cluster.js';
import { NodeProcess } from '../harness/cluster/node-process.js';
import { crashPlans, createRuns, driveRuns, invariantViolations } from '../harness/operator/crash-runs.js';
import { startOperator, testConfig } from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { REQUEST_LIMIT_MS, scaled } from '../harness/util/wait.js';

const MAX_RETRIES = 3;
/**
 * How long the runs may take to settle (scaled): generous, since managers keep dying on the way. The
 * first test took 163 s alone on an idle machine, and over 240 s in a CI run twice as slow.
 */
const SETTLE_MS = 600_000;
// Two tests of up to SETTLE_MS each: more than tap's default per file.
t.setTimeout(scaled(30 * 60_000));
const suite = await reconcileSuite();
const { cluster } = suite;
const seed = testSeed('CRASH_SEED');
t.comment(`seed ${seed} (replay with CRASH_SEED=${seed})`);

const config = testConfig((c) => {
  c.retries = { ...c.retries, maxRetries: MAX_RETRIES, backoffSeconds: 1 };
  // High enough never to hold a run back: this test is about convergence, not capacity.
  c.concurrency = { perService: 1000, global: 1000 };
});

t.test('writes failing before or after the apiserver, and managers dying mid-reconcile', async (t) => {
  const random = seededRandom(seed);
  const namespace = await suite.namespace(t);
  const client = suite.admin(t, { requestTimeoutMs: REQUEST_LIMIT_MS });
  const plans = crashPlans(50, random, MAX_RETRIES);
  const stats = { kills: 0, before: 0, after: 0 };
  let settled = false;
  // Managers one after another: each dies after a random number of writes (a last one lives), and
  // is then stopped without waiting for its reconciles, as a killed process would be.
  const managers = (async () => {
    while (!settled) {
      let died = () => {};
      const death = new Promise<void>((resolve) => {
        died = resolve;
      });
      const faulty = new FaultyClient(kubeConfig(cluster), {
        random,
        failBefore: 0.05,
        failAfter: 0.05,
        ...(stats.kills < 15 ? { dieAfterWrites: 3 + Math.floor(random() * 40) } : {}),
        onDeath: died,
      });
      const operator = await startOperator(t, cluster, namespace, config, {
        client: faulty,
        gracefulShutdownTimeoutMs: 0,
      });
      while (!settled && !faulty.isDead) await Promise.race([death, sleep(200)]);
      await operator.stop();
      if (faulty.isDead) stats.kills++;
      stats.before += faulty.injected.before;
      stats.after += faulty.injected.after;
    }
  })();
  await Promise.all([
    createRuns(client, namespace, plans, 20),
    driveRuns(client, namespace, plans, MAX_RETRIES, SETTLE_MS).finally(() => {
      settled = true;
    }),
  ]);
  await managers;
  t.comment(
    `${stats.kills} kills, ${stats.before} writes failed before and ${stats.after} after the apiserver`,
  );
  t.ok(stats.kills > 0, 'managers died mid-reconcile');
  t.same(await invariantViolations(client, namespace, plans, MAX_RETRIES), [], 'every invariant holds');
});

t.test('a manager process SIGKILLed at random moments while runs are created', async (t) => {
  const random = seededRandom(seed + 1);
  const namespace = await suite.namespace(t);
  const client = suite.admin(t, { requestTimeoutMs: REQUEST_LIMIT_MS });
  const plans = crashPlans(20, random, MAX_RETRIES);
  const script = fileURLToPath(new URL('../mains/run-manager.ts', import.meta.url));
  const start = async () => {
    const child = new NodeProcess(script, ['--kubeconfig', cluster.kubeconfig, '--namespace', namespace]);
    t.teardown(() => child.kill('SIGKILL'));
    await child.waitForLog((l) => l.msg === 'run manager started', 'run manager started');
    return child;
  };
  const stopDriving = new AbortController();
  const driving = driveRuns(client, namespace, plans, MAX_RETRIES, SETTLE_MS, stopDriving.signal);
  // Should the kills fail, the driver stops too rather than wait out its time.
  driving.catch(() => undefined);
  t.teardown(() => stopDriving.abort());
  const KILLS = 3;
  const chunk = Math.ceil(plans.length / (KILLS + 1));
  for (let i = 0; i < KILLS; i++) {
    const child = await start();
    const creating = createRuns(client, namespace, plans.slice(i * chunk, (i + 1) * chunk), 40);
    await sleep(100 + random() * 400);
    child.kill('SIGKILL');
    t.match(await child.exited, { signal: 'SIGKILL' }, `manager ${i + 1} killed`);
    await creating;
  }
  const last = await start();
  await createRuns(client, namespace, plans.slice(KILLS * chunk), 40);
  await driving;
  last.kill('SIGTERM');
  t.match(await last.exited, { code: 0 }, 'the last manager stops gracefully');
  t.same(await invariantViolations(client, namespace, plans, MAX_RETRIES), [], 'every invariant holds');
});
