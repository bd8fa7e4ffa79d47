// The table of limits (limits.ts) against what it describes: spec.limits' schema has a row for each of
// its fields and nothing else, each unit is how the schema writes the field, the stop reasons are the
// status schema's, each agent CLI says for every limit whether it holds it, and the config keys of the
// platform's limits exist.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { ALL_CLIS } from '../agent-cli/index.js';
import {
  CLI_ONLY_LIMITS,
  limitValue,
  PLATFORM_LIMITS,
  RUN_LIMIT_NAMES,
  RUN_LIMITS,
  runLimitStopping,
  runLimitsOrNone,
  STOP_REASONS,
} from './limits.js';
import { type JsonSchema, loadSchema, parseSchema, schemasDir } from './schemas.js';

const shared = (file: string): JsonSchema => {
  const full = path.join(schemasDir(), 'shared', file);
  return parseSchema(readFileSync(full, 'utf8'), full);
};
/** The first property named `name` anywhere under `schema`. */
function propertyNamed(schema: unknown, name: string): JsonSchema | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const own = (schema as JsonSchema).properties as Record<string, JsonSchema> | undefined;
  if (own?.[name]) return own[name];
  for (const value of Object.values(schema)) {
    const found = propertyNamed(value, name);
    if (found) return found;
  }
  return undefined;
}

const runLimits = shared('run-limits.yaml');
const fields = runLimits.properties as Record<string, JsonSchema>;

t.test('a row per field of spec.limits, in the unit the schema writes it', async (t) => {
  t.same([...RUN_LIMIT_NAMES].sort(), Object.keys(fields).sort());
  for (const limit of RUN_LIMIT_NAMES) {
    const type = fields[limit]?.type;
    t.equal(type, { turns: 'integer', USD: 'string', seconds: 'integer' }[RUN_LIMITS[limit].unit], limit);
  }
});

t.test("the stop reasons are the status schema's, each from a limit of the table", async (t) => {
  const stopReason = propertyNamed(shared('run-status.yaml'), 'stopReason');
  t.ok(stopReason, 'run-status.yaml has status.attemptUsage[].stopReason');
  t.same(STOP_REASONS, stopReason?.enum);
  t.equal(runLimitStopping('TurnLimitReached'), 'maxTurns');
  t.equal(runLimitStopping('BudgetExceeded'), 'maxBudgetUsd');
  // An attempt the gateway refused ends with one reason, whichever limit refused it (attempt-usage.ts).
  t.equal(PLATFORM_LIMITS.teamBudget.stopReason, RUN_LIMITS.maxBudgetUsd.stopReason);
});

t.test(
  'every agent CLI says whether it holds each limit; one only the CLI holds is held by some',
  async (t) => {
    for (const cli of ALL_CLIS)
      for (const limit of RUN_LIMIT_NAMES) t.type(cli.limits[limit], 'boolean', `${cli.name} ${limit}`);
    t.same(CLI_ONLY_LIMITS, ['maxTurns'], 'the gateway holds maxBudgetUsd for every CLI');
    for (const limit of CLI_ONLY_LIMITS)
      t.ok(
        ALL_CLIS.some((cli) => cli.limits[limit]),
        `some CLI holds ${limit}`,
      );
  },
);

t.test('values in their unit: dollars in micro-dollars, turns as they are', async (t) => {
  t.equal(limitValue('maxBudgetUsd', '2.5'), 2_500_000);
  t.equal(limitValue('maxBudgetUsd', 2), undefined, 'a dollar amount is a string');
  t.equal(limitValue('maxTurns', 40), 40);
  t.equal(limitValue('maxTurns', '40'), undefined, 'turns are a number');
  t.same(runLimitsOrNone({ maxTurns: 3 }), { maxTurns: 3, maxBudgetUsd: null });
  t.same(runLimitsOrNone(undefined), { maxTurns: null, maxBudgetUsd: null });
});

t.test('the platform limits are keys of the controller config', async (t) => {
  const config = loadSchema('ControllerConfig');
  for (const [name, limit] of Object.entries(PLATFORM_LIMITS)) {
    let at: JsonSchema | undefined = config;
    for (const step of limit.field.split('.')) {
      const key = step.replace(/\[\]$/, '');
      at = (at?.properties as Record<string, JsonSchema> | undefined)?.[key];
      if (step.endsWith('[]')) at = at?.items as JsonSchema | undefined;
    }
    t.ok(at, `${name}: ${limit.field}`);
    t.equal(at?.type, limit.unit === 'USD' ? 'string' : 'integer', `${name}: its unit`);
  }
});
