// Without the model gateway, what an agent reports it spent is the bill (docs/economics.md "What the
// figures are worth"); the most one attempt bills is its spec.limits.maxBudgetUsd, so a forged figure
// cannot spend a team budget that other runs share. The figure as reported is kept beside the capped one.
import { formatUsd, parseUsd, type Usage } from './usage.js';

/** What an attempt bills of its agent's report, and the report itself when that differs. */
export interface CappedUsage {
  usage: Usage;
  /** The report as the agent wrote it, when a figure of it was cut. */
  reported?: Usage;
}

/**
 * `usage` with its cost at most `maxBudgetUsd` (a USD_PATTERN string), and each model's cost cut, the
 * costliest first, so the models together bill no more than the total. A cost that is no dollar amount
 * bills nothing. With no maxBudgetUsd there is nothing to cap at: the report is the bill.
 */
export function capUsage(usage: Usage, maxBudgetUsd: string | undefined): CappedUsage {
  const cap = parseUsd(maxBudgetUsd);
  if (cap === undefined) return { usage };
  const total = usage.costUsd === undefined ? undefined : Math.min(parseUsd(usage.costUsd) ?? 0, cap);
  let left = total ?? cap;
  const models = usage.models
    ?.map((m, i) => ({ m, i, micros: parseUsd(m.costUsd) }))
    .sort((x, y) => (y.micros ?? 0) - (x.micros ?? 0))
    .map(({ m, i, micros }) => {
      if (m.costUsd === undefined) return { i, m };
      const billed = Math.min(micros ?? 0, left);
      left -= billed;
      return { i, m: { ...m, costUsd: formatUsd(billed) } };
    })
    .sort((x, y) => x.i - y.i)
    .map(({ m }) => m);
  const capped: Usage = {
    ...usage,
    ...(total === undefined ? {} : { costUsd: formatUsd(total) }),
    ...(models ? { models } : {}),
  };
  return JSON.stringify(capped) === JSON.stringify(usage) ? { usage } : { usage: capped, reported: usage };
}
