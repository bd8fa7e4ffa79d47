// Which client addresses a listener takes for its platform's own callers (for the admission webhook, the
// apiserver): an address inside the configured control-plane ranges (`connections.trustedSources`), or
// one from which a connection presented a client certificate the listener verified (the webhook with
// `webhook.clientCAFile`). Trusted addresses get the listener's reserved connections and the whole
// SubjectAccessReview budget; every other address is held to its share, so no number of strangers can
// take from the apiserver what its calls need (docs/security.md "Connections"). Trust is decided per
// address because a connection's slot is given before a byte of TLS is read; a proof by certificate
// therefore helps the address's next connections, not the one that made it.
import { BlockList, isIP } from 'node:net';

/** How long an address that proved itself by certificate stays trusted after its last proof. */
const PROOF_MEMORY_MS = 60 * 60_000;
/** Addresses remembered as proven: the apiservers of a cluster are a handful. */
const MAX_PROVEN = 256;

export interface SourceTrust {
  /** True for an address of the configured ranges or one proven by certificate lately. */
  trusted(address: string): boolean;
  /** `address` presented a client certificate the listener verified. */
  prove(address: string): void;
}

/** IPv4 clients of a dual-stack listener appear as ::ffff:a.b.c.d: one address either way. */
export const plainAddress = (address: string | undefined): string =>
  (address ?? 'unknown').replace(/^::ffff:/, '');

/** An address range as BlockList takes it, or why `cidr` is none. */
function parseRange(cidr: string): { net: string; prefix: number; family: 'ipv4' | 'ipv6' } | string {
  const [net = '', bits] = cidr.split('/');
  const family = isIP(net);
  const max = family === 6 ? 128 : 32;
  const prefix = bits === undefined ? max : Number(bits);
  if (family === 0 || !/^\d*$/.test(bits ?? '') || prefix > max)
    return `"${cidr}" is not an address range (an IPv4 or IPv6 address or CIDR, such as 10.0.0.0/24)`;
  return { net, prefix, family: family === 6 ? 'ipv6' : 'ipv4' };
}

/** Why `cidr` is not an address range, or undefined. */
export const rangeProblem = (cidr: string): string | undefined => {
  const range = parseRange(cidr);
  return typeof range === 'string' ? range : undefined;
};

/** The ranges of `cidrs`; a malformed entry throws naming `field` and the entry. */
export function addressRanges(cidrs: readonly string[], field: string): BlockList {
  const ranges = new BlockList();
  for (const cidr of cidrs) {
    const range = parseRange(cidr);
    if (typeof range === 'string') throw new Error(`${field}: ${range}`);
    ranges.addSubnet(range.net, range.prefix, range.family);
  }
  return ranges;
}

export function sourceTrust(
  trustedSources: readonly string[] = [],
  now: () => number = Date.now,
): SourceTrust {
  const ranges = addressRanges(trustedSources, 'connections.trustedSources');
  const proven = new Map<string, number>();
  return {
    trusted(address) {
      const family = isIP(address);
      if (family !== 0 && ranges.check(address, family === 6 ? 'ipv6' : 'ipv4')) return true;
      const at = proven.get(address);
      if (at === undefined) return false;
      if (now() - at <= PROOF_MEMORY_MS) return true;
      proven.delete(address);
      return false;
    },
    prove(address) {
      proven.delete(address); // re-inserted last: the Map's order is the least recently proven first
      proven.set(address, now());
      if (proven.size > MAX_PROVEN) proven.delete(proven.keys().next().value as string);
    },
  };
}
