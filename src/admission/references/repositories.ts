// The reference row of the repositories an App run's token is minted for (docs/security.md
// "Repositories"): the operator holds the GitHub App's key and mints an installation token for the
// run's repositories, which the submitter may not be able to write to. So each is a permission: the
// verb `use` on the virtual resource repositories.orchestrator.io named `host/owner/repo` (lower
// case), or `host/owner/*` for the owner's every repository; a rule without resourceNames allows
// every one. The names come from the function the token's scope is computed with (appRepositories),
// so what is checked is what the token reaches. A run acting as a GitHub user names none: it uses the
// user's own Secrets, which the githubUser row checks.
import { appRepositories, GROUP } from '../../api/index.js';
import type { Reference } from './row.js';

/** `github.com/acme/*`: the owner-wide grant of `github.com/acme/payments`. */
export const ownerWide = (key: string): string => key.replace(/\/[^/]*$/, '/*');

export const REPOSITORY_REFERENCE: Reference = {
  field: 'spec.repositoryUrl, spec.docsRepositoryUrl (TaskRun: spec.repository.url) of a GitHub App run',
  group: GROUP,
  resource: 'repositories',
  anyOf: [{ verb: 'use' }, { verb: 'use', name: ownerWide }],
  use: "the operator would mint the GitHub App's installation token for this repository into the agent's pod",
  named: ({ kind, spec, config }) => {
    const token = appRepositories(kind, spec, config);
    if (!token) return [];
    const use = `the operator would mint GitHub App ${token.app}'s installation token for this repository into the agent's pod`;
    return token.repositories.map((r) => ({ path: r.path, name: r.key, use }));
  },
};
