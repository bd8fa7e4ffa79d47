// Where an agent's start goes (bench:start): from the submission to the first model request, cut at
// the moments the API records. The submission and the first request are this process's clock (ms);
// the others are the apiserver's and the kubelet's timestamps, which have whole seconds: each phase
// is good to a second, and the phases always sum to the total.
import { median, percentile } from '../../scripts/bench-stats.js';
import type { KubeObject } from '../../src/runtime/index.js';

/** One timed start: a run's attempt, or the bare pod that is its floor. */
export interface StartSample {
  /** Just before the create (or the retry's patch). */
  submittedAt: number;
  /** When the model stand-in received the attempt's first request. */
  firstRequestAt: number;
  /** The attempt's Job; none for the bare pod. */
  job?: KubeObject;
  pod: KubeObject;
  /**
   * Moments inside the container that sent the first request, read from its log's timestamps (ms):
   * from each one on, the phase is named by it (the agent shell's, then the CLI's).
   */
  marks?: { name: string; at: number }[];
}

export interface Phase {
  /** What ran in it: a controller, the kubelet, or the container that had started. */
  name: string;
  ms: number;
}

interface ContainerStatus {
  name: string;
  state?: Record<string, { startedAt?: string } | undefined>;
}

interface PodParts {
  spec?: { initContainers?: { name: string }[]; containers?: { name: string }[] };
  status?: {
    conditions?: { type: string; status: string; lastTransitionTime?: string }[];
    initContainerStatuses?: ContainerStatus[];
    containerStatuses?: ContainerStatus[];
  };
}

const at = (time: string | undefined): number | undefined => (time ? Date.parse(time) : undefined);

/** When each container started, in the pod's order (init containers first); those not started left out. */
function containerStarts(pod: PodParts): { name: string; at: number }[] {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const order = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
  return order.flatMap((name) => {
    const state = statuses.find((s) => s.name === name)?.state ?? {};
    const started = at(state.running?.startedAt ?? state.terminated?.startedAt);
    return started === undefined ? [] : [{ name, at: started }];
  });
}

/**
 * The phases of one start, in order: `operator` (to the Job), `job controller` (to the pod),
 * `scheduler` (to its node), `kubelet` (to its first container), then one per container that started
 * before the first request, each until the next one's start, the last until its first mark or the
 * first request; then one per mark.
 */
export function startPhases(sample: StartSample): Phase[] {
  const pod = sample.pod as PodParts & KubeObject;
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'True');
  const edges: { name: string; at: number | undefined }[] = [
    { name: 'operator', at: sample.job ? at(sample.job.metadata?.creationTimestamp) : undefined },
    { name: sample.job ? 'job controller' : 'create', at: at(pod.metadata?.creationTimestamp) },
    { name: 'scheduler', at: at(scheduled?.lastTransitionTime) },
  ];
  // A container's start has whole seconds, so one that started just after the request may read
  // before it: a mark, read inside the container that sent the request, bounds them better.
  const cut = sample.marks?.[0]?.at ?? sample.firstRequestAt;
  const starts = containerStarts(pod).filter((c) => c.at <= cut);
  starts.forEach((c, i) => {
    edges.push({ name: i === 0 ? 'kubelet' : (starts[i - 1]?.name ?? ''), at: c.at });
  });
  let owner = starts.at(-1)?.name ?? 'to the request';
  const lastStart = starts.at(-1)?.at ?? sample.submittedAt;
  for (const mark of sample.marks ?? []) {
    if (mark.at < lastStart || mark.at > sample.firstRequestAt) continue;
    edges.push({ name: owner, at: mark.at });
    owner = mark.name;
  }
  edges.push({ name: owner, at: sample.firstRequestAt });
  const phases: Phase[] = [];
  let from = sample.submittedAt;
  for (const edge of edges) {
    if (edge.at === undefined) continue;
    // A second-resolution edge may read before the ms one it follows: the phase is then 0, and the
    // next one takes the rest.
    const to = Math.max(from, edge.at);
    phases.push({ name: edge.name, ms: to - from });
    from = to;
  }
  return phases;
}

/** A start's whole time, submission to first request (ms). */
export const startTotal = (sample: StartSample): number => sample.firstRequestAt - sample.submittedAt;

export interface StartSummary {
  count: number;
  p50: number;
  p99: number;
  /** Each phase's median over the samples, in the order they first appear. */
  phases: Phase[];
}

/** p50 and p99 of the samples' totals and each phase's median. */
export function summarize(samples: readonly StartSample[]): StartSummary {
  const totals = samples.map(startTotal).sort((a, b) => a - b);
  const byName = new Map<string, number[]>();
  for (const sample of samples) {
    for (const phase of startPhases(sample))
      byName.set(phase.name, [...(byName.get(phase.name) ?? []), phase.ms]);
  }
  const phases = [...byName].map(([name, values]) => ({ name, ms: median(values) }));
  return { count: samples.length, p50: median(totals), p99: percentile(totals, 0.99), phases };
}
