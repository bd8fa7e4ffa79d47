import pino from 'pino';
import t from 'tap';
import { FakeApi } from '../../test/harness/fakes/fake-api.js';
import { LABELS, MANAGED_BY } from '../api/index.js';
import { loadTemplateSet } from '../render/index.js';
import { type KubeObject, Store } from '../runtime/index.js';
import { CURRENT_RECHECK_MS, isRuntimeConfigMap, RuntimeSweeper } from './runtime-sweeper.js';

const templates = loadTemplateSet();
const CURRENT = templates.runtime.name;
const EARLIER = 'orchestrator-runtime-00000000000000ee';
const collection = '/api/v1/namespaces/ns/configmaps';

const labelled = (name: string, runtime: string, extra: Record<string, string> = {}): KubeObject => ({
  metadata: {
    name,
    namespace: 'ns',
    uid: `uid-${name}`,
    labels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.runtime]: runtime, ...extra },
  },
});

function sweeper(objects: { configMaps?: KubeObject[]; jobs?: KubeObject[] }) {
  const api = new FakeApi();
  const configMaps = new Store();
  const jobs = new Store();
  for (const c of objects.configMaps ?? []) {
    configMaps.set(c);
    api.seed(collection, c);
  }
  for (const j of objects.jobs ?? []) jobs.set(j);
  const reconciler = new RuntimeSweeper({ client: api, configMaps, jobs, templates: () => templates });
  const ctx = { signal: new AbortController().signal, logger: pino({ level: 'silent' }), retries: 0 };
  const sweep = (name: string) => reconciler.reconcile({ namespace: 'ns', name }, ctx);
  return { api, sweep };
}

t.test('a runtime ConfigMap is told by its label naming itself, under our prefix', async (t) => {
  t.ok(isRuntimeConfigMap(labelled(EARLIER, EARLIER)));
  t.notOk(isRuntimeConfigMap(labelled('run-1-files', EARLIER)), "an attempt's ConfigMap names another");
  t.notOk(isRuntimeConfigMap(labelled('mine', 'mine')), 'not our prefix');
});

t.test('an earlier version nothing uses is deleted, exactly that one', async (t) => {
  const { api, sweep } = sweeper({ configMaps: [labelled(EARLIER, EARLIER)] });
  t.equal(await sweep(EARLIER), undefined);
  t.same(
    api.made('DELETE').map((c) => [c.path, (c.body as { preconditions: unknown }).preconditions]),
    [[`${collection}/${EARLIER}`, { uid: `uid-${EARLIER}` }]],
  );
});

t.test('the current version stays, and is looked at again (a reload makes it earlier)', async (t) => {
  const { api, sweep } = sweeper({ configMaps: [labelled(CURRENT, CURRENT)] });
  t.same(await sweep(CURRENT), { requeueAfter: CURRENT_RECHECK_MS });
  t.same(api.made('DELETE'), []);
});

t.test("an earlier version a Job mounts, or an attempt's ConfigMap names, stays", async (t) => {
  const runtime = labelled(EARLIER, EARLIER);
  for (const user of [
    { jobs: [labelled('job-1', EARLIER)] },
    { configMaps: [labelled('job-1-files', EARLIER)] },
  ]) {
    const { api, sweep } = sweeper({ ...user, configMaps: [runtime, ...(user.configMaps ?? [])] });
    t.equal(await sweep(EARLIER), undefined, 'its user’s deletion brings it back');
    t.same(api.made('DELETE'), []);
  }
  const elsewhere = {
    ...labelled('job-1', EARLIER),
    metadata: { ...labelled('job-1', EARLIER).metadata, namespace: 'other' },
  };
  const { api, sweep } = sweeper({ configMaps: [runtime], jobs: [elsewhere] });
  await sweep(EARLIER);
  t.equal(api.made('DELETE').length, 1, 'a Job of another namespace mounts its own namespace’s');
});

t.test('what is not a runtime ConfigMap, or not cached, is left alone', async (t) => {
  const { api, sweep } = sweeper({ configMaps: [labelled('job-1-files', EARLIER)] });
  t.equal(await sweep('job-1-files'), undefined);
  t.equal(await sweep('orchestrator-runtime-gone'), undefined);
  t.same(api.calls, []);
});
