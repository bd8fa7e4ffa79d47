// The economics keys' rules a schema cannot say (docs/economics.md): a profile's default limit within
// its maximum, budgets with unique names and selectors the manager can evaluate, and agent telemetry
// with somewhere to send it.
import { agentCli } from '../agent-cli/index.js';
import { CLI_ONLY_LIMITS, type ControllerConfig, limitValue, RUN_LIMIT_NAMES } from '../api/index.js';
import { labelSelectorProblem } from '../naming/index.js';
import { error, type Finding } from '../validation/index.js';

export function economicsFindings(config: ControllerConfig): Finding[] {
  const findings: Finding[] = [];
  for (const [name, agent] of Object.entries(config.agents)) {
    // A CLI with no key of the platform's to be given (src/agent-cli) reaches its model only through the gateway.
    const cli = agentCli(agent.cli);
    if (!cli.env.apiKey && !config.gateway.enabled)
      findings.push(
        error(
          'config',
          `agents.${name}.cli`,
          `Invalid value: "${cli.name}": this CLI runs only through the model gateway: set gateway.enabled (docs/agents.md)`,
        ),
      );
    for (const limit of [...CLI_ONLY_LIMITS, 'fallbackModel'] as const)
      if (agent.limits?.[limit] !== undefined && !cli.limits[limit])
        findings.push(
          error(
            'config',
            `agents.${name}.limits.${limit}`,
            `Forbidden: the ${cli.name} CLI cannot enforce ${limit} (docs/agents.md); leave it unset`,
          ),
        );
    for (const limit of RUN_LIMIT_NAMES) {
      const set = agent.limits?.[limit];
      if (set?.default === undefined || set.max === undefined) continue;
      if ((limitValue(limit, set.default) ?? 0) > (limitValue(limit, set.max) ?? 0))
        findings.push(
          error(
            'config',
            `agents.${name}.limits.${limit}.default`,
            `Invalid value: ${JSON.stringify(set.default)}: more than its max ${JSON.stringify(set.max)}`,
          ),
        );
    }
  }
  const seen = new Set<string>();
  (config.budgets ?? []).forEach((budget, i) => {
    if (seen.has(budget.name))
      findings.push(
        error('config', `budgets[${i}].name`, `Duplicate value: "${budget.name}": budget names are unique`),
      );
    seen.add(budget.name);
    const selector = budget.namespaceSelector;
    if (selector === undefined) return;
    const problem = labelSelectorProblem(selector);
    if (problem)
      findings.push(
        error('config', `budgets[${i}].namespaceSelector`, `Invalid value: "${selector}": ${problem}`),
      );
    // A fixed list of namespaces is watched with namespaced RoleBindings: no namespace's labels are read.
    else if (config.watchNamespace || config.watchNamespaces)
      findings.push(
        error(
          'config',
          `budgets[${i}].namespaceSelector`,
          'Forbidden: the manager watches a fixed list of namespaces (watchNamespace, watchNamespaces) and reads no namespace labels: name the namespaces in budgets[].namespaces',
        ),
      );
  });
  const gateway = config.gateway;
  const fallback = gateway.prices.fallbackModel;
  if (fallback !== undefined && !gateway.prices.models?.[fallback])
    findings.push(
      error(
        'config',
        'gateway.prices.fallbackModel',
        `Invalid value: ${JSON.stringify(fallback)}: not an entry of gateway.prices.models`,
      ),
    );
  const telemetry = config.agentTelemetry;
  if (telemetry.enabled && !telemetry.endpoint)
    findings.push(
      error(
        'config',
        'agentTelemetry.endpoint',
        'Required value: the OTLP endpoint the agents send to, when agentTelemetry.enabled is true',
      ),
    );
  return findings;
}
