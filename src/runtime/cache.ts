// What the manager runs and the controllers read: a cache of one resource kept in step with the
// apiserver. An Informer is one (one namespace or all); a NamespacedInformer joins several.
import type { EventSource } from './event-handlers.js';
import type { KubeObject } from './object.js';
import type { ReadOnlyStore } from './store.js';

export interface Cache<T extends KubeObject = KubeObject> extends EventSource<T> {
  readonly store: ReadOnlyStore<T>;
  /** Resolves once the first list has been cached and its events delivered. */
  readonly synced: Promise<void>;
  hasSynced(): boolean;
  start(): void;
  stop(): Promise<void>;
}
