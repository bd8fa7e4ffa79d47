// A run's Events over the REST API (docs/rest-api.md): the core/v1 Events whose involved object is the
// run (its uid: a run deleted and created again under its name has others), the newest MAX_EVENTS,
// oldest first, as `kubectl describe` lists them, each with who reported it (anyone with `create
// events` may report one); read as the manager for a caller RBAC allows `get` on the run and `list`
// on events in its namespace.
import type { RunKindName } from '../api/index.js';
import { type CoreEvent, EVENTS, resourcePath } from '../runtime/index.js';
import { type CallLimit, getRun, type RunAccess } from './runs.js';

/** The most Events one answer gives, the newest (the apiserver keeps a run's for an hour by default). */
export const MAX_EVENTS = 500;
/** Pages of Events read (the apiserver lists them by name, not time): past these, the newest of them. */
const PAGES = 4;

/** What the console and a client need of an Event. */
export interface RunEventView {
  type: string;
  reason: string;
  message: string;
  count: number;
  /** When it last happened (RFC 3339). */
  at: string;
  /** Who reported it: the operator, the Job controller, or anyone with `create events` in the namespace. */
  source: string;
}

type Event = CoreEvent & { reportingController?: string };

const when = (e: Event) =>
  String(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? '');

export async function runEvents(
  access: Pick<RunAccess, 'client'>,
  kind: RunKindName,
  namespace: string,
  name: string,
  limit: CallLimit,
): Promise<{ items: RunEventView[] }> {
  const run = await getRun(access, kind, namespace, name, limit);
  const events: Event[] = [];
  let next: string | undefined;
  for (let page = 0; page < PAGES && (page === 0 || next); page++) {
    const list = await access.client.request<{ items?: Event[]; metadata?: { continue?: string } }>(
      'GET',
      resourcePath(EVENTS, namespace),
      {
        query: {
          fieldSelector: `involvedObject.uid=${run.metadata?.uid}`,
          limit: MAX_EVENTS,
          ...(next ? { continue: next } : {}),
        },
        timeoutMs: limit.timeoutMs,
      },
    );
    events.push(...(list.items ?? []));
    next = list.metadata?.continue || undefined;
  }
  const items = events.map((e) => ({
    type: e.type ?? 'Normal',
    reason: e.reason ?? '',
    message: e.message ?? '',
    count: e.count ?? 1,
    at: when(e),
    source: e.reportingController ?? e.source?.component ?? '',
  }));
  return { items: items.sort((a, b) => a.at.localeCompare(b.at)).slice(-MAX_EVENTS) };
}
