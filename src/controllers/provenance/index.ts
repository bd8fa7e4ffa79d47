// Which Jobs and ConfigMaps the operator made for a run: its seal and the adoption rule.
// - made-by.ts: whether an object under a run's name is the run's: the uid its status records, else its seal.
// - seal.ts: the annotation an HMAC under the signing key, over the kind, namespace, name and run uid.
export { type AttemptObjectKind, notMadeFor, type RunRecord, recordedUid } from './made-by.js';
export { objectSeal, SEAL_ANNOTATION, type Seal } from './seal.js';
