// The Helm chart (charts/orchestrator, written by hand) against the kustomize install: `helm lint`, and
// `helm template` with the default values, every value set (test/fixtures/helm/full-values.yaml) and an
// own certificate, each equal object for object to what `kubectl kustomize` makes of the overlay with
// the same settings (overlayFor: the mapping of values to kustomize; the defaults are config/default with
// config/self-managed-certificate), and each accepted whole by the
// apiserver (server-side dry run). Helm refuses bad values naming the field. The chart's own knobs
// (PodDisruptionBudget, NetworkPolicy, CRDs, image) render as their values say (two releases side by
// side: helm-releases.test.ts).
// @needs helm
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { configFrom, defaultConfigFile } from '../../src/config/load.js';
import type { KubeObject } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { testCluster } from '../harness/cluster/cluster.js';
import { CHART, helm, KUBE_VERSION, RELEASE } from '../harness/deploy/helm.js';
import { kustomization, merge, overlayFor, type Values } from '../harness/deploy/helm-overlay.js';
import { dryRun, installDeployFixtures, kustomize, one } from '../harness/deploy/kustomize.js';
import { SEED_VALUES_FILE, seedConfig } from '../harness/util/app-configs.js';

const cluster = await testCluster();
const chart = await helm();
/** `helm template` of the chart with `flags`: its exit code and stderr, for values the schema refuses. */
const rendered = (...flags: string[]) =>
  chart.run(['template', RELEASE.name, CHART, '--kube-version', KUBE_VERSION, ...flags]);
const root = packageRoot();
const fixtures = join(root, 'test', 'fixtures', 'helm');
const FULL = join(fixtures, 'full-values.yaml');
const OWN_CERTIFICATE = join(fixtures, 'own-certificate-values.yaml');
const work = mkdtempSync(join(tmpdir(), 'helm-chart-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

const key = (o: KubeObject) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
const byKey = (objects: KubeObject[]) => new Map(objects.map((o) => [key(o), o]));

/** An object without helm's keep annotation (the chart's CRDs carry it; kustomize has no uninstall). */
function withoutKeep(o: KubeObject): KubeObject {
  if (!o.metadata?.annotations) return o;
  const { annotations: all, ...metadata } = o.metadata;
  const { 'helm.sh/resource-policy': _, ...annotations } = all;
  return { ...o, metadata: Object.keys(annotations).length ? { ...metadata, annotations } : metadata };
}

/** The labels every object of the chart carries (the chart's standard labels; checked apart). */
const STANDARD_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
  'app.kubernetes.io/managed-by',
  'helm.sh/chart',
];

/** An object, and its pod template, without the standard labels (kustomize's objects carry some, or none). */
function withoutStandardLabels(o: KubeObject): KubeObject {
  const strip = (meta: Values | undefined) => {
    if (!meta?.labels) return meta;
    const labels = Object.fromEntries(
      Object.entries(meta.labels as Record<string, string>).filter(([k]) => !STANDARD_LABELS.includes(k)),
    );
    const { labels: _, ...rest } = meta;
    return Object.keys(labels).length ? { ...rest, labels } : rest;
  };
  const out: Values = { ...o, metadata: strip(o.metadata) };
  const template = (o as Values).spec?.template;
  if (template?.metadata)
    out.spec = { ...out.spec, template: { ...template, metadata: strip(template.metadata) } };
  return out as KubeObject;
}

/** An object the chart renders for `helm test` only, not part of the install. */
const isTestHook = (o: KubeObject) => o.metadata?.annotations?.['helm.sh/hook'] === 'test';

/** Compares two installs object by object (the keys first, so that a missing object is named). */
function sameObjects(t: Test, helmObjects: KubeObject[], kustomizeObjects: KubeObject[], what: string) {
  const h = byKey(helmObjects.map(withoutKeep).map(withoutStandardLabels));
  const k = byKey(kustomizeObjects.map(withoutStandardLabels));
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
  'default values: the objects of config/default with the operator keeping its own certificate and no fixed user id (the namespace is made by helm --create-namespace)',
  async (t) => {
    const rendered = await chart.template();
    const overlay = kustomization(work, 'defaults', {
      resources: [join(root, 'config', 'default')],
      components: [join(root, 'config', 'self-managed-certificate')],
    });
    const installed = await kustomize(cluster, overlay);
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

t.test(
  "the seed's Apps are a sample's values: the config names them, the Role on their keys follows",
  async (t) => {
    const keysRole = (objects: KubeObject[]) =>
      objects.find((o) => o.kind === 'Role' && o.metadata?.name === 'orchestrator-github-app-keys');
    t.equal(keysRole(await chart.template()), undefined, 'the default values name no App, and grant no key');
    const rendered = await chart.template([SEED_VALUES_FILE]);
    const configMap = rendered.find(
      (o) => o.kind === 'ConfigMap' && o.metadata?.name?.startsWith('orchestrator-config-'),
    );
    const text = (configMap?.data as Record<string, string> | undefined)?.['controller-config.yaml'] ?? '';
    t.same(configFrom(parse(text)), seedConfig(), "the config the unit tests pin the seed's names with");
    const role = keysRole(rendered) as (KubeObject & { rules: { resourceNames?: string[] }[] }) | undefined;
    t.same(
      role?.rules[0]?.resourceNames,
      ['blaze', 'cipher', 'cleo', 'morgan', 'rex', 'tess'].map((agent) => `github-app-5dlabs-${agent}`),
      "the manager reads each seed App's key Secret by name",
    );
  },
);

t.test(
  "seed 004's agents[*].systemPrompt: text becomes the profile's systemPromptText, a name stays",
  async (t) => {
    const text = '# Deploy\nYou deploy the approved change to the preview environment.\n';
    const values = join(work, 'seed-prompts.yaml');
    writeFileSync(
      values,
      stringify({ agents: { deploy: { systemPrompt: text }, cleo: { systemPrompt: 'tess' } } }),
    );
    const configMap = (await chart.template([values])).find(
      (o) => o.kind === 'ConfigMap' && o.metadata?.name?.startsWith('orchestrator-config-'),
    );
    const config = configFrom(
      parse((configMap?.data as Record<string, string> | undefined)?.['controller-config.yaml'] ?? ''),
    );
    t.equal(config.agents.deploy?.systemPromptText, text, 'the text, verbatim');
    t.equal(config.agents.deploy?.systemPrompt, undefined);
    t.equal(config.agents.deploy?.role, 'deploy', 'over the shipped profile');
    t.equal(config.agents.cleo?.systemPrompt, 'tess', "a template's name stays one");
    t.equal(config.agents.cleo?.systemPromptText, undefined);
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
  sameObjects(
    t,
    rendered,
    await kustomize(cluster, await overlayFor(cluster, work, values, configText)),
    'full values',
  );
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
  const overlay = kustomization(work, 'own-certificate', {
    resources: [join(root, 'config', 'default')],
    patches,
  });
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
    const out = await rendered(...flags);
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
  // `config` by the controller config's own schema (scripts/chart-values-schema.js).
  await refused(['--set', 'config.concurrency.global=eight'], /config\/concurrency\/global.*integer/i);
  await refused(['--set', 'config.agentz.rex=1'], /config.*(additional propert|not allowed).*agentz/i);
  await refused(
    ['--set', 'certManager.enabled=true', '--set', 'webhook.caBundle=QQ=='],
    /webhook\.caBundle: must be empty with certManager\.enabled/,
  );
  await refused(['--set', 'githubWebhook.ingress.enabled=true'], /githubWebhook\.ingress\.host: required/);
  const route = ['--set', 'githubWebhook.httpRoute.enabled=true'];
  await refused(route, /githubWebhook\.httpRoute\.host: required/);
  await refused(
    [...route, '--set', 'githubWebhook.httpRoute.host=hooks.example.com'],
    /httpRoute\.parentRefs: required/,
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
    const shipped = ['rex', 'blaze', 'cleo', 'cipher', 'deploy', 'acceptance', 'morgan'];
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
    const narrowed = ['rex', 'blaze', 'deploy', 'acceptance', 'morgan'];
    t.same(
      profilesOf(widened),
      [narrowed, narrowed, narrowed],
      'cipher (cluster access) and cleo (restricted) left',
    );
    const everyOne = shipped.flatMap((name) => ['--set', `agents.${name}.restricted=true`]);
    const out = await rendered(...everyOne);
    t.not(out.code, 0, 'an empty list, which RBAC reads as every name, is refused');
    t.match(out.stderr, /agents: every profile the editor roles grant is restricted or has clusterAccess/);
  },
);

t.test('the PodDisruptionBudget: only with more than one replica, unless the value says', async (t) => {
  const pdb = (objects: KubeObject[]) => objects.filter((o) => o.kind === 'PodDisruptionBudget');
  t.equal(pdb(await chart.template()).length, 1, 'two replicas (the default): rendered');
  t.same(
    pdb(await chart.template([], ['--set', 'replicas=1'])),
    [],
    'one replica: none, so a drain is not blocked',
  );
  t.equal(
    pdb(await chart.template([], ['--set', 'replicas=1', '--set', 'podDisruptionBudget.enabled=true']))
      .length,
    1,
    'one replica with podDisruptionBudget.enabled: rendered',
  );
  t.same(
    pdb(await chart.template([], ['--set', 'podDisruptionBudget.enabled=false'])),
    [],
    'podDisruptionBudget.enabled=false: none',
  );
});

t.test("the manager's NetworkPolicy: optional, its metrics sources set by value", async (t) => {
  const policy = (objects: KubeObject[]) =>
    objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata?.name === 'orchestrator') as
      | { spec: { ingress: { ports: { port: string }[]; from?: unknown }[] } }
      | undefined;
  t.equal(policy(await chart.template([], ['--set', 'networkPolicy.enabled=false'])), undefined, 'off: none');
  const closed = policy(await chart.template([], ['--set-json', 'networkPolicy.metricsFrom=[]']));
  t.same(
    closed?.spec.ingress.filter((r) => r.ports.some((p) => p.port === 'metrics')),
    [],
    'no metrics sources: no rule opens the metrics port',
  );
});

t.test('the CRDs: templates kept on uninstall, or not rendered at all', async (t) => {
  const crds = (objects: KubeObject[]) => objects.filter((o) => o.kind === 'CustomResourceDefinition');
  const shipped = crds(await chart.template());
  t.equal(shipped.length, 3, 'the three kinds');
  t.ok(
    shipped.every((o) => o.metadata?.annotations?.['helm.sh/resource-policy'] === 'keep'),
    'each kept by helm uninstall',
  );
  // Templates, not crds/: helm upgrade applies them (crds/ is read by install only).
  const plain = await chart.run(['template', RELEASE.name, CHART, '--kube-version', KUBE_VERSION]);
  t.match(plain.stdout, /kind: CustomResourceDefinition/, 'rendered without --include-crds: templates');
  t.same(crds(await chart.template([], ['--set', 'crds.install=false'])), [], 'crds.install=false: none');
});

t.test('the image: registry, repository, tag or digest; global.imageRegistry first', async (t) => {
  const image = async (flags: string[]) =>
    (one(await chart.template([], flags), 'Deployment', 'orchestrator').spec as Values).template.spec
      .containers[0].image as string;
  const chartYaml = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8'));
  t.equal(await image([]), `ghcr.io/5dlabs/orchestrator:${chartYaml.appVersion}`, "the chart's appVersion");
  const digest = `sha256:${'a'.repeat(64)}`;
  t.equal(
    await image(['--set', `image.digest=${digest}`, '--set', 'image.tag=9.9.9']),
    `ghcr.io/5dlabs/orchestrator@${digest}`,
    'a digest pins the image over the tag',
  );
  t.equal(
    await image(['--set', 'global.imageRegistry=mirror.example.com']),
    `mirror.example.com/5dlabs/orchestrator:${chartYaml.appVersion}`,
    "an umbrella chart's registry",
  );
});

/** What `helm template` says of one `--set` (a value the chart's schema refuses). */
async function refusedSet(value: string): Promise<string> {
  const out = await chart.run([
    'template',
    RELEASE.name,
    CHART,
    '--kube-version',
    KUBE_VERSION,
    '--set',
    value,
  ]);
  return out.stderr;
}

t.test("the egress proxy's image: the release's, on global.imageRegistry, or egress.image", async (t) => {
  const images = async (flags: string[]) => {
    const proxy = one(await chart.template([], flags), 'Deployment', 'orchestrator-egress-proxy');
    return [
      ...new Set(
        ((proxy.spec as Values).template.spec.containers as { image: string }[]).map((c) => c.image),
      ),
    ];
  };
  const shipped = parseAllDocuments(
    readFileSync(join(packageRoot(), 'config', 'egress', 'proxy.yaml'), 'utf8'),
  )
    .map((d) => d.toJS() as Values)
    .find((o) => o.kind === 'Deployment')?.spec.template.spec.containers[0].image as string;
  t.same(await images([]), [shipped], "config/egress's image, in both containers");
  t.same(
    await images(['--set', 'global.imageRegistry=mirror.example.com:5000']),
    [shipped.replace(/^[^/]+/, 'mirror.example.com:5000')],
    "an umbrella chart's registry",
  );
  t.same(await images(['--set', 'egress.image=mirror.example.com/ops/proxy:7']), [
    'mirror.example.com/ops/proxy:7',
  ]);
  t.match(
    await refusedSet('egress.image=proxy'),
    /at '\/egress\/image': 'proxy' does not match pattern/,
    'a name without its registry is refused',
  );
});

t.test(
  "gateway.clusterIP: the gateway's Service at that address, and the agents call it there",
  async (t) => {
    const rendered = async (flags: string[]) => {
      const objects = await chart.template([], flags);
      const service = one(objects, 'Service', 'orchestrator-gateway').spec as Values;
      const configMap = objects.find(
        (o) => o.kind === 'ConfigMap' && o.metadata?.name?.startsWith('orchestrator-config-'),
      );
      const config = parse(
        (configMap?.data as Record<string, string> | undefined)?.['controller-config.yaml'] ?? '',
      );
      return { clusterIP: service.clusterIP, url: config.gateway.url };
    };
    t.same(await rendered([]), {
      clusterIP: undefined,
      url: 'http://orchestrator-gateway.orchestrator-system.svc:8090',
    });
    t.same(await rendered(['--set', 'gateway.clusterIP=10.96.0.90']), {
      clusterIP: '10.96.0.90',
      url: 'http://10.96.0.90:8090',
    });
    t.same(await rendered(['--set', 'gateway.clusterIP=fd00::90']), {
      clusterIP: 'fd00::90',
      url: 'http://[fd00::90]:8090',
    });
    t.match(
      await refusedSet('gateway.clusterIP=beef'),
      /at '\/gateway\/clusterIP': 'beef' does not match pattern/,
      'not an address: refused',
    );
  },
);

t.test("a cluster older than the chart's kubeVersion is refused", async (t) => {
  const out = await chart.run(['template', RELEASE.name, CHART, '--kube-version', '1.25.0']);
  t.not(out.code, 0, 'refused');
  t.match(out.stderr, /kubeVersion: >=1\.30\.0-0 which is incompatible with Kubernetes v1\.25\.0/);
});

/** Every label map that selects (selectors, matchLabels, Services' selectors) in an object, with its path. */
function selectors(value: unknown, path = ''): [string, Record<string, string>][] {
  if (!value || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => selectors(v, `${path}[${i}]`));
  return Object.entries(value as Values).flatMap(([k, v]): [string, Record<string, string>][] => {
    const at = `${path}.${k}`;
    if (/[sS]elector$/.test(k) && v && typeof v === 'object' && !Array.isArray(v)) {
      const labels = (v.matchLabels ?? (v.matchExpressions ? {} : v)) as Record<string, string>;
      const expressions = ((v.matchExpressions ?? []) as { key: string }[]).map((e) => [e.key, '']);
      return [[at, { ...labels, ...Object.fromEntries(expressions) }], ...selectors(v, at)];
    }
    return selectors(v, at);
  });
}

t.test('the standard labels on every object, the version and chart in no selector', async (t) => {
  const chartYaml = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8'));
  const everything = ['--set', 'prometheus.serviceMonitor.enabled=true', '--set', 'createNamespace=true'];
  for (const [what, files, flags] of [
    ['defaults', [], []],
    ['every value set', [FULL], []],
    ['own certificate', [OWN_CERTIFICATE], everything],
  ] as [string, string[], string[]][]) {
    const objects = await chart.template(files, flags);
    for (const o of objects) {
      const labels = o.metadata?.labels ?? {};
      t.match(
        labels,
        {
          'app.kubernetes.io/name': /^orchestrator(-egress-proxy)?$/,
          'app.kubernetes.io/instance': RELEASE.name,
          'app.kubernetes.io/version': chartYaml.appVersion,
          'app.kubernetes.io/managed-by': 'Helm',
          'helm.sh/chart': `orchestrator-${chartYaml.version}`,
        },
        `${what}: ${key(o)}`,
      );
      for (const [path, selector] of selectors(o))
        for (const label of ['app.kubernetes.io/version', 'helm.sh/chart', 'app.kubernetes.io/instance'])
          t.notOk(label in selector, `${what}: ${key(o)}${path} selects by ${label}`);
    }
    const deployment = one(objects, 'Deployment', 'orchestrator').spec as Values;
    t.same(
      deployment.selector.matchLabels,
      { 'app.kubernetes.io/name': 'orchestrator', 'app.kubernetes.io/component': 'manager' },
      `${what}: the Deployment's selector as the kustomize install's (immutable: an upgrade keeps it)`,
    );
    t.match(
      deployment.template.metadata.labels,
      { ...deployment.selector.matchLabels, 'helm.sh/chart': `orchestrator-${chartYaml.version}` },
      `${what}: the pods carry the selector's labels and the standard ones`,
    );
  }
  const other = await chart.run(['template', 'team-b', CHART, '--kube-version', KUBE_VERSION]);
  t.match(other.stdout, /app\.kubernetes\.io\/instance: "?team-b"?\n/, 'another release: its own name');
});

t.test('the security contexts: values, secure by default, no fixed user id unless set', async (t) => {
  const pod = async (flags: string[]) =>
    (one(await chart.template([], flags), 'Deployment', 'orchestrator').spec as Values).template.spec;
  const defaults = await pod([]);
  t.same(
    defaults.securityContext,
    { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    "the pod's: non-root, RuntimeDefault seccomp, no runAsUser, runAsGroup or fsGroup (the image's user, or OpenShift's)",
  );
  t.same(
    defaults.containers[0].securityContext,
    {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    },
    "the container's: read-only root, no privilege escalation, every capability dropped",
  );
  t.notMatch(JSON.stringify(defaults), /runAsUser|runAsGroup|fsGroup/, 'no user id anywhere in the pod');
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  t.match(dockerfile, /^USER [0-9]+:[0-9]+$/m, "the image's user is numeric: runAsNonRoot can check it");
  const ids = await pod([
    '--set',
    'podSecurityContext.runAsUser=65532',
    '--set',
    'podSecurityContext.runAsGroup=65532',
    '--set',
    'securityContext.readOnlyRootFilesystem=false',
  ]);
  t.same(
    ids.securityContext,
    { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
    'ids set by value, over the defaults',
  );
  t.equal(ids.containers[0].securityContext.readOnlyRootFilesystem, false, "the container's by value");
  const out = await rendered('--set', 'podSecurityContext.runAsUser=-1');
  t.not(out.code, 0, 'a negative user id is refused');
  t.match(out.stderr, /podSecurityContext\/runAsUser|podSecurityContext\.runAsUser/);
});

t.test('the ServiceMonitor: labels, interval, scrape timeout and relabelings by value', async (t) => {
  const monitor = (objects: KubeObject[]) =>
    objects.find((o) => o.kind === 'ServiceMonitor') as
      | (KubeObject & { spec: { endpoints: Values[] } })
      | undefined;
  t.equal(monitor(await chart.template()), undefined, 'off by default');
  const plain = monitor(await chart.template([], ['--set', 'prometheus.serviceMonitor.enabled=true']));
  t.equal(plain?.spec.endpoints[0]?.interval, '30s', 'every 30 s by default');
  t.notOk(plain?.spec.endpoints[0] && 'scrapeTimeout' in plain.spec.endpoints[0], "Prometheus' own timeout");
  const relabelings = [{ targetLabel: 'cluster', replacement: 'prod-eu' }];
  const metricRelabelings = [{ sourceLabels: ['__name__'], regex: 'go_.*', action: 'drop' }];
  const set = monitor(
    await chart.template(
      [],
      [
        '--set',
        'prometheus.serviceMonitor.enabled=true',
        '--set',
        'prometheus.serviceMonitor.labels.release=kube-prometheus-stack',
        '--set',
        'prometheus.serviceMonitor.interval=15s',
        '--set',
        'prometheus.serviceMonitor.scrapeTimeout=10s',
        '--set-json',
        `prometheus.serviceMonitor.relabelings=${JSON.stringify(relabelings)}`,
        '--set-json',
        `prometheus.serviceMonitor.metricRelabelings=${JSON.stringify(metricRelabelings)}`,
      ],
    ),
  );
  t.equal(
    set?.metadata?.labels?.release,
    'kube-prometheus-stack',
    "kube-prometheus-stack's selector matches",
  );
  t.equal(set?.metadata?.labels?.['app.kubernetes.io/managed-by'], 'Helm', 'besides the standard labels');
  t.match(set?.spec.endpoints[0], { interval: '15s', scrapeTimeout: '10s', relabelings, metricRelabelings });
  const out = await rendered('--set', 'prometheus.serviceMonitor.interval=often');
  t.not(out.code, 0, 'an interval that is no duration is refused');
  t.match(out.stderr, /serviceMonitor\/interval|serviceMonitor\.interval/);
});

t.test(
  'serviceAccount.create=false: no ServiceAccount, yours in the Deployment and every binding',
  async (t) => {
    const objects = await chart.template(
      [OWN_CERTIFICATE],
      ['--set', 'serviceAccount.create=false', '--set', 'serviceAccount.name=platform-orchestrator'],
    );
    const selfManaged = await chart.template(
      [],
      ['--set', 'serviceAccount.create=false', '--set', 'serviceAccount.name=platform-orchestrator'],
    );
    for (const rendered of [objects, selfManaged]) {
      t.same(
        rendered.filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata?.name),
        [],
        'no ServiceAccount rendered',
      );
      t.equal(
        (one(rendered, 'Deployment', 'orchestrator').spec as Values).template.spec.serviceAccountName,
        'platform-orchestrator',
        'the Deployment runs as yours',
      );
      const bindings = rendered.filter((o) => /RoleBinding$/.test(o.kind ?? '')) as (KubeObject & {
        subjects: { kind: string; name: string; namespace?: string }[];
      })[];
      const managers = bindings.filter((b) =>
        b.subjects.some((s) => s.kind === 'ServiceAccount' && s.namespace === RELEASE.namespace),
      );
      t.ok(managers.length >= 4, `the manager's bindings (${managers.length})`);
      for (const b of managers)
        t.same(
          b.subjects.map((s) => s.name),
          ['platform-orchestrator'],
          `${key(b)} binds yours`,
        );
      t.match(
        JSON.stringify(rendered.find((o) => o.kind === 'ValidatingAdmissionPolicy')),
        `system:serviceaccount:${RELEASE.namespace}:platform-orchestrator`,
        "the run-objects policy's manager is yours",
      );
    }
    const renamed = (await chart.template([], ['--set', 'serviceAccount.name=platform-orchestrator']))
      .filter((o) => o.kind === 'ServiceAccount')
      .map((o) => o.metadata?.name);
    t.ok(renamed.includes('platform-orchestrator'), 'create with a name: rendered under that name');
    t.notOk(renamed.includes('orchestrator'), 'and not under the default one');
  },
);

t.test('webhook.timeoutSeconds: on every webhook, 5 s by default, 1 to 30', async (t) => {
  const timeouts = (objects: KubeObject[]) =>
    objects
      .filter((o) => /WebhookConfiguration$/.test(o.kind ?? ''))
      .flatMap((o) => ((o as Values).webhooks as { timeoutSeconds: number }[]).map((w) => w.timeoutSeconds));
  const defaults = timeouts(await chart.template());
  t.equal(defaults.length, 6, 'three mutating, three validating');
  t.same(new Set(defaults), new Set([5]), "the generated configurations' 5 s");
  t.same(new Set(timeouts(await chart.template([], ['--set', 'webhook.timeoutSeconds=12']))), new Set([12]));
  for (const bad of ['0', '31']) {
    const out = await rendered('--set', `webhook.timeoutSeconds=${bad}`);
    t.not(out.code, 0, `${bad}: refused`);
    t.match(out.stderr, /webhook\/timeoutSeconds|webhook\.timeoutSeconds/);
  }
});

t.test(
  "helm test: doctor's webhook-call in a pod, allowed to create TaskRuns in one namespace only",
  async (t) => {
    const hooks = (objects: KubeObject[]) => objects.filter(isTestHook);
    const tests = { tests: true };
    t.same(
      hooks(await chart.template([], ['--set', 'tests.enabled=false'], tests)),
      [],
      'tests.enabled=false: none',
    );
    t.same(hooks(await chart.template()), [], "not an install's object: helm template --skip-tests");
    const objects = hooks(await chart.template([], ['--set', 'watchNamespaces={team-a,team-b}'], tests));
    t.same(
      objects.map((o) => `${o.kind}/${o.metadata?.namespace}`).sort(),
      ['Pod/orchestrator-system', 'Role/team-a', 'RoleBinding/team-a', 'ServiceAccount/orchestrator-system'],
      "the probe's Role in the first namespace of runs, the pod in the release's",
    );
    const role = one(objects, 'Role') as Values;
    t.same(role.rules, [{ apiGroups: ['orchestrator.io'], resources: ['agenttaskruns'], verbs: ['create'] }]);
    const pod = one(objects, 'Pod') as Values;
    const [container] = pod.spec.containers;
    t.same(
      container.args.slice(0, 3),
      ['doctor', '--check=webhook-call', '--fail-on=warning'],
      'the check alone',
    );
    t.equal(pod.spec.serviceAccountName, one(objects, 'ServiceAccount').metadata?.name);
    const deployment = one(
      await chart.template([], ['--set', 'watchNamespaces={team-a,team-b}']),
      'Deployment',
      'orchestrator',
    ) as Values;
    t.same(container.image, deployment.spec.template.spec.containers[0].image, "the operator's image");
    const config = pod.spec.volumes.find((v: Values) => v.name === 'config');
    t.same(
      config,
      deployment.spec.template.spec.volumes.find((v: Values) => v.name === 'config'),
      "the release's config",
    );
    for (const o of objects)
      t.match(
        o.metadata?.annotations?.['helm.sh/hook-delete-policy'],
        'before-hook-creation',
        `${o.kind}: replaced`,
      );
  },
);

t.test('webhook.port and webhook.hostNetwork: the pods, the Service by its port name', async (t) => {
  const spec = async (flags: string[]) =>
    (one(await chart.template([], flags), 'Deployment', 'orchestrator') as Values).spec.template.spec;
  const plain = await spec([]);
  t.equal(plain.hostNetwork, undefined, 'the pod network by default');
  t.ok(plain.containers[0].args.includes('--webhook-port=9443'), 'port 9443 by default');
  const host = await spec(['--set', 'webhook.hostNetwork=true', '--set', 'webhook.port=10260']);
  t.equal(host.hostNetwork, true);
  t.equal(host.dnsPolicy, 'ClusterFirstWithHostNet', "the cluster's DNS still");
  const strategy = async (flags: string[]) =>
    (one(await chart.template([], flags), 'Deployment', 'orchestrator') as Values).spec.strategy
      .rollingUpdate;
  t.same(await strategy([]), { maxUnavailable: 0, maxSurge: 1 });
  t.same(
    await strategy(['--set', 'webhook.hostNetwork=true']),
    { maxUnavailable: 1, maxSurge: 0 },
    "no surge pod, which would need a replica's node ports",
  );
  t.ok(host.containers[0].args.includes('--webhook-port=10260'), 'the manager listens there');
  t.same(
    host.containers[0].ports.find((p: Values) => p.name === 'webhook'),
    { name: 'webhook', containerPort: 10260, protocol: 'TCP' },
  );
  const out = await rendered('--set', 'webhook.port=8443');
  t.not(out.code, 0);
  t.match(out.stderr, /webhook\.port: 8443 is another port of the pods/);
});

t.test(
  "the REST API's port: the config's api.bindAddress, or the seed's SERVER_PORT, on the port the Service names",
  async (t) => {
    const apiPort = async (flags: string[]) => {
      const pod = (one(await chart.template([], flags), 'Deployment', 'orchestrator') as Values).spec.template
        .spec;
      t.notOk(
        pod.containers[0].args.some((a: string) => a.startsWith('--api-bind-address')),
        'no flag: it would win over the config and the seed variable',
      );
      return pod.containers[0].ports.find((p: Values) => p.name === 'api').containerPort;
    };
    t.equal(await apiPort([]), 8443);
    t.equal(await apiPort(['--set', 'config.api.bindAddress=:7443']), 7443);
    t.equal(
      await apiPort(['--set', 'extraEnv[0].name=SERVER_PORT', '--set-string', 'extraEnv[0].value=9000']),
      9000,
    );
    const out = await rendered(
      '--set',
      'extraEnv[0].name=SERVER_PORT',
      '--set-string',
      'extraEnv[0].value=8080',
    );
    t.not(out.code, 0);
    t.match(
      out.stderr,
      /the REST API's port 8080 \(extraEnv SERVER_PORT, else config.api.bindAddress\) is another port of the pods/,
    );
  },
);
