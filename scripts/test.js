#!/usr/bin/env node
// `npm test`: builds the TypeScript, installs the Debian packages the suites need when missing
// (scripts/system-packages.js), starts ONE control plane for the whole run (see src/cluster),
// builds the tracing tests' OpenTelemetry Collector (test/otelcol) and the chart test's helm
// (test/helm), runs every tap suite against them, stops the control plane, and ends with the line
// `N passed, N failed`.
// That control plane runs workloads (scheduler, Job controller, fake nodes, KWOK);
// ORCHESTRATOR_TEST_WORKLOADS=false starts it without (a suite asking for them then starts its own,
// test/harness/cluster/cluster.ts).
// Arguments are passed to tap (e.g. `npm test -- test/integration/crds.test.ts`). tap's per-file timeout
// (package.json) is multiplied by ORCHESTRATOR_TEST_TIMEOUT_SCALE, like every wait in the tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDist, root } from './build.js';
import { TEST_NODES } from './test-cluster.js';
import { testTimeoutScale } from './test-timeout-scale.js';

const log = (msg) => process.stderr.write(`[test] ${msg}\n`);
// Every temporary file of the run (the tests', the tools', the control plane's) goes under one
// directory: removed when the run passes, kept when it fails, for the logs the failures name.
const runTmp = mkdtempSync(join(tmpdir(), 'orchestrator-test-'));
process.env.TMPDIR = runTmp;
const scale = testTimeoutScale();
const fileTimeout = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).tap?.timeout ?? 30;

if (!buildDist()) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// The Debian packages the suites need (scripts/system-packages.js): installed when root, else named.
// Only a whole run stops without them; a run of chosen files goes on (those may not need them).
const { ensureSystemPackages } = await import('./system-packages.js');
const packagesProblem = await ensureSystemPackages(log);
if (packagesProblem && process.argv.slice(2).some((a) => !a.startsWith('-')))
  log(`warning: ${packagesProblem}`);
else if (packagesProblem) {
  log(packagesProblem);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const { clusterSource, controllersBinary, kwokBinary, nodeBinary, obtainCluster } = await import(
  '../dist/cluster/index.js'
);
const workloads = process.env.ORCHESTRATOR_TEST_WORKLOADS !== 'false';
const started = Date.now();
let cluster;
try {
  cluster = await obtainCluster({ log, workloads, nodes: TEST_NODES });
} catch (err) {
  log(err.message);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
log(
  `control plane ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${cluster.server} (kubeconfig ${cluster.kubeconfig})`,
);
// The local cluster's other binaries (src/cluster/binary.ts), built here rather than inside a suite's
// timeout: the real node's kubelet (the real-node suites), and the controllers and KWOK when this run's
// cluster did not need them (suites that start a cluster of their own). Cached: no time.
if (clusterSource() === 'local')
  for (const build of [controllersBinary, kwokBinary, nodeBinary]) {
    try {
      await build({ log });
    } catch (err) {
      log(`a local cluster binary was not built, so the suites that start one will fail: ${err.message}`);
    }
  }
// The tools tests run, built once here (minutes when cold) rather than inside a test's timeout: the
// tracing test's collector and the chart test's helm, declared by the harness
// (test/harness/cluster/test-tools.ts) and built by its script, run with tap's TypeScript loader. A
// failure (no Go beside envtest binaries, say) fails the tests that need the tool, with its message.
const toolsCode = await new Promise((resolve) =>
  spawn(
    process.execPath,
    ['--import', '@tapjs/typescript/import', join('test', 'harness', 'cluster', 'build-test-tools.ts')],
    { cwd: root, stdio: ['ignore', 2, 'inherit'] },
  )
    .on('error', (err) => resolve(err.message))
    .on('exit', (c, s) => resolve(c ?? s)),
);
if (toolsCode !== 0)
  log(`the test tools were not built (${toolsCode}), so the tracing and Helm chart tests will fail`);

// The agent image of the end-to-end suite (test/integration/agent-e2e.test.ts), built here for the
// same reason: a cold build is minutes (src/cluster/agent-image.ts). Only when that suite runs and the
// host can run the real node; otherwise the suite fails by itself, saying why.
const files = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const { buildLocalImage, realNodeMissing } = await import('../dist/cluster/index.js');
if ((files.length === 0 || files.some((f) => f.includes('agent-e2e'))) && realNodeMissing().length === 0) {
  const imageStarted = Date.now();
  try {
    const image = await buildLocalImage({ progress: (step) => log(`agent image: ${step}`) });
    log(`agent image: ${image.name} in ${((Date.now() - imageStarted) / 1000).toFixed(0)} s`);
  } catch (err) {
    log(`the agent image was not built, so the end-to-end suite will fail: ${err.message}`);
  }
}

const tap = spawn(
  process.execPath,
  [join(root, 'node_modules/tap/dist/esm/run.mjs'), ...process.argv.slice(2)],
  {
    cwd: root,
    env: {
      ...process.env,
      ORCHESTRATOR_DIST_BUILT: '1',
      ORCHESTRATOR_TEST_KUBECONFIG: cluster.kubeconfig,
      ORCHESTRATOR_TEST_KUBECTL: JSON.stringify(cluster.kubectl),
      ORCHESTRATOR_TEST_SERVER: cluster.server,
      ORCHESTRATOR_TEST_WORKLOADS: String(workloads),
      // Read by tap as its --timeout (which, given, still wins); one set by the caller is kept.
      TAP_TIMEOUT: process.env.TAP_TIMEOUT ?? String(Math.ceil(fileTimeout * scale)),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let summary = '';
let tail = '';
tap.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4096);
});
const forward = (sig) => tap.kill(sig);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);

const code = await new Promise((resolve) => tap.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
await cluster.stop();

// tap's closing comment looks like `# { total: 12, pass: 11, fail: 1, skip: 0 }`.
for (const line of tail.split('\n')) if (/^# \{ total: \d+/.test(line)) summary = line;
const count = (key) => Number(new RegExp(`${key}: (\\d+)`).exec(summary)?.[1] ?? 0);
const passed = count('pass');
let failed = count('fail');
if (!summary || (code !== 0 && failed === 0)) failed += 1; // a crash or a failed file with no counted assertion
const skipped = count('skip') + count('todo');
if (code === 0 && failed === 0) {
  // A real node's cluster stops when its test file's process ends, so its unmounts may still be under
  // way: busy mounts are retried, and what cannot be removed is said, never a failed run.
  try {
    rmSync(runTmp, { recursive: true, force: true, maxRetries: 20, retryDelay: 500 });
  } catch (err) {
    log(`could not remove ${runTmp}: ${err.message}`);
  }
} else log(`temporary files of this run (logs the failures name) are kept in ${runTmp}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(code === 0 && failed === 0 ? 0 : 1);
