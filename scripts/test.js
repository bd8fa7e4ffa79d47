#!/usr/bin/env node
// `npm test`: builds the TypeScript, installs the Debian packages the suites need when missing
// (scripts/system-packages.js), and runs every test file in three lanes at once (scripts/test-lanes.js):
// the unit files at once, with no cluster; the integration files against ONE control plane started
// for the whole run (see src/cluster); the real-node files one after another, each on a real node of
// its own. The programs and images the files wait for (`@needs`) are built in the background, one after
// another, while the files that need none of them run (scripts/test-builds.js); only those the
// selected files need. It ends with where the time went against the budget (scripts/test-timing.js)
// and the line `N passed, N failed`.
// The control plane runs workloads (scheduler, Job controller, fake nodes, KWOK);
// ORCHESTRATOR_TEST_WORKLOADS=false starts it without (a suite asking for them then starts its own,
// test/harness/cluster/cluster.ts).
// Arguments are test files or folders, `--lane=NAME`, and tap's options (e.g. `npm test --
// test/integration/crds.test.ts`, `npm test -- --lane=real-node`).
// tap's per-file timeout (package.json) is multiplied by ORCHESTRATOR_TEST_TIMEOUT_SCALE, like every
// wait in the tests.
import { existsSync, globSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDist, root } from './build.js';
import { treeCpu } from './proc-usage.js';
import { noticingBuilds, startBuilds } from './test-builds.js';
import { TEST_NODES } from './test-cluster.js';
import { readDurations, writeDurations } from './test-durations.js';
import { classifyFiles, LANES, laneOrder, readyFiles } from './test-lanes.js';
import { runTap } from './test-tap.js';
import { testTimeoutScale } from './test-timeout-scale.js';
import { Timing, timingReport } from './test-timing.js';

const log = (msg) => process.stderr.write(`[test] ${msg}\n`);
const timing = new Timing();
// Every temporary file of the run (the tests', the tools', the control plane's, each lane's TAP log)
// goes under one directory: removed when the run passes, kept when it fails, for the logs the
// failures name.
const runTmp = mkdtempSync(join(tmpdir(), 'orchestrator-test-'));
process.env.TMPDIR = runTmp;
// Each test file's process adds its CPU here as it ends (scripts/test-cpu.mjs).
const cpuFile = join(runTmp, 'cpu.jsonl');
process.env.ORCHESTRATOR_TEST_CPU_FILE = cpuFile;
// Every TypeScript process of the run (test files, the operators and stand-ins they start) shares one
// cache of Node's transforms (scripts/ts-import.mjs), removed with the run.
process.env.ORCHESTRATOR_TS_CACHE = join(runTmp, 'ts');
// The Go builds run beside the test files (scripts/test-builds.js) at a lower priority
// (src/cluster/binary.ts): the files mostly wait on their clusters and need little CPU, but at once,
// and a build at the same priority made the real-node files several times slower; the builds still
// take every cycle the files leave. A niceness set by the caller is kept.
process.env.ORCHESTRATOR_BUILD_NICENESS ??= '10';
const scale = testTimeoutScale();
const tapConfig = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).tap ?? {};
const fileTimeout = tapConfig.timeout ?? 30;
/**
 * A real-node file's limit, in seconds: it runs whole agent runs one after another (the real CLI, the
 * kubelet), each bounded by its own waits, and the file by its own `t.setTimeout`.
 */
const realNodeFileTimeout = 60 * 60;
/**
 * How many files of a lane run at once: an integration file mostly waits on the control plane and its
 * operators (each in its own namespaces), so two share the cores (three, beside the other lanes, made
 * admission.test.ts six times slower); the real node is one per host. A unit file computes: one at a
 * time, the unit lane still ends long before the real-node lane, the run's longest, whose files it
 * slowed (integration files beside the unit lane took up to seven times what they took after it).
 */
const JOBS = { unit: 1, integration: 2, 'real-node': 1 };

// `--lane=NAME` (repeatable) runs only those lanes' files; the other options are tap's.
const args = process.argv.slice(2);
const laneArg = /^--lane=(.*)$/;
const onlyLanes = args.flatMap((a) => laneArg.exec(a)?.[1] ?? []);
const tapOptions = args.filter((a) => a.startsWith('-') && !laneArg.test(a));
const chosen = args.filter((a) => !a.startsWith('-'));
const testFiles = (patterns) => patterns.flatMap((p) => globSync(p, { cwd: root })).sort();
const selected = chosen.length
  ? chosen.flatMap((a) =>
      statSync(join(root, a)).isDirectory() ? testFiles([`${a.replace(/\/$/, '')}/**/*.test.ts`]) : [a],
    )
  : testFiles(tapConfig.include ?? []);

function finish(passed, failed, skipped) {
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(failed === 0 ? 0 : 1);
}

let classified;
try {
  classified = classifyFiles(root, selected);
} catch (err) {
  log(err.message);
  finish(0, 1);
}
for (const lane of onlyLanes)
  if (!LANES.includes(lane)) {
    log(`--lane=${lane}: the lanes are ${LANES.join(', ')}`);
    finish(0, 1);
  }
const lanes = Object.fromEntries(
  LANES.map((l) => [l, onlyLanes.length === 0 || onlyLanes.includes(l) ? laneOrder(classified, l) : []]),
);
classified = Object.values(lanes).flat();

if (!(await timing.span('setup', 'TypeScript', () => buildDist()))) finish(0, 1);

// The Debian packages the suites need (scripts/system-packages.js): installed when root, else named.
// Only a whole run stops without them; a run of chosen files goes on (those may not need them).
const { ensureSystemPackages } = await import('./system-packages.js');
const packagesProblem = await timing.span('setup', 'Debian packages', () => ensureSystemPackages(log));
if (packagesProblem && chosen.length > 0) log(`warning: ${packagesProblem}`);
else if (packagesProblem) {
  log(packagesProblem);
  finish(0, 1);
}

const {
  buildLocalImage,
  buildOperatorImage,
  cacheRoot,
  controllersBinary,
  controlPlaneBinary,
  kubeRouterBinary,
  nodeBinary,
  obtainCluster,
  realNodeMissing,
  setBuildsUrgent,
} = await import('../dist/cluster/index.js');
// Each lane starts its longest files first, by how long they took when they last ran here.
const durationsFile = join(cacheRoot(), 'test-durations.json');
const durations = readDurations(durationsFile);
for (const lane of LANES) lanes[lane] = laneOrder(lanes[lane], lane, durations);
const workloads = process.env.ORCHESTRATOR_TEST_WORKLOADS !== 'false';
const needsCluster = lanes.integration.length + lanes['real-node'].length > 0;
/** Whether anything the run needs was built rather than found cached: the budget it is held to. */
const buildState = { cold: false };
/**
 * The shared control plane's ready limit: it starts beside the unit lane, the builds and the lint, and
 * beside two busy processes it missed the 60 s a user's start is given.
 */
const CONTROL_PLANE_READY_MS = 10 * 60_000;
const clusterReady = needsCluster
  ? timing.span('build', 'control plane', () =>
      obtainCluster({
        log: noticingBuilds(log, buildState),
        workloads,
        nodes: TEST_NODES,
        readyTimeoutMs: Math.ceil(CONTROL_PLANE_READY_MS * scale),
      }),
    )
  : Promise.resolve(undefined);
clusterReady.then(
  (c) => c && log(`control plane ready: ${c.server} (kubeconfig ${c.kubeconfig})`),
  (err) => log(`no control plane, so every integration and real-node file fails: ${err.message}`),
);
// The builds start with the shared control plane's: the first (the real node's) builds the same
// control plane and controllers, waiting on that build's lock, then the kubelet while the shared one
// builds KWOK and starts; the rest follow one at a time.
const needs = [...new Set(classified.flatMap((f) => f.needs))];
const builds = startBuilds(needs, {
  cluster: {
    buildLocalImage,
    buildOperatorImage,
    controllersBinary,
    controlPlaneBinary,
    kubeRouterBinary,
    nodeBinary,
    realNodeMissing,
  },
  log,
  timing,
  state: buildState,
});

// While a lane waits on a build with nothing else to run, that build is the run's critical path: it
// runs at our own priority then, not niced (src/cluster/build-priority.ts), but not while the unit
// lane runs, whose timing-bound files (src/webhook/connections.test.ts) need the CPU the niceness keeps
// for them. A cold run's lanes waited most on Argo's builds, starved beside the integration lane.
const urgency = { lanesWaiting: 0, unitRunning: lanes.unit.length > 0 };
const updateUrgency = () => setBuildsUrgent(urgency.lanesWaiting > 0 && !urgency.unitRunning);

const running = new Set();
const forward = (sig) => {
  for (const tap of running) tap.kill(sig);
};
process.on('SIGINT', forward);
process.on('SIGTERM', forward);

/**
 * Runs a lane's files, each as soon as its own needs are built (or failed): of the files whose needs
 * are settled, all of them in laneOrder's order in one tap process (in a lane that runs one file at a
 * time, only the first while others still wait on builds); when none is, it waits for the next build
 * one of them needs.
 */
async function runLane(lane, env) {
  const waiting = [...lanes[lane]];
  const results = [];
  if (waiting.length === 0) return results;
  let waited = 0;
  const started = Date.now();
  while (waiting.length > 0) {
    let ready = readyFiles(waiting, builds.settled);
    if (ready.length === 0) {
      const waitStart = Date.now();
      const pending = waiting.flatMap((f) => f.needs.filter((n) => !builds.settled.has(n)));
      urgency.lanesWaiting += 1;
      updateUrgency();
      await Promise.race(pending.map((n) => builds.promises[n].catch(() => undefined)));
      urgency.lanesWaiting -= 1;
      updateUrgency();
      // The build's own handler (startBuilds) marks it settled before this one runs.
      waited += Date.now() - waitStart;
      continue;
    }
    // One at a time while some file waits on a build, so that each next file is chosen again as builds
    // end; once none waits, the rest share one tap process: a tap process a file cost the unit lane some
    // 5 s of tap's own start each, 346 times (CI, 2026-11-30).
    if (JOBS[lane] === 1 && ready.length < waiting.length) ready = ready.slice(0, 1);
    for (const f of ready) waiting.splice(waiting.indexOf(f), 1);
    const tap = runTap({
      name: `${lane}-${results.length + 1}`,
      files: ready.map((f) => f.file),
      jobs: JOBS[lane],
      env: { ...env, ORCHESTRATOR_TEST_LANE: lane },
      logDir: runTmp,
      extraArgs: tapOptions,
    });
    running.add(tap);
    results.push(await tap.done);
    running.delete(tap);
  }
  const note = `${lanes[lane].length} files${waited > 1000 ? `, ${(waited / 1000).toFixed(0)} s waiting for builds` : ''}`;
  timing.add('lane', lane, Date.now() - started, note);
  return results;
}

const common = {
  ORCHESTRATOR_DIST_BUILT: '1',
  // Read by tap as its --timeout (which, given, still wins); one set by the caller is kept.
  TAP_TIMEOUT: process.env.TAP_TIMEOUT ?? String(Math.ceil(fileTimeout * scale)),
};
async function clusterEnv() {
  const cluster = await clusterReady.catch(() => undefined);
  if (!cluster) return common;
  return {
    ...common,
    ORCHESTRATOR_TEST_KUBECONFIG: cluster.kubeconfig,
    ORCHESTRATOR_TEST_KUBECTL: JSON.stringify(cluster.kubectl),
    ORCHESTRATOR_TEST_SERVER: cluster.server,
    ORCHESTRATOR_TEST_WORKLOADS: String(workloads),
  };
}
// Three lanes at once: the unit files, the integration files (once the shared control plane is up) and
// the real-node files. The integration files mostly wait on the control plane and the unit files mostly
// compute, so side by side they share the cores the unit-then-integration order left idle (CI used two
// thirds of them so, docs/testing.md); every file holds beside the others' load.
const tracks = await Promise.all([
  runLane('unit', common).then((unit) => {
    urgency.unitRunning = false;
    updateUrgency();
    return unit;
  }),
  clusterEnv().then((env) => runLane('integration', env)),
  // A real-node file starts a cluster of its own (test/harness/cluster/cluster.ts), so its lane waits
  // for its builds only, not for the shared control plane: cold, that start waited on KWOK's build.
  runLane('real-node', {
    ...common,
    TAP_TIMEOUT: process.env.TAP_TIMEOUT ?? String(Math.ceil(realNodeFileTimeout * scale)),
  }),
]);
const results = tracks.flat();
writeDurations(
  durationsFile,
  durations,
  results.flatMap((r) => r.files),
);
await builds.all;
const cluster = await clusterReady.catch(() => undefined);
await cluster?.stop();

let passed = 0;
let failed = 0;
let skipped = 0;
for (const r of results) {
  passed += r.pass;
  failed += r.fail;
  skipped += r.skip;
  if (!r.found || (r.code !== 0 && r.fail === 0)) failed += 1; // a crash, or a failed file with no counted assertion
}
for (const line of timingReport(
  timing,
  results.flatMap((r) => r.files),
  {
    cold: buildState.cold,
    cpu: treeCpu(),
    cores: availableParallelism(),
    cpuFiles: existsSync(cpuFile)
      ? readFileSync(cpuFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
      : [],
  },
))
  log(line);
if (failed === 0) {
  // A real node's cluster stops when its test file's process ends, so its unmounts may still be under
  // way: busy mounts are retried, and what cannot be removed is said, never a failed run.
  try {
    rmSync(runTmp, { recursive: true, force: true, maxRetries: 20, retryDelay: 500 });
  } catch (err) {
    log(`could not remove ${runTmp}: ${err.message}`);
  }
} else
  log(
    `temporary files of this run (logs the failures name, each lane's TAP in tap-*.log) are kept in ${runTmp}`,
  );
finish(passed, failed, skipped);
