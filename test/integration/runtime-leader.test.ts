// Leader election between real manager processes on one Lease: exactly one reconciles, a graceful
// stop hands over by releasing the Lease (not by letting it lapse) and only after in-flight reconciles,
// a killed leader is replaced only once its Lease lapses, and a leader that loses its Lease stops its
// work and campaigns again. No assertion is about how long anything took.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { isConflict, isNotFound, KubeClient, type KubeObject, type Lease } from '../../src/runtime/index.js';
import { kubeConfig, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { logged, NodeProcess } from '../harness/cluster/node-process.js';
import { DELAY_ANNOTATION, type RecordEntry, ROLE_LABEL } from '../harness/operator/mirror-reconciler.js';
import { waitFor } from '../harness/util/wait.js';

const cluster = await testCluster();
const script = fileURLToPath(new URL('../mains/mirror-manager.ts', import.meta.url));
const LEASE_MS = 4_000;
const RENEW_MS = 3_000;
const RETRY_MS = 500;
const client = new KubeClient(kubeConfig(cluster));
t.teardown(() => client.close());

interface Teardown {
  teardown(fn: () => unknown): void;
}

function startManager(
  t: Teardown,
  namespace: string,
  identity: string,
  record: string,
  leaseMs = LEASE_MS,
): NodeProcess {
  const proc = new NodeProcess(script, [
    ...[
      '--kubeconfig',
      cluster.kubeconfig,
      '--namespace',
      namespace,
      '--identity',
      identity,
      '--record',
      record,
    ],
    ...['--lease-ms', String(leaseMs), '--renew-ms', String(RENEW_MS), '--retry-ms', String(RETRY_MS)],
  ]);
  t.teardown(() => proc.kill('SIGKILL'));
  return proc;
}

function configMaps(namespace: string) {
  const path = `/api/v1/namespaces/${namespace}/configmaps`;
  return {
    source: async (name: string, data: Record<string, string>, annotations: Record<string, string> = {}) => {
      const body = { metadata: { name, namespace, labels: { [ROLE_LABEL]: 'source' }, annotations }, data };
      try {
        await client.request('PUT', `${path}/${name}`, { body });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        await client.request('POST', path, { body });
      }
    },
    mirrored: async (name: string, data: Record<string, string>) => {
      try {
        const copy = await client.request<KubeObject>('GET', `${path}/${name}-mirror`);
        return JSON.stringify(copy.data) === JSON.stringify(data);
      } catch {
        return false;
      }
    },
  };
}

function records(file: string): RecordEntry[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as RecordEntry);
  } catch {
    return [];
  }
}

/** Reconcile intervals per process; a reconcile still open when its process was killed ends at the kill. */
function intervals(entries: RecordEntry[], killedAt: Map<number, number>) {
  const open = new Map<string, RecordEntry>();
  const spans: Array<{ pid: number; key: string; from: number; to: number }> = [];
  for (const e of entries) {
    const id = `${e.pid} ${e.key}`;
    if (e.phase === 'start') open.set(id, e);
    else {
      const started = open.get(id);
      open.delete(id);
      if (started) spans.push({ pid: e.pid, key: e.key, from: started.at, to: e.at });
    }
  }
  for (const e of open.values())
    spans.push({ pid: e.pid, key: e.key, from: e.at, to: killedAt.get(e.pid) ?? Infinity });
  return spans;
}

async function metricsOf(proc: NodeProcess): Promise<string> {
  const started = await proc.waitForLog(logged('manager started'), 'manager started');
  return (await fetch(`http://127.0.0.1:${started.metricsPort}/metrics`)).text();
}

async function lease(namespace: string): Promise<Lease> {
  return client.request<Lease>(
    'GET',
    `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/mirror-leader`,
  );
}

t.test('one leader reconciles; SIGTERM hands over after in-flight work; SIGKILL is taken over', async (t) => {
  const namespace = await testNamespace(t, cluster);
  const record = join(mkdtempSync(join(tmpdir(), 'mirror-record-')), 'reconciles.jsonl');
  const cms = configMaps(namespace);
  for (const name of ['s1', 's2', 's3']) await cms.source(name, { v: '1' });

  // a's Lease lasts an hour: the only way for b to lead during this test is a's release of it.
  const a = startManager(t, namespace, 'replica-a', record, 3_600_000);
  await a.waitForLog(logged('became leader'), 'a leads');
  const b = startManager(t, namespace, 'replica-b', record);
  await b.waitForLog(logged('caches synced'), 'b has warm caches');
  const bProbes = (await b.waitForLog(logged('manager started'), 'b started')).probesPort;
  t.equal(
    (await fetch(`http://127.0.0.1:${bProbes}/readyz`)).status,
    200,
    'the standby is ready: caches synced',
  );

  for (const name of ['s1', 's2', 's3'])
    await waitFor(`${name} mirrored`, () => cms.mirrored(name, { v: '1' }));
  await cms.source('s1', { v: '2' });
  await waitFor('s1 change mirrored', () => cms.mirrored('s1', { v: '2' }));
  t.same(
    new Set(records(record).map((r) => r.identity)),
    new Set(['replica-a']),
    'only the leader reconciled',
  );
  t.match(await metricsOf(a), /leader_election_master_status\{name="mirror-leader"\} 1/);
  const standby = await metricsOf(b);
  t.match(standby, /leader_election_master_status\{name="mirror-leader"\} 0/);
  t.match(standby, /controller_runtime_reconcile_total\{controller="mirror",result="success"\} 0/);

  // Catch a slow reconcile in flight, then ask the leader to stop.
  const recordedBefore = records(record).length;
  await cms.source('s2', { v: '2' }, { [DELAY_ANNOTATION]: '1500' });
  await waitFor('the slow reconcile to start', () =>
    records(record)
      .slice(recordedBefore)
      .some((r) => r.key.endsWith('/s2') && r.phase === 'start' && r.identity === 'replica-a'),
  );
  const sigterm = Date.now();
  a.kill('SIGTERM');
  const bLeads = await b.waitForLog(logged('became leader'), 'b takes over');
  const released = await a.waitForLog(logged('released the Lease'), 'a released the Lease');
  t.same(await a.exited, { code: 0, signal: null }, 'the old leader exited 0');
  const handover = (bLeads.time as number) - (released.time as number);
  const endToEnd = (bLeads.time as number) - sigterm;
  t.comment(
    `graceful handover: ${handover} ms from release to new leader; ${endToEnd} ms from SIGTERM (1500 ms reconcile in flight)`,
  );
  t.match(
    (await lease(namespace)).spec,
    { holderIdentity: 'replica-b', leaseTransitions: 1 },
    "b holds the Lease: taken after a's release, as a's own would not lapse for an hour",
  );
  const aEnd =
    records(record)
      .filter((r) => r.identity === 'replica-a' && r.phase === 'end')
      .at(-1)?.at ?? 0;
  const bFirst = records(record).find((r) => r.identity === 'replica-b')?.at ?? Infinity;
  t.ok(aEnd <= (released.time as number), 'the Lease was released only after the in-flight reconcile ended');
  t.ok(bFirst > aEnd, 'the new leader started reconciling after the old one finished');
  await waitFor('s2 mirrored by the new leader', () => cms.mirrored('s2', { v: '2' }));

  const c = startManager(t, namespace, 'replica-c', record);
  await c.waitForLog(logged('caches synced'), 'c has warm caches');
  const sigkill = Date.now();
  b.kill('SIGKILL');
  await b.exited;
  const lastRenewal = String((await lease(namespace)).spec?.renewTime);
  await cms.source('s4', { v: '1' });
  const cLeads = await c.waitForLog(logged('became leader'), 'c takes over');
  const takeover = (cLeads.time as number) - sigkill;
  t.comment(`takeover after SIGKILL: ${takeover} ms (lease ${LEASE_MS} ms, retry ${RETRY_MS} ms)`);
  // Safety, by the Lease's own timestamps: c took it only once b's had lapsed (2 ms for rounding).
  const acquired = String((await lease(namespace)).spec?.acquireTime);
  t.ok(
    Date.parse(acquired) - Date.parse(lastRenewal) >= LEASE_MS - 2,
    `c acquired the Lease (${acquired}) at least ${LEASE_MS} ms after b's last renewal (${lastRenewal})`,
  );
  await waitFor('a source created while leaderless is mirrored', () => cms.mirrored('s4', { v: '1' }));

  const killed = new Map([[b.pid, sigkill]]);
  const spans = intervals(records(record), killed);
  const overlaps = spans.flatMap((x) =>
    spans.filter((y) => x.pid !== y.pid && x.from < y.to && y.from < x.to),
  );
  t.same(overlaps, [], 'no two processes ever reconciled at the same time, let alone the same key');
  t.ok(new Set(spans.map((s) => s.pid)).size === 3, 'all three leaders reconciled in turn');

  c.kill('SIGTERM');
  t.same(await c.exited, { code: 0, signal: null });
  const final = await lease(namespace);
  t.equal(final.spec?.holderIdentity, '', 'the last leader released the Lease');
  t.equal(final.spec?.leaseTransitions, 2, 'a → b → c');
});

t.test('a leader whose Lease is taken stops reconciling and campaigns again without exiting', async (t) => {
  const namespace = await testNamespace(t, cluster);
  const record = join(mkdtempSync(join(tmpdir(), 'mirror-record-')), 'reconciles.jsonl');
  const cms = configMaps(namespace);
  await cms.source('s1', { v: '1' });
  const a = startManager(t, namespace, 'replica-a', record);
  await a.waitForLog(logged('became leader'), 'a leads');
  await waitFor('s1 mirrored', () => cms.mirrored('s1', { v: '1' }));

  const stolenAt = Date.now();
  // a renews every RETRY_MS, so a write from an older read may meet 409 Conflict: read again, write again.
  await waitFor('the Lease taken by a thief', async () => {
    const current = await lease(namespace);
    const now = new Date().toISOString().replace('Z', '000Z');
    const path = `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/mirror-leader`;
    const body = {
      ...current,
      spec: { ...current.spec, holderIdentity: 'thief', renewTime: now, acquireTime: now },
    };
    return client.request('PUT', path, { body }).then(
      () => true,
      (err) => {
        if (isConflict(err)) return false;
        throw err;
      },
    );
  });
  const stopped = await a.waitForLog(logged('controller stopped'), 'a stops its controller');
  t.comment(`stepped down ${(stopped.time as number) - stolenAt} ms after the Lease was taken`);

  await cms.source('s1', { v: '2' });
  const changedAt = Date.now();
  const again = await a.waitForLog(
    (l) => l.msg === 'became leader' && (l.time as number) > stolenAt,
    'a leads again',
  );
  t.equal(a.child.exitCode, null, 'the process never exited');
  t.notOk(
    records(record).some((r) => r.at > changedAt && r.at < (again.time as number)),
    'nothing was reconciled while the thief held the Lease',
  );
  await waitFor('the change made meanwhile is mirrored after re-election', () =>
    cms.mirrored('s1', { v: '2' }),
  );
  t.equal((await lease(namespace)).spec?.holderIdentity, 'replica-a');
});
