// Kubernetes Events on a run for each transition (`kubectl describe otr` shows them): one per change of
// the Succeeded condition's reason or of the attempt. Best effort: an Event that cannot be written is
// logged, never a reason to fail the reconcile.
// The design it implements: docs/design.md §4 (Events).
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { type RunStatus, STOP_REASONS } from '../../api/index.js';
import { boundedName } from '../../naming/index.js';
import { emitEvent } from '../../observability/index.js';
import {
  type ApiRequester,
  type CoreEvent,
  EVENTS,
  type KubeObject,
  resourcePath,
} from '../../runtime/index.js';
import { findCondition } from '../conditions.js';

/** Reasons that mean something went wrong (Warning events); every other reason is Normal. */
const WARNINGS: ReadonlySet<string> = new Set([
  'RetryScheduled',
  'RetriesExhausted',
  'NotRetryable',
  'DependencyFailed',
  'NameConflict',
  'RenderFailed',
  'Unschedulable',
  'WorkspaceNotBound',
  'ImagePullFailed',
  'ContainerConfigError',
  'ContainerCreateFailed',
  'PodCreateFailed',
  'CleanupRefused',
  // A limit stopped the agent (docs/economics.md).
  ...STOP_REASONS,
]);

export interface RunEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** The event for going from `before` to `after`, if that is a transition. */
export function transition(before: RunStatus | undefined, after: RunStatus): RunEvent | undefined {
  const was = findCondition(before?.conditions, 'Succeeded');
  const now = findCondition(after.conditions, 'Succeeded');
  if (!now || (was?.reason === now.reason && before?.attempt === after.attempt)) return undefined;
  return {
    type: WARNINGS.has(now.reason) ? 'Warning' : 'Normal',
    reason: now.reason,
    message: after.message ?? '',
  };
}

/**
 * The events of what the agent reported, on the status write that brings it: a new pull request, and
 * a result document that broke the protocol (reported once, with the transition it came with).
 */
export function resultEvents(
  before: RunStatus | undefined,
  after: RunStatus,
  problem: string | undefined,
  withTransition: boolean,
): RunEvent[] {
  const events: RunEvent[] = [];
  if (after.pullRequestUrl && after.pullRequestUrl !== before?.pullRequestUrl)
    events.push({
      type: 'Normal',
      reason: 'PullRequestOpened',
      message: `the agent opened pull request ${after.pullRequestUrl}`,
    });
  if (problem && withTransition)
    events.push({
      type: 'Warning',
      reason: 'InvalidResult',
      message: `the agent's result was ignored: ${problem} (docs/result-protocol.md)`,
    });
  return events;
}

/** What recording an Event needs of its reconcile: its time (`now`, the reconcile's clock), log and signal. */
export interface EventContext {
  now: Date;
  logger: Logger;
  signal: AbortSignal;
}

export async function recordEvent(
  client: ApiRequester,
  run: KubeObject,
  event: RunEvent,
  { now, logger, signal }: EventContext,
): Promise<void> {
  const { name = '', namespace = '', uid } = run.metadata ?? {};
  const at = now.toISOString().replace(/\.\d+Z$/, 'Z');
  const body: CoreEvent = {
    apiVersion: 'v1',
    kind: 'Event',
    // An Event's name is a DNS subdomain (≤ 253), and a run's name may use all of that already.
    metadata: { name: `${boundedName(name, 253 - 17)}.${randomBytes(8).toString('hex')}`, namespace },
    involvedObject: { apiVersion: run.apiVersion, kind: run.kind, name, namespace, uid },
    ...event,
    source: { component: 'orchestrator' },
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
  };
  emitEvent({
    type: event.type,
    reason: event.reason,
    message: event.message,
    object: { kind: run.kind, name, namespace, ...(uid ? { uid } : {}) },
  });
  try {
    await client.request('POST', resourcePath(EVENTS, namespace), {
      body,
      signal,
      discardAnswer: true,
    });
  } catch (err) {
    logger.warn({ err: (err as Error).message, reason: event.reason }, 'could not record an event');
  }
}
