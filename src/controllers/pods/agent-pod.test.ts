import t from 'tap';
import {
  AGENT_CONTAINER,
  DOCKER_CONTAINER,
  PREPARE_CONTAINER,
  PUBLISH_CONTAINER,
} from '../../naming/containers.js';
import type { KubeObject } from '../../runtime/index.js';
import {
  type AgentState,
  agentState,
  exitCause,
  isAgentPhase,
  podForCache,
  writesResult,
} from './agent-pod.js';

const CREATED = '2026-03-01T10:00:00Z';
const SCHEDULED = '2026-03-01T10:00:05Z';
const JOB = 'task-1-a1';
const POD = 'task-1-a1-x7k2p';

type State = Record<string, unknown>;
const waitingOn = (reason: string, message?: string): State => ({
  waiting: { reason, ...(message ? { message } : {}) },
});
const terminated = (exitCode: number, reason?: string, message?: string): State => ({
  terminated: { exitCode, ...(reason ? { reason } : {}), ...(message ? { message } : {}) },
});
const running: State = { running: { startedAt: SCHEDULED } };
const scheduledTrue = { type: 'PodScheduled', status: 'True', lastTransitionTime: SCHEDULED };

/** A run's pod: `init` and `agent` are the states of its init container and agent container. */
function pod(
  opts: { phase?: string; init?: State; agent?: State; conditions?: unknown[]; status?: State } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: POD, namespace: 'ns', uid: 'pod-uid', creationTimestamp: CREATED },
    status: {
      phase: opts.phase ?? 'Pending',
      conditions: opts.conditions ?? [scheduledTrue],
      ...(opts.init ? { initContainerStatuses: [{ name: PREPARE_CONTAINER, state: opts.init }] } : {}),
      ...(opts.agent ? { containerStatuses: [{ name: AGENT_CONTAINER, state: opts.agent }] } : {}),
      ...opts.status,
    },
  };
}

t.test('podForCache keeps identity, the controller owner and the status an agent state needs', async (t) => {
  const controller = { apiVersion: 'batch/v1', kind: 'Job', name: JOB, uid: 'job-uid', controller: true };
  const identity = {
    name: POD,
    namespace: 'ns',
    uid: 'pod-uid',
    resourceVersion: '812',
    creationTimestamp: CREATED,
    deletionTimestamp: '2026-03-01T11:00:00Z',
  };
  const full: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...identity,
      labels: { 'app.kubernetes.io/managed-by': 'orchestrator' },
      annotations: { big: 'x'.repeat(1000) },
      managedFields: [{ manager: 'kubelet' }],
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'node-uid' }, controller],
    },
    spec: { containers: [{ name: AGENT_CONTAINER, image: 'agent:1' }], nodeName: 'n' },
    status: {
      phase: 'Failed',
      reason: 'Evicted',
      message: 'The node was low on resource: memory.',
      hostIP: '10.0.0.1',
      podIP: '10.1.0.7',
      qosClass: 'Burstable',
      conditions: [
        { type: 'Initialized', status: 'True' },
        { ...scheduledTrue, reason: 'Scheduled' },
        { type: 'Ready', status: 'False' },
      ],
      initContainerStatuses: [
        {
          name: PREPARE_CONTAINER,
          state: terminated(0, 'Completed'),
          image: 'git:1',
          restartCount: 0,
          ready: false,
        },
      ],
      containerStatuses: [
        {
          name: AGENT_CONTAINER,
          state: terminated(137, 'OOMKilled'),
          lastState: {},
          imageID: 'sha256:abc',
          containerID: 'containerd://1',
          ready: false,
        },
        { name: 'sidecar' },
      ],
    },
  };
  t.strictSame(podForCache(full), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...identity, ownerReferences: [controller] },
    status: {
      phase: 'Failed',
      podIP: '10.1.0.7',
      reason: 'Evicted',
      message: 'The node was low on resource: memory.',
      conditions: [{ ...scheduledTrue, reason: 'Scheduled' }],
      initContainerStatuses: [{ name: PREPARE_CONTAINER, state: terminated(0, 'Completed') }],
      containerStatuses: [
        { name: AGENT_CONTAINER, state: terminated(137, 'OOMKilled') },
        { name: 'sidecar' },
      ],
    },
  });
});

t.test('podForCache of a bare pod adds nothing', async (t) => {
  const bare = podForCache({ apiVersion: 'v1', kind: 'Pod', metadata: { name: POD, namespace: 'ns' } });
  t.same(bare.metadata, { name: POD, namespace: 'ns' });
  t.notOk('deletionTimestamp' in (bare.metadata ?? {}), 'no deletionTimestamp key');
  t.same(bare.status, {});
  t.notOk('reason' in (bare.status as object), 'no reason key without a reason');
  t.strictSame(agentState(bare, JOB), agentState(pod({ conditions: [] }), JOB), 'reads as a fresh pod');
});

t.test('no pod yet: pending, naming the Job', async (t) => {
  t.strictSame(agentState(undefined, JOB), {
    stage: 'waiting',
    reason: 'PodPending',
    message: `Job ${JOB} has not created its pod yet`,
  });
});

t.test('a pod the scheduler cannot place', async (t) => {
  const message = '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available.';
  const unscheduled = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message };
  t.strictSame(agentState(pod({ conditions: [unscheduled] }), JOB), {
    stage: 'waiting',
    pod: POD,
    reason: 'Unschedulable',
    message: `pod ${POD} cannot be scheduled: ${message}`,
  });
  const noMessage = { type: 'PodScheduled', status: 'False', reason: 'SchedulerError' };
  t.match(agentState(pod({ conditions: [noMessage] }), JOB), {
    reason: 'Unschedulable',
    message: `pod ${POD} cannot be scheduled: SchedulerError`,
  });
  const nothing = { type: 'PodScheduled', status: 'False' };
  t.match(agentState(pod({ conditions: [nothing] }), JOB), {
    message: `pod ${POD} cannot be scheduled: no reason given`,
  });
});

t.test('a pod waiting for its workspace volume', async (t) => {
  const message = '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.';
  const unbound = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message };
  const state = agentState(pod({ conditions: [unbound] }), JOB);
  t.strictSame(state, {
    stage: 'waiting',
    pod: POD,
    reason: 'WorkspaceNotBound',
    message: `pod ${POD} cannot be scheduled: ${message}`,
  });
  t.notOk('stuckSince' in state, 'an unbound volume may still bind');
});

/** The state of a pod stuck on `container` waiting for `why` (the kubelet's reason and message). */
const stuckOn = (reason: string, container: string, why: string, since = SCHEDULED) => ({
  stage: 'waiting',
  pod: POD,
  reason,
  message: `pod ${POD}: container ${container}: ${why}`,
  stuckSince: new Date(since),
});

t.test('a missing Secret or ConfigMap: ContainerConfigError, stuck since scheduling', async (t) => {
  const kubelet = 'secret "agent-token" not found';
  const agent = waitingOn('CreateContainerConfigError', kubelet);
  t.strictSame(
    agentState(pod({ init: terminated(0), agent }), JOB),
    stuckOn('ContainerConfigError', AGENT_CONTAINER, `CreateContainerConfigError: ${kubelet}`),
  );
  const unscheduledYet = pod({ conditions: [], agent: waitingOn('CreateContainerConfigError') });
  t.strictSame(
    agentState(unscheduledYet, JOB),
    stuckOn('ContainerConfigError', AGENT_CONTAINER, 'CreateContainerConfigError', CREATED),
    'stuck since the pod was created when it has no PodScheduled condition',
  );
});

t.test('an image that cannot be pulled, for the init container or the agent', async (t) => {
  for (const reason of ['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']) {
    const kubelet = `${reason} for "registry.local/git:bad"`;
    t.strictSame(
      agentState(pod({ init: waitingOn(reason, kubelet), agent: waitingOn('PodInitializing') }), JOB),
      stuckOn('ImagePullFailed', PREPARE_CONTAINER, `${reason}: ${kubelet}`),
    );
    t.strictSame(
      agentState(pod({ init: terminated(0), agent: waitingOn(reason) }), JOB),
      stuckOn('ImagePullFailed', AGENT_CONTAINER, reason),
    );
  }
});

t.test('a container the runtime cannot create', async (t) => {
  const kubelet = 'failed to create containerd task: mount error';
  t.strictSame(
    agentState(pod({ init: terminated(0), agent: waitingOn('CreateContainerError', kubelet) }), JOB),
    stuckOn('ContainerCreateFailed', AGENT_CONTAINER, `CreateContainerError: ${kubelet}`),
  );
});

t.test('pending while the workspace is prepared or the agent is being created', async (t) => {
  t.strictSame(agentState(pod({ init: running, agent: waitingOn('PodInitializing') }), JOB), {
    stage: 'waiting',
    pod: POD,
    reason: 'PodPending',
    message: `pod ${POD}: preparing the workspace (init container ${PREPARE_CONTAINER})`,
  });
  t.strictSame(agentState(pod({ init: terminated(0), agent: waitingOn('ContainerCreating') }), JOB), {
    stage: 'waiting',
    pod: POD,
    reason: 'PodPending',
    message: `pod ${POD}: the agent is starting`,
  });
  t.strictSame(agentState(pod(), JOB), {
    stage: 'waiting',
    pod: POD,
    reason: 'PodPending',
    message: `pod ${POD}: the agent is starting`,
  });
});

t.test('a running agent', async (t) => {
  t.strictSame(agentState(pod({ phase: 'Running', init: terminated(0), agent: running }), JOB), {
    stage: 'running',
    pod: POD,
  });
});

t.test('an exited agent: its code, reason and message', async (t) => {
  const agent = terminated(3, 'Error', '{"protocol":"orchestrator.io/result/v1"}');
  t.strictSame(agentState(pod({ phase: 'Failed', init: terminated(0), agent }), JOB), {
    stage: 'exited',
    pod: POD,
    container: AGENT_CONTAINER,
    exitCode: 3,
    reason: 'Error',
    message: '{"protocol":"orchestrator.io/result/v1"}',
  });
  t.match(
    agentState(pod({ phase: 'Succeeded', init: terminated(0), agent: terminated(0, 'Completed') }), JOB),
    {
      stage: 'exited',
      container: AGENT_CONTAINER,
      exitCode: 0,
      reason: 'Completed',
    },
  );
});

t.test('a failed init container is the exit, even while the agent waits', async (t) => {
  const init = terminated(128, 'Error', 'fatal: repository not found');
  t.strictSame(agentState(pod({ phase: 'Failed', init, agent: waitingOn('PodInitializing') }), JOB), {
    stage: 'exited',
    pod: POD,
    container: PREPARE_CONTAINER,
    exitCode: 128,
    reason: 'Error',
    message: 'fatal: repository not found',
  });
});

t.test(
  "the Docker sidecar's exit (stopped, maybe killed, after the agent) is not the attempt's",
  async (t) => {
    const withSidecar = pod({ phase: 'Succeeded', agent: terminated(0, 'Completed') });
    (withSidecar.status as { initContainerStatuses: unknown[] }).initContainerStatuses = [
      { name: PREPARE_CONTAINER, state: terminated(0) },
      { name: DOCKER_CONTAINER, state: terminated(137, 'Error') },
    ];
    t.match(agentState(withSidecar, JOB), { stage: 'exited', container: AGENT_CONTAINER, exitCode: 0 });
  },
);

t.test('an evicted pod without container statuses exited without a code', async (t) => {
  const evicted = pod({
    phase: 'Failed',
    status: { reason: 'Evicted', message: 'The node was low on resource: ephemeral-storage.' },
  });
  t.strictSame(agentState(evicted, JOB), {
    stage: 'exited',
    pod: POD,
    container: PUBLISH_CONTAINER,
    reason: 'Evicted',
    message: 'The node was low on resource: ephemeral-storage.',
  });
  t.strictSame(
    agentState(podForCache(evicted), JOB),
    agentState(evicted, JOB),
    'the cached pod reads the same',
  );
});

t.test('exitCause words the exit', async (t) => {
  const exit = (s: Partial<AgentState & { stage: 'exited' }>) =>
    ({ stage: 'exited', pod: POD, container: AGENT_CONTAINER, ...s }) as AgentState & { stage: 'exited' };
  t.equal(exitCause(exit({ exitCode: 1, reason: 'Error' })), 'the agent exited with code 1');
  t.equal(
    exitCause(exit({ exitCode: 137, reason: 'OOMKilled' })),
    'the agent exited with code 137 (OOMKilled)',
  );
  t.equal(exitCause(exit({ exitCode: 2 }), 'tests failed'), 'the agent exited with code 2: tests failed');
  t.equal(
    exitCause(exit({ container: PREPARE_CONTAINER, exitCode: 128, reason: 'Error' }), 'fatal: no such ref'),
    `init container ${PREPARE_CONTAINER} exited with code 128: fatal: no such ref`,
  );
  t.equal(exitCause(exit({ reason: 'Evicted' })), 'the agent stopped (Evicted)');
  t.equal(exitCause(exit({})), 'the agent stopped');
  t.equal(exitCause(exit({ exitCode: 1 }), ''), 'the agent exited with code 1', 'empty last words omitted');
});

t.test('the phased pod: prepare, the agent (init containers), then the publisher (main)', async (t) => {
  const phased = (prepare: State, agent?: State, publish?: State): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: POD, namespace: 'ns', uid: 'pod-uid', creationTimestamp: CREATED },
    status: {
      phase: 'Pending',
      conditions: [scheduledTrue],
      initContainerStatuses: [
        { name: PREPARE_CONTAINER, state: prepare },
        { name: AGENT_CONTAINER, state: agent ?? waitingOn('PodInitializing') },
      ],
      containerStatuses: [{ name: PUBLISH_CONTAINER, state: publish ?? waitingOn('PodInitializing') }],
    },
  });
  t.match(agentState(phased(running), JOB), { stage: 'waiting', reason: 'PodPending' }, 'preparing');
  t.match(
    agentState(phased(running, running), JOB),
    { stage: 'waiting', message: /preparing the workspace/ },
    'a node that reports both as running (the simulated one) is still preparing',
  );
  t.strictSame(agentState(phased(terminated(0), running), JOB), { stage: 'running', pod: POD });
  t.strictSame(
    agentState(phased(terminated(0), terminated(0)), JOB),
    { stage: 'running', pod: POD },
    'between the agent and the publisher',
  );
  t.strictSame(agentState(phased(terminated(0), terminated(0), running), JOB), {
    stage: 'running',
    pod: POD,
  });
  t.match(
    agentState(
      phased(terminated(0), terminated(0), waitingOn('CreateContainerConfigError', 'no Secret')),
      JOB,
    ),
    {
      stage: 'waiting',
      reason: 'ContainerConfigError',
      message: /container publish: CreateContainerConfigError/,
    },
    'a publisher that cannot start holds the attempt, saying why',
  );
  t.match(agentState(phased(terminated(0), terminated(0), terminated(1, 'Error', '{"x":1}')), JOB), {
    stage: 'exited',
    container: PUBLISH_CONTAINER,
    exitCode: 1,
    message: '{"x":1}',
  });
  t.match(
    agentState(phased(terminated(0), terminated(1, 'Error', 'before the agent')), JOB),
    { stage: 'exited', container: AGENT_CONTAINER, exitCode: 1, message: 'before the agent' },
    "the agent's container failing ends the attempt there",
  );
  t.match(agentState(phased(terminated(128, 'Error', 'cloning')), JOB), {
    stage: 'exited',
    container: PREPARE_CONTAINER,
    exitCode: 128,
  });
  t.ok(
    isAgentPhase(AGENT_CONTAINER) && isAgentPhase(PUBLISH_CONTAINER),
    "the publisher's exit is the agent's",
  );
  t.notOk(isAgentPhase(PREPARE_CONTAINER));
  t.ok(writesResult(PREPARE_CONTAINER), 'a failed checkout leaves a result document');
  t.notOk(writesResult(DOCKER_CONTAINER));
});
