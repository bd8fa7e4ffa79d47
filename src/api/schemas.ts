// Loads the API's JSON Schemas from the package's schemas/ directory, the single source of truth that
// the CRDs and the generated types come from, so that validation (ajv) uses exactly the same schemas.
// Works from src/ (tests, tsx) and from the compiled dist/ alike: the schemas are found by walking up
// from this module to the directory holding package.json and schemas/.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { expandShared } from '../../schemas/shared/expand.js';
import { packageRoot } from '../util/index.js';
import { expandedSchema } from './expanded-schemas.js';
import { SCHEMA_FILES } from './generated/kinds.js';

export { SCHEMA_FILES };

/** Every schema: the custom resources and the controller config. */
export type SchemaName = keyof typeof SCHEMA_FILES;

/** A JSON Schema node (the OpenAPI v3 subset the schemas use); other keywords are allowed. */
export interface JsonSchema {
  type?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  pattern?: string;
  [keyword: string]: unknown;
}

/** The schemas by name, all from schemas/. */
export type Schemas = Record<SchemaName, JsonSchema>;

/** The top-level key of a schema file holding CRD metadata (names, printer columns), not part of the schema. */
const CRD_EXTENSION = 'x-orchestrator-crd';

/** The schemas/ directory of the package. */
export function schemasDir(root: string = packageRoot()): string {
  return path.join(root, 'schemas');
}

/**
 * Parses a schema file's text into the schema proper, the CRD extension removed.
 * @param source names the text in errors
 */
export function parseSchema(text: string, source = 'schema'): JsonSchema {
  const parsed: unknown = YAML.parse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${source}: not a YAML mapping`);
  }
  const { [CRD_EXTENSION]: _crd, ...schema } = parsed as JsonSchema;
  return schema;
}

/**
 * Reads one schema from `dir` (default the package's schemas/), its shared fragments (`dir/shared`)
 * expanded as the generator expands them (the build's expansion when it made this very one:
 * expanded-schemas.ts). Each call returns a fresh object.
 */
export function loadSchema(name: SchemaName, dir: string = schemasDir()): JsonSchema {
  const file = path.join(dir, SCHEMA_FILES[name]);
  const closed = name === 'ControllerConfig';
  const text = readFileSync(file, 'utf8');
  const shared = path.join(dir, 'shared');
  return (
    (expandedSchema(text, shared, closed) as JsonSchema | undefined) ??
    expandShared(parseSchema(text, file), { dir: shared, closed })
  );
}

/**
 * Reads every schema from `dir` (default the package's schemas/), by name. Each call returns fresh
 * objects, so callers may hand them to ajv (or mutate them) freely.
 */
export function loadSchemas(dir: string = schemasDir()): Schemas {
  const names = Object.keys(SCHEMA_FILES) as SchemaName[];
  return Object.fromEntries(names.map((name) => [name, loadSchema(name, dir)])) as Schemas;
}
