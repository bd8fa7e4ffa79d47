// The control-plane harness fails fast and clearly, and never leaves a process behind.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { controlPlaneBinary, startCommand, startControlPlane } from '../../src/cluster/index.js';
import { processesGone, processesMentioning } from '../harness/cluster/processes.js';
import { within } from '../harness/util/wait.js';

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

t.test('a build reports its progress while it runs, and a cached binary is not rebuilt', async (t) => {
  const moduleDir = mkdtempSync(join(tmpdir(), 'hello-module-'));
  writeFileSync(join(moduleDir, 'go.mod'), 'module hello\n\ngo 1.25\n');
  writeFileSync(join(moduleDir, 'main.go'), 'package main\n\nfunc main() { println("hello") }\n');
  const cacheDir = mkdtempSync(join(tmpdir(), 'cache-'));
  const messages: string[] = [];
  const opts = { moduleDir, cacheDir, progressIntervalMs: 20, log: (m: string) => messages.push(m) };
  const binary = await controlPlaneBinary(opts);
  t.match(messages[0], /^building the control plane \(.*\) from .*hello-module-.*; log: /);
  t.match(messages.at(-1), /^built control-plane in \d+ s \(about \d+ CPU-s\)$/);
  t.ok(
    messages.some((m) => /^still building control-plane: \d+ s \(/.test(m)),
    'progress while go build runs',
  );
  messages.length = 0;
  t.equal(await controlPlaneBinary(opts), binary, 'the same binary');
  t.same(messages, [], 'cached: no build');
});

t.test(
  'an apiserver that is not ready in time fails fast with the log tail and no process left',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-timeout-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
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
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'state.json'), '{}');
  await t.rejects(startControlPlane({ dir, controllerManager: false }), /already holds a control plane/);
});

t.test('when its parent dies the control plane stops, components included', async (t) => {
  const cases = [
    { how: 'stdin closed', workloads: false, components: 'apiserver and controller-manager' },
    { how: 'supervisor SIGKILLed', workloads: false, components: 'apiserver and controller-manager' },
    {
      how: 'supervisor SIGKILLed',
      workloads: true,
      components: 'apiserver, controller-manager, scheduler, kwok',
    },
  ] as const;
  for (const { how, workloads, components } of cases) {
    const dir = mkdtempSync(join(tmpdir(), 'cp-orphan-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    // The controller manager and the scheduler are children from the controllers binary, the
    // apiserver from the control plane's. --remove-dir: what a state directory made by
    // startControlPlane gets; only the clean stop (stdin closed) reaches it.
    const { binary, args } = await startCommand({ workloads });
    const removeDir = how === 'stdin closed';
    const flags = ['--exit-with-stdin', ...(removeDir ? ['--remove-dir'] : [])];
    const child = spawn(binary, ['start', '--dir', dir, ...flags, ...args], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const line = await new Promise<string>((resolve) =>
      createInterface({ input: child.stdout }).once('line', resolve),
    );
    const what = `${how}${workloads ? ', with workloads' : ''}`;
    t.match(JSON.parse(line), { kubeconfig: join(dir, 'kubeconfig') }, `${what}: started`);
    t.ok(processesMentioning(dir).length >= (workloads ? 4 : 2), `${what}: ${components} run`);
    if (how === 'stdin closed') child.stdin.destroy();
    else child.kill('SIGKILL');
    t.same(await processesGone(dir), [], `${what}: every process is gone`);
    if (removeDir) t.notOk(existsSync(dir), `${what}: its state directory is removed`);
  }
});
