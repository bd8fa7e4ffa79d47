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
// Environment: BENCH_SECONDS (per measured phase, default 4), BENCH_CONNECTIONS (closed loop, default 8),
// BENCH_RATE (open loop, default 200), BENCH_CPU_PROF=<dir> (write ours.cpuprofile and
// baseline.cpuprofile there, one per server process, to open in Chrome DevTools or VS Code). Exit code 1
// if a request failed or the sample review is not allowed; a missed target is printed, not an error
// (numbers on a shared machine are noisy).

import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONNECTIONS, closedLoop, openLoop, RATE, SECONDS, send, WARMUP_SECONDS } from './bench-load.js';
import { admissionReview } from './bench-review.js';
import { buildDist } from './build.js';

const TARGET_RATIO = 0.6;
const TARGET_P99_MS = 5;

// ---------------------------------------------------------------------------------------------------
// The parent: build, certificates, the review, the load, the table.

async function bench() {
  const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);
  log('building (tsc -p tsconfig.build.json)');
  if (!buildDist()) {
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
  const paths = {
    validate: '/validate-orchestrator-io-v1-taskrun',
    mutate: '/mutate-orchestrator-io-v1-taskrun',
  };

  let failed = false;
  try {
    for (const role of ['baseline', 'ours']) servers[role] = await startServer(role, certDir, profileDir);

    // The review must take the real path (allowed, with defaults to add), not a denial's shortcut.
    for (const [endpoint, path] of Object.entries(paths)) {
      const agent = new Agent({ keepAlive: false, ca: ca.certPem });
      const res = await send(agent, servers.ours.port, path, body, true);
      agent.destroy();
      const response = JSON.parse(res.text).response;
      if (
        res.status !== 200 ||
        response?.allowed !== true ||
        (endpoint === 'mutate') !== Boolean(response.patch)
      ) {
        throw new Error(
          `the sample review is not allowed as expected by ${endpoint}: ${res.text.slice(0, 300)}`,
        );
      }
    }

    log(
      `review ${(Buffer.byteLength(body) / 1024).toFixed(1)} KiB; per run: closed loop ${CONNECTIONS} connections ` +
        `${SECONDS} s, open loop ${RATE} req/s ${SECONDS} s (each after ${WARMUP_SECONDS} s of warm-up)`,
    );
    const rows = [];
    for (const endpoint of ['validate', 'mutate']) {
      for (const server of ['baseline', 'ours']) {
        const { port, cpu } = servers[server];
        const path = paths[endpoint];
        log(`${server} ${endpoint}: closed loop`);
        const closed = await closedLoop({ port, path, body, ca: ca.certPem, serverCpu: cpu });
        log(`${server} ${endpoint}: open loop`);
        const open = await openLoop({ port, path, body, ca: ca.certPem });
        rows.push({ server, endpoint, closed, open });
        if (closed.errors || open.errors) failed = true;
      }
    }
    report(rows, Buffer.byteLength(body));
  } catch (err) {
    log(err.stack ?? String(err));
    failed = true;
  } finally {
    for (const { child } of Object.values(servers)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      await exited;
    }
    rmSync(certDir, { recursive: true, force: true });
    if (profileDir) log(`the servers' CPU profiles are in ${profileDir}`);
  }
  process.exit(failed ? 1 : 0);
}

/** Forks a child serving `role`; resolves once it listens. */
async function startServer(role, certDir, profileDir) {
  const execArgv = profileDir
    ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${role}.cpuprofile`]
    : [];
  const child = fork(
    join(dirname(fileURLToPath(import.meta.url)), 'bench-webhook-server.js'),
    [role, certDir],
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
  return { child, port, cpu };
}

function report(rows, bodyBytes) {
  const f = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
  const pct = (n) => `${Math.round(n * 100)}%`;
  const header = [
    'server',
    'endpoint',
    'req/s',
    'p50 ms',
    'p99 ms',
    'srv CPU',
    'µs/req',
    'cli CPU',
    `@${RATE}/s p50`,
    'p99 ms',
    'max ms',
    'errors',
  ];
  const lines = rows.map((r) => [
    r.server,
    r.endpoint,
    f(r.closed.rps, 0),
    f(r.closed.p50),
    f(r.closed.p99),
    pct(r.closed.serverCpu),
    f(r.closed.serverUsPerRequest, 0),
    pct(r.closed.clientCpu),
    f(r.open.p50),
    f(r.open.p99),
    f(r.open.max),
    String(r.closed.errors + r.open.errors),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
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
  console.log(row(header));
  console.log(row(widths.map((w) => '-'.repeat(w))));
  for (const l of lines) console.log(row(l));
  console.log('');
  for (const endpoint of ['validate', 'mutate']) {
    const ours = rows.find((r) => r.server === 'ours' && r.endpoint === endpoint);
    const base = rows.find((r) => r.server === 'baseline' && r.endpoint === endpoint);
    const ratio = ours.closed.rps / base.closed.rps;
    console.log(
      `${endpoint.padEnd(8)}  throughput ours/baseline ${f(ratio)} (target >= ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? 'met' : 'MISSED'})` +
        `   p99 at ${RATE} req/s ${f(ours.open.p99)} ms (target <= ${TARGET_P99_MS} ms: ${ours.open.p99 <= TARGET_P99_MS ? 'met' : 'MISSED'})` +
        `, baseline ${f(base.open.p99)} ms`,
    );
  }
  // Throughput compares what the load generator could push; server CPU per request compares what each
  // server costs, whatever bound the run (the client, or other load on a shared machine).
  for (const endpoint of ['validate', 'mutate']) {
    const [ours, base] = ['ours', 'baseline'].map(
      (server) => rows.find((r) => r.server === server && r.endpoint === endpoint).closed.serverUsPerRequest,
    );
    console.log(
      `${endpoint.padEnd(8)}  server CPU per request: ours ${f(ours, 0)} µs, baseline ${f(base, 0)} µs ` +
        `(ours would serve ${f(base / ours)} of the baseline's throughput if both were CPU-bound)`,
    );
  }
  const clientBound = rows.filter((r) => r.server === 'baseline' && r.closed.serverCpu < 0.85);
  if (clientBound.length) {
    console.log(
      `note: the baseline server used ${clientBound.map((r) => pct(r.closed.serverCpu)).join(', ')} of a core in the closed loop: ` +
        'the limit there was the client (or other load on the machine), not the baseline, so the ratio flatters ours.',
    );
  }
}

await bench();
