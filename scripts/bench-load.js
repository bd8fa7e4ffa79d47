// The load generator of `npm run bench:webhook`: keep-alive HTTPS POSTs in a closed loop (max
// throughput) and an open loop (a fixed arrival rate, latency from the scheduled send time).
import { Agent, request } from 'node:https';
import { sized } from './bench-smoke.js';

export const SECONDS = Number(process.env.BENCH_SECONDS ?? sized(4, 0.2));
export const WARMUP_SECONDS = sized(1, 0.1);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
export const RATE = Number(process.env.BENCH_RATE ?? 200);

/** One POST; resolves with the status, latency and (when asked) the body text. */
export function send(agent, port, path, body, keepText = false) {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        let bytes = 0;
        // A refusal's body says why: kept, short, to report (failureOf).
        const keep = keepText || res.statusCode !== 200;
        res.on('data', (chunk) => {
          bytes += chunk.length;
          if (keep) text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode, bytes, text }));
        res.on('error', (err) => resolve({ status: 0, error: err.message }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, error: err.message }));
    req.end(body);
  });
}

export const ok = (res) => res.status === 200 && res.bytes > 0;

/** Why `res` failed, in a few words: its status and the start of its body, or the transport's error. */
export const failureOf = (res) =>
  res.status === 0 ? (res.error ?? 'no answer') : `HTTP ${res.status} ${(res.text ?? '').slice(0, 200)}`;

/** Counts failed requests by why they failed: `errors` is the total, `failures` each reason's count. */
function failureTally() {
  const failures = {};
  return {
    failures,
    count(res) {
      if (ok(res)) return 0;
      const why = failureOf(res);
      failures[why] = (failures[why] ?? 0) + 1;
      return 1;
    },
  };
}

/** N connections, each sending its next request when the last is answered. */
export async function closedLoop({ port, path, body, ca, serverCpu }) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS, ca });
  const run = async (seconds, latencies, tally = failureTally()) => {
    let errors = 0;
    const end = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (performance.now() < end) {
          const started = performance.now();
          const res = await send(agent, port, path, body);
          latencies?.push(performance.now() - started);
          errors += tally.count(res);
        }
      }),
    );
    return errors;
  };
  await run(WARMUP_SECONDS);
  const latencies = [];
  const tally = failureTally();
  const cpuBefore = await serverCpu();
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const errors = await run(SECONDS, latencies, tally);
  const wall = performance.now() - started;
  const cpuAfter = await serverCpu();
  const clientAfter = process.cpuUsage(clientBefore);
  agent.destroy();
  const cpuMs = (c) => (c.user + c.system) / 1000;
  return {
    rps: latencies.length / (wall / 1000),
    ...percentiles(latencies),
    errors,
    failures: tally.failures,
    serverCpu: (cpuMs(cpuAfter) - cpuMs(cpuBefore)) / wall,
    serverUsPerRequest: ((cpuMs(cpuAfter) - cpuMs(cpuBefore)) * 1000) / latencies.length,
    clientCpu: cpuMs(clientAfter) / wall,
  };
}

/** A fixed arrival rate whatever the answers do; latency counts from the scheduled send time. */
export async function openLoop({ port, path, body, ca }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64, ca });
  const run = async (seconds, latencies, tally = failureTally()) => {
    let errors = 0;
    const interval = 1000 / RATE;
    const total = Math.round(seconds * RATE);
    const pending = [];
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const due = start + i * interval;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      // From the scheduled time when late (a stall counts), from the send when a timer fired early.
      const from = Math.min(due, performance.now());
      pending.push(
        send(agent, port, path, body).then((res) => {
          latencies?.push(performance.now() - from);
          errors += tally.count(res);
        }),
      );
    }
    await Promise.all(pending);
    return errors;
  };
  await run(WARMUP_SECONDS);
  const latencies = [];
  const tally = failureTally();
  const errors = await run(SECONDS, latencies, tally);
  agent.destroy();
  return { ...percentiles(latencies), errors, failures: tally.failures };
}

function percentiles(values) {
  const sorted = Float64Array.from(values).sort();
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? Number.NaN };
}
