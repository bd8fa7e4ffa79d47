// A pull request comment posted once, against the GitHub stand-in (every request and answer checked
// against GitHub's published REST description): with a token of one repository that may write pull
// requests, revoked after; found by its marker rather than posted again, a person's copy of the marker
// not counting, past a page of comments; GitHub's refusals as failures a user can act on.
import t, { type Test } from 'tap';
import { githubAppFixture } from '../../test/harness/remote/github-api/apps.js';
import { startPullRequestThread } from '../../test/harness/remote/github-api/issue-comments.js';
import { TokenBroker, TokenFailure } from './app-tokens/index.js';
import { GithubPullRequestComments, pullRequestOf } from './pull-request-comments.js';

async function setup(t: Test) {
  const { app, api, comments } = await startPullRequestThread(t, ['payments', 'other']);
  const credentials = { appId: String(app.appId), privateKey: app.privateKey };
  const tokens = new TokenBroker({ keys: { of: async () => credentials }, apiUrl: () => api.url });
  const github = new GithubPullRequestComments({ tokens, apiUrl: () => api.url });
  return { app, api, comments, github, tokens };
}

const MARKER = '<!-- orchestrator.io/egress-refusals run=u1 attempt=1 -->';
const req = {
  app: '5DLabs-Rex',
  pullRequest: { owner: 'acme', repo: 'payments', number: 12 },
  marker: MARKER,
  body: `${MARKER}\n**The egress proxy refused 1 request**`,
};

t.test('posted once, with a token of that repository, revoked; found the second time', async (t) => {
  const { app, api, comments, github } = await setup(t);
  const first = await github.post(req);
  t.same(first, { url: 'https://github.com/acme/payments/pull/12#issuecomment-9000', found: false });
  t.equal(comments.length, 1);
  t.equal(comments[0]?.body, req.body);
  const [token] = app.tokens;
  t.same(token?.repositories, ['payments']);
  t.same(token?.permissions, { pull_requests: 'write' });
  t.equal(token?.revoked, true, 'revoked once used');
  const second = await github.post(req);
  t.same(second, { url: first.url, found: true });
  t.equal(comments.length, 1, 'not posted twice');
  t.same(
    api.calls.filter((c) => c.route.endsWith('/comments')).map((c) => `${c.method} ${c.status}`),
    ['GET 200', 'POST 201', 'GET 200'],
  );
  t.same(api.unmatched, []);
});

t.test("a person's copy of the marker does not count; the marker is found past a page", async (t) => {
  const { comments, github } = await setup(t);
  const base = { owner: 'acme', repo: 'payments', number: 12, createdAt: '2026-11-27T10:00:00Z' };
  comments.push({ ...base, id: 1, body: req.body, author: { login: 'mallory', type: 'User' } });
  for (let i = 0; i < 120; i++)
    comments.push({ ...base, id: 100 + i, body: 'lgtm', author: { login: 'rev', type: 'User' } });
  const posted = await github.post(req);
  t.equal(posted.found, false, 'posted: the copy was a person’s');
  const again = await github.post(req);
  t.same(again, { url: posted.url, found: true }, 'the App’s comment found on the second page');
  const old = await github.post({ ...req, since: '2030-01-01T00:00:00Z' });
  t.equal(old.found, false, 'comments before `since` are not searched');
});

t.test('GitHub refusing: no such pull request, a repository out of reach', async (t) => {
  const { github, tokens, api } = await setup(t);
  const missing = github.post({ ...req, pullRequest: { ...req.pullRequest, number: 99 } });
  await t.rejects(missing, { name: 'TokenFailure', reason: 'GithubRequestRefused', transient: false });
  await t.rejects(missing, /commenting on acme\/payments#99: GitHub has no such pull request/);
  const outside = github.post({ ...req, pullRequest: { owner: 'acme', repo: 'elsewhere', number: 1 } });
  await t.rejects(outside, TokenFailure);
  // The stand-in holds a token to what GitHub asks of it: one that may only read contents may not comment.
  const reader = await tokens.mint({
    app: 'x',
    owner: 'acme',
    repositories: ['payments'],
    permissions: { contents: 'read' },
  });
  const answer = await fetch(`${api.url}/repos/acme/payments/issues/12/comments`, {
    method: 'POST',
    headers: { authorization: `token ${reader.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ body: 'hi' }),
  });
  t.equal(answer.status, 403);
});

t.test('the pull request a URL names, on the configured host only', async (t) => {
  t.same(pullRequestOf('https://github.com/acme/payments/pull/12', 'github.com'), {
    owner: 'acme',
    repo: 'payments',
    number: 12,
  });
  t.same(pullRequestOf('https://GHE.example.com/a/b/pull/1/', 'ghe.example.com')?.number, 1);
  // A GitHub Enterprise host on a port of its own: its web addresses carry it, github.host may or not.
  t.same(pullRequestOf('https://ghe.example.com:8443/a/b/pull/2', 'ghe.example.com:8443')?.number, 2);
  t.same(pullRequestOf('https://ghe.example.com:8443/a/b/pull/3', 'ghe.example.com')?.number, 3);
  t.equal(pullRequestOf('https://ghe.example.org:8443/a/b/pull/3', 'ghe.example.com:8443'), undefined);
  for (const url of [
    undefined,
    'http://github.com/acme/payments/pull/12',
    'https://github.com.evil.example/acme/payments/pull/12',
    'https://github.com/acme/payments/issues/12',
    'https://github.com/acme/payments/pull/0',
    'https://github.com/acme/payments/pull/12?x=1',
    'https://github.com/acme/payments/pull/99999999999',
    'https://github.com/ac%2Fme/payments/pull/12',
    'https://user@github.com/acme/payments/pull/12',
  ])
    t.equal(pullRequestOf(url, 'github.com'), undefined, String(url));
});

t.test('a comment kept up to date: posted, edited in place when its body differs, else left', async (t) => {
  const { app, api, comments, github } = await setup(t);
  const first = await github.upsert(req);
  t.same(first, { url: 'https://github.com/acme/payments/pull/12#issuecomment-9000', done: 'posted' });
  const same = await github.upsert(req);
  t.same(same, { url: first.url, done: 'unchanged' });
  const changed = { ...req, body: `${MARKER}\n**two stages**` };
  const edited = await github.upsert(changed);
  t.same(edited, { url: first.url, done: 'edited' });
  t.same(
    comments.map((c) => c.body),
    [changed.body],
    'one comment, its body the latest',
  );
  t.same(
    api.calls.filter((c) => c.route.includes('/comments')).map((c) => `${c.method} ${c.status}`),
    ['GET 200', 'POST 201', 'GET 200', 'GET 200', 'PATCH 200'],
  );
  t.ok(
    app.tokens.every((token) => token.revoked && token.repositories?.join() === 'payments'),
    'every token of the one repository, revoked once used',
  );
  t.same(api.unmatched, []);
});

t.test("a person's copy of the marker is not edited: the App posts its own", async (t) => {
  const { comments, github } = await setup(t);
  comments.push({
    id: 1,
    owner: 'acme',
    repo: 'payments',
    number: 12,
    createdAt: '2026-11-27T10:00:00Z',
    body: req.body,
    author: { login: 'mallory', type: 'User' },
  });
  const done = await github.upsert({ ...req, body: `${MARKER}\nnew` });
  t.equal(done.done, 'posted');
  t.same(
    comments.map((c) => [c.author.login, c.body]),
    [
      ['mallory', req.body],
      ['5dlabs-rex[bot]', `${MARKER}\nnew`],
    ],
  );
});

t.test(
  "another App's comment carrying the marker is not ours: a new one is made, the other untouched",
  async (t) => {
    // A second App, installed where ours is, comments through the stand-in with a token it issued: GitHub
    // records that App's bot as the author, so a copy of our marker in it is only text.
    const other = githubAppFixture({ appId: 77, slug: 'acme-cleo' });
    const { api, comments, github } = await (async () => {
      const thread = await startPullRequestThread(t, ['payments'], 12, { others: [other] });
      const credentials = { appId: String(thread.app.appId), privateKey: thread.app.privateKey };
      const tokens = new TokenBroker({ keys: { of: async () => credentials }, apiUrl: () => thread.api.url });
      return { ...thread, github: new GithubPullRequestComments({ tokens, apiUrl: () => thread.api.url }) };
    })();
    other.tokens.push({
      token: 'ghs_other',
      app: other.slug,
      installationId: 31,
      repositories: ['payments'],
      permissions: { pull_requests: 'write' },
      expiresAt: new Date(Date.now() + 60_000),
      revoked: false,
    });
    const copied = await fetch(`${api.url}/repos/acme/payments/issues/12/comments`, {
      method: 'POST',
      headers: { authorization: 'token ghs_other', 'content-type': 'application/json' },
      body: JSON.stringify({ body: req.body }),
    });
    t.equal(copied.status, 201);
    t.same(
      comments.map((c) => c.author),
      [{ login: 'acme-cleo[bot]', type: 'Bot' }],
      'the author is the bot of the App whose token made it',
    );
    const posted = await github.post(req);
    t.equal(posted.found, false, 'egress comment: posted, the copy was another App’s');
    const report = { ...req, marker: '<!-- report -->', body: '<!-- report -->\nmine' };
    comments.push({ ...comments[0], id: 50, body: '<!-- report -->\ntheirs' } as (typeof comments)[0]);
    const upserted = await github.upsert(report);
    t.equal(upserted.done, 'posted', 'report: posted anew, not an edit of the other App’s');
    t.same(
      comments.map((c) => [c.author.login, c.body]),
      [
        ['acme-cleo[bot]', req.body],
        ['5dlabs-rex[bot]', req.body],
        ['acme-cleo[bot]', '<!-- report -->\ntheirs'],
        ['5dlabs-rex[bot]', report.body],
      ],
      'the other App’s comments untouched',
    );
    t.equal(api.calls.filter((c) => c.method === 'PATCH').length, 0, 'no edit tried');
    // And GitHub would refuse it anyway: an installation edits only its own bot's comments.
    const theirs = await fetch(`${api.url}/repos/acme/payments/issues/comments/50`, {
      method: 'PATCH',
      headers: { authorization: 'token ghs_other', 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'x' }),
    });
    t.equal(theirs.status, 200, 'its own App may');
    const ours = comments.find((c) => c.author.login === '5dlabs-rex[bot]');
    const refused = await fetch(`${api.url}/repos/acme/payments/issues/comments/${ours?.id}`, {
      method: 'PATCH',
      headers: { authorization: 'token ghs_other', 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'x' }),
    });
    t.equal(refused.status, 403, 'another App may not');
  },
);
