// Which agent pod a request to the egress proxy came from, by its source address and time
// (docs/decisions/0033-egress-refusals-by-source-address.md). The address is the kernel's: a pod
// cannot send from another's over TCP. An address passes from pod to pod, so a pod answers only for
// the time its containers ran, from the second its first one started (the kubelet's times are whole
// seconds) to the second after its last one ended; when two pods could answer for a moment, or none,
// the request is nobody's. So a request is not put on a run whose pod did not hold the address then,
// as long as the earlier holder is still cached (agent pods stay until their Job goes); a pod's
// requests are lost only where two pods' times meet.
import type { KubeObject, ResourceEventHandler } from '../../runtime/index.js';
import type { PodStatus } from '../pods/index.js';

/** When a pod's containers ran, in ms; `to` absent while one still runs. */
interface Window {
  from: number;
  to?: number;
}

/** The span of `pod`'s containers, or undefined before any started. */
export function podWindow(pod: KubeObject): Window | undefined {
  const status = (pod.status ?? {}) as PodStatus;
  const states = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])].map(
    (c) => c.state ?? {},
  );
  const starts = states
    .map((s) => s.running?.startedAt ?? s.terminated?.startedAt)
    .filter((t): t is string => !!t)
    .map(Date.parse);
  if (starts.length === 0) return undefined;
  const from = Math.min(...starts);
  const done = status.phase === 'Succeeded' || status.phase === 'Failed';
  const ends = states.map((s) => s.terminated?.finishedAt).filter((t): t is string => !!t);
  if (!done || ends.length === 0) return { from };
  return { from, to: Math.max(...ends.map(Date.parse)) + 1000 };
}

export class PodsByAddress implements ResourceEventHandler {
  private readonly byAddress = new Map<string, Map<string, KubeObject>>();

  onAdd(pod: KubeObject): void {
    const address = (pod.status as PodStatus | undefined)?.podIP;
    if (!address) return;
    let pods = this.byAddress.get(address);
    if (!pods) {
      pods = new Map();
      this.byAddress.set(address, pods);
    }
    pods.set(pod.metadata?.uid ?? '', pod);
  }

  onUpdate(old: KubeObject, pod: KubeObject): void {
    this.onDelete(old);
    this.onAdd(pod);
  }

  onDelete(pod: KubeObject): void {
    const address = (pod.status as PodStatus | undefined)?.podIP;
    const pods = address ? this.byAddress.get(address) : undefined;
    if (!address || !pods) return;
    pods.delete(pod.metadata?.uid ?? '');
    if (pods.size === 0) this.byAddress.delete(address);
  }

  /** The one pod that held `address` at `at` (ms), or undefined when none or more than one could have. */
  at(address: string, at: number): KubeObject | undefined {
    const held = this.holders(address, at);
    return held.length === 1 ? held[0] : undefined;
  }

  /** The pods that could have held `address` at `at` (ms). */
  holders(address: string, at: number): KubeObject[] {
    return [...(this.byAddress.get(address)?.values() ?? [])].filter((pod) => {
      const w = podWindow(pod);
      return w !== undefined && w.from <= at && (w.to === undefined || at <= w.to);
    });
  }
}
