// Admission of a run's spec.podTemplate: the config's locked fields refused with why (the field, the
// rule, what the config sets), ratcheted on UPDATE; label keys and tolerations a pod would be refused for.
import t from 'tap';
import { configFrom, loadDefaultConfig } from '../../config/load.js';
import { validateRun } from '../validate-run.js';

const base = loadDefaultConfig();
const config = configFrom({
  ...base,
  agents: { ...base.agents, rex: { ...base.agents.rex, podTemplate: { runtimeClassName: 'gvisor' } } },
  job: {
    ...base.job,
    runPodTemplate: { nodeSelectorKeys: ['kubernetes.io/arch'], priorityClassNames: ['low'] },
    lockedPodFields: ['runtimeClassName', 'tolerations'],
  },
});

const taskRun = (podTemplate: Record<string, unknown>, agent = 'rex') => ({
  kind: 'TaskRun',
  metadata: { name: 'x' },
  spec: {
    taskId: 1,
    serviceName: 'payments',
    agent,
    markdownFiles: [{ filename: 'task.md', content: '# T\n' }],
    podTemplate,
  },
});

/** Every field open to runs: what is judged is the pod's rules, not the placement's (placement.test.ts). */
const open = configFrom({
  ...base,
  job: {
    ...base.job,
    runPodTemplate: {
      nodeSelectorKeys: ['Bad_Prefix/pool'],
      affinity: true,
      tolerateAll: true,
      tolerationKeys: ['a', 'dedicated'],
    },
  },
});

const findings = (object: unknown, oldObject?: unknown, within = config) =>
  validateRun({
    kind: 'TaskRun',
    object,
    oldObject,
    operation: oldObject ? 'UPDATE' : 'CREATE',
    config: within,
  })
    .filter((f) => f.severity === 'error')
    .map((f) => `${f.rule} ${f.path}: ${f.message}`);

t.test('a run may set the fields the config opens', async (t) => {
  t.same(
    findings(taskRun({ nodeSelector: { 'kubernetes.io/arch': 'arm64' }, priorityClassName: 'low' })),
    [],
  );
});

t.test('a locked field is refused, saying which rule and what the config sets', async (t) => {
  t.same(findings(taskRun({ runtimeClassName: 'runc' })), [
    'pod-template spec.podTemplate.runtimeClassName: Forbidden: the controller config locks this field ' +
      '(job.lockedPodFields: runtimeClassName, tolerations) and sets "gvisor" for this run\'s agent; remove it from the run',
  ]);
  t.same(findings(taskRun({ tolerations: [] }, 'blaze')), [
    'pod-template spec.podTemplate.tolerations: Forbidden: the controller config locks this field ' +
      "(job.lockedPodFields: runtimeClassName, tolerations) and leaves it unset for this run's agent; remove it from the run",
  ]);
  t.same(
    findings(taskRun({ runtimeClassName: 'gvisor' })),
    [
      'pod-template spec.podTemplate.runtimeClassName: Forbidden: the controller config locks this field ' +
        '(job.lockedPodFields: runtimeClassName, tolerations) and sets "gvisor" for this run\'s agent; remove it from the run',
    ],
    "even the value the config sets: the field is the config's",
  );
});

t.test('UPDATE: a locked value stored before the lock may stay, not change or appear', async (t) => {
  const stored = taskRun({ runtimeClassName: 'runc' });
  t.same(findings(stored, stored), [], 'unchanged (e.g. its finalizer removed)');
  t.match(findings(taskRun({ runtimeClassName: 'kata' }), stored), [/runtimeClassName: Forbidden/]);
  t.match(findings(taskRun({ runtimeClassName: 'runc' }), taskRun({})), [/runtimeClassName: Forbidden/]);
});

t.test('what the pod would be refused for is refused at admission', async (t) => {
  t.same(
    findings(
      taskRun({
        nodeSelector: { 'Bad_Prefix/pool': 'agents' },
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { '-app': 'x' } } },
            ],
          },
        },
      }),
      undefined,
      open,
    ),
    [
      'pod-template spec.podTemplate.nodeSelector["Bad_Prefix/pool"]: Invalid value: "Bad_Prefix/pool": a label key: the prefix before "/" must be a DNS subdomain (lower case letters, digits, "-" and ".", at most 253 characters)',
      'pod-template spec.podTemplate.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels["-app"]: Invalid value: "-app": a label key: the name must be 63 characters at most, start and end with a letter or digit, and hold only letters, digits, "-", "_" and "."',
    ],
  );
  const tolerations = (list: unknown[]) =>
    validateRun({
      kind: 'TaskRun',
      object: taskRun({ tolerations: list }),
      operation: 'CREATE',
      config: open,
    })
      .filter((f) => f.severity === 'error')
      .map((f) => `${f.path}: ${f.message}`);
  t.same(tolerations([{ key: 'a', operator: 'Exists', value: 'b' }]), [
    'spec.podTemplate.tolerations[0].value: Invalid value: must be empty when operator is Exists',
  ]);
  t.same(tolerations([{ value: 'b' }]), [
    'spec.podTemplate.tolerations[0].operator: Invalid value: must be Exists when key is empty (a toleration of every taint)',
  ]);
  t.same(tolerations([{ key: 'a', value: 'b', tolerationSeconds: 5 }]), [
    'spec.podTemplate.tolerations[0].effect: Invalid value: must be NoExecute when tolerationSeconds is set',
  ]);
  t.same(
    tolerations([{ operator: 'Exists' }, { key: 'dedicated', value: 'agents', effect: 'NoSchedule' }]),
    [],
  );
  t.match(
    validateRun({
      kind: 'TaskRun',
      object: taskRun({ runtimeClassName: 'Not A Name', tolerations: [{ key: 'a', operator: 'Maybe' }] }),
      operation: 'CREATE',
      config: open,
    }).map((f) => `${f.rule} ${f.path}`),
    ['schema spec.podTemplate.tolerations[0].operator', 'schema spec.podTemplate.runtimeClassName'],
    "the shapes are the schema's",
  );
});
