import t from 'tap';
import { entryScriptEnv } from '../../scripts/generate-entry-env.js';
import { packageRoot } from '../util/package-root.js';
import { ENTRY_SCRIPT_ENV, ENV_NAME, isReservedEnv, RESERVED_ENV_PREFIX } from './agent-env.js';
import { loadSchemas } from './schemas.js';

t.test('every variable the shipped templates assign is reserved', async (t) => {
  // The scan npm run generate makes src/api/generated/entry-script-env.ts from, run on today's tree.
  const assigned = entryScriptEnv(packageRoot());
  for (const name of ['RUN_DIR', 'CLAUDE_CONFIG_DIR', 'GITHUB_APP_REPOSITORIES', 'RESULT_PROTOCOL', 'IFS'])
    t.ok(assigned.includes(name), `the scan finds ${name}`);
  t.same(
    assigned.filter((name) => !isReservedEnv(name)),
    [],
    'each is reserved (run npm run generate if not)',
  );
  t.ok(
    assigned.some((n) => n.startsWith(RESERVED_ENV_PREFIX)),
    'the ORCHESTRATOR_ prefix is in use',
  );
  t.same(
    ENTRY_SCRIPT_ENV.filter((name) => !assigned.includes(name)),
    [],
    'and nothing is reserved that no template assigns',
  );
  t.ok(isReservedEnv('ORCHESTRATOR_GITHUB_REPOSITORIES'), 'names under the prefix by the prefix');
  t.notOk(isReservedEnv('MY_SETTING'), "a name no script assigns is the run's");
});

t.test("ENV_NAME is the schema's pattern for a variable name", async (t) => {
  const spec = loadSchemas().CodeRun.properties?.spec as {
    properties: { envFromSecrets: { items: { properties: { name: { pattern: string } } } } };
  };
  t.equal(spec.properties.envFromSecrets.items.properties.name.pattern, ENV_NAME.source);
});
