// The alert routes' rules a schema cannot say (docs/alerts.md): each route named once (its runs' names
// and label carry the name) and an agent profile that exists.
import type { ControllerConfig } from '../api/index.js';
import { error, type Finding } from '../validation/index.js';

export function alertFindings({ alerts, agents }: ControllerConfig): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  alerts.routes.forEach((route, i) => {
    const at = `alerts.routes[${i}]`;
    if (seen.has(route.name))
      findings.push(
        error('config', `${at}.name`, `Duplicate value: "${route.name}": each route needs its own name`),
      );
    seen.add(route.name);
    if (route.agent !== undefined && !Object.hasOwn(agents, route.agent))
      findings.push(
        error(
          'config',
          `${at}.agent`,
          `Invalid value: "${route.agent}": not one of the agents (${Object.keys(agents).join(', ')})`,
        ),
      );
  });
  return findings;
}
