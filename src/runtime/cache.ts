// What the manager runs and the controllers read: a cache of one resource kept in step with the
// apiserver. An Informer is one (one namespace or all); a NamespacedInformer joins several.
import type { Logger } from 'pino';
import type { EventSource, ResourceEventHandler } from './event-handlers.js';
import { type KubeObject, objectKey } from './object.js';
import type { ReadOnlyStore } from './store.js';

export interface Cache<T extends KubeObject = KubeObject> extends EventSource<T> {
  readonly store: ReadOnlyStore<T>;
  /** Resolves once the first list has been cached and its events delivered. */
  readonly synced: Promise<void>;
  hasSynced(): boolean;
  start(): void;
  stop(): Promise<void>;
}

/** What every cache does alike: its handlers, and handing each event to all of them. */
export abstract class CacheBase<T extends KubeObject> implements Cache<T> {
  abstract readonly store: ReadOnlyStore<T>;
  abstract readonly synced: Promise<void>;
  protected abstract readonly logger: Logger;
  protected isSynced = false;
  private readonly handlers = new Set<ResourceEventHandler<T>>();

  abstract start(): void;
  abstract stop(): Promise<void>;

  hasSynced(): boolean {
    return this.isSynced;
  }

  list(): T[] {
    return this.store.list();
  }

  addHandler(handler: ResourceEventHandler<T>): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** One handler that throws is logged and does not keep the event from the others. */
  protected emit(kind: 'add' | 'update' | 'delete', obj: T, previous?: T): void {
    for (const handler of this.handlers) {
      try {
        if (kind === 'add') handler.onAdd?.(obj);
        else if (kind === 'update') handler.onUpdate?.(previous as T, obj);
        else handler.onDelete?.(obj);
      } catch (err) {
        this.logger.error({ err, event: kind, key: objectKey(obj) }, 'event handler failed');
      }
    }
  }
}
