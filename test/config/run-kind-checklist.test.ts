// docs/adding-a-run-kind.md lists every place a run kind is written down, so adding a
// fourth kind is a list to follow. This test keeps the list whole: it scans src/ for tables keyed by run
// kind and for branches on a run kind, and fails naming file:line for one the list does not name; and
// it fails for an entry of the list that names a path or identifier that no longer exists, or a table
// or branch that is no longer found there (so the list cannot drift either way).
//
// Detection (regular expressions over source text, each line with its comments blanked out first;
// quotes are followed within a line only, so a template literal spanning lines reads as code):
// - Files: every `.ts` file under src/ but `*.test.ts` and src/api/generated/ (written by `npm run
//   generate` from the schemas, which is the checklist's first step).
// - Run kinds: RUN_KIND_NAMES (a fourth kind is looked for without editing this test).
// - A table: a type `Record<RunKindName, …>` or a mapped type `[K in RunKindName]` (any type variable),
//   or an object literal or type with two or more run kinds as keys at one level: written over lines,
//   keys starting a line (`TaskRun:`, `'CodeRun':`, `"DocsRun"?:`) at the first key's indentation, up
//   to the first line indented less; or on one line, keys after `{` or `,`. A `Map<RunKindName, …>`
//   filled from RUN_KIND_NAMES at run time is no table: a new kind needs nothing there.
// - A branch: a comparison with a run kind's name in quotes (`kind === 'TaskRun'`, `'DocsRun' !==
//   x.kind`, `==`/`!=` too), or a `case 'CodeRun':` label (a `switch` on a run kind shows by its cases).
// - Its identifier: the name the nearest line above at column 0 declares (`export`, `default`,
//   `declare`, `abstract`, `async` then `function`, `const`, `let`, `var`, `class`, `interface`, `type`
//   or `enum` NAME): the top-level declaration that holds it (biome's formatting puts each at column 0).
//   A method's branch is its class's.
// The list: the rows of the section's table; a row is `| path | identifier | found as | … |` with the
// path and identifier in backquotes (identifier `—` for a path alone) and `found as` one of `table`,
// `branch`, `table, branch` or `—` (a per-kind place the scan does not find, such as a kind's
// renderer function or its templates: checked to exist, nothing more).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { RUN_KIND_NAMES } from '../../src/api/index.js';
import { findPackageRoot } from '../../src/util/index.js';

type Found = 'table' | 'branch';

interface Finding {
  file: string;
  line: number;
  identifier: string;
  found: Found;
  text: string;
}

interface Entry {
  path: string;
  identifier: string | undefined;
  found: Found[];
  /** The row's line in the document, for messages. */
  line: number;
}

const SECTION = /^#{1,2} (?:\d+\. )?Adding a run kind\b/;

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const DECLARATION =
  /^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|const|let|var|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/;

/** The line with its comments blanked out; `inBlock` carries a block comment over to the next line. */
function code(line: string, state: { inBlock: boolean }): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    const next = line[i + 1];
    if (state.inBlock) {
      if (c === '*' && next === '/') {
        state.inBlock = false;
        i++;
      }
      continue;
    }
    if (quote) {
      out += c;
      if (c === '\\') out += line[++i] ?? '';
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '/' && next === '/') break;
    if (c === '/' && next === '*') {
      state.inBlock = true;
      i++;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    out += c;
  }
  return out;
}

/** Every table keyed by run kind and every branch on a run kind in `files` (path → source text). */
function scan(files: ReadonlyMap<string, string>, kinds: readonly string[]): Finding[] {
  const names = kinds.map(literal).join('|');
  const tableType = /Record<\s*RunKindName\s*,|\[\s*[A-Za-z_$][\w$]*\s+in\s+RunKindName\s*\]/;
  const kindKey = new RegExp(`^(\\s*)(['"]?)(${names})\\2\\??\\s*:`);
  const inlineKey = new RegExp(`[{,]\\s*(['"]?)(${names})\\1\\??\\s*:`, 'g');
  const comparison = new RegExp(`[!=]==?\\s*(['"])(${names})\\1|(['"])(${names})\\3\\s*[!=]==?`);
  const caseLabel = new RegExp(`\\bcase\\s+(['"])(${names})\\1\\s*:`);
  const findings: Finding[] = [];
  for (const [file, text] of files) {
    const state = { inBlock: false };
    const lines = text.split('\n').map((l) => code(l, state));
    const owners: string[] = [];
    let owner = '(top level)';
    for (const l of lines) {
      owner = DECLARATION.exec(l)?.[1] ?? owner;
      owners.push(owner);
    }
    const add = (i: number, found: Found) =>
      findings.push({ file, line: i + 1, identifier: owners[i] ?? '', found, text: lines[i]?.trim() ?? '' });
    const keyed = new Set<number>();
    lines.forEach((l, i) => {
      if (tableType.test(l)) add(i, 'table');
      if (comparison.test(l) || caseLabel.test(l)) add(i, 'branch');
      const inline = new Set([...l.matchAll(inlineKey)].map((m) => m[2]));
      if (inline.size >= 2 && !tableType.test(l)) add(i, 'table');
      const key = kindKey.exec(l);
      if (!key || keyed.has(i)) return;
      const indent = key[1]?.length ?? 0;
      const level = new Set<string>();
      for (let j = i; j < lines.length; j++) {
        const m = lines[j] ?? '';
        if (m.trim() === '') continue;
        const depth = m.length - m.trimStart().length;
        if (depth < indent) break;
        const k = depth === indent ? kindKey.exec(m) : null;
        if (k?.[3]) {
          level.add(k[3]);
          keyed.add(j);
        }
      }
      if (
        level.size >= 2 &&
        !findings.some((f) => f.file === file && f.line === i + 1 && f.found === 'table')
      )
        add(i, 'table');
    });
  }
  return findings;
}

/** The entries of the checklist: the rows of the table(s) in the section `heading` matches. */
function parseChecklist(markdown: string, heading: RegExp = SECTION): Entry[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => heading.test(l));
  if (start < 0) throw new Error(`no section ${heading} in the document`);
  const entries: Entry[] = [];
  for (let i = start + 1; i < lines.length && !/^## /.test(lines[i] ?? ''); i++) {
    const cells = (lines[i] ?? '')
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const where = /^`([^`]+)`$/.exec(cells[0] ?? '');
    if (!where?.[1]) continue;
    const identifier = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1];
    const found = (cells[2] ?? '')
      .split(',')
      .map((f) => f.trim())
      .filter((f): f is Found => f === 'table' || f === 'branch');
    entries.push({ path: where[1], identifier, found, line: i + 1 });
  }
  return entries;
}

/** What a file system says of a listed path. */
interface Tree {
  exists(path: string): boolean;
  read(path: string): string;
}

/**
 * The problems: a finding no entry names (file:line), and an entry whose path or identifier is gone,
 * or whose table or branch is not found any more (the document's line).
 */
function check(findings: readonly Finding[], entries: readonly Entry[], tree: Tree): string[] {
  const problems: string[] = [];
  for (const f of findings) {
    const listed = entries.some(
      (e) => e.path === f.file && e.identifier === f.identifier && e.found.includes(f.found),
    );
    if (!listed)
      problems.push(
        `${f.file}:${f.line}: a ${f.found} keyed by run kind in \`${f.identifier}\` that the checklist does not name: ${f.text}`,
      );
  }
  for (const e of entries) {
    const where = `the checklist (line ${e.line}) names`;
    if (!tree.exists(e.path)) {
      problems.push(`${where} ${e.path}, which does not exist`);
      continue;
    }
    if (e.identifier) {
      const text = tree.read(e.path);
      const declared = e.path.endsWith('.ts')
        ? text.split('\n').some((l) => DECLARATION.exec(l)?.[1] === e.identifier)
        : text.includes(e.identifier);
      if (!declared) problems.push(`${where} \`${e.identifier}\` in ${e.path}, which has none`);
    }
    for (const found of e.found)
      if (!findings.some((f) => f.file === e.path && f.identifier === e.identifier && f.found === found))
        problems.push(
          `${where} a ${found} in \`${e.identifier}\` of ${e.path}, where none is found any more`,
        );
  }
  return problems;
}

const root = findPackageRoot();

function sources(dir: string, out = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(path.join(root, dir)).sort()) {
    const rel = `${dir}/${name}`;
    if (rel === 'src/api/generated') continue;
    if (statSync(path.join(root, rel)).isDirectory()) sources(rel, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts'))
      out.set(rel, readFileSync(path.join(root, rel), 'utf8'));
  }
  return out;
}

const repository: Tree = {
  exists: (p) => existsSync(path.join(root, p)),
  read: (p) => (statSync(path.join(root, p)).isDirectory() ? '' : readFileSync(path.join(root, p), 'utf8')),
};

t.test(
  'docs/adding-a-run-kind.md names every table and branch keyed by run kind in src/, and nothing gone',
  async (t) => {
    const entries = parseChecklist(readFileSync(path.join(root, 'docs/adding-a-run-kind.md'), 'utf8'));
    const findings = scan(sources('src'), RUN_KIND_NAMES);
    t.ok(findings.length > 0, 'the scan finds something');
    const problems = check(findings, entries, repository);
    // One failure per problem, each starting with where to look.
    for (const problem of problems) t.fail(problem);
    if (problems.length === 0)
      t.pass(`${findings.length} findings, ${entries.length} entries: all listed, all there`);
  },
);

t.test('the scan finds an unlisted branch and table, and a stale entry, in a fixture', async (t) => {
  const files = new Map([
    [
      'src/x/kinds.ts',
      [
        "import type { RunKindName } from '../api/index.js';",
        "// kind === 'CodeRun' in a comment is no branch",
        'export function listed(kind: RunKindName): number {',
        "  return kind === 'TaskRun' ? 1 : 2;",
        '}',
        '',
        'export function unlisted(kind: string): number {',
        '  switch (kind) {',
        "    case 'DocsRun':",
        '      return 3;',
        '  }',
        "  return 'CodeRun' !== kind ? 4 : 5;",
        '}',
        '',
        'const PER_KIND = {',
        '  TaskRun: 1,',
        "  'CodeRun': { TaskRun: 0 },",
        '};',
        'export type Sizes = Partial<Record<RunKindName, number>>;',
        '/* a block comment:',
        "   { TaskRun: 1, CodeRun: 2 } and kind === 'DocsRun' */",
        "const label = { kind: 'TaskRun', CodeRun: 'no: one kind key' };",
        "export const ONE_LINE = { TaskRun: 'a', DocsRun: 'b' };",
      ].join('\n'),
    ],
  ]);
  const findings = scan(files, ['TaskRun', 'CodeRun', 'DocsRun']);
  t.same(
    findings.map((f) => `${f.line} ${f.identifier} ${f.found}`),
    [
      '4 listed branch',
      '9 unlisted branch',
      '12 unlisted branch',
      '16 PER_KIND table',
      '19 Sizes table',
      '23 ONE_LINE table',
    ],
  );
  const checklist = [
    '## 15. Adding a run kind',
    '',
    '| path | identifier | found as | a new kind needs |',
    '|---|---|---|---|',
    '| `src/x/kinds.ts` | `listed` | branch | its branch |',
    '| `src/x/kinds.ts` | `gone` | — | a function since removed |',
    '| `src/x/kinds.ts` | `label` | table | was a table once |',
    '| `templates/x/` | — | — | its templates |',
    '',
    '## 16. Next',
    '| `src/x/elsewhere.ts` | `notInTheSection` | table | |',
  ].join('\n');
  const entries = parseChecklist(checklist);
  t.same(
    entries.map((e) => [e.path, e.identifier, e.found]),
    [
      ['src/x/kinds.ts', 'listed', ['branch']],
      ['src/x/kinds.ts', 'gone', []],
      ['src/x/kinds.ts', 'label', ['table']],
      ['templates/x/', undefined, []],
    ],
  );
  const tree: Tree = { exists: (p) => files.has(p), read: (p) => files.get(p) ?? '' };
  t.same(check(findings, entries, tree), [
    "src/x/kinds.ts:9: a branch keyed by run kind in `unlisted` that the checklist does not name: case 'DocsRun':",
    "src/x/kinds.ts:12: a branch keyed by run kind in `unlisted` that the checklist does not name: return 'CodeRun' !== kind ? 4 : 5;",
    'src/x/kinds.ts:16: a table keyed by run kind in `PER_KIND` that the checklist does not name: TaskRun: 1,',
    'src/x/kinds.ts:19: a table keyed by run kind in `Sizes` that the checklist does not name: export type Sizes = Partial<Record<RunKindName, number>>;',
    "src/x/kinds.ts:23: a table keyed by run kind in `ONE_LINE` that the checklist does not name: export const ONE_LINE = { TaskRun: 'a', DocsRun: 'b' };",
    'the checklist (line 6) names `gone` in src/x/kinds.ts, which has none',
    'the checklist (line 7) names a table in `label` of src/x/kinds.ts, where none is found any more',
    'the checklist (line 8) names templates/x/, which does not exist',
  ]);
});
