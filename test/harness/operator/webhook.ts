// Runs the real webhook server in the test process and registers it with the test cluster, limited to
// namespaces carrying this server's label so other test files are never routed to it.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { referenceReviewer } from '../../../src/admission/reference-review.js';
import type { ControllerConfig } from '../../../src/api/index.js';
import { staticConfig } from '../../../src/api/index.js';
import { createAuthority } from '../../../src/certs/authority.js';
import type { Cluster } from '../../../src/cluster/index.js';
import { loadDefaultConfig } from '../../../src/config/load.js';
import { type ApiRequester, KubeClient } from '../../../src/runtime/index.js';
import { admissionRoutes } from '../../../src/webhook/handlers.js';
import { installLocalWebhooks, uninstallLocalWebhooks } from '../../../src/webhook/install.js';
import { startWebhookServer, type WebhookServer } from '../../../src/webhook/server.js';
import { kubeConfig, kubectl, testNamespace } from '../cluster/cluster.js';
import { allowAll } from '../fakes/access-reviewers.js';
import { seedConfig } from '../util/app-configs.js';
import type { Scope } from '../util/scope.js';

export interface TestWebhooks {
  server: WebhookServer;
  registry: Registry;
  /** Label a namespace with these to route its runs through this server. */
  namespaceLabels: Record<string, string>;
  certDir: string;
  caPem: string;
}

/**
 * The webhook server serving the pair in `dir`, laid out as a Secret volume (test/harness/util/tls.ts'
 * secretVolumeWriter), on 127.0.0.1 with the shipped config, polling the files every 250 ms.
 */
export const startVolumeWebhookServer = (dir: string, registry: Registry, logger: Logger) =>
  startWebhookServer({
    certFile: join(dir, 'tls.crt'),
    keyFile: join(dir, 'tls.key'),
    routes: admissionRoutes({ config: staticConfig(loadDefaultConfig()), reviewer: allowAll() }),
    registry,
    logger,
    port: 0,
    host: '127.0.0.1',
    certPollMs: 250,
  });

type Teardown = Pick<Scope, 'teardown'>;

export async function startTestWebhooks(
  t: Teardown,
  cluster: Cluster,
  opts: {
    /** Users whose own orchestrator.io/submitted-by is kept (the REST API's identity). Default none. */
    trustedSubmitters?: ReadonlySet<string>;
    /**
     * The controller config the webhooks judge by. Default testConfig's, the seed sample's (seedConfig),
     * whose Apps the runs of sampleTaskRun and sampleCodeRun act as.
     */
    config?: ControllerConfig;
    /** The client the reference checks' SubjectAccessReviews are made with. Default the cluster's admin. */
    reviews?: ApiRequester;
  } = {},
): Promise<TestWebhooks> {
  const id = randomBytes(4).toString('hex');
  const certDir = mkdtempSync(join(tmpdir(), 'webhook-certs-'));
  const ca = await createAuthority();
  const serving = await ca.issueServing({ commonName: 'orchestrator-webhook', ipAddresses: ['127.0.0.1'] });
  writeFileSync(join(certDir, 'tls.crt'), serving.certPem);
  writeFileSync(join(certDir, 'tls.key'), serving.keyPem);
  const registry = new Registry();
  const config = staticConfig(opts.config ?? seedConfig());
  const reviews = opts.reviews ?? adminClient(t, cluster);
  const server = await startWebhookServer({
    certFile: join(certDir, 'tls.crt'),
    keyFile: join(certDir, 'tls.key'),
    routes: admissionRoutes({
      config,
      reviewer: referenceReviewer(reviews),
      trustedSubmitters: () => opts.trustedSubmitters ?? new Set(),
    }),
    registry,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    port: 0,
    host: '127.0.0.1',
  });
  const namespaceLabels = { 'orchestrator.io/webhook-test': id };
  const kc = kubeConfig(cluster);
  await installLocalWebhooks(kc, {
    baseUrl: `https://127.0.0.1:${server.port}`,
    caPem: ca.certPem,
    nameSuffix: `-${id}`,
    namespaceSelector: { matchLabels: namespaceLabels },
    timeoutSeconds: TEST_WEBHOOK_TIMEOUT_SECONDS,
  });
  t.teardown(async () => {
    await uninstallLocalWebhooks(kc, `-${id}`);
    await server.close();
  });
  return { server, registry, namespaceLabels, certDir, caPem: ca.certPem };
}

/**
 * How long the apiserver waits for a webhook server run in a test's own process. It shares a loaded host
 * with the other lanes, and these suites assert the answers, not their latency (the shipped 5 s is held
 * by the installed replicas' suites): the apiserver's maximum, rather than fail a starved review.
 */
export const TEST_WEBHOOK_TIMEOUT_SECONDS = 30;

function adminClient(t: Teardown, cluster: Cluster): KubeClient {
  const client = new KubeClient(kubeConfig(cluster));
  t.teardown(() => client.close());
  return client;
}

/** A namespace routed through `webhooks`; its runs are released from their finalizer afterwards. */
export async function routedNamespace(
  t: Teardown & { name: string },
  cluster: Cluster,
  webhooks: TestWebhooks,
): Promise<string> {
  const ns = await testNamespace(t, cluster, webhooks.namespaceLabels);
  t.teardown(async () => {
    // No controller runs here to honour the finalizer: delete, then release, as the controller would.
    await kubectl(cluster, ['delete', 'otr,ocr,odr', '--all', '-n', ns, '--wait=false']);
    const names = await kubectl(cluster, ['get', 'otr,ocr,odr', '-n', ns, '-o', 'name']);
    for (const name of names.stdout.split('\n').filter(Boolean)) {
      await kubectl(cluster, [
        'patch',
        name,
        '-n',
        ns,
        '--type=merge',
        '-p',
        '{"metadata":{"finalizers":null}}',
      ]);
    }
  });
  return ns;
}
