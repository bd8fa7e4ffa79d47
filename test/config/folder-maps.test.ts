// Each folder's index.ts header is that folder's map (as controller-runtime's doc.go and kube-rs's //!
// lines are): what the folder is for, then an entry per file and per subfolder, `// - name.ts: why`.
// This test keeps the maps true. For every folder under src/ that holds a .ts file other than a test
// (src/api/generated excepted: it is generated), index.ts exists, its leading comment block has an
// entry (`// - a.ts:`, or `// - a.ts, b/:`) for each such file and each subfolder, and every file or
// folder it names exists there: an entry's names, and any bare `name.ts` anywhere in the header (a file
// of another folder is written with its path, `src/api/kinds.ts`, which scripts/check-doc-paths.js
// checks). index.ts itself and the tests need no entry.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';

/** Folders (relative to the root, posix) not mapped, nor walked into. */
const NOT_MAPPED = new Set(['src/api/generated']);

const isTest = (name: string) => name.endsWith('.test.ts');

/** The leading comment block of a file: its first lines that are `//` comments, without the `//`. */
function header(source: string): string[] {
  const lines: string[] = [];
  for (const line of source.split('\n')) {
    if (!line.startsWith('//')) break;
    lines.push(line.slice(2));
  }
  return lines;
}

/** A name an entry can give: a file (`a.ts`) or a folder (`rules/`). */
const NAME = String.raw`[\w.-]+(?:\.ts|/)`;
/** `// - a.ts: …` or `// - a.ts, rules/: …` (the `//` already cut off). */
const ENTRY = new RegExp(String.raw`^\s*-\s+(${NAME}(?:\s*,\s*${NAME})*)\s*:`);
/** A bare file name in prose: not part of a path (`src/api/kinds.ts`) nor of a longer name. */
const BARE_TS = /(?<![\w./-])[\w][\w.-]*\.ts(?![\w-])/g;

/** The names the map's entries give, and every bare `*.ts` anywhere in the header. */
function mapNames(lines: string[]): { entries: Set<string>; mentioned: Set<string> } {
  const entries = new Set<string>();
  const mentioned = new Set<string>();
  for (const line of lines) {
    const m = ENTRY.exec(line);
    if (m?.[1]) for (const name of m[1].split(',')) entries.add(name.trim());
    for (const word of line.matchAll(BARE_TS)) mentioned.add(word[0]);
  }
  return { entries, mentioned };
}

interface MapCheck {
  /** The folders that must have a map, relative to the root. */
  folders: string[];
  /** One line per problem, naming the folder and the file. */
  problems: string[];
}

/** Checks the maps of every folder under `root`/src. */
function checkFolderMaps(root: string): MapCheck {
  const folders: string[] = [];
  const problems: string[] = [];
  const visit = (dir: string) => {
    const dirents = readdirSync(join(root, dir), { withFileTypes: true });
    const subfolders = dirents.filter((e) => e.isDirectory()).map((e) => e.name);
    const files = dirents.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => e.name);
    const code = files.filter((f) => !isTest(f));
    for (const sub of subfolders.sort()) {
      if (!NOT_MAPPED.has(`${dir}/${sub}`)) visit(`${dir}/${sub}`);
    }
    if (code.length === 0) return;
    folders.push(dir);
    if (!code.includes('index.ts')) {
      problems.push(`${dir}: no index.ts, whose header would be the folder's map`);
      return;
    }
    const lines = header(readFileSync(join(root, dir, 'index.ts'), 'utf8'));
    if (lines.length === 0) {
      problems.push(`${dir}/index.ts: no leading comment (the folder's map)`);
      return;
    }
    const { entries, mentioned } = mapNames(lines);
    for (const f of code.filter((f) => f !== 'index.ts').sort()) {
      if (!entries.has(f)) problems.push(`${dir}/index.ts: the map has no entry for ${f}`);
    }
    for (const sub of subfolders.sort()) {
      if (!entries.has(`${sub}/`)) problems.push(`${dir}/index.ts: the map has no entry for ${sub}/`);
    }
    for (const name of [...new Set([...entries, ...mentioned])].sort()) {
      const exists = name.endsWith('/') ? subfolders.includes(name.slice(0, -1)) : files.includes(name);
      if (!exists) problems.push(`${dir}/index.ts: the map names ${name}, which is not in ${dir}`);
    }
  };
  visit('src');
  return { folders, problems };
}

const repo = join(import.meta.dirname, '../..');

t.test("every folder of src/ has an index.ts whose header maps the folder's files", async (t) => {
  const { folders, problems } = checkFolderMaps(repo);
  // A guard against a walk that finds nothing (and so passes): src/ has some thirty folders.
  t.ok(folders.length >= 25, `${folders.length} folders mapped`);
  t.ok(folders.includes('src/controllers/reconcile'));
  t.notOk(folders.includes('src/api/generated'), 'generated code is not mapped');
  t.strictSame(problems, [], `${problems.length} folder map problem(s)`);
});

t.test('the checker reports a missing entry, a stale name, no index and no header', async (t) => {
  const root = t.testdir({
    src: {
      shop: {
        'index.ts': [
          '// A shop: the map below lists a deleted file and misses a new one.',
          '// - cart.ts: the cart.',
          '// - gone.ts: deleted since, still named.',
          '// - pay/: payments (their own map).',
          '// Prose may name cart.ts, or a path such as src/other/x.ts, but not removed.ts.',
          "export { cart } from './cart.js';",
          '',
        ].join('\n'),
        'cart.ts': 'export const cart = 1;\n',
        'checkout.ts': 'export const checkout = 1;\n',
        'cart.test.ts': '',
        pay: { 'card.ts': 'export const card = 1;\n' },
        fixtures: { 'data.json': '{}' },
      },
      bare: { 'index.ts': "export { x } from './x.js';\n", 'x.ts': 'export const x = 1;\n' },
      api: { 'index.ts': '// - generated/: not mapped itself.\n', generated: { 'types.ts': '' } },
    },
  });
  const { folders, problems } = checkFolderMaps(root);
  t.strictSame(folders.sort(), ['src/api', 'src/bare', 'src/shop', 'src/shop/pay']);
  t.strictSame(problems.sort(), [
    "src/bare/index.ts: no leading comment (the folder's map)",
    'src/shop/index.ts: the map has no entry for checkout.ts',
    'src/shop/index.ts: the map has no entry for fixtures/',
    'src/shop/index.ts: the map names gone.ts, which is not in src/shop',
    'src/shop/index.ts: the map names removed.ts, which is not in src/shop',
    "src/shop/pay: no index.ts, whose header would be the folder's map",
  ]);
});

t.test('a map naming every file and folder, and only those, passes', async (t) => {
  const root = t.testdir({
    src: {
      shop: {
        'index.ts': '// A shop.\n// - cart.ts, checkout.ts: buying.\n// - pay/: payments.\nexport {};\n',
        'cart.ts': '',
        'checkout.ts': '',
        pay: {
          'index.ts': '// Payments.\n// - card.ts: cards (tested in card.test.ts).\n',
          'card.ts': '',
          'card.test.ts': '',
        },
      },
    },
  });
  t.strictSame(checkFolderMaps(root).problems, []);
});
