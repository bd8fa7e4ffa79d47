// The classification of every field of every run kind's spec (docs/security.md "Every field of a run"):
// inert, steering, authorised (by which SubjectAccessReview), bounded (by which config limit) or locked,
// so that who may set a field, and whether (and by whom) an update may change it, is decided once for
// each field, present or future.
// - classes.ts: the vocabulary: the four classes and a row of the table.
// - coverage.ts: the table held to the schemas: every field has a row, every row a field.
// - docs-table.ts: the table as docs/security.md shows it (generated, compared by the tests).
// - fixed.ts: updates never change whose power a run uses: the fields no update may change.
// - steering.ts: what steers a run is its submitter's: the fields another identity may not change.
// - table.ts: the one table, a row per field.
export {
  type ControlVerb,
  type FieldClass,
  type FieldRow,
  isMutable,
  othersMayChange,
  reviewsOf,
} from './classes.js';
export { type CoverageProblem, coverageProblems, covers, kindsOf, rowFor, specPaths } from './coverage.js';
export { DOCS_MARKERS, fieldClassificationMarkdown, withFieldClassification } from './docs-table.js';
export { FIXED_RULE, fixedFieldChanges, fixedRows, valueAt } from './fixed.js';
export { STEERING_RULE, type Steerers, steeringChanges } from './steering.js';
export { FIELD_CLASSES } from './table.js';
