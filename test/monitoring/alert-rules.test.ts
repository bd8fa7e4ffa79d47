// The shipped alerts (config/prometheus/prometheus-rule.yaml): valid for Prometheus, templates included
// (promtool check rules), each with its text, and each proven to fire and not to fire by promtool's unit
// tests in alerts.promtest.yaml.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parse, stringify } from 'yaml';
import { packageRoot } from '../../src/util/package-root.js';
import { alertGroups, promtool } from '../harness/deploy/monitoring.js';

const dir = mkdtempSync(join(tmpdir(), 'alert-rules-'));
const groups = alertGroups();
const rules = groups.flatMap((g) => g.rules);
const tests = parse(
  readFileSync(join(packageRoot(), 'test', 'monitoring', 'alerts.promtest.yaml'), 'utf8'),
) as {
  tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
};

t.test('promtool accepts the rules, annotation templates included', async (t) => {
  const file = join(dir, 'rules.yaml');
  writeFileSync(file, stringify({ groups }));
  const checked = promtool(['check', 'rules', file]);
  t.equal(checked.status, 0, checked.output);
});

t.test('every alert says what happened, why it matters and what to do', async (t) => {
  t.ok(rules.length >= 9, `${rules.length} alerts`);
  for (const rule of rules) {
    t.ok(rule.alert, `${rule.expr}: an alert, not a recording rule`);
    t.match(rule.labels?.severity, /^(warning|critical)$/, `${rule.alert}: severity`);
    for (const key of ['summary', 'description', 'runbook'])
      t.ok((rule.annotations?.[key] ?? '').trim().length > 20, `${rule.alert}: ${key}`);
    t.match(rule.expr, /job="orchestrator-metrics"/, `${rule.alert}: only the orchestrator's series`);
  }
});

t.test('promtool test rules: every alert fires, and does not fire, when it should', async (t) => {
  const cases = tests.tests.flatMap((c) => c.alert_rule_test ?? []);
  for (const rule of rules) {
    const mine = cases.filter((c) => c.alertname === rule.alert);
    t.ok(
      mine.some((c) => (c.exp_alerts ?? []).length > 0),
      `${rule.alert}: a case where it fires`,
    );
    t.ok(
      mine.some((c) => (c.exp_alerts ?? []).length === 0),
      `${rule.alert}: a case where it does not`,
    );
  }
  // promtool compares annotations too; they are checked above, the cases name labels only.
  const bare = groups.map((g) => ({ ...g, rules: g.rules.map(({ annotations: _, ...r }) => r) }));
  const rulesFile = join(dir, 'bare-rules.yaml');
  writeFileSync(rulesFile, stringify({ groups: bare }));
  const testFile = join(dir, 'alerts.promtest.yaml');
  writeFileSync(testFile, stringify({ ...tests, rule_files: [rulesFile] }));
  const tested = promtool(['test', 'rules', testFile]);
  t.equal(tested.status, 0, tested.output);
  t.comment(`${cases.length} cases`);
});
