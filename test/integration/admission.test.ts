// The admission webhooks, registered with the real apiserver and driven with kubectl as users do.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { promptTaskId } from '../../src/api/index.js';
import { defaultGithubApp } from '../../src/cli/task-defaults.js';
import { configFrom, loadDefaultConfig } from '../../src/config/load.js';
import { packageRoot } from '../../src/util/package-root.js';
import { type CommandResult, kubectl, testCluster } from '../harness/cluster/cluster.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import { runCli } from '../harness/operator/cli.js';
import { routedNamespace, startTestWebhooks } from '../harness/operator/webhook.js';
import { withApps } from '../harness/util/app-configs.js';
import { sampleSum } from '../harness/util/prometheus-text.js';

const cluster = await testCluster();
await ensureCrds(cluster);
// A run may ask for a workspace up to 50Gi here (the shipped config allows only its own 10Gi), so that
// a user-set size is shown kept (src/admission/rules/workspace.ts judges the bound).
// The samples' Apps named as an install names its own (the shipped config names none).
const shipped = withApps(loadDefaultConfig());
const webhooks = await startTestWebhooks(t, cluster, {
  config: configFrom({ ...shipped, workspace: { ...shipped.workspace, maxSize: '50Gi' } }),
});
const samples = join(packageRoot(), 'config', 'samples');

const namespace = (t: Test): Promise<string> => routedNamespace(t, cluster, webhooks);

const apply = (ns: string, file: string, extra: string[] = []): Promise<CommandResult> =>
  kubectl(cluster, ['apply', '-n', ns, '-f', file, ...extra]);

/** Applies the TaskRun sample with extra spec lines (YAML, indented under spec). */
const applySampleWith = (ns: string, specLines: string): Promise<CommandResult> =>
  kubectl(
    cluster,
    ['apply', '-n', ns, '-f', '-'],
    readFileSync(join(samples, 'taskrun.yaml'), 'utf8').replace(
      'serviceName: payments',
      `serviceName: payments\n${specLines}`,
    ),
  );

const getJson = async (ns: string, resource: string) => {
  const res = await kubectl(cluster, ['get', resource, '-n', ns, '-o', 'json']);
  if (res.code !== 0) throw new Error(res.stderr);
  return JSON.parse(res.stdout);
};

for (const file of readdirSync(join(samples, 'invalid')).sort()) {
  t.test(`kubectl apply of invalid/${file} prints the denial with the field path`, async (t) => {
    const path = join(samples, 'invalid', file);
    const expected = /^# expect: (.*)$/m.exec(readFileSync(path, 'utf8'))?.[1];
    t.ok(expected, 'the sample says what it expects');
    const ns = await namespace(t);
    const res = await apply(ns, path);
    t.not(res.code, 0, 'kubectl apply fails');
    t.match(res.stderr, new RegExp(expected as string));
    t.equal(
      (await kubectl(cluster, ['get', 'otr,ocr,odr', '-n', ns, '-o', 'name'])).stdout,
      '',
      'nothing was stored',
    );
  });
}

t.test('a minimal TaskRun is stored with every default, label and the finalizer', async (t) => {
  const ns = await namespace(t);
  const res = await apply(ns, join(samples, 'taskrun.yaml'));
  t.equal(res.code, 0, res.stderr);
  const tr = await getJson(ns, 'otr/payments-task-7');
  t.match(tr.spec, {
    agent: 'rex',
    priority: 'standard',
    retryAttempt: 1,
    model: 'claude-sonnet-5-5',
    image: 'ghcr.io/5dlabs/orchestrator-agent:0.1.0',
    serviceAccountName: 'orchestrator-agent',
    workspace: { pvcName: 'workspace-payments', size: '10Gi' },
    resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
  });
  t.match(tr.metadata.labels, {
    'app.kubernetes.io/managed-by': 'orchestrator',
    'orchestrator.io/task-id': '7',
    'orchestrator.io/service': 'payments',
    'orchestrator.io/agent': 'rex',
    'orchestrator.io/priority': 'standard',
  });
  t.same(tr.metadata.finalizers, ['taskrun.orchestrator.io/cleanup']);
});

t.test(
  'a TaskRun of a prompt and a repository: its service and task id derived, applied again unchanged',
  async (t) => {
    const ns = await namespace(t);
    const file = join(samples, 'taskrun-prompt.yaml');
    const res = await apply(ns, file);
    t.equal(res.code, 0, res.stderr);
    const tr = await getJson(ns, 'otr/fix-flaky-payment-test');
    const taskId = promptTaskId('Fix the flaky payment test.', 'https://github.com/acme/payments', 'main');
    t.match(tr.spec, {
      repository: { url: 'https://github.com/acme/payments', branch: 'main' },
      serviceName: 'payments',
      taskId,
      workspace: { pvcName: 'workspace-payments' },
    });
    t.match(tr.metadata.labels, {
      'orchestrator.io/task-id': String(taskId),
      'orchestrator.io/service': 'payments',
    });
    const again = await apply(ns, file);
    t.equal(
      again.stdout.trim(),
      'taskrun.orchestrator.io/fix-flaky-payment-test unchanged',
      'GitOps sees no drift',
    );
  },
);

t.test('CodeRun and DocsRun get their agent defaults and finalizers', async (t) => {
  const ns = await namespace(t);
  t.equal((await apply(ns, join(samples, 'coderun.yaml'))).code, 0);
  t.equal((await apply(ns, join(samples, 'docsrun.yaml'))).code, 0);
  const cr = await getJson(ns, 'ocr/payments-task-7-rex');
  t.match(cr.spec, {
    model: 'claude-sonnet-5-5',
    serviceAccountName: 'orchestrator-agent',
    contextVersion: 1,
  });
  t.same(cr.metadata.finalizers, ['coderun.orchestrator.io/cleanup']);
  t.equal(cr.metadata.labels['orchestrator.io/agent'], 'rex');
  const dr = await getJson(ns, 'odr/payments-docs');
  t.equal(dr.spec.model, 'claude-opus-5-5', 'the morgan profile model');
  t.same(dr.metadata.finalizers, ['docsrun.orchestrator.io/cleanup']);
});

// Seed 001's TaskRun example, as its document writes it (its namespace left to -n; its status, which
// a create does not store, kept as the seed has it).
const SEED_TASKRUN = `apiVersion: orchestrator.io/v1
kind: TaskRun
metadata:
  name: auth-service-task-1001
  labels:
    task-id: "1001"
    service: "auth-service"
    priority: "high"
spec:
  taskId: 1001
  serviceName: "auth-service"
  priority: "high"
  markdownFiles:
    - filename: "task.md"
      content: "# Task Implementation Details..."
      fileType: "task"
    - filename: "design-spec.md"
      content: "# Service Design Specification..."
      fileType: "design-spec"
    - filename: "prompt.md"
      content: "# Autonomous Agent Instructions..."
      fileType: "prompt"
  retryAttempt: 1
status:
  phase: "Running"
`;

t.test("seed 001's TaskRun, as the seed writes it, is stored with its fields and labelled", async (t) => {
  const ns = await namespace(t);
  const res = await kubectl(cluster, ['apply', '-n', ns, '-f', '-'], SEED_TASKRUN);
  t.equal(res.code, 0, res.stderr);
  const tr = await getJson(ns, 'otr/auth-service-task-1001');
  t.match(tr.spec, {
    taskId: 1001,
    serviceName: 'auth-service',
    priority: 'high',
    retryAttempt: 1,
    workspace: { pvcName: 'workspace-auth-service' },
  });
  t.same(
    tr.spec.markdownFiles.map((f: { filename: string; fileType: string }) => [f.filename, f.fileType]),
    [
      ['task.md', 'task'],
      ['design-spec.md', 'design-spec'],
      ['prompt.md', 'prompt'],
    ],
  );
  t.match(tr.metadata.labels, {
    'task-id': '1001',
    'orchestrator.io/task-id': '1001',
    'orchestrator.io/service': 'auth-service',
    'orchestrator.io/priority': 'high',
  });
  t.notOk(tr.status?.phase, "the seed's status is not stored: the operator writes it");
});

t.test("a CodeRun with seed 002's fields, camelCase, is stored as given", async (t) => {
  const ns = await namespace(t);
  const seedFields = {
    taskId: 1001,
    service: 'auth-service',
    githubApp: 'acme-rex',
    model: 'claude-opus-5-5',
    continueSession: true,
    serviceAccountName: 'orchestrator-agent',
    env: { FEATURE_FLAGS: 'retry-v2' },
    envFromSecrets: [{ name: 'DB_PASSWORD', secretName: 'auth-db', secretKey: 'password' }],
  };
  const run = {
    apiVersion: 'orchestrator.io/v1',
    kind: 'CodeRun',
    metadata: { name: 'auth-service-t1001-rex' },
    spec: {
      ...seedFields,
      repositoryUrl: 'https://github.com/acme/auth-service.git',
      docsRepositoryUrl: 'https://github.com/acme/auth-service-docs.git',
      workingDirectory: 'services/auth',
    },
  };
  const res = await kubectl(cluster, ['apply', '-n', ns, '-f', '-'], JSON.stringify(run));
  t.equal(res.code, 0, res.stderr);
  const cr = await getJson(ns, 'ocr/auth-service-t1001-rex');
  t.match(cr.spec, seedFields);
  t.match(cr.metadata.labels, {
    'orchestrator.io/task-id': '1001',
    'orchestrator.io/service': 'auth-service',
    'orchestrator.io/github-app': 'acme-rex',
  });
});

t.test('a user-set value is never overwritten', async (t) => {
  const ns = await namespace(t);
  const res = await applySampleWith(
    ns,
    '  agent: cleo\n  priority: high\n  image: registry.local/agent:v2\n  workspace:\n    size: 50Gi',
  );
  t.equal(res.code, 0, res.stderr);
  const tr = await getJson(ns, 'otr/payments-task-7');
  t.match(tr.spec, {
    agent: 'cleo',
    priority: 'high',
    image: 'registry.local/agent:v2',
    workspace: { size: '50Gi', pvcName: 'workspace-payments-cleo' },
    resources: { requests: { cpu: '1', memory: '2Gi' } },
  });
});

t.test('kubectl apply --dry-run=server shows the defaults and creates nothing', async (t) => {
  const ns = await namespace(t);
  const res = await apply(ns, join(samples, 'taskrun.yaml'), ['--dry-run=server', '-o', 'json']);
  t.equal(res.code, 0, res.stderr);
  const shown = JSON.parse(res.stdout);
  t.equal(shown.spec.agent, 'rex');
  t.same(shown.metadata.finalizers, ['taskrun.orchestrator.io/cleanup']);
  const list = await kubectl(cluster, ['get', 'otr', '-n', ns, '-o', 'name']);
  t.equal(list.stdout, '', 'nothing was created');
});

t.test('a lower retryAttempt or a changed taskId is denied on update', async (t) => {
  const ns = await namespace(t);
  const base = readFileSync(join(samples, 'taskrun.yaml'), 'utf8').replace(
    'taskId: 7',
    'taskId: 7\n  retryAttempt: 3',
  );
  t.equal((await kubectl(cluster, ['apply', '-n', ns, '-f', '-'], base)).code, 0);
  const lower = await kubectl(
    cluster,
    ['apply', '-n', ns, '-f', '-'],
    base.replace('retryAttempt: 3', 'retryAttempt: 2'),
  );
  t.not(lower.code, 0);
  t.match(lower.stderr, /spec\.retryAttempt/);
  t.match(lower.stderr, /decrease/);
  const moved = await kubectl(
    cluster,
    ['apply', '-n', ns, '-f', '-'],
    base.replace('taskId: 7', 'taskId: 8'),
  );
  t.not(moved.code, 0);
  t.match(moved.stderr, /spec\.taskId.*immutable/);
  const raised = await kubectl(
    cluster,
    ['apply', '-n', ns, '-f', '-'],
    base.replace('retryAttempt: 3', 'retryAttempt: 4'),
  );
  t.equal(raised.code, 0, 'raising it is fine');
});

t.test('applying the same manifest twice changes nothing, and kubectl diff is empty', async (t) => {
  const ns = await namespace(t);
  const file = join(samples, 'taskrun.yaml');
  t.equal((await apply(ns, file)).code, 0);
  const before = await getJson(ns, 'otr/payments-task-7');
  const again = await apply(ns, file);
  t.match(again.stdout, /unchanged/);
  const after = await getJson(ns, 'otr/payments-task-7');
  t.equal(after.metadata.resourceVersion, before.metadata.resourceVersion, 'no write happened');
  const diff = await kubectl(cluster, ['diff', '-n', ns, '-f', file]);
  t.equal(diff.code, 0, `kubectl diff is empty: ${diff.stdout}${diff.stderr}`);
});

t.test('an unknown model is a warning kubectl prints, not a denial', async (t) => {
  const ns = await namespace(t);
  const res = await applySampleWith(ns, '  model: gpt-imaginary');
  t.equal(res.code, 0, res.stderr);
  t.match(res.stderr, /Warning: spec\.model: "gpt-imaginary" is not one of the configured models/);
});

t.test('org/repo and a model alias are stored explicit; kubectl prints the resolved model', async (t) => {
  const ns = await namespace(t);
  const res = await kubectl(
    cluster,
    ['apply', '-n', ns, '-f', '-'],
    readFileSync(join(samples, 'taskrun.yaml'), 'utf8')
      .replace('serviceName: payments', 'serviceName: payments\n  model: opus')
      .replace(/url: .*/, 'url: acme/payments'),
  );
  t.equal(res.code, 0, res.stderr);
  t.match(
    res.stderr,
    /Warning: spec\.model: "opus" is an alias \(modelAliases in the controller config\): stored as "claude-opus-5-5"/,
  );
  const tr = await getJson(ns, 'otr/payments-task-7');
  t.equal(tr.spec.repository.url, 'https://github.com/acme/payments');
  t.equal(tr.spec.model, 'claude-opus-5-5');
});

/** The App the CLI would take from a cluster running the webhooks' config (src/cli/task-defaults.ts). */
function appFlag(kind: 'CodeRun' | 'DocsRun'): string[] {
  const found = defaultGithubApp(shipped, kind);
  if ('none' in found) throw new Error(`the shipped config has no default App for a ${kind}: ${found.none}`);
  return ['--github-app', found.app];
}

t.test('the CLI: `task code|docs` with org/repo and --model opus, stored normalised', async (t) => {
  const ns = await namespace(t);
  const code = await runCli(
    cluster,
    [
      ...[
        'task',
        'code',
        '1',
        '-s',
        'trader',
        '--repo',
        '5dlabs/platform',
        '--model',
        'opus',
        '--name',
        'code-1',
      ],
      ...appFlag('CodeRun'),
    ],
    { namespace: ns },
  );
  t.equal(code.code, 0, code.stderr);
  const cr = await getJson(ns, 'ocr/code-1');
  t.match(cr.spec, {
    repositoryUrl: 'https://github.com/5dlabs/platform',
    docsRepositoryUrl: 'https://github.com/5dlabs/platform',
    model: 'claude-opus-5-5',
  });
  const dr = await runCli(
    cluster,
    [
      'task',
      'docs',
      '-w',
      '_projects/trader',
      '--repo',
      '5dlabs/platform',
      '--model',
      'opus',
      '--name',
      'docs-1',
      ...appFlag('DocsRun'),
    ],
    { namespace: ns },
  );
  t.equal(dr.code, 0, dr.stderr);
  t.match((await getJson(ns, 'odr/docs-1')).spec, {
    repositoryUrl: 'https://github.com/5dlabs/platform',
    model: 'claude-opus-5-5',
  });
});

t.test('the webhook metrics count what happened', async (t) => {
  const text = await webhooks.registry.metrics();
  // Labelled with the path, as controller-runtime labels its webhooks.
  const mutate = '/mutate-orchestrator-io-v1-taskrun';
  const validate = '/validate-orchestrator-io-v1-taskrun';
  t.ok(sampleSum(text, 'controller_runtime_webhook_requests_total', { webhook: mutate, code: '200' }) > 0);
  t.ok(sampleSum(text, 'controller_runtime_webhook_latency_seconds_count', { webhook: validate }) > 0);
  t.ok(sampleSum(text, 'orchestrator_webhook_denials_total', { webhook: validate, rule: 'known-agent' }) > 0);
  t.equal(sampleSum(text, 'controller_runtime_webhook_panics_total'), 0);
  t.equal(sampleSum(text, 'certwatcher_read_certificate_total'), 1, 'the serving pair, read at start');
  t.equal(sampleSum(text, 'certwatcher_read_certificate_errors_total'), 0);
  t.ok(
    sampleSum(text, 'orchestrator_webhook_certificate_expiration_timestamp_seconds') > Date.now() / 1000,
    'the serving certificate expires in the future',
  );
});
