// The limits a metered call counts against (docs/economics.md "The model gateway"; the table of them:
// src/api/limits.ts): the run's spec.limits.maxBudgetUsd as the attempt's token states it, and every
// team budget covering its namespace (src/api/budget-coverage.ts, the reconcilers' rule) over the
// budget's window, each spent as the ledger has it. The gate (spend-gate.ts) checks a call against them.
import { budgetCovers, budgetWindow, type ConfigSource, parseUsd, runLimitField } from '../api/index.js';
import { type KubeClient, type KubeObject, NAMESPACES, resourcePath } from '../runtime/index.js';
import type { TokenClaims } from './attempt-token.js';
import type { GatewayAttempt } from './handler.js';
import type { Ledger, LimitSource, SpendLimit } from './spend-gate.js';

/** The namespaces a label selector chooses. */
export type SelectedNamespaces = (selector: string) => Promise<ReadonlySet<string>>;

/** How long the namespaces a selector chooses are kept before the apiserver is asked again. */
const SELECTED_TTL_MS = 60_000;

/**
 * The namespaces a budget's selector chooses, listed by the apiserver once a minute per selector (the
 * gateway runs on every replica, where the reconcilers' namespace cache does not).
 */
export function selectedNamespaces(client: KubeClient): SelectedNamespaces {
  const cache = new Map<string, { names: ReadonlySet<string>; atMs: number }>();
  return async (selector) => {
    const hit = cache.get(selector);
    if (hit && Date.now() - hit.atMs < SELECTED_TTL_MS) return hit.names;
    const list = await client.request<{ items?: KubeObject[] }>('GET', resourcePath(NAMESPACES), {
      query: { labelSelector: selector },
    });
    const names = new Set((list.items ?? []).map((ns) => ns.metadata?.name ?? ''));
    if (cache.size > 256) cache.clear();
    cache.set(selector, { names, atMs: Date.now() });
    return names;
  };
}

export interface GatewayLimitsOptions {
  config: ConfigSource;
  ledger: Ledger;
  selected: SelectedNamespaces;
  now?: () => Date;
}

/** Every limit covering an attempt now: its own, then each team budget covering its namespace. */
export function gatewayLimits(opts: GatewayLimitsOptions): LimitSource {
  const { config, ledger, selected, now = () => new Date() } = opts;
  return {
    limits: async (attempt) => {
      const teams: SpendLimit[] = [];
      const at = now();
      for (const budget of config.current().budgets ?? []) {
        const selector = budget.namespaceSelector;
        const chosen = selector === undefined ? new Set<string>() : await selected(selector);
        const covered = budgetCovers(budget, (_selector, namespace) => chosen.has(namespace));
        if (!covered(attempt.namespace)) continue;
        const window = budgetWindow(budget, at);
        teams.push({
          name: `budget "${budget.name}"`,
          limitMicros: parseUsd(budget.limitUsd) ?? 0,
          spentMicros: () => ledger.spentSince(covered, window.start.getTime()),
          note: `its ${budget.window ?? 'month'} resets at ${window.resetsAt.toISOString()}`,
        });
      }
      return [...ownLimit(attempt, ledger), ...teams];
    },
  };
}

/** The run's own spend limit, as the attempt's token states it (none: the run has none). */
function ownLimit(attempt: GatewayAttempt, ledger: Ledger): SpendLimit[] {
  const { maxBudgetMicros } = attempt as TokenClaims;
  if (maxBudgetMicros === undefined) return [];
  return [
    {
      name: `${runLimitField('maxBudgetUsd')} of ${attempt.kind} ${attempt.namespace}/${attempt.run}`,
      limitMicros: maxBudgetMicros,
      spentMicros: () => ledger.attemptSpent(attempt),
    },
  ];
}
