// The informer's in-memory cache: objects by namespace, then name. Reconcilers read from it and must
// treat what they get as read-only (it is shared with every other reader).
import type { KubeObject } from './object.js';

/** What a reconciler may do with a cache: read (the informer alone writes it). */
export interface ReadOnlyStore<T extends KubeObject = KubeObject> {
  get(namespace: string, name: string): T | undefined;
  /** Every object, or those of one namespace. */
  list(namespace?: string): T[];
}

export class Store<T extends KubeObject = KubeObject> implements ReadOnlyStore<T> {
  private readonly byNamespace = new Map<string, Map<string, T>>();
  private count = 0;

  get(namespace: string, name: string): T | undefined {
    return this.byNamespace.get(namespace)?.get(name);
  }

  /** Every object, or those of one namespace. */
  list(namespace?: string): T[] {
    if (namespace !== undefined) return [...(this.byNamespace.get(namespace)?.values() ?? [])];
    const all: T[] = [];
    for (const objects of this.byNamespace.values()) all.push(...objects.values());
    return all;
  }

  get size(): number {
    return this.count;
  }

  /** Stores `obj` under its namespace/name; returns what it replaced. */
  set(obj: T): T | undefined {
    const namespace = obj.metadata?.namespace ?? '';
    const name = obj.metadata?.name ?? '';
    let objects = this.byNamespace.get(namespace);
    if (!objects) {
      objects = new Map();
      this.byNamespace.set(namespace, objects);
    }
    const previous = objects.get(name);
    objects.set(name, obj);
    if (!previous) this.count++;
    return previous;
  }

  delete(namespace: string, name: string): T | undefined {
    const objects = this.byNamespace.get(namespace);
    const previous = objects?.get(name);
    if (!objects || !previous) return undefined;
    objects.delete(name);
    if (objects.size === 0) this.byNamespace.delete(namespace);
    this.count--;
    return previous;
  }
}
