// The reference row of the agent profile a run uses (docs/security.md "Agent profiles"): the profile
// chooses the pod's GitHub App, ServiceAccount (with clusterAccess: a token whose Role creates pods)
// and image, which the operator holds and the submitter may not. So using one is a permission, the
// Kubernetes way of PodSecurityPolicy's `use`: the verb `use` on the virtual resource
// agentprofiles.orchestrator.io named by the profile, asked for every run, also one that takes the
// default profile by naming none. The editor roles grant `use` of the profiles that are not restricted
// (scripts/generate-user-roles.js). A restricted one (restricted, or clusterAccess) is judged by what
// the config says at admission, whatever the roles list: it needs the verb `use-restricted`, which no
// generated role carries, so a values file or config that restricts (or gives cluster access to) a
// profile some role names by `use` does not leave it in that role's hands.
import {
  type AgentProfile,
  GROUP,
  isRestrictedProfile,
  type RunKindName,
  runAgent,
  runProfile,
} from '../../api/index.js';
import type { Reference } from './row.js';

/** What the profile would give the run's pods, for the denial. */
export function profileUse(profile: AgentProfile | undefined): string {
  if (!profile) return "the run's pods would run as this agent profile";
  const account = profile.serviceAccountName ?? 'default';
  if (profile.clusterAccess)
    return `the profile runs its pods as ServiceAccount ${account} with cluster access`;
  const app = profile.githubApp ? `, act as GitHub App ${profile.githubApp}` : '';
  return `the profile runs its pods as ServiceAccount ${account}${app}, with its image`;
}

/** The verb a restricted profile needs: one no generated role grants (scripts/generate-user-roles.js). */
export const RESTRICTED_VERB = 'use-restricted';

/** The field that selects the agent profile, also when it is left to the default. */
export const agentField = (kind: RunKindName): string =>
  kind === 'TaskRun' ? 'spec.agent' : 'spec.githubApp';

export const AGENT_PROFILE_REFERENCE: Reference = {
  field: 'spec.agent (CodeRun, DocsRun: spec.githubApp)',
  group: GROUP,
  resource: 'agentprofiles',
  anyOf: [{ verb: 'use' }],
  escalated: { when: 'a restricted or clusterAccess profile', anyOf: [{ verb: RESTRICTED_VERB }] },
  use: "the run's pods would run as this agent profile (its GitHub App, ServiceAccount and image)",
  named: ({ kind, spec, config }) => {
    const agent = runAgent(kind, spec, config);
    if (!agent) return [];
    const path = agentField(kind);
    const profile = runProfile(kind, spec, config, agent);
    return [{ path, name: agent, use: profileUse(profile), escalated: isRestrictedProfile(profile) }];
  },
};
