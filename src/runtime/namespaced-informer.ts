// One resource over a set of namespaces that may change while it runs: one Informer per namespace,
// seen as one cache. A namespace added later is listed and its objects arrive as adds; a namespace
// removed is forgotten at once, its objects announced as deletes (so whatever counted them stops),
// and its informer stopped. Namespaced informers need only namespaced permissions (RoleBindings).
// The design it implements: docs/design.md §1.2.
import type { Logger } from 'pino';
import { CacheBase } from './cache.js';
import type { Informer } from './informer.js';
import type { KubeObject } from './object.js';
import type { ReadOnlyStore } from './store.js';

export interface NamespacedInformerOptions<T extends KubeObject> {
  /** The informer of one namespace (not started: this starts and stops it). */
  informer: (namespace: string) => Informer<T>;
  logger: Logger;
  /** The namespaces known from the start. Default none. */
  namespaces?: Iterable<string>;
  /**
   * Resolves once the set of namespaces is known (e.g. a namespace informer synced): this cache is
   * synced when that set's informers are. Default: known from the start.
   */
  scopeKnown?: Promise<void>;
}

interface Member<T extends KubeObject> {
  informer: Informer<T>;
  detach: () => void;
  /** Resolves when the namespace leaves the set (its informer may never sync). */
  left: Promise<void>;
  leave: () => void;
}

export class NamespacedInformer<T extends KubeObject = KubeObject> extends CacheBase<T> {
  readonly store: ReadOnlyStore<T> = {
    get: (namespace, name) => this.members.get(namespace)?.informer.store.get(namespace, name),
    list: (namespace) =>
      namespace !== undefined
        ? (this.members.get(namespace)?.informer.store.list(namespace) ?? [])
        : [...this.members.values()].flatMap((m) => m.informer.store.list()),
  };
  readonly synced: Promise<void>;
  private readonly members = new Map<string, Member<T>>();
  /** Informers of namespaces that left, until they have stopped. */
  private readonly leaving = new Set<Promise<void>>();
  private running = false;

  protected readonly logger: Logger;

  constructor(private readonly opts: NamespacedInformerOptions<T>) {
    super();
    this.logger = opts.logger;
    for (const namespace of opts.namespaces ?? []) this.addNamespace(namespace);
    this.synced = (async () => {
      await opts.scopeKnown;
      const members = [...this.members.values()];
      await Promise.all(members.map((m) => Promise.race([m.informer.synced, m.left])));
      this.isSynced = true;
    })();
  }

  /** The namespaces cached now. */
  namespaces(): string[] {
    return [...this.members.keys()];
  }

  addNamespace(namespace: string): void {
    if (this.members.has(namespace)) return;
    const informer = this.opts.informer(namespace);
    const detach = informer.addHandler({
      onAdd: (obj) => this.emit('add', obj),
      onUpdate: (previous, obj) => this.emit('update', obj, previous),
      onDelete: (obj) => this.emit('delete', obj),
    });
    let leave = () => {};
    const left = new Promise<void>((resolve) => {
      leave = resolve;
    });
    this.members.set(namespace, { informer, detach, left, leave });
    if (this.running) informer.start();
  }

  removeNamespace(namespace: string): void {
    const member = this.members.get(namespace);
    if (!member) return;
    // Detached first: nothing the old informer still delivers can follow the deletes below (or the
    // adds of the namespace coming back).
    this.members.delete(namespace);
    member.detach();
    member.leave();
    for (const obj of member.informer.store.list()) this.emit('delete', obj);
    const stopping = member.informer.stop().finally(() => this.leaving.delete(stopping));
    this.leaving.add(stopping);
  }

  start(): void {
    this.running = true;
    for (const member of this.members.values()) member.informer.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all([...[...this.members.values()].map((m) => m.informer.stop()), ...this.leaving]);
  }
}
