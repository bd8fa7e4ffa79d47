// What a run has done that a team may want a word about (docs/notifications.md), read from its status:
// each event with the time it happened, so that a new leader does not announce last month's runs.
import { type ControllerConfig, PLATFORM_LIMITS, type Run } from '../../api/index.js';

type Sink = ControllerConfig['notifications']['sinks'][number];
export type NotificationEvent = NonNullable<Sink['events']>[number];

/** Every event, in the order a run goes through them (and the order they are sent in). */
export const NOTIFICATION_EVENTS: readonly NotificationEvent[] = [
  'started',
  'budget-reached',
  'pull-request',
  'succeeded',
  'failed',
];

export interface Happened {
  event: NotificationEvent;
  /** When it happened; undefined when the status does not say (then it counts as now). */
  at: string | undefined;
}

/** The events a run's status shows, in NOTIFICATION_EVENTS' order. */
export function happened(run: Run): Happened[] {
  const s = run.status;
  if (!s) return [];
  const found: Partial<Record<NotificationEvent, string | undefined>> = {};
  // Its agent ran: seen as Running (a run that ended before it was seen running is announced by its end).
  if (s.phase === 'Running') found.started = s.startTime;
  const held = s.conditions?.find((c) => c.reason === PLATFORM_LIMITS.teamBudget.waitReason);
  const stopped = s.attemptUsage?.find((u) => u.stopReason === PLATFORM_LIMITS.teamBudget.stopReason);
  if (held || stopped)
    found['budget-reached'] = held?.lastTransitionTime ?? stopped?.finishedAt ?? s.completionTime;
  if (s.pullRequestUrl) found['pull-request'] = s.completionTime;
  if (s.phase === 'Succeeded') found.succeeded = s.completionTime;
  if (s.phase === 'Failed') found.failed = s.completionTime;
  return NOTIFICATION_EVENTS.filter((e) => e in found).map((event) => ({ event, at: found[event] }));
}

/** Whether `sink` wants `event` of `run` (its namespace and agent filters). */
export function wants(sink: Sink, event: NotificationEvent, run: Run, agent: string | undefined): boolean {
  if (sink.events && !sink.events.includes(event)) return false;
  if (sink.namespaces && !sink.namespaces.includes(run.metadata?.namespace ?? '')) return false;
  return !sink.agents || (agent !== undefined && sink.agents.includes(agent));
}
