// Which deliveries start a run, and for which task: the controller config's githubWebhook section
// applied to the feedback read from a payload (events.ts). Pure: every "no" comes with its reason,
// which the endpoint answers with (202), so a GitHub admin sees in the delivery log why nothing ran.
import { type ControllerConfig, configuredApps } from '../api/index.js';
import { taskIdFrom } from '../naming/index.js';
import type { Feedback } from './events.js';

type WebhookConfig = ControllerConfig['githubWebhook'];
export type RepositoryConfig = WebhookConfig['repositories'][number];

/** A task's feedback, and where its runs are. Without a task id, the pull request's URL finds the run. */
export interface Target {
  repository: RepositoryConfig;
  taskId?: number;
  feedback: Feedback;
}

export type Decision = { target: Target } | { ignored: string };

/** The logins of the install's Apps' bots (`acme-rex` acts as `acme-rex[bot]`), and the configured ones. */
export function ownBotLogins(config: ControllerConfig): Set<string> {
  return new Set([
    ...configuredApps(config).map((app) => `${app.toLowerCase()}[bot]`),
    ...config.githubWebhook.botLogins.map((l) => l.toLowerCase()),
  ]);
}

export function configuredRepository(config: ControllerConfig, name: string): RepositoryConfig | undefined {
  const wanted = name.toLowerCase();
  return config.githubWebhook.repositories.find((r) => r.name.toLowerCase() === wanted);
}

/** Whether `event` is acted on at all (config githubWebhook.events). */
export const handledEvent = (config: ControllerConfig, event: string): boolean =>
  (config.githubWebhook.events as string[]).includes(event);

export function decide(feedback: Feedback, config: ControllerConfig): Decision {
  const hook = config.githubWebhook;
  const repository = configuredRepository(config, feedback.repository);
  if (!repository)
    return { ignored: `repository ${feedback.repository} is not configured (githubWebhook.repositories)` };
  if (feedback.trigger !== 'ci-failure') {
    // The agents comment on their own pull requests: answering them would loop.
    if (ownBotLogins(config).has(feedback.author.toLowerCase()))
      return { ignored: `${feedback.author} is one of the project's own apps (no loops)` };
    if (!(hook.authorAssociations as string[]).includes(feedback.association ?? 'NONE'))
      return {
        ignored: `${feedback.author} is ${feedback.association ?? 'NONE'} on ${feedback.repository}, not one of githubWebhook.authorAssociations (${hook.authorAssociations.join(', ')})`,
      };
  }
  if (feedback.branch !== undefined && !feedback.sameRepository)
    return { ignored: `the head branch ${feedback.branch} is a fork's, not ${feedback.repository}'s` };
  const fromBranch =
    feedback.branch === undefined ? undefined : taskIdFrom(hook.branchPattern, feedback.branch);
  const fromLabel = feedback.labels.map((l) => taskIdFrom(hook.taskLabel, l)).find((id) => id !== undefined);
  const taskId = fromBranch ?? fromLabel;
  if (taskId !== undefined) return { target: { repository, taskId, feedback } };
  // A comment's payload has no branch; the run that opened the pull request still knows its task.
  if (feedback.trigger !== 'ci-failure' && feedback.branch === undefined && feedback.pullRequestUrl)
    return { target: { repository, feedback } };
  return {
    ignored: `${feedback.branch === undefined ? 'the pull request' : `branch ${feedback.branch}`} names no task (githubWebhook.branchPattern ${hook.branchPattern}, taskLabel ${hook.taskLabel})`,
  };
}
