// Declarations for scripts/test-builds.js.
import type { Timing } from './test-timing.js';

export function noticingBuilds(log: (msg: string) => void, state: { cold: boolean }): (msg: string) => void;
export function startBuilds(
  needs: string[],
  opts: {
    cluster: Record<
      string,
      (opts: { log?: (msg: string) => void; progress?: (step: string) => void }) => Promise<unknown>
    >;
    log: (msg: string) => void;
    timing: Timing;
    state: { cold: boolean };
    after?: Promise<unknown>;
  },
): { promises: Record<string, Promise<unknown>>; settled: Set<string>; all: Promise<unknown> };
