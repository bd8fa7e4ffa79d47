// The user CLI against a real apiserver, called in-process: `task submit` (admission denials printed
// as kubectl prints them), `task code` / `task docs` with --wait following the run to its end while the
// test plays the Job controller, and `wait` ending on timeout and on Ctrl-C.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { packageRoot } from '../../src/util/package-root.js';
import { runCli, startCli } from '../harness/operator/cli.js';
import { finishJob, testConfig, untilAttemptJob } from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { startTestWebhooks } from '../harness/operator/webhook.js';
import { scaled, waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();
const { cluster } = suite;
const samples = join(packageRoot(), 'config', 'samples');

t.test(
  'task submit: created lines, generated names, and webhook denials as kubectl prints them',
  async (t) => {
    const webhooks = await startTestWebhooks(t, cluster);
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
  const op = await suite.start(t);
  const { namespace } = op;
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

t.test('task docs --wait: exit 1 when the run fails for good', async (t) => {
  const op = await suite.start(
    t,
    testConfig((c) => {
      c.retries = { ...c.retries, maxRetries: 0 };
    }),
  );
  const { namespace } = op;
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
