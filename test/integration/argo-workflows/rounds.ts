// orchestrator-play's quality round, its limits and its outputs executed by Argo Workflows (docs/argo.md
// "The event-gated play", "Limits"): the real workflow-controller, every step's pod running Argo's
// executor on the real node with the account config/argo/workflows gives it. Neither the operator nor
// Argo Events runs here: the test writes each run's status as the operator would (Cancelled once the
// play set spec.cancelled) and each wait's label as the Sensor github-play-gates would
// (argo-events.test.ts runs both), so what is checked is what the play does with them.
import t from 'tap';
import { testNamespace } from '../../harness/cluster/cluster.js';
import { playSuite } from '../../harness/deploy/argo-play.js';
import { runsOf, untilRuns } from '../../harness/deploy/argo-runs.js';
import {
  installWorkflowTemplates,
  nodesOf,
  readWorkflow,
  resumeWorkflow,
  STEP_WAIT,
  semaphoreOf,
  untilWorkflow,
  workflowOutputs,
} from '../../harness/deploy/argo-workflows.js';
import { waitFor } from '../../harness/util/wait.js';

const {
  cluster,
  client,
  controller,
  play,
  labelPlay,
  succeed,
  readRun,
  untilCancelled,
  untilStep,
  untilNode,
  names,
} = await playSuite();
const PR = 'https://github.com/acme/payments/pull/7';

/** The semaphore ConfigMap of `ns`: its data, or `data` merged into it first. */
const limits = async (ns: string, data?: Record<string, string>) =>
  (
    await client.request<{ data: Record<string, string> }>(
      data ? 'PATCH' : 'GET',
      `/api/v1/namespaces/${ns}/configmaps/orchestrator-argo-semaphores`,
      data ? { body: { data }, contentType: 'application/merge-patch+json' } : {},
    )
  ).data;

/** Until each play of `plays` is in its state: `run` (its implementation run exists), or waiting on a key. */
function untilLimited(ns: string, plays: Record<string, 'run' | `waits ${string}`>) {
  return waitFor(
    `plays ${JSON.stringify(plays)}`,
    async (note) => {
      const seen = await Promise.all(
        Object.entries(plays).map(async ([wf, want]) => {
          const w = await readWorkflow(client, ns, wf);
          const runs = await runsOf(client, ns, 'CodeRun', wf);
          note({ wf, sync: w.status?.synchronization, runs: runs.length });
          return want === 'run'
            ? runs.length === 1
            : runs.length === 0 && semaphoreOf(w, want.replace('waits ', ''), 'waiting');
        }),
      );
      return seen.every(Boolean) || undefined;
    },
    STEP_WAIT,
  );
}

t.test('two plays of one repository run their implementation agents one at a time', async (t) => {
  const ns = await testNamespace(t, cluster);
  await installWorkflowTemplates(cluster, ns);
  const a = await play(ns, 'payments', 5);
  const b = await play(ns, 'payments', 6);
  const other = await play(ns, 'billing', 5);
  const [held, waiter] = await waitFor(
    'one payments play holding its repository, the other waiting',
    async (note) => {
      const ws = await Promise.all([a, b].map((wf) => readWorkflow(client, ns, wf)));
      note(ws.map((w) => w.status?.synchronization));
      const holder = ws.find((w) => semaphoreOf(w, 'repository.acme.payments', 'holding'));
      const waiting = ws.find((w) => semaphoreOf(w, 'repository.acme.payments', 'waiting'));
      return holder && waiting && holder !== waiting ? [holder, waiting] : undefined;
    },
    STEP_WAIT,
  );
  const holder = String(held.metadata?.name);
  const queued = String(waiter.metadata?.name);
  t.notOk(
    semaphoreOf(waiter, 'organization.acme', 'holding'),
    'the waiter holds no place of its organisation',
  );
  const [run] = await untilRuns(client, ns, 'CodeRun', holder, 1, controller);
  t.ok(run, `${holder} runs its implementation agent`);
  const [billing] = await untilRuns(client, ns, 'CodeRun', other, 1, controller);
  t.ok(billing, "another repository's play is not held by it");
  t.same(await runsOf(client, ns, 'CodeRun', queued), [], `${queued} waits, with no run`);
  t.match(
    await limits(ns),
    { 'repository.acme.payments': '1', 'repository.acme.billing': '1', 'organization.acme': '3' },
    'the plays added their keys with the defaults',
  );
  await succeed(ns, run);
  const [next] = await untilRuns(client, ns, 'CodeRun', queued, 1, controller);
  t.match(next?.spec, { githubApp: '5DLabs-Rex' }, `${queued} runs its agent once ${holder}'s finished`);
  t.match(
    (await readWorkflow(client, ns, holder)).status?.phase,
    'Running',
    `${holder} goes on (waiting for its pull request)`,
  );
});

t.test(
  "a repository's limit of 2 runs two implementation agents and holds the third; its organisation's holds another repository's",
  async (t) => {
    const ns = await testNamespace(t, cluster);
    await installWorkflowTemplates(cluster, ns);
    await limits(ns, { 'repository.acme.payments': '2', 'organization.acme': '2' });
    const [p5, p6] = [await play(ns, 'payments', 5), await play(ns, 'payments', 6)];
    await untilLimited(ns, { [p5]: 'run', [p6]: 'run' });
    t.pass('two plays of payments run their implementation agents at once');
    const p7 = await play(ns, 'payments', 7);
    const b5 = await play(ns, 'billing', 5);
    await untilLimited(ns, {
      [p5]: 'run',
      [p6]: 'run',
      [p7]: 'waits repository.acme.payments',
      [b5]: 'waits organization.acme',
    });
    t.pass("the third waits for its repository, billing for its organisation (full with payments' two)");
    t.ok(
      semaphoreOf(await readWorkflow(client, ns, b5), 'repository.acme.billing', 'holding'),
      'billing holds its own repository meanwhile',
    );
    t.match(
      await limits(ns),
      { 'repository.acme.payments': '2', 'organization.acme': '2', 'repository.acme.billing': '1' },
      'listed limits keep their values; the missing key got its default',
    );
    // One place frees in both: billing, first in the organisation's queue, takes it; the third payments
    // play, which stood in no queue of the organisation while it waited for its repository, waits there now.
    await succeed(ns, (await runsOf(client, ns, 'CodeRun', p5))[0]);
    await untilLimited(ns, { [p6]: 'run', [b5]: 'run', [p7]: 'waits organization.acme' });
    t.pass('billing runs; the third payments play holds its repository and waits for the organisation');
  },
);

t.test(
  "a push during the quality round cancels its runs and starts it again; an earlier round's labels open nothing",
  async (t) => {
    const ns = await testNamespace(t, cluster);
    await installWorkflowTemplates(cluster, ns);
    const wf = await play(ns, 'payments', 7);
    const [implementation] = await untilRuns(client, ns, 'CodeRun', wf, 1, controller);
    await succeed(ns, implementation, { pullRequestUrl: PR, usage: { costUsd: '1.5' }, attempt: 3 });
    await untilStep(ns, wf, 'pull-request');
    await labelPlay(ns, wf, { 'play-pull-request': 'true' });

    // Round 1: the quality App labels ready-for-qa during its run, before its wait: the label stays.
    const [, quality1] = await untilRuns(client, ns, 'CodeRun', wf, 2, controller);
    t.equal(quality1?.metadata?.name, `${wf}-quality-r1`);
    t.match(quality1?.spec, { githubApp: '5DLabs-Cleo' });
    await labelPlay(ns, wf, { 'play-ready-for-qa': 'true' });
    await succeed(ns, quality1);
    const [, , testing1] = await untilRuns(client, ns, 'CodeRun', wf, 3, controller);
    t.match(
      testing1,
      { metadata: { name: `${wf}-testing-r1` }, spec: { githubApp: '5DLabs-Tess' } },
      'the label set before its wait opened it',
    );

    // A push while testing runs: the testing run is cancelled, and the round starts again.
    await labelPlay(ns, wf, { 'play-pushed': 'true' });
    await untilCancelled(ns, `${wf}-testing-r1`);
    const round2 = await untilRuns(client, ns, 'CodeRun', wf, 4, controller);
    t.equal(round2[3]?.metadata?.name, `${wf}-quality-r2`, 'quality runs again');
    const labels = (await readWorkflow(client, ns, wf)).metadata?.labels ?? {};
    t.notOk('play-pushed' in labels, 'the new round cleared the push');
    t.notOk('play-ready-for-qa' in labels, "and round 1's ready-for-qa");
    await succeed(ns, round2[3]);
    await untilStep(ns, wf, 'ready-for-qa');
    t.same(
      names(await runsOf(client, ns, 'CodeRun', wf)),
      names(round2),
      "round 2 waits for its own ready-for-qa: round 1's does not open it",
    );

    // A push during that wait ends it, saying so, and starts round 3; its events carry the play through.
    // The round's end is written with the push, as when the gate's wait saw the push before the watch
    // did and the round's exit hook ran first: the watch still reads it as a push.
    await labelPlay(ns, wf, { 'play-pushed': 'true', 'play-qa-ended': '2' });
    t.match(
      (await untilNode(ns, wf, 'pushed', ['Failed'])).message,
      /: a push to the task's branch ended the wait for the label ready-for-qa on the pull request$/,
      'the wait a push ended says so (not its timeout)',
    );
    const round3 = await untilRuns(client, ns, 'CodeRun', wf, 5, controller);
    t.equal(round3[4]?.metadata?.name, `${wf}-quality-r3`);
    await succeed(ns, round3[4], { pullRequestUrl: PR, usage: { costUsd: '0.5' }, attempt: 1 });
    await untilStep(ns, wf, 'ready-for-qa');
    await labelPlay(ns, wf, { 'play-ready-for-qa': 'true' });
    const [testing3] = (await untilRuns(client, ns, 'CodeRun', wf, 6, controller)).slice(5);
    t.equal(testing3?.metadata?.name, `${wf}-testing-r3`);
    await succeed(ns, testing3, { pullRequestUrl: PR, usage: { costUsd: '0.25' }, attempt: 2 });
    await untilStep(ns, wf, 'approved');
    await labelPlay(ns, wf, { 'play-approved': 'true' });
    await untilStep(ns, wf, 'approval');
    t.equal(await resumeWorkflow(client, ns, wf), 1);
    const done = await untilWorkflow(client, ns, wf, ['Succeeded', 'Failed', 'Error'], controller);
    t.equal(done.status?.phase, 'Succeeded', 'round 3 carried the play to its approval');
    // Each a JSON object (Argo's toJson writes its keys sorted), read back for the comparison.
    const result = (run: string, cost: string, attempts: string) => ({
      'run-name': run,
      'pull-request-url': PR,
      'cost-usd': cost,
      attempts,
    });
    t.same(
      Object.fromEntries(Object.entries(workflowOutputs(done)).map(([k, v]) => [k, v ? JSON.parse(v) : v])),
      {
        implementation: result(String(implementation?.metadata?.name), '1.5', '3'),
        quality: result(`${wf}-quality-r3`, '0.5', '1'),
        testing: result(`${wf}-testing-r3`, '0.25', '2'),
        deploy: '',
        acceptance: '',
      },
      "the play's outputs: each stage's run (round 3's quality and testing), the skipped stages' empty",
    );
    // Round 1's watch saw its push; round 2's push ended the round before its watch looked (written
    // with the round's end), so its watch failed, and round 3 ran all the same (above): the round's step
    // `pushed` found the label. Round 3 ended by itself.
    t.same(
      nodesOf(done)
        .filter((n) => n.displayName === 'watch')
        .map((n) => n.phase)
        .sort(),
      ['Failed', 'Failed', 'Succeeded'],
      'the watches: one push seen, two rounds ended (one of them by its push)',
    );
    const finished = await Promise.all(
      names(await runsOf(client, ns, 'CodeRun', wf)).map(async (n) => [
        n,
        ((await readRun(ns, n)).status as { phase?: string } | undefined)?.phase,
      ]),
    );
    t.same(
      finished.map(([n, phase]) => `${String(n).replace(`${wf}-`, '')}:${phase}`).sort(),
      [
        `${String(implementation?.metadata?.name)}:Succeeded`,
        'quality-r1:Succeeded',
        'quality-r2:Succeeded',
        'quality-r3:Succeeded',
        'testing-r1:Cancelled',
        'testing-r3:Succeeded',
      ].sort(),
      'each run ended as its round did',
    );
  },
);

t.test('a play pushed more often than qa-rounds fails, saying so', async (t) => {
  const ns = await testNamespace(t, cluster);
  await installWorkflowTemplates(cluster, ns);
  const wf = await play(ns, 'payments', 8, { 'qa-rounds': '1' });
  const [implementation] = await untilRuns(client, ns, 'CodeRun', wf, 1, controller);
  await succeed(ns, implementation);
  await labelPlay(ns, wf, { 'play-pull-request': 'true' });
  await untilRuns(client, ns, 'CodeRun', wf, 2, controller);
  await labelPlay(ns, wf, { 'play-pushed': 'true' });
  await untilCancelled(ns, `${wf}-quality-r1`);
  const failed = await untilWorkflow(client, ns, wf, ['Succeeded', 'Failed', 'Error'], controller);
  t.equal(failed.status?.phase, 'Failed');
  t.match(
    nodesOf(failed).find((n) => n.displayName === 'pushed-too-often')?.message,
    /a push restarted the quality round 1 times \(qa-rounds\)/,
  );
  t.equal((await runsOf(client, ns, 'CodeRun', wf)).length, 2, 'no second round');
});
