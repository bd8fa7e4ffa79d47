import t from 'tap';
import { lookupKind } from '../api/index.js';
import { humanDuration, parseDuration } from './duration.js';
import { parseKinds, parseRef } from './kinds.js';
import { formatTable, jsonPathValue, printerColumns, tableRows } from './table.js';

const now = Date.parse('2025-01-01T12:00:00Z');
const run = (name: string, ns: string, spec: object, status: object = {}) => ({
  apiVersion: 'orchestrator.io/v1',
  kind: 'TaskRun',
  metadata: { name, namespace: ns, creationTimestamp: '2025-01-01T11:57:30Z' },
  spec,
  status,
});

t.test('printer columns come from the generated CRDs', async (t) => {
  t.same(
    printerColumns('TaskRun').map((c) => c.name),
    ['Task', 'Service', 'Agent', 'Attempt', 'Phase', 'Job', 'PR', 'Cost', 'Age'],
  );
  for (const kind of ['TaskRun', 'CodeRun', 'DocsRun'] as const)
    t.equal(printerColumns(kind).find((c) => c.name === 'PR')?.priority, 1, `${kind}: PR only in wide`);
});

t.test('a table like kubectl get: NAME first, wide columns only with -o wide, ages', async (t) => {
  const items = [
    run(
      'payments-task-7',
      'a',
      { taskId: 7, serviceName: 'payments', agent: 'rex' },
      {
        attempt: 1,
        phase: 'Running',
        jobName: 'payments-task-7-run-1',
        pullRequestUrl: 'https://github.com/acme/payments/pull/7',
      },
    ),
    run('x', 'b', { taskId: 12, serviceName: 'search' }),
  ];
  t.equal(
    formatTable(tableRows('TaskRun', items, { now })),
    [
      'NAME              TASK   SERVICE    AGENT   ATTEMPT   PHASE     AGE',
      'payments-task-7   7      payments   rex     1         Running   2m30s',
      'x                 12     search                                 2m30s',
      '',
    ].join('\n'),
  );
  const wide = tableRows('TaskRun', items, {
    now,
    wide: true,
    allNamespaces: true,
    qualify: 'taskrun.orchestrator.io',
  });
  t.same(wide[0], [
    'NAMESPACE',
    'NAME',
    'TASK',
    'SERVICE',
    'AGENT',
    'ATTEMPT',
    'PHASE',
    'JOB',
    'PR',
    'COST',
    'AGE',
  ]);
  t.same(wide[1]?.slice(0, 2), ['a', 'taskrun.orchestrator.io/payments-task-7']);
  t.same(wide[1]?.slice(7, 9), ['payments-task-7-run-1', 'https://github.com/acme/payments/pull/7']);
  t.equal(wide[2]?.[8], '', 'no pull request: an empty cell');
});

t.test('simple JSONPath', async (t) => {
  const obj = { spec: { taskId: 3, list: [{ a: 1 }] }, metadata: { labels: { 'orchestrator.io/run': 'x' } } };
  t.equal(jsonPathValue(obj, '.spec.taskId'), 3);
  t.equal(jsonPathValue(obj, ".metadata.labels['orchestrator.io/run']"), 'x');
  t.equal(jsonPathValue(obj, '.spec.list[0].a'), 1);
  t.equal(jsonPathValue(obj, '.status.phase'), undefined);
});

t.test('durations: parsed as typed, printed as kubectl ages', async (t) => {
  t.equal(parseDuration('30m'), 1_800_000);
  t.equal(parseDuration('1h30m'), 5_400_000);
  t.equal(parseDuration('250ms'), 250);
  t.equal(parseDuration('5'), 5000);
  t.throws(() => parseDuration('soon', '--timeout'), /--timeout: "soon" is not a duration/);
  t.equal(humanDuration(59_000), '59s');
  t.equal(humanDuration(150_000), '2m30s');
  t.equal(humanDuration(45 * 60_000), '45m');
  t.equal(humanDuration(5 * 3_600_000 + 60_000), '5h1m');
  t.equal(humanDuration(3 * 86_400_000 + 3_600_000), '3d1h');
});

t.test('kinds as kubectl spells them, and kind/name references', async (t) => {
  for (const word of ['otr', 'taskrun', 'TaskRuns', 'taskrun.orchestrator.io'])
    t.equal(lookupKind(word), 'TaskRun');
  t.equal(lookupKind('ocr'), 'CodeRun');
  t.equal(lookupKind('docsruns'), 'DocsRun');
  t.equal(lookupKind('pods'), undefined);
  t.same(parseKinds(undefined), ['TaskRun', 'CodeRun', 'DocsRun']);
  t.same(parseRef('coderun.orchestrator.io/abc', undefined), { kind: 'CodeRun', name: 'abc' });
  t.same(parseRef('odr', 'abc'), { kind: 'DocsRun', name: 'abc' });
  t.throws(() => parseRef('pods', 'x'), /unknown kind "pods": use one of taskrun/);
  t.throws(() => parseRef('otr', undefined), /which TaskRun\? give its name/);
});
