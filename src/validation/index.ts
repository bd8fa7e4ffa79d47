// Judging objects and saying what is wrong, for admission, the config loader and the REST API alike: JSON
// Schema validation on the same schemas/ as the CRDs, findings with kubectl-style paths, and the pod
// template checks that runs and the config both need (docs/design.md §1.1).
// - finding.ts: one problem (where, what, which rule), and how findings are counted, cut and shown.
// - pod-template.ts: what the apiserver would refuse in a pod's scheduling fields beyond their schema.
// - precompiled.ts: the validators the build compiled ahead (ajv's standalone code), found by schema hash.
// - schema-validator.ts: ajv on schemas/, every violation at once.
export {
  countFindings,
  error,
  type Finding,
  formatFinding,
  MAX_FINDING_CHARS,
  REPORTED_FINDINGS,
  reportFindings,
  showValue,
  truncate,
  warning,
} from './finding.js';
export { podTemplateFindings } from './pod-template.js';
export { compileSchema, createAjv, type SchemaCheck, unknownFields } from './schema-validator.js';
