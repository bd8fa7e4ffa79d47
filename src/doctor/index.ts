// `orchestrator doctor` and the same checks at a manager's start (docs/doctor.md): what an install
// lacks, each finding with the command that fixes it. A check is one file; checks.ts is their list.
// - agent-image.ts: the agent profiles' images on the nodes, or how to try the pull.
// - app-installations.ts: each configured GitHub App installed on the repositories given, asked of GitHub.
// - app-keys.ts: each configured GitHub App's id and private key, and the manager's right to read them.
// - check.ts: what a check is, what it is given (DoctorContext) and what it finds.
// - checks.ts: the list of checks, in the order an install meets the problems.
// - crds.ts: the run kinds' CRDs installed, Established, with this release's versions and schemas.
// - crd-names.ts: no other CRD declares the run kinds' kubectl names or holds one of their kinds.
// - model-key.ts: the model API key where the agents' calls look for it (gateway or namespaces of runs).
// - network-policy.ts: a NetworkPolicy engine enforcing the sandbox's policies (src/egress's probe).
// - protections.ts: the model gateway and egress by allowlist, each one off a warning naming what it exposes.
// - rbac.ts: the manager's permissions as installed against what config/rbac grants it.
// - run.ts: the checks run, a throwing check made a finding, the exit code and the text.
// - sandbox.ts: the agent sandbox (config/agents) in each namespace of runs.
// - secret-keys.ts: a Secret's key read for a check, present or why not, never returned to a finding.
// - webhook-call.ts: the apiserver made to call the webhooks (a dry-run TaskRun).
// - webhook-config.ts: the webhook configurations, their caBundle, their Service's ready endpoints.
export type { AccessAttributes, DoctorCheck, DoctorContext, DoctorFinding } from './check.js';
export { DOCTOR_CHECKS } from './checks.js';
export { exitCode, formatFindings, runChecks } from './run.js';
