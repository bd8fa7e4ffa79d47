// Rules for repository URLs and paths inside the workspace.
import { error, showValue } from '../../validation/index.js';
import { field, type Rule } from './context.js';

const SCP_LIKE = /^git@[A-Za-z0-9.-]+:[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/;

/** Why a repository URL is unusable, or undefined when it is fine. */
export function repositoryUrlProblem(url: string): string | undefined {
  if (SCP_LIKE.test(url)) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an https URL (https://github.com/org/repo), an SSH address (git@github.com:org/repo.git) or org/repo';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'ssh:') {
    return `the scheme ${parsed.protocol.replace(/:$/, '')} is not allowed; use https:// or an SSH address (git@host:org/repo.git)`;
  }
  if (parsed.protocol === 'https:' && (parsed.username || parsed.password)) {
    return 'must not embed credentials: the run authenticates as its GitHub App or GitHub user (githubUser)';
  }
  if (!parsed.hostname) return 'has no host';
  if (parsed.pathname.split('/').filter(Boolean).length < 2)
    return 'must name an organisation and a repository (…/org/repo)';
  return undefined;
}

/** A rule from a predicate that says what is wrong with a string field, if anything. */
const stringRule =
  (rule: string, problemOf: (value: string) => string | undefined) =>
  (path: string): Rule<unknown> =>
  ({ object }) => {
    const value = field(object, path);
    if (typeof value !== 'string') return [];
    const problem = problemOf(value);
    return problem ? [error(rule, path, `Invalid value: ${showValue(value)}: ${problem}`)] : [];
  };

export const validRepositoryUrl = stringRule('repository-url', repositoryUrlProblem);

/** Why a path is unsafe to join under the workspace, or undefined when it is fine. */
export function relativePathProblem(path: string): string | undefined {
  if (path.startsWith('/')) return 'must be relative to the repository root, not absolute';
  if (path.includes('\\') || path.includes('\0')) return 'must use / separators and no NUL characters';
  if (path.split('/').some((segment) => segment === '..'))
    return 'must not contain ".." (it would leave the repository)';
  if (path.startsWith('-')) return 'must not start with "-" (it would be read as a command-line option)';
  return undefined;
}

export const safeRelativePath = stringRule('safe-path', relativePathProblem);
