// docs/adding-a-limit.md lists every place a limit is written down, so adding one is a list to follow.
// This test keeps the list whole: it scans src/ and templates/ for code that names a limit or reads
// the table of them, and fails naming the file for one the list does not name; and it fails for a row
// whose path or identifier no longer exists, or whose file no longer names or reads what it says.
//
// Detection (regular expressions over source text, full-line comments dropped: `//`, `/*`, `*`, `#`):
// - Files: every file under src/ and templates/ but `*.test.*`, src/api/generated/ (written by
//   `npm run generate` from the schemas) and the table itself (src/api/limits.ts).
// - Names a limit: a whole word that is a limit of spec.limits (`maxTurns`), its shell variable
//   (`MAX_TURNS`, as templates/partials/values.sh.hbs defines it) or a stop reason (`BudgetExceeded`),
//   each taken from the table, so a new limit is looked for without editing this test.
// - Reads the table: in src/, a whole word that is a (run-time) export of src/api/limits.ts.
// The list: the rows of the document's tables; a row is `| path | identifier | found as | … |` with the
// path and identifier in backquotes (identifier `—` for a path alone) and `found as` one of `names`,
// `reads`, `names, reads` or `—` (a place the scan does not find: checked to exist, nothing more).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import * as table from '../../src/api/limits.js';
import { RUN_LIMIT_NAMES, STOP_REASONS } from '../../src/api/limits.js';
import { findPackageRoot } from '../../src/util/index.js';

type Found = 'names' | 'reads';

interface Row {
  path: string;
  identifier: string | undefined;
  found: Found[];
  line: number;
}

const ROOT = findPackageRoot();
const DOC = 'docs/adding-a-limit.md';

const word = (w: string) => new RegExp(`(?<!\\w)${w}(?!\\w)`);
const shellVariable = (limit: string) => limit.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

const NAMES = [...RUN_LIMIT_NAMES, ...RUN_LIMIT_NAMES.map(shellVariable), ...STOP_REASONS].map(word);
const READS = Object.keys(table).map(word);

function filesUnder(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    return statSync(path.join(ROOT, rel)).isDirectory() ? filesUnder(rel) : [rel];
  });
}

/** The file's text without its full-line comments. */
const code = (file: string): string =>
  readFileSync(path.join(ROOT, file), 'utf8')
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\/\*|\*|#(?!!))/.test(line))
    .join('\n');

/** What the scan finds in a file. */
function found(file: string): Found[] {
  const text = code(file);
  return [
    ...(NAMES.some((re) => re.test(text)) ? (['names'] as const) : []),
    ...(file.startsWith('src/') && READS.some((re) => re.test(text)) ? (['reads'] as const) : []),
  ];
}

const scanned = [...filesUnder('src'), ...filesUnder('templates')].filter(
  (f) => !/\.test\./.test(f) && !f.startsWith('src/api/generated/') && f !== 'src/api/limits.ts',
);

function rows(): Row[] {
  const out: Row[] = [];
  readFileSync(path.join(ROOT, DOC), 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const cells = /^\|\s*`([^`]+)`\s*\|\s*(?:`([^`]+)`|—)\s*\|\s*([^|]+?)\s*\|/.exec(text);
      if (!cells?.[1]) return;
      const foundAs = cells[3] === '—' ? [] : (cells[3]?.split(/,\s*/) ?? []);
      out.push({ path: cells[1], identifier: cells[2], found: foundAs as Found[], line: i + 1 });
    });
  return out;
}

const listed = rows();

t.test(`${DOC} names every file that names a limit or reads the table`, async (t) => {
  t.ok(listed.length > 10, `${DOC} has its rows`);
  for (const file of scanned) {
    const kinds = found(file);
    if (kinds.length === 0) continue;
    const own = listed.filter((r) => r.path === file);
    for (const kind of kinds)
      t.ok(
        own.some((r) => r.found.includes(kind)),
        `${file} ${kind === 'names' ? 'names a limit' : 'reads src/api/limits.ts'}: add a row (found as ${kind}) to ${DOC}`,
      );
  }
});

t.test(`every row of ${DOC} is still true`, async (t) => {
  for (const row of listed) {
    const at = `${DOC}:${row.line}`;
    const full = path.join(ROOT, row.path);
    if (!existsSync(full)) {
      t.fail(`${at}: ${row.path} does not exist`);
      continue;
    }
    for (const kind of row.found) t.ok(['names', 'reads'].includes(kind), `${at}: found as ${kind}`);
    if (row.found.length > 0)
      t.same(
        found(row.path).filter((k) => row.found.includes(k)),
        row.found,
        at,
      );
    if (row.identifier && statSync(full).isFile())
      t.match(readFileSync(full, 'utf8'), word(row.identifier), `${at}: ${row.identifier} in ${row.path}`);
  }
});
