// Who may start an agent from GitHub: the delivery's actor (events.ts: a comment's or review's author,
// a workflow run's triggering actor, a check run's sender) must hold at least
// githubWebhook.triggerPermission on the repository, as GitHub itself says (collaborator-permission.ts
// asks it). author_association is only the cheap first filter (mapping.ts): an organisation MEMBER
// without access to the repository, or a read-only COLLABORATOR, passes it and holds no write. Pure
// policy over the RepositoryPermissions seam, so the router's tests use an in-memory fake of it.
import type { ControllerConfig } from '../api/index.js';
import { truncate } from '../validation/index.js';
import type { Feedback } from './events.js';
import { ownBotLogins } from './mapping.js';

/** GitHub's base repository roles, weakest first. */
export const REPOSITORY_ROLES = ['read', 'triage', 'write', 'maintain', 'admin'] as const;
export type RepositoryRole = (typeof REPOSITORY_ROLES)[number];
/** What a login holds on a repository: a base role, or nothing at all. */
export type Standing = RepositoryRole | 'none';

export interface PermissionQuery {
  /** The GitHub App whose installation token asks (the continued run's githubApp). */
  app: string;
  /** owner/name. */
  repository: string;
  login: string;
}

/** What GitHub says a login may do on a repository. */
export interface RepositoryPermissions {
  /**
   * The highest base role `login` holds on `repository`; 'none' when GitHub knows no such collaborator.
   * Throws when GitHub cannot say (unreachable, rate limited, the App not installed): never a guess.
   */
  standing(query: PermissionQuery, signal?: AbortSignal): Promise<Standing>;
}

/** Whether `held` is at least `needed`. */
export const atLeast = (held: Standing, needed: RepositoryRole): boolean =>
  held !== 'none' && REPOSITORY_ROLES.indexOf(held) >= REPOSITORY_ROLES.indexOf(needed);

/** GitHub logins (users: 1–39 of letters, digits, hyphens; apps' bots end in [bot]). */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;

export type TriggerVerdict = { allowed: string } | { refused: string } | { unknown: string };

export interface TriggerInput {
  /** Who asked, where: a remediation's feedback, or an issue request (issue-events.ts, trigger `issue`). */
  feedback: Pick<Feedback, 'actor' | 'repository'> & { trigger: Feedback['trigger'] | 'issue' };
  /** The GitHub App the run acts as; undefined for a run acting as a GitHub user. */
  app: string | undefined;
  config: ControllerConfig;
  /** Undefined when this process has no App keys to mint a token with. */
  permissions: RepositoryPermissions | undefined;
  signal?: AbortSignal;
}

/** Whether the feedback's actor may start a run, and why (each answer names the field or rule). */
export async function triggerVerdict(input: TriggerInput): Promise<TriggerVerdict> {
  const { feedback, app, config, permissions, signal } = input;
  const needed = config.githubWebhook.triggerPermission;
  const who = feedback.actor || '(nobody named)';
  const where = feedback.repository;
  if (needed === 'none')
    return { allowed: 'githubWebhook.triggerPermission is none: author_association alone decides' };
  // The project's own App pushed the commit whose CI failed: its installation writes there by design.
  // (Comments and reviews of its bots were already ignored, to prevent loops.)
  if (feedback.trigger === 'ci-failure' && ownBotLogins(config).has(who.toLowerCase()))
    return { allowed: `${who} is one of the project's own apps` };
  // The payload's login is the sender's to choose: quoted in the answer and the log only in part.
  if (!LOGIN.test(who))
    return { refused: `${JSON.stringify(truncate(who, 64))} is not a GitHub login to ask about` };
  if (!app)
    return {
      refused: `the run ${feedback.trigger === 'issue' ? 'it starts' : 'it continues'} acts as a GitHub user, not a GitHub App, so there is no installation token to ask GitHub whether ${who} may ${needed} ${where} (set githubWebhook.triggerPermission: none to trust author_association alone)`,
    };
  if (!permissions)
    return {
      refused: `this operator has no GitHub App keys (secrets.githubAppId, secrets.githubAppPrivateKey) to ask GitHub whether ${who} may ${needed} ${where} (set githubWebhook.triggerPermission: none to trust author_association alone)`,
    };
  let held: Standing;
  try {
    held = await permissions.standing({ app, repository: where, login: who }, signal);
  } catch (err) {
    return {
      unknown: `GitHub could not say whether ${who} may ${needed} ${where}: ${(err as Error).message}`,
    };
  }
  return atLeast(held, needed)
    ? { allowed: `${who} has ${held} on ${where}` }
    : {
        refused: `${who} has ${held === 'none' ? 'no access' : held} on ${where}; githubWebhook.triggerPermission requires ${needed}`,
      };
}
