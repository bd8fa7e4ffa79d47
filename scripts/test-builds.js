// The programs and images the test files wait for (scripts/test-lanes.js NEEDS), built by
// scripts/test.js one after another in the background while the files that need none of them run, and
// only those the selected files need. Each is cached (src/cluster/binary.ts, agent-image.ts, the
// harness's test-tools.ts): a warm run spends seconds here. A build that fails is reported with the
// files that will fail without it; it never stops the others.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { root } from './build.js';
import { NEEDS } from './test-lanes.js';

/** The harness's test tools (test/harness/cluster/test-tools.ts, by component name) of each need. */
const TOOLS = {
  otelcol: ['otelcol'],
  helm: ['helm', 'crane', 'cosign'],
  argo: ['workflow-controller', 'argoexec', 'argo-events', 'nats-server'],
  peer: ['peer-manager', 'peer-webhook-server'],
};

/** Builds the harness's tools by name in a child process (tap's TypeScript loader); resolves to its exit. */
function buildTools(names, log, onBuilding) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        './scripts/ts-import.mjs',
        join('test', 'harness', 'cluster', 'build-test-tools.ts'),
        ...names,
      ],
      { cwd: root, stdio: ['ignore', 'inherit', 'pipe'] },
    );
    child.stderr.on('data', (chunk) => {
      process.stderr.write(chunk);
      if (/\bbuilding /.test(chunk.toString())) onBuilding();
    });
    child.on('error', (err) => resolve(err.message));
    child.on('exit', (c, s) => resolve(c ?? s));
  }).then((code) => {
    if (code !== 0) throw new Error(`the test tools ${names.join(', ')} were not all built (${code})`);
    log(`built or cached: ${names.join(', ')}`);
  });
}

/** `log`, marking `state.cold` when a Go build starts rather than being found cached (binary.ts says `building …`). */
export function noticingBuilds(log, state) {
  return (msg) => {
    if (/^building /.test(msg)) state.cold = true;
    log(msg);
  };
}

/**
 * A progress step of the operator image's own build (agent-image.ts's words), not of its bases: its
 * bud and push, and the pruning after it (which a base's build does too, after its own bud).
 */
const OWN_IMAGE_STEP = /orchestrator\.local\/orchestrator[:\s]|older orchestrator images|older build stages/;

/**
 * Starts building, once `after` settles, in NEEDS' order and one at a time, every need in `needs`;
 * returns a promise per need (rejected when its build failed), one for them all, and `settled`: the
 * needs whose build has ended, built or failed. `state.cold` is set when anything was built rather
 * than cached. `cluster` holds dist/cluster's builders (loaded after the TypeScript build).
 */
export function startBuilds(needs, { cluster, log, timing, state, after = Promise.resolve() }) {
  const building = () => {
    state.cold = true;
  };
  const logBuild = noticingBuilds(log, state);
  const steps = {
    // The real node's kubelet, with the control plane and controllers its own cluster starts: built
    // here without waiting for the shared control plane to start (the builds it shares with that one
    // wait on each other's lock), so that the real-node lane's first file starts as early as it can.
    node: async () => {
      for (const build of [cluster.controlPlaneBinary, cluster.controllersBinary, cluster.nodeBinary])
        await build({ log: logBuild });
    },
    // The real node's NetworkPolicy engine: only the file that enforces NetworkPolicies runs it.
    'kube-router': () => cluster.kubeRouterBinary({ log: logBuild }),
    'agent-image': async () => {
      const missing = cluster.realNodeMissing();
      if (missing.length > 0) throw new Error(`the real node cannot run here: ${missing.join('; ')}`);
      const image = await cluster.buildLocalImage({
        progress: (step) => {
          building();
          log(`agent image: ${step}`);
        },
      });
      log(`agent image: ${image.name}`);
    },
    // The Dockerfile's image (its bases built here too), which the in-cluster suite installs. Built
    // again whenever the project's sources change, as every commit CI runs does: that alone is the
    // commit's own build, like its TypeScript, and leaves the run warm; building its bases does not.
    'operator-image': async () => {
      const image = await cluster.buildOperatorImage({
        progress: (step) => {
          if (!OWN_IMAGE_STEP.test(step)) building();
          log(`operator image: ${step}`);
        },
      });
      log(`operator image: ${image.name}`);
    },
    ...Object.fromEntries(
      Object.entries(TOOLS).map(([need, names]) => [need, () => buildTools(names, log, building)]),
    ),
  };
  const promises = {};
  const settled = new Set();
  let chain = after;
  for (const need of NEEDS.filter((n) => needs.includes(n))) {
    const step = chain.then(() => timing.span('build', need, steps[need]));
    promises[need] = step;
    step.then(
      () => settled.add(need),
      () => settled.add(need),
    );
    // The next build starts when this one ends, built or failed.
    chain = step.catch((err) =>
      log(`${need} was not built, so the files needing it will fail: ${err.message}`),
    );
  }
  return { promises, settled, all: chain };
}
