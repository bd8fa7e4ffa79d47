// The cert-manager overlays of config/ (cert-manager, production): a self-signed root, a CA Issuer, a
// serving Certificate for the webhook Service whose CA is injected into both webhook configurations,
// the same Deployment as the default install, and the production overlay's monitoring (a
// ServiceMonitor scraping over HTTPS with a certified name and a token that may only get /metrics,
// the alerts, the dashboard as it is in config/grafana).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { KubeObject } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { testCluster } from '../harness/cluster/cluster.js';
import { kustomize, ofKind, one } from '../harness/deploy/kustomize.js';
import { servingDnsNames } from '../harness/deploy/metrics-scrape.js';
import { selects } from '../harness/deploy/pod-spec.js';

const cluster = await testCluster();
const config = join(packageRoot(), 'config');
const NAMESPACE = 'orchestrator-system';
const deployment = one(await kustomize(cluster, join(config, 'default')), 'Deployment', 'orchestrator');

const TLS_SECRET = 'orchestrator-webhook-tls';

/** How the ServiceMonitor's first endpoint scrapes, resolved against the other objects of the install. */
function scrapedAs(objects: KubeObject[]) {
  const monitor = one(objects, 'ServiceMonitor');
  const endpoint = (monitor.spec as { endpoints: Array<Record<string, unknown>> }).endpoints[0] as {
    scheme?: string;
    authorization?: { credentials?: { name: string } };
    tlsConfig?: { serverName?: string; ca?: { secret?: { name: string; key: string } } };
  };
  const tokenSecret = one(objects, 'Secret', endpoint.authorization?.credentials?.name);
  const account = tokenSecret.metadata?.annotations?.['kubernetes.io/service-account.name'];
  const namespace = tokenSecret.metadata?.namespace;
  const binding = ofKind(objects, 'ClusterRoleBinding').find((b) =>
    (b as { subjects?: Array<{ kind: string; name: string; namespace?: string }> }).subjects?.some(
      (s) => s.kind === 'ServiceAccount' && s.name === account && s.namespace === namespace,
    ),
  ) as { roleRef?: { name: string } } | undefined;
  const secret = endpoint.tlsConfig?.ca?.secret;
  return {
    scheme: endpoint.scheme,
    ca: `${secret?.name}/${secret?.key}`,
    serverNameCertified: servingDnsNames(objects).includes(endpoint.tlsConfig?.serverName ?? ''),
    tokenOf:
      tokenSecret.type === 'kubernetes.io/service-account-token' ? `${namespace}/${account}` : undefined,
    role: binding?.roleRef?.name,
  };
}

t.test(
  'the cert-manager overlays: a CA chain, a serving certificate for the Service, CA injection',
  async (t) => {
    for (const overlay of ['cert-manager', 'production']) {
      const objects = await kustomize(cluster, join(config, 'overlays', overlay));
      const tlsSecret = TLS_SECRET;
      const serving = ofKind(objects, 'Certificate').find(
        (c) => (c.spec as { secretName: string }).secretName === tlsSecret,
      );
      const servingSpec = serving?.spec as { dnsNames: string[]; issuerRef: { name: string } } | undefined;
      const inject = `${serving?.metadata?.namespace}/${serving?.metadata?.name}`;
      for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'])
        t.equal(
          one(objects, kind).metadata?.annotations?.['cert-manager.io/inject-ca-from'],
          inject,
          `${overlay}: ${kind}`,
        );
      t.ok(servingSpec, `${overlay}: a Certificate writes ${tlsSecret}`);
      for (const name of [
        `orchestrator-webhook.${NAMESPACE}.svc`,
        `orchestrator-webhook.${NAMESPACE}.svc.cluster.local`,
      ])
        t.ok(servingSpec?.dnsNames.includes(name), `${overlay}: the certificate covers ${name}`);
      const caIssuer = one(objects, 'Issuer', servingSpec?.issuerRef.name).spec as {
        ca?: { secretName: string };
      };
      const ca = ofKind(objects, 'Certificate').find(
        (c) => (c.spec as { secretName: string }).secretName === caIssuer.ca?.secretName,
      )?.spec as { isCA: boolean; issuerRef: { name: string } } | undefined;
      t.equal(ca?.isCA, true, `${overlay}: the serving certificate's Issuer is a CA from a CA Certificate`);
      t.ok(
        (one(objects, 'Issuer', ca?.issuerRef.name).spec as { selfSigned?: unknown }).selfSigned,
        'self-signed root',
      );
      t.same(
        one(objects, 'Deployment', 'orchestrator').spec,
        deployment.spec,
        `${overlay}: the same Deployment`,
      );
    }
    const production = await kustomize(cluster, join(config, 'overlays', 'production'));
    const monitor = one(production, 'ServiceMonitor').spec as {
      selector: { matchLabels: Record<string, string> };
      endpoints: Array<{ port: string }>;
    };
    const metrics = one(production, 'Service', 'orchestrator-metrics');
    t.ok(
      selects(monitor.selector.matchLabels, metrics.metadata?.labels ?? {}),
      'the ServiceMonitor selects it',
    );
    const ports = (metrics.spec as { ports: Array<{ name: string }> }).ports.map((p) => p.name);
    t.ok(ports.includes(monitor.endpoints[0]?.port ?? ''), 'by port name');
    t.same(
      scrapedAs(production),
      {
        scheme: 'https',
        ca: `${TLS_SECRET}/ca.crt`,
        serverNameCertified: true,
        tokenOf: `${NAMESPACE}/orchestrator-metrics-scraper`,
        role: 'orchestrator-metrics-reader',
      },
      'the ServiceMonitor: HTTPS against the serving CA and a certified name, a token allowed get /metrics',
    );
    t.same(
      one(production, 'ClusterRole', 'orchestrator-metrics-reader').rules,
      [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }],
      'orchestrator-metrics-reader: get /metrics, nothing else',
    );
    t.ok(
      one(production, 'PrometheusRule', 'orchestrator'),
      'the alerts (test/monitoring/alert-rules.test.ts)',
    );
    const dashboard = one(production, 'ConfigMap', 'orchestrator-dashboard');
    t.equal(dashboard.metadata?.labels?.grafana_dashboard, '1', "the dashboard, for Grafana's sidecar");
    t.same(
      JSON.parse((dashboard as { data: Record<string, string> }).data['orchestrator-dashboard.json'] ?? ''),
      JSON.parse(readFileSync(join(config, 'grafana', 'orchestrator-dashboard.json'), 'utf8')),
      'with the dashboard file as it is',
    );
  },
);
