// Validators compiled ahead of time: the build (scripts/generate-validators.js) writes ajv's
// standalone code of each schema beside this module, so that a process starting does not generate
// and compile ~0.8 MB of validator source per schema (about 200 ms and 30–40 MiB of peak memory for
// the controller config's alone: docs/decisions/0006-validators-compiled-ahead.md). Each file is named by a hash of the schema
// it was made from and of the options it was made with: a schema changed since the build (or a
// caller's own schema) finds none, and ajv compiles it at run time as before. From src/ (tests run
// the sources) there are none.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import type { JsonSchema } from '../api/index.js';

/** How a validator is compiled; part of its key. */
export interface CompileMode {
  /** ajv's useDefaults: the validator fills in the schema's defaults. */
  useDefaults: boolean;
}

/** Where the build writes them (dist/validation/compiled). */
export const PRECOMPILED_DIR = join(dirname(fileURLToPath(import.meta.url)), 'compiled');

/** The file name of a schema's validator compiled in `mode`. */
export function precompiledFile(schema: JsonSchema, mode: CompileMode): string {
  const hash = createHash('sha256').update(JSON.stringify(schema)).digest('hex').slice(0, 24);
  return `${hash}${mode.useDefaults ? '-defaults' : ''}.cjs`;
}

const load = createRequire(import.meta.url);

/** The schema's validator compiled by the build, if it compiled this very schema in this mode. */
export function precompiled(
  schema: JsonSchema,
  mode: CompileMode,
  dir: string = PRECOMPILED_DIR,
): ValidateFunction | undefined {
  const file = join(dir, precompiledFile(schema, mode));
  if (!existsSync(file)) return undefined;
  return (load(file) as { default: ValidateFunction }).default;
}
