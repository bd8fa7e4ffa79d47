// The REST API's submission endpoint beside a direct create through the apiserver, in one run on the
// same cluster: N TaskRuns each way by WORKERS concurrent clients, in fresh namespaces, alternating
// rounds. The API side pays a TLS hop, the (cached) TokenReview and SubjectAccessReview, the admission
// pipeline in process, then the same create. Prints runs per second, p50/p99 and the ratio.
//   npm run bench:rest -- [N=300] [ROUNDS=2] [WORKERS=8]
import { Agent } from 'node:https';
import { sized } from '../../scripts/bench-smoke.js';
import { percentile } from '../../scripts/bench-stats.js';
import { KubeClient } from '../../src/runtime/index.js';
import { kubeConfig, testCluster } from '../harness/cluster/cluster.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import { startTestApiServer } from '../harness/operator/api-server.js';
import { sampleTaskRun, taskRunPath, testConfig } from '../harness/operator/operator.js';
import { call } from '../harness/operator/rest.js';
import { restCaller } from '../harness/operator/rest-callers.js';
import { benchScope } from '../harness/util/scope.js';

const N = Number(process.argv[2] ?? sized(300, 5));
const ROUNDS = Number(process.argv[3] ?? sized(2, 1));
const WORKERS = Number(process.argv[4] ?? 8);

const cluster = await testCluster();
await ensureCrds(cluster);
const admin = new KubeClient(kubeConfig(cluster));
const config = testConfig();

// The caller: a ServiceAccount with a token for the audience orchestrator, allowed in each namespace the
// API side writes to what a submitter of these runs needs (restCaller's Role: the runs, their agent
// profile and App repositories, which the reference checks ask about).
const home = `bench-rest-${Date.now().toString(36)}`;
await admin.request('POST', '/api/v1/namespaces', { body: { metadata: { name: home } } });
await restCaller(cluster, home, home);
const token =
  (
    await admin.request<{ status?: { token?: string } }>(
      'POST',
      `/api/v1/namespaces/${home}/serviceaccounts/pm/token`,
      { body: { spec: { audiences: ['orchestrator'], expirationSeconds: 3600 } } },
    )
  ).status?.token ?? '';

const scope = benchScope('bench:rest');
const server = await startTestApiServer(scope, admin, config, {
  rateLimit: { requestsPerSecond: 1e6, burst: 1e6 },
});
// Keep-alive, as the admin client's connections are: the comparison is of the work, not of handshakes.
const api = { port: server.port, ca: server.caPem, agent: new Agent({ keepAlive: true, ca: server.caPem }) };

async function namespace(side: string, round: number): Promise<string> {
  const name = `${home}-${side}-${round}`;
  await admin.request('POST', '/api/v1/namespaces', { body: { metadata: { name } } });
  if (side === 'api') await restCaller(cluster, home, name);
  return name;
}

/** Creates N runs with WORKERS concurrent callers; each call's latency in ms. */
async function load(create: (i: number) => Promise<void>): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      for (let i = next++; i < N; i = next++) {
        const t0 = performance.now();
        await create(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latencies: latencies.sort((a, b) => a - b) };
}

const totals = { api: 0, direct: 0 };
for (let round = 1; round <= ROUNDS; round++) {
  for (const side of ['direct', 'api'] as const) {
    const ns = await namespace(side, round);
    const result = await load(async (i) => {
      const run = sampleTaskRun(`bench-${i}`, i + 1);
      if (side === 'direct') {
        await admin.request('POST', taskRunPath(ns), { body: run });
        return;
      }
      const answer = await call(api, 'POST', `/api/v1/pm/tasks?namespace=${ns}`, { token, body: run });
      if (answer.status !== 201) throw new Error(`${answer.status}: ${JSON.stringify(answer.body)}`);
    });
    totals[side] += result.seconds;
    console.log(
      `round ${round} ${side.padEnd(6)}: ${(N / result.seconds).toFixed(0)} runs/s, p50 ${percentile(result.latencies, 0.5).toFixed(1)} ms, p99 ${percentile(result.latencies, 0.99).toFixed(1)} ms`,
    );
  }
}
console.log(
  `REST API ${(totals.api / totals.direct).toFixed(2)}× the time of direct creates (${N} runs × ${ROUNDS} rounds, ${WORKERS} workers)`,
);

await scope.end();
const namespaces = [
  home,
  ...Array.from({ length: ROUNDS }, (_, r) => ['direct', 'api'].map((s) => `${home}-${s}-${r + 1}`)).flat(),
];
for (const ns of namespaces) await admin.request('DELETE', `/api/v1/namespaces/${ns}`);
admin.close();
await cluster.stop();
