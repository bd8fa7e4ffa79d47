// Declarations for scripts/test-timing.js.
export const BUDGET_MINUTES: { warm: number; cold: number };
export interface Span {
  kind: string;
  name: string;
  ms: number;
  note?: string;
}
export class Timing {
  constructor(now?: () => number);
  spans: Span[];
  span<T>(kind: string, name: string, work: Promise<T> | (() => Promise<T> | T), note?: string): Promise<T>;
  add(kind: string, name: string, ms: number, note?: string): void;
  elapsed(): number;
}
export function timingReport(
  timing: Timing,
  files: { file: string; ms?: number; suites?: { name: string; ms: number }[] }[],
  opts: {
    cold: boolean;
    cpu?: { user: number; system: number };
    cores?: number;
    cpuFiles?: { file: string; ms?: number }[];
  },
): string[];
