// The refusals read from the proxy's log and not yet written into their runs' status, by run: each
// line attributed to the run whose pod sent it (its address and time, pods-by-address.ts, then the
// pod's Job and the Job's controlling run), or to nobody. Bounded: hosts per run and runs held.
import { GROUP, LABELS, RUN_KIND_NAMES, type RunKindName } from '../../api/index.js';
import type { Refusal, RefusalCounts } from '../../egress/index.js';
import type { KubeObject, ReadOnlyStore } from '../../runtime/index.js';
import type { PodsByAddress } from './pods-by-address.js';

/** A run a refusal belongs to, and its agent profile (the metric's label). */
export interface RefusingRun {
  kind: RunKindName;
  namespace: string;
  name: string;
  uid: string;
  agent: string;
}

/** Hosts held per run between writes (beyond them, refusals count in the total only). */
export const MAX_PENDING_HOSTS = 64;
/** Runs held between writes (beyond them, a line is dropped and counted as such). */
export const MAX_PENDING_RUNS = 1024;

const controller = (obj: KubeObject | undefined) => obj?.metadata?.ownerReferences?.find((r) => r.controller);

/** The run whose pod sent `refusal`, through the pod's Job; undefined when no pod of ours could have. */
export function refusingRun(
  refusal: Refusal,
  pods: PodsByAddress,
  jobs: ReadOnlyStore,
): RefusingRun | undefined {
  const pod = pods.at(refusal.client, refusal.at);
  const namespace = pod?.metadata?.namespace ?? '';
  const jobRef = controller(pod);
  const job = jobRef?.kind === 'Job' ? jobs.get(namespace, jobRef.name) : undefined;
  const runRef = job && job.metadata?.uid === jobRef?.uid ? controller(job) : undefined;
  const kind = RUN_KIND_NAMES.find((k) => k === runRef?.kind);
  if (!runRef || !kind || runRef.apiVersion?.split('/')[0] !== GROUP) return undefined;
  return {
    kind,
    namespace,
    name: runRef.name,
    uid: runRef.uid,
    agent: job?.metadata?.labels?.[LABELS.agent] ?? '',
  };
}

export interface Pending {
  run: RefusingRun;
  counts: Map<string, RefusalCounts>;
  /** Refusals of hosts beyond MAX_PENDING_HOSTS: counted in the total, not listed. */
  unlisted: number;
}

export class RefusalBook {
  private readonly byRun = new Map<string, Pending>();

  /** Adds one refusal of `run`; false when the book is full and it was dropped. */
  add(run: RefusingRun, refusal: Refusal): boolean {
    let pending = this.byRun.get(run.uid);
    if (!pending) {
      if (this.byRun.size >= MAX_PENDING_RUNS) return false;
      pending = { run, counts: new Map(), unlisted: 0 };
      this.byRun.set(run.uid, pending);
    }
    const key = `${refusal.host}:${refusal.port}`;
    const counted = pending.counts.get(key);
    if (counted) {
      counted.count++;
      counted.last = Math.max(counted.last, refusal.at);
    } else if (pending.counts.size < MAX_PENDING_HOSTS)
      pending.counts.set(key, { host: refusal.host, port: refusal.port, count: 1, last: refusal.at });
    else pending.unlisted++;
    return true;
  }

  /** Takes everything held, to be written. */
  drain(): Pending[] {
    const all = [...this.byRun.values()];
    this.byRun.clear();
    return all;
  }

  /** Puts back what could not be written, merged with what came since. */
  putBack(pending: Pending): void {
    const held = this.byRun.get(pending.run.uid);
    if (!held) {
      if (this.byRun.size < MAX_PENDING_RUNS) this.byRun.set(pending.run.uid, pending);
      return;
    }
    held.unlisted += pending.unlisted;
    for (const [key, c] of pending.counts) {
      const counted = held.counts.get(key);
      if (counted) {
        counted.count += c.count;
        counted.last = Math.max(counted.last, c.last);
      } else if (held.counts.size < MAX_PENDING_HOSTS) held.counts.set(key, c);
      else held.unlisted += c.count;
    }
  }
}
