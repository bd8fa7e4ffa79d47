// A long-running helper process (an extra apiserver, a Prometheus) tied to the test process: a shell
// wrapper kills it when its stdin closes, i.e. when the test process ends in any way, even SIGKILL.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { WaitTimeout, waitFor } from '../util/wait.js';

export interface TiedProcess {
  pid: number;
  running(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs` (scaled); resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export function isRunning(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export async function startTied(argv: string[], logFile: string): Promise<TiedProcess> {
  const script = '"$@" </dev/null >>"$LOG" 2>&1 & echo $!; cat >/dev/null; kill -9 $! 2>/dev/null';
  const wrapper = spawn('sh', ['-c', script, 'sh', ...argv], {
    stdio: ['pipe', 'pipe', 'ignore'],
    env: { ...process.env, LOG: logFile },
  });
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: wrapper.stdout as NodeJS.ReadableStream }).once('line', resolve),
  );
  const pid = Number(line);
  return {
    pid,
    running: () => isRunning(pid),
    stop: async (graceMs = 2_000) => {
      if (isRunning(pid)) process.kill(pid, 'SIGTERM');
      const gone = () => !isRunning(pid);
      await waitFor(`pid ${pid} to exit on SIGTERM`, gone, { timeoutMs: graceMs }).catch(async (err) => {
        if (!(err instanceof WaitTimeout)) throw err;
        if (isRunning(pid)) process.kill(pid, 'SIGKILL');
        await waitFor(`pid ${pid} to exit on SIGKILL`, gone);
      });
      wrapper.stdin?.end();
    },
  };
}
