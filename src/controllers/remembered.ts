// A bounded memory of what a leader's controller observed and did (the play stages', the notifier's),
// keyed by run or report: the oldest entry dropped first, so a long-lived leader holds at most
// MAX_REMEMBERED of each.

/** Entries remembered at most. */
export const MAX_REMEMBERED = 4096;

export class Remembered<V> extends Map<string, V> {
  override set(key: string, value: V): this {
    super.delete(key);
    super.set(key, value);
    while (this.size > MAX_REMEMBERED) this.delete(this.keys().next().value as string);
    return this;
  }
}
