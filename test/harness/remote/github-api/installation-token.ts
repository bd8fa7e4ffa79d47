// The installation tokens of the GitHub REST stand-in's Apps (apps.ts), as GitHub checks them on a
// repository's endpoints: issued by one of the Apps, neither revoked nor expired (else 401), reaching
// the repository (else 404, as GitHub hides what a token cannot see), and granting one of the
// endpoint's permissions at the level it needs (else 403). Shared by the routes that take them.
import type { IncomingHttpHeaders } from 'node:http';
import type { GithubAppFixture, IssuedToken } from './apps.js';
import type { GithubAnswer } from './route.js';

const ACCESS = { read: ['read', 'write', 'admin'], write: ['write', 'admin'] };

const error = (status: number, message: string, docs: string): GithubAnswer => ({
  status,
  body: { message, documentation_url: docs },
});

/** The App's bot user, which writes what its tokens write: `{slug}[bot]`. */
export const botOf = (token: IssuedToken) => `${token.app}[bot]`;

/**
 * A check of the request's token against `apps`: the token when it may `need` (read or write) the
 * repository through one of `permissions`, else GitHub's refusal (`docs`: its documentation_url).
 */
export function installationTokens(
  apps: GithubAppFixture | GithubAppFixture[],
  docs: string,
  now: () => Date = () => new Date(),
) {
  const issuers = [apps].flat();
  return (
    headers: IncomingHttpHeaders,
    repo: string,
    permissions: string[],
    need: 'read' | 'write',
  ): { token: IssuedToken } | { refused: GithubAnswer } => {
    const value = /^(?:token|bearer) (.+)$/i.exec(headers.authorization ?? '')?.[1];
    const token = value ? issuers.map((a) => a.issued(value)).find((i) => i !== undefined) : undefined;
    if (!token || token.revoked || token.expiresAt.getTime() <= now().getTime())
      return { refused: error(401, 'Bad credentials', docs) };
    if (token.repositories && !token.repositories.includes(repo))
      return { refused: error(404, 'Not Found', docs) };
    const granted = permissions.map((p) => token.permissions?.[p]);
    if (!granted.some((p) => p !== undefined && ACCESS[need].includes(p)))
      return { refused: error(403, 'Resource not accessible by integration', docs) };
    return { token };
  };
}
