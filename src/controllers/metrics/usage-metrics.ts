// What the agents spent, as counters a platform team sums and alerts on (docs/economics.md): cost,
// tokens by kind and turns, by namespace, agent and model, and the attempts a limit stopped. Counted by
// the leader once per attempt, when a status write records the attempt's usage (status.attemptUsage),
// so a replica taking over does not count again what the status already holds.
// Labels stay bounded: the model is one the config names (models, modelAliases, a profile's model or
// fallbackModel), else `other`: the figures come from the agent's pod, which may report any string.
import { Counter, type Registry } from 'prom-client';
import {
  type AttemptUsage,
  type ControllerConfig,
  parseUsd,
  STOP_REASONS,
  type TokenField,
} from '../../api/index.js';
import { memo } from '../../runtime/index.js';

// `run_namespace`, not `namespace`: a scrape's target label of that name (the operator pod's) would
// rename it (exported_namespace) or, with honorLabels, replace it.
type Labels = 'run_namespace' | 'agent';

/** The token kinds of the tokens metric, by usage field (the names Claude Code's own metrics use). */
const TOKEN_TYPES: Record<TokenField, string> = {
  inputTokens: 'input',
  outputTokens: 'output',
  cacheCreationInputTokens: 'cacheCreation',
  cacheReadInputTokens: 'cacheRead',
};

/** The model label of a figure whose model the config does not name. */
export const OTHER_MODEL = 'other';

const usageMetrics = memo((registry) => {
  const registers = [registry];
  return {
    cost: new Counter({
      name: 'orchestrator_agent_cost_usd_total',
      help: "What the agents' model calls cost in US dollars, as their CLI reported it, by the run's namespace (run_namespace), agent and model; counted when an attempt's usage is recorded in its run's status.",
      labelNames: ['run_namespace', 'agent', 'model'],
      registers,
    }),
    tokens: new Counter({
      name: 'orchestrator_agent_tokens_total',
      help: 'Tokens the agents used, by namespace, agent, model and type (input, output, cacheCreation, cacheRead).',
      labelNames: ['run_namespace', 'agent', 'model', 'type'],
      registers,
    }),
    turns: new Counter({
      name: 'orchestrator_agent_turns_total',
      help: "The agents' turns (model round trips of their main loop), by namespace and agent.",
      labelNames: ['run_namespace', 'agent'],
      registers,
    }),
    stopped: new Counter({
      name: 'orchestrator_agent_limit_stops_total',
      help: `Attempts a limit of spec.limits stopped (reason ${STOP_REASONS.join(' or ')}), by namespace and agent.`,
      labelNames: ['run_namespace', 'agent', 'reason'],
      registers,
    }),
  };
});

/** Registers the spend metrics, so every replica exposes them (a standby writes no status). */
export function registerUsageMetrics(registry: Registry): void {
  usageMetrics(registry);
}

/** The models the config names, which may be labels. */
function knownModels(config: ControllerConfig): Set<string> {
  const known = new Set<string>([...(config.models ?? []), ...Object.values(config.modelAliases ?? {})]);
  for (const profile of Object.values(config.agents)) {
    if (profile.model) known.add(profile.model);
    if (profile.limits?.fallbackModel) known.add(profile.limits.fallbackModel);
  }
  return known;
}

/**
 * Series start at 0 when a run's agent first runs, minutes before its usage is counted: Prometheus
 * sees no increase in a series whose first sample already holds the first attempt's cost.
 */
export function seedUsage(
  registry: Registry,
  labels: Record<Labels, string>,
  runModel: string | undefined,
  config: ControllerConfig,
): void {
  const m = usageMetrics(registry);
  const at = { ...labels, model: runModel && knownModels(config).has(runModel) ? runModel : OTHER_MODEL };
  m.cost.inc(at, 0);
  for (const type of Object.values(TOKEN_TYPES)) m.tokens.inc({ ...at, type }, 0);
  m.turns.inc(labels, 0);
  for (const reason of STOP_REASONS) m.stopped.inc({ ...labels, reason }, 0);
}

/** Counts the usage of newly recorded attempts of one run. */
export function countUsage(
  registry: Registry,
  labels: Record<Labels, string>,
  entries: readonly AttemptUsage[],
  config: ControllerConfig,
): void {
  if (entries.length === 0) return;
  const m = usageMetrics(registry);
  const known = knownModels(config);
  const model = (id: string) => (known.has(id) ? id : OTHER_MODEL);
  for (const entry of entries) {
    m.turns.inc(labels, entry.turns ?? 0);
    if (entry.stopReason) m.stopped.inc({ ...labels, reason: entry.stopReason });
    // By model when the CLI said; else the whole attempt under `other`.
    const shares = entry.models?.length ? entry.models : [{ ...entry, model: OTHER_MODEL }];
    for (const share of shares) {
      const at = { ...labels, model: model(share.model) };
      m.cost.inc(at, (parseUsd(share.costUsd) ?? 0) / 1_000_000);
      for (const [field, type] of Object.entries(TOKEN_TYPES))
        m.tokens.inc({ ...at, type }, share[field as TokenField] ?? 0);
    }
  }
}
