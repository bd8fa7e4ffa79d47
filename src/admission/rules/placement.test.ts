// Placement is the platform's (placement.ts): every podTemplate field closed by default, each opened by
// its job.runPodTemplate key; each refusal names the field, the rule and the key that would allow it.
import t from 'tap';
import { configFrom, loadDefaultConfig } from '../../config/load.js';
import { validateRun } from '../validate-run.js';

const base = loadDefaultConfig();
const withOpen = (runPodTemplate: Record<string, unknown>) =>
  configFrom({
    ...base,
    agents: {
      ...base.agents,
      rex: { ...base.agents.rex, podTemplate: { nodeSelector: { pool: 'agents' } } },
    },
    job: { ...base.job, runPodTemplate },
  });

const codeRun = (podTemplate: Record<string, unknown>) => ({
  kind: 'CodeRun',
  metadata: { name: 'x' },
  spec: {
    taskId: 1,
    service: 's',
    repositoryUrl: 'https://github.com/a/b',
    docsRepositoryUrl: 'https://github.com/a/c',
    githubApp: '5DLabs-Rex',
    podTemplate,
  },
});

const errors = (podTemplate: Record<string, unknown>, config = base, oldTemplate?: Record<string, unknown>) =>
  validateRun({
    kind: 'CodeRun',
    object: codeRun(podTemplate),
    oldObject: oldTemplate ? codeRun(oldTemplate) : undefined,
    operation: oldTemplate ? 'UPDATE' : 'CREATE',
    config,
  })
    .filter((f) => f.severity === 'error')
    .map((f) => `${f.rule} ${f.path}: ${f.message}`);

t.test('by default a run sets none of the fields, each refusal naming its key', async (t) => {
  t.same(errors({ tolerations: [{ operator: 'Exists' }] }), [
    "placement spec.podTemplate.tolerations: Forbidden: where the agent's pod runs is the platform's: the controller config lets runs set no tolerations (job.runPodTemplate.tolerationKeys (or job.runPodTemplate.tolerateAll) would allow it) and leaves it unset for this run's agent; remove it from the run",
  ]);
  t.same(errors({ priorityClassName: 'system-node-critical' }), [
    "placement spec.podTemplate.priorityClassName: Forbidden: where the agent's pod runs is the platform's: the controller config lets runs set no priorityClassName (job.runPodTemplate.priorityClassNames would allow it) and leaves it unset for this run's agent; remove it from the run",
  ]);
  t.match(errors({ nodeSelector: { 'node-role.kubernetes.io/control-plane': '' } }), [
    /nodeSelector: Forbidden: .*job\.runPodTemplate\.nodeSelectorKeys would allow it/,
  ]);
  t.match(errors({ affinity: {} }), [
    /affinity: Forbidden: .*job\.runPodTemplate\.affinity: true would allow it/,
  ]);
  t.match(errors({ runtimeClassName: 'runc' }), [
    /runtimeClassName: Forbidden: .*job\.runPodTemplate\.runtimeClassNames would allow it/,
  ]);
});

t.test('nodeSelector: only the opened keys, and never a key the config or profile sets', async (t) => {
  const config = withOpen({ nodeSelectorKeys: ['kubernetes.io/arch'] });
  t.same(
    errors({ nodeSelector: { 'kubernetes.io/arch': 'arm64', pool: 'agents' } }, config),
    [],
    'the same pool is no change',
  );
  t.same(errors({ nodeSelector: { pool: 'gpu' } }, config), [
    'placement spec.podTemplate.nodeSelector["pool"]: Forbidden: the controller config or the agent profile sets this node label to "agents"; a run may not change it',
  ]);
  t.same(errors({ nodeSelector: { 'node-role.kubernetes.io/control-plane': '' } }, config), [
    'placement spec.podTemplate.nodeSelector["node-role.kubernetes.io/control-plane"]: Forbidden: a run may not choose nodes by this label: not in job.runPodTemplate.nodeSelectorKeys (kubernetes.io/arch), which would allow it',
  ]);
});

t.test('tolerations: opened keys; tolerate-all only with tolerateAll', async (t) => {
  const keys = withOpen({ tolerationKeys: ['dedicated'] });
  t.same(errors({ tolerations: [{ key: 'dedicated', value: 'agents', effect: 'NoSchedule' }] }, keys), []);
  t.same(errors({ tolerations: [{ operator: 'Exists' }] }, keys), [
    "placement spec.podTemplate.tolerations[0]: Forbidden: a toleration without a key tolerates every taint (the control plane's, every dedicated pool's); job.runPodTemplate.tolerateAll: true would allow it",
  ]);
  t.same(errors({ tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }] }, keys), [
    'placement spec.podTemplate.tolerations[0].key: Forbidden: a run may not tolerate taint "nvidia.com/gpu": not in job.runPodTemplate.tolerationKeys (dedicated), which would allow it',
  ]);
  t.same(errors({ tolerations: [{ operator: 'Exists' }] }, withOpen({ tolerateAll: true })), []);
});

t.test('priorityClassName and runtimeClassName: only the listed classes', async (t) => {
  const config = withOpen({ priorityClassNames: ['agents-low'], runtimeClassNames: ['kata'] });
  t.same(errors({ priorityClassName: 'agents-low', runtimeClassName: 'kata' }, config), []);
  t.same(errors({ priorityClassName: 'system-node-critical', runtimeClassName: 'runc' }, config), [
    'placement spec.podTemplate.priorityClassName: Forbidden: "system-node-critical" is not one of job.runPodTemplate.priorityClassNames (agents-low), which would allow it, and its submitter must also be allowed to use priorityclasses "system-node-critical" (API group scheduling.k8s.io)',
    'placement spec.podTemplate.runtimeClassName: Forbidden: "runc" is not one of job.runPodTemplate.runtimeClassNames (kata), which would allow it',
  ]);
});

t.test('job.lockedPodFields closes an opened field', async (t) => {
  const config = configFrom({
    ...base,
    job: {
      ...base.job,
      runPodTemplate: { runtimeClassNames: ['kata'] },
      lockedPodFields: ['runtimeClassName'],
    },
  });
  t.match(errors({ runtimeClassName: 'kata' }, config), [
    /^pod-template .*job\.lockedPodFields: runtimeClassName/,
  ]);
});

t.test('UPDATE: what the stored run had is not judged again; a change is', async (t) => {
  const stored = { tolerations: [{ operator: 'Exists' }], priorityClassName: 'system-node-critical' };
  t.same(errors(stored, base, stored), []);
  t.match(errors({ ...stored, runtimeClassName: 'runc' }, base, stored), [/runtimeClassName: Forbidden/]);
  t.match(errors({ priorityClassName: 'other' }, base, stored), [/priorityClassName: Forbidden/]);
});
