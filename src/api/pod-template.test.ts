// The pod fields of an attempt from the config's job.podTemplate, the agent profile's podTemplate and
// the run's spec.podTemplate: precedence, how each field merges, and the fields closed to runs (all by
// default; job.runPodTemplate opens them, job.lockedPodFields closes them again).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import YAML from 'yaml';
import { configFrom, loadDefaultConfig } from '../config/load.js';
import { packageRoot } from '../util/package-root.js';
import { runPodTemplate } from './pod-template.js';
import type { ControllerConfig } from './types.js';

const base = loadDefaultConfig();

/** Every field opened to runs (which values admission allows is src/admission/rules/placement.ts's). */
const runPodTemplateOpen = {
  nodeSelectorKeys: ['disk', 'arch', 'pool'],
  tolerationKeys: ['nvidia.com/gpu'],
  affinity: true,
  priorityClassNames: ['low', 'high'],
  runtimeClassNames: ['runc'],
};

function configWith(job: Record<string, unknown>, rexTemplate?: Record<string, unknown>): ControllerConfig {
  const rex = { ...base.agents.rex, ...(rexTemplate ? { podTemplate: rexTemplate } : {}) };
  return configFrom({
    ...base,
    agents: { ...base.agents, rex },
    job: { ...base.job, runPodTemplate: runPodTemplateOpen, ...job },
  });
}

const pool = { key: 'dedicated', operator: 'Equal', value: 'agents', effect: 'NoSchedule' };
const gpu = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };
const zone = (z: string) => ({
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [
        { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [z] }] },
      ],
    },
  },
});

const config = configWith(
  {
    podTemplate: {
      nodeSelector: { pool: 'agents', disk: 'ssd' },
      tolerations: [pool],
      priorityClassName: 'agents',
      affinity: zone('a'),
    },
  },
  { nodeSelector: { disk: 'nvme' }, runtimeClassName: 'gvisor', affinity: zone('b') },
);
const spec = (podTemplate?: Record<string, unknown>) => ({
  agent: 'rex',
  ...(podTemplate ? { podTemplate } : {}),
});

t.test('nothing configured and nothing asked: no pod field at all', async (t) => {
  t.same(runPodTemplate('TaskRun', spec(), base), {});
});

t.test('the profile over the config, the run over both; nodeSelector merged key by key', async (t) => {
  t.same(runPodTemplate('TaskRun', spec(), config), {
    nodeSelector: { pool: 'agents', disk: 'nvme' },
    tolerations: [pool],
    affinity: zone('b'),
    priorityClassName: 'agents',
    runtimeClassName: 'gvisor',
  });
  t.same(
    runPodTemplate(
      'TaskRun',
      spec({
        nodeSelector: { disk: 'hdd', arch: 'arm64' },
        tolerations: [gpu],
        affinity: zone('c'),
        priorityClassName: 'low',
      }),
      config,
    ),
    {
      nodeSelector: { pool: 'agents', disk: 'hdd', arch: 'arm64' },
      tolerations: [gpu],
      affinity: zone('c'),
      priorityClassName: 'low',
      runtimeClassName: 'gvisor',
    },
    'lists and affinity are replaced whole, never concatenated or merged',
  );
});

t.test('another agent has its own profile level (or none)', async (t) => {
  const blaze = runPodTemplate('TaskRun', { agent: 'blaze' }, config);
  t.same(blaze.nodeSelector, { pool: 'agents', disk: 'ssd' });
  t.equal(blaze.runtimeClassName, undefined);
  const coderun = runPodTemplate('CodeRun', { githubApp: '5DLabs-Rex' }, config);
  t.equal(coderun.runtimeClassName, 'gvisor', "a CodeRun's agent comes from its GitHub App");
});

t.test("by default every field is closed: the run's stored values are not used", async (t) => {
  const closed = configWith({ runPodTemplate: {} }, { runtimeClassName: 'gvisor' });
  t.same(
    runPodTemplate(
      'TaskRun',
      spec({
        runtimeClassName: 'runc',
        tolerations: [gpu],
        nodeSelector: { disk: 'hdd' },
        affinity: zone('c'),
      }),
      closed,
    ),
    { runtimeClassName: 'gvisor' },
  );
  const tolerateAll = configWith({ runPodTemplate: { tolerateAll: true } });
  t.same(
    runPodTemplate(
      'TaskRun',
      spec({ tolerations: [{ operator: 'Exists' }], runtimeClassName: 'runc' }),
      tolerateAll,
    ),
    { tolerations: [{ operator: 'Exists' }] },
    'tolerateAll opens tolerations alone',
  );
});

t.test("a locked field takes the config's levels only, whatever the run stored", async (t) => {
  const locked = configWith(
    {
      lockedPodFields: ['runtimeClassName', 'nodeSelector'],
      podTemplate: { nodeSelector: { pool: 'agents' } },
    },
    { runtimeClassName: 'gvisor' },
  );
  const got = runPodTemplate(
    'TaskRun',
    spec({ runtimeClassName: 'runc', nodeSelector: { pool: 'mine' }, priorityClassName: 'high' }),
    locked,
  );
  t.same(got, { nodeSelector: { pool: 'agents' }, priorityClassName: 'high', runtimeClassName: 'gvisor' });
  const unset = configWith({ lockedPodFields: ['runtimeClassName'] });
  t.same(
    runPodTemplate('TaskRun', spec({ runtimeClassName: 'runc' }), unset),
    {},
    'locked and unset stays unset',
  );
});

t.test('the config refuses what a pod would be refused for, and misspelt keys', async (t) => {
  t.throws(
    () => configWith({ podTemplate: { tolerations: [{ key: 'a', operator: 'Exists', value: 'x' }] } }),
    /job\.podTemplate\.tolerations\[0\]\.value: Invalid value: must be empty when operator is Exists/,
  );
  t.throws(
    () => configWith({}, { nodeSelector: { 'bad key!': 'x' } }),
    /agents\.rex\.podTemplate\.nodeSelector\["bad key!"\]: Invalid value/,
  );
  t.throws(() => configWith({ podTemplate: { runtimeClass: 'gvisor' } }), /job\.podTemplate.*runtimeClass/);
  t.throws(
    () => configWith({ podTemplate: { affinity: { nodeAffinity: { required: {} } } } }),
    /job\.podTemplate\.affinity\.nodeAffinity.*required/,
    'closed all the way down',
  );
});

t.test("docs/agent-pods.md's controller config examples load", async (t) => {
  const doc = readFileSync(join(packageRoot(), 'docs', 'agent-pods.md'), 'utf8');
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((m) => YAML.parse(m[1] ?? '') as Record<string, Record<string, unknown>>)
    .filter((b) => b.job || b.agents);
  t.equal(blocks.length, 3, 'the tainted pool, gVisor for all, gVisor for one agent');
  for (const block of blocks) {
    const loaded = configFrom({
      ...base,
      agents: { ...base.agents, ...block.agents },
      job: { ...base.job, ...block.job },
    });
    t.ok(Object.keys(runPodTemplate('TaskRun', { agent: 'tess' }, loaded)).length > 0, 'it places the pods');
  }
});
