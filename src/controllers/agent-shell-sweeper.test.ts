import pino from 'pino';
import t from 'tap';
import { FakeApi } from '../../test/harness/fakes/fake-api.js';
import { FORMER_LABELS, LABELS, MANAGED_BY } from '../api/index.js';
import {
  agentShellFiles,
  agentShellName,
  FORMER_AGENT_SHELL_CONFIGMAP_PREFIX,
  loadTemplateSet,
} from '../render/index.js';
import { type KubeObject, Store } from '../runtime/index.js';
import { AgentShellSweeper, CURRENT_RECHECK_MS, isAgentShellConfigMap } from './agent-shell-sweeper.js';

const templates = loadTemplateSet();
const earlier = agentShellFiles(new Map([['agent-shell/lib.sh', 'earlier() { :; }\n']]));
const EARLIER = earlier.name;
const collection = '/api/v1/namespaces/ns/configmaps';

const labelled = (name: string, agentShell: string, namespace = 'ns'): KubeObject => ({
  metadata: {
    name,
    namespace,
    uid: `uid-${name}`,
    labels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.agentShell]: agentShell },
  },
});
/** An agent-shell ConfigMap as stored: immutable, holding `data`. */
const stored = (name: string, data: Record<string, string> = earlier.data): KubeObject => ({
  ...labelled(name, name),
  immutable: true,
  data,
});

/** The sweeper over caches holding `objects` (ConfigMaps as metadata only, as the informer keeps them). */
function sweeper(objects: { configMaps?: KubeObject[]; jobs?: KubeObject[] }) {
  const api = new FakeApi();
  const configMaps = new Store();
  const jobs = new Store();
  for (const c of objects.configMaps ?? []) {
    configMaps.set({ metadata: c.metadata });
    api.seed(collection, c);
  }
  for (const j of objects.jobs ?? []) jobs.set(j);
  const reconciler = new AgentShellSweeper({ client: api, configMaps, jobs, templates: () => templates });
  const ctx = { signal: new AbortController().signal, logger: pino({ level: 'silent' }), retries: 0 };
  const sweep = (name: string) => reconciler.reconcile({ namespace: 'ns', name }, ctx);
  return { api, sweep };
}

t.test('an agent-shell ConfigMap is told by its label naming itself, under our prefix', async (t) => {
  t.ok(isAgentShellConfigMap(labelled(EARLIER, EARLIER)));
  t.notOk(isAgentShellConfigMap(labelled('run-1-files', EARLIER)), "an attempt's ConfigMap names another");
  t.notOk(isAgentShellConfigMap(labelled('mine', 'mine')), 'not our prefix');
});

t.test('an earlier version nothing uses is deleted, exactly that one', async (t) => {
  const { api, sweep } = sweeper({ configMaps: [stored(EARLIER)] });
  t.equal(await sweep(EARLIER), undefined);
  t.same(
    api.made('DELETE').map((c) => [c.path, (c.body as { preconditions: unknown }).preconditions]),
    [[`${collection}/${EARLIER}`, { uid: `uid-${EARLIER}` }]],
  );
});

t.test(
  'one merely labelled as an agent shell (its data does not hash to its name) is not ours: kept',
  async (t) => {
    for (const [what, obj] of [
      ['a name no data hashes to', stored('orchestrator-agent-shell-00000000000000ee')],
      ['other data under an agent shell’s name', stored(EARLIER, { 'agent-shell_lib.sh': 'someone else’s' })],
      ['mutable', { ...stored(EARLIER), immutable: false }],
    ] as const) {
      const { api, sweep } = sweeper({ configMaps: [obj] });
      t.equal(await sweep(obj.metadata?.name ?? ''), undefined);
      t.equal(api.made('GET').length, 1, `${what}: read to tell`);
      t.same(api.made('DELETE'), [], `${what}: left alone`);
    }
  },
);

t.test('the current version stays, and is looked at again (a reload makes it earlier)', async (t) => {
  const current = templates.agentShell;
  const { api, sweep } = sweeper({ configMaps: [stored(current.name, { ...current.data })] });
  t.same(await sweep(current.name), { requeueAfter: CURRENT_RECHECK_MS });
  t.same(api.calls, []);
});

t.test("an earlier version a Job mounts, or an attempt's ConfigMap names, stays", async (t) => {
  for (const user of [
    { jobs: [labelled('job-1', EARLIER)] },
    { configMaps: [labelled('job-1-files', EARLIER)] },
  ]) {
    const { api, sweep } = sweeper({ ...user, configMaps: [stored(EARLIER), ...(user.configMaps ?? [])] });
    t.equal(await sweep(EARLIER), undefined, 'its user’s deletion brings it back');
    t.same(api.calls, [], 'not even read');
  }
  const elsewhere = labelled('job-1', EARLIER, 'other');
  const { api, sweep } = sweeper({ configMaps: [stored(EARLIER)], jobs: [elsewhere] });
  await sweep(EARLIER);
  t.equal(api.made('DELETE').length, 1, 'a Job of another namespace mounts its own namespace’s');
});

t.test('what is not an agent-shell ConfigMap, or not cached, is left alone', async (t) => {
  const { api, sweep } = sweeper({ configMaps: [labelled('job-1-files', EARLIER)] });
  t.equal(await sweep('job-1-files'), undefined);
  t.equal(await sweep('orchestrator-agent-shell-gone'), undefined);
  t.same(api.calls, []);
});

t.test(
  "an earlier version's ConfigMap (named and labelled the runtime) is swept by the same rules",
  async (t) => {
    // As the version before the rename made it: its own prefix and label, its keys runtime_*.
    const data = { 'runtime_lib.sh': 'lib() { :; }\n' };
    const FORMER = agentShellName(data, FORMER_AGENT_SHELL_CONFIGMAP_PREFIX);
    t.match(FORMER, /^orchestrator-runtime-[0-9a-f]{16}$/);
    const former = (name: string, value = name, namespace = 'ns'): KubeObject => ({
      metadata: {
        name,
        namespace,
        uid: `uid-${name}`,
        labels: { [LABELS.managedBy]: MANAGED_BY, [FORMER_LABELS.agentShell]: value },
      },
    });
    const stored = (name: string, d: Record<string, string> = data) => ({
      ...former(name),
      immutable: true,
      data: d,
    });
    t.ok(isAgentShellConfigMap(former(FORMER)));
    t.notOk(isAgentShellConfigMap(labelled(FORMER, FORMER)), 'the former prefix goes with the former label');
    t.notOk(isAgentShellConfigMap(former(EARLIER)), 'and this prefix with this label');

    const unused = sweeper({ configMaps: [stored(FORMER)] });
    await unused.sweep(FORMER);
    t.same(
      unused.api.made('DELETE').map((c) => c.path),
      [`${collection}/${FORMER}`],
      'nothing names it: deleted',
    );
    for (const user of [
      { jobs: [former('job-1', FORMER)] },
      { configMaps: [former('job-1-files', FORMER)] },
    ]) {
      const used = sweeper({ ...user, configMaps: [stored(FORMER), ...(user.configMaps ?? [])] });
      await used.sweep(FORMER);
      t.same(used.api.calls, [], 'a Job or attempt of that version names it: kept, not even read');
    }
    const impostor = sweeper({ configMaps: [stored(FORMER, { 'runtime_lib.sh': 'someone else’s' })] });
    await impostor.sweep(FORMER);
    t.same(impostor.api.made('DELETE'), [], 'its data does not hash to its name: not ours, kept');
  },
);
