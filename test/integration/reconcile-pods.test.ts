// The run follows its agent's pod, on the local cluster's real scheduler and Job controller with pods
// simulated by KWOK (outcomes chosen by sim.orchestrator.io/* pod annotations, cluster/stages/pod.yaml):
// Pending with the pod's reason until the agent runs, Running while it runs, a stuck pod failing its
// attempt after the grace period, the failure's exit code and last words in the message, and the
// agent's result document (docs/result-protocol.md) in status, `kubectl get -o wide` and an Event.
import t from 'tap';
import type { TaskRun, TaskRunStatus } from '../../src/api/index.js';
import { RESULT_PROTOCOL } from '../../src/controllers/pods/agent-result.js';
import type { KubeClient, KubeObject } from '../../src/runtime/index.js';
import { kubectl } from '../harness/cluster/cluster.js';
import { sampleTaskRun, taskRunPath, testConfig } from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();
const { cluster } = suite;

const sim = (annotations: Record<string, string>) => ({ podAnnotations: annotations });

async function create(
  client: KubeClient,
  namespace: string,
  run: TaskRun,
): Promise<() => Promise<TaskRunStatus>> {
  await client.request('POST', taskRunPath(namespace), { body: run });
  const name = run.metadata?.name ?? '';
  return async () =>
    (await client.request<TaskRun>('GET', taskRunPath(namespace, name))).status ?? ({} as TaskRunStatus);
}

const reasonOf = (status: TaskRunStatus) => status.conditions?.find((c) => c.type === 'Succeeded')?.reason;

async function eventsOf(client: KubeClient, namespace: string, name: string): Promise<KubeObject[]> {
  const list = await client.request<{ items: KubeObject[] }>(
    'GET',
    `/api/v1/namespaces/${namespace}/events`,
    {
      query: { fieldSelector: `involvedObject.name=${name}` },
    },
  );
  return list.items;
}

type ContainerStatus = { name: string; state?: { running?: unknown; terminated?: unknown } };
type AgentPodStatus = { initContainerStatuses?: ContainerStatus[] };

t.test('Pending while the workspace is prepared, Running only once the agent container runs', async (t) => {
  const { namespace, client } = await suite.start(t);
  const status = await create(
    client,
    namespace,
    sampleTaskRun('slow-start', 7, sim({ 'sim.orchestrator.io/init-delay': '20s' })),
  );
  const preparing = await waitFor('Pending while the init container runs', async () => {
    const s = await status();
    return s.phase === 'Pending' && s.message?.includes('preparing the workspace') ? s : undefined;
  });
  t.equal(reasonOf(preparing), 'PodPending');
  t.match(preparing.podName, /^.+$/, 'the pod is named in status');
  const running = await waitFor('Running', async () => {
    const s = await status();
    return s.phase === 'Running' ? s : undefined;
  });
  t.equal(reasonOf(running), 'AgentRunning');
  const pod = await client.request<KubeObject>(
    'GET',
    `/api/v1/namespaces/${namespace}/pods/${running.podName}`,
  );
  // The agent's container is an init container. Read after the run said Running, the pod can only
  // show that it started: running, or already done (on a busy machine the publisher after it may
  // have finished too by the time this reads it); never still waiting.
  const statuses = pod.status as AgentPodStatus;
  const agent = statuses.initContainerStatuses?.find((c) => c.name === 'agent');
  t.ok(
    agent?.state?.running || agent?.state?.terminated,
    'when the run says Running, its agent container runs (or has run)',
  );
});

t.test('a pod that cannot be scheduled keeps the run Pending with the scheduler’s reason', async (t) => {
  const { namespace, client } = await suite.start(t);
  const status = await create(
    client,
    namespace,
    sampleTaskRun('too-big', 7, { resources: { requests: { cpu: '500' }, limits: { cpu: '500' } } }),
  );
  const pending = await waitFor('Pending, Unschedulable', async () => {
    const s = await status();
    return reasonOf(s) === 'Unschedulable' ? s : undefined;
  });
  t.equal(pending.phase, 'Pending');
  t.match(pending.message, /cannot be scheduled: .*Insufficient cpu/, 'the scheduler’s own message');
  await waitFor('a Warning event Unschedulable', async () =>
    (await eventsOf(client, namespace, 'too-big')).some(
      (e) => (e as { reason?: string }).reason === 'Unschedulable',
    ),
  );
});

t.test('a missing Secret fails the attempt after the grace period, naming the Secret', async (t) => {
  const config = testConfig((c) => {
    c.job.stuckPodGraceSeconds = 10;
    c.retries = { ...c.retries, maxRetries: 0 };
  });
  const { namespace, client } = await suite.start(t, config);
  const message = 'secret "github-app-5dlabs-rex" not found';
  const status = await create(
    client,
    namespace,
    sampleTaskRun(
      'no-secret',
      7,
      sim({
        'sim.orchestrator.io/waiting-reason': 'CreateContainerConfigError',
        'sim.orchestrator.io/waiting-message': message,
      }),
    ),
  );
  const failed = await waitFor('Failed after the grace period', async () => {
    const s = await status();
    return s.phase === 'Failed' ? s : undefined;
  });
  // The Pending state was brief: its Event stays (the status poll could miss it on a loaded machine).
  const stuck = (await eventsOf(client, namespace, 'no-secret')).find(
    (e) => (e as { reason?: string }).reason === 'ContainerConfigError',
  ) as { type?: string; message?: string } | undefined;
  t.equal(stuck?.type, 'Warning', 'it was Pending on the missing Secret first');
  t.ok(stuck?.message?.includes(message), 'the kubelet’s message, naming the Secret');
  t.equal(reasonOf(failed), 'RetriesExhausted');
  t.match(failed.message, /CreateContainerConfigError: secret "github-app-5dlabs-rex" not found/);
  t.match(failed.message, /job\.stuckPodGraceSeconds, 10 s/);
});

t.test('the agent’s result comes back: status, kubectl get -o wide, an Event', async (t) => {
  const { namespace, client } = await suite.start(t);
  const url = 'https://github.com/acme/payments/pull/42';
  const result = {
    protocol: RESULT_PROTOCOL,
    pullRequestUrl: url,
    sessionId: 'session-7f3a',
    workCompleted: true,
    summary: 'added the retry budget',
    commit: '0123456789abcdef0123456789abcdef01234567',
  };
  const status = await create(
    client,
    namespace,
    sampleTaskRun(
      'reports',
      7,
      sim({
        'sim.orchestrator.io/delay': '1s',
        'sim.orchestrator.io/termination-message': JSON.stringify(result),
      }),
    ),
  );
  const done = await waitFor('Succeeded', async () => {
    const s = await status();
    return s.phase === 'Succeeded' ? s : undefined;
  });
  t.match(done, {
    pullRequestUrl: url,
    sessionId: 'session-7f3a',
    workCompleted: true,
    summary: 'added the retry budget',
    commit: result.commit,
    retryCount: 0,
  });
  t.match(done.message, `pull request ${url}`);
  const events = await waitFor('a PullRequestOpened event', async () => {
    const list = await eventsOf(client, namespace, 'reports');
    return list.some((e) => (e as { reason?: string }).reason === 'PullRequestOpened') ? list : undefined;
  });
  t.ok(events.some((e) => (e as { message?: string }).message?.includes(url)));
  const wide = await kubectl(cluster, ['get', 'agenttaskrun', 'reports', '-n', namespace, '-o', 'wide']);
  t.equal(wide.code, 0, wide.stderr);
  t.match(wide.stdout, /\bPR\b/, 'the PR column');
  t.ok(wide.stdout.includes(url), 'the pull request in kubectl get -o wide');
});

t.test('a failure carries its exit code and last words; a non-retryable code is not retried', async (t) => {
  const config = testConfig((c) => {
    c.retries = { ...c.retries, maxRetries: 3, backoffSeconds: 0, nonRetryableExitCodes: [3] };
  });
  const { namespace, client } = await suite.start(t, config);
  const status = await create(
    client,
    namespace,
    sampleTaskRun(
      'impossible',
      7,
      sim({
        'sim.orchestrator.io/delay': '1s',
        'sim.orchestrator.io/exit-code': '3',
        'sim.orchestrator.io/termination-message': 'thinking…\nthe task cannot be done: no such API',
      }),
    ),
  );
  const failed = await waitFor('Failed without a retry', async () => {
    const s = await status();
    return s.phase === 'Failed' ? s : undefined;
  });
  t.equal(reasonOf(failed), 'NotRetryable');
  t.equal(failed.attempt, 1, 'no second attempt');
  t.match(failed.message, /the agent exited with code 3: the task cannot be done: no such API/);
  t.match(failed.message, /exit code 3 is not retried \(retries.nonRetryableExitCodes\)/);
});

t.test('a retry resumes the session the failed attempt reported', async (t) => {
  const config = testConfig((c) => {
    c.retries = { ...c.retries, maxRetries: 2, backoffSeconds: 0 };
  });
  const { namespace, client } = await suite.start(t, config);
  const result = { protocol: RESULT_PROTOCOL, sessionId: 'session-to-resume', workCompleted: false };
  const status = await create(
    client,
    namespace,
    sampleTaskRun(
      'resumes',
      7,
      sim({
        'sim.orchestrator.io/delay': '1s',
        'sim.orchestrator.io/exit-code': '1',
        'sim.orchestrator.io/termination-message': JSON.stringify(result),
      }),
    ),
  );
  const second = await waitFor('attempt 2 with the session recorded', async () => {
    const s = await status();
    return s.attempt === 2 && s.configMapName ? s : undefined;
  });
  t.equal(second.sessionId, 'session-to-resume', 'the failed attempt’s report is kept');
  t.equal(second.retryCount, 1);
  const files = await client.request<{ data: Record<string, string> }>(
    'GET',
    `/api/v1/namespaces/${namespace}/configmaps/${second.configMapName}`,
  );
  const script = Object.values(files.data).join('\n');
  t.match(script, /readonly SESSION_ID='?session-to-resume'?/, 'attempt 2’s entry script resumes it');
});
