// Which issue requests (issue-events.ts) start a run: the repository's `issues` block of the controller
// config (githubWebhook.repositories[].issues) applied to the request. Pure: every "no" comes with its
// reason, answered 202 and logged, never on the issue (decision 0082: nobody is answered on GitHub
// before GitHub has said they may start runs there).
import type { ControllerConfig } from '../api/index.js';
import type { IssueRequest } from './issue-events.js';
import { configuredRepository, ownBotLogins, type RepositoryConfig } from './mapping.js';

export type IssuesConfig = NonNullable<RepositoryConfig['issues']>;

/** An issue request that may start a run, and as whom the run acts. */
export interface IssueTarget {
  repository: RepositoryConfig;
  issues: IssuesConfig;
  request: IssueRequest;
  /** The run's agent profile. */
  agent: string;
  /** The GitHub App the run acts as, whose token asks for the actor's permission; none for a user's run. */
  app?: string;
  /** Who is assigned or mentioned to ask for a run: the App's name (its bot `{app}[bot]`) or the user. */
  handle: string;
}

export type IssueDecision = { target: IssueTarget } | { ignored: string };

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether `text` mentions `@handle` as GitHub does: not inside a word or an e-mail address, and not
 * the start of a longer login (`@rex` is not `@rex-2`).
 */
export function mentions(text: string, handle: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9_\`/.@-])@${literal(handle)}(?![A-Za-z0-9-]|\\[bot\\])`, 'i').test(text);
}

/** Whether `request` starts a run under `config`, and as whom. */
export function decideIssue(request: IssueRequest, config: ControllerConfig): IssueDecision {
  const hook = config.githubWebhook;
  const repository = configuredRepository(config, request.repository);
  if (!repository)
    return { ignored: `repository ${request.repository} is not configured (githubWebhook.repositories)` };
  const { issues } = repository;
  if (!issues)
    return {
      ignored: `runs from issues are off for ${repository.name} (githubWebhook.repositories[].issues)`,
    };
  const agent = issues.agent ?? config.defaultAgent;
  const profile = Object.hasOwn(config.agents, agent) ? config.agents[agent] : undefined;
  if (!profile)
    return { ignored: `the agent profile ${agent} (repositories[].issues.agent) is not in agents` };
  const app = issues.githubUser ? undefined : profile.githubApp;
  const handle = issues.githubUser ?? app;
  if (!handle)
    return {
      ignored: `the agent profile ${agent} names no githubApp and repositories[].issues.githubUser is not set: the run would act as nobody`,
    };
  // The agents comment, label and assign too: answering them would loop.
  if (ownBotLogins(config).has(request.actor.toLowerCase()))
    return { ignored: `${request.actor} is one of the project's own apps (no loops)` };
  const where = `${request.repository}#${request.number}`;
  switch (request.trigger) {
    case 'label':
      if (!issues.label) return { ignored: 'repositories[].issues.label is not set: labels start no run' };
      if (issues.label.toLowerCase() !== request.label?.toLowerCase())
        return { ignored: `the label ${request.label} is not ${issues.label} (repositories[].issues.label)` };
      break;
    case 'assign': {
      if (!issues.assign) return { ignored: 'repositories[].issues.assign is off: assignments start no run' };
      const login = issues.githubUser ?? `${app}[bot]`;
      if (request.assignee?.toLowerCase() !== login.toLowerCase())
        return { ignored: `${where} was assigned to ${request.assignee}, not ${login}` };
      break;
    }
    case 'mention':
      if (!issues.mention) return { ignored: 'repositories[].issues.mention is off: mentions start no run' };
      if (!mentions(request.comment?.body ?? '', handle))
        return { ignored: `the comment on ${where} does not mention @${handle}` };
      // On a public repository anybody may comment: the cheap filter first, as for remediation.
      if (!(hook.authorAssociations as string[]).includes(request.association ?? 'NONE'))
        return {
          ignored: `${request.actor} is ${request.association ?? 'NONE'} on ${request.repository}, not one of githubWebhook.authorAssociations (${hook.authorAssociations.join(', ')})`,
        };
      break;
  }
  return { target: { repository, issues, request, agent, ...(app ? { app } : {}), handle } };
}
