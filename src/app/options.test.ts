import t from 'tap';
import { loadDefaultConfig } from '../config/load.js';
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
