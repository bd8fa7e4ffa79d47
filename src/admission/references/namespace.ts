// The reference rows of the objects of the run's own namespace that its pod would use (docs/security.md
// "What a run makes its pod use"): a Secret of envFromSecrets, a GitHub user's Secrets, a
// ServiceAccount, a workspace claim. What the operator itself chose (the agent profile's
// ServiceAccount, the run's own workspace, the platform's Secrets of the controller config) is not
// named, so needs no check.
import { GROUP, githubUserSecrets, runAgent, runGithubAuth, specDefaults } from '../../api/index.js';
import { isPlainObject } from '../../util/index.js';
import type { Reference } from './row.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export const ENV_SECRET_REFERENCE: Reference = {
  field: 'spec.envFromSecrets[].secretName',
  group: '',
  resource: 'secrets',
  anyOf: [{ verb: 'get' }],
  use: 'the agent would read this Secret',
  named: ({ spec }) =>
    (Array.isArray(spec.envFromSecrets) ? spec.envFromSecrets : []).flatMap((entry, i) => {
      const name = isPlainObject(entry) ? str(entry.secretName) : undefined;
      return name ? [{ path: `spec.envFromSecrets[${i}].secretName`, name }] : [];
    }),
};

export const GITHUB_USER_REFERENCE: Reference = {
  field: 'spec.githubUser (TaskRun: spec.repository.githubUser)',
  group: '',
  resource: 'secrets',
  anyOf: [{ verb: 'get' }],
  use: "the agent would read this GitHub user's credential (controller config secrets.githubToken, secrets.githubSshKey)",
  named: ({ kind, spec, config }) => {
    const auth = runGithubAuth(spec, config, runAgent(kind, spec, config));
    const path = kind === 'TaskRun' ? 'spec.repository.githubUser' : 'spec.githubUser';
    return githubUserSecrets(auth, config).map(({ name }) => ({ path, name }));
  },
};

export const SERVICE_ACCOUNT_REFERENCE: Reference = {
  field: 'spec.serviceAccountName',
  group: '',
  resource: 'serviceaccounts',
  // Either lets the submitter act as the account anyway: a token of it, or impersonation.
  anyOf: [{ verb: 'create', subresource: 'token' }, { verb: 'impersonate' }],
  use: "the agent's pod would run as this ServiceAccount (and with any cloud identity bound to it)",
  named: ({ kind, spec, config }) => {
    const name = str(spec.serviceAccountName);
    // Most runs name none: the defaults are built only for one that does (this runs on every review).
    if (!name) return [];
    // No account in the profile: the pod would run as the namespace's `default`.
    const standard = str(specDefaults(kind, spec, config).serviceAccountName) ?? 'default';
    return name !== standard ? [{ path: 'spec.serviceAccountName', name }] : [];
  },
};

export const CLAIM_REFERENCE: Reference = {
  field: 'spec.workspace.pvcName',
  group: '',
  resource: 'persistentvolumeclaims',
  // The pod mounts the claim read-write, with its owner's checkouts and session transcripts: a right
  // that implies writing it, not `get` (which the built-in view role grants). Either the virtual `use`
  // of orchestrator.io, which no built-in or generated role grants, or `create pods` in the namespace,
  // with which the submitter could mount the claim anyway.
  anyOf: [
    { verb: 'use', group: GROUP },
    { verb: 'create', group: '', resource: 'pods', unnamed: true },
  ],
  use: "the agent's pod would mount this claim as its workspace",
  named: ({ kind, spec, config }) => {
    const name = isPlainObject(spec.workspace) ? str(spec.workspace.pvcName) : undefined;
    if (!name) return [];
    const workspace = specDefaults(kind, spec, config).workspace as Record<string, unknown>;
    return name !== workspace.pvcName ? [{ path: 'spec.workspace.pvcName', name }] : [];
  },
};
