// spec.limits (run-limits.ts, docs/economics.md): defaulted from the agent profile at admission, at
// most its max (else its default), a value the stored run had not judged again, and no bound at all
// for a profile that sets none.
import t from 'tap';
import { defaulted } from '../../api/index.js';
import { configFrom, loadDefaultConfig } from '../../config/load.js';
import { validateRun } from '../validate-run.js';

const base = loadDefaultConfig();
const { limits: _shipped, ...rexWithoutLimits } = base.agents.rex ?? {};
const configWith = (limits?: Record<string, unknown>) =>
  configFrom({
    ...base,
    agents: { ...base.agents, rex: { ...rexWithoutLimits, ...(limits ? { limits } : {}) } },
  });
const capped = configWith({
  maxTurns: { default: 50, max: 200 },
  maxBudgetUsd: { default: '5', max: '20.5' },
  fallbackModel: 'claude-haiku-4-5',
});

const taskRun = (limits?: Record<string, unknown>) => ({
  kind: 'TaskRun',
  metadata: { name: 'x' },
  spec: {
    taskId: 1,
    serviceName: 's',
    agent: 'rex',
    markdownFiles: [{ filename: 'task.md', content: '' }],
    ...(limits ? { limits } : {}),
  },
});

const errors = (object: unknown, config = capped, oldObject?: unknown) =>
  validateRun({ kind: 'TaskRun', object, oldObject, operation: oldObject ? 'UPDATE' : 'CREATE', config })
    .filter((f) => f.severity === 'error')
    .map((f) => `${f.rule} ${f.path}: ${f.message}`);

t.test("a run gets its profile's default limits, leaf by leaf", async (t) => {
  t.same(defaulted('TaskRun', taskRun() as never, capped).spec.limits, { maxTurns: 50, maxBudgetUsd: '5' });
  t.same(defaulted('TaskRun', taskRun({ maxTurns: 10 }) as never, capped).spec.limits, {
    maxTurns: 10,
    maxBudgetUsd: '5',
  });
  t.notOk(
    defaulted('TaskRun', taskRun() as never, configWith()).spec.limits,
    'a profile without limits: none',
  );
});

t.test("up to the profile's max; its default bounds a profile without a max", async (t) => {
  t.same(errors(taskRun({ maxTurns: 200, maxBudgetUsd: '20.5' })), []);
  t.same(errors(taskRun({ maxTurns: 201, maxBudgetUsd: '20.500001' })), [
    'limit-bounds spec.limits.maxTurns: Forbidden: 201 exceeds "200" (agents.rex.limits.maxTurns.max); agents.rex.limits.maxTurns.max would allow more',
    'limit-bounds spec.limits.maxBudgetUsd: Forbidden: "20.500001" exceeds "20.5" (agents.rex.limits.maxBudgetUsd.max); agents.rex.limits.maxBudgetUsd.max would allow more',
  ]);
  const defaultOnly = configWith({ maxBudgetUsd: { default: '5' } });
  t.same(errors(taskRun({ maxBudgetUsd: '4.99' }), defaultOnly), [], 'lower than the default');
  t.match(errors(taskRun({ maxBudgetUsd: '6' }), defaultOnly), [
    /exceeds "5" \(agents\.rex\.limits\.maxBudgetUsd\.default\)/,
  ]);
  t.same(errors(taskRun({ maxTurns: 100000 }), configWith()), [], 'a profile with no limits bounds nothing');
});

t.test('the schema refuses what is not a limit, naming the field', async (t) => {
  const found = errors(taskRun({ maxBudgetUsd: '1.2345678', maxTurns: 0 }));
  t.match(found.join('\n'), /spec\.limits\.maxBudgetUsd/);
  t.match(found.join('\n'), /spec\.limits\.maxTurns/);
});

t.test('on UPDATE a value the stored run had is not judged again', async (t) => {
  const stored = taskRun({ maxTurns: 500 });
  t.same(errors(taskRun({ maxTurns: 500 }), capped, stored), [], 'kept after the max was lowered');
  t.match(errors(taskRun({ maxTurns: 501 }), capped, stored), [/maxTurns: Forbidden/], 'a new value is');
});

t.test('a default over its max is refused when the config loads', async (t) => {
  t.throws(
    () => configWith({ maxTurns: { default: 300, max: 200 } }),
    /agents\.rex\.limits\.maxTurns\.default: Invalid value: 300: more than its max 200/,
  );
});

t.test('the shipped profiles bound turns and spend: a default, and a max a run cannot pass', async (t) => {
  for (const [name, profile] of Object.entries(base.agents)) {
    const limits = profile.limits;
    t.ok(limits?.maxTurns?.default && limits.maxTurns.max, `${name}: maxTurns default and max`);
    t.ok(limits?.maxBudgetUsd?.default && limits.maxBudgetUsd.max, `${name}: maxBudgetUsd default and max`);
  }
  t.same(defaulted('TaskRun', taskRun() as never, base).spec.limits, { maxTurns: 200, maxBudgetUsd: '10' });
  t.same(errors(taskRun({ maxBudgetUsd: '1000' }), base), [
    'limit-bounds spec.limits.maxBudgetUsd: Forbidden: "1000" exceeds "50" (agents.rex.limits.maxBudgetUsd.max); agents.rex.limits.maxBudgetUsd.max would allow more',
  ]);
});

t.test("a limit the profile's agent CLI cannot keep is refused, not ignored (docs/agents.md)", async (t) => {
  const codex = configFrom({
    ...base,
    gateway: { ...base.gateway, enabled: true },
    agents: { ...base.agents, rex: { ...rexWithoutLimits, cli: 'codex' } },
  });
  t.match(errors(taskRun({ maxTurns: 10 }), codex), [
    /spec\.limits\.maxTurns: Forbidden: the codex CLI of agent rex cannot enforce maxTurns/,
  ]);
  t.match(errors(taskRun({ fallbackModel: 'gpt-5-mini' }), codex), [
    /spec\.limits\.fallbackModel: Forbidden: the codex CLI/,
  ]);
  t.same(errors(taskRun({ maxBudgetUsd: '3' }), codex), [], 'the spend limit: the gateway holds it');
  t.same(errors(taskRun({ maxTurns: 10 })), [], 'Claude Code keeps a turn limit');
});
