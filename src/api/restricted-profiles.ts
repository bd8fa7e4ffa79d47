// Which agent profiles a run's submitter may use only with an explicit grant (docs/security.md): a
// profile the config marks restricted, and always one with clusterAccess (its pods hold a token whose
// Role creates pods, so every Secret of the namespace). scripts/generate-user-roles.js grants the
// others of the shipped config to the editor roles; src/api/generate.test.ts holds the
// two to the same rule.
import type { AgentProfile } from './types.js';

export const isRestrictedProfile = (profile: AgentProfile | undefined): boolean =>
  profile?.restricted === true || profile?.clusterAccess === true;
