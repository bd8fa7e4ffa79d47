#!/usr/bin/env node
// `npm run bench:webhook`: loopback HTTPS keep-alive load on the admission webhook, beside a baseline.
//
// Builds the TypeScript (like `npm test`), then forks one child process per server:
//   (a) ours: the real webhook server, routes and default controller config, info-level logs to /dev/null;
//   (b) baseline: a Node https server with the same certificate that reads the body and returns a fixed
//       AdmissionReview answer (the floor: TLS + HTTP + nothing else).
// This process is the load generator. Client and server run in separate processes so that each has a
// core of this 2-core machine and the client's CPU is not counted against the server (the servers are
// measured one at a time; the idle one costs nothing). Each child reports its CPU use per phase, so a
// client-bound measurement shows: server CPU well under 100% of a core. The table gives each server's CPU
// per request too (µs/req), which compares the servers whatever bound the run.
//
// For each endpoint (validate, mutate) with a realistic TaskRun CREATE review (3 markdown files of a few
// KiB), each server is measured in turn:
//   closed loop: N keep-alive connections sending back-to-back (max throughput, latency under saturation);
//   open loop:   a fixed 200 requests/s, latency measured from the scheduled send time (no coordinated
//                omission), p50/p99/max.
// Then the ratios against the targets: throughput >= 60% of the baseline, p99 <= 5 ms at 200 requests/s.
//
// Arguments: [rounds] [--peer-bin DIR]. Rounds (default 1; 3 with the peer) repeat every measurement,
// the first server rotating, and the report gives the medians. --peer-bin DIR adds the controller-runtime
// peer's webhook server (DIR/webhook-server, same certificate and default config) as a third server, and
// the ours/peer ratios of throughput, CPU per request and p99.
//
// BENCH_REFERENCES=1 adds the cost of the reference checks (docs/security.md): it starts (or reuses,
// USE_EXISTING_CLUSTER/KUBEBUILDER_ASSETS as the tests) a control plane whose apiserver answers the
// SubjectAccessReviews, and measures the validate endpoint of two more servers with a review naming a
// GitHub user, a ServiceAccount and a claim (bench-review.js; the requester is in system:masters, so
// all are allowed): refs-warm (answers cached as in production) and refs-cold (no cache: every review
// asks the apiserver). `ours` then sends the plain review, whose questions (its agent profile, its
// GitHub user's token Secret) a stand-in answers in process: `ours` measures the server, not RBAC.
//
// Environment: BENCH_SECONDS (per measured phase, default 4), BENCH_CONNECTIONS (closed loop, default 8),
// BENCH_RATE (open loop, default 200), BENCH_CPU_PROF=<dir> (write ours.cpuprofile and
// baseline.cpuprofile there, one per server process, to open in Chrome DevTools or VS Code),
// BENCH_SMOKE=1 (one round of 0.2 s phases: bench-smoke.js). Exit code 1 if a request failed or the
// sample review is not allowed (in a smoke round, the peer's too); a missed target is printed, not an
// error (numbers on a shared machine are noisy).

import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PEER_BINARIES, parseBenchArgs, peerBinary } from './bench-args.js';
import { CONNECTIONS, closedLoop, openLoop, RATE, SECONDS, send, WARMUP_SECONDS } from './bench-load.js';
import { startPeerWebhook } from './bench-peer.js';
import { admissionReview } from './bench-review.js';
import { SMOKE, sized } from './bench-smoke.js';
import { webhookReport } from './bench-webhook-report.js';
import { ensureDist, root } from './build.js';

// ---------------------------------------------------------------------------------------------------
// The parent: build, certificates, the review, the load, the table.

async function bench() {
  const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);
  let args;
  try {
    args = parseBenchArgs(process.argv.slice(2), ['rounds']);
    if (args.peerBin) peerBinary(args.peerBin, PEER_BINARIES.webhook);
  } catch (err) {
    log(err.message);
    process.exit(2);
  }
  const { peerBin } = args;
  const rounds = args.values.rounds ?? sized(peerBin ? 3 : 1, 1);
  log('building (tsc -p tsconfig.build.json)');
  if (!ensureDist()) {
    log('the build failed');
    process.exit(1);
  }

  const { createAuthority } = await import('../dist/certs/authority.js');
  const certDir = mkdtempSync(join(tmpdir(), 'bench-webhook-'));
  const ca = await createAuthority('bench-ca');
  const serving = await ca.issueServing({ commonName: 'webhook', ipAddresses: ['127.0.0.1'] });
  writeFileSync(join(certDir, 'tls.crt'), serving.certPem);
  writeFileSync(join(certDir, 'tls.key'), serving.keyPem);

  const profileDir = process.env.BENCH_CPU_PROF ? resolvePath(process.env.BENCH_CPU_PROF) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const servers = {};
  const body = JSON.stringify(admissionReview());
  const referencesBody = JSON.stringify(admissionReview({ references: true }));
  const withReferences = process.env.BENCH_REFERENCES === '1';
  const referenceServers = withReferences ? ['refs-warm', 'refs-cold'] : [];
  const bodyOf = (server) => (referenceServers.includes(server) ? referencesBody : body);
  let cluster;
  const paths = {
    validate: '/validate-orchestrator-io-v1-taskrun',
    mutate: '/mutate-orchestrator-io-v1-taskrun',
  };

  let failed = false;
  try {
    if (withReferences) {
      log('starting a control plane for the SubjectAccessReviews');
      const { obtainCluster } = await import('../dist/cluster/index.js');
      cluster = await obtainCluster({ workloads: false, controllerManager: false });
    }
    for (const role of ['baseline', 'ours', ...referenceServers])
      servers[role] = await startServer(role, certDir, profileDir, cluster?.kubeconfig);
    if (peerBin) {
      const configFile = join(root, 'config', 'manager', 'controller-config.yaml');
      servers.peer = await startPeerWebhook({ binDir: peerBin, certDir, configFile });
    }

    // The review must take the real path (allowed, with defaults to add), not a denial's shortcut.
    for (const server of [...(peerBin ? ['ours', 'peer'] : ['ours']), ...referenceServers]) {
      for (const [endpoint, path] of Object.entries(paths)) {
        if (referenceServers.includes(server) && endpoint !== 'validate') continue;
        const agent = new Agent({ keepAlive: false, ca: ca.certPem });
        const res = await send(agent, servers[server].port, path, bodyOf(server), true);
        agent.destroy();
        const response = res.status === 200 ? JSON.parse(res.text).response : undefined;
        if (response?.allowed !== true || (endpoint === 'mutate') !== Boolean(response.patch)) {
          throw new Error(
            `the sample review is not allowed as expected by ${server} ${endpoint}: ${res.text.slice(0, 300)}`,
          );
        }
      }
    }

    log(
      `review ${(Buffer.byteLength(body) / 1024).toFixed(1)} KiB; per run: closed loop ${CONNECTIONS} connections ` +
        `${SECONDS} s, open loop ${RATE} req/s ${SECONDS} s (each after ${WARMUP_SECONDS} s of warm-up)`,
    );
    const rows = [];
    const names = [...(peerBin ? ['ours', 'peer', 'baseline'] : ['baseline', 'ours']), ...referenceServers];
    for (let round = 1; round <= rounds; round++) {
      // The first server rotates, so that none always meets a warmer (or cooler) machine.
      const order = names.map((_, i) => names[(i + round - 1) % names.length]);
      for (const endpoint of ['validate', 'mutate']) {
        for (const server of order) {
          // Only validation asks about references.
          if (referenceServers.includes(server) && endpoint !== 'validate') continue;
          const { port, cpu } = servers[server];
          const review = bodyOf(server);
          const path = paths[endpoint];
          const what = `${rounds > 1 ? `round ${round} ` : ''}${server} ${endpoint}`;
          const measure = async () => {
            log(`${what}: closed loop`);
            const closed = await closedLoop({ port, path, body: review, ca: ca.certPem, serverCpu: cpu });
            log(`${what}: open loop`);
            const open = await openLoop({ port, path, body: review, ca: ca.certPem });
            return { closed, open };
          };
          if (server !== 'peer') {
            const { closed, open } = await measure();
            rows.push({ round, server, endpoint, closed, open });
            if (closed.errors || open.errors) {
              log(`${what}: FAILED: ${failedRequests({ closed, open })}`);
              failed = true;
            }
            continue;
          }
          // The peer is not ours to fix: a failed measurement says why and ours stand.
          const m = await measure().catch((err) => ({ failure: err.message }));
          const failure = m.failure ?? (m.closed.errors || m.open.errors ? failedRequests(m) : undefined);
          if (failure) log(`${what}: FAILED: ${failure}`);
          if (failure && SMOKE) failed = true;
          rows.push(failure ? { round, server, endpoint, failure } : { round, server, endpoint, ...m });
        }
      }
    }
    report(rows, Buffer.byteLength(body));
  } catch (err) {
    log(err.stack ?? String(err));
    failed = true;
  } finally {
    for (const server of Object.values(servers)) await server.stop();
    await cluster?.stop();
    rmSync(certDir, { recursive: true, force: true });
    if (profileDir) log(`the servers' CPU profiles are in ${profileDir}`);
  }
  process.exit(failed ? 1 : 0);
}

/** The requests of a measurement that failed, and why (a peer that died fails them all). */
function failedRequests({ closed, open }) {
  const counts = new Map();
  for (const [why, n] of [...Object.entries(closed.failures), ...Object.entries(open.failures)])
    counts.set(why, (counts.get(why) ?? 0) + n);
  const reasons = [...counts].map(([why, n]) => `${n}× ${why}`);
  return (
    `${closed.errors + open.errors} failed requests (closed loop ${closed.errors}, open loop ${open.errors}): ` +
    reasons.slice(0, 3).join('; ')
  );
}

/** Forks a child serving `role`; resolves once it listens. */
async function startServer(role, certDir, profileDir, kubeconfig) {
  const execArgv = profileDir
    ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${role}.cpuprofile`]
    : [];
  const child = fork(
    join(dirname(fileURLToPath(import.meta.url)), 'bench-webhook-server.js'),
    [role, certDir, ...(kubeconfig ? [kubeconfig] : [])],
    {
      execArgv,
      stdio: 'inherit',
    },
  );
  const port = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`the ${role} server process exited (${code})`)));
  });
  const cpu = () =>
    new Promise((resolve) => {
      child.once('message', (m) => resolve(m.cpu));
      child.send('cpu');
    });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send('stop');
    await exited;
  };
  return { port, cpu, stop };
}

function report(rows, bodyBytes) {
  console.log('');
  console.log(
    `webhook bench: TaskRun CREATE AdmissionReview of ${(bodyBytes / 1024).toFixed(1)} KiB (3 markdown files), ` +
      `Node ${process.version}, ${availableParallelism()} CPUs`,
  );
  console.log(
    `closed loop: ${CONNECTIONS} keep-alive connections, ${SECONDS} s; open loop: ${RATE} req/s, ${SECONDS} s ` +
      `(latency from the scheduled send); each after ${WARMUP_SECONDS} s of warm-up`,
  );
  console.log('');
  for (const line of webhookReport(rows, RATE)) console.log(line);
}

await bench();
