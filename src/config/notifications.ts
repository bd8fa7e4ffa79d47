// The notifications section's rules a schema cannot say (docs/notifications.md): each sink named once,
// with exactly one of url and urlFile, a signing key only where it is used, and agents that exist.
import type { ControllerConfig } from '../api/index.js';
import { error, type Finding } from '../validation/index.js';

export function notificationFindings({ notifications, agents }: ControllerConfig): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  notifications.sinks.forEach((sink, i) => {
    const at = `notifications.sinks[${i}]`;
    if (seen.has(sink.name))
      findings.push(
        error('config', `${at}.name`, `Duplicate value: "${sink.name}": each sink needs its own name`),
      );
    seen.add(sink.name);
    if ((sink.url === undefined) === (sink.urlFile === undefined))
      findings.push(error('config', `${at}.url`, 'Invalid value: give exactly one of url and urlFile'));
    if (sink.type === 'slack' && sink.signingKeyFile !== undefined)
      findings.push(
        error(
          'config',
          `${at}.signingKeyFile`,
          'Forbidden: Slack does not check signatures; the URL is the secret (urlFile)',
        ),
      );
    (sink.agents ?? []).forEach((agent, j) => {
      if (!Object.hasOwn(agents, agent))
        findings.push(
          error(
            'config',
            `${at}.agents[${j}]`,
            `Invalid value: "${agent}": not one of the agents (${Object.keys(agents).join(', ')})`,
          ),
        );
    });
  });
  return findings;
}
