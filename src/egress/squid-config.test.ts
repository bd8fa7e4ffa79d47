// squid.conf from the allowlists: a port per allowlist, rules that need that port, the host and its
// ports, and a refusal of everything else.
import t from 'tap';
import { loadDefaultConfig } from '../config/load.js';
import { squidConfig } from './squid-config.js';

const config = structuredClone(loadDefaultConfig());
config.egress.allowlists = {
  wide: { port: 3129, hosts: [{ host: '*.example.com', ports: [443, 8443] }] },
  default: { port: 3128, hosts: [{ host: 'github.com', ports: [443] }] },
};
const conf = squidConfig(config);
const lines = conf.split('\n');

t.test('one named port per allowlist; each host allowed through its allowlist’s port only', async (t) => {
  t.ok(lines.includes('http_port 3128 name=default'));
  t.ok(lines.includes('http_port 3129 name=wide'));
  t.ok(lines.includes('acl port_default myportname default'));
  t.ok(lines.includes('acl default_host0 dstdomain -n github.com'), 'a name, never resolved backwards');
  t.ok(lines.includes('acl wide_host0 dstdomain -n .example.com'), '*. is the domain and its names');
  t.ok(lines.includes('acl wide_ports0 port 443 8443'));
  t.ok(lines.includes('http_access allow port_default default_host0 default_ports0'));
  t.ok(lines.includes('http_access allow port_wide wide_host0 wide_ports0'));
  t.ok(lines.indexOf('http_port 3128 name=default') < lines.indexOf('http_port 3129 name=wide'), 'by name');
});

t.test('refusals: the cache manager and refused destinations first; anything else last', async (t) => {
  const firstAllow = lines.findIndex((l) => l.startsWith('http_access allow'));
  for (const deny of [
    'http_access deny manager',
    'http_access deny to_localhost',
    'http_access deny to_linklocal',
    'http_access deny to_never',
    'http_access deny to_private',
  ])
    t.ok(lines.indexOf(deny) >= 0 && lines.indexOf(deny) < firstAllow, deny);
  const accessLines = lines.filter((l) => l.startsWith('http_access'));
  t.equal(accessLines.at(-1), 'http_access deny all');
  t.ok(lines.includes('cache deny all'), 'nothing kept');
  t.ok(lines.includes('access_log stdio:/var/log/squid/access.log orchestrator'), 'each request logged');
  t.ok(
    lines.findIndex((l) => l.startsWith('logformat orchestrator ')) <
      lines.indexOf('access_log stdio:/var/log/squid/access.log orchestrator'),
    'in the format the operator reads, declared first',
  );
});

t.test('an allowlist without hosts refuses everything through its port', async (t) => {
  const c = structuredClone(config);
  c.egress.allowlists = { default: { port: 3128 } };
  const out = squidConfig(c);
  t.notMatch(out, /http_access allow/);
  t.match(out, /http_port 3128 name=default/);
});

t.test(
  'destinations: private ranges refused unless allowed by address; more ranges refused on request',
  async (t) => {
    t.ok(
      lines.some((l) => /^acl to_private dst 10\.0\.0\.0\/8 .*fc00::\/7/.test(l)),
      'RFC 1918 and 4193',
    );
    t.notOk(
      lines.some((l) => l.startsWith('acl to_refused') || l.includes('allowed_private')),
      'none by default',
    );
    const c = structuredClone(config);
    c.egress.refusedRanges = ['34.118.224.0/20'];
    c.egress.allowedPrivateRanges = ['10.0.3.7', 'fd00::7/128'];
    const out = squidConfig(c).split('\n');
    t.ok(out.includes('acl to_refused dst 34.118.224.0/20'));
    t.ok(out.includes('acl allowed_private dst 10.0.3.7 fd00::7/128'));
    const firstAllow = out.findIndex((l) => l.startsWith('http_access allow'));
    for (const deny of [
      'http_access deny to_private !allowed_private',
      'http_access deny to_refused !allowed_private',
    ])
      t.ok(out.indexOf(deny) >= 0 && out.indexOf(deny) < firstAllow, deny);
    t.ok(
      out.indexOf('http_access deny to_never') < out.indexOf('http_access deny to_private !allowed_private'),
      'never exempt',
    );
    t.ok(
      out.includes('negative_dns_ttl 1 minute'),
      'answers kept long enough that the checked address is the one used',
    );
  },
);
