// The user CLI against a real apiserver, called in-process: `task submit` (admission denials printed
// as kubectl prints them), `run -p` (a prompt run, admitted by the webhooks), `task code` / `task docs`
// with --wait following the run to its end while the test plays the Job controller, and `wait` ending on timeout and on Ctrl-C; the GitHub App of `task
// code|docs` from the config of the manager installed in the cluster.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { type ControllerConfig, promptTaskId, RESULT_PROTOCOL, type TaskRun } from '../../src/api/index.js';
import { runPath } from '../../src/cli/kinds.js';
import type { KubeClient } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { runCli, startCli } from '../harness/operator/cli.js';
import { finishJob, testConfig, untilAttemptJob } from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { startTestWebhooks } from '../harness/operator/webhook.js';
import { samplesConfig } from '../harness/util/app-configs.js';
import { scaled, waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();
const { cluster } = suite;
const samples = join(packageRoot(), 'config', 'samples');

/** A config whose Apps are the test's own, whatever the shipped config names. */
const withApps = (c: ControllerConfig) => {
  const apps = { rex: 'Acme-Rex', morgan: 'Acme-Morgan' };
  for (const [agent, app] of Object.entries(apps)) {
    const profile = c.agents[agent];
    if (!profile) throw new Error(`the test config has no agent ${agent}`);
    profile.githubApp = app;
  }
  c.defaultAgent = 'rex';
  if (c.githubApps?.length) c.githubApps = [...new Set([...c.githubApps, ...Object.values(apps)])];
};

/**
 * The manager's config installed as the shipped manifests install it: a ConfigMap that the Deployment
 * `orchestrator` mounts as its `config` volume (no replica: only the objects are read).
 */
async function installConfig(client: KubeClient, namespace: string, config: ControllerConfig) {
  const data = { 'controller-config.yaml': stringify(config) };
  const cm = `/api/v1/namespaces/${namespace}/configmaps`;
  await client
    .request('PUT', `${cm}/orchestrator-config`, {
      body: { metadata: { name: 'orchestrator-config', namespace }, data },
    })
    .catch(() => client.request('POST', cm, { body: { metadata: { name: 'orchestrator-config' }, data } }));
  const labels = { app: 'orchestrator' };
  await client
    .request('POST', `/apis/apps/v1/namespaces/${namespace}/deployments`, {
      body: {
        metadata: { name: 'orchestrator' },
        spec: {
          replicas: 0,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [{ name: 'manager', image: 'orchestrator:test' }],
              volumes: [{ name: 'config', configMap: { name: 'orchestrator-config' } }],
            },
          },
        },
      },
    })
    .catch((err: { status?: number }) => {
      if (err.status !== 409) throw err;
    });
}

t.test(
  'task submit: created lines, generated names, and webhook denials as kubectl prints them',
  async (t) => {
    // An install naming the Apps the samples act as (the shipped config names none).
    const webhooks = await startTestWebhooks(t, cluster, { config: samplesConfig() });
    const namespace = await suite.namespace(t, webhooks.namespaceLabels);
    const ok = await runCli(cluster, ['task', 'submit', '-f', join(samples, 'taskrun.yaml')], { namespace });
    t.equal(ok.code, 0, ok.stderr);
    t.equal(ok.stdout, 'taskrun.orchestrator.io/payments-task-7 created\n');

    const denied = join(samples, 'invalid', 'unknown-agent.yaml');
    const bad = await runCli(cluster, ['task', 'submit', '-f', denied], { namespace });
    t.equal(bad.code, 1);
    t.match(
      bad.stderr,
      new RegExp(
        `^Error from server \\(Invalid\\): error when creating "${denied}": admission webhook "[a-z]+\\.orchestrator\\.io" denied the request: .*spec\\.agent: Unsupported value: "bob"`,
      ),
    );

    // Two documents from standard input, neither named: each gets a generated name.
    const code = readFileSync(join(samples, 'coderun.yaml'), 'utf8').replace(/ {2}name: .*\n/, '');
    const docs = readFileSync(join(samples, 'docsrun.yaml'), 'utf8').replace(/ {2}name: .*\n/, '');
    const multi = await runCli(cluster, ['task', 'submit', '-f', '-'], {
      namespace,
      stdin: `${code}---\n${docs}`,
    });
    t.equal(multi.code, 0, multi.stderr);
    t.match(
      multi.stdout,
      /^coderun\.orchestrator\.io\/payments-task-7-[a-z0-9]{5} created\ndocsrun\.orchestrator\.io\/docs-projects-payments-[a-z0-9]{5} created\n$/,
    );
  },
);

t.test('task code --wait: progress lines, a summary, exit 0 when the Job completes', async (t) => {
  const config = testConfig(withApps);
  const op = await suite.start(t, config);
  const { namespace } = op;
  await installConfig(op.client, namespace, config);
  const { io, done } = startCli(
    cluster,
    [
      'task',
      'code',
      '7',
      '--service',
      'payments',
      '--name',
      'pay-7',
      '--repository-url',
      'https://github.com/acme/payments.git',
      '--docs-project-directory',
      'projects/payments',
      '--operator-namespace',
      namespace,
      '--wait',
      '--timeout',
      `${scaled(120)}s`,
    ],
    { namespace },
  );
  const job = await untilAttemptJob(op.client, namespace, 'CodeRun', 'pay-7');
  t.match(job, /^payments-rex-task-7-v1-[0-9a-f]{8}$/);
  await waitFor('a Running line', () => io.stdout().includes('Running'));
  await finishJob(op.client, namespace, job, 'Complete');
  t.equal(await done, 0, io.stderr());
  const out = io.stdout();
  t.match(out, /^coderun\.orchestrator\.io\/pay-7 created\n/);
  t.match(out, new RegExp(`\\n\\d\\d:\\d\\d:\\d\\d Pending +attempt 1: Job ${job}\\n`));
  t.match(out, /\n\d\d:\d\d:\d\d Pending +JobCreated=True \(Created\)/);
  t.match(out, /\n\d\d:\d\d:\d\d Running +Succeeded=Unknown \(AgentRunning\) attempt 1 is running \(pod /);
  t.match(out, /\n\d\d:\d\d:\d\d Succeeded Succeeded=True \(JobSucceeded\) attempt 1 succeeded\n/);
  t.match(
    out,
    new RegExp(
      `\\nCodeRun pay-7 succeeded\\n {2}Phase: +Succeeded\\n {2}Attempt: +1\\n {2}Duration: +\\d+s\\n {2}Job: +${job}\\n`,
    ),
  );
  t.notOk(out.includes('\u001b['), 'no terminal codes when stdout is not a TTY');
});

t.test(
  'run -p: a TaskRun from a prompt and a repository, the rest derived at admission, followed to its pull request',
  async (t) => {
    const config = testConfig(withApps);
    const webhooks = await startTestWebhooks(t, cluster, { config });
    const op = await suite.start(t, config, { namespaceLabels: webhooks.namespaceLabels });
    const { namespace } = op;
    const prompt = 'Fix the flaky payment test.';
    const args = ['run', '-p', prompt, '--repo', 'acme/Payments', '--wait', '--timeout', `${scaled(120)}s`];
    const { io, done } = startCli(cluster, args, { namespace });
    const created = await waitFor('the created line', () =>
      /^taskrun\.orchestrator\.io\/(payments-prompt-[a-z0-9]{5}) created\n/.exec(io.stdout()),
    );
    const name = created[1] as string;
    const run = await op.client.request<TaskRun>('GET', runPath('TaskRun', namespace, name));
    const taskId = promptTaskId(prompt, 'https://github.com/acme/Payments', 'main');
    t.match(
      run.spec,
      {
        prompt,
        repository: { url: 'https://github.com/acme/Payments', branch: 'main' },
        taskId,
        serviceName: 'payments',
        agent: 'rex',
        workspace: { pvcName: 'workspace-payments' },
      },
      'admission derived the task id, service and workspace',
    );
    t.notOk('markdownFiles' in run.spec, 'and added no copy of the prompt');
    const job = await untilAttemptJob(op.client, namespace, 'TaskRun', name);
    t.match(job, new RegExp(`^payments-task-${taskId}-run-1-[0-9a-f]{8}$`));
    const shown = await runCli(cluster, ['get', 'otr', name], { namespace });
    t.match(shown.stdout, new RegExp(`\\n${name} +${taskId} +payments +rex +`), 'get shows them');
    const pr = 'https://github.com/acme/Payments/pull/12';
    await finishJob(
      op.client,
      namespace,
      job,
      'Complete',
      JSON.stringify({ protocol: RESULT_PROTOCOL, workCompleted: true, pullRequestUrl: pr }),
    );
    t.equal(await done, 0, io.stderr());
    t.match(io.stdout(), `\nTaskRun ${name} succeeded: pull request ${pr}\n`);
  },
);

t.test('task docs --wait: exit 1 when the run fails for good', async (t) => {
  const config = testConfig((c) => {
    c.retries = { ...c.retries, maxRetries: 0 };
    withApps(c);
  });
  const op = await suite.start(t, config);
  const { namespace } = op;
  await installConfig(op.client, namespace, config);
  const { io, done } = startCli(
    cluster,
    [
      'task',
      'docs',
      '--working-directory',
      'projects/payments',
      '--name',
      'docs-1',
      '--repository-url',
      'https://github.com/acme/payments-docs.git',
      '--operator-namespace',
      namespace,
      '--wait',
    ],
    { namespace },
  );
  const job = await untilAttemptJob(op.client, namespace, 'DocsRun', 'docs-1');
  await finishJob(op.client, namespace, job, 'Failed');
  t.equal(await done, 1, io.stderr());
  t.match(
    io.stdout(),
    /\nDocsRun docs-1 failed: \(RetriesExhausted\) attempt 1 failed \(the agent exited with code 1\)[^\n]*\n {2}Phase: +Failed\n/,
  );
  t.match(io.stdout(), /Message: +attempt 1 failed \(the agent exited with code 1\)/);
});

t.test('wait: exit 2 on timeout, 130 on Ctrl-C, a clear error for a missing run', async (t) => {
  const namespace = await suite.namespace(t);
  const created = await runCli(cluster, ['task', 'submit', '-f', join(samples, 'docsrun.yaml')], {
    namespace,
  });
  t.equal(created.code, 0, created.stderr);
  const timeout = await runCli(cluster, ['wait', 'odr', 'payments-docs', '--timeout', '1s'], { namespace });
  t.equal(timeout.code, 2);
  t.match(
    timeout.stdout,
    /timed out after 1s waiting for DocsRun payments-docs; it goes on \(phase Pending\)/,
  );

  // On a terminal: the phase in colour and a status line rewritten in place.
  const { io, done } = startCli(cluster, ['wait', 'docsrun/payments-docs'], { namespace, isTTY: true });
  await waitFor('the first line', () => io.stdout().includes('waiting for the controller'));
  io.interrupt();
  t.equal(await done, 130);
  t.match(
    io.stdout(),
    // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes are the point
    /\u001b\[33mPending {2}\u001b\[0m waiting for the controller\n\r\u001b\[2K… Pending for \d+s/,
  );
  t.match(io.stdout(), 'stopped waiting for DocsRun payments-docs; it goes on');

  const missing = await runCli(cluster, ['wait', 'ocr', 'nope'], { namespace });
  t.equal(missing.code, 1);
  t.equal(missing.stderr, 'Error from server (NotFound): coderuns.orchestrator.io "nope" not found\n');
});

t.test("task code|docs: the GitHub App is the cluster's config's, and none is a clear error", async (t) => {
  const namespace = await suite.namespace(t);
  const client = suite.admin(t);
  const code = ['task', 'code', '7', '-s', 'payments', '--repo', 'acme/payments', '--dry-run'];
  const docs = ['task', 'docs', '-w', 'projects/payments', '--repo', 'acme/payments', '--dry-run'];
  const at = ['--operator-namespace', namespace];

  const nothing = await runCli(cluster, [...code, ...at], { namespace });
  t.equal(nothing.code, 1);
  t.equal(
    nothing.stderr,
    `error: --github-app not given, and no installed manager (Deployment ${namespace}/orchestrator, --operator-namespace and --deployment) has a config to take the default from; give --github-app (or --github-user)\n`,
  );

  await installConfig(client, namespace, testConfig(withApps));
  const coded = await runCli(cluster, [...code, ...at], { namespace });
  t.equal(coded.code, 0, coded.stderr);
  t.match(coded.stdout, /\n {2}githubApp: Acme-Rex\n/, "the defaultAgent's App");
  t.match(coded.stdout, /generateName: payments-task-7-rex-\n/);
  const documented = await runCli(cluster, [...docs, ...at], { namespace });
  t.equal(documented.code, 0, documented.stderr);
  t.match(documented.stdout, /\n {2}githubApp: Acme-Morgan\n/, "the documentation agent's App");
  const given = await runCli(cluster, [...code, ...at, '--github-app', 'Acme-Blaze'], { namespace });
  t.match(given.stdout, /\n {2}githubApp: Acme-Blaze\n/, 'the flag wins');

  await installConfig(
    client,
    namespace,
    testConfig((c) => {
      withApps(c);
      delete c.agents.rex?.githubApp;
      for (const agent of Object.values(c.agents)) if (agent.role === 'documentation') delete agent.githubApp;
    }),
  );
  const none = await runCli(cluster, [...code, ...at], { namespace });
  t.equal(none.code, 1);
  t.equal(
    none.stderr,
    `error: --github-app not given, and the cluster's config (ConfigMap ${namespace}/orchestrator-config) names no default App for a CodeRun: its defaultAgent (rex) has no githubApp; give --github-app (or --github-user)\n`,
  );
  const noDocs = await runCli(cluster, [...docs, ...at], { namespace });
  t.match(
    noDocs.stderr,
    /names no default App for a DocsRun: no agent with role documentation has a githubApp;/,
  );
  const user = await runCli(cluster, [...code, ...at, '--github-user', 'ada'], { namespace });
  t.equal(user.code, 0, 'a user needs no App');
});
