// The GitHub Apps' part of `orchestrator run`: the Apps' keys stay in the operator's namespace and the
// agents get minted tokens (docs/design.md §4.8); with those tokens, GitHub is asked who may start a
// run, and the pull requests are told of refusals and stages.
import {
  AppKeys,
  CollaboratorPermissions,
  GithubPullRequestComments,
  GithubTaskMarkers,
  githubApiUrl,
  TokenBroker,
} from '../github/index.js';
import type { Connected } from './run-context.js';

/** What the operator asks of GitHub with its Apps' tokens; every field absent without keys. */
export interface GithubApps {
  tokens?: TokenBroker;
  /** Who may start a run (docs/github-webhook.md "Who may start a run"), for the GitHub webhook. */
  permissions?: CollaboratorPermissions;
  /** The refusals of App runs said on their pull requests (decision 0050), and the stages' reports. */
  pullRequestComments?: GithubPullRequestComments;
  /** The plays' task markers, read-only (decision 0057). */
  taskMarkers?: GithubTaskMarkers;
}

/**
 * A config naming no key Secrets mints none (decided at start: the token cache is an informer), and
 * neither does the embedded local cluster, whose simulated agents reach no GitHub.
 */
export function githubApps(proc: Connected): GithubApps {
  const { opts, local, client, registry, logger } = proc;
  const { config } = proc.inputs;
  const { githubAppId, githubAppPrivateKey } = config.current().secrets;
  const apiUrl = () => githubApiUrl(config.current().github.host);
  const tokens =
    !local && githubAppId && githubAppPrivateKey
      ? new TokenBroker({
          keys: new AppKeys(client, opts.namespace, () => ({
            id: config.current().secrets.githubAppId,
            key: config.current().secrets.githubAppPrivateKey,
          })),
          apiUrl,
          registry,
        })
      : undefined;
  logger.info(
    { namespace: opts.namespace, minting: tokens !== undefined, local: local !== undefined },
    'GitHub App installation tokens (keys read from this namespace)',
  );
  if (!tokens) return {};
  return {
    tokens,
    permissions: new CollaboratorPermissions({ tokens, apiUrl }),
    pullRequestComments: new GithubPullRequestComments({ tokens, apiUrl }),
    taskMarkers: new GithubTaskMarkers({ tokens, apiUrl }),
  };
}
