// What a run's pod says about its agent: not started yet and why (the scheduler's message, an image
// that cannot be pulled, a missing Secret, the workspace volume), running, or exited with a code.
// Pods are cached stripped to the few fields read here, so thousands of runs cost little memory.
// The design it implements: docs/design.md §4.2.

import {
  AGENT_CONTAINER,
  DOCKER_CONTAINER,
  PREPARE_CONTAINER,
  PUBLISH_CONTAINER,
} from '../../naming/index.js';
import type { KubeObject } from '../../runtime/index.js';
import { redactSecrets } from '../../util/index.js';

interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: {
    exitCode?: number;
    reason?: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
  };
}
interface ContainerStatus {
  name: string;
  state?: ContainerState;
}
interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}
/** A pod's status as the cache keeps it. */
export interface PodStatus {
  phase?: string;
  podIP?: string;
  reason?: string;
  message?: string;
  conditions?: PodCondition[];
  initContainerStatuses?: ContainerStatus[];
  containerStatuses?: ContainerStatus[];
}

/** Why an agent has not started, as the run's Succeeded condition reason says it. */
export type WaitingReason =
  | 'PodPending'
  | 'Unschedulable'
  | 'WorkspaceNotBound'
  | 'ImagePullFailed'
  | 'ContainerConfigError'
  | 'ContainerCreateFailed'
  | 'PodCreateFailed';

export type AgentState =
  | {
      stage: 'waiting';
      /** The pod, once there is one. */
      pod?: string;
      reason: WaitingReason;
      message: string;
      /** Set when the reason will not heal by waiting: since when it may have held. */
      stuckSince?: Date;
    }
  | { stage: 'running'; pod: string }
  | {
      stage: 'exited';
      pod: string;
      container: string;
      exitCode?: number;
      reason?: string;
      message?: string;
      /** When the container ended (RFC 3339), as the kubelet says. */
      finishedAt?: string;
    };

/** The kubelet's waiting reasons that waiting does not cure, by the run reason they give. */
const STUCK: Readonly<Record<string, WaitingReason>> = {
  ErrImagePull: 'ImagePullFailed',
  ImagePullBackOff: 'ImagePullFailed',
  InvalidImageName: 'ImagePullFailed',
  ErrImageNeverPull: 'ImagePullFailed',
  CreateContainerConfigError: 'ContainerConfigError',
  CreateContainerError: 'ContainerCreateFailed',
};

/** A pod as the cache keeps it: identity, owner, and the status fields an agent's state comes from. */
export function podForCache(pod: KubeObject): KubeObject {
  const { name, namespace, uid, resourceVersion, creationTimestamp, deletionTimestamp, ownerReferences } =
    pod.metadata ?? {};
  const status = (pod.status ?? {}) as PodStatus;
  const containers = (list: ContainerStatus[] | undefined) =>
    list?.map(({ name, state }) => ({ name, ...(state ? { state } : {}) }));
  return {
    apiVersion: pod.apiVersion,
    kind: pod.kind,
    metadata: {
      name,
      namespace,
      uid,
      resourceVersion,
      creationTimestamp,
      ...(deletionTimestamp ? { deletionTimestamp } : {}),
      ownerReferences: ownerReferences?.filter((r) => r.controller === true),
    },
    status: {
      phase: status.phase,
      // Which pod a request to the egress proxy came from (controllers/egress/pods-by-address.ts).
      ...(status.podIP ? { podIP: status.podIP } : {}),
      ...(status.reason ? { reason: status.reason, message: status.message } : {}),
      conditions: status.conditions?.filter((c) => c.type === 'PodScheduled'),
      initContainerStatuses: containers(status.initContainerStatuses),
      containerStatuses: containers(status.containerStatuses),
    },
  };
}

const podStatus = (pod: KubeObject): PodStatus => (pod.status ?? {}) as PodStatus;

/** The agent's state in `pod` (the newest pod of the attempt's Job), or in its absence. */
export function agentState(pod: KubeObject | undefined, jobName: string): AgentState {
  if (!pod)
    return { stage: 'waiting', reason: 'PodPending', message: `Job ${jobName} has not created its pod yet` };
  const name = pod.metadata?.name ?? '';
  const status = podStatus(pod);
  const inits = status.initContainerStatuses ?? [];
  // The attempt's last container: the publisher; in the pod of a Job an older operator made, the agent.
  const last = status.containerStatuses?.find((c) => isAgentPhase(c.name));
  const agent = inits.find((c) => c.name === AGENT_CONTAINER);
  // The Docker sidecar is stopped when the agent ends, maybe killed: its exit code is no failure.
  const failedInit = inits.find(
    (c) => c.name !== DOCKER_CONTAINER && (c.state?.terminated?.exitCode ?? 0) !== 0,
  );
  if (failedInit) return exited(name, failedInit);
  if (last?.state?.terminated) return exited(name, last);
  // Running from the agent's start to the publisher's end, once the workspace is prepared.
  // A publisher the kubelet cannot start (its Secret missing, its image) holds the attempt: waiting says why.
  const preparing = inits.some((c) => c.name === PREPARE_CONTAINER && c.state?.running);
  const lastStuck = STUCK[last?.state?.waiting?.reason ?? ''] !== undefined;
  if (!preparing && !lastStuck && (agent?.state?.running || agent?.state?.terminated || last?.state?.running))
    return { stage: 'running', pod: name };
  if (status.phase === 'Failed' || status.phase === 'Succeeded')
    return {
      stage: 'exited',
      pod: name,
      container: last?.name ?? PUBLISH_CONTAINER,
      reason: status.reason,
      message: redactSecrets(status.message),
    };
  return waiting(pod, [...inits, ...(last ? [last] : [])]);
}

/**
 * Whether the container's exit is the agent's (docs/result-protocol.md): the agent's own container, or
 * the publisher, whose exit status is the agent's and whose result document is the attempt's.
 */
export const isAgentPhase = (container: string): boolean =>
  container === AGENT_CONTAINER || container === PUBLISH_CONTAINER;

/** Whether the container writes a result document when the attempt ends in it (prepare only when it fails). */
export const writesResult = (container: string): boolean =>
  isAgentPhase(container) || container === PREPARE_CONTAINER;

function exited(pod: string, c: ContainerStatus): AgentState {
  const t = c.state?.terminated ?? {};
  return {
    stage: 'exited',
    pod,
    container: c.name,
    exitCode: t.exitCode,
    reason: t.reason,
    // The agent's own words (or log tail): credential shapes cut before status, Events, logs (§4.4).
    message: redactSecrets(t.message),
    ...(t.finishedAt ? { finishedAt: t.finishedAt } : {}),
  };
}

function waiting(pod: KubeObject, containers: ContainerStatus[]): AgentState {
  const name = pod.metadata?.name ?? '';
  const scheduled = podStatus(pod).conditions?.find((c) => c.type === 'PodScheduled');
  for (const c of containers) {
    const reason = c.state?.waiting?.reason;
    const stuck = reason ? STUCK[reason] : undefined;
    if (stuck) {
      const since = scheduled?.lastTransitionTime ?? pod.metadata?.creationTimestamp;
      const detail = c.state?.waiting?.message;
      return {
        stage: 'waiting',
        pod: name,
        reason: stuck,
        message: `pod ${name}: container ${c.name}: ${reason}${detail ? `: ${detail}` : ''}`,
        ...(since ? { stuckSince: new Date(since) } : {}),
      };
    }
  }
  if (scheduled?.status === 'False') {
    const unbound = /PersistentVolumeClaim/i.test(scheduled.message ?? '');
    return {
      stage: 'waiting',
      pod: name,
      reason: unbound ? 'WorkspaceNotBound' : 'Unschedulable',
      message: `pod ${name} cannot be scheduled: ${scheduled.message ?? scheduled.reason ?? 'no reason given'}`,
    };
  }
  const preparing = containers.find((c) => c.name === PREPARE_CONTAINER && c.state?.running);
  return {
    stage: 'waiting',
    pod: name,
    reason: 'PodPending',
    message: preparing
      ? `pod ${name}: preparing the workspace (init container ${PREPARE_CONTAINER})`
      : // The kubelet's passing reasons (PodInitializing, ContainerCreating) are left out: each would
        // be one more status write per run, and none says more than this.
        `pod ${name}: the agent is starting`,
  };
}

/** Why the attempt failed, from the agent's exit: the container, the code, the reason and its last words. */
export function exitCause(state: AgentState & { stage: 'exited' }, lastWords?: string): string {
  const code = state.exitCode === undefined ? 'stopped' : `exited with code ${state.exitCode}`;
  const who = isAgentPhase(state.container) ? 'the agent' : `init container ${state.container}`;
  const reason = state.reason && state.reason !== 'Error' ? ` (${state.reason})` : '';
  return `${who} ${code}${reason}${lastWords ? `: ${lastWords}` : ''}`;
}
