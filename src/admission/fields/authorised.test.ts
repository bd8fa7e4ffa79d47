// What the webhook asks is what the classification says: each check the reference table makes of a
// run is at a field the table classifies authorised by that very row, and each authorised field of
// each kind, set to something the operator did not choose, is checked. So an authorised row naming a
// reference row that does not judge its field, or a reference row reading an unclassified field, fails.
import t from 'tap';
import { seedConfig } from '../../../test/harness/util/app-configs.js';
import { defaulted, type RunKindName } from '../../api/index.js';
import { type RunView, referencesToCheck, specOf } from '../references/index.js';
import { kindsOf, rowFor } from './coverage.js';
import { FIELD_CLASSES } from './table.js';

// The seed's Apps (5DLabs-Rex …) are a sample's (config/samples/seed), not the shipped config's.
const config = seedConfig();
const view = (kind: RunKindName, spec: Record<string, unknown>): RunView => ({
  kind,
  spec: specOf(defaulted(kind, { metadata: { name: 'x' }, spec }, config)),
  config,
});

/** What every kind may name that the operator would not have chosen for it. */
const NAMED = {
  serviceAccountName: 'deployer',
  image: 'registry.example.com/other/agent:1',
  podTemplate: { priorityClassName: 'urgent' },
  workspace: { pvcName: 'billing-data' },
};
const TASK = { taskId: 1, serviceName: 's', markdownFiles: [{ filename: 'a.md', content: '' }], ...NAMED };
const CODE = {
  taskId: 3,
  service: 'payments',
  repositoryUrl: 'https://github.com/acme/payments',
  docsRepositoryUrl: 'https://github.com/acme/docs',
  envFromSecrets: [{ name: 'DB', secretName: 'db-password', secretKey: 'pw' }],
  ...NAMED,
};
const DOCS = { repositoryUrl: 'https://github.com/acme/docs', workingDirectory: 'docs', ...NAMED };

/** Of each kind, a GitHub App run and a GitHub user's run, naming all they can. */
const RUNS: RunView[] = [
  view('TaskRun', { ...TASK, agent: 'rex', repository: { url: 'https://github.com/acme/payments' } }),
  view('TaskRun', { ...TASK, repository: { url: 'git@github.com:acme/payments.git', githubUser: 'bob' } }),
  view('CodeRun', { ...CODE, githubApp: '5DLabs-Rex' }),
  view('CodeRun', { ...CODE, githubUser: 'alice' }),
  view('DocsRun', { ...DOCS, githubApp: '5DLabs-Morgan' }),
  view('DocsRun', { ...DOCS, githubUser: 'alice' }),
];

/** `spec.envFromSecrets[0].secretName` → `spec.envFromSecrets[].secretName`, as the table names it. */
const tablePath = (path: string) => path.replace(/\[\d+\]/g, '[]');

t.test("each check is at a field classified authorised by the check's row", async (t) => {
  for (const run of RUNS)
    for (const check of referencesToCheck(run)) {
      const row = rowFor(FIELD_CLASSES, run.kind, tablePath(check.path));
      const where = `${run.kind} ${check.path} (${check.reference.resource}/${check.name})`;
      t.equal(row?.class, 'authorised', `${where} is classified authorised`);
      const judges: unknown[] = row?.class === 'authorised' ? [row.reference, ...(row.also ?? [])] : [];
      t.ok(judges.includes(check.reference), `${where}: the row names the reference row that checks it`);
    }
});

t.test('each authorised field of each kind is checked when a run sets it', async (t) => {
  const checked = new Set(
    RUNS.flatMap((run) =>
      referencesToCheck(run).map(
        (c) => `${run.kind} ${rowFor(FIELD_CLASSES, run.kind, tablePath(c.path))?.path}`,
      ),
    ),
  );
  const authorised = FIELD_CLASSES.filter((row) => row.class === 'authorised').flatMap((row) =>
    kindsOf(row).map((kind) => `${kind} ${row.path}`),
  );
  t.same(
    authorised.filter((field) => !checked.has(field)),
    [],
    'an authorised field no reference row checks',
  );
  t.ok(authorised.length >= 20, `${authorised.length} authorised fields of the three kinds`);
});
