// docs/seed-compatibility.md cannot drift from the code: every row's state is one of the four, every
// row but an open one rests on something, and everything a row names still exists (a config field in
// the controller config schema, a run's spec or status field, a seed environment variable, a seed
// template variable, a file, a word in a file, a registered metric). The variables and template names
// of the seeds are all on the page.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { type JsonSchema, loadSchema } from '../../src/api/schemas.js';
import { ENV_OVERRIDES } from '../../src/config/env-overrides.js';
import { SEED_ALIAS_NAMES } from '../../src/render/seed-aliases.js';

const root = join(import.meta.dirname, '../..');
const page = readFileSync(join(root, 'docs/seed-compatibility.md'), 'utf8');
const STATES = ['as written', 'renamed', 'different', 'open'];

/** The rows of the items table: its cells, split on unescaped pipes. */
const rows = page
  .slice(page.indexOf('## Items'))
  .split('\n')
  .filter((line) => line.startsWith('| 0'))
  .map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );

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
    case 'test': {
      const [file, title] = [what.slice(0, what.indexOf('#')), what.slice(what.indexOf('#') + 1)];
      if (!existsSync(join(root, file))) return 'no such test file';
      return readFileSync(join(root, file), 'utf8').includes(title)
        ? undefined
        : `${file} has no test "${title}"`;
    }
    default:
      return `unknown reference kind ${kind}`;
  }
}

t.test('every row has a known state and rests on something that exists', async (t) => {
  t.ok(rows.length >= 80, `${rows.length} rows`);
  for (const [seed, item, state, , refs] of rows) {
    const where = `${seed} ${item}`;
    t.ok(STATES.includes(state ?? ''), `${where}: state "${state}" is one of ${STATES.join(', ')}`);
    const names = [...(refs ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
    t.ok(names.length > 0, `${where}: names what it rests on`);
    for (const name of names) t.equal(broken(name), undefined, `${where}: ${name}`);
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
