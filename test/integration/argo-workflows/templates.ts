// config/argo/workflows executed by Argo Workflows (docs/argo.md "How they are checked"): the real
// workflow-controller on the host, every step's pod running Argo's executor on the local cluster's
// real node with the account config/argo/workflows gives it. The operator does not run here: the test
// writes each run's status.phase as the operator would (argo-chain.test.ts runs the operator), so
// what is checked is what Argo does with the templates: the run each step creates, the conditions it
// waits on, the DAG's order, failFast, the approval, the semaphores and the workflow's ownership.
import t from 'tap';
import { runPath } from '../../../src/cli/kinds.js';
import { isNotFound, type KubeObject } from '../../../src/runtime/index.js';
import { testNamespace } from '../../harness/cluster/cluster.js';
import { playSuite } from '../../harness/deploy/argo-play.js';
import { type RunPhase, runsOf, setRunPhase, untilRuns } from '../../harness/deploy/argo-runs.js';
import {
  installWorkflowTemplates,
  nodesOf,
  readWorkflow,
  resumeWorkflow,
  STEP_WAIT,
  submitWorkflow,
  untilWorkflow,
  workflowsPath,
} from '../../harness/deploy/argo-workflows.js';
import { waitFor } from '../../harness/util/wait.js';

const { cluster, client, controller } = await playSuite();

const PARAMETERS = {
  service: 'payments',
  'repository-url': 'https://github.com/acme/payments',
  'docs-repository-url': 'https://github.com/acme/docs',
};

t.test(
  'coderun-template: the run is its parameters, owned by the Workflow; the step follows its phase',
  async (t) => {
    const ns = await testNamespace(t, cluster);
    await installWorkflowTemplates(cluster, ns);
    for (const outcome of ['Succeeded', 'Failed'] as RunPhase[]) {
      // The second as the seeds submit it: `-p service-id=payments` names the service.
      const { service, ...rest } = PARAMETERS;
      const named: Record<string, string> = outcome === 'Succeeded' ? { service } : { 'service-id': service };
      const wf = await submitWorkflow(client, ns, 'coderun-template', {
        ...rest,
        ...named,
        'task-id': '7',
        'context-version': '2',
        'continue-session': 'true',
      });
      const [run] = await untilRuns(client, ns, 'CodeRun', wf, 1, controller);
      t.same(
        run?.spec,
        {
          taskId: 7,
          service: 'payments',
          repositoryUrl: 'https://github.com/acme/payments',
          docsRepositoryUrl: 'https://github.com/acme/docs',
          docsBranch: 'main',
          workingDirectory: '.',
          githubApp: '5DLabs-Rex',
          contextVersion: 2,
          continueSession: true,
          overwriteMemory: false,
          // The CRD's own defaults (the apiserver's, not the template's).
          enableDocker: false,
          toolConfig: 'default',
        },
        'the spec is exactly the parameters, numbers and booleans typed as the schema wants',
      );
      const workflow = await readWorkflow(client, ns, wf);
      t.match(run?.metadata?.ownerReferences, [{ kind: 'Workflow', name: wf, uid: workflow.metadata?.uid }]);
      t.match(run?.metadata?.name, /^payments-t7-[a-z0-9]{5}$/);
      const name = String(run?.metadata?.name);
      // A retry the operator has scheduled is Pending: the step must go on waiting through it.
      await setRunPhase(client, ns, 'CodeRun', name, 'Running');
      await setRunPhase(client, ns, 'CodeRun', name, 'Pending', 'RetryScheduled');
      const PR = 'https://github.com/acme/payments/pull/12';
      await setRunPhase(client, ns, 'CodeRun', name, outcome, outcome, {
        attempt: 2,
        pullRequestUrl: PR,
        usage: { costUsd: '0.4213' },
      });
      const done = await untilWorkflow(client, ns, wf, ['Succeeded', 'Failed', 'Error'], controller);
      t.equal(done.status?.phase, outcome, `a ${outcome} run makes the Workflow ${outcome}`);
      const step = nodesOf(done).find((n) => n.type === 'Pod');
      if (outcome === 'Succeeded') {
        t.same(
          step?.outputs?.parameters?.map((p: { name: string; value?: string }) => [p.name, p.value]),
          [
            ['run-name', name],
            ['pull-request-url', PR],
            ['cost-usd', '0.4213'],
            ['attempts', '2'],
          ],
          "the step's outputs: the run's name, pull request, cost and attempts",
        );
      } else {
        t.match(step?.message, /failure condition/i, 'the step says its failure condition held');
      }
    }
  },
);

t.test('docsrun-template: a DocsRun of its parameters, and the step ends with it', async (t) => {
  const ns = await testNamespace(t, cluster);
  await installWorkflowTemplates(cluster, ns);
  const wf = await submitWorkflow(client, ns, 'docsrun-template', {
    'repository-url': 'https://github.com/acme/payments',
    'working-directory': 'docs',
    'include-codebase': 'true',
  });
  const [run] = await untilRuns(client, ns, 'DocsRun', wf, 1, controller);
  t.same(run?.spec, {
    repositoryUrl: 'https://github.com/acme/payments',
    workingDirectory: 'docs',
    sourceBranch: 'main',
    githubApp: '5DLabs-Morgan',
    includeCodebase: true,
  });
  await setRunPhase(client, ns, 'DocsRun', String(run?.metadata?.name), 'Succeeded');
  t.equal(
    (await untilWorkflow(client, ns, wf, ['Succeeded', 'Failed', 'Error'], controller)).status?.phase,
    'Succeeded',
  );
});

t.test(
  'as shipped (no App in the config): a workflow needing an App fails naming its key; -p gives it',
  async (t) => {
    const ns = await testNamespace(t, cluster);
    await installWorkflowTemplates(cluster, ns, new Map());
    const bare = await submitWorkflow(client, ns, 'coderun-template', { ...PARAMETERS, 'task-id': '7' });
    const failed = await untilWorkflow(client, ns, bare, ['Failed', 'Error', 'Succeeded'], controller);
    t.not(failed.status?.phase, 'Succeeded');
    t.match(
      failed.status?.message,
      /orchestrator-argo-apps.*implementation-app/,
      'the message names the key',
    );
    t.same(await runsOf(client, ns, 'CodeRun', bare), [], 'and no run is created');
    const given = await submitWorkflow(client, ns, 'coderun-template', {
      ...PARAMETERS,
      'task-id': '7',
      'github-app': 'acme-rex',
    });
    const [run] = await untilRuns(client, ns, 'CodeRun', given, 1, controller);
    t.match(run?.spec, { githubApp: 'acme-rex' }, 'a submitter’s App needs no ConfigMap key');
  },
);

t.test(
  'orchestrator-dag: agents in order per task, a failed task leaves the other going, approval resumes',
  async (t) => {
    const ns = await testNamespace(t, cluster);
    await installWorkflowTemplates(cluster, ns);
    const wf = await submitWorkflow(client, ns, 'orchestrator-dag', { ...PARAMETERS, 'task-ids': '[3, 4]' });
    const apps = (runs: KubeObject[]) =>
      runs
        .map((r) => `${(r.spec as { taskId: number }).taskId}:${(r.spec as { githubApp: string }).githubApp}`)
        .sort();
    const first = await untilRuns(client, ns, 'CodeRun', wf, 2, controller);
    t.same(apps(first), ['3:5DLabs-Rex', '4:5DLabs-Rex'], 'both tasks start with the implementation agent');
    const byTask = (runs: KubeObject[], id: number) =>
      String(runs.find((r) => (r.spec as { taskId: number }).taskId === id)?.metadata?.name);
    await setRunPhase(client, ns, 'CodeRun', byTask(first, 4), 'Failed');
    await setRunPhase(client, ns, 'CodeRun', byTask(first, 3), 'Succeeded');
    const second = await untilRuns(client, ns, 'CodeRun', wf, 3, controller);
    t.same(apps(second), ['3:5DLabs-Cleo', '3:5DLabs-Rex', '4:5DLabs-Rex'], 'quality follows task 3 only');
    const quality = second.find((r) => (r.spec as { githubApp: string }).githubApp === '5DLabs-Cleo');
    await setRunPhase(client, ns, 'CodeRun', String(quality?.metadata?.name), 'Succeeded');
    const third = await untilRuns(client, ns, 'CodeRun', wf, 4, controller);
    const testing = third.find((r) => (r.spec as { githubApp: string }).githubApp === '5DLabs-Tess');
    t.ok(testing, 'testing follows quality');
    await setRunPhase(client, ns, 'CodeRun', String(testing?.metadata?.name), 'Succeeded');
    const suspended = await waitFor(
      'the approval step of task 3 suspended',
      async (note) => {
        const w = await readWorkflow(client, ns, wf);
        // Task 4's approval is Omitted (its chain failed); task 3's is the suspend node.
        const approval = nodesOf(w).find((n) => n.type === 'Suspend');
        note({ phase: w.status?.phase, approval });
        return approval?.phase === 'Running' ? w : undefined;
      },
      STEP_WAIT,
    );
    t.equal(suspended.status?.phase, 'Running', 'a Workflow waiting for approval is Running');
    t.equal(await resumeWorkflow(client, ns, wf), 1, 'one suspend node resumed');
    const done = await untilWorkflow(client, ns, wf, ['Succeeded', 'Failed', 'Error'], controller);
    t.equal(done.status?.phase, 'Failed', "task 4's failure fails the Workflow once every task ended");
    t.match(
      nodesOf(done).find((n) => n.type === 'Suspend'),
      { phase: 'Succeeded' },
      'approved',
    );
    t.match(
      nodesOf(done).find((n) => n.displayName === 'approval' && n.type !== 'Suspend'),
      { phase: 'Omitted' },
      "task 4's approval never asked",
    );
    t.equal((await runsOf(client, ns, 'CodeRun', wf)).length, 4, 'no run was created twice');
  },
);

t.test(
  'the coderuns semaphore holds at most its limit of unfinished runs, holder and waiter visible',
  async (t) => {
    const ns = await testNamespace(t, cluster);
    await installWorkflowTemplates(cluster, ns);
    await client.request('PATCH', `/api/v1/namespaces/${ns}/configmaps/orchestrator-argo-semaphores`, {
      body: { data: { coderuns: '1' } },
      contentType: 'application/merge-patch+json',
    });
    const params = { ...PARAMETERS, 'task-id': '5' };
    const a = await submitWorkflow(client, ns, 'coderun-template', params);
    const [held] = await untilRuns(client, ns, 'CodeRun', a, 1, controller);
    const b = await submitWorkflow(client, ns, 'coderun-template', params);
    const waiting = await waitFor(
      `Workflow ${b} waiting on the semaphore`,
      async (note) => {
        const w = await readWorkflow(client, ns, b);
        note(w.status);
        return w.status?.synchronization?.semaphore?.waiting?.length ? w : undefined;
      },
      STEP_WAIT,
    );
    t.match(JSON.stringify(waiting.status?.synchronization), /orchestrator-argo-semaphores\/coderuns/);
    const holder = await readWorkflow(client, ns, a);
    t.match(holder.status?.synchronization?.semaphore?.holding, [{ semaphore: /coderuns/ }]);
    t.same(await runsOf(client, ns, 'CodeRun', b), [], 'the waiting Workflow created no run');
    await setRunPhase(client, ns, 'CodeRun', String(held?.metadata?.name), 'Succeeded');
    const [next] = await untilRuns(client, ns, 'CodeRun', b, 1, controller);
    t.ok(next, 'the waiter creates its run once the holder released the semaphore');
    await setRunPhase(client, ns, 'CodeRun', String(next?.metadata?.name), 'Succeeded');
    t.equal(
      (await untilWorkflow(client, ns, b, ['Succeeded', 'Failed', 'Error'], controller)).status?.phase,
      'Succeeded',
    );
  },
);

t.test('deleting a Workflow deletes the runs it created', async (t) => {
  const ns = await testNamespace(t, cluster);
  await installWorkflowTemplates(cluster, ns);
  const wf = await submitWorkflow(client, ns, 'coderun-template', { ...PARAMETERS, 'task-id': '9' });
  const [run] = await untilRuns(client, ns, 'CodeRun', wf, 1, controller);
  await client.request('DELETE', workflowsPath(ns, wf), { query: { propagationPolicy: 'Background' } });
  const gone = (path: string) => async () => {
    try {
      await client.request('GET', path);
      return false;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  };
  await waitFor(`Workflow ${wf} deleted`, gone(workflowsPath(ns, wf)));
  await waitFor(
    `CodeRun ${run?.metadata?.name} deleted by the garbage collector`,
    gone(runPath('CodeRun', ns, String(run?.metadata?.name))),
  );
  t.pass('the run went with its Workflow');
});
