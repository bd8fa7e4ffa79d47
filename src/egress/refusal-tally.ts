// The refusals of a run as its status keeps them (status.egressRefusals): a total and the most refused
// hosts, bounded, and the sentence that says them in a failure message and an Event.
import type { RunStatus } from '../api/index.js';

export type EgressRefusals = NonNullable<RunStatus['egressRefusals']>;
export type RefusedHost = EgressRefusals['hosts'][number];

/** How many hosts status keeps (the schema's maxItems). */
export const MAX_REFUSED_HOSTS = 16;

/** Requests refused since the last write, by host and port; bounded by its caller. */
export interface RefusalCounts {
  host: string;
  port: number;
  count: number;
  /** The latest refusal, ms since the epoch. */
  last: number;
}

const key = (h: { host: string; port: number }) => `${h.host}:${h.port}`;
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * `current` with `counts` added, and `unlisted` refusals of hosts not counted by name: the total exact,
 * the most refused hosts kept (ties: the newest).
 */
export function addRefusals(
  current: EgressRefusals | undefined,
  counts: RefusalCounts[],
  unlisted = 0,
): EgressRefusals {
  const hosts = new Map<string, RefusedHost>((current?.hosts ?? []).map((h) => [key(h), { ...h }]));
  let total = (current?.total ?? 0) + unlisted;
  for (const c of counts) {
    total += c.count;
    const kept = hosts.get(key(c));
    const lastRefused = rfc3339(c.last);
    hosts.set(key(c), {
      host: c.host,
      port: c.port,
      count: (kept?.count ?? 0) + c.count,
      lastRefused: kept && kept.lastRefused > lastRefused ? kept.lastRefused : lastRefused,
    });
  }
  const ranked = [...hosts.values()].sort(
    (a, b) => b.count - a.count || (a.lastRefused < b.lastRefused ? 1 : -1),
  );
  return { total, hosts: ranked.slice(0, MAX_REFUSED_HOSTS) };
}

/** The hosts of `after` that `before` did not list: each is said once, in an Event. */
export function newlyRefused(before: EgressRefusals | undefined, after: EgressRefusals): RefusedHost[] {
  const known = new Set((before?.hosts ?? []).map(key));
  return after.hosts.filter((h) => !known.has(key(h)));
}

const START = 'the egress proxy refused ';

/** "the egress proxy refused 3 requests (evil.example.com:443 ×2, …)": for messages, bounded. */
export function refusalSentence(r: EgressRefusals): string {
  const shown = r.hosts.slice(0, 5).map((h) => `${key(h)} ×${h.count}`);
  const more = r.hosts.length > 5 || r.total > r.hosts.reduce((n, h) => n + h.count, 0) ? ', …' : '';
  const requests = r.total === 1 ? 'request' : 'requests';
  return `${START}${r.total} ${requests} of its agent (${shown.join(', ')}${more}); if the work needed them, the agent profile's allowlist must name them (docs/agent-pods.md "Egress")`;
}

/** A failure message that says what the proxy refused, once, with the latest figures. */
export function withRefusals(message: string | undefined, r: EgressRefusals | undefined): string | undefined {
  if (!r || r.total === 0) return message;
  // Said once, with the latest figures: an earlier sentence is replaced.
  const base = message?.startsWith(START) ? '' : (message?.split(`; ${START}`)[0] ?? '');
  const sentence = refusalSentence(r);
  return base ? `${base}; ${sentence}` : sentence;
}
