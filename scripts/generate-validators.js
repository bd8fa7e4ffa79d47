// Writes ajv's standalone code of the validators a process compiles at start into
// dist/validation/compiled/ (src/validation/precompiled.ts says why and how they are found). Run by
// the build after tsc, from the compiled dist/, so that the schemas, ajv's setup and the file names
// are exactly the ones the process uses.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './build.js';

export async function generateValidators() {
  const dist = join(root, 'dist');
  const { loadSchema, SCHEMA_FILES } = await import(join(dist, 'api/schemas.js'));
  // Every schema's check (the run kinds' and the config's); defaults are applied by walking the
  // schema (src/api/schema-defaults.ts), not by a validator.
  const WANTED = Object.keys(SCHEMA_FILES).map((name) => ({ name, useDefaults: false }));
  const { createAjv } = await import(join(dist, 'validation/schema-validator.js'));
  const { PRECOMPILED_DIR, precompiledFile } = await import(join(dist, 'validation/precompiled.js'));
  const { default: standalone } = await import('ajv/dist/standalone/index.js');
  rmSync(PRECOMPILED_DIR, { recursive: true, force: true });
  mkdirSync(PRECOMPILED_DIR, { recursive: true });
  for (const { name, useDefaults } of WANTED) {
    const schema = loadSchema(name);
    // The file is named after the schema as loaded, before ajv sees (and may annotate) it.
    const file = precompiledFile(schema, { useDefaults });
    const ajv = createAjv({ useDefaults, source: true });
    writeFileSync(join(PRECOMPILED_DIR, file), standalone.default(ajv, ajv.compile(schema)));
  }
  return WANTED.length;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = await generateValidators();
  process.stdout.write(`generate-validators: ${count} validators in dist/validation/compiled\n`);
}
