// Submitter authorisation of what a run makes its pod use (docs/security.md): the operator creates the pod,
// so whoever may create a run must not reach through it a Secret, ServiceAccount, claim, agent profile or
// App repository they may not use themselves. The webhook asks (src/admission/reference-review.ts), the
// REST API asks for its callers, and a GitHub remediation run is held to its previous run's references
// (src/github/remediation-references.ts).
// - agent-profiles.ts: the row of the agent profile a run uses (`use agentprofiles`), asked for every run.
// - check.ts: the table asked of RBAC for one submitter, every question at once within the webhook's time
//   limit; apart from the table so that a new row is data, not code.
// - mcp-servers.ts: the row of the Secrets the team's MCP servers send a key of, chosen by the run's
//   agent and namespace.
// - namespace.ts: the rows of the namespace's objects: a Secret of envFromSecrets, a GitHub user's
//   Secrets, a ServiceAccount, a workspace claim.
// - repositories.ts: the row of an App run's repositories (`use repositories`, host/owner/repo or
//   host/owner/*), named by the function that scopes the token.
// - row.ts: the shape of a row (the run as rows read it, the names, the permissions).
// - platform.ts: the rows of what the platform chooses unless the submitter may: the image, the
//   PriorityClass (and the image patterns of the config that need no grant).
// - table.ts: the one table: a row per spec field that names an object the pod uses, with the permissions
//   any one of which suffices.

export { AGENT_PROFILE_REFERENCE } from './agent-profiles.js';
export {
  accessAttributes,
  deniedMessage,
  judgeReferences,
  REFERENCE_REVIEW_TIMEOUT_MS,
  REFERENCE_RULES,
  ruleText,
  uncheckedText,
} from './check.js';
export { MCP_SECRET_REFERENCE } from './mcp-servers.js';
export {
  CLAIM_REFERENCE,
  ENV_SECRET_REFERENCE,
  GITHUB_USER_REFERENCE,
  SERVICE_ACCOUNT_REFERENCE,
} from './namespace.js';
export { IMAGE_REFERENCE, PRIORITY_CLASS_REFERENCE } from './platform.js';
export { REPOSITORY_REFERENCE } from './repositories.js';
export { permissionsOf } from './row.js';
export {
  type Permission,
  REFERENCES,
  type Reference,
  type ReferenceCheck,
  type RunView,
  referencesToCheck,
  specOf,
} from './table.js';
