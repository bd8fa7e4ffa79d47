// The GitHub webhook's ways in (config/github-webhook: an Ingress, and a Gateway API HTTPRoute with its
// BackendTLSPolicy), each a Component added to the cert-manager install as a user's overlay does: they
// route exactly the endpoint's path, to the API Service's port as installed, over HTTPS checked for a
// name the serving certificate holds and against the Secret (or its CA) the install makes. The Ingress
// is dry-run on the apiserver; the Gateway API kinds are not built in, and are checked by their fields.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { GITHUB_WEBHOOK_PATH } from '../../src/github/router.js';
import type { KubeObject } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { testCluster } from '../harness/cluster/cluster.js';
import { dryRun, kustomize, one } from '../harness/deploy/kustomize.js';

const cluster = await testCluster();
const config = join(packageRoot(), 'config');

/** The cert-manager install with the Component `component` of config/github-webhook, rendered. */
async function withComponent(component: string): Promise<KubeObject[]> {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-route-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [relative(dir, join(config, 'overlays', 'cert-manager'))],
    components: [relative(dir, join(config, 'github-webhook', component))],
  };
  writeFileSync(join(dir, 'kustomization.yaml'), stringify(kustomization));
  return kustomize(cluster, dir);
}

/** What the install serves the API with: its Service's port, the certificate's names and Secret. */
function apiServing(objects: KubeObject[]) {
  const service = one(objects, 'Service', 'orchestrator-api');
  const ports = (service.spec as { ports: { name: string; port: number }[] }).ports;
  const certificate = one(objects, 'Certificate', 'orchestrator-webhook');
  const { dnsNames, secretName } = certificate.spec as { dnsNames: string[]; secretName: string };
  return { service, ports, dnsNames, secretName };
}

t.test('the Ingress: the one path, to the API port, HTTPS checked against the install CA', async (t) => {
  const objects = await withComponent('ingress');
  const { service, ports, dnsNames, secretName } = apiServing(objects);
  const ingress = one(objects, 'Ingress', 'orchestrator-github-webhook');
  t.equal(ingress.metadata?.namespace, service.metadata?.namespace);
  type Path = {
    path: string;
    pathType: string;
    backend: { service: { name: string; port: { name: string } } };
  };
  const paths = (ingress.spec as { rules: { http: { paths: Path[] } }[] }).rules.flatMap((r) => r.http.paths);
  t.same(
    paths.map((p) => [p.path, p.pathType]),
    [[GITHUB_WEBHOOK_PATH, 'Exact']],
    'only the webhook path, exactly: the rest of the REST API is not exposed',
  );
  t.equal(paths[0]?.backend.service.name, service.metadata?.name);
  t.ok(
    ports.some((p) => p.name === paths[0]?.backend.service.port.name),
    'to a port the Service has',
  );
  const notes = ingress.metadata?.annotations ?? {};
  t.equal(notes['nginx.ingress.kubernetes.io/backend-protocol'], 'HTTPS');
  t.equal(notes['nginx.ingress.kubernetes.io/proxy-ssl-verify'], 'on');
  t.equal(
    notes['nginx.ingress.kubernetes.io/proxy-ssl-secret'],
    `${service.metadata?.namespace}/${secretName}`,
  );
  t.ok(
    dnsNames.includes(notes['nginx.ingress.kubernetes.io/proxy-ssl-name'] ?? ''),
    'the name checked is one the serving certificate holds',
  );
  const result = await dryRun(cluster, [ingress]);
  t.equal(result.code, 0, result.stderr);
  t.equal(result.accepted, 1, 'the apiserver accepts the Ingress');
});

t.test('the HTTPRoute and its BackendTLSPolicy: the same path, port and checks', async (t) => {
  const objects = await withComponent('gateway-api');
  const { service, ports, dnsNames } = apiServing(objects);
  const route = one(objects, 'HTTPRoute', 'orchestrator-github-webhook');
  type Rule = {
    matches: { path: { type: string; value: string } }[];
    backendRefs: { name: string; port: number }[];
  };
  const [rule, ...others] = (route.spec as { rules: Rule[] }).rules;
  t.same(others, []);
  t.same(rule?.matches, [{ path: { type: 'Exact', value: GITHUB_WEBHOOK_PATH } }]);
  t.same(
    rule?.backendRefs.map((b) => [b.name, ports.some((p) => p.port === b.port)]),
    [[service.metadata?.name, true]],
    'the API Service, on a port it has',
  );
  const policy = one(objects, 'BackendTLSPolicy');
  type Policy = {
    targetRefs: { kind: string; name: string; sectionName?: string }[];
    validation: { hostname: string; caCertificateRefs: { kind: string; name: string }[] };
  };
  const spec = policy.spec as Policy;
  t.same(
    spec.targetRefs.map((r) => [r.kind, r.name, ports.some((p) => p.name === r.sectionName)]),
    [['Service', service.metadata?.name, true]],
  );
  t.ok(dnsNames.includes(spec.validation.hostname), 'the name checked is one the serving certificate holds');
  t.same(
    spec.validation.caCertificateRefs.map((r) => r.kind),
    ['ConfigMap'],
  );
});
