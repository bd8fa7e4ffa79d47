// The egress proxy's access log as the operator reads it (docs/agent-pods.md "Egress"): a format of our
// own (squid-config.ts writes it into squid.conf) whose fields are Squid's, in a fixed order, the ones
// a request's sender chooses last and encoded, so a line parses into the same fields whatever the
// agent put in its request. Only refusals are read: TCP_DENIED with 403.
import { isIP } from 'node:net';

/** The name of the format in squid.conf. */
export const ACCESS_LOG_FORMAT = 'orchestrator';

/**
 * time (s.ms), the client's address (the pod's: the kernel's, not anything the agent sends), the
 * proxy's port it reached (its allowlist), status, method, the requested host (URL-encoded) and port.
 */
export const ACCESS_LOG_FORMAT_LINE = `logformat ${ACCESS_LOG_FORMAT} %ts.%03tu %>a %>lp %Ss/%03>Hs %rm %#>rd %>rP`;

/** One refused request. */
export interface Refusal {
  /** When Squid logged it, in ms since the epoch. */
  at: number;
  /** The address it came from. */
  client: string;
  /** The proxy's port it reached, which names the allowlist. */
  proxyPort: number;
  host: string;
  port: number;
}

/** What a host may look like once read: a name or an address, bounded (it goes into status and Events). */
const HOST = /^[a-z0-9]([a-z0-9._:-]{0,251}[a-z0-9])?$/;

/** A refusal, from one line of the log; undefined for any other line, or one that is not well formed. */
export function parseRefusal(line: string): Refusal | undefined {
  if (line.length > 1024) return undefined;
  const fields = line.trim().split(' ');
  if (fields.length !== 7) return undefined;
  const [time = '', client = '', proxyPort = '', status = '', , rawHost = '', port = ''] = fields;
  if (status !== 'TCP_DENIED/403') return undefined;
  const at = Number(time) * 1000;
  // An IPv4 client may be logged in its IPv6-mapped form.
  const address = client.startsWith('::ffff:') && isIP(client.slice(7)) === 4 ? client.slice(7) : client;
  let host: string;
  try {
    host = decodeURIComponent(rawHost)
      .toLowerCase()
      .replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
  const numbers = [Number(proxyPort), Number(port)];
  if (!Number.isFinite(at) || at <= 0 || isIP(address) === 0 || !HOST.test(host)) return undefined;
  if (numbers.some((n) => !Number.isInteger(n) || n < 1 || n > 65535)) return undefined;
  return { at, client: address, proxyPort: Number(proxyPort), host, port: Number(port) };
}
