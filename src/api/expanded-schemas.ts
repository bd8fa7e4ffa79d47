// The schemas as the build expanded them, written as JSON beside this module (dist/api/expanded) by
// scripts/generate-validators.js, so that a process starting reads JSON rather than parsing the YAML:
// the controller config's schema is ~100 KB of YAML, whose parse at the manager's start raised its peak
// memory by 5–10 MiB (docs/decisions/0088-lean-manager-start.md). Each file is named by a hash of
// everything the expansion reads (the schema's text, the shared fragments, the expander, whether it is
// closed): a schema edited since the build finds none and is parsed as before. From src/ (tests run
// the sources) there are none.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the build writes them. */
export const EXPANDED_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'expanded');

/** The expander, whose code is part of every file's key. */
const EXPANDER = fileURLToPath(new URL('../../schemas/shared/expand.js', import.meta.url));

/**
 * The file name of the expansion of `text` with the fragments of `sharedDir`.
 * @param closed the controller config's expansion (every fragment object closed)
 */
export function expandedFile(text: string, sharedDir: string, closed: boolean): string {
  const hash = createHash('sha256')
    .update(closed ? 'closed\0' : 'open\0')
    .update(text);
  hash.update('\0expander\0').update(readFileSync(EXPANDER));
  for (const name of readdirSync(sharedDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort())
    hash.update(`\0${name}\0`).update(readFileSync(path.join(sharedDir, name)));
  return `${hash.digest('hex').slice(0, 24)}.json`;
}

/** The build's expansion of `text`, if it expanded this very text with these fragments; a fresh object. */
export function expandedSchema(
  text: string,
  sharedDir: string,
  closed: boolean,
  dir: string = EXPANDED_DIR,
): unknown {
  if (!existsSync(dir)) return undefined;
  const file = path.join(dir, expandedFile(text, sharedDir, closed));
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}
