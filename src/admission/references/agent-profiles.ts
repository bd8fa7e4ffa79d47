// The reference row of the agent profile a run uses (docs/security.md "Agent profiles"): the profile
// chooses the pod's GitHub App, ServiceAccount (with clusterAccess: a token whose Role creates pods)
// and image, which the operator holds and the submitter may not. So using one is a permission, the
// Kubernetes way of PodSecurityPolicy's `use`: the verb `use` on the virtual resource
// agentprofiles.orchestrator.io named by the profile, asked for every run, also one that takes the
// default profile by naming none. The editor roles grant the profiles that are not restricted
// (scripts/generate-user-roles.js); the rest need a Role of their own.
import { type AgentProfile, GROUP, runAgent, runProfile } from '../../api/index.js';
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

export const AGENT_PROFILE_REFERENCE: Reference = {
  field: 'spec.agent (CodeRun, DocsRun: spec.githubApp)',
  group: GROUP,
  resource: 'agentprofiles',
  anyOf: [{ verb: 'use' }],
  use: "the run's pods would run as this agent profile (its GitHub App, ServiceAccount and image)",
  named: ({ kind, spec, config }) => {
    const agent = runAgent(kind, spec, config);
    if (!agent) return [];
    // The field that selects the profile, also when it is left to the default.
    const path = kind === 'TaskRun' ? 'spec.agent' : 'spec.githubApp';
    return [{ path, name: agent, use: profileUse(runProfile(kind, spec, config, agent)) }];
  },
};
