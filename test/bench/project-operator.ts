// The project's run controllers as a process of their own (scripts/bench-reconcile-operator.js, on the
// compiled dist/), started by bench:reconcile beside the peer's manager so that both are measured the
// same way.
import { fork } from 'node:child_process';
import { join, resolve } from 'node:path';
import { root } from '../../scripts/build.js';
import { managerNodeFlags } from '../../scripts/manager-node-flags.js';

export interface OperatorStats {
  /** API calls, watches apart. */
  calls: number;
  reconciles: number;
  byVerb: Record<string, number>;
}

export interface OperatorProcess {
  pid: number;
  /** Settles, with how, if the process exits before it is stopped. */
  exited: Promise<string>;
  /** Stops it (in-flight reconciles finish) and resolves with what it counted. */
  stop(): Promise<OperatorStats>;
}

/** How long the process may take to start or to stop (its caches sync, its reconciles finish). */
const PROCESS_LIMIT_MS = 120_000;

/** `promise`, or after PROCESS_LIMIT_MS an error naming `what` was awaited (and `giveUp` called). */
async function bounded<T>(promise: Promise<T>, what: string, giveUp: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      giveUp();
      reject(new Error(`waited ${PROCESS_LIMIT_MS / 1000} s for ${what}, in vain`));
    }, PROCESS_LIMIT_MS);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** `--cpu-prof` into $BENCH_CPU_PROF, when set (as bench:webhook does for its servers). */
function profileFlags(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(dir)}`] : [];
}

export async function startProjectOperator(opts: {
  kubeconfig: string;
  namespace: string;
  configFile: string;
  workers: number;
}): Promise<OperatorProcess> {
  const child = fork(
    join(root, 'scripts', 'bench-reconcile-operator.js'),
    [opts.kubeconfig, opts.namespace, opts.configFile, String(opts.workers)],
    // Not this process's flags (they load the TypeScript loader, which would count in its memory):
    // the manager's, as the image runs it; with BENCH_CPU_PROF=<dir>, also a CPU profile written
    // there when it exits (and a heap snapshot taken as it is stopped: bench-reconcile-operator.js).
    { execArgv: [...managerNodeFlags(), ...profileFlags()], stdio: 'inherit' },
  );
  await bounded(
    new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the project's operator process exited (${code})`)));
    }),
    `the project's operator process to sync its caches`,
    () => child.kill('SIGKILL'),
  );
  child.removeAllListeners('exit');
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)),
  );
  return {
    pid: child.pid as number,
    exited,
    stop: async () => {
      const answer = new Promise<OperatorStats>((resolve) =>
        child.once('message', (m) => resolve(m as OperatorStats)),
      );
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`the project's operator process had exited (${await exited})`);
      child.send('stop');
      const stats = await bounded(answer, `the project's operator process to stop and report`, () =>
        child.kill('SIGKILL'),
      );
      await exited;
      return stats;
    },
  };
}
