// A ledger held in the process: one replica's view, for tests and for the offline benchmark. The
// cluster's ledger is shared by the replicas (docs/economics.md "The model gateway").
import type { GatewayAttempt, MeteredCall } from './handler.js';
import { attemptKey } from './ledger-record.js';
import type { Ledger } from './spend-gate.js';

export interface LedgerEntry {
  attempt: GatewayAttempt;
  call: MeteredCall;
  atMs: number;
}

export class MemoryLedger implements Ledger {
  readonly entries: LedgerEntry[] = [];
  /** The first refusal of each attempt, by attemptKey. */
  readonly refusals = new Map<string, string>();

  constructor(private readonly now: () => number = Date.now) {}

  async record(attempt: GatewayAttempt, call: MeteredCall): Promise<void> {
    this.entries.push({ attempt, call, atMs: this.now() });
  }

  async refuse(attempt: GatewayAttempt, refusal: string): Promise<void> {
    const key = attemptKey(attempt);
    if (!this.refusals.has(key)) this.refusals.set(key, refusal);
  }

  async attemptSpent(attempt: GatewayAttempt): Promise<number> {
    const key = attemptKey(attempt);
    return this.sum((e) => attemptKey(e.attempt) === key);
  }

  async spentSince(covers: (namespace: string) => boolean, sinceMs: number): Promise<number> {
    return this.sum((e) => e.atMs >= sinceMs && covers(e.attempt.namespace));
  }

  private sum(which: (e: LedgerEntry) => boolean): number {
    return this.entries.filter(which).reduce((total, e) => total + e.call.costMicros, 0);
  }
}
