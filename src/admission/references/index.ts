// Submitter authorisation of what a run makes its pod use (docs/security.md).
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
