// What the model gateway adds to a model call (docs/benchmarks.md): the same streamed Messages API
// calls made straight to the model stand-in and through the gateway, in one run, rounds alternating.
// Three processes, so that each side's latency is not the client's event loop and the gateway's CPU is
// its own: this one (the client, one call at a time), the stand-in, and the gateway (src/gateway's
// handler and listener with the shipped limits, a real signed token checked by the JobAuthenticator
// against a Job read from an in-memory client, the attempt's cap summed from an in-memory ledger; the
// Kubernetes ledger's API calls are not in it: the scale mode has them). Prints p50
// and p99 of the time to the first byte and to the end of the answer, each side and the difference,
// whether the goal (under 1 ms added at p50) holds in the run, the machine's load average
// beside it, and the gateway's CPU per call.
//   npm run bench:gateway -- [N=2000] [ROUNDS=3]   (BENCH_CPU_PROF=DIR: the children's CPU profiles)
// The scale mode (gateway-scale.ts): ATTEMPTS agents calling at once, the ledger on the apiserver.
//   npm run bench:gateway -- --scale ATTEMPTS [CALLS=20 [PACE_MS=0]]
import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { sized } from '../../scripts/bench-smoke.js';
import { cpuSeconds, procCpu } from '../../scripts/proc-usage.js';
import { loadDefaultConfig } from '../../src/config/load.js';
import { mintAttemptToken } from '../../src/gateway/attempt-token.js';
import { LimitGate } from '../../src/gateway/index.js';
import type { ApiRequester, KubeObject } from '../../src/runtime/index.js';
import { MemoryLedger } from '../harness/fakes/memory-ledger.js';
import { messagesBody } from '../harness/operator/gateway.js';
import {
  benchGateway,
  child,
  KEY,
  load,
  printLatency,
  type Sides,
  standin,
  streamedCall,
} from './gateway-calls.js';
import { GATEWAY_USAGE, parseGatewayArgs } from './gateway-options.js';
import { scaleGateway, scaleMain } from './gateway-scale.js';

const ATTEMPT = {
  namespace: 'bench',
  kind: 'TaskRun',
  run: 'bench',
  uid: '00000000-0000-4000-8000-000000000001',
  attempt: 1,
  job: 'bench-1',
};
const ATTEMPT_JOB_UID = '00000000-0000-4000-8000-000000000002';

async function gateway(upstream: string, signing: Buffer): Promise<number> {
  const settings = loadDefaultConfig().gateway;
  // The attempt's Job, as the apiserver would answer it: running, with the uid the token names.
  const job: KubeObject = {
    metadata: { name: ATTEMPT.job, namespace: ATTEMPT.namespace, uid: ATTEMPT_JOB_UID },
  };
  const client = { request: async () => job } as unknown as ApiRequester;
  const ledger = new MemoryLedger();
  return benchGateway({
    settings,
    upstream,
    signing,
    jobs: client,
    gate: new LimitGate(ledger, {
      limits: async (attempt) => [
        { name: 'the cap', limitMicros: 1e12, spentMicros: () => ledger.attemptSpent(attempt) },
      ],
    }),
  });
}

async function main({ calls: N, rounds: ROUNDS }: { calls: number; rounds: number }) {
  const signing = randomBytes(32);
  const model = await child<{ port: number }>('standin');
  const upstream = `http://127.0.0.1:${model.ready.port}`;
  const token = mintAttemptToken(signing, {
    ...ATTEMPT,
    jobUid: ATTEMPT_JOB_UID,
    expiresAt: Date.now() + 3_600_000,
    maxBudgetMicros: 1e12,
  });
  const gw = await child<{ port: number }>('gateway', [upstream, signing.toString('base64')]);
  const body = Buffer.from(JSON.stringify(messagesBody({ stream: true })));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const loadBefore = load();
  const sides = {
    direct: { port: model.ready.port, key: KEY },
    gateway: { port: gw.ready.port, key: token },
  };
  const timings: Sides = { direct: [], gateway: [] };
  // CPU seconds of the gateway in its phases, and of the stand-in in the direct ones (what serving
  // the same call costs a plain Node.js server, for scale on a loaded machine).
  let gatewayCpu = 0;
  let standinCpu = 0;
  // Warm both paths (JIT, the token's Job check, keep-alive sockets) before measuring.
  for (const side of Object.values(sides))
    for (let i = 0; i < sized(200, 5); i++) await streamedCall(agent, side.port, side.key, body);
  for (let round = 1; round <= ROUNDS; round++)
    for (const name of ['direct', 'gateway'] as const) {
      const side = sides[name];
      const before = procCpu(gw.pid);
      const standinBefore = procCpu(model.pid);
      for (let i = 0; i < N; i++) timings[name].push(await streamedCall(agent, side.port, side.key, body));
      if (name === 'gateway') gatewayCpu += cpuSeconds(before, procCpu(gw.pid));
      else standinCpu += cpuSeconds(standinBefore, procCpu(model.pid));
    }
  agent.destroy();
  gw.stop();
  model.stop();
  console.log(
    `${N} streamed calls × ${ROUNDS} rounds each way, one at a time, keep-alive; load average ${loadBefore} at the start, ${load()} at the end`,
  );
  printLatency(timings);
  const perCall = (seconds: number) => `${((seconds / (N * ROUNDS)) * 1e6).toFixed(0)} µs`;
  console.log(
    `CPU per call: the gateway ${perCall(gatewayCpu)}; the stand-in serving a direct call ${perCall(standinCpu)}`,
  );
}

const role = process.argv[2];
// A child ends with the benchmark, however it ends.
if (process.send) process.once('disconnect', () => process.exit(0));
if (role === 'standin')
  process.send?.({ port: await standin(process.argv[3] ? Number(process.argv[3]) : undefined) });
else if (role === 'gateway')
  process.send?.({
    port: await gateway(process.argv[3] ?? '', Buffer.from(process.argv[4] ?? '', 'base64')),
  });
else if (role === 'scale-gateway') await scaleGateway(process.argv.slice(3));
else {
  const options = parseGatewayArgs(process.argv.slice(2));
  if (options.mode === 'help') console.log(GATEWAY_USAGE);
  else if (options.mode === 'scale') await scaleMain(options);
  else await main(options);
}
