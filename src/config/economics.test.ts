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

t.test(
  'the gateway: its URL when on, a fallback that is an entry, no routing variable in job.env',
  async (t) => {
    t.throws(load({ gateway: { url: '' } }), /gateway\.url/, 'a URL is required, and defaulted');
    const on = { enabled: true, url: 'http://orchestrator-gateway.orchestrator-system.svc:8090' };
    t.doesNotThrow(load({ gateway: on }));
    t.throws(
      load({ gateway: { prices: { fallbackModel: 'mistral-large-3' } } }),
      /gateway\.prices\.fallbackModel: Invalid value: "mistral-large-3": not an entry/,
    );
    t.doesNotThrow(load({ gateway: { prices: { fallbackModel: 'claude-opus-4-1' } } }));
    const job = { ...base.job, env: { ANTHROPIC_BASE_URL: 'https://elsewhere.example' } };
    const off = { ...base.gateway, enabled: false };
    t.doesNotThrow(
      load({ job, gateway: off }),
      "without the gateway (not shipped), the administrator's own gateway",
    );
    t.throws(load({ job, gateway: on }), /job\.env\["ANTHROPIC_BASE_URL"\]: Invalid value: reserved/);
  },
);
