// What one attempt's agent may spend (spec.limits, docs/economics.md) against its agent profile's
// limits: the defaults a run gets at admission and the most it may ask for. One reading of the
// profile for the defaulting (defaulting.ts), the admission rule (admission/rules/run-limits.ts) and
// the field table; the limits themselves are limits.ts's table.

import { limitValue, RUN_LIMIT_NAMES, type RunLimitName } from './limits.js';
import type { AgentProfile, RunLimits } from './types.js';

/** The spec.limits a run of this profile gets when it names none (undefined: none at all). */
export function defaultRunLimits(profile: AgentProfile | undefined): RunLimits | undefined {
  const defaults = RUN_LIMIT_NAMES.flatMap((limit) => {
    const value = profile?.limits?.[limit]?.default;
    return value === undefined ? [] : [[limit, value] as const];
  });
  return defaults.length === 0 ? undefined : (Object.fromEntries(defaults) as RunLimits);
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
  limit: RunLimitName,
): LimitBound | undefined {
  const set = profile?.limits?.[limit];
  const key = `agents.${agent}.limits.${limit}`;
  for (const which of ['max', 'default'] as const) {
    const raw = set?.[which];
    if (raw === undefined) continue;
    const value = limitValue(limit, raw);
    if (value !== undefined) return { value, text: String(raw), source: `${key}.${which}` };
  }
  return undefined;
}
