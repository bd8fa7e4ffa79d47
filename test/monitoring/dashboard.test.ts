// The shipped Grafana dashboard, read as Grafana and Prometheus would: every query parses (promtool),
// selects only the orchestrator's series, and shows every replica (no single-value pod variable).
// Whether each query returns data from real replicas: test/integration/dashboard-queries.test.ts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { concrete, dashboard, dashboardQueries, promtool } from '../harness/deploy/monitoring.js';

const queries = dashboardQueries();

t.test('every query parses', async (t) => {
  t.ok(queries.length >= 30, `${queries.length} queries`);
  // promtool parses recording rules offline: one group per query, named after it, so that an error
  // says which panel it is in.
  const groups = queries.map((q, i) => ({
    name: q.name,
    rules: [{ record: `dashboard:query${i}`, expr: concrete(q.expr, 'orchestrator-system') }],
  }));
  const file = join(mkdtempSync(join(tmpdir(), 'dashboard-')), 'queries.yaml');
  writeFileSync(file, stringify({ groups }));
  const checked = promtool(['check', 'rules', file]);
  t.equal(checked.status, 0, checked.output);
});

t.test('every selector is the orchestrator in one namespace, over the chosen replicas', async (t) => {
  for (const q of queries) {
    const selectors = [...q.expr.matchAll(/[a-z_:]+\{([^}]*)\}/g)].map((m) => m[1] as string);
    t.ok(selectors.length > 0, `${q.name}: has a selector`);
    for (const s of selectors)
      t.ok(
        s.includes('job="orchestrator-metrics"') &&
          s.includes('namespace="$namespace"') &&
          s.includes('pod=~"$pod"'),
        `${q.name}: {${s}} selects job, namespace and the pod variable`,
      );
  }
});

t.test('no variable hides replicas', async (t) => {
  const variables = dashboard().templating.list;
  const pod = variables.find((v) => v.name === 'pod');
  t.match(pod, { multi: true, includeAll: true, allValue: '.*' }, 'pod: multi-value with All');
  const single = variables.filter((v) => ['pod', 'instance'].includes(v.name) && !v.multi).map((v) => v.name);
  t.same(single, [], 'no single-value pod or instance variable');
  for (const q of queries) t.notMatch(q.expr, /(pod|instance)="/, `${q.name}: no exact pod or instance`);
});
