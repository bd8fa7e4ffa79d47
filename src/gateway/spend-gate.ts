// The limits a metered call is checked against before it is forwarded (docs/economics.md "The model
// gateway"): those covering its attempt (limits.ts: the run's spec.limits.maxBudgetUsd and every team
// budget that covers its namespace), each against what the ledger has recorded. The most the call's
// input can cost (input-bound.ts) comes off the smallest remainder first; a call whose input that
// remainder cannot pay, or that leaves no output token, is refused naming the limit. Otherwise the
// output is capped to what is left after its input, and input and capped output are reserved against
// every limit until the call ends (its metered cost then counts in the ledger's sums): calls in flight
// at once on one replica share the remainder, so one replica never commits more than a limit has
// left. Reservations are this replica's own (the bound across replicas: docs/economics.md "The model
// gateway"). A refusal is recorded in the ledger once per attempt (per replica), so that the attempt
// ends BudgetExceeded naming the limit (controllers/reconcile/read.ts reads it there).
import { formatUsd } from '../api/index.js';
import type { Admission, GatewayAttempt, MeteredCall, PricedCall, SpendGate } from './handler.js';
import { inputCostMicros } from './input-bound.js';
import { attemptKey } from './ledger-record.js';
import { affordableOutputTokens, callCostMicros } from './prices.js';
import { reservedTokens } from './reservation.js';

/** Where metered calls are recorded and summed (kube-ledger.ts; in tests, test/harness/fakes/memory-ledger.ts). */
export interface Ledger {
  /** Counts the call in this replica's sums at once (its reservation then ends); resolves when it is written. */
  record(attempt: GatewayAttempt, call: MeteredCall): Promise<void>;
  /** Records the limit that refused a call of the attempt (the first one stays). */
  refuse(attempt: GatewayAttempt, refusal: string): Promise<void>;
  /** What the attempt's calls cost so far, in micro-dollars. */
  attemptSpent(attempt: GatewayAttempt): Promise<number>;
  /** What calls of the namespaces `covers` accepts cost since `sinceMs`, in micro-dollars. */
  spentSince(covers: (namespace: string) => boolean, sinceMs: number): Promise<number>;
}

/** A limit a call counts against: the run's own, or a team budget's window. */
export interface SpendLimit {
  /** How a refusal names it: `spec.limits.maxBudgetUsd`, `budget "team-a"`. */
  name: string;
  limitMicros: number;
  spentMicros: () => Promise<number>;
  /** Said after the spend in a refusal (e.g. when the window resets). */
  note?: string;
}

export interface LimitSource {
  /** Every limit that covers the attempt now. */
  limits(attempt: GatewayAttempt): Promise<SpendLimit[]>;
}

/** Attempts whose refusal this replica has recorded, at most (then it forgets them all and may write again). */
const REMEMBERED_REFUSALS = 4096;

export class LimitGate implements SpendGate {
  /** A refused attempt's agent may call again and again: its refusal is written once. */
  private readonly refused = new Set<string>();
  /** Micro-dollars reserved by this replica's calls in flight, by limit name. */
  private readonly reserved = new Map<string, number>();

  constructor(
    private readonly ledger: Ledger,
    private readonly source: LimitSource,
  ) {}

  async admit(attempt: GatewayAttempt, call: PricedCall): Promise<Admission> {
    const limits = await this.source.limits(attempt);
    if (limits.length === 0) return { allowed: true };
    // The input is billed whatever the output: its worst case comes off what is left before the output's share.
    const input = inputCostMicros(call.price, call.input);
    let remaining = Number.POSITIVE_INFINITY;
    for (const limit of limits) {
      const spent = await limit.spentMicros();
      const held = this.reserved.get(limit.name) ?? 0;
      const left = limit.limitMicros - spent - held;
      const cap = left - input > 0 ? affordableOutputTokens(call.price, left - input) : 0;
      if (cap < 1) {
        const inFlight = held > 0 ? `, $${formatUsd(held)} more held by calls in flight` : '';
        const note = limit.note ? ` (${limit.note})` : '';
        const state = left > 0 ? 'is nearly spent' : 'is spent';
        const dear = left > 0 ? `, and this call's input may cost up to $${formatUsd(input)}` : '';
        const message = `${limit.name} ${state}: $${formatUsd(spent)} of $${formatUsd(limit.limitMicros)}${inFlight}${note}${dear}`;
        await this.recordRefusal(attempt, message);
        return { allowed: false, message };
      }
      remaining = Math.min(remaining, left - input);
    }
    const maxTokens = Math.min(call.maxTokens, affordableOutputTokens(call.price, remaining));
    const held = callCostMicros(call.price, reservedTokens(call.price, call.input, maxTokens));
    return { allowed: true, maxTokens, release: this.reserve(limits, held) };
  }

  /** Holds `micros` against each limit; the function returned lets go of it (once). */
  private reserve(limits: SpendLimit[], micros: number): () => void {
    for (const { name } of limits) this.reserved.set(name, (this.reserved.get(name) ?? 0) + micros);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const { name } of limits) {
        const left = (this.reserved.get(name) ?? 0) - micros;
        if (left > 0) this.reserved.set(name, left);
        else this.reserved.delete(name);
      }
    };
  }

  record(attempt: GatewayAttempt, call: MeteredCall): Promise<void> {
    return this.ledger.record(attempt, call);
  }

  private async recordRefusal(attempt: GatewayAttempt, message: string): Promise<void> {
    const key = attemptKey(attempt);
    if (this.refused.has(key)) return;
    // Not written (the apiserver did not answer): the call is refused all the same, and the next
    // refused call of the attempt tries again.
    if (
      !(await this.ledger.refuse(attempt, message).then(
        () => true,
        () => false,
      ))
    )
      return;
    if (this.refused.size >= REMEMBERED_REFUSALS) this.refused.clear();
    this.refused.add(key);
  }
}
