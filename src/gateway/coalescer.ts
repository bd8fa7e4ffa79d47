// Changes of one key made together (the ledger's writes, kube-ledger.ts): at most one write of a key at
// a time and one per interval; the changes that come meanwhile wait and go into the next write, in the
// order they came, and each resolves (or fails) with that write. So the writes of a key are bounded by
// the interval however many calls its attempt makes, and a change waits one interval at most.
import { setTimeout as sleep } from 'node:timers/promises';

interface Pending<C> {
  change: C;
  resolve: () => void;
  reject: (err: Error) => void;
}

interface KeyState<C> {
  pending: Pending<C>[];
  /** When the last write of the key started. */
  lastMs: number;
  writing: boolean;
}

export class Coalescer<C> {
  private readonly keys = new Map<string, KeyState<C>>();

  constructor(
    /** Writes every change of `key` given, in order; the changes wait for it. */
    private readonly write: (key: string, changes: C[]) => Promise<void>,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  add(key: string, change: C): Promise<void> {
    const state = this.keys.get(key) ?? { pending: [], lastMs: Number.NEGATIVE_INFINITY, writing: false };
    this.keys.set(key, state);
    const done = new Promise<void>((resolve, reject) => state.pending.push({ change, resolve, reject }));
    if (!state.writing) void this.run(key, state);
    return done;
  }

  /** Writes the key's pending changes, one write per interval, until none is left. */
  private async run(key: string, state: KeyState<C>): Promise<void> {
    state.writing = true;
    while (state.pending.length > 0) {
      const wait = state.lastMs + this.intervalMs - this.now();
      if (wait > 0) await sleep(wait);
      const batch = state.pending.splice(0);
      state.lastMs = this.now();
      try {
        await this.write(
          key,
          batch.map((p) => p.change),
        );
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err as Error);
      }
    }
    state.writing = false;
    // A key written less often than the interval is forgotten: the next write of it goes at once.
    if (this.now() - state.lastMs >= this.intervalMs) this.keys.delete(key);
    else setTimeout(() => this.forget(key, state), this.intervalMs).unref();
  }

  private forget(key: string, state: KeyState<C>): void {
    if (!state.writing && state.pending.length === 0 && this.keys.get(key) === state) this.keys.delete(key);
  }
}
