import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadDefaultConfig } from '../config/load.js';
import { localModelKeySource, modelKeySecret, readModelKey } from './local-model-key.js';
import { protectionLines } from './local-protections.js';
import { runOptions } from './options.js';

const dir = mkdtempSync(join(tmpdir(), 'local-model-key-'));
const file = join(dir, 'key');
writeFileSync(file, 'sk-ant-from-file\n');

t.test('the key comes from the file variable, else ANTHROPIC_API_KEY, else nowhere', async (t) => {
  const env = { ORCHESTRATOR_MODEL_API_KEY_FILE: file, ANTHROPIC_API_KEY: 'sk-ant-env' };
  t.same(localModelKeySource(env), { file });
  t.equal(readModelKey({ file }), 'sk-ant-from-file', 'trimmed');
  t.same(localModelKeySource({ ANTHROPIC_API_KEY: 'sk-ant-env' }), { env: 'ANTHROPIC_API_KEY' });
  t.equal(readModelKey({ env: 'ANTHROPIC_API_KEY' }, { ANTHROPIC_API_KEY: 'sk-ant-env' }), 'sk-ant-env');
  t.equal(localModelKeySource({}), undefined);
});

t.test('an unreadable or empty key is an error naming its variable', async (t) => {
  t.throws(() => readModelKey({ file: join(dir, 'absent') }), /ORCHESTRATOR_MODEL_API_KEY_FILE: cannot read/);
  writeFileSync(join(dir, 'empty'), '\n');
  t.throws(
    () => readModelKey({ file: join(dir, 'empty') }),
    /ORCHESTRATOR_MODEL_API_KEY_FILE: the model key is empty/,
  );
  t.throws(() => readModelKey({ env: 'ANTHROPIC_API_KEY' }, {}), /ANTHROPIC_API_KEY: the model key is empty/);
});

t.test('run options name the source in local mode only, never the key', async (t) => {
  const config = loadDefaultConfig();
  const env = { ANTHROPIC_API_KEY: 'sk-ant-env' };
  const local = runOptions(config, 'c.yaml', {}, env);
  t.same(local.localModelKey, { env: 'ANTHROPIC_API_KEY' });
  t.notMatch(JSON.stringify(local.localModelKey), 'sk-ant-env', 'the source, not the key');
  t.equal(runOptions(config, 'c.yaml', {}, { ...env, KUBECONFIG: '/k' }).localModelKey, undefined);
});

t.test("the Secret is the one gateway.upstream.apiKey names, in the operator's namespace", async (t) => {
  const secret = modelKeySecret(loadDefaultConfig(), 'orchestrator-system', 'sk-ant-x');
  t.match(secret, {
    kind: 'Secret',
    metadata: { name: 'orchestrator-model-api-key', namespace: 'orchestrator-system' },
    stringData: { 'api-key': 'sk-ant-x' },
  });
});

t.test('the banner says how to give a key when none was, and where each protection is', async (t) => {
  const config = loadDefaultConfig();
  const none = protectionLines(config, 8090).join('\n');
  t.match(none, 'The model gateway is on http://127.0.0.1:8090, forwarding to https://api.anthropic.com');
  t.match(none, "a real CLI's run needs one");
  t.match(
    none,
    'kubectl -n orchestrator-system create secret generic orchestrator-model-api-key --from-file=api-key=FILE',
  );
  t.match(
    none,
    'Egress by allowlist: agents go out only through the proxy orchestrator-system/orchestrator-egress-proxy',
  );
  const given = protectionLines(config, 8090, { env: 'ANTHROPIC_API_KEY' }).join('\n');
  t.match(
    given,
    'with the key of Secret orchestrator-system/orchestrator-model-api-key (from $ANTHROPIC_API_KEY)',
  );
  t.notMatch(given, 'needs one');
  const off = {
    ...config,
    gateway: { ...config.gateway, enabled: false },
    egress: { ...config.egress, enabled: false },
  };
  t.same(protectionLines(off, 8090), [], 'nothing to say with both off');
});
