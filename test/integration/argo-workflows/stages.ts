// orchestrator-play's seed stages and parameters executed by Argo Workflows (docs/argo.md "The
// event-gated play"): the deploy and acceptance agents after the approving review, the seed's
// parameters carried into every run, each stage's retry cap, and the task association of the pull
// request the Sensor reported and of the task's marker the operator read. The real workflow-controller
// runs every step's pod with Argo's executor on the real node; the test writes the runs' phases and the
// marker's readings as the operator would and the labels and annotations as the Sensor
// github-play-gates would (rounds.ts says why).
import t from 'tap';
import type { RecordedReading } from '../../../src/controllers/play/association.js';
import type { KubeObject } from '../../../src/runtime/index.js';
import { testNamespace } from '../../harness/cluster/cluster.js';
import { markerReading, playSuite } from '../../harness/deploy/argo-play.js';
import { runsOf, untilRuns } from '../../harness/deploy/argo-runs.js';
import {
  installWorkflowTemplates,
  nodesOf,
  resumeWorkflow,
  submitWorkflow,
  untilWorkflow,
} from '../../harness/deploy/argo-workflows.js';

const { cluster, client, controller, parameters, play, labelPlay, succeed, untilStep, untilNode } =
  await playSuite();
const ended = ['Succeeded', 'Failed', 'Error'];
/** What the Sensor writes for the task's pull request #12 carrying `labels`. */
const pullRequest = (task: number, labels: string[]) => ({
  'play-branch': `feature/task-${task}-implementation`,
  'play-pr-number': '12',
  'play-labels': JSON.stringify(labels),
});
const specOf = (run: KubeObject | undefined) => (run?.spec ?? {}) as Record<string, unknown>;

t.test(
  "the seed's play: its parameters in every run, each stage's retry cap, deploy and acceptance after the approval",
  async (t) => {
    const ns = await testNamespace(t, cluster);
    await installWorkflowTemplates(cluster, ns);
    const requirements = {
      env: { RUST_LOG: 'debug' },
      envFromSecrets: [{ name: 'DATABASE_URL', secretName: 'payments-db', secretKey: 'url' }],
    };
    // The service under coderun-template's name (`service`), not the seed's (`service-id`).
    const { 'service-id': _, ...rest } = parameters('payments', 7, {
      service: 'payments',
      model: 'claude-opus-5-5',
      'task-requirements': JSON.stringify(requirements),
      'overwrite-memory': 'true',
      'docs-branch': 'develop',
      'deploy-app': 'acme-deploy',
      'acceptance-app': 'acme-acceptance',
      'deploy-retries': '2',
    });
    const wf = await submitWorkflow(client, ns, 'orchestrator-play', rest, { name: 'play-payments-t7' });
    const seed = {
      taskId: 7,
      service: 'payments',
      model: 'claude-opus-5-5',
      overwriteMemory: true,
      docsBranch: 'develop',
      ...requirements,
    };

    const [implementation] = await untilRuns(client, ns, 'CodeRun', wf, 1, controller);
    t.match(
      specOf(implementation),
      { ...seed, githubApp: '5DLabs-Rex' },
      "the implementation run: the seed's fields",
    );
    t.notOk('maxRetries' in specOf(implementation), "implementation-retries empty: the config's retries");
    await succeed(ns, implementation);
    await untilStep(ns, wf, 'pull-request');
    await labelPlay(ns, wf, { 'play-pull-request': 'true' }, pullRequest(7, ['task-7']));

    const [, quality] = await untilRuns(client, ns, 'CodeRun', wf, 2, controller);
    t.match(specOf(quality), { ...seed, githubApp: '5DLabs-Cleo', maxRetries: 5 }, 'quality: its cap, 5');
    await labelPlay(ns, wf, { 'play-ready-for-qa': 'true' }, pullRequest(7, ['task-7', 'ready-for-qa']));
    await succeed(ns, quality);
    const [, , testing] = await untilRuns(client, ns, 'CodeRun', wf, 3, controller);
    t.match(specOf(testing), { ...seed, githubApp: '5DLabs-Tess', maxRetries: 5 }, 'testing: its cap, 5');
    await succeed(ns, testing);
    await untilStep(ns, wf, 'approved');
    t.equal((await runsOf(client, ns, 'CodeRun', wf)).length, 3, 'no deploy before the approving review');
    await labelPlay(ns, wf, { 'play-approved': 'true' });

    const [, , , deploy] = await untilRuns(client, ns, 'CodeRun', wf, 4, controller);
    t.match(specOf(deploy), { ...seed, githubApp: 'acme-deploy', maxRetries: 2 }, 'then the deploy agent');
    await succeed(ns, deploy);
    const [, , , , acceptance] = await untilRuns(client, ns, 'CodeRun', wf, 5, controller);
    t.match(specOf(acceptance), { ...seed, githubApp: 'acme-acceptance' }, 'then the acceptance agent');
    t.notOk('maxRetries' in specOf(acceptance), "acceptance-retries empty: the config's retries");
    await untilStep(ns, wf, 'acceptance');
    t.equal((await runsOf(client, ns, 'CodeRun', wf)).length, 5, 'the play waits for the acceptance agent');
    await succeed(ns, acceptance);
    await untilStep(ns, wf, 'approval');
    t.equal(await resumeWorkflow(client, ns, wf), 1);
    const done = await untilWorkflow(client, ns, wf, ended, controller);
    t.equal(done.status?.phase, 'Succeeded', 'the five stages, then the approval');
  },
);

t.test('without their Apps the deploy and acceptance stages are skipped', async (t) => {
  const ns = await testNamespace(t, cluster);
  await installWorkflowTemplates(cluster, ns);
  const wf = await play(ns, 'payments', 8);
  const [implementation] = await untilRuns(client, ns, 'CodeRun', wf, 1, controller);
  await succeed(ns, implementation);
  await labelPlay(ns, wf, { 'play-pull-request': 'true' });
  const [, quality] = await untilRuns(client, ns, 'CodeRun', wf, 2, controller);
  await labelPlay(ns, wf, { 'play-ready-for-qa': 'true' });
  await succeed(ns, quality);
  const [, , testing] = await untilRuns(client, ns, 'CodeRun', wf, 3, controller);
  await labelPlay(ns, wf, { 'play-approved': 'true' });
  await succeed(ns, testing);
  await untilStep(ns, wf, 'approval');
  const skipped = await untilNode(ns, wf, 'deploy', ['Skipped']);
  t.ok(skipped, 'deploy skipped');
  t.ok(await untilNode(ns, wf, 'acceptance', ['Skipped']), 'acceptance skipped');
  t.equal((await runsOf(client, ns, 'CodeRun', wf)).length, 3, 'no deploy or acceptance run');
});

t.test('a pull request of another task fails the play at its association, saying why', async (t) => {
  const ns = await testNamespace(t, cluster);
  await installWorkflowTemplates(cluster, ns);
  const wf = await play(ns, 'payments', 9);
  const [implementation] = await untilRuns(client, ns, 'CodeRun', wf, 1, controller);
  await succeed(ns, implementation);
  await untilStep(ns, wf, 'pull-request');
  await labelPlay(ns, wf, { 'play-pull-request': 'true' }, pullRequest(9, ['task-9', 'task-4', 'bug']));
  const failed = await untilWorkflow(client, ns, wf, ended, controller);
  t.equal(failed.status?.phase, 'Failed');
  // Argo prefixes a failed container's message with its name and exit code.
  t.match(
    nodesOf(failed).find((n) => n.displayName === 'check')?.message,
    /: task association: the pull request's task labels are task-4 task-9, not task-9 alone$/,
  );
  t.equal((await runsOf(client, ns, 'CodeRun', wf)).length, 1, 'no quality run');
});

t.test(
  'a marker naming another task, or none, fails the play at its association, saying which',
  async (t) => {
    const ns = await testNamespace(t, cluster);
    await installWorkflowTemplates(cluster, ns);
    // The operator's readings of the marker as it records them (src/controllers/play/association.ts).
    const cases: Array<[number, RecordedReading, string]> = [
      [
        13,
        markerReading(13, 'task-4'),
        'the marker names another task: .orchestrator/tasks/task-13.json at 0123456789ab of acme/payments#12 names task 4, not task 13',
      ],
      [
        14,
        markerReading(14, 'missing'),
        'missing marker: .orchestrator/tasks/task-14.json at 0123456789ab of acme/payments#12 is missing',
      ],
    ];
    await Promise.all(
      cases.map(async ([task, reading, message]) => {
        const wf = await play(ns, 'payments', task);
        const [implementation] = await untilRuns(client, ns, 'CodeRun', wf, 1, controller);
        await succeed(ns, implementation, undefined, reading);
        await untilStep(ns, wf, 'pull-request');
        await labelPlay(ns, wf, { 'play-pull-request': 'true' }, pullRequest(task, [`task-${task}`]));
        const failed = await untilWorkflow(client, ns, wf, ended, controller);
        t.equal(failed.status?.phase, 'Failed', `task ${task}: Failed`);
        t.match(
          nodesOf(failed).find((n) => n.displayName === 'check')?.message,
          `: task association: ${message}`,
          `task ${task}: its step check says which`,
        );
        t.equal((await runsOf(client, ns, 'CodeRun', wf)).length, 1, `task ${task}: no quality run`);
      }),
    );
  },
);

t.test(
  'a play given the service twice, task requirements the runs cannot take, or a repository no GitHub name could be, fails first',
  async (t) => {
    const ns = await testNamespace(t, cluster);
    await installWorkflowTemplates(cluster, ns);
    const twice = await play(ns, 'payments', 10, { service: 'billing' });
    const unknown = await play(ns, 'billing', 11, { 'task-requirements': '{"env": {}, "secrets": []}' });
    // Its repository would name the limits' keys in the manifest of their ConfigMap's patch.
    const hostile = await play(ns, 'ledger', 12, {
      'repository-url': 'https://github.com/acme/x"\n  other: "1',
    });
    const cases: Array<[string, string, RegExp]> = [
      [twice, 'service', /: give the service as service-id or as service, one of them/],
      [unknown, 'task-requirements', /: task-requirements may name env and envFromSecrets/],
      [hostile, 'repository', /: limits: repository-url must name a GitHub organisation and repository/],
    ];
    for (const [wf, step, message] of cases) {
      const failed = await untilWorkflow(client, ns, wf, ended, controller);
      t.equal(failed.status?.phase, 'Failed', `${wf} fails`);
      t.match(
        nodesOf(failed).find((n) => n.displayName === step)?.message,
        message,
        `${wf}: ${step} says why`,
      );
      t.same(await runsOf(client, ns, 'CodeRun', wf), [], `${wf}: no run`);
    }
    const limits = await client.request<{ data?: Record<string, string> }>(
      'GET',
      `/api/v1/namespaces/${ns}/configmaps/orchestrator-argo-semaphores`,
    );
    t.same(
      Object.keys(limits.data ?? {}).filter((k) => /^(repository|organization)\./.test(k)),
      [],
      'no limit written for a play that failed first',
    );
  },
);
