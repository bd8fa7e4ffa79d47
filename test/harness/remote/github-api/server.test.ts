// The GitHub stand-in keeps to GitHub's published contract: a route answering what GitHub's
// description does not allow, or a request GitHub would refuse, is reported as a drift; the App
// routes accept only JWTs signed with the App's key, and issue tokens scoped as asked.

import { generateKeyPairSync } from 'node:crypto';
import { createAppAuth } from '@octokit/auth-app';
import t from 'tap';
import { githubAppFixture } from './apps.js';
import type { GithubRoute } from './route.js';
import { startGithubApi } from './server.js';

/** A test stand-in that collects failures instead of failing the test. */
function collecting() {
  const failures: string[] = [];
  const teardowns: Array<() => unknown> = [];
  return {
    failures,
    fail: (m: string) => void failures.push(m),
    teardown: (fn: () => unknown) => void teardowns.push(fn),
    close: () => Promise.all(teardowns.map((fn) => fn())),
  };
}

t.test('a drift in an answer or a request is reported, naming the operation', async (t) => {
  const watcher = collecting();
  t.teardown(watcher.close);
  const routes: GithubRoute[] = [
    // `expires_at` is required by the installation-token schema.
    {
      method: 'POST',
      path: '/app/installations/{installation_id}/access_tokens',
      handle: () => ({ status: 201, body: { token: 'x' } }),
    },
    // Any operation may fail with 401, 403, 429 or 5xx; 418 is nobody's.
    { method: 'DELETE', path: '/installation/token', handle: () => ({ status: 418 }) },
  ];
  const api = await startGithubApi(watcher, routes);
  const post = await fetch(`${api.url}/app/installations/1/access_tokens`, {
    method: 'POST',
    body: JSON.stringify({ repositories: ['a'], permissions: { contents: 'admin' } }),
  });
  t.equal(post.status, 500, 'a request GitHub would refuse is answered 500');
  t.match(
    watcher.failures[0],
    /request body: \/permissions\/contents must be equal to one of the allowed values/,
  );
  const good = await fetch(`${api.url}/api/v3/app/installations/1/access_tokens`, {
    method: 'POST',
    body: JSON.stringify({ repositories: ['a'] }),
  });
  t.equal(good.status, 500, 'an answer GitHub would not give is answered 500 (under /api/v3 too)');
  t.match(watcher.failures[1], /answer 201: \/ must have required property 'expires_at'/);
  await fetch(`${api.url}/installation/token`, { method: 'DELETE' });
  t.match(watcher.failures[2], /DELETE \/installation\/token never answers 418/);
  const none = await fetch(`${api.url}/repos/a/b/pulls`);
  t.equal(none.status, 404);
  t.same(api.unmatched, ['GET /repos/a/b/pulls']);
  await t.rejects(
    startGithubApi(watcher, [{ method: 'GET', path: '/no/such/thing', handle: () => ({ status: 200 }) }]),
    /no operation GET \/no\/such\/thing/,
  );
});

t.test('the App routes verify the JWT and scope tokens to the repositories asked', async (t) => {
  const app = githubAppFixture();
  app.installations.set('acme', { id: 7, repositories: ['widgets', 'docs'] });
  const api = await startGithubApi(t, app.routes);
  const auth = createAppAuth({ appId: app.appId, privateKey: app.privateKey, request: undefined });
  const { request } = await import('@octokit/request');
  const github = request.defaults({ baseUrl: api.url, request: { hook: auth.hook } });
  const found = await github('GET /repos/{owner}/{repo}/installation', { owner: 'ACME', repo: 'widgets' });
  t.equal(found.data.id, 7, 'the installation of the owner, found case-insensitively');
  const minted = await github('POST /app/installations/{installation_id}/access_tokens', {
    installation_id: 7,
    repositories: ['widgets'],
    permissions: { contents: 'read', metadata: 'read' },
  });
  const issued = app.issued(minted.data.token);
  t.same(issued?.repositories, ['widgets']);
  t.same(issued?.permissions, { contents: 'read', metadata: 'read' });
  await t.rejects(
    github('POST /app/installations/{installation_id}/access_tokens', {
      installation_id: 7,
      repositories: ['secret'],
    }),
    { name: 'HttpError', status: 422 },
    'a repository the installation does not reach is refused',
  );
  await t.rejects(
    github('GET /repos/{owner}/{repo}/installation', { owner: 'other', repo: 'x' }),
    { name: 'HttpError', status: 404 },
    'an owner without the App installed',
  );
  await request('DELETE /installation/token', {
    baseUrl: api.url,
    headers: { authorization: `token ${minted.data.token}` },
  });
  t.equal(issued?.revoked, true, 'revoked with the token itself');

  const stranger = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const forged = createAppAuth({ appId: app.appId, privateKey: stranger.privateKey });
  await t.rejects(
    request('GET /repos/{owner}/{repo}/installation', {
      baseUrl: api.url,
      owner: 'acme',
      repo: 'widgets',
      request: { hook: forged.hook },
    }),
    { name: 'HttpError', status: 401 },
  );
  t.same(app.refusedJwts, ['signature does not verify with the App public key']);
  const otherApp = createAppAuth({ appId: 1, privateKey: app.privateKey });
  await t.rejects(
    request('GET /repos/{owner}/{repo}/installation', {
      baseUrl: api.url,
      owner: 'acme',
      repo: 'widgets',
      request: { hook: otherApp.hook },
    }),
    { name: 'HttpError', status: 401 },
  );
  t.match(app.refusedJwts[1], /iss 1 is not the App id/);
  t.same(
    api.calls.map((c) => `${c.method} ${c.route} ${c.status}`),
    [
      'GET /repos/{owner}/{repo}/installation 200',
      'POST /app/installations/{installation_id}/access_tokens 201',
      'POST /app/installations/{installation_id}/access_tokens 422',
      'GET /repos/{owner}/{repo}/installation 404',
      'DELETE /installation/token 204',
      'GET /repos/{owner}/{repo}/installation 401',
      'GET /repos/{owner}/{repo}/installation 401',
    ],
  );
});
