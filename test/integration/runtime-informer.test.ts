// The informer against real apiservers: it caches what it should, in the shape it should, and keeps
// delivering every change through server-closed watches, an apiserver restart, a forced 410 Gone and a
// frozen connection.
import { KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import {
  CONFIGMAPS,
  Controller,
  Informer,
  type InformerOptions,
  KubeClient,
  type KubeObject,
  LAST_APPLIED_ANNOTATION,
} from '../../src/runtime/index.js';
import { compactEtcd, type ExtraApiserver, startExtraApiserver } from '../harness/cluster/apiserver.js';
import { kubeConfig, kubectl, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { scaled, waitFor, within } from '../harness/util/wait.js';

const cluster = await testCluster();
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
interface Teardown {
  teardown(fn: () => unknown): void;
}

function clientFor(t: Teardown, kc: KubeConfig): KubeClient {
  const client = new KubeClient(kc, { requestTimeoutMs: scaled(5_000) });
  t.teardown(() => client.close());
  return client;
}

function informer(t: Teardown, opts: Omit<InformerOptions, 'resource' | 'logger'>): Informer {
  const inf = new Informer({ resource: CONFIGMAPS, logger, ...opts });
  inf.start();
  t.teardown(() => inf.stop());
  return inf;
}

/** Writes ConfigMaps through the shared apiserver. */
function writer(client: KubeClient, namespace: string) {
  const path = `/api/v1/namespaces/${namespace}/configmaps`;
  return {
    put: async (name: string, v: number, labels: Record<string, string> = { app: 'watched' }) => {
      const body = { metadata: { name, namespace, labels }, data: { v: String(v) } };
      try {
        await client.request('PUT', `${path}/${name}`, { body });
      } catch {
        await client.request('POST', path, { body });
      }
    },
    remove: (name: string) => client.request('DELETE', `${path}/${name}`),
    truth: async () => {
      const list = await client.request<{ items: KubeObject[] }>('GET', path, {
        query: { labelSelector: 'app=watched' },
      });
      return Object.fromEntries(
        list.items.map((o) => [o.metadata?.name, (o.data as Record<string, string>).v]),
      );
    },
  };
}

const cached = (inf: Informer) =>
  Object.fromEntries(
    inf.list().map((o) => [o.metadata?.name, (o.data as Record<string, string> | undefined)?.v]),
  );

t.test('the cache holds only its namespace and labels, without managedFields or last-applied', async (t) => {
  const namespace = await testNamespace(t, cluster);
  const other = await testNamespace(t, cluster);
  const client = clientFor(t, kubeConfig(cluster));
  const manifest = (ns: string, name: string, app: string) =>
    `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}","namespace":"${ns}","labels":{"app":"${app}"},"annotations":{"keep":"me"}},"data":{"v":"1"}}`;
  for (const [ns, name, app] of [
    [namespace, 'in', 'watched'],
    [namespace, 'other-label', 'ignored'],
    [other, 'other-namespace', 'watched'],
  ] as const) {
    const applied = await kubectl(cluster, ['apply', '-f', '-'], manifest(ns, name, app));
    t.equal(applied.code, 0, applied.stderr);
  }
  const inf = informer(t, { client, namespace, labelSelector: 'app=watched' });
  const events: string[] = [];
  inf.addHandler({
    onAdd: (o) => events.push(`add ${o.metadata?.name}`),
    onUpdate: (_, o) => events.push(`update ${o.metadata?.name}`),
    onDelete: (o) => events.push(`delete ${o.metadata?.name}`),
  });
  await inf.synced;
  t.ok(inf.hasSynced());
  t.same(
    inf.list().map((o) => o.metadata?.name),
    ['in'],
    'one namespace, one label',
  );
  const obj = inf.store.get(namespace, 'in');
  t.equal(obj?.kind, 'ConfigMap', 'list items get their kind');
  t.equal(obj?.metadata?.managedFields, undefined, 'managedFields stripped');
  t.same(
    obj?.metadata?.annotations,
    { keep: 'me' },
    `${LAST_APPLIED_ANNOTATION} stripped, other annotations kept`,
  );

  const w = writer(client, namespace);
  await w.put('second', 1);
  await w.put('second', 2);
  await w.remove('second');
  await waitFor('four events', () => events.length === 4);
  t.same(events, ['add in', 'add second', 'update second', 'delete second']);
});

t.test(
  'a metadata-only cache holds metadata alone, under its resource kind, from list and watch',
  async (t) => {
    const namespace = await testNamespace(t, cluster);
    const client = clientFor(t, kubeConfig(cluster));
    const w = writer(client, namespace);
    await w.put('listed', 1);
    const inf = informer(t, { client, namespace, labelSelector: 'app=watched', metadataOnly: true });
    const updates: KubeObject[] = [];
    inf.addHandler({ onAdd: (o) => updates.push(o), onUpdate: (_, o) => updates.push(o) });
    await inf.synced;
    await w.put('watched', 1);
    await w.put('listed', 2);
    await waitFor('the watch to bring both changes', () => updates.length === 3);
    for (const obj of updates) {
      t.match(
        obj,
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, labels: { app: 'watched' } } },
        `${obj.metadata?.name}: the resource's kind, its metadata`,
      );
      t.equal(obj.data, undefined, `${obj.metadata?.name}: no data`);
      t.equal(obj.metadata?.managedFields, undefined, `${obj.metadata?.name}: managedFields stripped`);
    }
    t.same(
      updates.map((o) => o.metadata?.name),
      ['listed', 'watched', 'listed'],
    );
  },
);

t.test('an informer stopped the moment it synced stops at once', async (t) => {
  const namespace = await testNamespace(t, cluster);
  const client = clientFor(t, kubeConfig(cluster));
  const inf = new Informer({ resource: CONFIGMAPS, logger, client, namespace });
  inf.start();
  await inf.synced;
  // The watch that follows the list is being opened right now: stop must reach it too (else it would
  // wait for that watch to end, 5 to 10 minutes from now).
  await within('stop() to resolve', inf.stop());
  t.pass('stopped');
});

t.test(
  'server-closed watches are resumed from the last resourceVersion: no event lost, no relist',
  async (t) => {
    const namespace = await testNamespace(t, cluster);
    const client = clientFor(t, kubeConfig(cluster));
    const w = writer(client, namespace);
    await w.put('counter', 0);
    // The apiserver ends each watch after 1–2 s: many reconnects within the test.
    const inf = informer(t, { client, namespace, labelSelector: 'app=watched', watchTimeoutSeconds: 1 });
    const seen: number[] = [];
    inf.addHandler({ onUpdate: (_, o) => seen.push(Number((o.data as Record<string, string>).v)) });
    await inf.synced;
    const updates = 25;
    for (let v = 1; v <= updates; v++) {
      await w.put('counter', v);
      await new Promise((r) => setTimeout(r, 200));
    }
    await waitFor('every update', () => seen.length >= updates);
    t.same(
      seen,
      Array.from({ length: updates }, (_, i) => i + 1),
      'each update exactly once, in order',
    );
    t.ok(inf.stats.watches >= 3, `the watch was re-opened (${inf.stats.watches} watches)`);
    t.equal(inf.stats.lists, 1, 'never relisted');
    t.equal(inf.stats.errors, 0, 'a scheduled close is not an error');
  },
);

t.test(
  'through an apiserver restart and a forced 410, every change made meanwhile is reconciled',
  async (t) => {
    // Watch cache off: watches are served from etcd, so a restarted apiserver can resume an old
    // resourceVersion, and a compaction makes it genuinely too old (410 Gone), as on a large cluster.
    const x: ExtraApiserver = await startExtraApiserver(cluster, ['--watch-cache=false']);
    t.teardown(() => x.stop());
    const namespace = await testNamespace(t, cluster);
    const direct = clientFor(t, kubeConfig(cluster));
    const viaX = new KubeConfig();
    viaX.loadFromFile(x.kubeconfig);
    const w = writer(direct, namespace);
    for (let i = 1; i <= 6; i++) await w.put(`o${i}`, 1);
    const inf = informer(t, {
      client: clientFor(t, viaX),
      namespace,
      labelSelector: 'app=watched',
      backoffInitialMs: 200,
      backoffMaxMs: 2_000,
      requestTimeoutMs: 3_000,
    });
    // What the reconciler saw in the cache when it last ran for each key: the proof that it ran after
    // each change, which is what matters to a level-based controller.
    const reconciled = new Map<string, string>();
    const controller = new Controller({
      name: 'recorder',
      registry: new Registry(),
      logger,
      reconciler: {
        reconcile: async ({ name }) => {
          reconciled.set(
            name,
            (inf.store.get(namespace, name)?.data as Record<string, string> | undefined)?.v ?? 'absent',
          );
        },
      },
    }).watch(inf);
    controller.start();
    t.teardown(() => controller.stop());
    await inf.synced;
    const converged = async () => {
      const truth = await w.truth();
      const names = new Set([...Object.keys(truth), ...reconciled.keys()]);
      return (
        JSON.stringify(cached(inf)) === JSON.stringify(truth) &&
        [...names].every((n) => reconciled.get(n) === (truth[n] ?? 'absent'))
      );
    };
    await waitFor('the first sync', converged);

    await x.stop();
    await w.put('o1', 2);
    await w.remove('o2');
    await w.put('o7', 1);
    await x.start();
    await waitFor('convergence after the restart', converged);
    t.equal(reconciled.get('o1'), '2');
    t.equal(reconciled.get('o2'), 'absent', 'a deletion while disconnected is reconciled');
    t.equal(reconciled.get('o7'), '1');
    t.ok(inf.stats.errors >= 1, 'the informer noticed the outage');
    t.equal(inf.stats.lists, 1, 'resumed from its resourceVersion without relisting');

    await x.stop();
    await w.put('o3', 2);
    await w.remove('o4');
    await w.put('o8', 1);
    await compactEtcd(x.etcd);
    await x.start();
    await waitFor('convergence after the 410', converged);
    t.ok(inf.stats.expired >= 1, 'the old resourceVersion was refused with 410 Gone');
    t.equal(inf.stats.lists, 2, 'and the informer relisted');
    t.equal(reconciled.get('o3'), '2');
    t.equal(reconciled.get('o4'), 'absent', 'the relist found the deletion it never saw as an event');
    t.equal(reconciled.get('o8'), '1');
  },
);

t.test('a watch gone silent is restarted by the staleness watchdog', async (t) => {
  const x = await startExtraApiserver(cluster, ['--watch-cache=false']);
  t.teardown(() => x.stop());
  const namespace = await testNamespace(t, cluster);
  const direct = clientFor(t, kubeConfig(cluster));
  const viaX = new KubeConfig();
  viaX.loadFromFile(x.kubeconfig);
  const w = writer(direct, namespace);
  await w.put('a', 1);
  const inf = informer(t, {
    client: clientFor(t, viaX),
    namespace,
    labelSelector: 'app=watched',
    staleAfterMs: 1_500,
    backoffInitialMs: 200,
    backoffMaxMs: 1_000,
    requestTimeoutMs: 1_000,
  });
  await inf.synced;
  await waitFor('the watch', () => inf.stats.watches >= 1);
  // A frozen apiserver keeps the TCP connection open and says nothing: only the watchdog can tell.
  x.pause();
  try {
    await w.put('a', 2);
    await waitFor('the watchdog', () => inf.stats.staleRestarts >= 1);
  } finally {
    x.resume();
  }
  await waitFor('the change made while frozen', () => cached(inf).a === '2');
  t.ok(inf.stats.staleRestarts >= 1, `restarted ${inf.stats.staleRestarts} silent watch(es)`);
});
