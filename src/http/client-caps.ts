// What one client may hold of a listener's requests in flight (docs/security.md "Listener budgets"):
// per key (a client address, a credential), so a few clients cannot take every slot of the listener
// between them and leave the rest 503. A rate per address bounds how fast slots are taken; this bounds
// how many are held, which is what a client sending its body slowly, or never, spends.
import type { IncomingMessage } from 'node:http';

/** One cap: at most `maxInFlight` requests at once with the same key. */
export interface ClientCap {
  /** What the key is, for the refusal (e.g. `address`, `credential`). */
  what: string;
  maxInFlight: number;
  /** The request's key; undefined: the cap does not apply to it (e.g. no credential sent). */
  keyOf(req: IncomingMessage): string | undefined;
}

/** Requests in flight per key, for each cap. */
export class ClientCaps {
  private readonly held: Map<string, number>[];

  constructor(readonly caps: readonly ClientCap[]) {
    this.held = caps.map(() => new Map());
  }

  /** The cap `req` would pass, or the first it would not (nothing taken). */
  full(req: IncomingMessage): ClientCap | undefined {
    return this.caps.find((cap, i) => {
      const key = cap.keyOf(req);
      return key !== undefined && (this.held[i]?.get(key) ?? 0) >= cap.maxInFlight;
    });
  }

  /** Takes a slot of each cap for `req`; the function returned gives them back (once). */
  take(req: IncomingMessage): () => void {
    const keys = this.caps.map((cap) => cap.keyOf(req));
    keys.forEach((key, i) => {
      const held = this.held[i];
      if (key !== undefined && held) held.set(key, (held.get(key) ?? 0) + 1);
    });
    return () =>
      keys.forEach((key, i) => {
        const held = this.held[i];
        if (key === undefined || !held) return;
        const left = (held.get(key) ?? 1) - 1;
        if (left <= 0) held.delete(key);
        else held.set(key, left);
      });
  }
}
