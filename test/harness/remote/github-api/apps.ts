// The GitHub App side of the REST API stand-in: an App (its id and RSA key pair) installed on some
// owners, each installation reaching some repositories. Serves the installation lookups, installation
// access tokens (scoped to `repositories` and `permissions`, expiring after `tokenLifetimeMs`) and
// their revocation, as GitHub does: every App request must carry a JWT that verifies with the App's
// public key (RS256, iss = the App id, a window of at most 10 minutes that includes now).
import { createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { GithubAnswer, GithubRoute } from './route.js';

export interface IssuedToken {
  token: string;
  /** The App that issued it (its slug): what it writes is its bot's, `{slug}[bot]`. */
  app: string;
  installationId: number;
  repositories?: string[];
  permissions?: Record<string, string>;
  expiresAt: Date;
  revoked: boolean;
}

/** What the next access-token requests meet instead of a token (each entry is used once). */
export type AppFault = 'rateLimited' | 'serverError';

export interface GithubAppFixture {
  appId: number;
  /** The App's slug (GitHub's name for it in URLs): its bot user is `{slug}[bot]`. */
  slug: string;
  /** The private key (PKCS#1 PEM, as GitHub hands it out). */
  privateKey: string;
  /** Installations by owner login (case-insensitive), with the repositories each reaches. */
  installations: Map<string, { id: number; repositories: string[] }>;
  tokens: IssuedToken[];
  /** How long a token lasts (GitHub: an hour). */
  tokenLifetimeMs: number;
  faults: AppFault[];
  /** JWTs refused, with why. */
  refusedJwts: string[];
  routes: GithubRoute[];
  /** The token whose value is `token`, if issued. */
  issued(token: string): IssuedToken | undefined;
}

const DOCS = 'https://docs.github.com/rest';
const error = (status: number, message: string, headers?: Record<string, string>): GithubAnswer => ({
  status,
  body: { message, documentation_url: DOCS },
  ...(headers ? { headers } : {}),
});

const b64json = (part: string | undefined): Record<string, unknown> =>
  JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

/** Why the request's App JWT is refused ('' when it verifies). */
export function jwtProblem(
  headers: IncomingHttpHeaders,
  publicKey: string,
  appId: number,
  now: number,
): string {
  const jwt = /^bearer (.+)$/i.exec(headers.authorization ?? '')?.[1];
  if (!jwt) return 'no Bearer JWT';
  const [head, payload, signature] = jwt.split('.');
  if (!head || !payload || !signature) return 'not a JWT';
  if (b64json(head).alg !== 'RS256') return 'alg is not RS256';
  const verified = createVerify('RSA-SHA256')
    .update(`${head}.${payload}`)
    .verify(publicKey, Buffer.from(signature, 'base64url'));
  if (!verified) return 'signature does not verify with the App public key';
  const claims = b64json(payload);
  const seconds = now / 1000;
  if (String(claims.iss) !== String(appId)) return `iss ${String(claims.iss)} is not the App id`;
  const iat = Number(claims.iat);
  const exp = Number(claims.exp);
  if (!(iat <= seconds + 60)) return 'iat is in the future';
  if (!(exp > seconds)) return 'expired';
  if (exp - iat > 600) return 'exp is more than 10 minutes after iat';
  return '';
}

function installationBody(app: { appId: number; slug: string }, owner: string, id: number) {
  const account = {
    login: owner,
    id: id + 1000,
    node_id: `U_${id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}`,
    gravatar_id: '',
    url: `https://api.github.com/users/${owner}`,
    html_url: `https://github.com/${owner}`,
    followers_url: `https://api.github.com/users/${owner}/followers`,
    following_url: `https://api.github.com/users/${owner}/following{/other_user}`,
    gists_url: `https://api.github.com/users/${owner}/gists{/gist_id}`,
    starred_url: `https://api.github.com/users/${owner}/starred{/owner}{/repo}`,
    subscriptions_url: `https://api.github.com/users/${owner}/subscriptions`,
    organizations_url: `https://api.github.com/users/${owner}/orgs`,
    repos_url: `https://api.github.com/users/${owner}/repos`,
    events_url: `https://api.github.com/users/${owner}/events{/privacy}`,
    received_events_url: `https://api.github.com/users/${owner}/received_events`,
    type: 'Organization',
    site_admin: false,
  };
  return {
    id,
    account,
    repository_selection: 'selected',
    access_tokens_url: `https://api.github.com/app/installations/${id}/access_tokens`,
    repositories_url: 'https://api.github.com/installation/repositories',
    html_url: `https://github.com/organizations/${owner}/settings/installations/${id}`,
    app_id: app.appId,
    app_slug: app.slug,
    target_id: account.id,
    target_type: 'Organization',
    permissions: { contents: 'write', pull_requests: 'write', metadata: 'read' },
    events: [],
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    single_file_name: null,
    suspended_by: null,
    suspended_at: null,
  };
}

export function githubAppFixture(
  options: { appId?: number; slug?: string; tokenLifetimeMs?: number } = {},
): GithubAppFixture {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const app: GithubAppFixture = {
    appId: options.appId ?? 4242,
    slug: options.slug ?? '5dlabs-rex',
    privateKey,
    installations: new Map(),
    tokens: [],
    tokenLifetimeMs: options.tokenLifetimeMs ?? 3_600_000,
    faults: [],
    refusedJwts: [],
    routes: [],
    issued: (token) => app.tokens.find((t) => t.token === token),
  };
  /** The App JWT's problem as a 401 answer, else undefined. */
  const unauthenticated = (headers: IncomingHttpHeaders): GithubAnswer | undefined => {
    const problem = jwtProblem(headers, publicKey, app.appId, Date.now());
    if (!problem) return undefined;
    app.refusedJwts.push(problem);
    return error(401, 'A JSON web token could not be decoded');
  };
  // GitHub answers 404 for a repository the App's installation on its owner leaves out.
  const installationOf = (owner: string | undefined, repo?: string): GithubAnswer => {
    const found = app.installations.get((owner ?? '').toLowerCase());
    const reaches =
      found && (repo === undefined || found.repositories.some((r) => r.toLowerCase() === repo.toLowerCase()));
    return found && reaches
      ? { status: 200, body: installationBody(app, owner ?? '', found.id) }
      : error(404, 'Not Found');
  };
  app.routes = [
    // By repository only: GitHub's description of /orgs/{org}/installation declares no 404.
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}/installation',
      handle: (req) => unauthenticated(req.headers) ?? installationOf(req.params.owner, req.params.repo),
    },
    {
      method: 'POST',
      path: '/app/installations/{installation_id}/access_tokens',
      handle(req) {
        const refused = unauthenticated(req.headers);
        if (refused) return refused;
        const fault = app.faults.shift();
        if (fault === 'rateLimited')
          return error(403, 'API rate limit exceeded', {
            'x-ratelimit-limit': '5000',
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 2),
          });
        if (fault === 'serverError') return error(503, 'Service Unavailable');
        const id = Number(req.params.installation_id);
        const installation = [...app.installations.values()].find((i) => i.id === id);
        if (!installation) return error(404, 'Not Found');
        const body = (req.body ?? {}) as { repositories?: string[]; permissions?: Record<string, string> };
        const unreachable = (body.repositories ?? []).filter((r) => !installation.repositories.includes(r));
        if (unreachable.length)
          return error(
            422,
            `There is at least one repository that does not exist or is not accessible to the parent installation.`,
          );
        const issued: IssuedToken = {
          token: `ghs_${randomBytes(18).toString('base64url')}`,
          app: app.slug,
          installationId: id,
          ...(body.repositories ? { repositories: body.repositories } : {}),
          ...(body.permissions ? { permissions: body.permissions } : {}),
          expiresAt: new Date(Date.now() + app.tokenLifetimeMs),
          revoked: false,
        };
        app.tokens.push(issued);
        return {
          status: 201,
          body: {
            token: issued.token,
            expires_at: issued.expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
            permissions: body.permissions ?? { contents: 'write', metadata: 'read' },
            repository_selection: body.repositories ? 'selected' : 'all',
          },
        };
      },
    },
    {
      method: 'DELETE',
      path: '/installation/token',
      handle(req) {
        const token = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
        const issued = token ? app.issued(token) : undefined;
        if (!issued || issued.revoked || issued.expiresAt.getTime() <= Date.now())
          return error(401, 'Bad credentials');
        issued.revoked = true;
        return { status: 204 };
      },
    },
  ];
  return app;
}
