// What the shipped Argo Events sensors check of a GitHub delivery (docs/argo.md "What the sensors
// check"), without Argo Events running: the filters' contents, read structurally, and every filter
// path resolved on GitHub's recorded payloads (test/fixtures/github) with jsonpath-plus (a pinned
// devDependency, the version @kubernetes/client-node brings too), so a path that names no field of GitHub's payload (which
// Argo Events counts as false, silently dropping every event) or a fork's payload that resolves the two
// compared fields to equal values fails here. This is not Argo's evaluator: the regular expressions
// are matched with JavaScript's engine, the same result as Go's regexp for these anchored
// alternations; the expr `head == base` is checked by the values its fields resolve to.
import t from 'tap';
import type { KubeObject } from '../../src/runtime/index.js';
import { argoObjects } from '../harness/deploy/argo-manifests.js';
import { type Filters, resolve } from '../harness/deploy/sensor-eval.js';
import { githubPayload, type Payload } from '../harness/remote/github.js';

const sensors = argoObjects().filter((o) => o.kind === 'Sensor');
function filtersOf(name: string): Filters & { operator?: string } {
  const sensor = sensors.find((s) => s.metadata?.name === name) as KubeObject | undefined;
  const deps = (
    sensor?.spec as { dependencies?: Array<{ filters?: Filters; filtersLogicalOperator?: string }> }
  )?.dependencies;
  if (!deps?.[0]?.filters) throw new Error(`Sensor ${name} has no filters`);
  return { ...deps[0].filters, operator: deps[0].filtersLogicalOperator };
}

const event = (body: Payload) => ({ headers: {}, body });

t.test(
  'every sensor filter is an AND of all its entries (no "or" that would let one alone pass)',
  async (t) => {
    for (const s of sensors) {
      const f = filtersOf(String(s.metadata?.name));
      t.notOk(f.operator && f.operator !== 'and', `${s.metadata?.name}: filtersLogicalOperator`);
      t.notOk(
        f.dataLogicalOperator && f.dataLogicalOperator !== 'and',
        `${s.metadata?.name}: dataLogicalOperator`,
      );
      t.notOk(
        f.exprLogicalOperator && f.exprLogicalOperator !== 'and',
        `${s.metadata?.name}: exprLogicalOperator`,
      );
    }
  },
);

t.test(
  'the comment sensor: association OWNER, MEMBER or COLLABORATOR, on the field GitHub sends',
  async (t) => {
    const f = filtersOf('github-pr-comment');
    const association = f.data?.find((d) => d.path === 'body.comment.author_association');
    t.same(association, {
      path: 'body.comment.author_association',
      type: 'string',
      value: ['^(OWNER|MEMBER|COLLABORATOR)$'],
    });
    const patterns = (association?.value ?? []).map((v) => new RegExp(v));
    const passes = (a: string) => patterns.some((p) => p.test(a));
    for (const a of ['OWNER', 'MEMBER', 'COLLABORATOR']) t.ok(passes(a), `${a} passes`);
    for (const a of [
      'CONTRIBUTOR',
      'FIRST_TIME_CONTRIBUTOR',
      'FIRST_TIMER',
      'MANNEQUIN',
      'NONE',
      'XMEMBER',
      'MEMBERS',
    ])
      t.notOk(passes(a), `${a} does not`);
    const recorded = githubPayload('issue_comment.pull_request', (p) =>
      p.issue.labels.push({ name: 'task-7' }),
    );
    t.same(
      resolve(event(recorded), 'body.comment.author_association'),
      ['MEMBER'],
      'the path names the recorded field',
    );
    // Every other path of the sensor resolves on the recorded payload too (headers aside: not recorded).
    for (const d of f.data ?? [])
      if (!d.path.startsWith('headers.'))
        t.ok(resolve(event(recorded), d.path).length > 0, `${d.path} resolves`);
  },
);

t.test("the CI sensor: a fork's failed run on a task-named branch is not the repository's", async (t) => {
  const f = filtersOf('github-ci-failure');
  t.same(f.exprs, [
    {
      expr: 'head == base',
      fields: [
        { name: 'head', path: 'body.workflow_run.head_repository.full_name' },
        { name: 'base', path: 'body.repository.full_name' },
      ],
    },
  ]);
  const [expr] = f.exprs ?? [];
  const values = (body: Payload) =>
    Object.fromEntries((expr?.fields ?? []).map((field) => [field.name, resolve(event(body), field.path)]));
  const own = values(githubPayload('workflow_run.failure'));
  t.same(own, { head: ['acme/payments'], base: ['acme/payments'] }, "the repository's own branch: equal");
  const fork = values(
    githubPayload('workflow_run.failure', (p) => {
      p.workflow_run.head_repository.full_name = 'mallory/payments';
    }),
  );
  t.same(fork, { head: ['mallory/payments'], base: ['acme/payments'] }, "a fork's: different, so no run");
  t.equal(
    resolve(event(githubPayload('workflow_run.failure')), 'body.workflow_run.head_branch')[0],
    'feature/task-7-implementation',
    'named like a task, which alone no longer suffices',
  );
  for (const d of f.data ?? [])
    if (!d.path.startsWith('headers.'))
      t.ok(resolve(event(githubPayload('workflow_run.failure')), d.path).length > 0, `${d.path} resolves`);
});
