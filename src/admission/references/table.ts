// The objects a run makes its agent's pod use, and what its submitter must be allowed on each: ONE
// table, a row per spec field (→ API group, resource, the permissions any one of which suffices, the
// names). The operator creates the pod, so without this whoever may create a run could have it read
// any Secret of the namespace, run as any ServiceAccount or mount any claim (a confused deputy). What
// the operator itself chose (the agent profile's ServiceAccount, the run's own workspace, the
// platform's Secrets of the controller config) needs no check. Another reference (e.g. a
// PriorityClass `use`) is one more row. The powers the operator holds are rows too, on virtual
// resources of the API group (agentprofiles, repositories, images: agent-profiles.ts, repositories.ts,
// platform.ts).
// The design: docs/security.md, docs/design.md §7.
import { githubUserSecrets, runAgent, runGithubAuth, specDefaults } from '../../api/index.js';
import { isPlainObject } from '../../util/json.js';
import { AGENT_PROFILE_REFERENCE } from './agent-profiles.js';
import { IMAGE_REFERENCE, PRIORITY_CLASS_REFERENCE } from './platform.js';
import { REPOSITORY_REFERENCE } from './repositories.js';
import type { Named, Reference, RunView } from './row.js';

export type { Named, Permission, Reference, RunView } from './row.js';

type Obj = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export const REFERENCES: readonly Reference[] = [
  {
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
  },
  {
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
  },
  {
    field: 'spec.serviceAccountName',
    group: '',
    resource: 'serviceaccounts',
    // Either lets the submitter act as the account anyway: a token of it, or impersonation.
    anyOf: [{ verb: 'create', subresource: 'token' }, { verb: 'impersonate' }],
    use: "the agent's pod would run as this ServiceAccount (and with any cloud identity bound to it)",
    named: ({ kind, spec, config }) => {
      const name = str(spec.serviceAccountName);
      // No account in the profile: the pod would run as the namespace's `default`.
      const standard = str(specDefaults(kind, spec, config).serviceAccountName) ?? 'default';
      return name && name !== standard ? [{ path: 'spec.serviceAccountName', name }] : [];
    },
  },
  {
    field: 'spec.workspace.pvcName',
    group: '',
    resource: 'persistentvolumeclaims',
    anyOf: [{ verb: 'get' }],
    use: "the agent's pod would mount this claim as its workspace",
    named: ({ kind, spec, config }) => {
      const name = isPlainObject(spec.workspace) ? str(spec.workspace.pvcName) : undefined;
      const workspace = specDefaults(kind, spec, config).workspace as Obj;
      return name && name !== workspace.pvcName ? [{ path: 'spec.workspace.pvcName', name }] : [];
    },
  },
  AGENT_PROFILE_REFERENCE,
  REPOSITORY_REFERENCE,
  IMAGE_REFERENCE,
  PRIORITY_CLASS_REFERENCE,
];

/** One object to check: the row that names it, where, and its name. */
export interface ReferenceCheck extends Named {
  reference: Reference;
}

const identity = (reference: Reference, name: string) => `${reference.field}\0${name}`;

/**
 * What the run names that needs a check. With the stored run (an UPDATE), only what it did not already
 * name in the same field: that was checked when it was added (a list reordered asks nothing).
 */
export function referencesToCheck(run: RunView, stored?: RunView): ReferenceCheck[] {
  const known = new Set(
    stored ? REFERENCES.flatMap((r) => r.named(stored).map((n) => identity(r, n.name))) : [],
  );
  return REFERENCES.flatMap((reference) =>
    reference
      .named(run)
      .filter((n) => !known.has(identity(reference, n.name)))
      .map((n) => ({ reference, ...n })),
  );
}

/** The run's spec from an object of any shape (the table reads every field guardedly). */
export const specOf = (object: unknown): Obj =>
  isPlainObject(object) && isPlainObject(object.spec) ? object.spec : {};
