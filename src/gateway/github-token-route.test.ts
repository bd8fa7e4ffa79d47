// The broker's route over real HTTP: what is refused before the issuer is asked (so before any review
// or API call), and what a phase gets back.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import t, { type Test } from 'tap';
import { MAX_CREDENTIAL_BYTES } from './credential-route.js';
import { GITHUB_TOKEN_PATHS, githubTokenRoute, type PhaseTokens } from './github-token-route.js';

async function serve(t: Test) {
  const asked: { credential: string; phase: string }[] = [];
  const tokens: PhaseTokens = {
    issue: async (credential, phase) => {
      asked.push({ credential, phase });
      return credential === 'good'
        ? { status: 200, token: 'ghs_phase', expiresAt: new Date() }
        : { status: 403, message: 'not this pod' };
    },
  };
  const server = createServer(githubTokenRoute(tokens, pino({ level: 'silent' })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { asked, base };
}

t.test('refused before the issuer: no credential, a body, another method or route', async (t) => {
  const { asked, base } = await serve(t);
  const post = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { method: 'POST', ...init });
  t.equal((await post(GITHUB_TOKEN_PATHS.read)).status, 401, 'no Authorization header');
  t.equal(
    (await post(GITHUB_TOKEN_PATHS.read, { headers: { authorization: 'Basic Zm9vOmJhcg==' } })).status,
    401,
    'another scheme',
  );
  t.equal(
    (
      await post(GITHUB_TOKEN_PATHS.read, {
        headers: { authorization: `Bearer ${'x'.repeat(MAX_CREDENTIAL_BYTES)}` },
      })
    ).status,
    401,
    'a credential longer than a projected token can be',
  );
  const body = await post(GITHUB_TOKEN_PATHS.write, {
    headers: { authorization: 'Bearer good' },
    body: 'x'.repeat(100_000),
  });
  t.equal(body.status, 413, 'any body is too large');
  t.equal(
    (await fetch(`${base}${GITHUB_TOKEN_PATHS.read}`, { headers: { authorization: 'Bearer good' } })).status,
    405,
  );
  t.equal(
    (await post(`${GITHUB_TOKEN_PATHS.read}/`, { headers: { authorization: 'Bearer good' } })).status,
    404,
  );
  t.same(asked, [], 'the issuer (its TokenReview, its API calls) was never asked');
});

t.test('the phase gets its token as plain text, never cached; a refusal says why', async (t) => {
  const { asked, base } = await serve(t);
  const ok = await fetch(`${base}${GITHUB_TOKEN_PATHS.write}`, {
    method: 'POST',
    headers: { authorization: 'Bearer good' },
  });
  t.equal(ok.status, 200);
  t.equal(ok.headers.get('cache-control'), 'no-store');
  t.equal(await ok.text(), 'ghs_phase');
  const refused = await fetch(`${base}${GITHUB_TOKEN_PATHS.read}`, {
    method: 'POST',
    headers: { authorization: 'Bearer other' },
  });
  t.equal(refused.status, 403);
  t.equal(await refused.text(), 'not this pod');
  t.same(asked, [
    { credential: 'good', phase: 'write' },
    { credential: 'other', phase: 'read' },
  ]);
});
