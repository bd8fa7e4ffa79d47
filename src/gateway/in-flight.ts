// The calls a replica is serving, so that a replica that stops (its pod deleted: the leader too) lets
// them end and records what they used before it exits (docs/design.md §10): a call counts from the
// moment it is sent upstream until its usage is in the ledger, or it has failed to be.
import { setTimeout as sleep } from 'node:timers/promises';

export class InFlight {
  private count = 0;
  private waiters: (() => void)[] = [];

  /** Counts one call; the function returned ends it (once, however often it is called). */
  begin(): () => void {
    this.count++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.count--;
      if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
    };
  }

  get calls(): number {
    return this.count;
  }

  /** Whether every call ended within `timeoutMs`. */
  async idle(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return true;
    const ac = new AbortController();
    const idle = new Promise<true>((resolve) => this.waiters.push(() => resolve(true)));
    const late = sleep(timeoutMs, false as const, { signal: ac.signal }).catch(() => false as const);
    const ended = await Promise.race([idle, late]);
    ac.abort();
    return ended;
  }
}
