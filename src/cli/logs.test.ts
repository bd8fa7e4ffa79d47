// `orchestrator logs` against recorded apiserver answers (test/fixtures/pod-logs: a log read whole and
// followed as the apiserver streams it, chunked; a pod that is gone; a container not started; the
// local cluster's answer when no kubelet exists), replayed over HTTP to the real KubeClient. The run,
// Job and pod objects are plain objects; test/integration/cli-logs.test.ts runs it on a real cluster.
import t, { type Test } from 'tap';
import { memoryIO, outcome } from '../../test/harness/fakes/cli-io.js';
import {
  jsonAnswer,
  type RecordedAnswer,
  type ReplayServer,
  readAnswer,
  replayServer,
} from '../../test/harness/remote/recorded-answers.js';
import { taskRunJobName } from '../naming/names.js';
import { KubeClient, type KubeObject } from '../runtime/index.js';
import { NO_KUBELET } from './log-errors.js';
import { type LogsOptions, runLogs } from './logs.js';

const RUN_PATH = '/apis/orchestrator.io/v1/namespaces/default/agenttaskruns/pay';
const owner = (uid: string) => [{ apiVersion: 'x', kind: 'X', name: 'x', uid, controller: true }];

function taskRun(status: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'orchestrator.io/v1',
    kind: 'TaskRun',
    metadata: { name: 'pay', namespace: 'default', uid: 'run-uid' },
    spec: { serviceName: 'payments', taskId: 7, retryAttempt: 1 },
    status,
  };
}

const job = (name: string, uid: string, conditions: object[] = []) => ({
  metadata: { name, uid, ownerReferences: owner('run-uid') },
  status: { conditions },
});

type State = 'running' | 'terminated' | 'waiting';
function pod(name: string, jobUid: string, agent: State) {
  const state =
    agent === 'waiting'
      ? { waiting: { reason: 'PodInitializing' } }
      : { [agent]: agent === 'running' ? {} : { exitCode: 0 } };
  return {
    metadata: {
      name,
      uid: `${name}-uid`,
      creationTimestamp: '2026-11-22T10:00:00Z',
      ownerReferences: owner(jobUid),
    },
    status: {
      phase: agent === 'waiting' ? 'Pending' : 'Running',
      initContainerStatuses: [{ name: 'prepare-workspace', state: { terminated: { exitCode: 0 } } }],
      containerStatuses: [{ name: 'agent', state }],
    },
  };
}

/** The cluster the replay server plays: one run, its Jobs and pods (mutable), and each pod's log answers in turn. */
interface World {
  run: KubeObject | undefined;
  jobs: Record<string, object>;
  pods: Record<string, ReturnType<typeof pod>[]>;
  /** Per pod, the answers to successive log reads (the last repeats); `served` runs when one is. */
  logs: Record<string, { answer: RecordedAnswer; served?: () => void }[]>;
}

async function serve(t: Test, world: World): Promise<{ server: ReplayServer; client: KubeClient }> {
  const server = await replayServer((path, query) => {
    if (path === RUN_PATH) return world.run && jsonAnswer(world.run);
    const jobName = /\/jobs\/([^/]+)$/.exec(path)?.[1];
    if (jobName) return world.jobs[jobName] && jsonAnswer(world.jobs[jobName]);
    if (path === '/api/v1/namespaces/default/pods') {
      const uid = query.get('labelSelector')?.split('=')[1] ?? '';
      return jsonAnswer({ items: world.pods[uid] ?? [] });
    }
    const podName = /\/pods\/([^/]+)\/log$/.exec(path)?.[1] ?? '';
    const queue = world.logs[podName] ?? [];
    const next = queue.length > 1 ? queue.shift() : queue[0];
    next?.served?.();
    return next?.answer;
  });
  const client = new KubeClient(server.kubeConfig, { requestTimeoutMs: 5000 });
  t.teardown(async () => {
    client.close();
    await server.close();
  });
  return { server, client };
}

async function logs(client: KubeClient, opts: LogsOptions = {}, io = memoryIO()) {
  return outcome(io, (io) =>
    runLogs(client, { kind: 'TaskRun', name: 'pay', namespace: 'default' }, io, { pollMs: 20, ...opts }),
  );
}

/** A run at attempt 1 whose agent is running, with `log` as its pod's log answer. */
const running = (log: RecordedAnswer): World => ({
  run: taskRun({ phase: 'Running', attempt: 1, jobName: 'job-1' }),
  jobs: { 'job-1': job('job-1', 'job-1-uid') },
  pods: { 'job-1-uid': [pod('job-1-a', 'job-1-uid', 'running')] },
  logs: { 'job-1-a': [{ answer: log }] },
});

t.test("prints the agent container's log of the current attempt's pod", async (t) => {
  const { client, server } = await serve(t, running(readAnswer('whole-log')));
  const res = await logs(client);
  t.equal(res.code, 0);
  t.equal(res.stdout, 'line 1\nline 2\nline 3\n');
  t.ok(server.requests.includes('/api/v1/namespaces/default/pods/job-1-a/log?container=agent'));
  t.ok(
    server.requests.includes(
      '/api/v1/namespaces/default/pods?labelSelector=batch.kubernetes.io%2Fcontroller-uid%3Djob-1-uid',
    ),
    "the Job's pods, by the Job's uid",
  );
});

t.test('--init reads the init container', async (t) => {
  const { client, server } = await serve(t, running(readAnswer('whole-log')));
  t.equal((await logs(client, { init: true })).code, 0);
  t.ok(server.requests.includes('/api/v1/namespaces/default/pods/job-1-a/log?container=prepare-workspace'));
});

t.test('the local cluster has no kubelet: said so, naming the pod and the node', async (t) => {
  for (const follow of [false, true]) {
    const { client } = await serve(t, running(readAnswer('no-kubelet')));
    const res = await logs(client, { follow });
    t.equal(res.code, 1, `follow=${follow}`);
    t.match(res.stderr, `no logs for pod job-1-a: ${NO_KUBELET}`);
    t.match(res.stderr, 'the kubelet of node kwok-node-0');
  }
});

t.test('the pod went away before its log was read', async (t) => {
  const { client } = await serve(t, running(readAnswer('pod-not-found')));
  const res = await logs(client);
  t.equal(res.code, 1);
  t.match(res.stderr, 'pod job-1-a (attempt 1) is gone');
});

t.test('a run that does not exist', async (t) => {
  const { client } = await serve(t, { run: undefined, jobs: {}, pods: {}, logs: {} });
  const res = await logs(client);
  t.equal(res.code, 1);
  t.match(res.stderr, 'taskrun "pay" not found in namespace "default"');
});

t.test('a Job removed by cleanup: said so, with what status says', async (t) => {
  const world = running(readAnswer('whole-log'));
  world.run = taskRun({
    phase: 'Failed',
    attempt: 1,
    jobName: 'job-1',
    message: 'the agent exited with code 2',
  });
  world.jobs = {};
  const res = await logs((await serve(t, world)).client, { follow: true });
  t.equal(res.code, 1);
  t.match(res.stderr, 'the Job of attempt 1, job-1, is gone (removed by cleanup');
  t.match(res.stderr, 'status says Failed: the agent exited with code 2');
});

t.test('a finished Job whose pod is gone', async (t) => {
  const world = running(readAnswer('whole-log'));
  world.jobs = { 'job-1': job('job-1', 'job-1-uid', [{ type: 'Complete', status: 'True' }]) };
  world.pods = {};
  const res = await logs((await serve(t, world)).client);
  t.match(res.stderr, 'the pod of Job job-1 (attempt 1) is gone');
});

t.test('no Job yet, a container not started: a message; -f waits', async (t) => {
  const world = running(readAnswer('whole-log'));
  world.run = taskRun({ phase: 'Pending', message: 'waiting for capacity' });
  let res = await logs((await serve(t, world)).client);
  t.equal(res.code, 1);
  t.match(
    res.stderr,
    'taskrun pay has no Job yet (status says Pending: waiting for capacity) (-f waits for it)',
  );

  const waiting = running(readAnswer('whole-log'));
  waiting.pods = { 'job-1-uid': [pod('job-1-a', 'job-1-uid', 'waiting')] };
  const { client } = await serve(t, waiting);
  res = await logs(client);
  t.match(res.stderr, 'the agent container of pod job-1-a (attempt 1) has not started: PodInitializing');

  // -f: waits until the container runs, then follows it to its end.
  setTimeout(() => {
    waiting.pods = { 'job-1-uid': [pod('job-1-a', 'job-1-uid', 'terminated')] };
    waiting.run = taskRun({ phase: 'Succeeded', attempt: 1, jobName: 'job-1' });
  }, 100);
  res = await logs(client, { follow: true });
  t.equal(res.code, 0);
  t.match(
    res.stderr,
    'waiting: the agent container of pod job-1-a (attempt 1) has not started: PodInitializing',
  );
  t.equal(res.stdout, 'line 1\nline 2\nline 3\n');
});

t.test('the kubelet says the container is waiting to start (a race): without -f, said so', async (t) => {
  const res = await logs((await serve(t, running(readAnswer('waiting-to-start')))).client);
  t.equal(res.code, 1);
  t.match(res.stderr, 'is waiting to start: PodInitializing (-f waits for it)');
});

t.test(
  '--attempt: a former attempt by the name the reconciler gives its Job; a later one does not exist',
  async (t) => {
    const former = taskRunJobName('payments', 7, 1, 'run-uid');
    const world = running(readAnswer('whole-log'));
    world.run = taskRun({ phase: 'Running', attempt: 2, jobName: 'job-2' });
    world.jobs = { [former]: job(former, 'job-1-uid') };
    const { client } = await serve(t, world);
    const res = await logs(client, { attempt: 1 });
    t.equal(res.code, 0);
    t.equal(res.stdout, 'line 1\nline 2\nline 3\n');
    const later = await logs(client, { attempt: 3 });
    t.match(later.stderr, 'taskrun pay is at attempt 2: it has no attempt 3');
  },
);

t.test("a Job another object controls is not the run's", async (t) => {
  const world = running(readAnswer('whole-log'));
  world.jobs = {
    'job-1': {
      ...job('job-1', 'job-1-uid'),
      metadata: { name: 'job-1', uid: 'job-1-uid', ownerReferences: owner('other') },
    },
  };
  const res = await logs((await serve(t, world)).client);
  t.match(res.stderr, "Job job-1 is not taskrun pay's");
});

t.test('-f follows across a retry, with a separator line naming the attempt', async (t) => {
  const world = running(readAnswer('follow-chunked'));
  world.logs['job-1-a'] = [
    {
      answer: readAnswer('follow-chunked'),
      served: () => {
        // Attempt 1 failed while its log streamed; the reconciler started attempt 2.
        world.run = taskRun({ phase: 'Running', attempt: 2, jobName: 'job-2' });
        world.jobs['job-2'] = job('job-2', 'job-2-uid');
        world.pods['job-2-uid'] = [pod('job-2-b', 'job-2-uid', 'running')];
      },
    },
  ];
  world.logs['job-2-b'] = [
    {
      answer: readAnswer('whole-log'),
      served: () => {
        world.run = taskRun({ phase: 'Succeeded', attempt: 2, jobName: 'job-2' });
        world.pods['job-2-uid'] = [pod('job-2-b', 'job-2-uid', 'terminated')];
      },
    },
  ];
  const { client, server } = await serve(t, world);
  const res = await logs(client, { follow: true });
  t.equal(res.code, 0);
  t.equal(
    res.stdout,
    'line 1\nline 2\nline 3\nlast\n--- attempt 2: pod job-2-b (Job job-2) ---\nline 1\nline 2\nline 3\n',
  );
  t.ok(server.requests.includes('/api/v1/namespaces/default/pods/job-1-a/log?container=agent&follow=true'));
});

t.test('-f reconnects when the stream is cut, without printing a line twice', async (t) => {
  const full = readAnswer('follow-chunked');
  const world = running(full);
  world.logs['job-1-a'] = [
    { answer: { ...full, chunks: full.chunks.slice(0, 2), cut: true } },
    {
      answer: full,
      served: () => {
        world.run = taskRun({ phase: 'Succeeded', attempt: 1, jobName: 'job-1' });
        world.pods['job-1-uid'] = [pod('job-1-a', 'job-1-uid', 'terminated')];
      },
    },
  ];
  const res = await logs((await serve(t, world)).client, { follow: true });
  t.equal(res.code, 0);
  t.equal(res.stdout, 'line 1\nline 2\nline 3\nlast\n');
  t.match(res.stderr, 'the log of pod job-1-a: connection closed');
});

t.test('-f ends with 130 on Ctrl-C', async (t) => {
  const world = running(readAnswer('whole-log'));
  world.run = taskRun({ phase: 'Pending' });
  const io = memoryIO();
  setTimeout(() => io.interrupt(), 100);
  const res = await logs((await serve(t, world)).client, { follow: true }, io);
  t.equal(res.code, 130);
});

t.test(
  '--tail with -f: the last lines, then what comes, across a cut stream without a line twice',
  async (t) => {
    const answer = (chunks: string[], cut = false): RecordedAnswer => ({
      request: 'GET /api/v1/namespaces/default/pods/job-1-a/log',
      status: 200,
      contentType: 'text/plain',
      chunked: true,
      chunks,
      cut,
    });
    const world = running(answer([]));
    world.logs['job-1-a'] = [
      {
        answer: answer(
          ['2026-11-29T02:00:05.1Z b\n', '2026-11-29T02:00:06Z c\n', '2026-11-29T02:00:0'],
          true,
        ),
      },
      {
        // From 02:00:06: c again (printed), then what came after the cut.
        answer: answer(['2026-11-29T02:00:06Z c\n2026-11-29T02:00:07Z d\n']),
        served: () => {
          world.run = taskRun({ phase: 'Succeeded', attempt: 1, jobName: 'job-1' });
          world.pods['job-1-uid'] = [pod('job-1-a', 'job-1-uid', 'terminated')];
        },
      },
    ];
    const { client, server } = await serve(t, world);
    const res = await logs(client, { follow: true, window: { tailLines: 2 } });
    t.equal(res.code, 0, res.stderr);
    t.equal(res.stdout, 'b\nc\nd\n', 'timestamps taken off, c once');
    const reads = server.requests.filter((r) => r.includes('/log?'));
    t.match(reads[0], /[?&]tailLines=2(&|$)/, 'the first read asks for the window');
    t.match(reads[0], /[?&]timestamps=true(&|$)/);
    t.match(reads[1], /[?&]sinceTime=2026-11-29T02%3A00%3A06Z(&|$)/, 'the next, from the last line');
    t.notMatch(reads[1], /tailLines/);
  },
);

t.test('--since without -f: only that window, read once', async (t) => {
  const world = running({
    request: 'GET /api/v1/namespaces/default/pods/job-1-a/log',
    status: 200,
    contentType: 'text/plain',
    chunked: false,
    chunks: ['2026-11-29T02:00:05Z recent\n'],
  });
  const { client, server } = await serve(t, world);
  const res = await logs(client, { window: { sinceSeconds: 300 } });
  t.equal(res.stdout, 'recent\n');
  t.match(
    server.requests.find((r) => r.includes('/log?')),
    /[?&]sinceSeconds=300(&|$)/,
  );
});
