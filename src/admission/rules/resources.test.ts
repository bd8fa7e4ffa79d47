// spec.resources within bounds (resources.ts): by default the agent's own resources for the run's
// priority; the config's maximums (agent's over job's) raise them per resource; exact quantities.
import t from 'tap';
import { configFrom, loadDefaultConfig } from '../../config/load.js';
import { validateRun } from '../validate-run.js';

const base = loadDefaultConfig();
// rex's own resources, whatever the default config says: cpu up to 2, memory up to 4Gi at standard.
const rex = {
  ...base.agents.rex,
  resources: {
    standard: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    high: { requests: { cpu: '2' }, limits: { cpu: '4' } },
  },
};
const configWith = (rexMax?: Record<string, string>, jobMax?: Record<string, string>) =>
  configFrom({
    ...base,
    agents: { ...base.agents, rex: { ...rex, ...(rexMax ? { maxResources: rexMax } : {}) } },
    job: { ...base.job, ...(jobMax ? { maxResources: jobMax } : {}) },
  });

const taskRun = (resources: Record<string, unknown>, priority = 'standard') => ({
  kind: 'TaskRun',
  metadata: { name: 'x' },
  spec: {
    taskId: 1,
    serviceName: 's',
    agent: 'rex',
    priority,
    markdownFiles: [{ filename: 'task.md', content: '' }],
    resources,
  },
});

const errors = (object: unknown, config = configWith(), oldObject?: unknown) =>
  validateRun({ kind: 'TaskRun', object, oldObject, operation: oldObject ? 'UPDATE' : 'CREATE', config })
    .filter((f) => f.severity === 'error')
    .map((f) => `${f.rule} ${f.path}: ${f.message}`);

t.test("by default: up to the agent's own resources for the run's priority, exactly", async (t) => {
  t.same(errors(taskRun({ requests: { cpu: '2000m', memory: '4096Mi' }, limits: { cpu: '2.0' } })), []);
  t.same(errors(taskRun({ requests: { cpu: '2001m' } })), [
    'resource-bounds spec.resources.requests["cpu"]: Forbidden: "2001m" exceeds the maximum "2" (agents.rex.resources.standard.limits); agents.rex.maxResources or job.maxResources would allow more',
  ]);
  t.same(errors(taskRun({ limits: { cpu: '4' } }, 'high')), [], "the high priority's own");
  t.same(errors(taskRun({ limits: { 'nvidia.com/gpu': '8' } })), [
    'resource-bounds spec.resources.limits["nvidia.com/gpu"]: Forbidden: the agent has no "nvidia.com/gpu" and no maximum allows runs to ask for it (agents.rex.maxResources or job.maxResources would allow it)',
  ]);
});

t.test("the config's maximums raise per resource, the agent's over the job's", async (t) => {
  const config = configWith({ cpu: '3' }, { cpu: '16', 'nvidia.com/gpu': '1' });
  t.same(errors(taskRun({ requests: { cpu: '3', 'nvidia.com/gpu': '1' } }), config), []);
  t.match(errors(taskRun({ requests: { cpu: '4' } }), config), [
    /"4" exceeds the maximum "3" \(agents\.rex\.maxResources\)/,
  ]);
  t.match(errors(taskRun({ limits: { 'nvidia.com/gpu': '2' } }), config), [
    /"2" exceeds the maximum "1" \(job\.maxResources\)/,
  ]);
  t.same(
    errors(taskRun({ limits: { memory: '4Gi' } }), configWith({ memory: '1Gi' })),
    [],
    "never below the agent's own",
  );
});

t.test('UPDATE: a stored value stays, a raised one is judged', async (t) => {
  const stored = taskRun({ requests: { cpu: '8' } });
  t.same(errors(stored, configWith(), stored), []);
  t.match(errors(taskRun({ requests: { cpu: '9' } }), configWith(), stored), [/"9" exceeds/]);
});
