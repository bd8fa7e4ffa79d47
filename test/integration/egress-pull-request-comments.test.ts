// The egress proxy's refusals said on the run's pull request (docs/agent-pods.md "Egress", decision
// 0050), by the operator on the real apiserver with the real Job controller, against the GitHub
// stand-in (every call checked against GitHub's published REST description, the App's JWT verified,
// the comment's token held to pull_requests on the one repository). The refusals are written into
// status as the access log's reader writes them (that reader is shown on the real node,
// real-node.test.ts). A run with refusals and a pull request gets exactly one comment, still one after a
// restart of the operator, and still one when its record in status was lost (the comment is found on
// the pull request by its marker); a run without a pull request, or without refusals, gets none.
import { Registry } from 'prom-client';
import t, { type Test } from 'tap';
import type { TaskRun } from '../../src/api/index.js';
import { AppKeys, TokenBroker } from '../../src/github/app-tokens/index.js';
import { GithubPullRequestComments } from '../../src/github/index.js';
import { EVENTS, type KubeClient, type KubeObject, resourcePath } from '../../src/runtime/index.js';
import {
  APP_KEY_SECRETS,
  finishJob,
  sampleTaskRun,
  startOperator,
  taskRunPath,
  testConfig,
  untilAttemptJob,
} from '../harness/operator/operator.js';
import { storeAppKey } from '../harness/operator/phase-tokens.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { startPullRequestThread } from '../harness/remote/github-api/issue-comments.js';
import { sampleSum } from '../harness/util/prometheus-text.js';
import { REQUEST_LIMIT_MS, waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();
const PROTOCOL = 'orchestrator.io/result/v1';
const PR = 'https://github.com/acme/payments/pull/12';
const COMMENTS = '/repos/{owner}/{repo}/issues/{issue_number}/comments';

/** The App installed on acme/payments, whose pull request #12 is open; its key in the operator's namespace. */
async function setup(t: Test) {
  const ops = await suite.namespace(t);
  const runs = await suite.namespace(t);
  const admin = suite.admin(t, { requestTimeoutMs: REQUEST_LIMIT_MS });
  const { app, api, comments } = await startPullRequestThread(t);
  await storeAppKey(admin, ops, app);
  const github = new GithubPullRequestComments({
    tokens: new TokenBroker({ keys: new AppKeys(admin, ops, () => APP_KEY_SECRETS), apiUrl: () => api.url }),
    apiUrl: () => api.url,
  });
  // Egress on: the reader of the proxy's log and the commenters start (no proxy runs here: the test
  // writes the refusals). The phases get no App token (no broker): their GitHub is not the point.
  const config = testConfig((c) => {
    c.egress.enabled = true;
  });
  /** The operator, as after a restart each time: its own registry and caches. */
  const start = async () => {
    const registry = new Registry();
    const operator = await startOperator(t, suite.cluster, runs, config, {
      registry,
      pullRequestComments: github,
    });
    return { ...operator, registry };
  };
  return { runs, admin, api, comments, start };
}

/** A run (its own workspace, so runs do not wait for each other) whose attempt's Job is made. */
async function runWithJob(admin: KubeClient, runs: string, name: string): Promise<string> {
  await admin.request('POST', taskRunPath(runs), {
    body: sampleTaskRun(name, 7, { serviceName: `svc-${name}` }),
  });
  return untilAttemptJob(admin, runs, 'TaskRun', name);
}

/** The refusals written into the run's status, as the access log's reader writes them. */
async function refuse(admin: KubeClient, runs: string, name: string, hosts: string[]) {
  const lastRefused = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await admin.request('PATCH', `${taskRunPath(runs, name)}/status`, {
    body: {
      status: {
        egressRefusals: {
          total: hosts.length * 2,
          hosts: hosts.map((host) => ({ host, port: 443, count: 2, lastRefused })),
        },
      },
    },
    contentType: 'application/merge-patch+json',
  });
}

const result = (pullRequestUrl?: string) =>
  JSON.stringify({ protocol: PROTOCOL, workCompleted: true, ...(pullRequestUrl ? { pullRequestUrl } : {}) });

const getRun = (admin: KubeClient, runs: string, name: string) =>
  admin.request<TaskRun>('GET', taskRunPath(runs, name));

const recorded = (admin: KubeClient, runs: string, name: string, what: string) =>
  waitFor(what, async (note) => {
    const run = await getRun(admin, runs, name);
    note(run.status?.egressRefusals);
    return run.status?.egressRefusals?.pullRequestComment?.url ? run : undefined;
  });

/**
 * The run's Events of `reason` once there are `count` of them: the controller records an Event after
 * the status write the test waits for, so it may not be there yet.
 */
async function eventsOf(admin: KubeClient, runs: string, name: string, reason: string, count: number) {
  return waitFor(`${count} ${reason} Event(s) of ${name}`, async (note) => {
    const list = await admin.request<{ items: (KubeObject & { reason?: string; message?: string })[] }>(
      'GET',
      resourcePath(EVENTS, runs),
      { query: { fieldSelector: `involvedObject.name=${name}` } },
    );
    const found = list.items.filter((e) => e.reason === reason);
    note(found.map((e) => e.message));
    return found.length >= count && found;
  });
}

t.test(
  'a run with refusals and a pull request gets one comment, still one after a restart and after its record is lost',
  async (t) => {
    const { runs, admin, api, comments, start } = await setup(t);
    const first = await start();
    const job = await runWithJob(admin, runs, 'refused');
    await refuse(admin, runs, 'refused', ['evil.example', '[x](https://evil.example)']);
    await finishJob(admin, runs, job, 'Complete', result(PR));
    const run = await recorded(admin, runs, 'refused', 'the comment posted and recorded');
    t.equal(comments.length, 1);
    const [comment] = comments;
    t.equal(comment?.author.type, 'Bot');
    t.equal(
      comment?.body.split('\n')[0],
      `<!-- orchestrator.io/egress-refusals run=${run.metadata?.uid} attempt=1 -->`,
    );
    t.match(comment?.body, /^- `evil\.example` port 443: refused 2 times/m);
    t.match(
      comment?.body,
      /^- `\[x\]\(https:\/\/evil\.example\)` port 443/m,
      'the hostile host in a code span',
    );
    t.match(run.status?.egressRefusals?.pullRequestComment, {
      attempt: 1,
      total: 4,
      url: 'https://github.com/acme/payments/pull/12#issuecomment-9000',
    });
    t.equal((await eventsOf(admin, runs, 'refused', 'EgressRefusalsCommented', 1)).length, 1);
    t.ok(
      api.calls.filter((c) => c.route === '/installation/token').every((c) => c.status === 204),
      'the comment’s token revoked',
    );

    // A restart: the new operator reconciles the run and finds the comment recorded.
    await first.stop();
    const posts = () => api.calls.filter((c) => c.route === COMMENTS && c.method === 'POST').length;
    const lists = () => api.calls.filter((c) => c.route === COMMENTS && c.method === 'GET').length;
    const listedBefore = lists();
    const second = await start();
    await waitFor('the restarted operator to reconcile the run', async () =>
      sampleSum(await second.registry.metrics(), 'controller_runtime_reconcile_total', {
        controller: 'egress-comments-taskrun',
        result: 'success',
      }),
    );
    t.equal(comments.length, 1, 'no second comment after a restart');
    t.equal(posts(), 1);
    t.equal(lists(), listedBefore, 'the record in status suffices: GitHub not asked');

    // The record lost (as when the operator stops between posting and recording): found, not posted.
    await second.stop();
    await admin.request('PATCH', `${taskRunPath(runs, 'refused')}/status`, {
      body: { status: { egressRefusals: { pullRequestComment: null } } },
      contentType: 'application/merge-patch+json',
    });
    await start();
    const again = await recorded(
      admin,
      runs,
      'refused',
      'the comment found on the pull request and recorded again',
    );
    t.equal(
      again.status?.egressRefusals?.pullRequestComment?.url,
      run.status?.egressRefusals?.pullRequestComment?.url,
      'the same comment',
    );
    t.equal(comments.length, 1, 'no second comment: its marker was found');
    t.equal(posts(), 1);
    t.ok(lists() > listedBefore, 'the pull request’s comments were read');
    const said = (await eventsOf(admin, runs, 'refused', 'EgressRefusalsCommented', 2)).map((e) => e.message);
    t.equal(said.length, 2);
    t.ok(
      said.some((m) => /found there already/.test(m ?? '')),
      'the second Event says it was found',
    );
    t.same(api.unmatched, []);
  },
);

t.test('a run without a pull request, and one without refusals, get no comment', async (t) => {
  const { runs, admin, api, comments, start } = await setup(t);
  await start();
  const noPr = await runWithJob(admin, runs, 'no-pr');
  const clean = await runWithJob(admin, runs, 'clean');
  const witness = await runWithJob(admin, runs, 'witness');
  await refuse(admin, runs, 'no-pr', ['evil.example']);
  await finishJob(admin, runs, noPr, 'Complete', result());
  await finishJob(admin, runs, clean, 'Complete', result(PR));
  await waitFor('both finished', async () => {
    const done = await Promise.all(['no-pr', 'clean'].map((n) => getRun(admin, runs, n)));
    return done.every((r) => r.status?.phase === 'Succeeded');
  });
  // A run that is due one, finished after them: the commenters take their runs one at a time, in the
  // order their changes came, and this one's comment comes only after its settling wait.
  await refuse(admin, runs, 'witness', ['witness.example']);
  await finishJob(admin, runs, witness, 'Complete', result(PR));
  await recorded(admin, runs, 'witness', "the witness run's comment");
  t.equal(comments.length, 1, "the witness's comment only");
  t.match(comments[0]?.body, /witness\.example/);
  const noPrRun = await getRun(admin, runs, 'no-pr');
  t.equal(
    noPrRun.status?.egressRefusals?.pullRequestComment,
    undefined,
    'nothing recorded without a pull request',
  );
  t.equal((await getRun(admin, runs, 'clean')).status?.egressRefusals, undefined);
  t.equal(api.calls.filter((c) => c.route === COMMENTS).length, 2, "the witness's search and post only");
});
