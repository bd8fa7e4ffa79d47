// The classification against the real schemas: every field of every kind has a row, every row a
// field; each authorised row is judged by a row of the reference table, which judges nothing else
// unclassified, and each config key exists in the controller config's schema; docs/security.md shows
// exactly this table.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { CONTROL_VERBS } from '../../../scripts/generate-user-roles.js';
import { type JsonSchema, loadSchema, RUN_KIND_NAMES, type RunKindName } from '../../api/index.js';
import { packageRoot } from '../../util/package-root.js';
import { REFERENCES } from '../references/index.js';
import { type FieldRow, reviewsOf } from './classes.js';
import { coverageProblems, specPaths } from './coverage.js';
import { DOCS_MARKERS, fieldClassificationMarkdown, withFieldClassification } from './docs-table.js';
import { FIELD_CLASSES } from './table.js';

const specs = Object.fromEntries(
  RUN_KIND_NAMES.map((kind) => [kind, loadSchema(kind).properties?.spec as JsonSchema]),
) as Record<RunKindName, JsonSchema>;

t.test('every field of every run kind is classified, and every row names a field', async (t) => {
  t.same(coverageProblems(FIELD_CLASSES, specs), []);
});

t.test('a field added to a schema without a row fails, naming the kind and the field', async (t) => {
  const grown = structuredClone(specs);
  const code = grown.CodeRun;
  code.properties = { ...code.properties, hostNetwork: { type: 'boolean' } };
  const podTemplate = code.properties.podTemplate as JsonSchema;
  podTemplate.properties = { ...podTemplate.properties, hostPID: { type: 'boolean' } };
  t.same(coverageProblems(FIELD_CLASSES, grown), [
    {
      kind: 'CodeRun',
      path: 'spec.podTemplate.hostPID',
      problem: 'no row classifies this field (src/admission/fields/table.ts)',
    },
    {
      kind: 'CodeRun',
      path: 'spec.hostNetwork',
      problem: 'no row classifies this field (src/admission/fields/table.ts)',
    },
  ]);
});

t.test('a row for a field no kind has, or two rows for one field, fail', async (t) => {
  const stale: FieldRow = { path: 'spec.gone', class: 'inert', verb: 'retry', effect: 'x' };
  const twin: FieldRow = { path: 'spec.model', class: 'bounded', effect: 'x', config: ['models'] };
  const problems = coverageProblems([...FIELD_CLASSES, stale, twin], specs).map(
    (p) => `${p.kind ?? '*'} ${p.path}: ${p.problem}`,
  );
  t.ok(problems.includes('* spec.gone: no run kind has this field: remove the row'), problems.join('\n'));
  t.ok(problems.includes('TaskRun spec.model: 2 rows classify this field'), problems.join('\n'));
});

t.test('each class says how it is judged', async (t) => {
  for (const row of FIELD_CLASSES) {
    const where = `${row.path} (${row.class})`;
    if (row.class === 'authorised') t.ok(reviewsOf(row).length, `${where} names its review`);
    if (row.class === 'bounded') t.ok(row.config?.length || row.bound, `${where} names its bound`);
    if (row.class === 'locked') t.ok(row.config?.length, `${where} names the config that sets it`);
    if (row.class !== 'authorised') t.same(reviewsOf(row), [], `${where} names no review`);
  }
});

t.test('an authorised row is judged by a row the webhook asks; every row asked judges a field', async (t) => {
  for (const row of FIELD_CLASSES)
    if (row.class === 'authorised')
      for (const reference of [row.reference, ...(row.also ?? [])])
        t.ok(REFERENCES.includes(reference), `${row.path}: its row is asked`);
  for (const reference of REFERENCES)
    t.ok(
      FIELD_CLASSES.some(
        (row) => row.reference === reference || (row.class === 'authorised' && row.also?.includes(reference)),
      ),
      `${reference.field}: an authorised field names it`,
    );
});

t.test("an authorised row's reviews are its reference row's permissions", async (t) => {
  const row = (path: string) => FIELD_CLASSES.find((r) => r.path === path) as FieldRow;
  t.same(reviewsOf(row('spec.serviceAccountName')), [
    'create serviceaccounts/token',
    'impersonate serviceaccounts',
  ]);
  t.same(reviewsOf(row('spec.image')), ['use images'], 'the image or its repository: one review, two names');
  t.same(reviewsOf(row('spec.githubUser')), ['get secrets']);
  t.same(reviewsOf(row('spec.model')), []);
});

t.test('every config key a row names exists in the controller config schema', async (t) => {
  const keys = new Set(specPaths(loadSchema('ControllerConfig'), '').map((p) => p.slice(1)));
  for (const row of FIELD_CLASSES)
    for (const key of row.config ?? []) t.ok(keys.has(key), `${row.path}: config key ${key} exists`);
});

t.test('docs/security.md shows the table as generated', async (t) => {
  const page = readFileSync(`${packageRoot()}/docs/security.md`, 'utf8');
  t.ok(page.includes(DOCS_MARKERS.begin), 'the page has the markers');
  t.equal(
    withFieldClassification(page),
    page,
    `docs/security.md's field classification is stale; regenerate it with: npm run docs:fields`,
  );
  t.match(
    fieldClassificationMarkdown(),
    /\| `spec.envFromSecrets\[\]\.secretName` \| CodeRun \| authorised \|/,
  );
});

t.test('the verbs of the controls are the ones the shipped admin roles grant', async (t) => {
  const verbs = new Set(FIELD_CLASSES.flatMap((row) => (row.verb ? [row.verb] : [])));
  t.same([...verbs].sort(), [...CONTROL_VERBS].sort(), 'scripts/generate-user-roles.js CONTROL_VERBS');
  for (const row of FIELD_CLASSES) t.equal(row.verb !== undefined, row.class === 'inert', row.path);
});
