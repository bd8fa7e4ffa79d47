// The CLI table against what derives from it: the schema's cli enum, the shipped example config of
// codex and gemini profiles, the Job's model variables per CLI, and the config's refusals of what a
// CLI cannot do (no key of its own without the gateway, a turn limit it cannot stop at).
import { readFileSync } from 'node:fs';
import t from 'tap';
import YAML from 'yaml';
import { ConfigError, parseConfig } from '../config/load.js';
import { modelEnv } from '../controllers/agent/features/index.js';
import { AGENT_CLIS, agentCli } from './index.js';

const EXAMPLE = 'config/manager/examples/agent-clis.yaml';

t.test("the schema's cli values are the table's", async (t) => {
  const schema = YAML.parse(readFileSync('schemas/controller-config.schema.yaml', 'utf8'));
  t.same(schema.properties.agents.additionalProperties.properties.cli.enum, Object.keys(AGENT_CLIS));
  t.equal(agentCli(undefined).name, 'claude', 'a profile naming none runs Claude Code');
  t.throws(() => agentCli('aider'), /cli: "aider" is not an agent CLI/);
});

t.test(
  'the example config of codex and gemini profiles is valid, and each gets its own variables',
  async (t) => {
    const config = parseConfig(readFileSync(EXAMPLE, 'utf8'), EXAMPLE);
    t.equal(config.agents.codex?.cli, 'codex');
    t.equal(config.agents.gemini?.cli, 'gemini');
    const env = (cli: string) =>
      modelEnv(config, { method: 'app', app: 'acme-rex' }, agentCli(cli)).map((e) => [e.name, e.value]);
    const base = 'http://orchestrator-gateway.orchestrator-system.svc:8090';
    t.same(env('codex'), [
      ['ORCHESTRATOR_OPENAI_BASE_URL', `${base}/openai/v1`],
      ['ORCHESTRATOR_MODEL_TOKEN_URL', `${base}/orchestrator/v1/model-token`],
      [
        'ORCHESTRATOR_MODEL_TOKEN_CREDENTIAL_FILE',
        '/var/run/secrets/orchestrator/model-token-credential/token',
      ],
      ['ORCHESTRATOR_MODEL_TOKEN_VARIABLE', 'ORCHESTRATOR_MODEL_TOKEN'],
    ]);
    t.same(env('gemini'), [
      ['GOOGLE_GEMINI_BASE_URL', `${base}/gemini`],
      ['ORCHESTRATOR_MODEL_TOKEN_URL', `${base}/orchestrator/v1/model-token`],
      [
        'ORCHESTRATOR_MODEL_TOKEN_CREDENTIAL_FILE',
        '/var/run/secrets/orchestrator/model-token-credential/token',
      ],
      ['ORCHESTRATOR_MODEL_TOKEN_VARIABLE', 'GEMINI_API_KEY'],
    ]);
    t.same(env('claude'), [
      ['ANTHROPIC_BASE_URL', base],
      ['ORCHESTRATOR_MODEL_TOKEN_URL', `${base}/orchestrator/v1/model-token`],
      [
        'ORCHESTRATOR_MODEL_TOKEN_CREDENTIAL_FILE',
        '/var/run/secrets/orchestrator/model-token-credential/token',
      ],
      // No variable: Claude Code asks for its token itself (its settings' apiKeyHelper, decision 0094).
    ]);
  },
);

t.test('the config refuses a CLI without the gateway, and a turn limit codex cannot keep', async (t) => {
  const doc = YAML.parse(readFileSync(EXAMPLE, 'utf8'));
  const refusal = (mutate: (d: typeof doc) => void): string => {
    const copy = structuredClone(doc);
    mutate(copy);
    try {
      parseConfig(YAML.stringify(copy));
    } catch (err) {
      if (err instanceof ConfigError) return err.message;
      throw err;
    }
    return '';
  };
  t.match(
    refusal((d) => {
      d.gateway.enabled = false;
    }),
    /agents\.codex\.cli.*runs only through the model gateway/s,
  );
  t.match(
    refusal((d) => {
      d.agents.codex.limits.maxTurns = { default: 10 };
    }),
    /agents\.codex\.limits\.maxTurns.*cannot enforce maxTurns/,
  );
});
