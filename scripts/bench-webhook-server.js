// The server side of `npm run bench:webhook` (scripts/bench-webhook.js forks this file once per server):
// one server, its port reported over IPC, its CPU use on request.
//   ours:     the real webhook server, routes and default controller config, info-level logs to /dev/null;
//   refs-warm, refs-cold: the same, its reference checks asking the apiserver whose kubeconfig is the
//             third argument (BENCH_REFERENCES=1): warm caches answers as production does, cold keeps
//             none (every review asks, but concurrent identical questions still share one review);
//   baseline: a Node https server with the same certificate that reads the body and returns a fixed
//             AdmissionReview answer (the floor: TLS + HTTP + nothing else).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';

async function serve(role, certDir, kubeconfig) {
  const certFile = join(certDir, 'tls.crt');
  const keyFile = join(certDir, 'tls.key');
  const port =
    role === 'baseline'
      ? await serveBaseline(certFile, keyFile)
      : await serveOurs(certFile, keyFile, await reviewer(role, kubeconfig));
  process.on('message', (msg) => {
    if (msg === 'cpu') process.send({ cpu: process.cpuUsage() });
    // Exit (not kill) so that --cpu-prof writes its profile.
    if (msg === 'stop') process.exit(0);
  });
  // The parent went away (crashed, interrupted): do not linger as an orphan server.
  process.on('disconnect', () => process.exit(0));
  process.send({ port });
}

/**
 * What answers the reference checks' questions: the apiserver, or (ours) an in-process stand-in that
 * allows: every run asks about its agent profile (and an App run's repositories), and `ours` measures
 * the webhook server, not the apiserver (refs-warm and refs-cold do).
 */
async function reviewer(role, kubeconfig) {
  if (role === 'ours')
    return {
      authenticate: () => Promise.reject(new Error('not used')),
      authorize: () => Promise.resolve({ allowed: true, reason: '' }),
    };
  const [
    { KubeConfig },
    { KubeClient },
    { KubeReviewer },
    { referenceReviewer },
    { REFERENCE_REVIEW_TIMEOUT_MS },
  ] = await Promise.all([
    import('@kubernetes/client-node'),
    import('../dist/runtime/index.js'),
    import('../dist/auth/index.js'),
    import('../dist/admission/reference-review.js'),
    import('../dist/admission/references/index.js'),
  ]);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const client = new KubeClient(kc);
  if (role === 'refs-warm') return referenceReviewer(client);
  return new KubeReviewer({ client, timeoutMs: REFERENCE_REVIEW_TIMEOUT_MS, allowTtlMs: 0, denyTtlMs: 0 });
}

async function serveOurs(certFile, keyFile, reviewer) {
  // As `orchestrator run` does, before the routes are built: traced when OTEL_* asks (the bench's
  // environment), else nothing loaded (docs/observability.md).
  const { startTracing } = await import('../dist/observability/tracing.js');
  const tracing = await startTracing();
  process.on('exit', () => void tracing.shutdown());
  const [
    { startWebhookServer },
    { admissionRoutes },
    { loadDefaultConfig },
    { staticConfig },
    pinoModule,
    prom,
    { logDestination },
    { connectionLimits },
  ] = await Promise.all([
    import('../dist/webhook/server.js'),
    import('../dist/webhook/handlers.js'),
    import('../dist/config/load.js'),
    import('../dist/api/index.js'),
    import('pino'),
    import('prom-client'),
    import('../dist/observability/log-destination.js'),
    import('../dist/app/connections.js'),
  ]);
  const pino = pinoModule.default;
  const config = loadDefaultConfig();
  const server = await startWebhookServer({
    certFile,
    keyFile,
    routes: admissionRoutes({ config: staticConfig(config), reviewer }),
    registry: new prom.Registry(),
    // Production logs one line per review at info through the destination `orchestrator run` creates
    // (src/observability/log-destination.ts: 4 KiB writes, flushed every second); here the same
    // destination writes them to /dev/null.
    logger: pino({ level: 'info' }, logDestination('/dev/null')).child({ component: 'webhook' }),
    port: 0,
    host: '127.0.0.1',
    // The load generator plays the apiserver, whose addresses a deployment names as trusted sources
    // (docs/security.md "Connections"): an unproven address holds 16 connections, and the open loop
    // keeps more in flight whenever a server answers slower than it sends.
    connections: connectionLimits({
      ...config,
      connections: { ...config.connections, trustedSources: ['127.0.0.1/32'] },
    }),
  });
  return server.port;
}

async function serveBaseline(certFile, keyFile) {
  const answer = JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: '00000000-0000-0000-0000-000000000000', allowed: true },
  });
  const baseline = createServer(
    { cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.2' },
    (req, res) => {
      req.on('data', () => {});
      req.on('end', () => {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(answer),
        });
        res.end(answer);
      });
    },
  );
  baseline.keepAliveTimeout = 30_000;
  await new Promise((resolve) => baseline.listen(0, '127.0.0.1', resolve));
  return baseline.address().port;
}

await serve(process.argv[2], process.argv[3], process.argv[4]);
