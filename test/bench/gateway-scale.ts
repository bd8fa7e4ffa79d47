// bench:gateway's scale mode (docs/benchmarks.md "Model gateway at scale"): ATTEMPTS agents, each
// making CALLS streamed calls one after another, all at once, straight to the stand-in and through
// the gateway, phases alternating, in one run. The gateway is a process of its own with the ledger
// the operator runs (src/gateway/ledger-informer.ts: its watch-fed cache, its coalesced writes) on the local control plane's
// apiserver, every attempt's run limit and one team budget over all namespaces checked per call, so
// that every call sums the ledger as the operator's does. The Jobs the tokens name are answered from
// memory (the JobAuthenticator reads each once per 5 s; not what is measured). Prints the latency
// table, the gateway's CPU per call and peak memory, the ledger's apiserver writes per second per 100
// attempts and per call, its lists, and whether the ledger holds every call made through it.
// Back to back (PACE_MS 0) the attempts load the gateway as fast as it answers: its latency is then its
// queue, and the figures its throughput; PACE_MS spaces each attempt's calls as an agent's turns do.
//   npm run bench:gateway -- --scale ATTEMPTS [CALLS=20 [PACE_MS=0]]
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { cpuSeconds, peakRssMiB, procCpu } from '../../scripts/proc-usage.js';
import { staticConfig } from '../../src/api/index.js';
import { loadDefaultConfig } from '../../src/config/load.js';
import { mintAttemptToken, type TokenClaims } from '../../src/gateway/attempt-token.js';
import {
  gatewayLimits,
  LEDGER_SELECTOR,
  LimitGate,
  readRecord,
  startKubeLedger,
} from '../../src/gateway/index.js';
import {
  type ApiRequester,
  CONFIGMAPS,
  KubeClient,
  type KubeObject,
  resourcePath,
} from '../../src/runtime/index.js';
import { kubeConfig, testCluster } from '../harness/cluster/cluster.js';
import { messagesBody } from '../harness/operator/gateway.js';
import { benchGateway, child, KEY, load, printLatency, type Sides, streamedCall } from './gateway-calls.js';

/** What the gateway process counts of its ledger's apiserver calls. */
interface LedgerCalls {
  writes: number;
  reads: number;
  lists: number;
}

/** A client that counts the ledger's calls by kind (its watches apart). */
class CountingClient extends KubeClient {
  readonly counts: LedgerCalls = { writes: 0, reads: 0, lists: 0 };
  override request<T>(...args: Parameters<KubeClient['request']>): Promise<T> {
    const [method, path] = args;
    if (method !== 'GET') this.counts.writes++;
    else if (path.endsWith('/configmaps')) this.counts.lists++;
    else this.counts.reads++;
    return super.request<T>(...args);
  }
}

/** Attempt `i`'s claims: its run, its Job by name and uid, an hour before it expires. */
const attemptOf = (i: number): TokenClaims => ({
  namespace: 'bench',
  kind: 'TaskRun',
  run: `bench-${i}`,
  uid: randomUUID(),
  attempt: 1,
  job: `bench-${i}-1`,
  jobUid: randomUUID(),
  expiresAt: Date.now() + 3_600_000,
  maxBudgetMicros: 1e12,
});

/** Each attempt's Job, as the apiserver would answer it: running, with the uid its token names. */
function jobsOf(attempts: TokenClaims[]): ApiRequester {
  const jobs = new Map<string, KubeObject>(
    attempts.map(({ job, jobUid }) => [job, { metadata: { name: job, namespace: 'bench', uid: jobUid } }]),
  );
  return { request: async (_method: string, path: string) => jobs.get(path.split('/').pop() ?? '') } as never;
}

/** The gateway process: args kubeconfig, ledger namespace, upstream, attempts. Answers {port, tokens}, then counts on request. */
export async function scaleGateway([
  kubeconfig = '',
  namespace = '',
  upstream = '',
  attempts = '0',
]: string[]) {
  const config = loadDefaultConfig();
  // One team budget over every namespace: each call sums the whole ledger, as a team budget does.
  config.budgets = [{ name: 'everyone', limitUsd: '1000000', window: 'month' }] as typeof config.budgets;
  const settings = config.gateway;
  const signing = randomBytes(32);
  const claims = Array.from({ length: Number(attempts) }, (_, i) => attemptOf(i));
  const tokens = claims.map((c) => mintAttemptToken(signing, c));
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const client = new CountingClient(kc, { requestTimeoutMs: 60_000 });
  const { ledger } = await startKubeLedger({ client, namespace, logger: pino({ level: 'silent' }) });
  const port = await benchGateway({
    settings,
    upstream,
    signing,
    jobs: jobsOf(claims),
    gate: new LimitGate(
      ledger,
      gatewayLimits({ config: staticConfig(config), ledger, selected: async () => new Set() }),
    ),
    attempts: Number(attempts),
  });
  process.on('message', () => process.send?.(client.counts));
  process.send?.({ port, tokens });
}

/**
 * Every attempt's `calls` calls at once, each attempt's one after another on its own connection, a
 * call every `paceMs` (0: back to back), the attempts' first calls spread over the first `paceMs`.
 */
async function phase(port: number, keys: string[], calls: number, paceMs: number, body: Buffer) {
  const timings: Sides['direct'] = [];
  await Promise.all(
    keys.map(async (key, n) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      await sleep((paceMs * n) / keys.length);
      for (let i = 0; i < calls; i++) {
        const timing = await streamedCall(agent, port, key, body);
        timings.push(timing);
        await sleep(Math.max(0, paceMs - timing.endMs));
      }
      agent.destroy();
    }),
  );
  return timings;
}

/** The calls the ledger's records hold, summed. */
async function ledgerCalls(admin: KubeClient, namespace: string): Promise<number> {
  const list = await admin.request<{ items?: KubeObject[] }>('GET', resourcePath(CONFIGMAPS, namespace), {
    query: { labelSelector: LEDGER_SELECTOR },
  });
  return (list.items ?? []).reduce((sum, cm) => sum + (readRecord(cm)?.calls ?? 0), 0);
}

/** The scale mode's run: `attempts` agents at once, `calls` each, `paceMs` apart (gateway-options.ts). */
export async function scaleMain({
  attempts: ATTEMPTS,
  calls: CALLS,
  paceMs: PACE_MS,
}: {
  attempts: number;
  calls: number;
  paceMs: number;
}) {
  // The suite's shared control plane when there is one (its smoke round), else one of its own.
  const cluster = await testCluster();
  const admin = new KubeClient(kubeConfig(cluster));
  const namespace = `bench-ledger-${Date.now().toString(36)}`;
  await admin.request('POST', '/api/v1/namespaces', { body: { metadata: { name: namespace } } });
  // Both sides' connections: one per attempt from here, and the gateway's upstream.
  const model = await child<{ port: number }>('standin', [String(2 * ATTEMPTS + 64)]);
  const gw = await child<{ port: number; tokens: string[] }>('scale-gateway', [
    cluster.kubeconfig,
    namespace,
    `http://127.0.0.1:${model.ready.port}`,
    String(ATTEMPTS),
  ]);
  const body = Buffer.from(JSON.stringify(messagesBody({ stream: true })));
  const keys = { direct: gw.ready.tokens.map(() => KEY), gateway: gw.ready.tokens };
  const ports = { direct: model.ready.port, gateway: gw.ready.port };
  const loadBefore = load();
  // Warm both paths (JIT, each token's Job check, each attempt's first record) before measuring.
  for (const name of ['direct', 'gateway'] as const) await phase(ports[name], keys[name], 1, PACE_MS, body);
  // A record lands up to a second after its call (coalesced writes): the counts start once the
  // warm-up's have landed and end once the measured calls' have, so each side counts its own.
  const settled = async (calls: number) => {
    let recorded = 0;
    // A minute at most: a loaded apiserver may take seconds per write; the mode exits 1 if one is missing.
    for (let i = 0; i < 600 && recorded < calls; i++) {
      recorded = await ledgerCalls(admin, namespace);
      if (recorded < calls) await new Promise((r) => setTimeout(r, 100));
    }
    return recorded;
  };
  await settled(ATTEMPTS);
  const timings: Sides = { direct: [], gateway: [] };
  const before = { cpu: procCpu(gw.pid), calls: await gw.ask<LedgerCalls>('counts'), at: performance.now() };
  let gatewayMs = 0;
  for (const name of ['direct', 'gateway'] as const) {
    const t0 = performance.now();
    timings[name] = await phase(ports[name], keys[name], CALLS, PACE_MS, body);
    if (name === 'gateway') gatewayMs = performance.now() - t0;
  }
  const cpu = cpuSeconds(before.cpu, procCpu(gw.pid));
  const rss = peakRssMiB(gw.pid);
  const made = ATTEMPTS * (CALLS + 1);
  const recorded = await settled(made);
  const after = await gw.ask<LedgerCalls>('counts');
  gw.stop();
  model.stop();
  await admin.request('DELETE', `/api/v1/namespaces/${namespace}`);
  const calls = ATTEMPTS * CALLS;
  const delta = (k: keyof LedgerCalls) => after[k] - before.calls[k];
  console.log(
    `${ATTEMPTS} attempts × ${CALLS} streamed calls each way, every attempt at once, ${PACE_MS ? `a call every ${PACE_MS} ms` : 'back to back'}; load average ${loadBefore} at the start, ${load()} at the end`,
  );
  printLatency(timings);
  console.log(
    `the gateway: CPU per call ${((cpu / calls) * 1e6).toFixed(0)} µs; peak memory ${rss.toFixed(0)} MiB`,
  );
  const perSecondPer100 = (delta('writes') / (gatewayMs / 1000) / ATTEMPTS) * 100;
  console.log(
    `ledger: ${perSecondPer100.toFixed(1)} apiserver writes per second per 100 attempts (${(delta('writes') / calls).toFixed(2)} per call), ${(delta('lists') / calls).toFixed(2)} lists and ${(delta('reads') / calls).toFixed(2)} reads per call`,
  );
  console.log(`ledger holds ${recorded} of the ${made} calls made through the gateway`);
  if (recorded !== made) process.exitCode = 1;
}
