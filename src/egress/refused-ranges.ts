// The addresses the egress proxy never connects to, whatever name an allowed request gives
// (docs/agent-pods.md "Egress"): an allowlisted name is only as safe as the addresses it resolves to,
// and its DNS is not ours (a wildcard's subdomains, a compromised zone, a name pointed at the cluster).
// Squid's own to_localhost (127.0.0.0/8, 0.0.0.0/32, ::1, ::) and to_linklocal (169.254.0.0/16,
// fe80::/10: the cloud metadata service) come first. IPv4 ranges match IPv4-mapped IPv6 addresses too:
// Squid keeps every IPv4 address in that form (src/egress/squid-destinations.test.ts shows it).

/** Refused whatever the config says: nothing there is a host an allowlist can mean. */
export const NEVER_RANGES: readonly string[] = [
  '0.0.0.0/8', // "this network" (RFC 791)
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, and the broadcast address
  '::/96', // IPv4-compatible IPv6 (deprecated), :: and ::1 among them
  '100::/64', // discard-only (RFC 6666)
  'ff00::/8', // multicast
];

/**
 * Not the internet's: refused unless egress.allowedPrivateRanges names the address (an in-cluster Git
 * server). Most clusters' pod and Service ranges are among them; egress.refusedRanges adds the others.
 */
export const PRIVATE_RANGES: readonly string[] = [
  '10.0.0.0/8', // RFC 1918
  '172.16.0.0/12', // RFC 1918
  '192.168.0.0/16', // RFC 1918
  '100.64.0.0/10', // shared address space (RFC 6598): carrier NAT, and some clusters' pods
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // documentation (TEST-NET-1)
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // documentation (TEST-NET-2)
  '203.0.113.0/24', // documentation (TEST-NET-3)
  'fc00::/7', // unique local addresses (RFC 4193)
  '2001:db8::/32', // documentation
];
