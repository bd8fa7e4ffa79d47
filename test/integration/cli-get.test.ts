// `get`, `describe` and `retry` against a real apiserver with the run controllers running: the CRDs'
// printer columns, -o json|yaml|name|wide, -A, -l, -w; conditions, attempts and events; a raised attempt.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parse } from 'yaml';
import type { KubeObject } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { runCli, startCli } from '../harness/operator/cli.js';
import { finishJob, taskRunPath, testConfig, untilAttemptJob } from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { startTestWebhooks } from '../harness/operator/webhook.js';
import { samplesConfig } from '../harness/util/app-configs.js';
import { waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();
const { cluster } = suite;
const samples = join(packageRoot(), 'config', 'samples');

/**
 * The run controllers (no retries) and the webhooks on a fresh namespace, and the sample CodeRun for
 * another service, so that it never waits for the sample TaskRun's workspace (or takes it).
 */
async function runsWithWebhooks(t: Test) {
  // An install naming the Apps the samples act as (the shipped config names none).
  const config = testConfig((c) => {
    c.retries = { ...c.retries, maxRetries: 0 };
  }, samplesConfig());
  const webhooks = await startTestWebhooks(t, cluster, { config });
  const op = await suite.start(t, config, { namespaceLabels: webhooks.namespaceLabels });
  const codeRun = readFileSync(join(samples, 'coderun.yaml'), 'utf8').replace(
    'service: payments',
    'service: search',
  );
  return { op, namespace: op.namespace, codeRun };
}

t.test('get, describe and retry a TaskRun through its life', async (t) => {
  const { op, namespace, codeRun } = await runsWithWebhooks(t);
  const submitted = await runCli(
    cluster,
    ['task', 'submit', '-f', join(samples, 'taskrun.yaml'), '-f', '-'],
    {
      namespace,
      stdin: codeRun,
    },
  );
  t.equal(submitted.code, 0, submitted.stderr);
  const job = await untilAttemptJob(op.client, namespace, 'TaskRun', 'payments-task-7');
  const phase = async () =>
    (
      (await op.client.request<KubeObject>('GET', taskRunPath(namespace, 'payments-task-7'))).status as {
        phase?: string;
      }
    )?.phase;
  await waitFor('Running', async () => (await phase()) === 'Running');

  const table = await runCli(cluster, ['get', 'otr'], { namespace });
  t.equal(table.code, 0, table.stderr);
  t.match(
    table.stdout,
    /^NAME +TASK +SERVICE +AGENT +ATTEMPT +PHASE +AGE\npayments-task-7 +7 +payments +rex +1 +Running +\d+s\n$/,
  );
  const wide = await runCli(cluster, ['get', 'taskruns', '-o', 'wide'], { namespace });
  t.match(wide.stdout, new RegExp(`PHASE +JOB +PR +COST +AGE\\n.*Running +${job} +\\d+s\\n$`));
  const all = await runCli(cluster, ['get'], { namespace });
  t.match(
    all.stdout,
    /^NAME +TASK .*\ntaskrun\.orchestrator\.io\/payments-task-7 .*\n\nNAME +TASK +SERVICE +AGENT +PHASE +AGE\ncoderun\.orchestrator\.io\/payments-task-7-rex +7 +search +acme-rex /,
  );
  const names = await runCli(cluster, ['get', 'all', '-o', 'name'], { namespace });
  t.equal(
    names.stdout,
    'taskrun.orchestrator.io/payments-task-7\ncoderun.orchestrator.io/payments-task-7-rex\n',
  );
  const json = JSON.parse(
    (await runCli(cluster, ['get', 'otr', 'payments-task-7', '-o', 'json'], { namespace })).stdout,
  );
  t.match(json, { kind: 'TaskRun', metadata: { name: 'payments-task-7' }, status: { phase: 'Running' } });
  t.notOk(json.metadata.managedFields, 'managedFields hidden');
  const yaml = parse((await runCli(cluster, ['get', 'ocr', '-o', 'yaml'], { namespace })).stdout);
  t.match(yaml, { kind: 'List', items: [{ kind: 'CodeRun' }] });
  const selected = await runCli(cluster, ['get', 'otr', '-l', 'orchestrator.io/service=payments', '-A'], {
    namespace,
  });
  // Across namespaces: other tests running beside this one may have runs of service payments too.
  t.match(selected.stdout, /^NAMESPACE +NAME /);
  t.match(selected.stdout, new RegExp(`^${namespace} +payments-task-7 `, 'm'));
  const none = await runCli(cluster, ['get', 'otr', '-l', 'orchestrator.io/service=other'], { namespace });
  t.equal(none.stderr, `No resources found in ${namespace} namespace.\n`);
  const missing = await runCli(cluster, ['get', 'odr', 'nope'], { namespace });
  t.equal(missing.code, 1);
  t.equal(missing.stderr, 'Error from server (NotFound): docsruns.orchestrator.io "nope" not found\n');

  await finishJob(op.client, namespace, job, 'Failed');
  await waitFor('Failed', async () => (await phase()) === 'Failed');
  const events = () =>
    op.client.request<{ items: unknown[] }>('GET', `/api/v1/namespaces/${namespace}/events`);
  await waitFor('events', async () => (await events()).items.length >= 2);
  // What the operator copies from the agent's result document (docs/result-protocol.md); the run is
  // finished, so the controller leaves its status alone.
  const pr = 'https://github.com/acme/payments/pull/7';
  await op.client.request('PATCH', `${taskRunPath(namespace, 'payments-task-7')}/status`, {
    body: {
      status: {
        pullRequestUrl: pr,
        sessionId: 'sess-42',
        workCompleted: false,
        summary: `the agent exited with status 3; its work so far is on ${pr}`,
        commit: '0123456789abcdef0123456789abcdef01234567',
        podName: 'payments-task-7-run-1-x7k2p',
        retryCount: 0,
        usage: { costUsd: '1.25', turns: 7 },
      },
    },
    contentType: 'application/merge-patch+json',
  });
  const wideWithPr = await runCli(cluster, ['get', 'otr', '-o', 'wide'], { namespace });
  t.match(
    wideWithPr.stdout,
    new RegExp(
      `PHASE +JOB +PR +COST +AGE\\n.*Failed +${job} +https://github\\.com/acme/payments/pull/7 +1\\.25 +\\d+s\\n$`,
    ),
  );
  t.notMatch(
    (await runCli(cluster, ['get', 'otr'], { namespace })).stdout,
    /PR|github/,
    'PR only with -o wide',
  );
  const described = await runCli(cluster, ['describe', 'otr', 'payments-task-7'], { namespace });
  t.equal(described.code, 0, described.stderr);
  const text = described.stdout;
  t.match(text, /^Name: +payments-task-7\nNamespace: +\S+\nKind: +TaskRun\n/);
  t.match(text, /\nSpec:\n(.*\n)* {2}Service Name: +payments\n {2}Task Id: +7\n/);
  t.match(text, /\n {2}Markdown Files:\n {4}\[0\]:\n {6}Content: +<\d+ bytes>\n {6}Filename: +task\.md\n/);
  t.match(text, new RegExp(`\\nStatus:\\n {2}Phase: +Failed\\n {2}Attempt: +1\\n {2}Job: +${job}\\n`));
  t.match(
    text,
    /\nResult:\n {2}Pull Request: +https:\/\/github\.com\/acme\/payments\/pull\/7\n {2}Session: +sess-42\n {2}Work Completed: +false\n {2}Summary: +the agent exited with status 3; .*\n {2}Commit: +0123456789abcdef0123456789abcdef01234567\n {2}Pod: +payments-task-7-run-1-x7k2p\n {2}Retries: +0\nUsage:\n {2}Cost: +\$1\.25\n {2}Tokens: +0 in, 0 out, 0 cache read, 0 cache write\n {2}Turns: +7\nConditions:/,
  );
  t.match(
    text,
    /\nConditions:\n {2}Type +Status +Reason +Age +Message\n {2}-{4} +-{6} +-{6} +-{3} +-{7}\n(.*\n)* {2}Succeeded +False +RetriesExhausted +\d+s +attempt 1 failed/,
  );
  // A failed attempt shows when it finished (its Job's Failed condition), as a succeeded one does.
  t.match(
    text,
    new RegExp(
      `\\nAttempts:\\n {2}Job +State +Started +Finished +Current\\n {2}-{3} +-{5} +-{7} +-{8} +-{7}\\n {2}${job} +Failed +\\d+s ago +\\d+s ago +\\*\\n`,
    ),
  );
  t.match(
    text,
    /\nEvents:\n {2}Type +Reason +Age +From +Message\n {2}-{4} +-{6} +-{3} +-{4} +-{7}\n(.*\n)* {2}Warning +RetriesExhausted +\d+s +orchestrator +attempt 1 failed/,
  );

  const retried = await runCli(cluster, ['retry', 'taskrun/payments-task-7'], { namespace });
  t.equal(retried.code, 0, retried.stderr);
  t.equal(retried.stdout, 'taskrun.orchestrator.io/payments-task-7 retried (spec.retryAttempt 1 -> 2)\n');
  await untilAttemptJob(op.client, namespace, 'TaskRun', 'payments-task-7', 2);
  await waitFor('attempt 2 Running in orchestrator get', async () =>
    /payments-task-7 +7 +payments +rex +2 +Running/.test(
      (await runCli(cluster, ['get', 'otr'], { namespace })).stdout,
    ),
  );
});

t.test('retry: a CodeRun raises contextVersion; a DocsRun cannot be retried, and says why', async (t) => {
  const namespace = await suite.namespace(t);
  t.equal(
    (await runCli(cluster, ['task', 'submit', '-f', join(samples, 'coderun.yaml')], { namespace })).code,
    0,
  );
  const first = await runCli(cluster, ['retry', 'ocr', 'payments-task-7-rex'], { namespace });
  t.equal(first.stdout, 'coderun.orchestrator.io/payments-task-7-rex retried (spec.contextVersion 1 -> 2)\n');
  const second = await runCli(cluster, ['retry', 'ocr', 'payments-task-7-rex'], { namespace });
  t.match(second.stdout, 'spec.contextVersion 2 -> 3');
  const docs = await runCli(cluster, ['retry', 'odr', 'anything'], { namespace });
  t.equal(docs.code, 1);
  t.match(docs.stderr, /^error: DocsRuns cannot be retried: a DocsRun has no attempt field in its spec/);
});

t.test('get -w: the list, then a row for each change, until Ctrl-C', async (t) => {
  const { op, namespace, codeRun } = await runsWithWebhooks(t);
  // A run there before the watch starts is in its first table; the one after comes as rows.
  t.equal((await runCli(cluster, ['task', 'submit', '-f', '-'], { namespace, stdin: codeRun })).code, 0);
  const table = startCli(cluster, ['get', '-w'], { namespace });
  const phases = startCli(
    cluster,
    ['get', 'otr', 'payments-task-7', '-w', '-o', 'jsonpath={.status.phase}{"\\n"}'],
    { namespace },
  );
  await waitFor('the CodeRun in the first table of get -w', async () =>
    /coderun\.orchestrator\.io\/payments-task-7-rex /.test(table.io.stdout()),
  );
  t.equal(
    (await runCli(cluster, ['task', 'submit', '-f', join(samples, 'taskrun.yaml')], { namespace })).code,
    0,
  );
  const job = await untilAttemptJob(op.client, namespace, 'TaskRun', 'payments-task-7');
  const running = /^taskrun\.orchestrator\.io\/payments-task-7 +7 +payments +rex +1 +Running +\d+s$/m;
  await waitFor('a Running row in get -w', async () => running.test(table.io.stdout()));
  await finishJob(op.client, namespace, job, 'Failed');
  await waitFor('a Failed row in get -w', async () =>
    /^taskrun\.orchestrator\.io\/payments-task-7 +7 +payments +rex +1 +Failed +\d+s$/m.test(
      table.io.stdout(),
    ),
  );
  await waitFor('Failed in the jsonpath watch', async () => phases.io.stdout().endsWith('Failed\n'));
  const out = table.io.stdout();
  t.match(out, /^NAME +TASK +SERVICE +AGENT +PHASE +AGE\ncoderun\.orchestrator\.io\/payments-task-7-rex /);
  t.equal(out.match(/^NAME +TASK +SERVICE +AGENT +ATTEMPT +PHASE +AGE$/gm)?.length, 1, 'one TaskRun header');
  // Each change is a line of its own: the run appeared, ran and failed, in that order.
  const lines = out.split('\n').filter((l) => l.startsWith('taskrun.orchestrator.io/'));
  t.ok(lines.findIndex((l) => / Running /.test(l)) < lines.findIndex((l) => / Failed /.test(l)));
  t.match(phases.io.stdout(), /Running\n(.*\n)*Failed\n$/);
  t.equal(table.io.stderr(), '', 'no warning: the watch never failed');
  table.io.interrupt();
  phases.io.interrupt();
  t.equal(await table.done, 0, 'Ctrl-C ends the watch');
  t.equal(await phases.done, 0);
  // A refusal ends the command with the apiserver's error, not an endless retry.
  const refused = await runCli(cluster, ['get', 'otr', '-w', '-l', 'a in (b'], { namespace });
  t.equal(refused.code, 1, 'a bad selector ends the watch');
  t.match(refused.stderr, /^Error from server \(BadRequest\): .*unable to parse requirement/);
  // What -w cannot do says so before connecting.
  const columns = await runCli(cluster, ['get', '-w', '-o', 'custom-columns=N:.metadata.name'], {
    namespace,
  });
  t.equal(columns.code, 1);
  t.match(columns.stderr, /^error: -o custom-columns: not with --watch/);
});
