// The scale benchmark's figures: what one side (operator or baseline) measured in one phase, reduced
// to costs per run, and the table that sets the phases (N/10 and N) and the sides beside each other.
// Pure, so that a unit test holds the arithmetic and the layout.
import type { Outcome } from './scale-finish.js';

export interface SideFigures {
  runs: number;
  /** From the first create until the last run finished. */
  seconds: number;
  apiserverCpuSeconds: number;
  /** Requests to the apiserver (watches included), by the operator or the baseline's client. */
  apiCalls: number;
  /** CPU of the benchmark's own process: creating runs, playing agents, watching (and the baseline's work). */
  driverCpuSeconds: number;
  outcome: Outcome;
  /** The operator process's own figures (absent for the baseline). */
  operator?: {
    cpuSeconds: number;
    peakRssBytes: number;
    reconciles: number;
    /** Heap in use after a full GC, once every run finished, less the same before the first run. */
    heapGrowthBytes: number;
  };
}

export interface PerRun {
  wallMs: number;
  apiserverCpuMs: number;
  apiCalls: number;
  driverCpuMs: number;
  operatorCpuMs?: number;
  reconciles?: number;
  heapKiB?: number;
}

export function perRun(f: SideFigures): PerRun {
  const per = (x: number) => x / f.runs;
  return {
    wallMs: per(f.seconds * 1000),
    apiserverCpuMs: per(f.apiserverCpuSeconds * 1000),
    apiCalls: per(f.apiCalls),
    driverCpuMs: per(f.driverCpuSeconds * 1000),
    ...(f.operator
      ? {
          operatorCpuMs: per(f.operator.cpuSeconds * 1000),
          reconciles: per(f.operator.reconciles),
          heapKiB: per(f.operator.heapGrowthBytes / 1024),
        }
      : {}),
  };
}

/** The rows of the table: a label and how to read it off PerRun. */
const ROWS: Array<[string, keyof PerRun]> = [
  ['wall time, ms/run', 'wallMs'],
  ['operator CPU, ms/run', 'operatorCpuMs'],
  ['apiserver CPU, ms/run', 'apiserverCpuMs'],
  ['API calls/run', 'apiCalls'],
  ['reconciles/run', 'reconciles'],
  ['heap, KiB/run (cached)', 'heapKiB'],
  ['driver CPU, ms/run', 'driverCpuMs'],
];

/** A number as the table shows it: 3 significant digits, `-` for none. */
export function cell(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return '-';
  if (x === 0) return '0';
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

/** later / earlier, or undefined when either is missing or the earlier is 0. */
export const ratio = (later: number | undefined, earlier: number | undefined): number | undefined =>
  later === undefined || earlier === undefined || earlier === 0 ? undefined : later / earlier;

/** Columns padded to their widest cell; the first left-aligned, the rest right-aligned. */
export function layout(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows
    .map((r) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c] ?? 0) : v.padStart(widths[c] ?? 0))).join('  '))
    .join('\n');
}

export interface PhasePair {
  small: { operator: SideFigures; baseline: SideFigures };
  large: { operator: SideFigures; baseline: SideFigures };
}

/**
 * The per-run table: each side at N/10 and N with the ratio N ÷ N/10 (the goal: ≤ 1.10), and the
 * operator ÷ baseline at N.
 */
export function scaleTable({ small, large }: PhasePair): string {
  const [os, ol, bs, bl] = [small.operator, large.operator, small.baseline, large.baseline].map(perRun) as [
    PerRun,
    PerRun,
    PerRun,
    PerRun,
  ];
  const n = (f: SideFigures) => String(f.runs);
  const header = [
    'per run',
    `operator@${n(small.operator)}`,
    `operator@${n(large.operator)}`,
    'ratio',
    `baseline@${n(small.baseline)}`,
    `baseline@${n(large.baseline)}`,
    'ratio',
    `op/base@${n(large.operator)}`,
  ];
  const rows = ROWS.map(([label, key]) => [
    label,
    cell(os[key]),
    cell(ol[key]),
    cell(ratio(ol[key], os[key])),
    cell(bs[key]),
    cell(bl[key]),
    cell(ratio(bl[key], bs[key])),
    cell(ratio(ol[key], bl[key])),
  ]);
  return layout([header, ...rows]);
}

/** The goal's verdict: the operator's cost per run at N within 10% of N/10, in time and in CPU. */
export function scalingVerdict({ small, large }: PhasePair, limit = 1.1): string {
  const [s, l] = [perRun(small.operator), perRun(large.operator)];
  const parts = (['wallMs', 'operatorCpuMs'] as const).map((key) => {
    const r = ratio(l[key], s[key]);
    const name = key === 'wallMs' ? 'time' : 'CPU';
    return `${name} ${cell(r)} (${r !== undefined && r <= limit ? 'met' : 'NOT met'})`;
  });
  return `operator per-run cost at ${large.operator.runs} ÷ at ${small.operator.runs} (goal ≤ ${limit}): ${parts.join(', ')}`;
}

/** One side's absolute figures, for the log. */
export function sideSummary(side: string, f: SideFigures): string {
  const o = f.operator;
  const mib = (b: number) => (b / 2 ** 20).toFixed(0);
  return (
    `${side} ${f.runs} runs: ${f.seconds.toFixed(1)} s, apiserver CPU ${f.apiserverCpuSeconds.toFixed(1)} s, ` +
    `${f.apiCalls} API calls, driver CPU ${f.driverCpuSeconds.toFixed(1)} s` +
    (o
      ? `, operator CPU ${o.cpuSeconds.toFixed(1)} s, peak RSS ${mib(o.peakRssBytes)} MiB, ` +
        `${o.reconciles} reconciles, heap +${mib(o.heapGrowthBytes)} MiB`
      : '') +
    `; ${f.outcome.succeeded} succeeded, ${f.outcome.failed} failed, ${f.outcome.retried} after a retry`
  );
}
