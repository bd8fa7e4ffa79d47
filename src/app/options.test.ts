import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadDefaultConfig, parseConfig } from '../config/load.js';
import { packageRoot } from '../util/package-root.js';
import { parseBindAddress, runOptions } from './options.js';

const config = loadDefaultConfig();

t.test('bind addresses', async (t) => {
  t.same(parseBindAddress(':8080', '--x'), { host: '0.0.0.0', port: 8080 });
  t.same(parseBindAddress('127.0.0.1:0', '--x'), { host: '127.0.0.1', port: 0 });
  t.throws(
    () => parseBindAddress('8080', '--metrics-bind-address'),
    /--metrics-bind-address: "8080" is not a bind address/,
  );
  t.throws(() => parseBindAddress(':99999', '--x'), /not a bind address/);
});

t.test('the config file gives the defaults; flags beat environment beats config', async (t) => {
  const fromConfig = runOptions(config, 'c.yaml', {}, { KUBECONFIG: '/k' });
  t.match(fromConfig, {
    local: false,
    kubeconfig: '/k',
    webhookPort: 9443,
    certDir: '/tmp/k8s-webhook-server/serving-certs',
    metrics: { port: 8080 },
    probes: { port: 8081 },
    api: { host: '0.0.0.0', port: 8443 },
    leaderElection: {
      namespace: 'orchestrator-system',
      name: 'orchestrator-leader',
      leaseDurationMs: 15000,
      renewDeadlineMs: 10000,
      retryPeriodMs: 2000,
    },
  });
  const env = runOptions(
    config,
    'c.yaml',
    {},
    { KUBECONFIG: '/k', POD_NAMESPACE: 'ops', POD_NAME: 'orchestrator-abc', LOG_LEVEL: 'debug' },
  );
  t.match(env, {
    leaderElection: { namespace: 'ops', identity: /^orchestrator-abc_[0-9a-f]+$/ },
    logLevel: 'debug',
  });
  const flags = runOptions(
    config,
    'c.yaml',
    { leaderElectionNamespace: 'flag-ns', webhookPort: '10443', leaderElect: false, logLevel: 'warn' },
    { KUBECONFIG: '/k', POD_NAMESPACE: 'ops', LOG_LEVEL: 'debug' },
  );
  t.match(flags, { webhookPort: 10443, leaderElection: false, logLevel: 'warn' });
  t.throws(
    () => runOptions(config, 'c.yaml', { webhookPort: 'https' }, {}),
    /--webhook-port: "https" is not a port number/,
  );
});

t.test(
  'with no cluster configured the local control plane is used, and certificates are generated',
  async (t) => {
    t.match(runOptions(config, 'c.yaml', {}, {}), { local: true, certDir: undefined });
    t.match(
      runOptions(config, 'c.yaml', {}, { KUBERNETES_SERVICE_HOST: '10.0.0.1' }),
      { local: false },
      'in a pod',
    );
    t.match(
      runOptions(config, 'c.yaml', { local: true }, { KUBECONFIG: '/k' }),
      { local: true },
      '--local wins',
    );
  },
);

t.test(
  'the templates directory: --templates-dir beats ORCHESTRATOR_TEMPLATES beats the package',
  async (t) => {
    t.equal(runOptions(config, 'c.yaml', {}, {}).templatesDir, undefined, 'the package templates/');
    t.equal(runOptions(config, 'c.yaml', {}, { ORCHESTRATOR_TEMPLATES: '/etc/t' }).templatesDir, '/etc/t');
    t.equal(
      runOptions(config, 'c.yaml', { templatesDir: '/flag' }, { ORCHESTRATOR_TEMPLATES: '/etc/t' })
        .templatesDir,
      '/flag',
    );
  },
);

t.test('the REST API address: the flag beats the config; "0" turns it off', async (t) => {
  t.same(runOptions(config, 'c.yaml', { apiBindAddress: '127.0.0.1:0' }, {}).api, {
    host: '127.0.0.1',
    port: 0,
  });
  t.equal(runOptions(config, 'c.yaml', { apiBindAddress: '0' }, {}).api, false);
  t.throws(() => runOptions(config, 'c.yaml', { apiBindAddress: '8443' }, {}), /--api-bind-address: "8443"/);
});

t.test('metrics are HTTPS unless plain HTTP is chosen: the flag beats the config', async (t) => {
  t.equal(runOptions(config, 'c.yaml', {}, {}).metricsSecure, true, 'secure by default');
  const plain = structuredClone(config);
  plain.metrics.secure = false;
  t.equal(runOptions(plain, 'c.yaml', {}, {}).metricsSecure, false, 'metrics.secure: false');
  t.equal(runOptions(plain, 'c.yaml', { metricsSecure: true }, {}).metricsSecure, true);
  t.equal(runOptions(config, 'c.yaml', { metricsSecure: false }, {}).metricsSecure, false);
});

t.test(
  "a seed deployment's variables: SERVER_PORT moves the REST API unless it would take another listener's port",
  async (t) => {
    const shipped = readFileSync(join(packageRoot(), 'config/manager/controller-config.yaml'), 'utf8');
    const withEnv = (env: Record<string, string>) => parseConfig(shipped, 'controller-config.yaml', env);
    const env = { KUBECONFIG: '/k', SERVER_PORT: '9000' };
    t.match(runOptions(withEnv(env), 'c.yaml', {}, env).api, { host: '0.0.0.0', port: 9000 });
    const seed = { KUBECONFIG: '/k', SERVER_PORT: '8080' };
    t.throws(
      () => runOptions(withEnv(seed), 'c.yaml', {}, seed),
      /the metrics \(--metrics-bind-address, metrics.bindAddress\) and the REST API \(--api-bind-address, SERVER_HOST, SERVER_PORT, api.bindAddress\) both listen on port 8080: give each its own port/,
    );
    t.throws(
      () => runOptions(withEnv(env), 'c.yaml', { apiBindAddress: ':8443' }, env),
      /--api-bind-address=:8443 and SERVER_PORT=9000 both set the REST API's address \(api.bindAddress\): give one of them/,
    );
    // Another host on one port is no clash; port 0 (any free port) never is.
    t.doesNotThrow(() =>
      runOptions(
        config,
        'c.yaml',
        { metricsBindAddress: '127.0.0.1:7000', healthProbeBindAddress: '127.0.0.2:7000' },
        { KUBECONFIG: '/k' },
      ),
    );
    t.doesNotThrow(() =>
      runOptions(
        config,
        'c.yaml',
        { metricsBindAddress: '127.0.0.1:0', healthProbeBindAddress: ':0', apiBindAddress: ':0' },
        { KUBECONFIG: '/k' },
      ),
    );
    t.throws(
      () => runOptions(config, 'c.yaml', { gatewayBindAddress: '127.0.0.1:9443' }, { KUBECONFIG: '/k' }),
      /the webhook \(--webhook-port, webhook.port\) and the model gateway .* both listen on port 9443/,
    );
  },
);
