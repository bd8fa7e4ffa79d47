// docs/seed-compatibility.md cannot drift from the code or claim what no test holds: every row's
// state is one of the four, everything a row names still exists (a config field in the controller
// config schema, a run's spec or status field, a seed environment variable, a seed template variable,
// a file, a word in a file, a registered metric), and every row of both tables names the tests that
// exercise its claim. Those tests run in the suite, so a row whose claim turns false fails it there;
// this file fails when a named test is gone or renamed. The variables and template names of the seeds
// are all on the page.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { type JsonSchema, loadSchema } from '../../src/api/schemas.js';
import { ENV_OVERRIDES } from '../../src/config/env-overrides.js';
import { SEED_ALIAS_NAMES } from '../../src/render/seed-aliases.js';

const root = join(import.meta.dirname, '../..');
const page = readFileSync(join(root, 'docs/seed-compatibility.md'), 'utf8');
const STATES = ['as written', 'renamed', 'different', 'open'];

/** The cells of a table row, split on its pipes. */
const cells = (line: string) =>
  line
    .split('|')
    .slice(1, -1)
    .map((cell) => cell.trim());

/** The rows of the items table. */
const rows = page
  .slice(page.indexOf('## Items'))
  .split('\n')
  .filter((line) => line.startsWith('| 0'))
  .map(cells);

/** The rows of the environment table. */
const envRows = page
  .slice(page.indexOf('## Environment variables'), page.indexOf('## Items'))
  .split('\n')
  .filter((line) => line.startsWith('| `'))
  .map(cells);

/** The references of a cell: each between backticks. */
const refsOf = (cell: string | undefined) =>
  [...(cell ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);

/** The titles of a test file's tests (tap's `t.test('title', …)`, any quote). */
function testTitles(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/\bt\.test\(\s*(['"`])((?:\\.|(?!\1)[\s\S])*)\1/g)].map((m) =>
    (m[2] as string).replace(/\s+/g, ' '),
  );
}

/** Why a test reference (`test:path#part of a title`) does not hold, or undefined when it does. */
function untested(ref: string): string | undefined {
  if (!ref.startsWith('test:')) return `${ref} is not a test reference`;
  const what = ref.slice('test:'.length);
  const hash = what.indexOf('#');
  const [file, title] = hash < 0 ? [what, ''] : [what.slice(0, hash), what.slice(hash + 1)];
  if (!file.endsWith('.test.ts')) return `${file} is not a test file`;
  if (!existsSync(join(root, file))) return `no such test file ${file}`;
  if (title.trim() === '') return `${ref} names no test title`;
  return testTitles(file).some((t) => t.includes(title))
    ? undefined
    : `${file} has no test whose title holds "${title}"`;
}

/** The schema node at a dotted path; `*` steps into a map's values. */
function schemaAt(schema: JsonSchema, path: string): JsonSchema | undefined {
  let node: JsonSchema | undefined = schema;
  for (const part of path.split('.')) {
    const n = node as {
      properties?: Record<string, JsonSchema>;
      additionalProperties?: JsonSchema | boolean;
    };
    node =
      part === '*'
        ? typeof n.additionalProperties === 'object'
          ? n.additionalProperties
          : undefined
        : n.properties?.[part];
    if (!node) return undefined;
  }
  return node;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}
const code = sources(join(root, 'src'))
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');

/** Why a reference does not hold, or undefined when it does. */
function broken(ref: string): string | undefined {
  const colon = ref.indexOf(':');
  const [kind, what] = [ref.slice(0, colon), ref.slice(colon + 1)];
  switch (kind) {
    case 'config':
      return schemaAt(loadSchema('ControllerConfig'), what) ? undefined : 'no such config field';
    case 'spec': {
      const [runKind, ...field] = what.split('.');
      const schema = loadSchema(runKind as 'TaskRun');
      return schemaAt(schema, `spec.${field.join('.')}`) ? undefined : 'no such spec field';
    }
    case 'status':
      return schemaAt(loadSchema('TaskRun'), `status.${what}`) ? undefined : 'no such status field';
    case 'env':
      return Object.hasOwn(ENV_OVERRIDES, what) ? undefined : 'not a variable read over the config';
    case 'var':
      return (SEED_ALIAS_NAMES as readonly string[]).includes(what)
        ? undefined
        : 'not a seed template variable';
    case 'file':
      return existsSync(join(root, what)) ? undefined : 'no such file';
    case 'text': {
      const [file, word] = [what.slice(0, what.indexOf('#')), what.slice(what.indexOf('#') + 1)];
      if (!existsSync(join(root, file))) return 'no such file';
      return readFileSync(join(root, file), 'utf8').includes(word)
        ? undefined
        : `${file} does not say ${word}`;
    }
    case 'metric':
      return code.includes(`'${what}'`) ? undefined : 'no metric of that name in src/';
    default:
      return `unknown reference kind ${kind}`;
  }
}

t.test('every row has a known state and rests on something that exists', async (t) => {
  t.ok(rows.length >= 80, `${rows.length} rows`);
  for (const [seed, item, state, , refs] of rows) {
    const where = `${seed} ${item}`;
    t.ok(STATES.includes(state ?? ''), `${where}: state "${state}" is one of ${STATES.join(', ')}`);
    const names = refsOf(refs);
    t.ok(names.length > 0, `${where}: names what it rests on`);
    for (const name of names) t.equal(broken(name), undefined, `${where}: ${name}`);
  }
});

t.test('every row of both tables names a test that exists and exercises its claim', async (t) => {
  t.equal(envRows.length, Object.keys(ENV_OVERRIDES).length, 'one env row per variable');
  for (const [seed, item, , , , checked] of rows) {
    const where = `${seed} ${item}`;
    const tests = refsOf(checked);
    t.ok(tests.length > 0, `${where}: names the test that checks it`);
    for (const ref of tests) t.equal(untested(ref), undefined, `${where}: ${ref}`);
  }
  for (const [variable, , , checked] of envRows) {
    const tests = refsOf(checked);
    t.ok(tests.length > 0, `${variable}: names the test that checks it`);
    for (const ref of tests) t.equal(untested(ref), undefined, `${variable}: ${ref}`);
  }
});

t.test("the seeds' environment variables and template variables are all on the page", async (t) => {
  for (const name of Object.keys(ENV_OVERRIDES)) t.ok(page.includes(`| \`${name}\` |`), name);
  const varRefs = new Set([...page.matchAll(/`var:([a-z_]+)`/g)].map((m) => m[1]));
  for (const name of SEED_ALIAS_NAMES) t.ok(varRefs.has(name), `var:${name}`);
});

t.test('a reference to something gone is caught', async (t) => {
  t.match(broken('config:retries.maxAttempts'), /no such config field/);
  t.match(broken('spec:CodeRun.github_app'), /no such spec field/);
  t.match(broken('env:RUST_LOG'), /not a variable/);
  t.match(broken('var:taskId'), /not a seed template variable/);
  t.match(broken('text:templates/code/container.sh.hbs#no-such-function'), /does not say/);
  t.match(broken('metric:taskrun_jobs_failed_total'), /no metric/);
  t.equal(broken('config:agents.*.systemPromptText'), undefined);
});

t.test('a test reference to a test that is gone is caught', async (t) => {
  const self = 'test/config/seed-compatibility.test.ts';
  t.equal(untested(`test:${self}#a test reference to a test that is gone`), undefined);
  t.match(untested(`test:${self}#no test is called this`), /has no test whose title holds/);
  t.match(untested('test:test/config/no-such.test.ts#anything'), /no such test file/);
  t.match(untested('test:docs/seed-compatibility.md#Items'), /not a test file/);
  t.match(untested(`test:${self}`), /names no test title/);
  t.match(untested('file:src/app/run.ts'), /not a test reference/);
  t.same(testTitles(self).slice(-1), ['a test reference to a test that is gone is caught']);
});
