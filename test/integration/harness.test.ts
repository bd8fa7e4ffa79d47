// The control-plane harness fails fast and clearly, and never leaves a process behind.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { controlPlaneBinary, startControlPlane } from '../../src/cluster/index.js';
import { processesGone, processesMentioning } from '../harness/processes.js';
import { within } from '../harness/wait.js';

t.test('a Go build error fails with the compiler output', async (t) => {
  const moduleDir = mkdtempSync(join(tmpdir(), 'broken-module-'));
  writeFileSync(join(moduleDir, 'go.mod'), 'module broken\n\ngo 1.25\n');
  writeFileSync(join(moduleDir, 'main.go'), 'package main\n\nfunc main() { undefinedThing() }\n');
  const cacheDir = mkdtempSync(join(tmpdir(), 'cache-'));
  await t.rejects(
    controlPlaneBinary({ moduleDir, cacheDir }),
    /building the control plane failed[\s\S]*undefined: undefinedThing/,
  );
});

t.test(
  'an apiserver that is not ready in time fails fast with the log tail and no process left',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-timeout-'));
    // It does not hang: within a generous limit it gives up by itself.
    await t.rejects(
      within('the start to give up', startControlPlane({ dir, readyTimeoutMs: 1, controllerManager: false })),
      /not ready[\s\S]*---/,
    );
    t.same(await processesGone(dir), [], 'no process left behind');
  },
);

t.test('a state directory that already holds a control plane is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cp-reuse-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'state.json'), '{}');
  await t.rejects(startControlPlane({ dir, controllerManager: false }), /already holds a control plane/);
});

t.test('when its parent dies the control plane stops, components included', async (t) => {
  const binary = await controlPlaneBinary();
  for (const how of ['stdin closed', 'supervisor SIGKILLed'] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'cp-orphan-'));
    const child = spawn(binary, ['start', '--dir', dir, '--exit-with-stdin'], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const line = await new Promise<string>((resolve) =>
      createInterface({ input: child.stdout }).once('line', resolve),
    );
    t.match(JSON.parse(line), { kubeconfig: join(dir, 'kubeconfig') }, `${how}: started`);
    t.ok(processesMentioning(dir).length >= 2, `${how}: apiserver and controller-manager run`);
    if (how === 'stdin closed') child.stdin.destroy();
    else child.kill('SIGKILL');
    t.same(await processesGone(dir), [], `${how}: every process is gone`);
  }
});
