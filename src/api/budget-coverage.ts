// Whether a team budget covers a namespace (docs/economics.md): one rule for the reconcilers, which
// match a selector against the namespaces' labels in their cache (src/controllers/budgets), and the
// gateway, which lists the namespaces a selector chooses (src/gateway/limits.ts).
import type { Budget } from './budget-window.js';

/**
 * The namespaces `budget` covers: those it names, and those its selector chooses (`selects`, as the
 * caller can tell); a budget with neither covers every namespace, and `selects` is never asked.
 */
export function budgetCovers(
  budget: Pick<Budget, 'namespaces' | 'namespaceSelector'>,
  selects: (selector: string, namespace: string) => boolean,
): (namespace: string) => boolean {
  const named = new Set(budget.namespaces ?? []);
  const selector = budget.namespaceSelector;
  if (named.size === 0 && selector === undefined) return () => true;
  return (namespace) => named.has(namespace) || (selector !== undefined && selects(selector, namespace));
}
