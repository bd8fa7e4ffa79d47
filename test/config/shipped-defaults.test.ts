// What ships is the safe mode (issue 72): the shipped controller config, the kustomize install and the
// Helm chart's default values have the model gateway and egress by allowlist on, and the install
// carries what they need (the gateway's Service and Role, the egress proxy and its Role, the default
// allowlist's NetworkPolicy in the agent sandbox), rendered from the shipped config without a drift.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { defaultConfigFile, loadDefaultConfig, parseConfig } from '../../src/config/load.js';
import { allowlistPolicy, proxyObjects } from '../../src/egress/index.js';
import type { KubeObject } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';

const root = packageRoot();
const shipped = loadDefaultConfig();
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const objectsOf = (path: string): KubeObject[] =>
  parseAllDocuments(read(path))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);

interface Kustomization {
  resources?: string[];
  configMapGenerator?: { name: string; files?: string[] }[];
}

/** Every file a kustomization reaches through `resources` (directories followed), and its generators' files. */
function reached(dir: string): { files: string[]; generated: string[] } {
  // crds/ names its file as kustomize also reads it, Kustomization.
  const file = ['kustomization.yaml', 'Kustomization'].find((f) => existsSync(join(root, dir, f)));
  const k = parse(read(join(dir, file ?? 'kustomization.yaml'))) as Kustomization;
  const out = {
    files: [] as string[],
    generated: (k.configMapGenerator ?? []).flatMap((g) => (g.files ?? []).map((f) => join(dir, f))),
  };
  for (const r of k.resources ?? []) {
    const path = join(dir, r);
    if (statSync(join(root, path)).isDirectory()) {
      const below = reached(path);
      out.files.push(...below.files);
      out.generated.push(...below.generated);
    } else out.files.push(path);
  }
  return out;
}

t.test('the shipped controller config: the gateway and egress by allowlist on', async (t) => {
  t.equal(shipped.gateway.enabled, true, 'gateway.enabled');
  t.equal(shipped.egress.enabled, true, 'egress.enabled');
  t.equal(
    shipped.gateway.url,
    'http://orchestrator-gateway.orchestrator-system.svc:8090',
    "config/gateway's Service",
  );
  t.same(shipped.gateway.upstream.apiKey, { name: 'orchestrator-model-api-key', key: 'api-key' });
});

t.test(
  "the schema's defaults: the shipped config without its gateway and egress sections has both on",
  async (t) => {
    const doc = parse(read(relative(root, defaultConfigFile()))) as Record<string, unknown>;
    delete doc.gateway;
    delete doc.egress;
    const minimal = parseConfig(stringify(doc));
    t.equal(minimal.gateway.enabled, true, 'gateway.enabled');
    t.equal(minimal.egress.enabled, true, 'egress.enabled');
    t.equal(minimal.gateway.url, shipped.gateway.url, "the default install's gateway Service");
  },
);

t.test('the kustomize install carries the shipped config and what both protections need', async (t) => {
  const { files, generated } = reached('config/default');
  t.ok(
    generated.includes(relative(root, defaultConfigFile())),
    'the config it generates its ConfigMap from is the shipped one',
  );
  for (const file of [
    'config/gateway/service.yaml',
    'config/rbac/gateway-role.yaml',
    'config/egress/proxy.yaml',
    'config/egress/role.yaml',
  ])
    t.ok(files.includes(file), file);
  t.ok(reached('config/agents').files.includes('config/agents/egress-default.yaml'), 'the agent sandbox');
});

t.test("the kustomize install carries the admission policy on the operator's objects", async (t) => {
  t.ok(reached('config/default').files.includes('config/admission-policy/run-objects.yaml'), 'decision 0073');
});

t.test('the egress proxy and the default allowlist policy are what the shipped config renders', async (t) => {
  t.same(objectsOf('config/egress/proxy.yaml'), proxyObjects(shipped), 'config/egress/proxy.yaml');
  const policy = allowlistPolicy(shipped.egress, 'default', 'any', []);
  delete (policy.metadata as { namespace?: string }).namespace;
  t.same(objectsOf('config/agents/egress-default.yaml'), [policy], 'config/agents/egress-default.yaml');
});

t.test("the Helm chart's default values: both on, over the shipped config as it is", async (t) => {
  const values = parse(read('charts/orchestrator/values.yaml')) as {
    gateway: { enabled: boolean };
    egress: { enabled: boolean };
  };
  t.equal(values.gateway.enabled, true, 'gateway.enabled');
  t.equal(values.egress.enabled, true, 'egress.enabled');
  t.equal(
    read('charts/orchestrator/files/orchestrator-config/controller-config.yaml'),
    read(relative(root, defaultConfigFile())),
    "the chart's copy of the config",
  );
});
