// The collaborator-permission endpoint of the GitHub REST stand-in (test/harness/remote/github-api/server.ts):
// GET /repos/{owner}/{repo}/collaborators/{username}/permission, authenticated as GitHub does it for an
// App, by an installation token the App fixture issued (apps.ts), unexpired, unrevoked, reaching the
// repository. Answers carry what GitHub's description requires of `repository-collaborator-permission`
// (the server checks it): the legacy `permission` (maintain reads as write, triage as read), the
// `role_name`, and the user with its base-role flags. A login the repository does not know is 404.
import type { GithubAppFixture } from './apps.js';
import type { GithubAnswer, GithubRoute } from './route.js';
import { simpleUser } from './users.js';

export type CollaboratorRole = 'read' | 'triage' | 'write' | 'maintain' | 'admin' | 'none';

export interface CollaboratorsFixture {
  /** Roles by repository (owner/name, lower case), then login (lower case). */
  roles: Map<string, Map<string, CollaboratorRole>>;
  /** Logins asked about, in order, as `owner/repo:login`. */
  asked: string[];
  routes: GithubRoute[];
  /** Sets `login`'s role on `repository`. */
  grant(repository: string, login: string, role: CollaboratorRole): void;
}

const error = (status: number, message: string): GithubAnswer => ({
  status,
  body: { message, documentation_url: 'https://docs.github.com/rest/collaborators/collaborators' },
});

const LEGACY: Record<CollaboratorRole, string> = {
  admin: 'admin',
  maintain: 'write',
  write: 'write',
  triage: 'read',
  read: 'read',
  none: 'none',
};

function collaborator(login: string, role: CollaboratorRole) {
  const at = (level: CollaboratorRole[]) => level.includes(role);
  return {
    ...simpleUser(login),
    permissions: {
      pull: at(['read', 'triage', 'write', 'maintain', 'admin']),
      triage: at(['triage', 'write', 'maintain', 'admin']),
      push: at(['write', 'maintain', 'admin']),
      maintain: at(['maintain', 'admin']),
      admin: at(['admin']),
    },
    role_name: role,
  };
}

export function collaboratorsFixture(app: GithubAppFixture): CollaboratorsFixture {
  const fixture: CollaboratorsFixture = {
    roles: new Map(),
    asked: [],
    routes: [],
    grant(repository, login, role) {
      const key = repository.toLowerCase();
      const logins = fixture.roles.get(key) ?? new Map<string, CollaboratorRole>();
      logins.set(login.toLowerCase(), role);
      fixture.roles.set(key, logins);
    },
  };
  fixture.routes = [
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}/collaborators/{username}/permission',
      handle(req) {
        const { owner = '', repo = '', username = '' } = req.params;
        const token = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
        const issued = token ? app.issued(token) : undefined;
        if (!issued || issued.revoked || issued.expiresAt.getTime() <= Date.now())
          return error(401, 'Bad credentials');
        const installation = [...app.installations.entries()].find(([, i]) => i.id === issued.installationId);
        const reaches =
          installation?.[0] === owner.toLowerCase() &&
          (issued.repositories ?? installation[1].repositories).includes(repo);
        if (!reaches) return error(404, 'Not Found');
        fixture.asked.push(`${owner}/${repo}:${username}`);
        const role = fixture.roles.get(`${owner}/${repo}`.toLowerCase())?.get(username.toLowerCase());
        if (role === undefined) return error(404, 'Not Found');
        return {
          status: 200,
          body: { permission: LEGACY[role], role_name: role, user: collaborator(username, role) },
        };
      },
    },
  ];
  return fixture;
}
