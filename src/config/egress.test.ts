// The egress section: the shipped allowlist, the schema's refusals and the cross-field rules
// (egress.ts), each naming the key and the rule.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import YAML from 'yaml';
import { packageRoot } from '../util/package-root.js';
import { configFrom, loadDefaultConfig } from './load.js';

const base = loadDefaultConfig();
const load = (change: Record<string, unknown>) => () => configFrom({ ...base, ...change });
// With the gateway off (not the shipped setting), as job.env may set routing variables only then.
const withEnv = (name: string, egress: object) =>
  load({
    job: { env: { [name]: 'http://elsewhere:3128' } },
    egress,
    gateway: { ...base.gateway, enabled: false },
  });

t.test(
  "the shipped allowlist: GitHub and npm's registry on 443, the agent image's needs only; on",
  async (t) => {
    t.equal(base.egress.enabled, true);
    const hosts = base.egress.allowlists.default?.hosts?.map((h) => h.host) ?? [];
    // The agent image (images/agent) carries git, gh and Node's npm: their hosts, and no other toolchain's.
    t.same(hosts, [
      'github.com',
      'api.github.com',
      'codeload.github.com',
      '*.githubusercontent.com',
      'registry.npmjs.org',
    ]);
    t.same(base.egress.allowlists.default?.hosts?.[0]?.ports, [443], 'ports default to 443');
    t.equal(base.egress.proxy.namespace, 'orchestrator-system');
  },
);

t.test('hosts: lowercase names or *. and a domain, never an address or a pattern', async (t) => {
  const allow = (host: string) =>
    load({ egress: { allowlists: { default: { port: 3128, hosts: [{ host }] } } } });
  t.doesNotThrow(allow('*.example.com'));
  for (const host of ['10.0.0.1x/8', 'Example.com', 'a.*.example.com', '*', 'exa mple.com', 'https://x.com'])
    t.throws(allow(host), /egress\.allowlists\.default\.hosts\[0\]\.host/, host);
  t.throws(
    load({ egress: { allowlists: { default: { port: 80 } } } }),
    /egress\.allowlists\.default\.port/,
    'a port Squid, not root, may bind',
  );
});

t.test('each allowlist has a port of its own; each profile names one that exists', async (t) => {
  t.throws(
    load({ egress: { allowlists: { default: { port: 3128 }, wide: { port: 3128 } } } }),
    /egress\.allowlists\.wide\.port: Duplicate value: 3128: allowlist default has this port/,
  );
  const agents = { ...base.agents, rex: { ...base.agents.rex, egressAllowlist: 'wide' } };
  t.throws(
    load({ agents }),
    /agents\.rex\.egressAllowlist: Invalid value: "wide": agent rex goes out by allowlist wide, which is not one of egress\.allowlists \(default\)/,
  );
  t.doesNotThrow(load({ agents, egress: { allowlists: { default: { port: 3128 }, wide: { port: 3129 } } } }));
  t.throws(
    load({ egress: { allowlists: { wide: { port: 3129 } } } }),
    /egress\.allowlists: Invalid value: "default": agent \w+ goes out by allowlist default/,
    'a profile naming none goes out by default',
  );
  const db = { name: 'db', port: 5432 };
  t.throws(
    load({ egress: { allowlists: { default: { port: 3128, services: [db, db] } } } }),
    /egress\.allowlists\.default\.services\[1\]: Duplicate value: db port 5432/,
  );
});

t.test('job.env: the proxy variables are the operator’s while egress is on', async (t) => {
  t.doesNotThrow(withEnv('HTTPS_PROXY', { enabled: false }), 'off: an administrator’s own proxy');
  for (const name of ['HTTPS_PROXY', 'http_proxy', 'NO_PROXY'])
    t.throws(
      withEnv(name, { enabled: true }),
      new RegExp(`job\\.env\\["${name}"\\]: Invalid value: reserved`),
    );
});

t.test("docs/agent-pods.md's egress example loads, with the profile naming its allowlist", async (t) => {
  const doc = readFileSync(join(packageRoot(), 'docs', 'agent-pods.md'), 'utf8');
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((m) => YAML.parse(m[1] ?? '') as Record<string, unknown>)
    .filter((b) => b.egress);
  t.equal(blocks.length, 1);
  const tess = { ...base.agents.tess, egressAllowlist: 'testing' };
  const loaded = configFrom({ ...base, agents: { ...base.agents, tess }, egress: blocks[0]?.egress });
  t.same(Object.keys(loaded.egress.allowlists), ['default', 'testing']);
  t.same(loaded.egress.allowlists.testing?.hosts?.[0], { host: 'github.com', ports: [443] });
});

t.test('the proxy’s address ranges: none by default; each entry an address or CIDR', async (t) => {
  t.same(base.egress.refusedRanges, [], 'only the ranges the proxy always refuses');
  t.same(base.egress.allowedPrivateRanges, [], 'no private address allowed');
  const ranges = (egress: object) => load({ egress: { ...base.egress, ...egress } });
  t.doesNotThrow(ranges({ refusedRanges: ['34.118.224.0/20', '2600:1900::/44'] }));
  t.doesNotThrow(ranges({ allowedPrivateRanges: ['10.0.3.7', '10.0.4.0/24'] }));
  t.throws(
    ranges({ allowedPrivateRanges: ['10.0.0.0/8', '10.0.0.0/33'] }),
    /egress\.allowedPrivateRanges\[1\]: Invalid value: "10\.0\.0\.0\/33" is not an address range/,
  );
  t.throws(ranges({ refusedRanges: ['git.internal'] }), /egress\.refusedRanges\[0\]/);
});
