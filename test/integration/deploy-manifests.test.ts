// The deployment manifests (config/): every kustomization renders with `kubectl kustomize` and the
// apiserver accepts every object it makes (server-side dry run; the Prometheus Operator and
// cert-manager kinds from stand-in CRDs in test/fixtures/deploy, config/argo's from Argo's own CRDs),
// and the install is what the issue asks for: an HA Deployment whose flags, ports, probes and mounts
// agree with `orchestrator run`, RBAC without wildcards with Leases in a Role, the webhook Service in
// front of the webhook port, the config and every template file shipped as hashed ConfigMaps, and the
// image's Dockerfile (the cert-manager overlays: deploy-cert-manager.test.ts).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { Command } from 'commander';
import t from 'tap';
import { parse } from 'yaml';
import { entrypointNodeFlags } from '../../scripts/manager-node-flags.js';
import { type RunFlags, runOptions } from '../../src/app/options.js';
import { registerRunCommand } from '../../src/cli/run.js';
import { defaultConfigFile, loadDefaultConfig } from '../../src/config/load.js';
import { loadTemplateSet } from '../../src/render/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { testCluster } from '../harness/cluster/cluster.js';
import { ensureArgoCrds } from '../harness/deploy/argo.js';
import { dryRun, installDeployFixtures, kustomize, ofKind, one } from '../harness/deploy/kustomize.js';
import {
  deploymentSpec,
  mountPath,
  portNumber,
  selects,
  writeKubeletVolume,
} from '../harness/deploy/pod-spec.js';
import { memoryIO } from '../harness/fakes/cli-io.js';
import { containerEnv, managerTemplate } from '../harness/operator/replicas.js';

const cluster = await testCluster();
const root = packageRoot();
const config = join(root, 'config');
const NAMESPACE = 'orchestrator-system';
const HASHED = /-[a-z0-9]{10}$/;

/** Every file under `dir`, relative to it, except its kustomization. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) return filesUnder(dir, rel);
    return rel === 'kustomization.yaml' ? [] : [rel];
  });
}

/** Every directory under config/ whose kustomization.yaml is a Kustomization (Components are not buildable alone). */
const kustomizations = readdirSync(config, { recursive: true, encoding: 'utf8' })
  .filter((f) => basename(f) === 'kustomization.yaml')
  .filter((f) => parse(readFileSync(join(config, f), 'utf8')).kind === 'Kustomization')
  .map((f) => join(config, dirname(f)))
  .concat(['crds', 'webhooks', 'templates'].map((d) => join(root, d)))
  .sort();

t.test('every kustomization renders and the apiserver accepts all of it (server-side dry run)', async (t) => {
  await installDeployFixtures(cluster);
  await ensureArgoCrds(cluster);
  t.ok(kustomizations.includes(join(config, 'default')), 'config/default is one of them');
  t.ok(kustomizations.includes(join(config, 'argo')), 'and config/argo');
  t.ok(kustomizations.includes(join(config, 'overlays', 'cert-manager')), 'and the cert-manager overlay');
  for (const dir of kustomizations) {
    const objects = await kustomize(cluster, dir);
    const result = await dryRun(cluster, objects);
    t.equal(result.code, 0, `${relative(root, dir)}: ${result.stderr}`);
    t.equal(
      result.accepted,
      objects.length,
      `${relative(root, dir)}: all ${objects.length} objects accepted`,
    );
  }
});

const installed = await kustomize(cluster, join(config, 'default'));
const deployment = one(installed, 'Deployment', 'orchestrator');
const spec = deploymentSpec(deployment);
const pod = spec.template.spec;
const podLabels = spec.template.metadata.labels;
const { namespace, container } = managerTemplate(installed);

/** The Deployment's args parsed by `orchestrator run` itself, and the options they make in the pod. */
function podOptions() {
  const program = new Command();
  registerRunCommand(program, memoryIO());
  const run = program.commands.find((c) => c.name() === 'run') as Command;
  const known = new Set(run.options.map((o) => o.long));
  const unknownFlags = (container.args ?? [])
    .map((a) => a.split('=')[0] as string)
    .filter((flag) => !known.has(flag));
  const { operands, unknown } = run.parseOptions(container.args ?? []);
  // The downward API's values, as the kubelet resolves them for this Deployment.
  const env: NodeJS.ProcessEnv = {
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    ...containerEnv(container, { name: 'orchestrator-0', namespace }),
  };
  const flags = run.opts<RunFlags & { config: string }>();
  return {
    unknownFlags,
    rest: [...operands, ...unknown],
    flags,
    opts: runOptions(loadDefaultConfig(), flags.config, flags, env),
    defaults: runOptions(loadDefaultConfig(), defaultConfigFile(), {}, env),
  };
}
const { unknownFlags, rest, flags, opts, defaults } = podOptions();

t.test('the Deployment: HA, locked down, and its flags agree with `orchestrator run`', async (t) => {
  t.equal(spec.replicas, 2);
  t.ok(selects(spec.selector.matchLabels, podLabels), 'the selector selects its pods');
  const anti = pod.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0];
  t.equal(anti?.podAffinityTerm.topologyKey, 'kubernetes.io/hostname', 'replicas spread over nodes');
  t.ok(anti && selects(anti.podAffinityTerm.labelSelector.matchLabels, podLabels), 'against its own pods');
  const pdb = one(installed, 'PodDisruptionBudget');
  const pdbSpec = pdb.spec as { minAvailable: number; selector: { matchLabels: Record<string, string> } };
  t.equal(pdbSpec.minAvailable, 1);
  t.ok(selects(pdbSpec.selector.matchLabels, podLabels), 'the PDB covers the pods');
  t.match(pod.securityContext, { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  t.match(container.securityContext, {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  });
  t.ok(container.resources?.requests?.cpu && container.resources?.limits?.memory, 'resources set');
  t.ok(
    pod.volumes?.some((v) => v.emptyDir && mountPath(container, v) === '/tmp'),
    'a writable /tmp',
  );

  t.same(unknownFlags, [], 'every flag is one of `orchestrator run --help`');
  t.same(rest, [], 'nothing left unparsed');
  t.equal(flags.leaderElect, true, 'leader election on');
  t.match(opts, {
    local: false,
    leaderElection: { namespace: deployment.metadata?.namespace, identity: /^orchestrator-0_/ },
  });
  t.equal(portNumber(container, 'webhook'), opts.webhookPort, 'the webhook port is the served one');
  t.equal(portNumber(container, 'metrics'), opts.metrics.port);
  t.equal(portNumber(container, 'health'), opts.probes.port);
  t.same(
    [opts.webhookPort, opts.metrics.port, opts.probes.port],
    [defaults.webhookPort, defaults.metrics.port, defaults.probes.port],
    'the CLI defaults',
  );
  t.equal(container.livenessProbe?.httpGet?.path, '/healthz');
  t.equal(container.readinessProbe?.httpGet?.path, '/readyz');
  t.equal(portNumber(container, container.livenessProbe?.httpGet?.port), opts.probes.port);
  t.equal(portNumber(container, container.readinessProbe?.httpGet?.port), opts.probes.port);
  const tls = pod.volumes?.find((v) => v.secret?.secretName === 'orchestrator-webhook-tls');
  t.equal(mountPath(container, tls), opts.certDir, 'the TLS Secret is mounted at the cert dir');
  t.equal(pod.serviceAccountName, one(installed, 'ServiceAccount').metadata?.name);
});

t.test('the config and every template file are hashed ConfigMaps mounted where the flags say', async (t) => {
  const configMaps = new Map(ofKind(installed, 'ConfigMap').map((c) => [c.metadata?.name, c]));
  const data = (name: string) => (configMaps.get(name)?.data ?? {}) as Record<string, string>;

  const configVolume = pod.volumes?.find((v) => v.configMap);
  t.equal(mountPath(container, configVolume), dirname(opts.configFile), 'the config volume holds --config');
  const configName = configVolume?.configMap?.name ?? '';
  t.match(configName, HASHED, 'a change to the config makes a new name and rolls the pods');
  t.equal(data(configName)[basename(opts.configFile)], readFileSync(defaultConfigFile(), 'utf8'));

  const templates = pod.volumes?.find((v) => v.projected);
  t.equal(mountPath(container, templates), opts.templatesDir, 'the templates volume is --templates-dir');
  const files = new Map<string, string>();
  for (const source of templates?.projected?.sources ?? []) {
    const name = source.configMap?.name ?? '';
    t.match(name, HASHED, `${name}: hashed`);
    t.ok(configMaps.has(name), `${name}: generated by the same install`);
    for (const item of source.configMap?.items ?? []) {
      t.equal(basename(item.path), item.key, `${item.path}: the key is the file's name`);
      files.set(item.path, data(name)[item.key] ?? `(no key ${item.key} in ConfigMap ${name})`);
    }
  }
  // The agent shell's tests sit beside it and are not shipped (scripts/generate-template-lists.js).
  const shipped = filesUnder(join(root, 'templates'))
    .filter((f) => !f.endsWith('.test.ts'))
    .sort();
  t.same([...files.keys()].sort(), shipped, 'every file of templates/ is mounted, and nothing else');
  for (const file of shipped)
    t.equal(files.get(file), readFileSync(join(root, 'templates', file), 'utf8'), `${file}: same content`);

  // What the pod's process reads from the mounted volume is the package's template set.
  const dir = mkdtempSync(join(tmpdir(), 'templates-volume-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeKubeletVolume(dir, files);
  t.same(loadTemplateSet(dir).sources, loadTemplateSet().sources);
});

t.test('Services, webhooks, RBAC, CRDs and the NetworkPolicy fit together', async (t) => {
  for (const obj of installed)
    if (obj.metadata?.namespace !== undefined)
      t.equal(obj.metadata.namespace, NAMESPACE, `${obj.kind} namespace`);
  const service = one(installed, 'Service', 'orchestrator-webhook');
  const serviceSpec = service.spec as {
    selector: Record<string, string>;
    ports: Array<{ name?: string; port: number; targetPort: string | number }>;
  };
  t.ok(selects(serviceSpec.selector, podLabels), 'the webhook Service selects the pods');
  t.same(
    serviceSpec.ports.map((p) => [p.port, portNumber(container, p.targetPort)]),
    [[443, opts.webhookPort]],
    '443 → the webhook port',
  );
  for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
    const hooks = (one(installed, kind).webhooks ?? []) as Array<{
      clientConfig: { service?: { name: string; namespace: string; port?: number } };
    }>;
    t.ok(hooks.length > 0, `${kind} has webhooks`);
    for (const hook of hooks)
      t.same(hook.clientConfig.service, {
        ...hook.clientConfig.service,
        name: service.metadata?.name,
        namespace: service.metadata?.namespace,
        port: 443,
      });
  }
  const metrics = one(installed, 'Service', 'orchestrator-metrics').spec as typeof serviceSpec;
  t.equal(portNumber(container, metrics.ports[0]?.targetPort), opts.metrics.port, 'metrics Service');

  type Rule = { apiGroups?: string[]; resources?: string[]; nonResourceURLs?: string[]; verbs: string[] };
  const rulesOf = (kind: string) => ofKind(installed, kind).flatMap((r) => (r.rules ?? []) as Rule[]);
  const all = [...rulesOf('ClusterRole'), ...rulesOf('Role')];
  t.same(
    all.filter((r) =>
      [...(r.apiGroups ?? []), ...(r.resources ?? []), ...(r.nonResourceURLs ?? []), ...r.verbs].some((s) =>
        s.includes('*'),
      ),
    ),
    [],
    'no wildcard',
  );
  t.same(
    rulesOf('ClusterRole').filter((r) => r.resources?.includes('leases')),
    [],
    'no Lease cluster-wide',
  );
  const leaseRole = ofKind(installed, 'Role').find((r) =>
    ((r.rules ?? []) as Rule[]).some((rule) => rule.resources?.includes('leases')),
  );
  t.equal(
    leaseRole?.metadata?.namespace,
    opts.leaderElection ? opts.leaderElection.namespace : undefined,
    'Leases: a Role',
  );
  for (const binding of [...ofKind(installed, 'ClusterRoleBinding'), ...ofKind(installed, 'RoleBinding')])
    t.same(binding.subjects, [
      { kind: 'ServiceAccount', name: pod.serviceAccountName, namespace: NAMESPACE },
    ]);

  const crdFiles = readdirSync(join(root, 'crds')).filter((f) => f.endsWith('.yaml'));
  t.same(
    ofKind(installed, 'CustomResourceDefinition')
      .map((c) => `${c.metadata?.name}.yaml`)
      .sort(),
    crdFiles.sort(),
    'every CRD of crds/ is installed (crds/Kustomization lists them all)',
  );

  // The manager's (the egress proxy has its own: config/egress).
  const policy = one(installed, 'NetworkPolicy', 'orchestrator').spec as {
    podSelector: { matchLabels: Record<string, string> };
    ingress: Array<{ from?: unknown[]; ports: Array<{ port: string | number }> }>;
  };
  t.ok(selects(policy.podSelector.matchLabels, podLabels), 'the NetworkPolicy covers the pods');
  const open = policy.ingress
    .filter((i) => !i.from)
    .flatMap((i) => i.ports.map((p) => portNumber(container, p.port)));
  t.same(
    open.sort(),
    [opts.webhookPort, opts.api ? opts.api.port : undefined].sort(),
    'only the webhook and REST API ports are open to any source (the API authenticates its callers)',
  );
  const api = one(installed, 'Service', 'orchestrator-api').spec as typeof serviceSpec;
  t.equal(
    portNumber(container, api.ports[0]?.targetPort),
    opts.api ? opts.api.port : undefined,
    'API Service',
  );
});

t.test(
  'the Dockerfile: multi-stage, non-root, `orchestrator run`, ships what the package ships',
  async (t) => {
    const text = readFileSync(join(root, 'Dockerfile'), 'utf8');
    t.ok((text.match(/^FROM /gm) ?? []).length >= 2, 'multi-stage');
    t.match(text, /^USER 65532/m);
    t.match(text, /^ENTRYPOINT \[.*"\/app\/bin\/orchestrator\.js", "run"\]$/m);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      files: string[];
      scripts: Record<string, string>;
    };
    const flags = entrypointNodeFlags(text);
    t.ok(flags.length > 0, 'the entrypoint states the Node.js flags');
    t.match(
      pkg.scripts.start,
      ` node ${flags.join(' ')} bin/orchestrator.js run`,
      '`npm start` runs the manager with the flags the image runs it with',
    );
    // An entry starting with "!" is left out of the package (the agent shell's tests): the image too. The
    // local control plane's Go module is for `orchestrator cluster up`, which no cluster runs.
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    t.notMatch(text, /^COPY .*\bcluster\b/m, 'the image leaves out the local control plane (cluster/)');
    for (const dir of pkg.files.filter((d) => d !== 'cluster'))
      if (dir.startsWith('!'))
        t.ok(ignored.includes(dir.slice(1)), `.dockerignore leaves out ${dir.slice(1)}`);
      else t.match(text, new RegExp(`^COPY .*\\b${dir} \\./${dir}$`, 'm'), `copies ${dir}`);
    t.equal(
      pod.securityContext?.runAsUser,
      undefined,
      "no fixed user id: the image's numeric user runs, or the one OpenShift's restricted SCC assigns",
    );
  },
);
