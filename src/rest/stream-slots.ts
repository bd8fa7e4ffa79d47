// The REST API's long-lived answers (watches) held to a number at once, per replica and per caller: a
// stream holds a connection and an apiserver watch for minutes, where a request holds them for a
// moment, so the request budget (api.limits) alone would let one caller hold them all.
import { statusError } from './status.js';

export interface StreamLimits {
  /** Streams open at once on this replica. */
  total: number;
  /** Streams open at once per authenticated user. */
  perUser: number;
}

export class StreamSlots {
  private open = 0;
  private readonly byUser = new Map<string, number>();

  constructor(private readonly limits: StreamLimits) {}

  /** A slot for `user` (its release function), or 429 naming the limit reached. */
  take(user: string): () => void {
    const mine = this.byUser.get(user) ?? 0;
    if (mine >= this.limits.perUser)
      throw statusError(429, `"${user}" has ${mine} watches open, the most one caller may hold at once`, {
        retryAfterSeconds: 5,
      });
    if (this.open >= this.limits.total)
      throw statusError(429, `this replica serves ${this.open} watches, the most it holds at once`, {
        retryAfterSeconds: 5,
      });
    this.open++;
    this.byUser.set(user, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open--;
      const left = (this.byUser.get(user) ?? 1) - 1;
      if (left > 0) this.byUser.set(user, left);
      else this.byUser.delete(user);
    };
  }
}
