// The proxy's log read into runs: only lines after the last one read; each refusal on the run whose pod
// sent it (by address and time), never on another; the run's status, an Event per new host, the
// metric; what cannot be written now is written later; the last line read kept on the proxy's pod.
import pino from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { apiError, FakeApi } from '../../../test/harness/fakes/fake-api.js';
import { ManualClock } from '../../../test/harness/fakes/manual-clock.js';
import { sampleSum } from '../../../test/harness/util/prometheus-text.js';
import { type KubeObject, Store } from '../../runtime/index.js';
import {
  AccessLogReader,
  ATTRIBUTION_WAIT_MS,
  linesAfter,
  READ_ANNOTATION,
  stampKey,
} from './access-log-reader.js';
import { PodsByAddress } from './pods-by-address.js';
import { RefusalBook } from './refusal-book.js';
import { refusalMetrics } from './refusal-metrics.js';

const RUN = '/apis/orchestrator.io/v1/namespaces/team-a/agenttaskruns/fix';
const PROXY_POD = '/api/v1/namespaces/orchestrator-system/pods/proxy-1';
const at = (s: string) => Date.parse(`2026-11-26T10:00:${s}Z`) / 1000;
const stamp = (s: string, frac = '5') => `2026-11-26T10:00:${s}.${frac}Z`;

t.test('kubelet stamps sort as time; only whole lines after the mark', async (t) => {
  t.ok(stampKey('2026-11-26T10:00:01.5Z') > stampKey('2026-11-26T10:00:01.123456789Z'));
  t.equal(stampKey('2026-11-26T10:00:01Z'), '2026-11-26T10:00:01.000000000');
  t.equal(stampKey('garbage'), '');
  const text = `${stamp('01')} a\n${stamp('02')} b\n${stamp('03')} c\n${stamp('04')} partial`;
  t.same(linesAfter(text, stamp('01')), { lines: ['b', 'c'], last: stamp('03') });
  t.same(linesAfter(text, undefined).lines, ['a', 'b', 'c']);
  t.same(linesAfter('', undefined), { lines: [] });
});

const AGENT_POD: KubeObject = {
  metadata: {
    name: 'fix-job-abcde',
    namespace: 'team-a',
    uid: 'pod-uid',
    ownerReferences: [
      { apiVersion: 'batch/v1', kind: 'Job', name: 'fix-job', uid: 'job-uid', controller: true },
    ],
  },
  status: {
    phase: 'Running',
    podIP: '10.0.0.5',
    initContainerStatuses: [{ name: 'prepare', state: { running: { startedAt: '2026-11-26T10:00:00Z' } } }],
  },
};

/** A proxy pod, a run with its Job and (unless `podCached` is false) its pod in the cache. */
function world({ clock, podCached = true }: { clock?: ManualClock; podCached?: boolean } = {}) {
  const api = new FakeApi();
  api.seed('/apis/orchestrator.io/v1/namespaces/team-a/agenttaskruns', {
    apiVersion: 'orchestrator.io/v1',
    kind: 'TaskRun',
    metadata: { name: 'fix', namespace: 'team-a', uid: 'run-uid', resourceVersion: '7' },
    status: { phase: 'Running' },
  });
  const jobs = new Store();
  jobs.set({
    metadata: {
      name: 'fix-job',
      namespace: 'team-a',
      uid: 'job-uid',
      labels: { 'orchestrator.io/agent': 'rex' },
      ownerReferences: [
        { apiVersion: 'orchestrator.io/v1', kind: 'TaskRun', name: 'fix', uid: 'run-uid', controller: true },
      ],
    },
  });
  const pods = new PodsByAddress();
  if (podCached) pods.onAdd(AGENT_POD);
  const proxyPods = new Store();
  const proxy: KubeObject = {
    metadata: { name: 'proxy-1', namespace: 'orchestrator-system', uid: 'p1' },
    status: { phase: 'Running' },
  };
  proxyPods.set(proxy);
  api.seed('/api/v1/namespaces/orchestrator-system/pods', proxy);
  const registry = new Registry();
  let log = '';
  const reads: Record<string, unknown>[] = [];
  const reader = new AccessLogReader({
    client: api,
    readLog: async (_path, query) => {
      reads.push(query);
      return log;
    },
    proxyPods,
    pods,
    jobs,
    book: new RefusalBook(),
    metrics: refusalMetrics(registry),
    ...(clock ? { clock } : {}),
  });
  const ctx = { signal: new AbortController().signal, logger: pino({ level: 'silent' }), retries: 0 };
  return {
    api,
    proxyPods,
    proxy,
    registry,
    reads,
    pods,
    setLog: (text: string) => {
      log = text;
    },
    read: () => reader.reconcile({ namespace: 'orchestrator-system', name: 'proxy-1' }, ctx),
  };
}

const line = (s: string, client: string, host: string, port = 443, status = 'TCP_DENIED/403') =>
  `${stamp(s)} ${at(s)}.250 ${client} 3128 ${status} CONNECT ${host} ${port}`;

t.test('refusals of a run’s pod go into its status, with an Event per new host and the metric', async (t) => {
  const w = world();
  w.setLog(
    [
      line('05', '10.0.0.5', 'evil.test'),
      line('06', '10.0.0.5', 'evil.test'),
      line('06', '10.0.0.5', 'github.com', 443, 'TCP_TUNNEL/200'),
      line('07', '10.0.0.5', 'other.test', 80),
      line('08', '10.0.0.9', 'framed.test'),
      '',
    ].join('\n'),
  );
  t.same(await w.read(), { requeueAfter: 2000 });
  const [patch] = w.api.made('PATCH', `${RUN}/status`);
  t.same(patch?.contentType, 'application/merge-patch+json');
  const body = patch?.body as { metadata: { resourceVersion: string }; status: { egressRefusals: unknown } };
  t.equal(body.metadata.resourceVersion, '7', 'guarded by the version read');
  t.same(body.status, {
    egressRefusals: {
      total: 3,
      hosts: [
        { host: 'evil.test', port: 443, count: 2, lastRefused: '2026-11-26T10:00:06Z' },
        { host: 'other.test', port: 80, count: 1, lastRefused: '2026-11-26T10:00:07Z' },
      ],
    },
  });
  const events = w.api
    .made('POST', '/api/v1/namespaces/team-a/events')
    .map((c) => c.body as KubeObject & { reason: string; message: string; type: string });
  t.same(
    events.map((e) => [e.type, e.reason]),
    [
      ['Warning', 'EgressRefused'],
      ['Warning', 'EgressRefused'],
    ],
  );
  t.match(events[0]?.message, /evil\.test:443/);
  const metrics = await w.registry.metrics();
  t.equal(
    sampleSum(metrics, 'orchestrator_egress_refused_requests_total', {
      run_namespace: 'team-a',
      agent: 'rex',
    }),
    3,
  );
  t.equal(
    sampleSum(metrics, 'orchestrator_egress_refused_unattributed_total', {}),
    1,
    'an address no pod held',
  );
  const [mark] = w.api.made('PATCH', PROXY_POD);
  t.same(mark?.body, { metadata: { annotations: { [READ_ANNOTATION]: stamp('08') } } });
});

t.test('a new reading goes on from the mark; a failed run’s message says the refusals', async (t) => {
  const w = world();
  w.proxy.metadata = { ...w.proxy.metadata, annotations: { [READ_ANNOTATION]: stamp('05') } };
  const stored = w.api.objects.get(RUN) as KubeObject;
  stored.status = {
    phase: 'Failed',
    message: 'the agent exited with code 1',
    egressRefusals: {
      total: 1,
      hosts: [{ host: 'evil.test', port: 443, count: 1, lastRefused: '2026-11-26T10:00:05Z' }],
    },
  };
  w.setLog([line('05', '10.0.0.5', 'evil.test'), line('09', '10.0.0.5', 'evil.test'), ''].join('\n'));
  await w.read();
  t.same(w.reads[0]?.sinceTime, '2026-11-26T10:00:05Z', 'from the second of the mark');
  const body = w.api.made('PATCH', `${RUN}/status`)[0]?.body as {
    status: { message: string; egressRefusals: { total: number } };
  };
  t.equal(body.status.egressRefusals.total, 2, 'the line of the mark not counted again');
  t.match(
    body.status.message,
    /^the agent exited with code 1; the egress proxy refused 2 requests of its agent \(evil\.test:443 ×2\)/,
  );
  t.equal(w.api.made('POST', '/api/v1/namespaces/team-a/events').length, 0, 'no new host: no Event');
});

t.test('a status that changed in between is read again; one that cannot be written waits', async (t) => {
  const w = world();
  w.setLog(`${line('05', '10.0.0.5', 'evil.test')}\n`);
  w.api.failNext('PATCH', `${RUN}/status`, apiError(409, 'Conflict'));
  await w.read();
  t.equal(w.api.made('GET', RUN).length, 2, 'read again after the conflict');
  t.equal(w.api.made('PATCH', `${RUN}/status`).length, 2);
  const w2 = world();
  w2.setLog(`${line('05', '10.0.0.5', 'evil.test')}\n`);
  w2.api.failNext('GET', RUN, apiError(500));
  await w2.read();
  t.equal(w2.api.made('PATCH', `${RUN}/status`).length, 0);
  w2.setLog('');
  await w2.read();
  const body = w2.api.made('PATCH', `${RUN}/status`)[0]?.body as {
    status: { egressRefusals: { total: number } };
  };
  t.equal(body.status.egressRefusals.total, 1, 'written on the next round');
});

t.test(
  'a run deleted and made again under its name gets nothing; a proxy pod not running is not read',
  async (t) => {
    const w = world();
    (w.api.objects.get(RUN) as KubeObject).metadata = {
      name: 'fix',
      namespace: 'team-a',
      uid: 'another',
      resourceVersion: '9',
    };
    w.setLog(`${line('05', '10.0.0.5', 'evil.test')}\n`);
    await w.read();
    t.equal(w.api.made('PATCH', `${RUN}/status`).length, 0);
    w.proxy.status = { phase: 'Pending' };
    t.equal(await w.read(), undefined);
    t.equal(w.reads.length, 1);
  },
);

t.test('a refusal read before the pods’ cache knows its pod waits for it, a while', async (t) => {
  // The clock one second after the lines: the pod's address reaches the cache later than its log line.
  const clock = new ManualClock(new Date(at('06') * 1000));
  const w = world({ clock, podCached: false });
  const unattributed = async () =>
    sampleSum(await w.registry.metrics(), 'orchestrator_egress_refused_unattributed_total', {});
  w.setLog([line('05', '10.0.0.5', 'evil.test'), line('05', '10.0.0.9', 'framed.test'), ''].join('\n'));
  await w.read();
  t.equal(w.api.made('PATCH', `${RUN}/status`).length, 0, 'no pod answers for it yet');
  t.equal(await unattributed(), 0, 'not given up yet');
  w.pods.onAdd(AGENT_POD);
  w.setLog('');
  await w.read();
  const body = w.api.made('PATCH', `${RUN}/status`)[0]?.body as {
    status: { egressRefusals: { total: number; hosts: { host: string }[] } };
  };
  t.equal(body?.status.egressRefusals.total, 1, 'on its run once the cache has the pod');
  t.same(
    body?.status.egressRefusals.hosts.map((h) => h.host),
    ['evil.test'],
  );
  t.equal(await unattributed(), 0, 'the address no pod held still waits');
  clock.advance(ATTRIBUTION_WAIT_MS);
  await w.read();
  t.equal(await unattributed(), 1, 'given up after the wait, and counted');
  t.equal(w.api.made('PATCH', `${RUN}/status`).length, 1, 'nothing more on the run');
});

t.test('a refusal two cached pods could have sent is nobody’s at once, not held', async (t) => {
  const clock = new ManualClock(new Date(at('06') * 1000));
  const w = world({ clock });
  w.pods.onAdd({
    ...AGENT_POD,
    metadata: { ...AGENT_POD.metadata, name: 'other-pod', uid: 'other-uid' },
  });
  w.setLog(`${line('05', '10.0.0.5', 'evil.test')}\n`);
  await w.read();
  t.equal(
    sampleSum(await w.registry.metrics(), 'orchestrator_egress_refused_unattributed_total', {}),
    1,
    'counted as nobody’s in the same reading',
  );
  t.equal(w.api.made('PATCH', `${RUN}/status`).length, 0, 'on no run');
});
