// The world decide() is given in its unit tests (src/controllers/reconcile/decide*.test.ts): one TaskRun
// at 10:00, its attempt's facts, Job, agent and capacity claim, and shorthands for a
// plan's actions and written status. Plain objects: decide() calls no API.
import { type ResolvedRun, type RunStatus, resolveRun, type TaskRun } from '../../../src/api/index.js';
import { loadDefaultConfig } from '../../../src/config/load.js';
import type { Waiter } from '../../../src/controllers/capacity/index.js';
import { taskRunStrategy } from '../../../src/controllers/kind/strategy.js';
import type { AgentState } from '../../../src/controllers/pods/index.js';
import { type Action, decide, type Plan } from '../../../src/controllers/reconcile/decide.js';
import type { AttemptFacts, AttemptState } from '../../../src/controllers/reconcile/world.js';
import type { KubeObject } from '../../../src/runtime/index.js';

export const config = loadDefaultConfig();
// Not the shipped setting: the gateway and egress off, so that these unit cases see the builders'
// baseline; the cases of each protection turn it on (manifests-gateway.test.ts, manifests-egress.test.ts,
// decide-usage.test.ts), and the suites that start a manager run the shipped config.
config.gateway.enabled = false;
config.egress.enabled = false;
export const now = new Date('2026-11-22T10:00:00Z');
export const input = { strategy: taskRunStrategy, config, now };
export const FINALIZER = 'taskrun.orchestrator.io/cleanup';

export const run = (status?: RunStatus, extra: Partial<TaskRun['metadata']> = {}): TaskRun => ({
  apiVersion: 'orchestrator.io/v1',
  kind: 'TaskRun',
  metadata: {
    name: 'pay-7',
    namespace: 'ns',
    uid: 'run-uid',
    generation: 1,
    resourceVersion: '5',
    creationTimestamp: '2026-11-22T09:00:00Z',
    finalizers: [FINALIZER],
    ...extra,
  },
  spec: {
    taskId: 7,
    serviceName: 'payments',
    retryAttempt: 1,
    markdownFiles: [{ filename: 'task.md', content: '# Task\n' }],
    workspace: { pvcName: 'workspace-payments' },
  },
  ...(status ? { status } : {}),
});

/** A stored run as the reconciler reads it: resolved, as its objects are made from it. */
export const asItRuns = (stored: TaskRun): ResolvedRun<'TaskRun'> => resolveRun('TaskRun', stored, config);

export const facts: AttemptFacts = { attempt: 1, configMapName: 'cm-1', jobName: 'job-1', retryCount: 0 };
export const job: KubeObject = {
  metadata: { name: 'job-1', namespace: 'ns', uid: 'job-uid', resourceVersion: '9' },
};
export const failedJob: KubeObject = {
  ...job,
  status: { conditions: [{ type: 'Failed', status: 'True', lastTransitionTime: '2026-11-22T09:59:00Z' }] },
};
export const running: AgentState = { stage: 'running', pod: 'job-1-abc' };
export const exited: AgentState = { stage: 'exited', pod: 'job-1-abc', container: 'agent', exitCode: 1 };
export const claim: Waiter = {
  key: 'TaskRun/ns/pay-7/run-uid',
  run: 'TaskRun/pay-7',
  namespace: 'ns',
  service: 'payments',
  workspace: 'workspace-payments',
  createdAt: '2026-11-22T09:00:00Z',
};
export const cause = { reason: 'AgentFailed', message: 'the agent exited with code 1', exitCode: 1 };

export const at = (state: AttemptState, stored = run()): Plan =>
  decide({ is: 'attempt', run: stored, resolved: asItRuns(stored), owed: { causes: [] }, state }, input);
export const kinds = (plan: Plan) => plan.actions.map((a) => a.do);
export const written = (plan: Plan): RunStatus | undefined =>
  plan.actions.find((a): a is Action & { do: 'writeStatus' } => a.do === 'writeStatus')?.status;
