// The stand-in's webhook side: a pull request opened, labelled or reviewed through the API sends
// GitHub's delivery for it, its sender the bot of the App whose token wrote; a refused write and a read
// send nothing.
import t from 'tap';
import type { PullRequestDelivery } from '../github-pull-request.js';
import { githubAppFixture } from './apps.js';
import { deliveringRoutes } from './deliveries.js';
import { labelRoutes } from './labels.js';
import { type PullRequestRecord, pullRoutes } from './pulls.js';
import { type ReviewRecord, reviewRoutes } from './reviews.js';
import type { GithubRequest, GithubRoute } from './route.js';

const TOKEN = 'ghs_deliveriesTokenOfTheRexApp012345';

function world() {
  const app = githubAppFixture();
  app.tokens.push({
    token: TOKEN,
    app: app.slug,
    installationId: 21,
    repositories: ['payments'],
    permissions: { pull_requests: 'write', issues: 'write' },
    expiresAt: new Date(Date.now() + 3_600_000),
    revoked: false,
  });
  const pulls: PullRequestRecord[] = [];
  const labels = new Map<number, string[]>();
  const reviews: ReviewRecord[] = [];
  const received: PullRequestDelivery[] = [];
  const { routes, sent } = deliveringRoutes(
    [
      ...pullRoutes(pulls, () => ['main', 'feature/task-5-implementation']),
      ...labelRoutes(labels, pulls, app),
      ...reviewRoutes(reviews, pulls, app),
    ],
    pulls,
    [app],
    async (d) => {
      received.push(d);
      return 200;
    },
    (pr) => labels.get(pr.number) ?? [],
  );
  const call = (
    method: string,
    path: string,
    params: Record<string, string>,
    body?: unknown,
    token = TOKEN,
  ) => {
    const route = routes.find((r: GithubRoute) => r.method === method && r.path === path);
    if (!route) throw new Error(`no route ${method} ${path}`);
    const req: GithubRequest = {
      method,
      route: path,
      params: { owner: 'acme', repo: 'payments', ...params },
      query: new URLSearchParams(),
      headers: { authorization: `token ${token}` },
      body,
    };
    return route.handle(req);
  };
  return { app, call, received, sent };
}

/** Until the deliveries queued so far were handed to the receiver. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

t.test('opened, labelled and approved: one delivery each, from the App’s bot', async (t) => {
  const { app, call, received, sent } = world();
  const opened = await call(
    'POST',
    '/repos/{owner}/{repo}/pulls',
    {},
    {
      title: 'Task 5',
      head: 'feature/task-5-implementation',
      base: 'main',
    },
  );
  t.equal(opened.status, 201);
  await call(
    'POST',
    '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    { issue_number: '1' },
    {
      labels: ['ready-for-qa'],
    },
  );
  await call(
    'POST',
    '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
    { pull_number: '1' },
    {
      event: 'APPROVE',
    },
  );
  await settled();
  const bot = `${app.slug}[bot]`;
  t.same(
    received.map((d) => [d.event, d.body.action, d.body.pull_request.number, d.body.sender.login]),
    [
      ['pull_request', 'opened', 1, bot],
      ['pull_request', 'labeled', 1, bot],
      ['pull_request_review', 'submitted', 1, bot],
    ],
  );
  const [open, labelled, reviewed] = received.map((d) => d.body);
  t.equal(open?.pull_request.head.ref, 'feature/task-5-implementation', 'the branch the Sensors match');
  t.equal(open?.pull_request.head.repo.full_name, open?.repository.full_name, 'not a fork');
  t.same(open?.review, undefined, 'an opened pull request has no review');
  t.equal(labelled?.label.name, 'ready-for-qa');
  t.same(
    labelled?.pull_request.labels.map((l: { name: string }) => l.name),
    ['ready-for-qa'],
    'the pull request as labelled',
  );
  t.equal(reviewed?.review.state, 'approved');
  t.same(
    sent.map((s) => s.status),
    [200, 200, 200],
    'each receiver’s answer recorded',
  );
});

t.test('a refused write and a read send nothing', async (t) => {
  const { call, received } = world();
  await call(
    'POST',
    '/repos/{owner}/{repo}/pulls',
    {},
    {
      title: 'Task 5',
      head: 'feature/task-5-implementation',
      base: 'main',
    },
  );
  received.length = 0;
  const refused = await call(
    'POST',
    '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    { issue_number: '1' },
    { labels: ['ready-for-qa'] },
    'ghs_notIssued',
  );
  t.equal(refused.status, 401);
  const missing = await call(
    'POST',
    '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
    { pull_number: '9' },
    {
      event: 'APPROVE',
    },
  );
  t.equal(missing.status, 404);
  await call('GET', '/repos/{owner}/{repo}/pulls', {});
  await settled();
  t.same(received, []);
});
