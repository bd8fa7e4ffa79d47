// What one attempt's agent may spend (spec.limits, docs/economics.md) against its agent profile's
// limits: the defaults a run gets at admission and the most it may ask for. One reading of the
// profile for the defaulting (defaulting.ts), the admission rule (admission/rules/run-limits.ts) and
// the field table.

import type { AgentProfile, RunLimits } from './types.js';
import { parseUsd } from './usage.js';

/** The spec.limits a run of this profile gets when it names none (undefined: none at all). */
export function defaultRunLimits(profile: AgentProfile | undefined): RunLimits | undefined {
  const limits = profile?.limits;
  const maxTurns = limits?.maxTurns?.default;
  const maxBudgetUsd = limits?.maxBudgetUsd?.default;
  if (maxTurns === undefined && maxBudgetUsd === undefined) return undefined;
  return {
    ...(maxTurns === undefined ? {} : { maxTurns }),
    ...(maxBudgetUsd === undefined ? {} : { maxBudgetUsd }),
  };
}

/** The most a run may ask for, per limit, and the config key that says so; undefined: no bound. */
export interface LimitBound {
  value: number;
  text: string;
  source: string;
}

/** A limit's bound: its max, else its default (a run may lower it, not raise it), else none. */
export function runLimitBound(
  agent: string,
  profile: AgentProfile | undefined,
  limit: keyof RunLimits,
): LimitBound | undefined {
  const set = profile?.limits?.[limit];
  const key = `agents.${agent}.limits.${limit}`;
  for (const which of ['max', 'default'] as const) {
    const raw = set?.[which];
    if (raw === undefined) continue;
    const value = limit === 'maxBudgetUsd' ? parseUsd(raw) : (raw as number);
    if (value !== undefined) return { value, text: String(raw), source: `${key}.${which}` };
  }
  return undefined;
}

/** A limit's value in the unit its bound compares in (micro-dollars for the budget). */
export const limitValue = (limit: keyof RunLimits, value: unknown): number | undefined =>
  limit === 'maxBudgetUsd' ? parseUsd(value) : typeof value === 'number' ? value : undefined;
