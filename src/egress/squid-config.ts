// The egress proxy's squid.conf, rendered from the controller config's egress.allowlists
// (docs/agent-pods.md "Egress"): one http_port per allowlist, named after it, and for each allowed host
// a rule that matches that port's name (myportname), the host (dstdomain, never resolved backwards:
// a request naming an address matches no name) and its ports. Everything else is refused with 403, and
// each request is logged in a format of our own (access-log.ts: TCP_DENIED/403 names a refused host).
// The port is the caller's identity: each pod's NetworkPolicy lets it reach its allowlist's port only.
import type { ControllerConfig } from '../api/index.js';
import { ACCESS_LOG_FORMAT, ACCESS_LOG_FORMAT_LINE } from './access-log.js';
import type { Allowlist } from './allowlists.js';

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

export function squidConfig(config: ControllerConfig): string {
  const allowlists = sorted(config);
  return [
    '# Rendered from the controller config egress.allowlists (src/egress/squid-config.ts): do not edit.',
    // Checked before any allowlist: the cache manager, and names that resolve to the proxy's own host
    // or the link-local range (the cloud metadata service), whatever an allowlist says.
    'acl to_linklocal dst 169.254.0.0/16 fe80::/10',
    'http_access deny manager',
    'http_access deny to_localhost',
    'http_access deny to_linklocal',
    ...allowlists.flatMap(([name, allowlist]) => allowlistRules(name, allowlist)),
    'http_access deny all',
    // A forward proxy that keeps nothing, tells the hosts nothing about the pods, runs as its user.
    'cache deny all',
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
