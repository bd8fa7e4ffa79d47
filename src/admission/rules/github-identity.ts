// Rules on who a run acts as on GitHub: a GitHub App or a GitHub user, exactly one
// (src/api/github-auth.ts decides how each authenticates).
import { type ControllerConfig, runAgent } from '../../api/index.js';
import { error, type Finding } from '../../validation/index.js';
import { field, type Rule } from './context.js';

const isSet = (v: unknown) => v !== undefined && v !== null;

/** What each choice means, with the Secret names this config gives a user. */
const choices = (config: ControllerConfig, user = 'githubUser') =>
  `githubApp (a GitHub App, preferred) or ${user} (a GitHub user: the SSH key of the Secret ` +
  `${config.secrets.githubSshKey.name} for git@ URLs, the token of ${config.secrets.githubToken.name} for https)`;

/** CodeRun, DocsRun: exactly one of spec.githubApp and spec.githubUser. */
export const oneGithubIdentity: Rule<unknown> = ({ object, config }): Finding[] => {
  const app = isSet(field(object, 'spec.githubApp'));
  const user = isSet(field(object, 'spec.githubUser'));
  if (app && user)
    return [
      error(
        'github-identity',
        'spec.githubUser',
        `Forbidden: spec.githubApp is set too: set exactly one of spec.${choices(config)}`,
      ),
    ];
  if (!app && !user)
    return [
      error(
        'github-identity',
        'spec.githubApp',
        `Required value: set exactly one of spec.${choices(config)}`,
      ),
    ];
  return [];
};

/**
 * TaskRun: its agent profile supplies the GitHub App; a repository with neither that nor
 * spec.repository.githubUser would be accessed by no one.
 */
export const taskRunGithubIdentity: Rule<unknown> = ({ object, config }): Finding[] => {
  const spec = field(object, 'spec');
  const repository = field(object, 'spec.repository');
  if (!isSet(repository) || isSet(field(object, 'spec.repository.githubUser'))) return [];
  const agent = runAgent('TaskRun', (spec ?? {}) as Record<string, unknown>, config);
  if (agent === undefined || !Object.hasOwn(config.agents, agent) || config.agents[agent]?.githubApp)
    return [];
  return [
    error(
      'github-identity',
      'spec.repository.githubUser',
      `Required value: agent "${agent}" has no githubApp in the controller config, so the run must name ` +
        `the GitHub user it acts as (the SSH key of the Secret ${config.secrets.githubSshKey.name} for ` +
        `git@ URLs, the token of ${config.secrets.githubToken.name} for https)`,
    ),
  ];
};
