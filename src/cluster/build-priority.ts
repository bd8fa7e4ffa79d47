// The priority of the Go builds `npm test` runs beside its test files (scripts/test-builds.js). They are
// niced (ORCHESTRATOR_BUILD_NICENESS) so that the files beside them, which mostly wait on their clusters
// but need the CPU at once when they don't, are not starved. While a lane of tests has nothing left to
// run but waits on a build, that build is the run's critical path: it then runs at the caller's own
// priority (setBuildsUrgent), with every process it started, until a file can run again.
import { getPriority, setPriority } from 'node:os';
import { descendants } from './process-tree.js';

/**
 * The niceness a build runs at: `ORCHESTRATOR_BUILD_NICENESS` (npm test sets one, so that the test
 * files running beside its builds are not starved by them), else the caller's own.
 */
export function buildNiceness(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const n = Number(env.ORCHESTRATOR_BUILD_NICENESS);
  return env.ORCHESTRATOR_BUILD_NICENESS && Number.isInteger(n) && n > 0 && n <= 19 ? n : undefined;
}

const builds = new Set<number>();
let urgent = false;

/**
 * Gives a build's process (just spawned: the compilers it starts inherit it) the builds' priority and
 * follows it until the returned function says it ended.
 */
export function prioritiseBuild(pid: number): () => void {
  builds.add(pid);
  apply(pid);
  return () => builds.delete(pid);
}

/** Whether tests wait on the builds now: the running builds and the next ones take the priority it says. */
export function setBuildsUrgent(on: boolean): void {
  if (on === urgent) return;
  urgent = on;
  for (const pid of builds) apply(pid);
}

function apply(pid: number): void {
  const niceness = buildNiceness();
  if (niceness === undefined) return;
  const priority = urgent ? getPriority() : niceness;
  for (const p of [pid, ...descendants(pid)]) {
    try {
      setPriority(p, priority);
    } catch {
      // Gone meanwhile, or lowering a niceness without root: that process keeps the one it had.
    }
  }
}
