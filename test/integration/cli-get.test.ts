// `get`, `describe` and `retry` against a real apiserver with the run controllers running: the CRDs'
// printer columns, -o json|yaml|name|wide, -A, -l; conditions, attempts and events; a raised attempt.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { memoryIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { KubeClient, KubeObject } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { testCluster, testNamespace } from '../harness/cluster.js';
import { ensureCrds } from '../harness/crds.js';
import { finishJob, jobPath, startOperator, statusOf, taskRunPath, testConfig } from '../harness/operator.js';
import { until } from '../harness/until.js';
import { startTestWebhooks } from '../harness/webhook.js';

const cluster = await testCluster();
await ensureCrds(cluster);
const samples = join(packageRoot(), 'config', 'samples');

/** Until the Job exists (the controller made it). */
const untilJob = (client: KubeClient, namespace: string, job: string, what: string) =>
  until(async () => (await statusOf(client.request('GET', jobPath(namespace, job)))) === 200, what);

async function cli(namespace: string, ...args: string[]) {
  return cliWithInput(namespace, undefined, ...args);
}
async function cliWithInput(namespace: string, stdin: string | undefined, ...args: string[]) {
  const io = memoryIO(stdin === undefined ? {} : { stdin });
  const code = await main(
    ['node', 'orchestrator', ...args, '--kubeconfig', cluster.kubeconfig, '-n', namespace],
    io,
  );
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

t.test('get, describe and retry a TaskRun through its life', async (t) => {
  const webhooks = await startTestWebhooks(t, cluster);
  const namespace = await testNamespace(t, cluster, webhooks.namespaceLabels);
  const op = await startOperator(
    t,
    cluster,
    namespace,
    testConfig((c) => {
      c.retries = { ...c.retries, maxRetries: 0 };
    }),
  );
  // Another service, so the CodeRun never waits for the TaskRun's concurrency slot (or takes it).
  const codeRun = readFileSync(join(samples, 'coderun.yaml'), 'utf8').replace(
    'service: payments',
    'service: search',
  );
  const submitted = await cliWithInput(
    namespace,
    codeRun,
    'task',
    'submit',
    '-f',
    join(samples, 'taskrun.yaml'),
    '-f',
    '-',
  );
  t.equal(submitted.code, 0, submitted.stderr);
  await untilJob(op.client, namespace, 'payments-task-7-run-1', 'the Job');
  const phase = async () =>
    (
      (await op.client.request<KubeObject>('GET', taskRunPath(namespace, 'payments-task-7'))).status as {
        phase?: string;
      }
    )?.phase;
  await until(async () => (await phase()) === 'Running', 'Running');

  const table = await cli(namespace, 'get', 'tr');
  t.equal(table.code, 0, table.stderr);
  t.match(
    table.stdout,
    /^NAME +TASK +SERVICE +AGENT +ATTEMPT +PHASE +AGE\npayments-task-7 +7 +payments +rex +1 +Running +\d+s\n$/,
  );
  const wide = await cli(namespace, 'get', 'taskruns', '-o', 'wide');
  t.match(wide.stdout, /PHASE +JOB +AGE\n.*Running +payments-task-7-run-1 +\d+s\n$/);
  const all = await cli(namespace, 'get');
  t.match(
    all.stdout,
    /^NAME +TASK .*\ntaskrun\.orchestrator\.io\/payments-task-7 .*\n\nNAME +TASK +SERVICE +AGENT +PHASE +AGE\ncoderun\.orchestrator\.io\/payments-task-7-rex +7 +search +5DLabs-Rex /,
  );
  const names = await cli(namespace, 'get', 'all', '-o', 'name');
  t.equal(
    names.stdout,
    'taskrun.orchestrator.io/payments-task-7\ncoderun.orchestrator.io/payments-task-7-rex\n',
  );
  const json = JSON.parse((await cli(namespace, 'get', 'tr', 'payments-task-7', '-o', 'json')).stdout);
  t.match(json, { kind: 'TaskRun', metadata: { name: 'payments-task-7' }, status: { phase: 'Running' } });
  t.notOk(json.metadata.managedFields, 'managedFields hidden');
  const yaml = parse((await cli(namespace, 'get', 'cr', '-o', 'yaml')).stdout);
  t.match(yaml, { kind: 'List', items: [{ kind: 'CodeRun' }] });
  const selected = await cli(namespace, 'get', 'tr', '-l', 'orchestrator.io/service=payments', '-A');
  t.match(selected.stdout, new RegExp(`^NAMESPACE +NAME .*\\n${namespace} +payments-task-7 `));
  const none = await cli(namespace, 'get', 'tr', '-l', 'orchestrator.io/service=other');
  t.equal(none.stderr, `No resources found in ${namespace} namespace.\n`);
  const missing = await cli(namespace, 'get', 'dr', 'nope');
  t.equal(missing.code, 1);
  t.equal(missing.stderr, 'Error from server (NotFound): docsruns.orchestrator.io "nope" not found\n');

  await finishJob(op.client, namespace, 'payments-task-7-run-1', 'Failed');
  await until(async () => (await phase()) === 'Failed', 'Failed');
  const events = () =>
    op.client.request<{ items: unknown[] }>('GET', `/api/v1/namespaces/${namespace}/events`);
  await until(async () => (await events()).items.length >= 2, 'events');
  const described = await cli(namespace, 'describe', 'tr', 'payments-task-7');
  t.equal(described.code, 0, described.stderr);
  const text = described.stdout;
  t.match(text, /^Name: +payments-task-7\nNamespace: +\S+\nKind: +TaskRun\n/);
  t.match(text, /\nSpec:\n(.*\n)* {2}Service Name: +payments\n {2}Task Id: +7\n/);
  t.match(text, /\n {2}Markdown Files:\n {4}\[0\]:\n {6}Content: +<\d+ bytes>\n {6}Filename: +task\.md\n/);
  t.match(text, /\nStatus:\n {2}Phase: +Failed\n {2}Attempt: +1\n {2}Job: +payments-task-7-run-1\n/);
  t.match(
    text,
    /\nConditions:\n {2}Type +Status +Reason +Age +Message\n {2}-{4} +-{6} +-{6} +-{3} +-{7}\n(.*\n)* {2}Succeeded +False +RetriesExhausted +\d+s +attempt 1 failed/,
  );
  t.match(
    text,
    /\nAttempts:\n {2}Job +State +Started +Finished +Current\n {2}-{3} +-{5} +-{7} +-{8} +-{7}\n {2}payments-task-7-run-1 +Failed +\d+s ago +- +\*\n/,
  );
  t.match(
    text,
    /\nEvents:\n {2}Type +Reason +Age +From +Message\n {2}-{4} +-{6} +-{3} +-{4} +-{7}\n(.*\n)* {2}Warning +RetriesExhausted +\d+s +orchestrator +attempt 1 failed/,
  );

  const retried = await cli(namespace, 'retry', 'taskrun/payments-task-7');
  t.equal(retried.code, 0, retried.stderr);
  t.equal(retried.stdout, 'taskrun.orchestrator.io/payments-task-7 retried (spec.retryAttempt 1 -> 2)\n');
  await untilJob(op.client, namespace, 'payments-task-7-run-2', 'the attempt 2 Job');
  t.match(await (await cli(namespace, 'get', 'tr')).stdout, /payments-task-7 +7 +payments +rex +2 +Running/);
});

t.test('retry: a CodeRun raises contextVersion; a DocsRun cannot be retried, and says why', async (t) => {
  const namespace = await testNamespace(t, cluster);
  t.equal((await cli(namespace, 'task', 'submit', '-f', join(samples, 'coderun.yaml'))).code, 0);
  const first = await cli(namespace, 'retry', 'cr', 'payments-task-7-rex');
  t.equal(first.stdout, 'coderun.orchestrator.io/payments-task-7-rex retried (spec.contextVersion 1 -> 2)\n');
  const second = await cli(namespace, 'retry', 'cr', 'payments-task-7-rex');
  t.match(second.stdout, 'spec.contextVersion 2 -> 3');
  const docs = await cli(namespace, 'retry', 'dr', 'anything');
  t.equal(docs.code, 1);
  t.match(docs.stderr, /^error: DocsRuns cannot be retried: a DocsRun has no attempt field in its spec/);
});
