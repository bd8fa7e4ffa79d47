// The REST API's watches in unit tests (src/rest/watch.ts takes a RunWatcher, the manager's KubeClient
// in the process): each watch is recorded with its path and query and stays open until the test sends
// its events and ends it, fails it before it opens, or the caller's signal aborts it.
import type { RunWatcher } from '../../../src/rest/watch.js';
import type { Query, WatchEvent } from '../../../src/runtime/index.js';

export interface OpenWatch {
  path: string;
  query: Query;
  send(event: WatchEvent): void;
  end(): void;
  /** Whether the caller's signal ended it (the stream's caller left). */
  aborted(): boolean;
}

export class ScriptedWatcher implements RunWatcher {
  readonly watches: OpenWatch[] = [];
  /** Set to refuse the next watch before it opens, as the apiserver refuses a stale resourceVersion. */
  refuseWith: Error | undefined;
  private waiters: Array<(w: OpenWatch) => void> = [];

  watch: RunWatcher['watch'] = (path, query, onEvent, opts) => {
    if (this.refuseWith) return Promise.reject(this.refuseWith);
    return new Promise<void>((resolve, reject) => {
      const watch: OpenWatch = {
        path,
        query,
        send: onEvent,
        end: resolve,
        aborted: () => opts.signal.aborted,
      };
      opts.signal.addEventListener('abort', () => reject(opts.signal.reason), { once: true });
      this.watches.push(watch);
      opts.onOpen?.();
      for (const waiter of this.waiters.splice(0)) waiter(watch);
    });
  };

  /** The next watch opened (or the last, when one is open already and none is awaited). */
  next(): Promise<OpenWatch> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
