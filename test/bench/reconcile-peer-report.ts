// What bench:reconcile prints with --peer-bin: each round's figures for the project's operator process,
// the controller-runtime peer's manager and the baseline, their medians, and the project/peer and
// project/baseline ratios, with what each figure covers. Pure: lines from numbers.
import { fixed, medians, ratio, table } from '../../scripts/bench-stats.js';

/** One operator process's figures, at the moment every run had started. */
export interface ProcessFigures {
  seconds: number;
  /** The operator's API calls (watches apart) plus the creating POSTs, per run. */
  callsPerRun: number;
  reconcilesPerRun: number;
  cpuSeconds: number;
  peakRssMiB: number;
  /** The operator's API calls by HTTP method. */
  byVerb: Record<string, number>;
}

export interface PeerRound {
  round: number;
  project: ProcessFigures;
  /** Absent when the peer's round failed: then why, in peerFailure. */
  peer?: ProcessFigures;
  peerFailure?: string;
  baseline: { seconds: number; callsPerRun: number };
}

const FIELDS = ['seconds', 'cpuSeconds', 'peakRssMiB', 'callsPerRun', 'reconcilesPerRun'] as const;

const verbs = (byVerb: Record<string, number>, n: number): string =>
  Object.entries(byVerb)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([verb, count]) => `${verb} ${fixed(count / n)}`)
    .join(' ');

/** One side of one round, as printed while the benchmark runs. */
export function describeProcess(f: ProcessFigures, n: number): string {
  return (
    `${fixed(f.seconds)} s, CPU ${fixed(f.cpuSeconds)} s, peak RSS ${fixed(f.peakRssMiB, 0)} MiB, ` +
    `${fixed(f.callsPerRun)} API calls/run (operator's by method per run: ${verbs(f.byVerb, n)}), ` +
    `${fixed(f.reconcilesPerRun)} reconciles/run`
  );
}

export function peerReport(rounds: readonly PeerRound[], n: number): string[] {
  const row = (round: string, side: string, f: Partial<Record<(typeof FIELDS)[number], number>>) => [
    round,
    side,
    fixed(f.seconds ?? Number.NaN),
    fixed(f.cpuSeconds ?? Number.NaN),
    fixed(f.peakRssMiB ?? Number.NaN, 0),
    fixed(f.callsPerRun ?? Number.NaN),
    fixed(f.reconcilesPerRun ?? Number.NaN),
  ];
  const project = medians(
    rounds.map((r) => r.project),
    FIELDS,
  );
  const peerRounds = rounds.flatMap((r) => (r.peer ? [r.peer] : []));
  const peer = medians(peerRounds, FIELDS);
  const baseline = medians(
    rounds.map((r) => r.baseline),
    ['seconds', 'callsPerRun'],
  );
  const header = ['round', 'side', 'seconds', 'CPU s', 'peak RSS MiB', 'API calls/run', 'reconciles/run'];
  const rows = rounds.flatMap((r) => [
    row(String(r.round), 'project', r.project),
    row(String(r.round), r.peer ? 'peer' : 'peer (failed)', r.peer ?? {}),
    row(String(r.round), 'baseline', r.baseline),
  ]);
  rows.push(
    row('median', 'project', project),
    row('median', 'peer', peer),
    row('median', 'baseline', baseline),
  );
  const total = (side: 'project' | 'baseline') => rounds.reduce((sum, r) => sum + r[side].seconds, 0);
  const over = rounds.length === 1 ? 'one round' : `${rounds.length} rounds`;
  const failures = rounds.flatMap((r) =>
    r.peerFailure ? [`round ${r.round}: the peer failed: ${r.peerFailure}`] : [],
  );
  const peerOver =
    peerRounds.length === rounds.length
      ? over
      : `${over}; the peer's of the ${peerRounds.length} it completed`;
  return [
    ...table(header, rows, 2),
    '',
    ...failures,
    `project/peer (medians of ${peerOver}): time ${ratio(project.seconds, peer.seconds)}, ` +
      `CPU ${ratio(project.cpuSeconds, peer.cpuSeconds)}, peak RSS ${ratio(project.peakRssMiB, peer.peakRssMiB)}, ` +
      `API calls/run ${ratio(project.callsPerRun, peer.callsPerRun)}, ` +
      `reconciles/run ${ratio(project.reconcilesPerRun, peer.reconcilesPerRun)}`,
    `project/baseline: time ${ratio(project.seconds, baseline.seconds)} (medians), ` +
      `${ratio(total('project'), total('baseline'))} over ${over} (totals)`,
    '',
    'What the figures cover:',
    `- time: from the first of ${n} creates until a watch shows every TaskRun's status naming its Job`,
    '  ("all started"); the peer does TaskRun only and follows no pods, so neither side is timed further.',
    '- CPU and peak RSS: the operator process alone, read from /proc (CPU over the timed part, peak RSS',
    '  since it started). project: scripts/bench-reconcile-operator.js, the controllers of all three kinds',
    '  (CodeRun and DocsRun idle) with their caches, no webhooks or servers; peer: its manager, webhooks off.',
    "- API calls/run: the operator's calls, watches apart, from its start until it is stopped right after",
    '  all started, plus the creating POSTs; reconciles/run: TaskRun reconciles over the same span.',
    '- baseline: the same writes made directly by as many workers (time and API calls only).',
    '- the control plane runs no workloads here (no Job controller, scheduler or nodes): no pods, so the',
    "  project's pod tracking has nothing to follow.",
  ];
}
