// The economics keys' cross-field rules (economics.ts): each refusal names the key and the rule.
import t from 'tap';
import { configFrom, loadDefaultConfig } from './load.js';

const base = loadDefaultConfig();
const load = (change: Record<string, unknown>) => () => configFrom({ ...base, ...change });

t.test('budgets: unique names, a selector the manager can evaluate', async (t) => {
  const budget = { name: 'team', limitUsd: '10' };
  t.throws(load({ budgets: [budget, budget] }), /budgets\[1\]\.name: Duplicate value: "team"/);
  t.throws(
    load({ budgets: [{ ...budget, namespaceSelector: 'team in (a' }] }),
    /budgets\[0\]\.namespaceSelector: Invalid value: "team in \(a": unbalanced parentheses/,
  );
  t.throws(
    load({ watchNamespaces: ['a', 'b'], budgets: [{ ...budget, namespaceSelector: 'team=a' }] }),
    /budgets\[0\]\.namespaceSelector: Forbidden: the manager watches a fixed list of namespaces/,
  );
  t.doesNotThrow(load({ budgets: [{ ...budget, namespaceSelector: 'team=a', namespaces: ['b'] }] }));
  t.throws(
    load({ budgets: [{ ...budget, limitUsd: '10.1234567' }] }),
    /budgets\/0\/limitUsd|budgets\[0\]\.limitUsd/,
  );
});

t.test('agent telemetry needs an endpoint when it is on', async (t) => {
  t.throws(load({ agentTelemetry: { enabled: true } }), /agentTelemetry\.endpoint: Required value/);
  t.doesNotThrow(load({ agentTelemetry: { enabled: true, endpoint: 'http://otel:4318' } }));
});
