// Writes ajv's standalone code of the validators a process compiles at start into
// dist/validation/compiled/ (src/validation/precompiled.ts says why and how they are found), and each
// schema expanded, as JSON, into dist/api/expanded/ (src/api/expanded-schemas.ts). Run by
// the build after tsc, from the compiled dist/, so that the schemas, ajv's setup and the file names
// are exactly the ones the process uses.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './build.js';

/**
 * The code with every character beyond ASCII written as a `\u` escape. V8 keeps a module's source for
 * as long as its functions live, one byte a character when every character fits in one (Latin-1), else
 * two: a single "…" in a description doubled the config validator's 1.1 MB of source in the heap.
 * ajv's code holds such characters only in string and regular expression literals (the schema's text),
 * where an escape means the same character.
 */
export function asciiOnly(code) {
  return code.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Each schema expanded, as JSON, where src/api/expanded-schemas.ts finds it (read at start, not parsed). */
async function writeExpandedSchemas(dist, loadSchema, names) {
  const { EXPANDED_DIR, expandedFile } = await import(join(dist, 'api/expanded-schemas.js'));
  const { SCHEMA_FILES, schemasDir } = await import(join(dist, 'api/schemas.js'));
  rmSync(EXPANDED_DIR, { recursive: true, force: true });
  mkdirSync(EXPANDED_DIR, { recursive: true });
  const dir = schemasDir();
  for (const name of names) {
    const text = readFileSync(join(dir, SCHEMA_FILES[name]), 'utf8');
    const file = expandedFile(text, join(dir, 'shared'), name === 'ControllerConfig');
    // Loaded before the folder has any: the expansion of the YAML itself.
    writeFileSync(join(EXPANDED_DIR, file), JSON.stringify(loadSchema(name)));
  }
}

export async function generateValidators() {
  const dist = join(root, 'dist');
  const { loadSchema, SCHEMA_FILES } = await import(join(dist, 'api/schemas.js'));
  // Every schema's check (the run kinds' and the config's); defaults are applied by walking the
  // schema (src/api/schema-defaults.ts), not by a validator.
  const WANTED = Object.keys(SCHEMA_FILES).map((name) => ({ name, useDefaults: false }));
  const { createAjv } = await import(join(dist, 'validation/schema-validator.js'));
  const { PRECOMPILED_DIR, precompiledFile } = await import(join(dist, 'validation/precompiled.js'));
  const { default: standalone } = await import('ajv/dist/standalone/index.js');
  await writeExpandedSchemas(dist, loadSchema, Object.keys(SCHEMA_FILES));
  rmSync(PRECOMPILED_DIR, { recursive: true, force: true });
  mkdirSync(PRECOMPILED_DIR, { recursive: true });
  for (const { name, useDefaults } of WANTED) {
    const schema = loadSchema(name);
    // The file is named after the schema as loaded, before ajv sees (and may annotate) it.
    const file = precompiledFile(schema, { useDefaults });
    const ajv = createAjv({ useDefaults, source: true });
    writeFileSync(join(PRECOMPILED_DIR, file), asciiOnly(standalone.default(ajv, ajv.compile(schema))));
  }
  return WANTED.length;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = await generateValidators();
  process.stdout.write(`generate-validators: ${count} validators in dist/validation/compiled\n`);
}
