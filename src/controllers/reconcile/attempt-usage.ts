// A finished attempt's entry of status.attemptUsage, and the limit that stopped it (docs/economics.md).
// Without the model gateway, the entry is what the agent reported in its result document, its cost
// capped at the attempt's spec.limits.maxBudgetUsd (the report kept as `reported` when cut). With it, the
// entry is what the gateway metered (its ledger, src/gateway/ledger-index.ts), the agent's report kept
// beside it as `reported` only, and a call the gateway refused for a limit ends the attempt
// BudgetExceeded naming that limit. So a forged report bills nothing and stops nothing the gateway did
// not stop, and every budget is summed from the same ledger.
import {
  type AttemptUsage,
  capUsage,
  PLATFORM_LIMITS,
  type RunKindName,
  type RunLimits,
  type StopReason,
  type Usage,
} from '../../api/index.js';
import type { MeteredAttempts } from '../../gateway/index.js';
import { jobFinishTime, type KubeObject } from '../../runtime/index.js';
import type { AgentState, ResultRead } from '../pods/index.js';

/**
 * How long after its Job finished an attempt's ledger is read: the gateway records a call as its answer
 * ends, a moment before the agent can exit, and the leader's cache of the ledger follows a watch.
 */
export const LEDGER_SETTLE_MS = 10_000;

/** What a finished attempt spent, and what stopped it. */
export interface AttemptSpend {
  /** Its status.attemptUsage entry; undefined when nothing was metered or reported. */
  entry?: AttemptUsage;
  stopReason?: StopReason;
  /** The gateway's refusal naming the limit, when a limit the gateway enforces stopped it. */
  limit?: string;
}

export interface FinishedAttempt {
  kind: RunKindName;
  run: { namespace: string; name: string; uid: string };
  attempt: number;
  job: KubeObject;
  agent: AgentState;
  report: ResultRead | undefined;
  /** The run's spec.limits: without the gateway, its maxBudgetUsd is the most the attempt bills. */
  limits?: RunLimits;
}

/** Whether the attempt's ledger may still be catching up with its last calls at `now`. */
export function ledgerSettling(job: KubeObject, now: Date): boolean {
  const finished = jobFinishTime(job);
  return finished !== undefined && now.getTime() - finished.getTime() < LEDGER_SETTLE_MS;
}

export function attemptSpend(
  a: FinishedAttempt,
  metered: MeteredAttempts | undefined,
  now: Date,
): AttemptSpend {
  const reported = a.report?.usage;
  const agentStop = a.report?.stopReason;
  const entry = (usage: Usage, stopReason: StopReason | undefined, extra: Partial<AttemptUsage> = {}) => ({
    attempt: a.attempt,
    finishedAt: finishedAt(a.job, a.agent, now),
    ...(stopReason ? { stopReason } : {}),
    ...usage,
    ...extra,
  });
  if (!metered) {
    const capped = reported ? capUsage(reported, a.limits?.maxBudgetUsd) : undefined;
    return {
      ...(capped
        ? { entry: entry(capped.usage, agentStop, capped.reported ? { reported: capped.reported } : {}) }
        : {}),
      ...(agentStop ? { stopReason: agentStop } : {}),
    };
  }
  const gateway = metered.metered({
    namespace: a.run.namespace,
    kind: a.kind,
    run: a.run.name,
    uid: a.run.uid,
    attempt: a.attempt,
  });
  // The agent's own stop (its CLI's turn or spend cap) only ever ends its run sooner: it is kept.
  // The gateway refuses for the run's spend limit or a team budget: both stop with one reason, which
  // src/api/limits.test.ts holds equal for the two rows.
  const stopReason: StopReason | undefined = gateway?.refusal
    ? PLATFORM_LIMITS.teamBudget.stopReason
    : agentStop;
  if (!gateway && !reported) return stopReason ? { stopReason } : {};
  return {
    entry: entry(gateway?.usage ?? { costUsd: '0' }, stopReason, reported ? { reported } : {}),
    ...(stopReason ? { stopReason } : {}),
    ...(gateway?.refusal ? { limit: gateway.refusal } : {}),
  };
}

/** When the attempt ended: its agent container's end, else its Job's. */
function finishedAt(job: KubeObject, agent: AgentState, now: Date): string {
  const ended = agent.stage === 'exited' ? agent.finishedAt : undefined;
  return ended ?? (jobFinishTime(job) ?? now).toISOString().replace(/\.\d+Z$/, 'Z');
}
