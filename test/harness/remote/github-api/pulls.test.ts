// The stop hook's two pull request endpoints as the stand-in serves them: a pull request is found by
// `owner:branch` and state, created once per open head branch, and refused (422, as GitHub does) for a
// branch the remote lacks or one that already has an open pull request.
import t from 'tap';
import { type PullRequestRecord, pullRoutes } from './pulls.js';
import type { GithubRequest, GithubRoute } from './route.js';
import { startGithubApi } from './server.js';

const request = (
  method: string,
  params: Record<string, string>,
  query = '',
  body?: unknown,
): GithubRequest => ({
  method,
  route: '/repos/{owner}/{repo}/pulls',
  params,
  query: new URLSearchParams(query),
  headers: {},
  body,
});
const route = (routes: GithubRoute[], method: string) => {
  const found = routes.find((r) => r.method === method && r.path === '/repos/{owner}/{repo}/pulls');
  if (!found) throw new Error(`no ${method} route`);
  return found;
};

t.test('create, then find by head; a second create of the same head is refused', async (t) => {
  const pulls: PullRequestRecord[] = [];
  const routes = pullRoutes(pulls, () => ['main', 'feature/x']);
  const params = { owner: 'acme', repo: 'payments' };
  const none = await route(routes, 'GET').handle(request('GET', params, 'head=acme:feature/x&state=open'));
  t.same(none, { status: 200, body: [] });

  const created = await route(routes, 'POST').handle(
    request('POST', params, '', { title: 'Task 7', head: 'feature/x', base: 'main', body: 'why' }),
  );
  t.equal(created.status, 201);
  t.match(created.body, {
    number: 1,
    html_url: 'https://github.com/acme/payments/pull/1',
    head: { ref: 'feature/x', label: 'acme:feature/x', repo: { full_name: 'acme/payments' } },
    base: { ref: 'main' },
    state: 'open',
    merged: false,
  });

  const found = await route(routes, 'GET').handle(request('GET', params, 'head=acme:feature/x&state=open'));
  t.match(found.body, [{ html_url: 'https://github.com/acme/payments/pull/1' }]);
  t.notOk('merged' in ((found.body as object[])[0] ?? {}), 'listing answers the simple view');
  const other = await route(routes, 'GET').handle(request('GET', params, 'head=acme:feature/y&state=open'));
  t.same(other.body, [], 'another head finds nothing');
  const closed = await route(routes, 'GET').handle(
    request('GET', params, 'head=acme:feature/x&state=closed'),
  );
  t.same(closed.body, []);

  const again = await route(routes, 'POST').handle(
    request('POST', params, '', { title: 'again', head: 'feature/x', base: 'main' }),
  );
  t.match(again, {
    status: 422,
    body: { message: 'Validation Failed', errors: [{ message: /already exists/ }] },
  });
  const missing = await route(routes, 'POST').handle(
    request('POST', params, '', { title: 'no branch', head: 'feature/gone', base: 'main' }),
  );
  t.match(missing, { status: 422, body: { errors: [{ message: /feature\/gone does not exist/ }] } });
  t.equal(pulls.length, 1);
});

t.test("through the contract-checking server, the routes' answers match GitHub's description", async (t) => {
  const api = await startGithubApi(
    t,
    pullRoutes([], () => ['main', 'feature/x', 'feature/y']),
  );
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  const list = '/repos/acme/payments/pulls?head=acme:feature/x&state=open';
  t.same(await call('GET', list), { status: 200, body: [] }, 'none open yet');
  const pr = { title: 'Task 7', head: 'feature/x', base: 'main', body: 'why' };
  t.match(await call('POST', '/repos/acme/payments/pulls', pr), { status: 201, body: { number: 1 } });
  t.match(await call('GET', list), { status: 200, body: [{ number: 1, state: 'open' }] }, 'found by head');
  t.match(
    await call('POST', '/api/v3/repos/acme/payments/pulls', pr),
    { status: 422 },
    'a second pull request for the head is refused, also under the GitHub Enterprise prefix',
  );
  t.match(
    await call('POST', '/repos/acme/billing/pulls', pr),
    { status: 201, body: { number: 1 } },
    "another repository's pull requests are numbered from 1 too",
  );
  t.match(
    await call('POST', '/repos/acme/payments/pulls', { ...pr, head: 'feature/y' }),
    { status: 201, body: { number: 2 } },
    "and this one's go on from its own",
  );
  t.equal(api.calls.length, 6, 'every request matched a route');
  t.same(api.unmatched, []);
});
