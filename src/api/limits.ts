// Every limit on what a run's agent may spend, in one table (docs/economics.md; a new one:
// docs/adding-a-limit.md): where it is set, its unit, who holds an attempt to it, and the reason an
// attempt it stops ends with. Its enforcers read the names, units and reasons here: admission
// (admission/rules/run-limits.ts, config/economics.ts), the gateway (gateway/limits.ts), the verdict
// (controllers/reconcile/verdict.ts) and the renderer (render/context.ts). The agent CLI contract
// (agent-cli/contract.ts, a lower layer) is keyed by these names: CLI_ONLY_LIMITS indexes it.
import type { RunLimits } from './types.js';
import { parseUsd, type StopReason } from './usage.js';

/** Who holds an attempt to a limit. */
export type Enforcer = 'agent CLI' | 'gateway' | 'reconciler' | 'Job controller';

/** How a limit is written: a count of turns, a decimal dollar string, whole seconds. */
export type LimitUnit = 'turns' | 'USD' | 'seconds';

export type RunLimitName = keyof RunLimits;

/** A limit of one attempt, set in spec.limits (defaulted and bounded by its profile's agents.<name>.limits). */
export interface AttemptLimit {
  unit: LimitUnit;
  enforcedBy: readonly Enforcer[];
  /** The reason an attempt it stops ends with: status.attemptUsage[].stopReason, the Failed condition's. */
  stopReason: StopReason;
  /** What the agent reached, as the verdict says it. */
  reached: string;
}

/** The limits of spec.limits (schemas/shared/run-limits.yaml): the compiler asks for a row per field. */
export const RUN_LIMITS: Readonly<Record<RunLimitName, AttemptLimit>> = Object.freeze({
  maxTurns: {
    unit: 'turns',
    enforcedBy: ['agent CLI'],
    stopReason: 'TurnLimitReached',
    reached: 'its turn limit',
  },
  maxBudgetUsd: {
    unit: 'USD',
    // The CLI's own flag where it has one; the gateway for every CLI when it is on.
    enforcedBy: ['agent CLI', 'gateway'],
    stopReason: 'BudgetExceeded',
    reached: 'its spend limit',
  },
});

/** A limit the controller config sets over many attempts. */
export interface PlatformLimit {
  /** Its key in the controller config. */
  field: string;
  unit: LimitUnit;
  enforcedBy: readonly Enforcer[];
  /** The reason of a run it keeps from starting an attempt (Pending). */
  waitReason?: string;
  /** The reason of an attempt it stops. */
  stopReason?: StopReason;
}

/** The controller config's limits over attempts. */
export const PLATFORM_LIMITS = Object.freeze({
  /** A team budget: the spend of its namespaces over its window (controllers/budgets; the gateway). */
  teamBudget: {
    field: 'budgets[].limitUsd',
    unit: 'USD',
    enforcedBy: ['reconciler', 'gateway'],
    waitReason: 'BudgetExhausted',
    stopReason: 'BudgetExceeded',
  },
  /** An attempt's wall-clock time: its Job fails DeadlineExceeded and the retry policy follows. */
  jobDeadline: { field: 'job.activeDeadlineSeconds', unit: 'seconds', enforcedBy: ['Job controller'] },
} satisfies Record<string, PlatformLimit>);

export const RUN_LIMIT_NAMES = Object.keys(RUN_LIMITS) as RunLimitName[];

/** Where a run sets a field of its limits (a limit, or the model to fall back to), as messages name it. */
export const runLimitField = (limit: RunLimitName | 'fallbackModel'): string => `spec.limits.${limit}`;

/** The limits only the agent CLI holds an attempt to: a profile whose CLI cannot is refused them. */
export const CLI_ONLY_LIMITS: readonly RunLimitName[] = RUN_LIMIT_NAMES.filter(
  (limit) => !RUN_LIMITS[limit].enforcedBy.includes('gateway'),
);

/** Why a limit stopped an attempt's agent: each reason once, in the table's order. */
export const STOP_REASONS: readonly StopReason[] = [
  ...new Set([
    ...RUN_LIMIT_NAMES.map((limit) => RUN_LIMITS[limit].stopReason),
    ...Object.values(PLATFORM_LIMITS).flatMap((limit: PlatformLimit) => limit.stopReason ?? []),
  ]),
];

/** The limit of spec.limits that stops an attempt with `reason` (the first in the table). */
export const runLimitStopping = (reason: StopReason): RunLimitName | undefined =>
  RUN_LIMIT_NAMES.find((limit) => RUN_LIMITS[limit].stopReason === reason);

/** A limit's value in the unit its bound compares in (micro-dollars for dollars); undefined: not one. */
export const limitValue = (limit: RunLimitName, value: unknown): number | undefined =>
  RUN_LIMITS[limit].unit === 'USD' ? parseUsd(value) : typeof value === 'number' ? value : undefined;

/** Each limit of spec.limits, null where the run has none (the entry script's '': no limit). */
export type RunLimitsOrNone = { [K in RunLimitName]-?: NonNullable<RunLimits[K]> | null };

export const runLimitsOrNone = (limits: RunLimits | undefined): RunLimitsOrNone =>
  Object.fromEntries(RUN_LIMIT_NAMES.map((limit) => [limit, limits?.[limit] ?? null])) as RunLimitsOrNone;
