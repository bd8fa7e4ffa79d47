import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { packageRoot } from '../util/package-root.js';
import { ENTRY_SCRIPT_ENV, ENV_NAME, isReservedEnv, RESERVED_ENV_PREFIX } from './agent-env.js';
import { loadSchemas } from './schemas.js';

/** Every template and runtime shell file under dir, recursively. */
function templateFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? templateFiles(join(dir, e.name))
      : e.name.endsWith('.hbs') || e.name.endsWith('.sh')
        ? [join(dir, e.name)]
        : [],
  );
}

t.test('every variable the shipped templates assign is reserved', async (t) => {
  // `readonly X=`, `export X=`, `X=` at a line start, `readonly -a X=(`; locals are lower case.
  const assignment = /(?:^|\s|;)(?:(?:readonly|export|declare)(?:\s+-\w+)*\s+)?([A-Z_][A-Z0-9_]*)=/gm;
  const assigned = new Set<string>();
  for (const file of templateFiles(join(packageRoot(), 'templates')))
    for (const m of readFileSync(file, 'utf8').matchAll(assignment)) assigned.add(m[1] as string);
  t.ok(assigned.has('RUN_DIR') && assigned.has('CLAUDE_CONFIG_DIR'), 'the scan finds assignments');
  const missing = [...assigned].filter((name) => !isReservedEnv(name));
  t.same(missing, [], 'add them to ENTRY_SCRIPT_ENV (src/api/agent-env.ts)');
  const exported = [...assigned].filter((n) => n.startsWith(RESERVED_ENV_PREFIX));
  t.ok(exported.length > 0, 'the ORCHESTRATOR_ prefix is in use');
  t.same(
    ENTRY_SCRIPT_ENV.filter((name) => !assigned.has(name)),
    [],
    'and nothing is reserved that no template assigns',
  );
});

t.test("ENV_NAME is the schema's pattern for a variable name", async (t) => {
  const spec = loadSchemas().CodeRun.properties?.spec as {
    properties: { envFromSecrets: { items: { properties: { name: { pattern: string } } } } };
  };
  t.equal(spec.properties.envFromSecrets.items.properties.name.pattern, ENV_NAME.source);
});
