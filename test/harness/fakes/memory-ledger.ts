// A ledger held in the process (a fake of the gateway's Ledger): one replica's view, for unit tests and
// the offline benchmark. The
// cluster's ledger is shared by the replicas (docs/economics.md "The model gateway").
import type { GatewayAttempt, MeteredCall } from '../../../src/gateway/handler.js';
import { attemptKey } from '../../../src/gateway/ledger-record.js';
import type { Ledger } from '../../../src/gateway/spend-gate.js';

export interface LedgerEntry {
  attempt: GatewayAttempt;
  call: MeteredCall;
  atMs: number;
}

export class MemoryLedger implements Ledger {
  readonly entries: LedgerEntry[] = [];
  /** The first refusal of each attempt, by attemptKey. */
  readonly refusals = new Map<string, string>();
  /** What each attempt spent, by attemptKey: summed as calls come, as the cluster's ledger keeps one record per attempt and day. */
  private readonly spent = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async record(attempt: GatewayAttempt, call: MeteredCall): Promise<void> {
    this.entries.push({ attempt, call, atMs: this.now() });
    const key = attemptKey(attempt);
    this.spent.set(key, (this.spent.get(key) ?? 0) + call.costMicros);
  }

  async refuse(attempt: GatewayAttempt, refusal: string): Promise<void> {
    const key = attemptKey(attempt);
    if (!this.refusals.has(key)) this.refusals.set(key, refusal);
  }

  async attemptSpent(attempt: GatewayAttempt): Promise<number> {
    return this.spent.get(attemptKey(attempt)) ?? 0;
  }

  async spentSince(covers: (namespace: string) => boolean, sinceMs: number): Promise<number> {
    return this.entries
      .filter((e) => e.atMs >= sinceMs && covers(e.attempt.namespace))
      .reduce((total, e) => total + e.call.costMicros, 0);
  }
}
