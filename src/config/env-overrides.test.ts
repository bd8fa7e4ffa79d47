// The seeds' environment variables (003 "Configuration") as overrides of the controller config file:
// one test per variable, then the precedence and the refusals that name the variable.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { parse, stringify } from 'yaml';
import { runOptions } from '../app/options.js';
import { packageRoot } from '../util/package-root.js';
import { ENV_OVERRIDES } from './env-overrides.js';
import { ConfigError, defaultConfigFile, parseConfig } from './load.js';
import { watchConfigFile } from './watch.js';

const text = readFileSync(defaultConfigFile(), 'utf8');
const shipped = parseConfig(text);
const withEnv = (env: Record<string, string>, source = text) => parseConfig(source, 'config', env);
const agents = Object.keys(shipped.agents);
/** The shipped file with some top-level fields replaced. */
const edited = (fields: Record<string, unknown>) => stringify({ ...parse(text), ...fields });

/** Every agent's value at `pick` for each priority. */
const everyResource = (
  config: ReturnType<typeof parseConfig>,
  pick: (r: Record<string, unknown>) => unknown,
) =>
  agents.flatMap((a) =>
    (['high', 'standard', 'low'] as const).map((p) =>
      pick((config.agents[a]?.resources?.[p] ?? {}) as Record<string, unknown>),
    ),
  );

t.test('SERVER_HOST sets the host of api.bindAddress, keeping its port', async (t) => {
  t.equal(shipped.api.bindAddress, ':8443');
  t.equal(withEnv({ SERVER_HOST: '0.0.0.0' }).api.bindAddress, '0.0.0.0:8443');
});

t.test('SERVER_PORT sets the port of api.bindAddress, keeping its host', async (t) => {
  t.equal(withEnv({ SERVER_PORT: '8080' }).api.bindAddress, ':8080');
  t.equal(withEnv({ SERVER_HOST: '127.0.0.1', SERVER_PORT: '8080' }).api.bindAddress, '127.0.0.1:8080');
});

t.test('KUBERNETES_NAMESPACE sets watchNamespace', async (t) => {
  t.equal(shipped.watchNamespace, undefined);
  t.equal(withEnv({ KUBERNETES_NAMESPACE: 'claude-jobs' }).watchNamespace, 'claude-jobs');
});

t.test("JOB_IMAGE sets every agent profile's image", async (t) => {
  const config = withEnv({ JOB_IMAGE: 'registry.example/claude-code:1.2.3' });
  t.same(
    agents.map((a) => config.agents[a]?.image),
    agents.map(() => 'registry.example/claude-code:1.2.3'),
  );
});

t.test('JOB_TTL_SECONDS sets job.ttlSecondsAfterFinished', async (t) => {
  t.equal(withEnv({ JOB_TTL_SECONDS: '1800' }).job.ttlSecondsAfterFinished, 1800);
  t.equal(withEnv({ JOB_TTL_SECONDS: '0' }).job.ttlSecondsAfterFinished, 0);
});

for (const [name, kind, resource, value] of [
  ['JOB_MEMORY_REQUEST', 'requests', 'memory', '3Gi'],
  ['JOB_MEMORY_LIMIT', 'limits', 'memory', '6Gi'],
  ['JOB_CPU_REQUEST', 'requests', 'cpu', '1500m'],
  ['JOB_CPU_LIMIT', 'limits', 'cpu', '3'],
] as const) {
  t.test(`${name} sets ${kind}.${resource} of every agent for every priority`, async (t) => {
    const config = withEnv({ [name]: value });
    const values = everyResource(config, (r) => (r[kind] as Record<string, string> | undefined)?.[resource]);
    t.same(
      values,
      values.map(() => value),
    );
    const other = kind === 'requests' ? 'limits' : 'requests';
    t.same(
      everyResource(config, (r) => r[other]),
      everyResource(shipped, (r) => r[other]),
      `${other} unchanged`,
    );
  });
}

t.test('every variable is covered above and documented with its field', async (t) => {
  t.same(Object.keys(ENV_OVERRIDES).sort(), [
    'JOB_CPU_LIMIT',
    'JOB_CPU_REQUEST',
    'JOB_IMAGE',
    'JOB_MEMORY_LIMIT',
    'JOB_MEMORY_REQUEST',
    'JOB_TTL_SECONDS',
    'KUBERNETES_NAMESPACE',
    'SERVER_HOST',
    'SERVER_PORT',
  ]);
  const docs = readFileSync(path.join(packageRoot(), 'docs/seed-compatibility.md'), 'utf8');
  for (const [name, o] of Object.entries(ENV_OVERRIDES))
    t.ok(
      docs.includes(`| \`${name}\` | \`${o.field}\` |`),
      `docs/seed-compatibility.md maps ${name} to ${o.field}`,
    );
});

t.test(
  'a bad value is refused naming the variable and the rule; unset or empty changes nothing',
  async (t) => {
    for (const [name, value, rule] of [
      ['SERVER_PORT', '70000', /SERVER_PORT: Invalid value: "70000": must be a port, 1 to 65535/],
      ['JOB_TTL_SECONDS', '-1', /JOB_TTL_SECONDS: Invalid value: "-1": must be a whole number/],
      ['JOB_MEMORY_LIMIT', 'lots', /JOB_MEMORY_LIMIT: Invalid value: "lots": must be a Kubernetes quantity/],
      ['KUBERNETES_NAMESPACE', 'Claude_Jobs', /KUBERNETES_NAMESPACE: Invalid value: .*DNS-1123 label/],
      ['JOB_IMAGE', 'a b', /JOB_IMAGE: Invalid value: "a b": must be an image reference/],
    ] as const) {
      const err = t.throws(() => withEnv({ [name]: value })) as ConfigError;
      t.ok(err instanceof ConfigError, name);
      t.match(err.message, rule);
    }
    t.same(withEnv({ SERVER_PORT: '' }), shipped);
    const scoped = edited({ watchNamespaces: ['a', 'b'] });
    t.throws(
      () => withEnv({ KUBERNETES_NAMESPACE: 'c' }, scoped),
      /KUBERNETES_NAMESPACE: Forbidden: .*watchNamespaces/,
    );
    const off = edited({ api: { bindAddress: '0' } });
    t.throws(
      () => withEnv({ SERVER_PORT: '8080' }, off),
      /SERVER_PORT: Required value: .*set SERVER_HOST and SERVER_PORT together/,
    );
    t.equal(withEnv({ SERVER_HOST: '0.0.0.0', SERVER_PORT: '8080' }, off).api.bindAddress, '0.0.0.0:8080');
  },
);

t.test(
  'precedence: the variable, then the file, then the default; a flag beside its variable is refused',
  async (t) => {
    const env = { SERVER_PORT: '9000' };
    const config = withEnv(env);
    t.match(runOptions(config, 'c.yaml', {}, env).api, { port: 9000 }, 'the variable over the file');
    t.throws(
      () => runOptions(config, 'c.yaml', { apiBindAddress: ':7443' }, env),
      /--api-bind-address=:7443 and SERVER_PORT=9000 both set the REST API's address/,
      'neither a flag nor its variable wins silently',
    );
    const file = edited({ job: { ttlSecondsAfterFinished: 600 } });
    t.equal(parseConfig(file).job.ttlSecondsAfterFinished, 600, 'the file over the default');
    t.equal(
      withEnv({ JOB_TTL_SECONDS: '60' }, file).job.ttlSecondsAfterFinished,
      60,
      'the variable over the file',
    );
  },
);

t.test('a hot reload applies the variables again: an edited file does not undo them', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'env-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'config.yaml');
  writeFileSync(file, text);
  const source = watchConfigFile(file, { env: { JOB_TTL_SECONDS: '60' }, pollMs: 50 });
  t.teardown(() => source.close());
  t.equal(source.current().job.ttlSecondsAfterFinished, 60);
  writeFileSync(file, edited({ job: { ttlSecondsAfterFinished: 600 }, retries: { maxRetries: 5 } }));
  const { waitFor } = await import('../../test/harness/util/wait.js');
  await waitFor('the edited file loaded', () => source.current().retries.maxRetries === 5);
  t.equal(source.current().job.ttlSecondsAfterFinished, 60, 'still the variable');
});
