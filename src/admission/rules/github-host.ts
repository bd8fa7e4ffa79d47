// An App run's repositories stay on the controller config's github.host: the operator mints the run an
// installation token, and the entry script hands it to git for each URL the run names, so a URL on
// another host would receive a token minted for github.host's repositories (docs/security.md).
import { type RunKindName, runAgent, runGithubAuth } from '../../api/index.js';
import { error, type Finding, showValue } from '../../validation/index.js';
import { field, type Rule } from './context.js';

/** The host (with its port, when one is given) a repository URL names; undefined for org/repo. */
export function repositoryHost(url: string): string | undefined {
  const scp = /^[^@/:]+@([^:/]+):/.exec(url);
  if (scp?.[1]) return scp[1].toLowerCase();
  try {
    const parsed = new URL(url);
    // ssh:// names the SSH port, not GitHub's web port: only its host name is compared.
    return (parsed.protocol === 'ssh:' ? parsed.hostname : parsed.host).toLowerCase();
  } catch {
    return undefined;
  }
}

/** Whether `host` (from a URL) is github.host: for SSH addresses the port of github.host is ignored. */
function onGithubHost(url: string, githubHost: string): boolean {
  const host = repositoryHost(url);
  if (host === undefined) return true; // org/repo is stored as https://{github.host}/org/repo
  const wanted = githubHost.toLowerCase();
  const isHttps = url.startsWith('https:');
  return host === (isHttps ? wanted : wanted.replace(/:\d+$/, ''));
}

/** For a run acting as a GitHub App: each URL at `paths` must be on github.host. */
export const appUrlsOnGithubHost =
  (kind: RunKindName, ...paths: string[]): Rule<unknown> =>
  ({ object, config }): Finding[] => {
    const spec = (field(object, 'spec') ?? {}) as Record<string, unknown>;
    const auth = runGithubAuth(spec, config, runAgent(kind, spec, config));
    if (auth.method !== 'app') return [];
    const findings: Finding[] = [];
    for (const path of paths) {
      const url = field(object, path);
      if (typeof url !== 'string' || onGithubHost(url, config.github.host)) continue;
      findings.push(
        error(
          'app-github-host',
          path,
          `Forbidden: ${showValue(url)} is not on ${config.github.host} (the controller config's github.host): ` +
            `the run acts as the GitHub App ${auth.app}, whose installation token is only for ` +
            `${config.github.host}; name a repository there, or act as a GitHub user (githubUser)`,
        ),
      );
    }
    return findings;
  };
