// Submitter authorisation of what a run makes its pod use (docs/security.md): the operator creates the pod,
// so whoever may create a run must not reach through it a Secret, ServiceAccount or claim they may not use
// themselves. The webhook asks (src/admission/reference-review.ts), the REST API asks for its callers, and a
// GitHub remediation run is held to its previous run's references (src/github/remediation-references.ts).
// - check.ts: the table asked of RBAC for one submitter, every question at once within the webhook's time
//   limit; apart from the table so that a new row is data, not code.
// - platform.ts: the rows of what the platform chooses unless the submitter may: the image, the
//   PriorityClass (and the image patterns of the config that need no grant).
// - table.ts: the one table: a row per spec field that names an object the pod uses, with the permissions
//   any one of which suffices.
export {
  accessAttributes,
  deniedMessage,
  judgeReferences,
  REFERENCE_REVIEW_TIMEOUT_MS,
  REFERENCE_RULES,
  uncheckedText,
} from './check.js';
export {
  REFERENCES,
  type Reference,
  type ReferenceCheck,
  type RunView,
  referencesToCheck,
  specOf,
} from './table.js';
