import t from 'tap';
import { entryScriptEnv } from '../../scripts/generate-entry-env.js';
import { packageRoot } from '../util/package-root.js';
import {
  configEnvAllowed,
  ENTRY_SCRIPT_ENV,
  ENV_NAME,
  envNameProblem,
  isReservedEnv,
  RESERVED_ENV_PREFIX,
} from './agent-env.js';
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

t.test(
  "what routes the CLI's model calls is reserved for runs, and for the config once the gateway is on",
  async (t) => {
    const routing = [
      'ANTHROPIC_BASE_URL',
      'ANTHROPIC_AUTH_TOKEN',
      'ANTHROPIC_BEDROCK_BASE_URL',
      'ANTHROPIC_CUSTOM_HEADERS',
      'CLAUDE_CODE_USE_BEDROCK',
      'CLAUDE_CODE_USE_VERTEX',
      'HTTPS_PROXY',
      'https_proxy',
      'ALL_PROXY',
      'NO_PROXY',
    ];
    for (const name of routing) {
      t.ok(isReservedEnv(name), `${name} is reserved`);
      t.match(
        envNameProblem(name),
        /ANTHROPIC_\*.*CLAUDE_CODE_USE_\*/,
        `${name}'s refusal lists the reserved prefixes`,
      );
    }
    t.notOk(isReservedEnv('ANTHROPIC'), 'the prefix, not the word');
    t.notOk(isReservedEnv('CLAUDE_CODE_MAX_OUTPUT_TOKENS'));
    type Config = Parameters<typeof configEnvAllowed>[1];
    const off = { gateway: { enabled: false }, egress: { enabled: false } } as Config;
    const on = { gateway: { enabled: true }, egress: { enabled: false } } as Config;
    const egress = { gateway: { enabled: false }, egress: { enabled: true } } as Config;
    t.ok(
      configEnvAllowed('HTTPS_PROXY', off),
      "without egress the config may name the administrator's proxy",
    );
    t.notOk(configEnvAllowed('HTTPS_PROXY', egress), 'with egress the proxy variables are the operator’s');
    t.notOk(configEnvAllowed('no_proxy', egress));
    t.ok(configEnvAllowed('ANTHROPIC_BASE_URL', egress), 'egress leaves the model routing as it was');
    t.ok(
      configEnvAllowed('ANTHROPIC_BASE_URL', off),
      "without the gateway the config may name the administrator's own",
    );
    t.notOk(configEnvAllowed('ANTHROPIC_BASE_URL', on), 'with the gateway, not even the config');
    t.notOk(configEnvAllowed('ANTHROPIC_API_KEY', off), 'the key stays a secret reference');
    t.notOk(configEnvAllowed('ANTHROPIC_AUTH_TOKEN', off));
    t.notOk(configEnvAllowed('ORCHESTRATOR_X', off));
  },
);
