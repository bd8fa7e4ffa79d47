// A run's Events over the REST API (docs/rest-api.md "Events"): the core/v1 Events whose involved
// object is the run (its uid: a run deleted and created again under its name has others), oldest
// first, as `kubectl describe` lists them; read as the manager for a caller RBAC allows `get` on the
// run and `list` on events in its namespace.
import type { RunKindName } from '../api/index.js';
import { type CoreEvent, EVENTS, resourcePath } from '../runtime/index.js';
import { type CallLimit, getRun, type RunAccess } from './runs.js';

/** The most Events one answer gives (the apiserver keeps a run's for an hour by default). */
export const MAX_EVENTS = 500;

/** What the console and a client need of an Event. */
export interface RunEventView {
  type: string;
  reason: string;
  message: string;
  count: number;
  /** When it last happened (RFC 3339). */
  at: string;
}

const when = (e: CoreEvent) =>
  String(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? '');

export async function runEvents(
  access: Pick<RunAccess, 'client'>,
  kind: RunKindName,
  namespace: string,
  name: string,
  limit: CallLimit,
): Promise<{ items: RunEventView[] }> {
  const run = await getRun(access, kind, namespace, name, limit);
  const list = await access.client.request<{ items?: CoreEvent[] }>('GET', resourcePath(EVENTS, namespace), {
    query: { fieldSelector: `involvedObject.uid=${run.metadata?.uid}`, limit: MAX_EVENTS },
    timeoutMs: limit.timeoutMs,
  });
  const items = (list.items ?? []).map((e) => ({
    type: e.type ?? 'Normal',
    reason: e.reason ?? '',
    message: e.message ?? '',
    count: e.count ?? 1,
    at: when(e),
  }));
  return { items: items.sort((a, b) => a.at.localeCompare(b.at)) };
}
