// Which Jobs and ConfigMaps the operator made for a run: its seal and the adoption rule.
export { type AttemptObjectKind, notMadeFor, type RunRecord, recordedUid } from './made-by.js';
export { objectSeal, SEAL_ANNOTATION, type Seal } from './seal.js';
