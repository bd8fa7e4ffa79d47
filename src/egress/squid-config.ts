// The egress proxy's squid.conf, rendered from the controller config's egress.allowlists
// (docs/agent-pods.md "Egress"): one http_port per allowlist, named after it, and for each allowed host
// a rule that matches that port's name (myportname), the host (dstdomain, never resolved backwards:
// a request naming an address matches no name) and its ports, after the rules on where a name may
// resolve to (refused-ranges.ts). Everything else is refused with 403, and
// each request is logged in a format of our own (access-log.ts: TCP_DENIED/403 names a refused host).
// The port is the caller's identity: each pod's NetworkPolicy lets it reach its allowlist's port only.
import type { ControllerConfig } from '../api/index.js';
import { ACCESS_LOG_FORMAT, ACCESS_LOG_FORMAT_LINE } from './access-log.js';
import type { Allowlist } from './allowlists.js';
import { NEVER_RANGES, PRIVATE_RANGES } from './refused-ranges.js';

/** Where the access log is written (an emptyDir the proxy's Deployment mounts). */
export const ACCESS_LOG = '/var/log/squid/access.log';

/** `*.example.com` in the config is Squid's `.example.com`: the domain and every name under it. */
const squidDomain = (host: string): string => (host.startsWith('*.') ? host.slice(1) : host);

/** The allowlists in name order, so the same config renders the same bytes (the pods' rollout hash). */
const sorted = (config: ControllerConfig): [string, Allowlist][] =>
  Object.entries(config.egress.allowlists).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function allowlistRules(name: string, allowlist: Allowlist): string[] {
  const port = `port_${name}`;
  const lines = [`http_port ${allowlist.port} name=${name}`, `acl ${port} myportname ${name}`];
  (allowlist.hosts ?? []).forEach((entry, i) => {
    lines.push(
      `acl ${name}_host${i} dstdomain -n ${squidDomain(entry.host)}`,
      `acl ${name}_ports${i} port ${(entry.ports ?? [443]).join(' ')}`,
      `http_access allow ${port} ${name}_host${i} ${name}_ports${i}`,
    );
  });
  return lines;
}

/**
 * Checked before any allowlist, on the addresses the requested name resolves to (a `dst` ACL matches
 * when any of them is in its ranges, and Squid connects to the addresses it checked): the cache
 * manager; the proxy's own host, link-local, multicast and reserved addresses always; private ones
 * unless egress.allowedPrivateRanges names the address.
 */
function destinationRules({ egress }: ControllerConfig): string[] {
  const ranges = (name: string, cidrs: readonly string[]) => `acl ${name} dst ${cidrs.join(' ')}`;
  const exempt = egress.allowedPrivateRanges.length > 0 ? ' !allowed_private' : '';
  const refused = egress.refusedRanges.length > 0;
  return [
    'acl to_linklocal dst 169.254.0.0/16 fe80::/10',
    ranges('to_never', NEVER_RANGES),
    ranges('to_private', PRIVATE_RANGES),
    ...(refused ? [ranges('to_refused', egress.refusedRanges)] : []),
    ...(exempt ? [ranges('allowed_private', egress.allowedPrivateRanges)] : []),
    'http_access deny manager',
    'http_access deny to_localhost',
    'http_access deny to_linklocal',
    'http_access deny to_never',
    `http_access deny to_private${exempt}`,
    ...(refused ? [`http_access deny to_refused${exempt}`] : []),
  ];
}

export function squidConfig(config: ControllerConfig): string {
  const allowlists = sorted(config);
  return [
    '# Rendered from the controller config egress.allowlists (src/egress/squid-config.ts): do not edit.',
    ...destinationRules(config),
    ...allowlists.flatMap(([name, allowlist]) => allowlistRules(name, allowlist)),
    'http_access deny all',
    // A forward proxy that keeps nothing, tells the hosts nothing about the pods, runs as its user.
    'cache deny all',
    // The default, said here because the rules rely on it: a positive DNS answer is kept at least this
    // long, so the addresses Squid connects to are those its dst rules checked, not a rebound answer.
    'negative_dns_ttl 1 minute',
    'forwarded_for delete',
    'httpd_suppress_version_string on',
    // A file, not /dev/stdout: a process that is not root may not reopen the runtime's stdout pipe.
    // The Deployment's access-log container prints it; Squid's own messages go to stderr (-d 1).
    // The operator reads its refusals from there (src/egress/access-log.ts).
    ACCESS_LOG_FORMAT_LINE,
    `access_log stdio:${ACCESS_LOG} ${ACCESS_LOG_FORMAT}`,
    'cache_log /dev/null',
    'logfile_rotate 0',
    'pid_filename none',
    'coredump_dir /tmp',
    'shutdown_lifetime 5 seconds',
    '',
  ].join('\n');
}
