// `orchestrator doctor` on a control plane of this file's own (it installs and removes cluster-wide
// parts): from an empty cluster, each missing piece named with its fix and exit 1, then put in place
// one by one until nothing is left; then each broken again (a binding removed, a wrong or expired
// caBundle, the agent sandbox's NetworkPolicy deleted) and named again.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { stringify } from 'yaml';
import { appKeysRole } from '../../scripts/generate-app-keys-role.js';
import { createAuthority } from '../../src/certs/authority.js';
import { startControlPlane } from '../../src/cluster/index.js';
import { loadDefaultConfig } from '../../src/config/load.js';
import { kubectl } from '../harness/cluster/cluster.js';
import { runCli } from '../harness/operator/cli.js';
import { startVolumeWebhookServer } from '../harness/operator/webhook.js';
import { githubAppFixture } from '../harness/remote/github-api/apps.js';
import { startGithubApi } from '../harness/remote/github-api/server.js';
import { withApps } from '../harness/util/app-configs.js';

const cluster = await startControlPlane();
t.teardown(() => cluster.stop());
process.env.ORCHESTRATOR_KUBECTL = JSON.stringify(cluster.kubectl);

// The samples' Apps, named as an install names its own (the shipped config names none), in a config
// file of the same name as the package's.
const config = withApps(loadDefaultConfig());
const NS = 'orchestrator-system';
const dir = mkdtempSync(join(tmpdir(), 'doctor-'));
const configFile = join(dir, 'controller-config.yaml');
writeFileSync(configFile, stringify(config));
const doctor = (more: string[] = []) => runCli(cluster, ['doctor', '--config', configFile, ...more]);
/** The findings of one check, as printed. */
const linesOf = (stdout: string, check: string) =>
  stdout.split('\n').filter((l) => l.includes(`] ${check}: `));

// The webhook server the install points at: a CA of our own, a serving certificate for 127.0.0.1.
const ca = await createAuthority();
const serving = await ca.issueServing({ commonName: 'orchestrator-webhook', ipAddresses: ['127.0.0.1'] });
writeFileSync(join(dir, 'tls.crt'), serving.certPem);
writeFileSync(join(dir, 'tls.key'), serving.keyPem);
writeFileSync(join(dir, 'ca.crt'), ca.certPem);
const server = await startVolumeWebhookServer(dir, new Registry(), pino({ level: 'silent' }));
t.teardown(() => server.close());
const webhookUrl = `https://127.0.0.1:${server.port}`;
/** An App's key Secret, as the github-apps finding's fix creates it, the key from `pemFile`. */
const createAppSecret = (app: string, pemFile: string) =>
  kubectl(cluster, [
    '-n',
    NS,
    'create',
    'secret',
    'generic',
    `github-app-${app.toLowerCase()}`,
    '--from-literal=app-id=12345',
    `--from-file=private-key=${pemFile}`,
  ]);
const install = async (caFile: string) => {
  const res = await runCli(cluster, ['install', '--webhook-url', webhookUrl, '--ca-file', caFile]);
  if (res.code !== 0) throw new Error(`install: ${res.stderr}`);
};

t.test('an empty cluster: the CRDs and webhooks missing, exit 1', async (t) => {
  const res = await doctor();
  t.equal(res.code, 1, res.stdout);
  t.match(res.stdout, /^checking against the controller config of \S+controller-config.yaml\n/);
  for (const crd of ['agenttaskruns', 'coderuns', 'docsruns'])
    t.match(
      res.stdout,
      `[ERROR] crds: the CRD ${crd}.orchestrator.io is not installed\n        fix: orchestrator install`,
    );
  t.match(
    res.stdout,
    '[ERROR] webhooks: the MutatingWebhookConfiguration orchestrator-mutating is not installed',
  );
  t.match(
    res.stdout,
    /\[ERROR\] rbac: system:serviceaccount:orchestrator-system:orchestrator may not list agenttaskruns\.orchestrator\.io/,
  );
  t.match(res.stdout, /\[ERROR\] agent-sandbox: default lacks ServiceAccount orchestrator-agent/);
  t.match(res.stdout, /problem\(s\) to fix\n$/);
});

t.test("installed: what is left is the model key and the Apps' keys, each with its command", async (t) => {
  await install(join(dir, 'ca.crt'));
  const res = await doctor();
  t.equal(res.code, 1, res.stdout);
  t.same(
    linesOf(res.stdout, 'crds').filter((l) => !l.startsWith('[ok]')),
    [],
    'CRDs fine',
  );
  t.same(
    linesOf(res.stdout, 'rbac').filter((l) => !l.startsWith('[ok]')),
    [],
    'RBAC fine',
  );
  t.same(
    linesOf(res.stdout, 'webhooks').filter((l) => !l.startsWith('[ok]')),
    [],
    res.stdout,
  );
  t.match(
    res.stdout,
    /\[ok\] webhook-call: the webhooks answered a TaskRun in default|\[ok\] webhook-call: the apiserver called the webhooks/,
  );
  t.same(linesOf(res.stdout, 'agent-sandbox'), ['[ok] agent-sandbox: the agent sandbox is in default']);
  // The shipped config has the gateway on: the one model key is the platform's, in the operator's namespace.
  const key = config.gateway.upstream.apiKey;
  t.match(
    res.stdout,
    `[ERROR] model-key: the Secret ${NS}/${key.name} does not exist: the gateway refuses every model call (gateway.upstream.apiKey)\n        fix: kubectl -n ${NS} create secret generic ${key.name} --from-file=${key.key}=<a file holding the model API key>`,
  );
  t.notMatch(res.stdout, 'default/orchestrator-secrets', 'no namespace of runs needs a model key');
  for (const app of config.githubApps ?? [])
    t.match(
      res.stdout,
      `[ERROR] github-apps: GitHub App ${app}: the Secret ${NS}/github-app-${app.toLowerCase()} does not exist`,
    );
});

t.test('the keys put in place: no problem, exit 0; no value printed', async (t) => {
  const key = config.gateway.upstream.apiKey;
  const modelKey = 'sk-ant-doctor-never-printed';
  writeFileSync(join(dir, 'model-key'), modelKey);
  await kubectl(cluster, [
    '-n',
    NS,
    'create',
    'secret',
    'generic',
    key.name,
    `--from-file=${key.key}=${join(dir, 'model-key')}`,
  ]);
  const apps = config.githubApps ?? [];
  // The manager reads the Apps' key Secrets by name: the Role `npm run generate` writes from the
  // config naming them (the shipped config names none, so the install grants none).
  const role = await kubectl(
    cluster,
    ['apply', '-f', '-'],
    appKeysRole(stringify(config), 'the Apps of the test config'),
  );
  t.equal(role.code, 0, role.stderr);
  const appKey = (await createAuthority()).keyPem;
  writeFileSync(join(dir, 'app.pem'), appKey);
  for (const [i, app] of apps.entries()) {
    // The first App's key is not a key: named, never printed.
    writeFileSync(join(dir, `app-${i}.pem`), i === 0 ? 'not a key' : appKey);
    await createAppSecret(app, join(dir, `app-${i}.pem`));
  }
  let res = await doctor();
  t.equal(res.code, 1, res.stdout);
  t.same(
    res.stdout.split('\n').filter((l) => l.startsWith('[ERROR]')),
    [
      `[ERROR] github-apps: GitHub App ${apps[0]}: ${NS}/github-app-${apps[0]?.toLowerCase()} key private-key is not a PEM private key`,
    ],
  );
  await kubectl(cluster, ['-n', NS, 'delete', 'secret', `github-app-${apps[0]?.toLowerCase()}`]);
  await createAppSecret(apps[0] as string, join(dir, 'app.pem'));
  res = await doctor();
  t.equal(res.code, 0, res.stdout);
  t.match(res.stdout, 'no problem found\n');
  t.notMatch(res.stdout, modelKey);
  t.notMatch(res.stdout, 'PRIVATE KEY');
});

t.test(
  'an upgraded install: a model key left in a namespace of runs is named, with its deletion',
  async (t) => {
    // As an install from before the gateway left it: secrets.apiKey in the namespace of runs.
    const old = config.secrets.apiKey as { name: string; key: string };
    const leftover = 'sk-ant-doctor-leftover-never-printed';
    await kubectl(cluster, [
      '-n',
      'default',
      'create',
      'secret',
      'generic',
      old.name,
      `--from-literal=${old.key}=${leftover}`,
    ]);
    let res = await doctor();
    t.equal(res.code, 0, `a warning, not a failure: ${res.stdout}`);
    t.same(
      linesOf(res.stdout, 'model-key').filter((l) => l.startsWith('[WARN]')),
      [
        `[WARN] model-key: default/${old.name} still holds a model key (secrets.apiKey, from before the gateway): no agent reads it while gateway.enabled is true; delete it, unless runs' envFromSecrets use its other keys`,
      ],
    );
    t.match(res.stdout, `fix: kubectl -n default delete secret ${old.name}`);
    t.notMatch(res.stdout, leftover);
    await kubectl(cluster, ['-n', 'default', 'delete', 'secret', old.name]);
    res = await doctor();
    t.same(
      linesOf(res.stdout, 'model-key').filter((l) => !l.startsWith('[ok]')),
      [],
      'nothing left',
    );
  },
);

t.test("each App's installation on the repositories given, asked of the GitHub stand-in", async (t) => {
  const [rex, morgan] = config.githubApps ?? [];
  t.ok(rex && morgan, 'the config names two Apps');
  // rex's Secret holds the stand-in App's id and key; morgan's key is a key, but not that App's.
  const app = githubAppFixture();
  const github = await startGithubApi(t, app.routes);
  writeFileSync(join(dir, 'standin.pem'), app.privateKey);
  await kubectl(cluster, ['-n', NS, 'delete', 'secret', `github-app-${String(rex).toLowerCase()}`]);
  const created = await kubectl(cluster, [
    ...['-n', NS, 'create', 'secret', 'generic', `github-app-${String(rex).toLowerCase()}`],
    `--from-literal=app-id=${app.appId}`,
    `--from-file=private-key=${join(dir, 'standin.pem')}`,
  ]);
  t.equal(created.code, 0, created.stderr);
  const ask = () => doctor(['--repository', 'acme/payments', '--github-api-url', github.url]);

  const morganKey = `${NS}/github-app-${String(morgan).toLowerCase()}`;
  let res = await ask();
  t.equal(res.code, 1, res.stdout);
  t.same(linesOf(res.stdout, 'github-installations'), [
    `[ERROR] github-installations: GitHub App ${rex} is not installed on acme/payments (GitHub answers 404 for its installation there): its runs on acme/payments get no token`,
    `[ERROR] github-installations: GitHub App ${morgan}: the private key in ${morganKey} is not an RSA key, and GitHub signs App JWTs with RS256 only`,
  ]);
  // An RSA key, but not the App's: GitHub refuses the JWT.
  const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    type: 'pkcs1',
    format: 'pem',
  });
  writeFileSync(join(dir, 'foreign.pem'), foreign);
  await kubectl(cluster, ['-n', NS, 'delete', 'secret', `github-app-${String(morgan).toLowerCase()}`]);
  await createAppSecret(String(morgan), join(dir, 'foreign.pem'));
  res = await ask();
  t.equal(
    linesOf(res.stdout, 'github-installations')[1],
    `[ERROR] github-installations: GitHub App ${morgan}: GitHub refused its JWT (401): the App ID or private key in ${morganKey} is not ${morgan}'s`,
  );
  t.match(
    res.stdout,
    `fix: install it on acme/payments: https://github.com/apps/${String(rex).toLowerCase()}/installations/new`,
  );

  // Installed on acme, but on other repositories only: still not on acme/payments.
  app.installations.set('acme', { id: 31, repositories: ['widgets'] });
  res = await ask();
  t.match(
    linesOf(res.stdout, 'github-installations')[0],
    `GitHub App ${rex} is not installed on acme/payments`,
  );

  app.installations.set('acme', { id: 31, repositories: ['widgets', 'payments'] });
  res = await ask();
  t.equal(
    linesOf(res.stdout, 'github-installations')[0],
    `[ok] github-installations: GitHub App ${rex} is installed on acme/payments (installation 31)`,
  );
  t.notMatch(res.stdout, 'PRIVATE KEY');
  t.same(github.unmatched, [], 'every call was one of the stand-in routes');

  t.match(
    (await doctor(['--repository', 'not a repository'])).stderr,
    /--repository: "not a repository" is not owner\/repo/,
  );
  t.equal(linesOf((await doctor()).stdout, 'github-installations').length, 0, 'no repository: not asked');
});

t.test("the manager's binding removed: its missing permissions named", async (t) => {
  await kubectl(cluster, ['delete', 'clusterrolebinding', 'orchestrator-manager']);
  const res = await doctor();
  t.equal(res.code, 1);
  const rbac = linesOf(res.stdout, 'rbac');
  t.equal(rbac.length, 1, rbac.join('\n'));
  t.match(
    rbac[0],
    // list, get and watch of runs, get of Jobs and list of pods come from the REST API's role too:
    // what is left is named.
    /may not update agenttaskruns\/status\.orchestrator\.io.*list jobs\.batch.*watch pods.*create events.*\(the ClusterRole orchestrator-manager in default of config\/rbac/,
  );
  t.match(res.stdout, 'fix: kubectl apply -k config/rbac');
  await install(join(dir, 'ca.crt'));
  t.equal((await doctor()).code, 0);
});

t.test("a caBundle that is not the serving certificate's CA: the apiserver's x509 error", async (t) => {
  const other = await createAuthority('another-ca');
  writeFileSync(join(dir, 'other-ca.crt'), other.certPem);
  await install(join(dir, 'other-ca.crt'));
  const res = await doctor();
  t.equal(res.code, 1);
  t.match(
    res.stdout,
    /\[ERROR\] webhook-call: the apiserver cannot call the webhooks: .*failed calling webhook.*x509/,
  );
  t.match(res.stdout, 'a certificate error means the caBundle is not the CA of the serving certificate');
  t.same(
    linesOf(res.stdout, 'webhooks').filter((l) => !l.startsWith('[ok]')),
    [],
    'the bundle itself is a valid CA',
  );
  // The chart's helm test runs this check alone: its exit says it, and no other check ran.
  const alone = await doctor(['--check', 'webhook-call']);
  t.equal(alone.code, 1, alone.stdout);
  t.same(
    [...new Set([...alone.stdout.matchAll(/^\[\w+\] ([\w-]+): /gm)].map((m) => m[1]))],
    ['webhook-call'],
    'only the check named ran',
  );
  const unknown = await doctor(['--check', 'webhook']);
  t.equal(unknown.code, 1);
  t.match(
    unknown.stderr,
    /--check: "webhook" is no check; the checks are crds, crd-names, rbac, webhooks, webhook-call/,
  );
});

t.test('an expired CA in the caBundle', async (t) => {
  // Valid for half an hour from an hour ago (createAuthority backdates by an hour): expired.
  const expired = await createAuthority('expired-ca', 0.02);
  writeFileSync(join(dir, 'expired-ca.crt'), expired.certPem);
  await install(join(dir, 'expired-ca.crt'));
  const res = await doctor();
  t.equal(res.code, 1);
  const hooks = linesOf(res.stdout, 'webhooks');
  t.equal(hooks.length, 2, 'one line per configuration, not per webhook');
  t.match(
    hooks[0],
    /\[ERROR\] webhooks: MutatingWebhookConfiguration orchestrator-mutating: \S+ the caBundle's CA expired on /,
  );
  await install(join(dir, 'ca.crt'));
});

t.test("the agent sandbox's NetworkPolicy deleted", async (t) => {
  await kubectl(cluster, ['-n', 'default', 'delete', 'networkpolicy', 'orchestrator-agent']);
  const res = await doctor();
  t.equal(res.code, 1);
  t.match(
    res.stdout,
    "[ERROR] agent-sandbox: default lacks NetworkPolicy orchestrator-agent: agents' pods run without their network rules\n        fix: orchestrator install -n default",
  );
});

t.test('NetworkPolicy enforcement: not known without an engine, named when its DaemonSet runs', async (t) => {
  let res = await doctor();
  t.match(linesOf(res.stdout, 'network-policy'), [
    /^\[WARN\] network-policy: no NetworkPolicy engine known to the operator .* runs as a DaemonSet/,
  ]);
  t.match(res.stdout, /network-policy: .*\n {8}fix: a CNI that enforces NetworkPolicies/);
  const calico = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'calico-node', namespace: 'kube-system' },
    spec: {
      selector: { matchLabels: { k8s: 'calico-node' } },
      template: {
        metadata: { labels: { k8s: 'calico-node' } },
        spec: { containers: [{ name: 'calico-node', image: 'docker.io/calico/node:v3.29.0' }] },
      },
    },
  };
  t.equal((await kubectl(cluster, ['apply', '-f', '-'], JSON.stringify(calico))).code, 0);
  t.teardown(() => kubectl(cluster, ['-n', 'kube-system', 'delete', 'daemonset', 'calico-node']));
  res = await doctor();
  t.same(linesOf(res.stdout, 'network-policy'), [
    '[ok] network-policy: NetworkPolicies are enforced by Calico (DaemonSet kube-system/calico-node)',
  ]);
});

t.test("the agent image: on a node's status.images, on none yet, or on none and never pulled", async (t) => {
  const image = config.agents.rex?.image as string;
  let res = await doctor();
  t.match(linesOf(res.stdout, 'agent-image'), [
    new RegExp(
      `^\\[WARN\\] agent-image: ${image.replaceAll('.', '\\.')} \\(agents rex, .*\\) is on no node yet`,
    ),
  ]);
  t.match(res.stdout, `fix: kubectl run orchestrator-image-check --image=${image} --restart=Never`);
  // A node whose kubelet reports the image (status.images, as kubelets write it).
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'doctor-images' } };
  t.equal((await kubectl(cluster, ['apply', '-f', '-'], JSON.stringify(node))).code, 0);
  t.teardown(() => kubectl(cluster, ['delete', 'node', 'doctor-images']));
  const status = { status: { images: [{ names: [image], sizeBytes: 1000 }] } };
  const patched = await kubectl(cluster, [
    'patch',
    'node',
    'doctor-images',
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify(status),
  ]);
  t.equal(patched.code, 0, patched.stderr);
  res = await doctor();
  t.match(linesOf(res.stdout, 'agent-image'), [
    /^\[ok\] agent-image: \S+ \(agents rex, .*\) is on node doctor-images/,
  ]);

  // Never pulled, and on no node: every pod of those profiles would fail.
  const never = loadDefaultConfig();
  for (const profile of Object.values(never.agents)) {
    profile.image = 'registry.example.com/team/agent:1';
    profile.imagePullPolicy = 'Never';
  }
  const file = join(dir, 'never.yaml');
  writeFileSync(file, stringify(never));
  res = await runCli(cluster, ['doctor', '--config', file]);
  t.equal(res.code, 1);
  t.match(
    res.stdout,
    '[ERROR] agent-image: registry.example.com/team/agent:1 (agents rex, blaze, cleo, tess, cipher, deploy, acceptance, morgan, imagePullPolicy Never) is on no node: their pods fail with ErrImageNeverPull\n        fix: load it onto the nodes (kind: kind load docker-image registry.example.com/team/agent:1)',
  );
});

t.test("the installed Deployment's config and ServiceAccount (a chart's serviceAccount.name)", async (t) => {
  const manifests = stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'orchestrator-config-doctor', namespace: NS },
        data: { 'controller-config.yaml': stringify(config) },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'orchestrator', namespace: NS },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: 'doctor-deployment' } },
          template: {
            metadata: { labels: { app: 'doctor-deployment' } },
            spec: {
              serviceAccountName: 'platform-orchestrator',
              containers: [{ name: 'manager', image: 'registry.example.com/orchestrator:1' }],
              volumes: [{ name: 'config', configMap: { name: 'orchestrator-config-doctor' } }],
            },
          },
        },
      },
    ],
  });
  const applied = await kubectl(cluster, ['apply', '-f', '-'], manifests);
  t.equal(applied.code, 0, applied.stderr);
  t.teardown(() => kubectl(cluster, ['delete', '-f', '-', '--ignore-not-found'], manifests));
  const res = await runCli(cluster, ['doctor', '--check', 'rbac']);
  t.match(
    res.stdout,
    `checking against the controller config of ConfigMap ${NS}/orchestrator-config-doctor\n`,
  );
  t.match(
    res.stdout,
    new RegExp(`^\\[(ok|ERROR)\\] rbac: system:serviceaccount:${NS}:platform-orchestrator `, 'm'),
    'the permissions asked for are those of the ServiceAccount the pods run as',
  );
});
