// The docs' shape that docs/writing.md sets, held by a test: docs/design.md stays within 800 lines;
// docs/concepts.md exists, stays within 160 lines, is linked above the first section of README.md and
// src/README.md, defines each term of TERMS in a paragraph that names a repository path, and names no
// path that does not exist (scripts/check-doc-paths.js's reading); every decision page has a title of
// at most 10 words and a `Status:` line under it, whose later decision exists; docs/decisions/README.md
// has a row per page with the page's own title and status, and explains every number without a page.
// Each rule is shown failing on a small tree; then the repository is held to all of them.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import t, { type Test } from 'tap';
import { checkDocPaths } from '../../scripts/check-doc-paths.js';

const MAX_DESIGN_LINES = 800;
const MAX_CONCEPTS_LINES = 160;
const MAX_TITLE_WORDS = 10;
const CONCEPTS = 'docs/concepts.md';
const DECISIONS = 'docs/decisions';
/** The words a newcomer meets first (issue #71): each is a `**Term.**` paragraph of docs/concepts.md. */
const TERMS = [
  'Run',
  'Attempt',
  'Agent profile',
  'Agent CLI',
  'Agent shell',
  'Phase',
  'Submitter',
  'Steering',
  'Capacity',
  'Limit',
  'Budget',
  'Ledger',
  'Play',
  'Stage',
];
/** `Status: accepted`, or a later decision that extends or replaces (in part: saying which) this one. */
const STATUS = /^Status: (?:accepted|(?:extended|replaced(?: in part)?) by (\d{4})(?: \([^)]+\))?)$/;
const PAGE = /^(\d{4})-[a-z0-9-]+\.md$/;

const read = (root: string, file: string) => readFileSync(join(root, file), 'utf8');
/** Lines as `wc -l` counts them. */
const lineCount = (text: string) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

function designProblems(root: string): string[] {
  const lines = lineCount(read(root, 'docs/design.md'));
  return lines > MAX_DESIGN_LINES ? [`docs/design.md has ${lines} lines, over ${MAX_DESIGN_LINES}`] : [];
}

/** Does the Markdown file link to `target` (a path from the root) before its first `## ` section? */
function linksEarly(root: string, file: string, target: string): boolean {
  const text = read(root, file);
  const head = text.slice(0, text.search(/^## /m) < 0 ? text.length : text.search(/^## /m));
  return [...head.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)].some(
    (m) => posix.normalize(posix.join(posix.dirname(file), m[1] ?? '')) === target,
  );
}

/** The paragraphs of a Markdown text that open with a bold term, `**Term.** …`, by term. */
function definitions(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const paragraph of text.split(/\n\s*\n/)) {
    const m = /^\*\*([^*]+)\.\*\*/.exec(paragraph);
    if (m?.[1]) found.set(m[1], paragraph);
  }
  return found;
}

function conceptsProblems(root: string): string[] {
  if (!existsSync(join(root, CONCEPTS))) return [`${CONCEPTS} is missing`];
  const text = read(root, CONCEPTS);
  const problems: string[] = [];
  if (lineCount(text) > MAX_CONCEPTS_LINES)
    problems.push(`${CONCEPTS} has ${lineCount(text)} lines, over ${MAX_CONCEPTS_LINES}`);
  for (const from of ['README.md', 'src/README.md'])
    if (!linksEarly(root, from, CONCEPTS))
      problems.push(`${from} does not link ${CONCEPTS} above its first section`);
  const folders = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory());
  const namesPath = new RegExp(`\`(?:${folders.map((e) => e.name).join('|')})/[^\`]+\``);
  const defined = definitions(text);
  for (const term of TERMS) {
    const paragraph = defined.get(term);
    if (!paragraph) problems.push(`${CONCEPTS} does not define "${term}" (a paragraph opening **${term}.**)`);
    else if (!namesPath.test(paragraph)) problems.push(`${CONCEPTS}: "${term}" names no repository path`);
  }
  for (const f of checkDocPaths(root).filter((f) => f.file === CONCEPTS))
    problems.push(`${CONCEPTS}:${f.line}: ${f.path} does not exist`);
  return problems;
}

interface Decision {
  number: string;
  file: string;
  title: string;
  status: string;
}

/** A decision page's title and status as its first three lines give them, or the problems found. */
function readDecision(root: string, file: string, number: string): Decision | string[] {
  const [first = '', blank, status = ''] = read(root, `${DECISIONS}/${file}`).split('\n');
  const title = new RegExp(`^# ${number}\\. (.+)$`).exec(first)?.[1];
  const problems: string[] = [];
  if (!title) problems.push(`${file}: the first line is not "# ${number}. Title"`);
  else if (title.split(/\s+/).length > MAX_TITLE_WORDS)
    problems.push(`${file}: the title has ${title.split(/\s+/).length} words, over ${MAX_TITLE_WORDS}`);
  if (blank !== '' || !STATUS.test(status))
    problems.push(`${file}: no "Status: accepted|extended by NNNN|replaced by NNNN" line under the title`);
  return problems.length || !title
    ? problems
    : { number, file, title, status: status.slice('Status: '.length) };
}

/** The rows of the decisions index: `| [NNNN](file) | title | status |`, links in the status unwrapped. */
function indexRows(text: string): Map<string, { file: string; title: string; status: string }> {
  const rows = new Map<string, { file: string; title: string; status: string }>();
  for (const m of text.matchAll(/^\| \[(\d{4})\]\(([^)]+)\) \| (.+?) \| (.+?) \|$/gm)) {
    const [, number = '', file = '', title = '', status = ''] = m;
    rows.set(number, { file, title, status: status.replace(/\[(\d{4})\]\([^)]*\)/g, '$1') });
  }
  return rows;
}

function decisionProblems(root: string): string[] {
  const problems: string[] = [];
  const decisions: Decision[] = [];
  const numbers = new Set<string>();
  for (const file of readdirSync(join(root, DECISIONS)).sort()) {
    const number = PAGE.exec(file)?.[1];
    if (!number) continue;
    numbers.add(number);
    const found = readDecision(root, file, number);
    if (Array.isArray(found)) problems.push(...found);
    else decisions.push(found);
  }
  for (const d of decisions) {
    const later = STATUS.exec(`Status: ${d.status}`)?.[1];
    if (later && (!numbers.has(later) || later <= d.number))
      problems.push(`${d.file}: its status names ${later}, which is not a later decision`);
  }
  const index = read(root, `${DECISIONS}/README.md`);
  const rows = indexRows(index);
  for (const d of decisions) {
    const row = rows.get(d.number);
    if (!row) problems.push(`decisions/README.md has no row for ${d.file}`);
    else if (row.file !== d.file || row.title !== d.title || row.status !== d.status)
      problems.push(`decisions/README.md's row ${d.number} is not "${d.file}", "${d.title}", "${d.status}"`);
  }
  for (const number of rows.keys())
    if (!numbers.has(number)) problems.push(`decisions/README.md lists ${number}, which has no page`);
  const missing = index.split(/^## Missing numbers$/m)[1]?.split(/^## /m)[0] ?? '';
  const last = Math.max(0, ...[...numbers].map(Number));
  for (let n = 1; n < last; n++) {
    const number = String(n).padStart(4, '0');
    if (!numbers.has(number) && !new RegExp(`\\b${number}\\b`).test(missing))
      problems.push(`decisions/README.md's "Missing numbers" does not explain ${number}`);
  }
  return problems;
}

const docsProblems = (root: string) => [
  ...designProblems(root),
  ...conceptsProblems(root),
  ...decisionProblems(root),
];

/** A small tree that keeps every rule; each test below breaks one. */
const BASE = {
  'README.md': '# x\n\nWords: [concepts](docs/concepts.md).\n\n## More\n',
  'src/README.md': '# src\n\n[Concepts](../docs/concepts.md).\n',
  'src/a.ts': 'export {};\n',
  'docs/design.md': 'line\n'.repeat(MAX_DESIGN_LINES),
  'docs/concepts.md': `# Concepts\n\n${TERMS.map((term) => `**${term}.** Defined in \`src/a.ts\`.`).join('\n\n')}\n`,
  'docs/decisions/0001-first.md': '# 0001. The first\n\nStatus: extended by 0003\n\nText.\n',
  'docs/decisions/0003-third.md': '# 0003. The third\n\nStatus: accepted\n',
  'docs/decisions/README.md': [
    '# Decisions',
    '',
    '| # | decision | status |',
    '|---|---|---|',
    '| [0001](0001-first.md) | The first | extended by [0003](0003-third.md) |',
    '| [0003](0003-third.md) | The third | accepted |',
    '',
    '## Missing numbers',
    '',
    '- 0002: never written.',
    '',
  ].join('\n'),
};

/** The base tree written to a fixture directory, with files replaced, added or (null) left out. */
function tree(t: Test, changes: Record<string, string | null> = {}): string {
  const root = t.testdir();
  for (const [path, text] of Object.entries({ ...BASE, ...changes })) {
    if (text === null) continue;
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const CONCEPTS_TEXT = BASE['docs/concepts.md'];
const INDEX_TEXT = BASE['docs/decisions/README.md'];

t.test('a tree that keeps every rule has no problem', async (t) => {
  t.strictSame(docsProblems(tree(t)), []);
});

t.test('design.md over 800 lines is a problem', async (t) => {
  const root = tree(t, { 'docs/design.md': `${BASE['docs/design.md']}one more\n` });
  t.strictSame(docsProblems(root), ['docs/design.md has 801 lines, over 800']);
});

t.test(
  'concepts.md missing, long, unlinked, a term undefined or pathless, a path gone: problems',
  async (t) => {
    t.strictSame(docsProblems(tree(t, { [CONCEPTS]: null })), ['docs/concepts.md is missing']);
    const long = tree(t, { [CONCEPTS]: CONCEPTS_TEXT + '\n'.repeat(MAX_CONCEPTS_LINES) });
    t.match(docsProblems(long), [/^docs\/concepts\.md has \d+ lines, over 160$/]);
    const late = tree(t, { 'README.md': '# x\n\n## More\n\n[concepts](docs/concepts.md)\n' });
    t.strictSame(docsProblems(late), ['README.md does not link docs/concepts.md above its first section']);
    const unnamed = tree(t, { [CONCEPTS]: CONCEPTS_TEXT.replace('**Ledger.**', 'Ledger:') });
    t.strictSame(docsProblems(unnamed), [
      'docs/concepts.md does not define "Ledger" (a paragraph opening **Ledger.**)',
    ]);
    const pathless = tree(t, { [CONCEPTS]: `${CONCEPTS_TEXT}\n**Play.** Argo.\n` });
    t.strictSame(docsProblems(pathless), ['docs/concepts.md: "Play" names no repository path']);
    const gone = tree(t, { [CONCEPTS]: `${CONCEPTS_TEXT}\nSee \`src/gone.ts\`.\n` });
    t.match(docsProblems(gone), [/^docs\/concepts\.md:\d+: src\/gone\.ts does not exist$/]);
  },
);

t.test('a decision without a status, with a long title or naming no later page is a problem', async (t) => {
  const third = 'docs/decisions/0003-third.md';
  t.strictSame(docsProblems(tree(t, { [third]: '# 0003. The third\n\nText.\n' })), [
    '0003-third.md: no "Status: accepted|extended by NNNN|replaced by NNNN" line under the title',
  ]);
  const long = '# 0003. One two three four five six seven eight nine ten eleven\n\nStatus: accepted\n';
  t.strictSame(docsProblems(tree(t, { [third]: long })), ['0003-third.md: the title has 11 words, over 10']);
  const earlier = '# 0003. The third\n\nStatus: replaced by 0001\n';
  t.strictSame(docsProblems(tree(t, { [third]: earlier })), [
    '0003-third.md: its status names 0001, which is not a later decision',
    `decisions/README.md's row 0003 is not "0003-third.md", "The third", "replaced by 0001"`,
  ]);
});

t.test('the index must list every page as the page says it, and explain every gap', async (t) => {
  const unlisted = tree(t, { 'docs/decisions/0004-fourth.md': '# 0004. The fourth\n\nStatus: accepted\n' });
  t.strictSame(docsProblems(unlisted), ['decisions/README.md has no row for 0004-fourth.md']);
  const stale = tree(t, { [`${DECISIONS}/README.md`]: INDEX_TEXT.replace('| The third |', '| The 3rd |') });
  t.strictSame(docsProblems(stale), [
    `decisions/README.md's row 0003 is not "0003-third.md", "The third", "accepted"`,
  ]);
  const gap = tree(t, { [`${DECISIONS}/README.md`]: INDEX_TEXT.replace('- 0002: never written.', '') });
  t.strictSame(docsProblems(gap), [`decisions/README.md's "Missing numbers" does not explain 0002`]);
});

t.test('the repository keeps every rule', async (t) => {
  t.strictSame(docsProblems(join(import.meta.dirname, '../..')), []);
});
