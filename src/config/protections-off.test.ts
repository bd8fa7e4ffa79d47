// The protections a config has off (protections-off.ts): what each exposes and how to turn it on, the
// words the manager's log and doctor share; and what a reload turned off.
import t from 'tap';
import type { ControllerConfig } from '../api/index.js';
import { loadDefaultConfig } from './load.js';
import { protectionsOff, turnedOff } from './protections-off.js';

/** The shipped config with both protections set as given (whatever it ships). */
function withProtections(gateway: boolean, egress: boolean): ControllerConfig {
  const config = structuredClone(loadDefaultConfig());
  config.gateway = { ...config.gateway, enabled: gateway };
  config.egress = { ...config.egress, enabled: egress };
  return config;
}

t.test('both off: each names its field, what it exposes and how to turn it on', async (t) => {
  const [gateway, egress, ...rest] = protectionsOff(withProtections(false, false));
  t.same(rest, []);
  t.equal(gateway?.field, 'gateway.enabled');
  t.match(
    gateway?.exposes,
    "every agent container gets the platform's model key (secrets.apiKey) from a Secret of its namespace",
  );
  t.match(
    gateway?.exposes,
    "the cost in an agent's own termination message is the bill (capped at the attempt's spec.limits.maxBudgetUsd)",
  );
  t.match(gateway?.exposes, 'team budgets sum these self-reported figures');
  t.match(gateway?.turnOn, 'gateway.enabled: true');
  t.equal(egress?.field, 'egress.enabled');
  t.match(egress?.exposes, 'agents reach any public address');
  t.match(egress?.turnOn, 'egress.enabled: true');
});

t.test('both on: nothing to say', async (t) => {
  t.same(protectionsOff(withProtections(true, true)), []);
  t.same(
    protectionsOff(withProtections(true, false)).map((p) => p.field),
    ['egress.enabled'],
    'one off, one named',
  );
});

t.test('the gateway off names the profiles whose runs may bill an uncapped report', async (t) => {
  const config = withProtections(false, true);
  const rex = config.agents.rex;
  t.ok(rex, 'the shipped config has rex');
  if (rex) rex.limits = { onLimit: 'push', maxBudgetUsd: { max: '50' } };
  const [gateway] = protectionsOff(config);
  t.match(
    gateway?.exposes,
    /not capped at all for a run without one \(profiles with no limits\.maxBudgetUsd\.default: rex\)/,
  );
});

t.test('a reload names what it turned off, not what was off already', async (t) => {
  const on = withProtections(true, true);
  t.same(
    turnedOff(on, withProtections(false, true)).map((p) => p.field),
    ['gateway.enabled'],
  );
  t.same(
    turnedOff(withProtections(false, true), withProtections(false, false)).map((p) => p.field),
    ['egress.enabled'],
  );
  t.same(
    turnedOff(withProtections(false, false), withProtections(false, false)),
    [],
    'still off: said at start',
  );
  t.same(turnedOff(withProtections(false, false), on), [], 'turned on');
});
