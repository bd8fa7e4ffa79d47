// With the model gateway, the agent container asks for its attempt's token as it starts (issue #73
// G6: the token was a value of the Job's spec): the entry script POSTs its projected ServiceAccount
// token to ORCHESTRATOR_MODEL_TOKEN_URL and gives the answer to the agent CLI's process alone, in the
// variable the CLI reads. The stand-in operator is the broker harness's process (its route answers any
// path of the test's with the token it is given, for the credential file it wrote).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { loadDefaultConfig } from '../../src/config/load.js';
import { loadTemplateSet, renderTaskRun } from '../../src/render/index.js';
import { sampleTaskRun } from '../../src/render/samples.js';
import { entryFixture as fixture } from '../../test/harness/agent/entry-script.js';
import { phaseTokenBroker } from '../../test/harness/agent/phase-token-broker.js';
import { waitFor } from '../../test/harness/util/wait.js';

const config = loadDefaultConfig();
const set = loadTemplateSet();
const rex = { agent: 'rex', preset: 'default' as const, continuing: false };
const TOKEN = 'orcgw1.the-attempts-token.signature';

function onLocalRepo(t: Test) {
  const f = fixture(t);
  const url = f.origin(path.join(f.root, 'payments.git'), 'main', { 'README.md': 'hello\n' });
  const spec = sampleTaskRun(rex);
  spec.spec.repository = { url, branch: 'main' };
  return { f, rendered: renderTaskRun(set, spec, config, 1, f.options) };
}

t.test(
  'the agent CLI gets the token the operator handed its container, in its own environment',
  async (t) => {
    const { f, rendered } = onLocalRepo(t);
    const broker = await phaseTokenBroker(t, f.root, { read: TOKEN });
    const r = f.run(rendered, {
      ORCHESTRATOR_MODEL_TOKEN_URL: broker.env.GITHUB_APP_TOKEN_URL as string,
      ORCHESTRATOR_MODEL_TOKEN_CREDENTIAL_FILE: broker.env.GITHUB_APP_TOKEN_CREDENTIAL_FILE as string,
      ORCHESTRATOR_MODEL_TOKEN_VARIABLE: 'ANTHROPIC_AUTH_TOKEN',
    });
    t.equal(r.status, 0, r.log);
    t.match(r.agentEnv, `ANTHROPIC_AUTH_TOKEN=${TOKEN}\n`, 'the CLI reads it from its environment');
    await waitFor('the stand-in to log the request', () => broker.asked().length >= 1);
    t.same(broker.asked(), [{ phase: 'read', status: 200 }], 'asked once, with the projected token');
    t.notOk(r.log.includes(TOKEN), 'no log line holds it');
    t.same(
      readdirSync(f.root).filter((n) => n.startsWith('orchestrator-model-token')),
      [],
      'its file is gone once the CLI has it',
    );
  },
);

t.test(
  'asked before the kubelet reports the container running: the operator says 409, and it is asked again',
  async (t) => {
    const { f, rendered } = onLocalRepo(t);
    const broker = await phaseTokenBroker(t, f.root, { read: TOKEN }, 3);
    const r = f.run(rendered, {
      ORCHESTRATOR_MODEL_TOKEN_URL: broker.env.GITHUB_APP_TOKEN_URL as string,
      ORCHESTRATOR_MODEL_TOKEN_CREDENTIAL_FILE: broker.env.GITHUB_APP_TOKEN_CREDENTIAL_FILE as string,
      ORCHESTRATOR_MODEL_TOKEN_VARIABLE: 'ANTHROPIC_AUTH_TOKEN',
    });
    t.equal(r.status, 0, r.log);
    t.match(r.agentEnv, `ANTHROPIC_AUTH_TOKEN=${TOKEN}\n`);
    await waitFor('the stand-in to log the requests', () => broker.asked().length >= 4);
    t.same(
      broker.asked().map((a) => a.status),
      [409, 409, 409, 200],
      'three times "not yet", then the token',
    );
  },
);

t.test('refused by the operator: the agent phase fails saying so, and the CLI never runs', async (t) => {
  const { f, rendered } = onLocalRepo(t);
  const broker = await phaseTokenBroker(t, f.root, {});
  const r = f.run(rendered, {
    ORCHESTRATOR_MODEL_TOKEN_URL: broker.env.GITHUB_APP_TOKEN_URL as string,
    ORCHESTRATOR_MODEL_TOKEN_CREDENTIAL_FILE: broker.env.GITHUB_APP_TOKEN_CREDENTIAL_FILE as string,
    ORCHESTRATOR_MODEL_TOKEN_VARIABLE: 'ANTHROPIC_AUTH_TOKEN',
  });
  t.equal(r.status, 1, r.log);
  t.match(r.log, /the model gateway: the operator gave this phase no token \(.* answered 403/);
  t.same(r.argv, [], 'the CLI did not run');
});
