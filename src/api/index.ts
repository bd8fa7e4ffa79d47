// The orchestrator.io/v1 API: friendly names for the types generated from schemas/ (types.ts), the kind
// table and what is derived from it (kinds.ts), run defaulting (defaulting.ts) and shorthands
// (normalise.ts), labels, and the schemas themselves (docs/design.md §1.1, §3). Hand-written: never a
// field definition, never a list of kinds.
import { GROUP, VERSION } from './generated/kinds.js';

export * from './agent-env.js';
export * from './attempt-names.js';
export * from './cluster-access.js';
export * from './config-source.js';
export * from './defaulting.js';
export * from './github-auth.js';
export * from './kinds.js';
export * from './labels.js';
export * from './normalise.js';
export * from './pod-template.js';
export type { JsonSchema, SchemaName, Schemas } from './schemas.js';
export {
  CRD_EXTENSION,
  findPackageRoot,
  loadSchema,
  loadSchemas,
  parseSchema,
  SCHEMA_FILES,
  schemasDir,
} from './schemas.js';
export * from './types.js';
export { GROUP, VERSION };

/** `orchestrator.io/v1`, the apiVersion of every run. */
export const API_VERSION = `${GROUP}/${VERSION}` as const;

/** The Kubernetes size limit of a ConfigMap (keys and values together). */
export const CONFIGMAP_LIMIT_BYTES = 1024 * 1024;
