// A process tree's CPU, read from /proc: a child that ended counts through its parent, a running one
// by its own times; each checked against what the shell's own `times` says it took.
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import t, { type Test } from 'tap';
import { waitFor } from '../../test/harness/util/wait.js';
import { descendants, treeCpuSeconds } from './process-tree.js';

/** Seconds of a `times` field (`0m1.234s`). */
const secondsOf = (field: string) => {
  const m = /^(\d+)m([\d.]+)s$/.exec(field);
  if (!m) throw new Error(`not a times field: ${field}`);
  return Number(m[1]) * 60 + Number(m[2]);
};

/** Starts `script` in sh, and gives its pid once it printed `marker` and the lines before it. */
async function started(t: Test, script: string, marker: string): Promise<{ pid: number; lines: string[] }> {
  const shell = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.teardown(() => {
    for (const p of [...descendants(shell.pid as number), shell.pid as number]) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  let out = '';
  shell.stdout.on('data', (chunk) => (out += chunk));
  const lines = await waitFor(`sh to print ${marker}`, () => {
    const all = out.split('\n');
    const at = all.indexOf(marker);
    return at >= 0 ? all.slice(0, at) : undefined;
  });
  return { pid: shell.pid as number, lines };
}

const BUSY = 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done';

t.test('a child that ended counts, through its parent', async (t) => {
  // The subshell's CPU as its parent's `times` has it (second line: the children's user and system).
  const { pid, lines } = await started(t, `(${BUSY}); times; echo ended; exec sleep 600`, 'ended');
  const [user = '', system = ''] = (lines[1] ?? '').split(' ');
  const child = secondsOf(user) + secondsOf(system);
  t.ok(child > 0, `the busy child took CPU (${child} s)`);
  // Ticks are hundredths; `times` rounds to thousandths.
  t.ok(treeCpuSeconds(pid) >= child - 0.02, `${treeCpuSeconds(pid)} s counts the child's ${child} s`);
});

t.test('a running descendant counts by its own times; a pid gone counts nothing', async (t) => {
  // The inner shell's own CPU, by its `times` (first line), while it still runs (as sleep).
  const { pid, lines } = await started(t, `sh -c '${BUSY}; times; echo busy; exec sleep 600' & wait`, 'busy');
  const [user = '', system = ''] = (lines[0] ?? '').split(' ');
  const inner = secondsOf(user) + secondsOf(system);
  t.ok(inner > 0, `the inner shell took CPU (${inner} s)`);
  t.equal(descendants(pid).length, 1, 'the inner shell runs, under the outer one');
  t.ok(treeCpuSeconds(pid) >= inner - 0.02, `${treeCpuSeconds(pid)} s counts the running ${inner} s`);
  const gone = spawn('true');
  await new Promise((resolve) => gone.on('exit', resolve));
  t.equal(treeCpuSeconds(gone.pid as number), 0);
});

t.test('a child a thread other than the main one started is found too', async (t) => {
  // A worker thread of this process starts it, as go starts its compilers from any of its threads.
  const worker = new Worker(
    `const { spawn } = require('node:child_process');
     const { parentPort } = require('node:worker_threads');
     const child = spawn('sleep', ['600'], { stdio: 'ignore' });
     parentPort.postMessage(child.pid);
     parentPort.once('message', () => { child.kill('SIGKILL'); process.exit(0); });`,
    { eval: true },
  );
  const pid = await new Promise<number>((resolve) => worker.once('message', resolve));
  t.teardown(async () => {
    worker.postMessage('stop');
    await new Promise((resolve) => worker.once('exit', resolve));
  });
  t.ok(descendants(process.pid).includes(pid), `the worker's child ${pid} is among this process's`);
});
