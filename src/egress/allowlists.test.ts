// The proxy variables of an agent pod: its profile's allowlist port, NO_PROXY for what it reaches
// directly, both cases of each name; none while egress is off.
import t from 'tap';
import { loadDefaultConfig } from '../config/load.js';
import { agentAllowlist, proxyEnv } from './allowlists.js';

const config = structuredClone(loadDefaultConfig());
config.egress.enabled = true;
config.egress.allowlists = {
  default: { port: 3128 },
  tests: {
    port: 3130,
    services: [
      { name: 'db', port: 5432 },
      { name: 'q', namespace: 'shared', port: 5672 },
    ],
  },
};
const tess = config.agents.tess;
if (tess) tess.egressAllowlist = 'tests';
config.gateway = {
  ...config.gateway,
  enabled: true,
  url: 'http://orchestrator-gateway.orchestrator-system.svc:8090',
};
const value = (env: { name: string; value: string }[], name: string) =>
  env.find((e) => e.name === name)?.value;

t.test('a profile’s allowlist, default when it names none, none while egress is off', async (t) => {
  t.equal(agentAllowlist(config, 'tess'), 'tests');
  t.equal(agentAllowlist(config, 'rex'), 'default');
  const off = structuredClone(config);
  off.egress.enabled = false;
  t.equal(agentAllowlist(off, 'tess'), undefined);
  t.same(proxyEnv(off, 'tess', 'team-a'), []);
});

t.test('the variables: the allowlist’s port of the proxy’s Service, in both cases', async (t) => {
  const env = proxyEnv(config, 'tess', 'team-a');
  t.same(
    env.map((e) => e.name),
    ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'],
  );
  t.equal(value(env, 'HTTPS_PROXY'), 'http://orchestrator-egress-proxy.orchestrator-system.svc:3130');
  t.equal(value(env, 'http_proxy'), value(env, 'HTTP_PROXY'));
  const noProxy = value(env, 'NO_PROXY')?.split(',') ?? [];
  for (const host of [
    'localhost',
    'orchestrator-gateway.orchestrator-system.svc',
    'db',
    'db.team-a.svc',
    'q.shared.svc',
  ])
    t.ok(noProxy.includes(host), host);
  t.notOk(noProxy.includes('q'), 'a Service of another namespace by its full name only');
  const rex = proxyEnv(
    { ...config, egress: { ...config.egress, proxy: { ...config.egress.proxy, host: '10.0.0.9' } } },
    'rex',
    'team-a',
  );
  t.equal(value(rex, 'HTTP_PROXY'), 'http://10.0.0.9:3128', 'the proxy’s host as configured');
});
