// No secret value leaves its Secret: a CodeRun that references Secrets holding known random values
// (the platform's model key behind the gateway, the API key of the config's `secrets` left in the
// namespace, and one of its own envFromSecrets), acting as a GitHub App
// whose key is in the operator's namespace and whose installation tokens the operator's broker mints
// for its publishers (against the GitHub stand-in)
// goes through its lifecycle — created, running, failed, retried, succeeded, with its pods simulated —
// while the operator logs at debug level into a buffer; then every output is searched for every value,
// as written and base64-encoded (the form a Secret object would leak in): the log lines, the Events,
// the run (its status), every ConfigMap, and the Jobs and pods. The agent also prints credentials as
// its last words (a failed attempt's log tail, then a result document's summary): the operator copies
// that text, and the credential shapes in it are redacted (src/util/redact.ts) wherever it lands.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import t from 'tap';
import type { CodeRun, CodeRunStatus } from '../../src/api/index.js';
import { runPath } from '../../src/cli/kinds.js';
import { RESULT_PROTOCOL } from '../../src/controllers/pods/agent-result.js';
import type { KubeObject } from '../../src/runtime/index.js';
import { finishJob, startOperator, testConfig } from '../harness/operator/operator.js';
import { boundToken, startPhaseTokenBroker, whenRunning } from '../harness/operator/phase-tokens.js';
import { PLATFORM_TEST_KEY } from '../harness/operator/platform-gateway.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { runPod } from '../harness/operator/run-pods.js';
import { waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();
const { cluster } = suite;

const secretValue = () => `leak-check-${randomBytes(24).toString('hex')}`;
/** Random letters and digits, as a GitHub token or an API key carries them. */
const alnum = (n: number) =>
  randomBytes(n)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, n);

t.test('a run that fails, is retried and succeeds leaks no secret value anywhere', async (t) => {
  const namespace = await suite.namespace(t);
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const config = testConfig((c) => {
    c.retries = { ...c.retries, maxRetries: 3, backoffSeconds: 0 };
  });
  // The App: its key in the operator's namespace, its tokens minted at the GitHub stand-in by the
  // broker, which logs into the same buffer.
  const ops = await suite.namespace(t);
  const admin = suite.admin(t);
  const logger = pino({ level: 'debug' }, sink);
  const { app, ask } = await startPhaseTokenBroker(t, admin, ops, config, logger);
  const { client } = await startOperator(t, cluster, namespace, config, { logger });

  // The Secrets the config's `secrets` and the run's envFromSecrets name, with values to look for.
  // On the shipped defaults the platform's model key is in the gateway's namespace (platform-gateway.ts);
  // the namespace's secrets.apiKey Secret is what an install from before the gateway left behind.
  const values = {
    platformKey: PLATFORM_TEST_KEY,
    apiKey: secretValue(),
    privateKey: app.privateKey,
    ownKey: secretValue(),
  };
  const secrets: Array<[string, Record<string, string>]> = [
    ['orchestrator-secrets', { ANTHROPIC_API_KEY: values.apiKey }],
    ['payments-keys', { stripe: values.ownKey }],
  ];
  for (const [name, stringData] of secrets)
    await client.request('POST', `/api/v1/namespaces/${namespace}/secrets`, {
      body: { apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData },
    });

  const run: CodeRun = {
    apiVersion: 'orchestrator.io/v1',
    kind: 'CodeRun',
    metadata: { name: 'leak-check' },
    spec: {
      taskId: 5,
      service: 'payments',
      githubApp: '5DLabs-Rex',
      repositoryUrl: 'https://github.com/acme/payments.git',
      docsRepositoryUrl: 'https://github.com/acme/payments-docs.git',
      env: { LOG_LEVEL: 'debug' },
      envFromSecrets: [{ name: 'STRIPE_KEY', secretName: 'payments-keys', secretKey: 'stripe' }],
    },
  };
  const path = runPath('CodeRun', namespace, 'leak-check');
  await client.request('POST', runPath('CodeRun', namespace), { body: run });
  const status = async () => (await client.request<{ status?: CodeRunStatus }>('GET', path)).status;
  const jobOf = (attempt: number) =>
    waitFor(`attempt ${attempt}'s Job`, async (note) => {
      const s = await status();
      note(s);
      return s?.attempt === attempt ? s.jobName : undefined;
    });

  /** The attempt's publisher asks for its write token, as its entry script does. */
  const publish = async (job: string) => {
    const pod = await whenRunning(
      client,
      await runPod(client, 'CodeRun', namespace, 'leak-check'),
      'publish',
    );
    t.equal(pod.metadata?.labels?.['batch.kubernetes.io/job-name'], job);
    const answer = await ask('write', await boundToken(client, pod));
    t.equal(answer.status, 200, answer.text);
    return job;
  };

  // What the agent prints: tokens it was given, as its last words (its pods hold them, as the
  // simulated kubelet's termination message; nothing the operator writes may).
  const printed = {
    installationToken: `ghs_${alnum(36)}`,
    personalToken: `github_pat_${alnum(22)}_${alnum(59)}`,
    anthropicKey: `sk-ant-api03-${alnum(93)}AA`,
    deployKey: alnum(64),
  };
  const logTail = [
    'Running tests...',
    '-----BEGIN OPENSSH PRIVATE KEY-----',
    printed.deployKey,
    '-----END OPENSSH PRIVATE KEY-----',
    `fatal: push refused for https://x-access-token:${printed.installationToken}@github.com/acme/payments.git`,
    `curl -H "Authorization: Bearer ${printed.personalToken}" failed; ANTHROPIC_API_KEY=${printed.anthropicKey}`,
  ].join('\n');
  await finishJob(client, namespace, await publish(await jobOf(1)), 'Failed', logTail);
  const result = {
    protocol: RESULT_PROTOCOL,
    workCompleted: true,
    summary: `done with ${printed.installationToken} and ${printed.anthropicKey}`,
  };
  await finishJob(client, namespace, await publish(await jobOf(2)), 'Complete', JSON.stringify(result));
  await waitFor('phase Succeeded', async () => (await status())?.phase === 'Succeeded');
  const finished = await status();
  t.match(finished?.summary, /^done with ghs_\[REDACTED\] and sk-ant-\[REDACTED\]$/, 'the summary, redacted');

  const list = async (path: string) => (await client.request<{ items: KubeObject[] }>('GET', path)).items;
  // The Event is written after the status write that made the run Succeeded: wait for it, so the
  // search below sees everything the run left.
  await waitFor("the run's Succeeded Event", async () =>
    JSON.stringify(await list(`/api/v1/namespaces/${namespace}/events`)).includes('attempt 2 succeeded'),
  );
  const outputs: Record<string, string> = {
    'the operator log': lines.join(''),
    Events: JSON.stringify(await list(`/api/v1/namespaces/${namespace}/events`)),
    'the run': JSON.stringify(await client.request('GET', path)),
    ConfigMaps: JSON.stringify(await list(`/api/v1/namespaces/${namespace}/configmaps`)),
    Jobs: JSON.stringify(await list(`/apis/batch/v1/namespaces/${namespace}/jobs`)),
    pods: JSON.stringify(await list(`/api/v1/namespaces/${namespace}/pods`)),
  };
  // What is searched really holds the run's traces: the search is not vacuous.
  t.match(outputs['the operator log'], /"msg":"controller started"/, 'the log (at debug) was captured');
  t.match(outputs.Events, /Succeeded/, "the run's Events");
  t.match(outputs.ConfigMaps, /container\.sh/, "the attempts' rendered ConfigMaps");
  t.match(outputs.pods, /"secretKeyRef":\{"name":"payments-keys","key":"stripe"\}/, 'secrets by reference');

  const forms = Object.entries(values).flatMap(([name, value]) => [
    [name, value],
    [`${name} (base64)`, Buffer.from(value).toString('base64')],
    // A value is only as secret as its distinctive part: the random hex alone.
    [`${name} (random part)`, /[0-9a-f]{48}/.exec(value)?.[0] ?? value],
  ]);
  for (const [where, text] of Object.entries(outputs))
    for (const [name, form] of forms) t.notOk(text.includes(form as string), `${name} is not in ${where}`);
  // The installation tokens the operator minted for both attempts' publishers: in no output either,
  // nor in any Secret of the run's namespace.
  t.ok(app.tokens.length >= 2, 'a token per attempt was minted');
  outputs['Secrets of the namespace'] = JSON.stringify(await list(`/api/v1/namespaces/${namespace}/secrets`));
  for (const { token } of app.tokens)
    for (const [where, text] of Object.entries(outputs))
      t.notOk(
        text.includes(token) || text.includes(Buffer.from(token).toString('base64')),
        `a minted token is not in ${where}`,
      );
  // The printed ones are in the pods (the kubelet's record of the agent's words) and nowhere else.
  const copies = { ...outputs, pods: '' };
  t.match(
    outputs.Events,
    /attempt 2 succeeded: done with ghs_\[REDACTED\] and sk-ant-\[REDACTED\]/,
    "the result's summary reached an Event, redacted",
  );
  for (const [name, value] of Object.entries(printed)) {
    t.ok(outputs.pods?.includes(value), `the agent printed ${name}`);
    for (const [where, text] of Object.entries(copies))
      t.notOk(text.includes(value), `${name} is not in ${where}`);
  }

  // And the values are where they belong, so a leak would have been found by the same search.
  const stored = JSON.stringify(await list(`/api/v1/namespaces/${namespace}/secrets`));
  t.ok(stored.includes(Buffer.from(values.ownKey).toString('base64')), 'the Secret holds it, base64');
});
