// What `npm run bench:webhook` prints: every measurement, the medians over rounds (more than one), the
// project's server against the fixed-answer baseline (as always) and, when the controller-runtime peer
// ran (--peer-bin), against the peer. Pure: lines from the measurements.
import { fixed, median, ratio, table } from './bench-stats.js';

const TARGET_RATIO = 0.6;
const TARGET_P99_MS = 5;
const ENDPOINTS = ['validate', 'mutate'];
const pct = (n) => `${Math.round(n * 100)}%`;

/** The medians of one server's measurements of one endpoint. */
function summary(rows, server, endpoint) {
  const mine = rows.filter((r) => r.server === server && r.endpoint === endpoint);
  if (mine.length === 0) return undefined;
  const of = (pick) => median(mine.map(pick));
  return {
    rps: of((r) => r.closed.rps),
    p50: of((r) => r.closed.p50),
    p99: of((r) => r.closed.p99),
    serverCpu: of((r) => r.closed.serverCpu),
    usPerRequest: of((r) => r.closed.serverUsPerRequest),
    clientCpu: of((r) => r.closed.clientCpu),
    openP50: of((r) => r.open.p50),
    openP99: of((r) => r.open.p99),
    openMax: of((r) => r.open.max),
    errors: mine.reduce((sum, r) => sum + r.closed.errors + r.open.errors, 0),
  };
}

/**
 * rows: [{round, server ('ours' | 'peer' | 'baseline'), endpoint, closed, open}] (bench-load.js's
 * results); rate: the open loop's requests per second.
 */
export function webhookReport(allRows, rate) {
  // A failed peer measurement ({failure}) is reported as such; the figures are the others'.
  const failures = allRows.filter((r) => r.failure);
  const rows = allRows.filter((r) => !r.failure);
  const rounds = new Set(allRows.map((r) => r.round)).size;
  const servers = [...new Set(rows.map((r) => r.server))];
  const header = ['server', 'endpoint', 'req/s', 'p50 ms', 'p99 ms', 'srv CPU', 'µs/req', 'cli CPU'];
  header.push(`@${rate}/s p50`, 'p99 ms', 'max ms', 'errors');
  const cells = (s) => [
    fixed(s.rps, 0),
    fixed(s.p50),
    fixed(s.p99),
    pct(s.serverCpu),
    fixed(s.usPerRequest, 0),
    pct(s.clientCpu),
    fixed(s.openP50),
    fixed(s.openP99),
    fixed(s.openMax),
    String(s.errors),
  ];
  const out = [];
  const measured = rows.map((r) => [r.server, r.endpoint, ...cells(summary([r], r.server, r.endpoint))]);
  if (rounds > 1) {
    out.push(
      ...table(
        ['round', ...header],
        measured.map((cols, i) => [String(rows[i].round), ...cols]),
        3,
      ),
    );
    out.push('', `medians over ${rounds} rounds`);
  }
  const med = {};
  const medianRows = [];
  for (const endpoint of ENDPOINTS) {
    for (const server of servers) {
      med[`${server}/${endpoint}`] = summary(rows, server, endpoint);
      // The reference servers measure validation only.
      if (med[`${server}/${endpoint}`])
        medianRows.push([server, endpoint, ...cells(med[`${server}/${endpoint}`])]);
    }
  }
  out.push(...table(header, rounds > 1 ? medianRows : measured, 2), '');
  for (const endpoint of ENDPOINTS) {
    const [ours, base] = [med[`ours/${endpoint}`], med[`baseline/${endpoint}`]];
    const r = ours.rps / base.rps;
    out.push(
      `${endpoint.padEnd(8)}  throughput ours/baseline ${fixed(r)} (target >= ${TARGET_RATIO}: ${r >= TARGET_RATIO ? 'met' : 'MISSED'})` +
        `   p99 at ${rate} req/s ${fixed(ours.openP99)} ms (target <= ${TARGET_P99_MS} ms: ${ours.openP99 <= TARGET_P99_MS ? 'met' : 'MISSED'})` +
        `, baseline ${fixed(base.openP99)} ms`,
    );
  }
  // Throughput compares what the load generator could push; server CPU per request compares what each
  // server costs, whatever bound the run (the client, or other load on a shared machine).
  for (const endpoint of ENDPOINTS) {
    const [ours, base] = [med[`ours/${endpoint}`], med[`baseline/${endpoint}`]];
    out.push(
      `${endpoint.padEnd(8)}  server CPU per request: ours ${fixed(ours.usPerRequest, 0)} µs, baseline ${fixed(base.usPerRequest, 0)} µs ` +
        `(ours would serve ${ratio(base.usPerRequest, ours.usPerRequest)} of the baseline's throughput if both were CPU-bound)`,
    );
  }
  for (const f of failures) out.push(`round ${f.round}: ${f.server} ${f.endpoint} FAILED: ${f.failure}`);
  if (allRows.some((r) => r.server === 'peer')) {
    for (const endpoint of ENDPOINTS) {
      const [ours, peer, base] = ['ours', 'peer', 'baseline'].map((s) => med[`${s}/${endpoint}`]);
      if (!peer) {
        out.push(`${endpoint.padEnd(8)}  ours/peer: - (no peer measurement completed)`);
        continue;
      }
      out.push(
        `${endpoint.padEnd(8)}  ours/peer: throughput ${ratio(ours.rps, peer.rps)}, server CPU per request ` +
          `${ratio(ours.usPerRequest, peer.usPerRequest)} (${fixed(ours.usPerRequest, 0)} vs ${fixed(peer.usPerRequest, 0)} µs), ` +
          `p99 at ${rate} req/s ${ratio(ours.openP99, peer.openP99)}; peer/baseline throughput ${ratio(peer.rps, base.rps)}`,
      );
    }
    out.push(
      'peer: the controller-runtime webhook server (its webhook-server binary, the same config, certificate and ' +
        "review); CPU per request is each server process's own, read from /proc for the peer and from " +
        'process.cpuUsage() for the Node servers.',
    );
  }
  const ours = med['ours/validate'];
  for (const server of servers.filter((s) => s.startsWith('refs-'))) {
    const refs = med[`${server}/validate`];
    out.push(
      `validate  ${server}: the reference checks add ${fixed(refs.openP50 - ours.openP50)} ms at p50, ` +
        `${fixed(refs.openP99 - ours.openP99)} ms at p99 (at ${rate} req/s), ${fixed(refs.usPerRequest - ours.usPerRequest, 0)} µs ` +
        `of server CPU per review; closed-loop throughput ${ratio(refs.rps, ours.rps)} of ours`,
    );
  }
  const clientBound = rows.filter((r) => r.server === 'baseline' && r.closed.serverCpu < 0.85);
  if (clientBound.length) {
    out.push(
      `note: the baseline server used ${clientBound.map((r) => pct(r.closed.serverCpu)).join(', ')} of a core in the closed loop: ` +
        'the limit there was the client (or other load on the machine), not the baseline, so the ratio flatters ours.',
    );
  }
  return out;
}
