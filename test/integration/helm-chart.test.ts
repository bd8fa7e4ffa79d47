// The Helm chart (charts/orchestrator, generated from config/ by npm run generate) against the
// kustomize install: `helm lint`, and `helm template` with the default values, every value set
// (test/fixtures/helm/full-values.yaml) and an own certificate, each equal object for object to what
// `kubectl kustomize` makes of the overlay with the same settings (overlayFor: the mapping of values to
// kustomize), and each accepted whole by the apiserver (server-side dry run). Helm refuses bad values
// naming the field.
// @needs helm
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import t, { type Test } from 'tap';
import { parse, stringify } from 'yaml';
import { configFrom, defaultConfigFile } from '../../src/config/load.js';
import type { KubeObject } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { testCluster } from '../harness/cluster/cluster.js';
import { CHART, helm, RELEASE } from '../harness/deploy/helm.js';
import { dryRun, installDeployFixtures, kustomize, one } from '../harness/deploy/kustomize.js';

const cluster = await testCluster();
const chart = await helm();
const root = packageRoot();
const fixtures = join(root, 'test', 'fixtures', 'helm');
const FULL = join(fixtures, 'full-values.yaml');
const OWN_CERTIFICATE = join(fixtures, 'own-certificate-values.yaml');
const work = mkdtempSync(join(tmpdir(), 'helm-chart-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

// biome-ignore lint/suspicious/noExplicitAny: chart values and objects are free-form YAML
type Values = Record<string, any>;
const key = (o: KubeObject) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
const byKey = (objects: KubeObject[]) => new Map(objects.map((o) => [key(o), o]));

/** Maps merged over maps, as the chart merges values over the shipped config (lists are replaced). */
function merge(base: Values, over: Values): Values {
  const out = { ...base };
  for (const [k, v] of Object.entries(over))
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && typeof base[k] === 'object' ? merge(base[k], v) : v;
  return out;
}

/**
 * A kustomization written to a new folder under the test's work folder (with extra files beside it);
 * kustomize takes no absolute path, so resources and components are made relative to the folder.
 */
function kustomization(name: string, k: Values, files: Record<string, string> = {}): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const near = (paths: string[] = []) => paths.map((p) => relative(dir, p));
  const body = {
    ...k,
    resources: near(k.resources),
    ...(k.components ? { components: near(k.components) } : {}),
  };
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', ...body }),
  );
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

/** The JSON patch ops that set the manager container's fields as the values do. */
function managerPatch(base: KubeObject[], values: Values): Values[] {
  const containers = (one(base, 'Deployment', 'orchestrator').spec as Values).template.spec
    .containers as Values[];
  const c = containers.findIndex((x) => x.name === 'manager');
  const env = ((containers[c]?.env ?? []) as Values[]).findIndex((e) => e.name === 'LOG_LEVEL');
  const at = `/spec/template/spec/containers/${c}`;
  return [
    { op: 'replace', path: `${at}/imagePullPolicy`, value: values.image.pullPolicy },
    { op: 'replace', path: `${at}/resources`, value: values.resources },
    { op: 'replace', path: `${at}/env/${env}/value`, value: values.logLevel },
  ];
}

/**
 * The kustomize overlay that makes what the chart makes with `values` (every value set): the values ↔
 * kustomize mapping of docs/install.md. `configText` is the controller config the chart rendered.
 */
async function overlayFor(values: Values, configText: string): Promise<string> {
  const base = await kustomize(cluster, join(root, 'config', 'default'));
  // deniedEgress as config/overlays/agent-egress adds it: one op per CIDR, IPv6 in the ::/0 block.
  const denied = ((values.agentSandbox.deniedEgress ?? []) as string[]).map((cidr) => ({
    op: 'add',
    path: `/spec/egress/1/to/${cidr.includes(':') ? 1 : 0}/ipBlock/except/-`,
    value: cidr,
  }));
  const sandboxes = (values.agentSandbox.namespaces as string[]).map((ns) =>
    kustomization(`sandbox-${ns}`, {
      namespace: ns,
      resources: [join(root, 'config', 'agents')],
      ...(denied.length
        ? {
            patches: [
              {
                target: { kind: 'NetworkPolicy', name: 'orchestrator-agent' },
                patch: JSON.stringify(denied),
              },
            ],
          }
        : {}),
    }),
  );
  const components = [
    values.certManager.enabled && 'cert-manager',
    values.prometheus.serviceMonitor && values.prometheus.prometheusRule && 'prometheus',
    values.grafana.dashboard && 'grafana',
  ].filter(Boolean);
  return kustomization(
    'full',
    {
      resources: [
        join(root, 'config', values.watchNamespaces.length ? 'overlays/namespaces' : 'default'),
        ...sandboxes,
      ],
      components: components.map((c) => join(root, 'config', c as string)),
      images: [
        { name: 'ghcr.io/5dlabs/orchestrator', newName: values.image.repository, newTag: values.image.tag },
      ],
      replicas: [{ name: 'orchestrator', count: values.replicas }],
      configMapGenerator: [
        {
          name: 'orchestrator-config',
          namespace: RELEASE.namespace,
          behavior: 'replace',
          files: ['controller-config.yaml'],
        },
      ],
      patches: [
        {
          target: { kind: 'Deployment', name: 'orchestrator' },
          patch: JSON.stringify(managerPatch(base, values)),
        },
        // The webhook port admitted only from connections.trustedSources, a bare address as its /32 or /128.
        {
          target: { kind: 'NetworkPolicy', name: 'orchestrator' },
          patch: JSON.stringify([
            {
              op: 'add',
              path: '/spec/ingress/1/from',
              value: ((values.config.connections?.trustedSources ?? []) as string[]).map((a) => ({
                ipBlock: { cidr: a.includes('/') ? a : `${a}/${a.includes(':') ? 128 : 32}` },
              })),
            },
          ]),
        },
        // The platform's model key, read by the name gateway.apiKeySecret gives it (config/rbac/gateway-role.yaml).
        {
          target: { kind: 'Role', name: 'orchestrator-gateway' },
          patch: JSON.stringify([
            { op: 'replace', path: '/rules/0/resourceNames', value: [values.gateway.apiKeySecret] },
          ]),
        },
      ],
    },
    { 'controller-config.yaml': configText },
  );
}

/** Compares two installs object by object (the keys first, so that a missing object is named). */
function sameObjects(t: Test, helmObjects: KubeObject[], kustomizeObjects: KubeObject[], what: string) {
  const h = byKey(helmObjects);
  const k = byKey(kustomizeObjects);
  t.same([...h.keys()].sort(), [...k.keys()].sort(), `${what}: the same objects`);
  for (const [name, o] of k) if (h.has(name)) t.same(h.get(name), o, `${what}: ${name}`);
}

t.test('helm lint passes with the default values and with every value set', async (t) => {
  for (const args of [[], ['-f', FULL], ['-f', OWN_CERTIFICATE]]) {
    const lint = await chart.run(['lint', '--strict', CHART, ...args]);
    t.equal(lint.code, 0, `helm lint ${args.join(' ')}: ${lint.stdout}${lint.stderr}`);
  }
});

t.test(
  'default values: the objects of config/default (the namespace is made by helm --create-namespace)',
  async (t) => {
    const rendered = await chart.template();
    const installed = await kustomize(cluster, join(root, 'config', 'default'));
    sameObjects(
      t,
      rendered,
      installed.filter((o) => o.kind !== 'Namespace'),
      'defaults',
    );
    t.same(
      rendered.find((o) => o.kind === 'ConfigMap' && o.metadata?.name?.startsWith('orchestrator-config-'))
        ?.data,
      {
        'controller-config.yaml': readFileSync(defaultConfigFile(), 'utf8'),
      },
      'the shipped controller config as it is',
    );
  },
);

t.test('every value set: the objects of the kustomize overlay with the same settings', async (t) => {
  const values = merge(
    parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')),
    parse(readFileSync(FULL, 'utf8')),
  );
  const rendered = await chart.template([FULL]);
  const configMap = rendered.find(
    (o) => o.kind === 'ConfigMap' && o.metadata?.name?.startsWith('orchestrator-config-'),
  );
  const configText =
    (configMap?.data as Record<string, string> | undefined)?.['controller-config.yaml'] ?? '';
  const shipped = parse(readFileSync(defaultConfigFile(), 'utf8'));
  // The gateway values: on, at the gateway Service of the release's namespace, to their upstream with
  // the key of their Secret.
  const gatewayService = one(rendered, 'Service', 'orchestrator-gateway');
  const gatewayPort = (gatewayService.spec as { ports: Array<{ port: number }> }).ports[0]?.port;
  const gateway = merge(shipped.gateway, {
    enabled: true,
    url: `http://${gatewayService.metadata?.name}.${RELEASE.namespace}.svc:${gatewayPort}`,
    upstream: {
      url: values.gateway.upstreamUrl,
      apiKey: { name: values.gateway.apiKeySecret, key: shipped.gateway.upstream.apiKey.key },
    },
  });
  const expected = {
    ...merge(shipped, values.config),
    agents: merge(shipped.agents, values.agents),
    watchNamespaces: values.watchNamespaces,
    gateway,
  };
  t.same(
    parse(configText),
    expected,
    'the config: values.config, the gateway values, values.agents and watchNamespaces over the shipped one',
  );
  t.doesNotThrow(() => configFrom(parse(configText), 'the rendered config'), 'a valid controller config');
  sameObjects(t, rendered, await kustomize(cluster, await overlayFor(values, configText)), 'full values');
});

t.test('own certificate: config/default with the caBundle in every webhook', async (t) => {
  const { webhook } = parse(readFileSync(OWN_CERTIFICATE, 'utf8'));
  const base = await kustomize(cluster, join(root, 'config', 'default'));
  const patches = base
    .filter((o) => /WebhookConfiguration$/.test(o.kind ?? ''))
    .map((o) => ({
      target: { kind: o.kind, name: o.metadata?.name },
      patch: JSON.stringify(
        ((o as Values).webhooks as unknown[]).map((_, i) => ({
          op: 'add',
          path: `/webhooks/${i}/clientConfig/caBundle`,
          value: webhook.caBundle,
        })),
      ),
    }));
  t.equal(patches.length, 2, 'the mutating and the validating configuration');
  const overlay = kustomization('own-certificate', { resources: [join(root, 'config', 'default')], patches });
  const installed = (await kustomize(cluster, overlay)).filter((o) => o.kind !== 'Namespace');
  sameObjects(t, await chart.template([OWN_CERTIFICATE]), installed, 'own certificate');
});

t.test('the apiserver accepts every rendered object (server-side dry run)', async (t) => {
  await installDeployFixtures(cluster);
  for (const files of [[], [FULL], [OWN_CERTIFICATE]]) {
    const objects = await chart.template(files);
    const result = await dryRun(cluster, objects);
    t.equal(result.code, 0, `${files.join(' ') || 'defaults'}: ${result.stderr}`);
    t.equal(
      result.accepted,
      objects.length,
      `${files.join(' ') || 'defaults'}: all ${objects.length} objects accepted`,
    );
  }
});

t.test('bad values are refused, naming the field', async (t) => {
  const refused = async (flags: string[], message: RegExp) => {
    const out = await chart.run(['template', RELEASE.name, CHART, ...flags]);
    t.not(out.code, 0, `${flags.join(' ')}: refused`);
    t.match(out.stderr, message, `${flags.join(' ')}: ${out.stderr.trim()}`);
  };
  await refused(['--set', 'replicas=0'], /replicas.*(minimum|greater)/i);
  await refused(
    ['--set', 'watchNamespaces[0]=Team_A'],
    /watchNamespaces\.0.*pattern|watchNamespaces.*does not match/i,
  );
  await refused(
    ['--set', 'prometheus.scrape=true'],
    /prometheus.*(additional property|not allowed).*scrape|scrape.*not allowed/i,
  );
  await refused(['--set', 'gateway.upstreamUrl=ftp://models'], /gateway.upstreamUrl.*pattern/i);
  await refused(
    ['--set', 'certManager.enabled=true', '--set', 'webhook.caBundle=QQ=='],
    /webhook\.caBundle: must be empty with certManager\.enabled/,
  );
});

t.test(
  'values that restrict a profile, or give it cluster access, take it out of the editor roles',
  async (t) => {
    const profilesOf = (objects: KubeObject[]) =>
      objects
        .filter((o) => o.kind === 'ClusterRole' && /-editor-role$/.test(String(o.metadata?.name)))
        .map((o) => {
          const rules = (o as { rules?: { resources?: string[]; resourceNames?: string[] }[] }).rules ?? [];
          return rules.find((r) => r.resources?.includes('agentprofiles'))?.resourceNames;
        });
    const shipped = ['rex', 'blaze', 'cleo', 'cipher', 'morgan'];
    t.same(
      profilesOf(await chart.template()),
      [shipped, shipped, shipped],
      'the default values: the shipped list',
    );
    const widened = await chart.template(
      [],
      [
        '--set',
        'agents.cipher.clusterAccess=true',
        '--set',
        'agents.cipher.serviceAccountName=orchestrator-agent-cluster-access',
        '--set',
        'agents.cleo.restricted=true',
      ],
    );
    const narrowed = ['rex', 'blaze', 'morgan'];
    t.same(
      profilesOf(widened),
      [narrowed, narrowed, narrowed],
      'cipher (cluster access) and cleo (restricted) left',
    );
    const everyOne = shipped.flatMap((name) => ['--set', `agents.${name}.restricted=true`]);
    const out = await chart.run(['template', RELEASE.name, CHART, ...everyOne]);
    t.not(out.code, 0, 'an empty list, which RBAC reads as every name, is refused');
    t.match(out.stderr, /agents: every profile the editor roles grant is restricted or has clusterAccess/);
  },
);
