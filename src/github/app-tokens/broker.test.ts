// The broker against the GitHub stand-in (test/harness/remote/github-api, checked against GitHub's published
// REST description): tokens scoped to the repositories and permissions asked, the installation looked
// up once, revocation, and each failure as the reason a user can act on.
import { Registry } from 'prom-client';
import t, { type Test } from 'tap';
import { githubAppFixture } from '../../../test/harness/remote/github-api/apps.js';
import { startGithubApi } from '../../../test/harness/remote/github-api/server.js';
import { githubApiUrl } from './api-url.js';
import { TokenBroker } from './broker.js';
import { TokenFailure } from './failure.js';

async function setup(t: Test) {
  const app = githubAppFixture();
  app.installations.set('acme', { id: 11, repositories: ['widgets', 'widgets-docs'] });
  const api = await startGithubApi(t, app.routes);
  const registry = new Registry();
  const credentials = { appId: String(app.appId), privateKey: app.privateKey };
  const broker = new TokenBroker({
    keys: { of: async () => credentials },
    apiUrl: () => `${api.url}/api/v3`,
    registry,
  });
  return { app, api, broker, registry, credentials };
}

const request = {
  app: 'Acme-Bot',
  owner: 'acme',
  repositories: ['widgets', 'widgets-docs'],
  permissions: { contents: 'write', pull_requests: 'write', metadata: 'read' },
};

t.test('tokens are scoped to the repositories and permissions asked; the installation is kept', async (t) => {
  const { app, api, broker, registry } = await setup(t);
  const first = await broker.mint(request);
  const second = await broker.mint({
    ...request,
    repositories: ['widgets'],
    permissions: { contents: 'read' },
  });
  t.not(first.token, second.token, 'a new token each time (never the library cache)');
  t.same(app.issued(first.token)?.repositories, ['widgets', 'widgets-docs']);
  t.same(app.issued(second.token)?.permissions, { contents: 'read' });
  t.ok(first.expiresAt.getTime() > Date.now(), 'expiresAt from GitHub');
  t.same(
    api.calls.map((c) => c.route),
    [
      '/repos/{owner}/{repo}/installation',
      '/app/installations/{installation_id}/access_tokens',
      '/app/installations/{installation_id}/access_tokens',
    ],
    'one installation lookup for both',
  );
  await broker.revoke(first.token);
  t.equal(app.issued(first.token)?.revoked, true);
  await broker.revoke(first.token);
  t.pass('revoking a revoked token is no error');
  const metrics = await registry.getSingleMetricAsString('orchestrator_github_token_requests_total');
  t.match(metrics, /operation="mint",outcome="ok"} 2/);
  t.match(metrics, /operation="revoke",outcome="ok"} 2/);
  t.notMatch(metrics, new RegExp(first.token), 'no token in the metrics');
});

t.test('each failure has its reason, transient or not, and no secret in its message', async (t) => {
  const { app, api, broker, credentials } = await setup(t);
  const failure = async (req = request, b = broker) => {
    try {
      await b.mint(req);
    } catch (err) {
      t.type(err, TokenFailure);
      const f = err as TokenFailure;
      t.notMatch(f.message, /BEGIN|ghs_/, 'no key or token in the message');
      return f;
    }
    throw new Error('minted');
  };
  const notInstalled = await failure({ ...request, owner: 'elsewhere' });
  t.match(notInstalled, { reason: 'GithubAppNotInstalled', transient: false });
  t.match(notInstalled.message, /not installed on elsewhere/);
  const unreachable = await failure({ ...request, repositories: ['widgets', 'secret-plans'] });
  t.match(unreachable, { reason: 'GithubRepositoryUnreachable', transient: false });
  app.faults.push('rateLimited');
  const limited = await failure();
  t.match(limited, { reason: 'GithubRateLimited', transient: true });
  t.ok(limited.retryAt && limited.retryAt.getTime() > Date.now() - 1000, 'retry at the reset GitHub gave');
  app.faults.push('serverError');
  t.match(await failure(), { reason: 'GithubUnreachable', transient: true });
  const wrongKey = githubAppFixture().privateKey;
  const forged = new TokenBroker({
    keys: { of: async () => ({ ...credentials, privateKey: wrongKey }) },
    apiUrl: () => `${api.url}/api/v3`,
  });
  t.match(await failure(request, forged), { reason: 'GithubAppKeyRejected', transient: false });
  const nowhere = new TokenBroker({
    keys: { of: async () => credentials },
    // A port nothing listens on.
    apiUrl: () => 'http://127.0.0.1:9',
  });
  t.match(await failure(request, nowhere), { reason: 'GithubUnreachable', transient: true });
});

t.test('github.host sets the API base URL', async (t) => {
  t.equal(githubApiUrl(undefined), 'https://api.github.com');
  t.equal(githubApiUrl('GitHub.com'), 'https://api.github.com');
  t.equal(githubApiUrl('ghe.example.com:8443'), 'https://ghe.example.com:8443/api/v3');
});
