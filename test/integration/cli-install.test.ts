// `install` / `uninstall` on a control plane of this file's own (uninstall deletes the CRDs, which every
// other test file needs): the clear error before install, a dry run, URL and service webhooks, and an
// uninstall that gets past runs whose finalizer no controller will remove.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createAuthority } from '../../src/certs/authority.js';
import { startControlPlane } from '../../src/cluster/index.js';
import { kubectl } from '../harness/cluster/cluster.js';
import { runCli } from '../harness/operator/cli.js';
import { waitFor } from '../harness/util/wait.js';

const cluster = await startControlPlane();
t.teardown(() => cluster.stop());
// install runs this cluster's kubectl, named the way a user would point it at another one.
process.env.ORCHESTRATOR_KUBECTL = JSON.stringify(cluster.kubectl);

const CRDS_MISSING =
  'error: the orchestrator.io CRDs are not installed in this cluster: run `orchestrator install`\n';
const webhook = async () =>
  JSON.parse(
    (
      await kubectl(cluster, [
        'get',
        'validatingwebhookconfiguration',
        'orchestrator-validating',
        '-o',
        'json',
      ])
    ).stdout,
  );

/** The agents' ServiceAccount of the install's namespace of runs (the context's: default). */
const agentAccount = () => kubectl(cluster, ['get', 'serviceaccount', 'orchestrator-agent', '-n', 'default']);
/** The clusterAccess agents' apiserver policy in that namespace, as kubectl returns it. */
const apiserverPolicy = () =>
  kubectl(cluster, ['get', 'networkpolicy', 'orchestrator-agent-apiserver', '-n', 'default', '-o', 'json']);

t.test('before install: every cluster command says the CRDs are missing', async (t) => {
  for (const args of [['get'], ['describe', 'ocr', 'x'], ['retry', 'otr', 'x'], ['wait', 'odr', 'x']]) {
    const res = await runCli(cluster, args);
    t.equal(res.code, 1, args.join(' '));
    t.equal(res.stderr, CRDS_MISSING, args.join(' '));
  }
});

t.test('install --dry-run changes nothing', async (t) => {
  const res = await runCli(cluster, ['install', '--dry-run']);
  t.equal(res.code, 0, res.stderr);
  t.match(
    res.stdout,
    /customresourcedefinition\.apiextensions\.k8s\.io\/agenttaskruns\.orchestrator\.io created \(dry run\)/,
  );
  t.match(
    res.stdout,
    /validatingwebhookconfiguration\.admissionregistration\.k8s\.io\/orchestrator-validating created \(dry run\)/,
  );
  t.match(res.stdout, /networkpolicy\.networking\.k8s\.io\/orchestrator-agent-apiserver created \(dry run\)/);
  t.equal((await runCli(cluster, ['get'])).stderr, CRDS_MISSING);
  t.match((await apiserverPolicy()).stderr, /NotFound/, 'no apiserver policy either');
});

t.test('install with --webhook-url, then with service webhooks', async (t) => {
  const ca = await createAuthority();
  const caFile = join(mkdtempSync(join(tmpdir(), 'cli-install-')), 'ca.crt');
  writeFileSync(caFile, ca.certPem);
  const noCa = await runCli(cluster, ['install', '--webhook-url', 'https://127.0.0.1:9443']);
  t.equal(noCa.code, 1);
  t.match(noCa.stderr, 'error: --webhook-url and --ca-file go together');

  const res = await runCli(cluster, [
    'install',
    '--webhook-url',
    'https://127.0.0.1:9443',
    '--ca-file',
    caFile,
  ]);
  t.equal(res.code, 0, res.stderr);
  t.match(res.stdout, 'CRDs installed and established\n');
  t.match(res.stdout, /namespace\/orchestrator-system serverside-applied/);
  t.match(res.stdout, /serviceaccount\/\S+ serverside-applied/);
  // The agent sandbox, in the namespace of runs (the context's: default).
  t.match(res.stdout, /serviceaccount\/orchestrator-agent serverside-applied/);
  t.match(res.stdout, /networkpolicy\.networking\.k8s\.io\/orchestrator-agent serverside-applied/);
  const installed = await agentAccount();
  t.equal(installed.code, 0, installed.stderr);
  // The apiserver policy, from this apiserver's own addresses: its Service's and its endpoints'.
  t.match(res.stdout, /networkpolicy\.networking\.k8s\.io\/orchestrator-agent-apiserver serverside-applied/);
  const service = JSON.parse((await kubectl(cluster, ['get', 'service', 'kubernetes', '-o', 'json'])).stdout);
  const policy = await apiserverPolicy();
  t.equal(policy.code, 0, policy.stderr);
  const peers = JSON.parse(policy.stdout).spec.egress.flatMap(
    (rule: { to: { ipBlock: { cidr: string } }[] }) => rule.to.map((peer) => peer.ipBlock.cidr),
  );
  t.ok(peers.includes(`${service.spec.clusterIP}/32`), `the Service's address among ${peers}`);
  t.match(
    res.stdout,
    /validatingwebhookconfiguration\.admissionregistration\.k8s\.io\/orchestrator-validating serverside-applied/,
  );
  const byUrl = await webhook();
  t.equal(byUrl.webhooks[0].clientConfig.url, 'https://127.0.0.1:9443/validate-orchestrator-io-v1-taskrun');
  t.equal(byUrl.webhooks[0].clientConfig.caBundle, Buffer.from(ca.certPem).toString('base64'));
  const get = await runCli(cluster, ['get', '-A']);
  t.equal(get.code, 0, get.stderr);
  t.equal(get.stderr, 'No resources found\n');

  const again = await runCli(cluster, ['install']);
  t.equal(again.code, 0, again.stderr);
  const byService = await webhook();
  t.match(byService.webhooks[0].clientConfig, {
    service: { name: 'orchestrator-webhook', namespace: 'orchestrator-system' },
  });
  t.notOk(byService.webhooks[0].clientConfig.url, 'the URL is gone');
});

t.test(
  'uninstall needs --yes, deletes the runs (their finalizer too, with no controller) and the CRDs',
  async (t) => {
    // No webhook server runs here: remove the configurations so that a run can be created.
    await kubectl(cluster, [
      'delete',
      'validatingwebhookconfiguration,mutatingwebhookconfiguration',
      '-l',
      'app.kubernetes.io/name=orchestrator',
    ]);
    const run = {
      apiVersion: 'orchestrator.io/v1',
      kind: 'DocsRun',
      metadata: { name: 'stuck', namespace: 'default', finalizers: ['docsrun.orchestrator.io/cleanup'] },
      spec: {
        githubApp: '5DLabs-Morgan',
        repositoryUrl: 'https://github.com/acme/docs',
        workingDirectory: 'docs',
      },
    };
    const created = await kubectl(cluster, ['create', '-f', '-'], JSON.stringify(run));
    t.equal(created.code, 0, created.stderr);

    const refused = await runCli(cluster, ['uninstall']);
    t.equal(refused.code, 1);
    t.match(
      refused.stderr,
      /deletes the orchestrator\.io CRDs and with them every TaskRun, CodeRun and DocsRun .*--yes/,
    );
    t.equal((await runCli(cluster, ['get', 'odr', 'stuck', '-n', 'default'])).code, 0, 'nothing was deleted');

    const res = await runCli(cluster, ['uninstall', '--yes', '--timeout', '1s']);
    t.equal(res.code, 0, res.stderr);
    t.match(res.stdout, 'deleting 1 run(s)');
    t.match(
      res.stderr,
      'warning: removed the cleanup finalizer from 1 run(s) no controller cleaned up within 1s',
    );
    t.match(
      res.stdout,
      /customresourcedefinition\.apiextensions\.k8s\.io "agenttaskruns\.orchestrator\.io" deleted/,
    );
    // The apiserver's discovery drops a deleted CRD's kind a moment after the CRD is gone.
    const gone = await waitFor('discovery to serve none of the kinds', async (note) => {
      const { stderr } = await runCli(cluster, ['get']);
      note(stderr);
      return !/ missing\)$/.test(stderr.trim()) && stderr;
    });
    t.equal(gone, CRDS_MISSING);
    t.match((await agentAccount()).stderr, /NotFound/, 'the agent sandbox is gone too');
    t.match((await apiserverPolicy()).stderr, /NotFound/, 'and the apiserver policy');
  },
);
