// The egress section's rules a schema cannot say (docs/agent-pods.md "Egress"): each allowlist on a
// port of its own, each profile naming an allowlist that exists, an allowed Service named once, each
// address range the proxy is given one.
import type { ControllerConfig } from '../api/index.js';
import { rangeProblem } from '../http/index.js';
import { error, type Finding } from '../validation/index.js';

/** The allowlist a profile goes out by when it names none (src/egress). */
export const DEFAULT_ALLOWLIST = 'default';

/** Each entry of the proxy's address ranges an address or CIDR (Squid would stop at start otherwise). */
function rangeFindings(egress: ControllerConfig['egress']): Finding[] {
  return (['refusedRanges', 'allowedPrivateRanges'] as const).flatMap((field) =>
    egress[field].flatMap((cidr, i) => {
      const problem = rangeProblem(cidr);
      return problem ? [error('config', `egress.${field}[${i}]`, `Invalid value: ${problem}`)] : [];
    }),
  );
}

export function egressFindings({ egress, agents }: ControllerConfig): Finding[] {
  const findings: Finding[] = rangeFindings(egress);
  const byPort = new Map<number, string>();
  for (const [name, allowlist] of Object.entries(egress.allowlists)) {
    const other = byPort.get(allowlist.port);
    if (other)
      findings.push(
        error(
          'config',
          `egress.allowlists.${name}.port`,
          `Duplicate value: ${allowlist.port}: allowlist ${other} has this port; each allowlist is a port of its own (the port is how the proxy knows the caller's allowlist)`,
        ),
      );
    byPort.set(allowlist.port, name);
    const seen = new Set<string>();
    (allowlist.services ?? []).forEach((s, i) => {
      const key = `${s.namespace ?? ''}/${s.name}:${s.port}`;
      if (seen.has(key))
        findings.push(
          error(
            'config',
            `egress.allowlists.${name}.services[${i}]`,
            `Duplicate value: ${s.name} port ${s.port} is listed twice`,
          ),
        );
      seen.add(key);
    });
  }
  const names = Object.keys(egress.allowlists);
  for (const [agent, profile] of Object.entries(agents)) {
    const allowlist = profile.egressAllowlist ?? DEFAULT_ALLOWLIST;
    if (egress.allowlists[allowlist]) continue;
    const field = profile.egressAllowlist ? `agents.${agent}.egressAllowlist` : 'egress.allowlists';
    findings.push(
      error(
        'config',
        field,
        `Invalid value: "${allowlist}": agent ${agent} goes out by allowlist ${allowlist}, which is not one of egress.allowlists (${names.join(', ')})`,
      ),
    );
  }
  return findings;
}
