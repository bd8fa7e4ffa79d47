// The project's side of `npm run bench:reconcile -- --peer-bin DIR`: the run controllers in a process of
// their own, as the peer's manager is one, so that both are measured alike (CPU and peak RSS from /proc
// by the bench). What `orchestrator run` starts to reconcile and nothing more: no webhook server, REST
// API, leader election, metrics or probe servers; the compiled dist/ (no TypeScript loader in memory);
// process metrics collected and API requests counted in the registry as in production; logs at info
// through production's destination (src/observability/log-destination.ts), into /dev/null, and errors
// to stderr too.
//
// Forked with an IPC channel: bench-reconcile-operator.js <kubeconfig> <namespace> <config file> <workers>
// Sends {ready: true} once the caches are synced; on 'stop' stops the manager (in-flight reconciles
// finish), sends {calls, byVerb, reconciles} (API calls, watches apart; TaskRun reconciles) and exits.
// As bin/orchestrator.js: client-node's KubeConfig without its generated API classes. The hook is
// registered before the modules it applies to are even linked, hence dynamic imports.
await import('../dist/kubeconfig/register-slim.js');
const { randomBytes } = await import('node:crypto');
const { default: pino } = await import('pino');
const { Registry } = await import('prom-client');
const { loadConfigFile } = await import('../dist/config/load.js');
const { objectSeal } = await import('../dist/controllers/provenance/index.js');
const { runControllers } = await import('../dist/controllers/run-controllers.js');
const { KubeConfig } = await import('../dist/kubeconfig/kube-config.js');
const { logDestination } = await import('../dist/observability/log-destination.js');
const { startTracing } = await import('../dist/observability/tracing.js');
const { loadTemplateSet } = await import('../dist/render/index.js');
const { KubeClient, Manager } = await import('../dist/runtime/index.js');

const [kubeconfig, namespace, configFile, workers] = process.argv.slice(2);

/** Counts the client's calls by HTTP method; watches take another path (KubeClient.watch). */
class CountingClient extends KubeClient {
  byVerb = {};
  request(method, ...rest) {
    this.byVerb[method] = (this.byVerb[method] ?? 0) + 1;
    return super.request(method, ...rest);
  }
}

// As `orchestrator run`: traced when OTEL_* asks, before the controllers are built.
const tracing = await startTracing();
const config = loadConfigFile(configFile);
const templates = loadTemplateSet();
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const registry = new Registry();
const client = new CountingClient(kc, { requestTimeoutMs: 10_000, registry });
// Errors (a reconcile that fails and retries) also to stderr, which the bench shows: a run that never
// starts then says why.
const logger = pino(
  { level: 'info' },
  pino.multistream([
    { level: 'info', stream: logDestination('/dev/null') },
    { level: 'error', stream: process.stderr },
  ]),
);
const manager = new Manager({
  client,
  registry,
  logger,
  leaderElection: false,
  metrics: false,
  probes: false,
});
const runs = runControllers({
  client,
  registry,
  logger: logger.child({ component: 'controllers' }),
  scope: { namespaces: [namespace] },
  maxConcurrentReconciles: Number(workers),
  // `orchestrator run` seals with the gateway's signing key, a Secret in its own namespace; a key made
  // here costs the reconciles the same HMAC (decision 0069).
  seal: objectSeal(randomBytes(32)),
  config: () => config,
  templates: () => templates,
});
for (const informer of runs.informers) manager.addInformer(informer);
for (const controller of runs.controllers) manager.addController(controller);
await manager.start();

process.on('message', async (msg) => {
  if (msg !== 'stop') return;
  // At its fullest (every run cached): what the memory holds, for a profile (project-operator.ts).
  if (process.env.BENCH_CPU_PROF) {
    const { writeHeapSnapshot } = await import('node:v8');
    writeHeapSnapshot(`${process.env.BENCH_CPU_PROF}/operator-${process.pid}.heapsnapshot`);
  }
  await manager.stop();
  client.close();
  await tracing.shutdown();
  const reconciles = (await registry.getSingleMetric('controller_runtime_reconcile_total')?.get())?.values
    .filter((v) => v.labels.controller === 'taskrun')
    .reduce((sum, v) => sum + v.value, 0);
  const calls = Object.values(client.byVerb).reduce((a, b) => a + b, 0);
  process.send({ calls, byVerb: client.byVerb, reconciles }, () => process.exit(0));
});
// The bench went away: do not linger as an orphan reconciling.
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
