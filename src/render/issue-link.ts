// The line of a pull request's body that closes the issue its run was started from (decision 0082):
// `Closes #N` when the run's github-issue-url annotation names an issue of the run's own repository, so
// GitHub links the pull request to the issue and closes it on merge. An address of another repository
// (or none) closes nothing: an annotation is no claim on another repository's issues.
import { ANNOTATIONS } from '../api/index.js';
import { repositoryKey } from '../naming/index.js';

const ISSUE_URL = /^(https:\/\/[^/?#]+\/[^/?#]+\/[^/?#]+)\/issues\/([1-9][0-9]{0,9})$/;

export function issueClosing(
  run: { metadata?: { annotations?: Record<string, string> } },
  repositoryUrl: string | undefined,
  host: string,
): string | null {
  const m = ISSUE_URL.exec(run.metadata?.annotations?.[ANNOTATIONS.githubIssueUrl] ?? '');
  if (!m || repositoryUrl === undefined) return null;
  const [, repository = '', number = ''] = m;
  const own = repositoryKey(repositoryUrl, host);
  return own !== undefined && repositoryKey(repository, host) === own ? `Closes #${number}` : null;
}
