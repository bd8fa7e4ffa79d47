// The log keeper: an ended container's log read once, kept in a sealed ConfigMap and named in the
// run's status; a log that could not be kept named there too, with why, and said by an Event.
import { gunzipSync, gzipSync } from 'node:zlib';
import pino from 'pino';
import t from 'tap';
import { apiError } from '../../../test/harness/fakes/fake-api.js';
import { config } from '../../../test/harness/fakes/job-builder-runs.js';
import { JOB, keptLogWorld, LogsApi, POD } from '../../../test/harness/fakes/kept-logs.js';
import type { ControllerConfig, RunStatus } from '../../api/index.js';
import type { KubeObject } from '../../runtime/index.js';
import { objectSeal } from '../provenance/index.js';
import { keptLogConfigMap } from './kept-log-object.js';
import { LogKeeper, READ_TRIES } from './log-keeper.js';

const RUN_PATH = '/apis/orchestrator.io/v1/namespaces/ns/agenttaskruns/pay-7';
const CM_PATH = '/api/v1/namespaces/ns/configmaps';
const seal = objectSeal(Buffer.from('the operator key'));
const ctx = (retries = 0) => ({
  signal: new AbortController().signal,
  logger: pino({ level: 'silent' }),
  retries,
});
const request = { namespace: 'ns', name: POD };

function keeper(w: ReturnType<typeof keptLogWorld>, api: LogsApi, cfg: ControllerConfig = config) {
  api.seed('/apis/orchestrator.io/v1/namespaces/ns/agenttaskruns', {
    ...w.run,
    metadata: { ...w.run.metadata, resourceVersion: '1' },
  } as KubeObject);
  return new LogKeeper({
    client: api,
    pods: w.pods,
    jobs: w.jobs,
    runs: () => w.runs,
    config: () => cfg,
    seal,
  });
}

const statusLogs = (api: LogsApi) => (api.objects.get(RUN_PATH)?.status as RunStatus | undefined)?.logs ?? [];
const keptText = (api: LogsApi, name: string) => {
  const cm = api.objects.get(`${CM_PATH}/${name}`) as { binaryData: Record<string, string> };
  return gunzipSync(Buffer.from(cm.binaryData['log.gz'] ?? '', 'base64')).toString();
};

t.test(
  "an ended container's log is kept, sealed, and named in status with its ConfigMap's uid",
  async (t) => {
    const w = keptLogWorld({ 'prepare-workspace': 'terminated', agent: 'terminated' });
    const api = new LogsApi();
    api.setLog('prepare-workspace', '2026-12-01T10:00:00Z cloned\n');
    api.setLog('agent', '2026-12-01T10:00:01Z {"type":"result"} ghp_abcdefghijklmnopqrstuvwxyz\n');
    const k = keeper(w, api);
    await k.reconcile(request, ctx());
    t.same(
      api.reads.map((r) => r.query),
      [
        { container: 'prepare-workspace', timestamps: true },
        { container: 'agent', timestamps: true },
      ],
      'each read once, with timestamps, not followed',
    );
    const cm = api.objects.get(`${CM_PATH}/${JOB}-log-agent`) as KubeObject;
    t.ok(seal.sealed(cm, 'ConfigMap', 'u-1'), "sealed as the operator's, for the run");
    t.equal(keptText(api, `${JOB}-log-agent`), '2026-12-01T10:00:01Z {"type":"result"} ghp_[REDACTED]\n');
    t.same(statusLogs(api), [
      {
        attempt: 2,
        container: 'prepare-workspace',
        configMap: `${JOB}-log-prepare-workspace`,
        uid: 'uid-1',
        bytes: 7,
        keptBytes: 7,
      },
      {
        attempt: 2,
        container: 'agent',
        configMap: `${JOB}-log-agent`,
        uid: 'uid-2',
        bytes: 49,
        keptBytes: 49,
      },
    ]);
    t.equal(api.made('POST', /events$/).length, 0, 'no Event: nothing was lost');
    await k.reconcile(request, ctx());
    t.equal(api.reads.length, 2, 'read again by no later reconcile');
  },
);

t.test(
  "a ConfigMap of the name that is not the operator's is left alone, and the log said lost",
  async (t) => {
    const w = keptLogWorld({ agent: 'terminated' });
    const api = new LogsApi();
    api.setLog('agent', '2026-12-01T10:00:01Z hi\n');
    api.seed(CM_PATH, { metadata: { name: `${JOB}-log-agent`, namespace: 'ns', uid: 'theirs' } });
    await keeper(w, api).reconcile(request, ctx());
    t.match(statusLogs(api), [
      {
        attempt: 2,
        container: 'agent',
        bytes: 3,
        lost: /exists and is not the operator's for this run \(it has no controller\)/,
      },
    ]);
    t.notOk(statusLogs(api)[0]?.configMap);
    t.equal(api.objects.get(`${CM_PATH}/${JOB}-log-agent`)?.metadata?.uid, 'theirs', 'not replaced');
    t.match(api.made('POST', /events$/)[0]?.body, { type: 'Warning', reason: 'LogNotKept' });
  },
);

t.test(
  "one the operator made before (its status entry lost) is replaced, never adopted: its data may be anyone's",
  async (t) => {
    const w = keptLogWorld({ agent: 'terminated' });
    const api = new LogsApi();
    api.setLog('agent', '2026-12-01T10:00:01Z the real log\n');
    const forged = seal.stamp(
      keptLogConfigMap({
        kind: 'TaskRun',
        run: w.run,
        config,
        jobName: JOB,
        container: 'agent',
        pod: POD,
        gzip: gzipSync('forged\n'),
      }),
      'ConfigMap',
      'u-1',
    );
    api.seed(CM_PATH, { ...forged, metadata: { ...forged.metadata, uid: 'copied-seal' } });
    await keeper(w, api).reconcile(request, ctx());
    const [entry] = statusLogs(api);
    t.notOk(entry?.lost);
    t.not(entry?.uid, 'copied-seal', 'status names the ConfigMap written now');
    t.equal(keptText(api, `${JOB}-log-agent`), '2026-12-01T10:00:01Z the real log\n');
    t.equal(api.made('DELETE', `${CM_PATH}/${JOB}-log-agent`).length, 1, 'the one there was deleted');
  },
);

t.test("a reason quoting a long owner's name is cut to what status holds", async (t) => {
  const w = keptLogWorld({ agent: 'terminated' });
  const api = new LogsApi();
  api.setLog('agent', '2026-12-01T10:00:01Z hi\n');
  const owner = { apiVersion: 'v1', kind: 'Thing', name: 'x'.repeat(2000), uid: 'o', controller: true };
  api.seed(CM_PATH, {
    metadata: { name: `${JOB}-log-agent`, namespace: 'ns', uid: 'theirs', ownerReferences: [owner] },
  });
  await keeper(w, api).reconcile(request, ctx());
  t.equal(statusLogs(api)[0]?.lost?.length, 1000);
});

t.test('a read of an ending pod cut short: what was read is kept, and said to be in part', async (t) => {
  const w = keptLogWorld({ agent: 'running' }, { deleting: true });
  const api = new LogsApi();
  api.setLog('agent', { text: '2026-12-01T10:00:01Z first\n', cut: new Error('connection closed') });
  await keeper(w, api).reconcile(request, ctx());
  t.match(statusLogs(api), [
    {
      container: 'agent',
      bytes: 6,
      keptBytes: 6,
      lost: /broke before its container ended: connection closed/,
    },
  ]);
  t.equal(keptText(api, `${JOB}-log-agent`), '2026-12-01T10:00:01Z first\n');
});

t.test('a pod deleted while its log is read: what was read is kept, and said to be in part', async (t) => {
  const w = keptLogWorld({ agent: 'running' }, { deleting: true });
  const api = new LogsApi();
  api.setLog('agent', apiError(404, 'NotFound', `pods "${POD}" not found`));
  await keeper(w, api).reconcile(request, ctx());
  t.same(
    api.reads.map((r) => r.query),
    [{ container: 'agent', timestamps: true, follow: true }],
    'followed to its end',
  );
  t.match(statusLogs(api), [
    { container: 'agent', bytes: 0, lost: `pod ${POD} went before its log was read whole` },
  ]);
});

t.test(
  'a kubelet that does not answer: looked at again, then said lost; a pod gone meanwhile too',
  async (t) => {
    const w = keptLogWorld({ agent: 'terminated' });
    const api = new LogsApi();
    api.setLog(
      'agent',
      apiError(
        500,
        'InternalError',
        'Get "https://node-1:10250/containerLogs/ns/x/agent": dial tcp: i/o timeout',
      ),
    );
    const k = keeper(w, api);
    const waits: unknown[] = [];
    for (let i = 1; i < READ_TRIES; i++) waits.push((await k.reconcile(request, ctx()))?.requeueAfter);
    t.same(
      waits,
      [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 160_000],
      'looked at again, less and less often',
    );
    t.same(statusLogs(api), [], 'nothing said while it may still come');
    t.equal(await k.reconcile(request, ctx()), undefined);
    t.match(statusLogs(api), [
      { container: 'agent', bytes: 0, lost: `${READ_TRIES} reads failed: Get "https://node-1:10250` },
    ]);

    const gone = keptLogWorld({ agent: 'terminated' });
    const api2 = new LogsApi();
    api2.setLog('agent', apiError(500, 'InternalError', 'dial tcp: connection refused'));
    const k2 = keeper(gone, api2);
    t.ok((await k2.reconcile(request, ctx()))?.requeueAfter);
    gone.pods.delete('ns', POD);
    await k2.reconcile(request, ctx(0));
    t.match(statusLogs(api2), [
      {
        container: 'agent',
        lost: 'its pod was deleted before its log was read: dial tcp: connection refused',
      },
    ]);
  },
);

t.test('logs.keptBytes 0 keeps nothing', async (t) => {
  const w = keptLogWorld({ agent: 'terminated' });
  const api = new LogsApi();
  const off = { ...config, logs: { keptBytes: 0 } };
  await keeper(w, api, off).reconcile(request, ctx());
  t.equal(api.reads.length, 0);
  t.same(statusLogs(api), []);
});
