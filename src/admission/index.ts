// The admission pipeline: what a run must pass to be stored, whoever submits it. The webhook (src/webhook),
// the REST API (src/rest), the GitHub endpoint (src/github) and `orchestrator validate` (src/cli) run this
// one pipeline, so a run is judged alike on every path; each transport stays in its own folder
// (docs/design.md §7).
// - control-review.ts: an update by anyone but the run's submitter may change its controls only
//   holding their verb on the run, asked of RBAC (controlAttributes: the REST API's retry asks it too).
// - defaults.ts: the defaulting webhook's patch and warnings: only the difference that defaulted()
//   (src/api/defaulting.ts) makes, since the reconciler calls that function itself.
// - fields/: the classification of every spec field: who may set it, whether an update may change it
//   (its own index.ts).
// - denial.ts: the one wording of a denied run, for the webhooks and the REST API alike.
// - offline.ts: the pipeline without an apiserver, in the apiserver's order (`orchestrator validate` and
//   `render`, the REST API's create), where undeclared fields are errors rather than silently dropped.
// - outsider-senders.ts: the untrusted addresses that posted a review no apiserver sends, refused a while.
// - patch.ts: minimal JSON Patch construction, generic, so defaults.ts and submitter.ts say only what
//   they change.
// - reference-denial.ts: a reference denial for a caller not proven to be the apiserver: what the run
//   needs and how to check it, the requester's missing permission only in the log (no RBAC oracle).
// - reference-review.ts: the validating webhook's part of submitter authorisation: RBAC asked about what
//   the run makes its pod use, for the requester the apiserver authenticated.
// - references/: the reference table and its RBAC checks (its own index.ts).
// - request.ts: the request and the decision, free of any wire format, so the pipeline never depends on
//   its transport.
// - run-controls.ts: a run's controls (its counters, cancel, play label, owners, finalizers): who may
//   change each, and the verb that lets anyone else.
// - rules/: the semantic rules of each kind, a file per concern (its own index.ts).
// - steering-review.ts: an update by anyone but the run's submitter may change none of what steers the agent.
// - submitter.ts: the submitted-by annotation, made unforgeable.
// - validate-run.ts: schema, then rules: the validation every path runs.
export { controlAttributes, reviewControls } from './control-review.js';
export { defaultingWarnings, defaultsPatch } from './defaults.js';
export { denialMessage } from './denial.js';
export { admitOffline, runKindOf } from './offline.js';
export { OutsiderSenders } from './outsider-senders.js';
export {
  OUTSIDER_RULE,
  type ReferenceAccess,
  referenceDenial,
  referenceReviewer,
  reviewReferences,
} from './reference-review.js';
export {
  judgeReferences,
  REFERENCE_REVIEW_TIMEOUT_MS,
  referencesToCheck,
  specOf,
} from './references/index.js';
export type { AdmissionRequest, AdmissionResult, ReviewCaller } from './request.js';
export { reviewSteering } from './steering-review.js';
export { submitterOf, submitterPatch } from './submitter.js';
export { validateRun } from './validate-run.js';
