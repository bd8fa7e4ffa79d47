// Which attempts get a pull request comment of their refusals, and that each gets one: after the
// settling wait, on the stored run (not a stale cache), recorded in status so a re-reconcile posts
// nothing; not for a user run, a run still working, a pull request outside the run's repositories, nor
// without new refusals; a transient GitHub failure tried again a bounded number of times, then given
// up with a Warning Event, as is a refusal at once; never a failed reconcile past that.
import pino from 'pino';
import t from 'tap';
import { apiError, FakeApi } from '../../../test/harness/fakes/fake-api.js';
import { ManualClock } from '../../../test/harness/fakes/manual-clock.js';
import { seedConfig } from '../../../test/harness/util/app-configs.js';
import type { TaskRun } from '../../api/index.js';
import { commentMarker } from '../../egress/index.js';
import { TokenFailure } from '../../github/app-tokens/index.js';
import type { CommentRequest, PostedComment } from '../../github/index.js';
import { type KubeObject, Store } from '../../runtime/index.js';
import { attemptOver, dueComment, RefusalCommenter, SETTLE_MS } from './refusal-commenter.js';

// The run acts as its profile's App (the shipped config names none: the seed sample's install does).
const config = seedConfig();
const COLLECTION = '/apis/orchestrator.io/v1/namespaces/team-a/agenttaskruns';
const PATH = `${COLLECTION}/fix`;
const PR = 'https://github.com/acme/payments/pull/12';

function finished(status: Partial<NonNullable<TaskRun['status']>> = {}): TaskRun {
  return {
    apiVersion: 'orchestrator.io/v1',
    kind: 'TaskRun',
    metadata: { name: 'fix', namespace: 'team-a', uid: 'run-uid', resourceVersion: '7' },
    spec: {
      taskId: 7,
      serviceName: 'payments',
      repository: { url: 'https://github.com/acme/payments.git' },
    } as TaskRun['spec'],
    status: {
      phase: 'Succeeded',
      attempt: 1,
      startTime: '2026-11-27T10:00:00Z',
      pullRequestUrl: PR,
      egressRefusals: {
        total: 3,
        hosts: [{ host: 'evil.example', port: 443, count: 3, lastRefused: '2026-11-27T10:01:00Z' }],
      },
      ...status,
    },
  };
}

function world(
  run: TaskRun,
  answer: () => Promise<PostedComment> = async () => ({ url: 'https://c/1', found: false }),
) {
  const api = new FakeApi();
  api.seed(COLLECTION, structuredClone(run));
  const runs = new Store<TaskRun>();
  runs.set(structuredClone(run));
  const clock = new ManualClock(new Date('2026-11-27T10:05:00Z'));
  const posts: CommentRequest[] = [];
  const commenter = new RefusalCommenter({
    kind: 'TaskRun',
    client: api,
    runs,
    comments: {
      post: (req) => {
        posts.push(req);
        return answer();
      },
    },
    config: () => config,
    clock,
  });
  const reconcile = (retries = 0) =>
    commenter.reconcile(
      { namespace: 'team-a', name: 'fix' },
      { signal: new AbortController().signal, logger: pino({ level: 'silent' }), retries },
    );
  /** What the status patches wrote, applied to the stored run and the cache (the fake applies none). */
  const applyPatches = () => {
    for (const call of api.made('PATCH', `${PATH}/status`)) {
      const patch = (call.body as { status: { egressRefusals: Record<string, unknown> } }).status
        .egressRefusals;
      for (const target of [api.objects.get(PATH) as TaskRun, runs.get('team-a', 'fix') as TaskRun]) {
        const refusals = target.status?.egressRefusals;
        if (refusals) Object.assign(refusals, patch);
      }
    }
  };
  const events = () =>
    api
      .made('POST', '/api/v1/namespaces/team-a/events')
      .map((c) => c.body as KubeObject & { type: string; reason: string; message: string });
  return { api, runs, clock, posts, reconcile, applyPatches, events };
}

t.test('an attempt is over when the run finished or its retry is scheduled', async (t) => {
  t.equal(attemptOver(finished().status), 1);
  t.equal(attemptOver(finished({ phase: 'Running' }).status), undefined);
  const retrying = finished({
    phase: 'Pending',
    attempt: 2,
    conditions: [
      {
        type: 'Succeeded',
        status: 'Unknown',
        reason: 'RetryScheduled',
        message: '',
        lastTransitionTime: 'x',
      },
    ],
  });
  t.equal(attemptOver(retrying.status), 2);
});

t.test('one comment after the settling wait, recorded; a re-reconcile posts nothing', async (t) => {
  const w = world(finished());
  t.same(await w.reconcile(), { requeueAfter: SETTLE_MS }, 'waits for the last log lines first');
  t.equal(w.posts.length, 0);
  w.clock.advance(SETTLE_MS);
  t.equal(await w.reconcile(), undefined);
  t.equal(w.posts.length, 1);
  const [post] = w.posts;
  t.same(post?.pullRequest, { owner: 'acme', repo: 'payments', number: 12 });
  t.equal(post?.app, '5DLabs-Rex');
  t.equal(post?.marker, commentMarker('run-uid', 1));
  t.equal(post?.since, '2026-11-27T10:00:00Z', 'comments older than the attempt are not searched');
  t.match(post?.body, /`evil\.example` port 443/);
  t.match(post?.body, /allowlist `default` that agent profile `rex`/);
  const [patch] = w.api.made('PATCH', `${PATH}/status`);
  t.same(patch?.body, {
    metadata: { resourceVersion: '7' },
    status: {
      egressRefusals: {
        pullRequestComment: { attempt: 1, total: 3, at: '2026-11-27T10:05:10Z', url: 'https://c/1' },
      },
    },
  });
  t.same(
    w.events().map((e) => [e.type, e.reason]),
    [['Normal', 'EgressRefusalsCommented']],
  );
  w.applyPatches();
  t.equal(await w.reconcile(), undefined);
  w.clock.advance(SETTLE_MS);
  await w.reconcile();
  t.equal(w.posts.length, 1, 'not posted twice');
});

t.test('a later attempt with new refusals gets its own comment, of the hosts since', async (t) => {
  const w = world(
    finished({
      attempt: 2,
      egressRefusals: {
        total: 5,
        hosts: [
          { host: 'old.example', port: 443, count: 3, lastRefused: '2026-11-27T09:00:00Z' },
          { host: 'new.example', port: 443, count: 2, lastRefused: '2026-11-27T10:01:00Z' },
        ],
        pullRequestComment: { attempt: 1, total: 3, at: '2026-11-27T09:30:00Z' },
      },
    }),
  );
  await w.reconcile();
  w.clock.advance(SETTLE_MS);
  await w.reconcile();
  t.equal(w.posts.length, 1);
  t.match(w.posts[0]?.body, /refused 2 requests .* since the last such comment/);
  t.notMatch(w.posts[0]?.body, /old\.example/);
});

t.test('no comment is due', async (t) => {
  const cases: [string, TaskRun][] = [
    ['no pull request', finished({ pullRequestUrl: undefined })],
    ['no refusals', finished({ egressRefusals: undefined })],
    ['still running', finished({ phase: 'Running' })],
    ['another repository', finished({ pullRequestUrl: 'https://github.com/acme/other/pull/1' })],
    ['another owner', finished({ pullRequestUrl: 'https://github.com/mallory/payments/pull/1' })],
    ['another host', finished({ pullRequestUrl: 'https://evil.example/acme/payments/pull/1' })],
    ['not a pull request', finished({ pullRequestUrl: 'https://github.com/acme/payments/issues/1' })],
    [
      'said already',
      finished({
        egressRefusals: {
          total: 3,
          hosts: [],
          pullRequestComment: { attempt: 1, total: 3, at: '2026-11-27T10:02:00Z' },
        },
      }),
    ],
    [
      'nothing new since the last comment',
      finished({
        attempt: 2,
        egressRefusals: { total: 3, hosts: [], pullRequestComment: { attempt: 1, total: 3, at: 'x' } },
      }),
    ],
  ];
  for (const [why, run] of cases) t.equal(dueComment('TaskRun', run, config), undefined, why);
  const user = finished();
  (user.spec as Record<string, unknown>).githubUser = 'swe-1';
  t.equal(
    dueComment('TaskRun', user, config),
    undefined,
    "a GitHub user's run: the operator holds no key of it",
  );
  const w = world(finished({ pullRequestUrl: undefined }));
  t.equal(await w.reconcile(), undefined);
  t.equal(w.posts.length + w.api.calls.length, 0, 'nothing asked of anyone');
});

t.test('a stale cache: the stored run says it was said, and nothing is posted', async (t) => {
  const w = world(finished());
  const stored = w.api.objects.get(PATH) as TaskRun;
  if (stored.status?.egressRefusals)
    stored.status.egressRefusals.pullRequestComment = { attempt: 1, total: 3, at: '2026-11-27T10:04:00Z' };
  await w.reconcile();
  w.clock.advance(SETTLE_MS);
  await w.reconcile();
  t.equal(w.posts.length, 0);
  t.equal(w.api.made('PATCH').length, 0);
});

t.test('a comment found on the pull request is recorded, not posted', async (t) => {
  const w = world(finished(), async () => ({ url: 'https://c/9', found: true }));
  await w.reconcile();
  w.clock.advance(SETTLE_MS);
  await w.reconcile();
  t.match(w.events()[0]?.message, /https:\/\/c\/9 \(found there already\)/);
});

t.test(
  'GitHub failing: tried again while transient, then given up; a refusal given up at once',
  async (t) => {
    const unreachable = new TokenFailure(
      'GithubUnreachable',
      'commenting on acme/payments#12: GitHub answered 503',
    );
    const w = world(finished(), async () => {
      throw unreachable;
    });
    await w.reconcile();
    w.clock.advance(SETTLE_MS);
    for (let retries = 0; retries < 4; retries++)
      await t.rejects(
        w.reconcile(retries),
        unreachable,
        `try ${retries + 1} fails the reconcile, to be tried again`,
      );
    t.equal(await w.reconcile(4), undefined, 'the fifth is the last');
    t.equal(w.posts.length, 5);
    const [patch] = w.api.made('PATCH', `${PATH}/status`);
    t.same(
      (patch?.body as { status?: unknown } | undefined)?.status,
      { egressRefusals: { pullRequestComment: { attempt: 1, total: 3, at: '2026-11-27T10:05:10Z' } } },
      'recorded without a comment: a restart does not try again',
    );
    const [event] = w.events();
    t.equal(event?.reason, 'EgressCommentFailed');
    t.equal(event?.type, 'Warning');
    t.match(event?.message, /could not say on pull request acme\/payments#12 .* GitHub answered 503/);

    const refused = world(finished(), async () => {
      throw new TokenFailure(
        'GithubRequestRefused',
        'commenting on acme/payments#12: GitHub refused the request (403)',
      );
    });
    await refused.reconcile();
    refused.clock.advance(SETTLE_MS);
    t.equal(await refused.reconcile(), undefined);
    t.equal(refused.posts.length, 1, 'not tried again');
    t.equal(refused.events()[0]?.reason, 'EgressCommentFailed');
  },
);

t.test('a record that meets a conflict is written again on the run read anew', async (t) => {
  const w = world(finished());
  w.api.failNext('PATCH', `${PATH}/status`, apiError(409, 'Conflict'));
  await w.reconcile();
  w.clock.advance(SETTLE_MS);
  await w.reconcile();
  t.equal(w.api.made('PATCH', `${PATH}/status`).length, 2);
  t.equal(w.posts.length, 1);
});
