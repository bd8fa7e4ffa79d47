// Which namespaces the manager's caches cover, and the caches that cover exactly those: every
// namespace (one cluster-wide informer per resource), a fixed list (one informer per namespace and
// resource), or the namespaces a label selector matches (the same, following a namespace informer
// as namespaces gain or lose the labels). The scope is fixed when the caches are made.
// The design it implements: docs/design.md §1.2.
import type { Logger } from 'pino';
import type { Cache } from './cache.js';
import { Informer, type InformerOptions } from './informer.js';
import type { KubeClient, ResourceType } from './kube-client.js';
import { NamespacedInformer } from './namespaced-informer.js';
import type { KubeObject } from './object.js';

export type NamespaceScope =
  | { all: true }
  | { namespaces: readonly string[] }
  /** A label selector of namespaces, in the apiserver's syntax (`team=x`). */
  | { selector: string };

export const NAMESPACES: ResourceType = { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace' };

/** What is said of one resource's cache; the scope decides the namespaces. */
export type ResourceCacheOptions = Omit<InformerOptions, 'namespace' | 'client' | 'logger'>;

export interface ScopedCaches {
  /** A cache of one resource over exactly the scope's namespaces (made, not started). */
  informer<T extends KubeObject = KubeObject>(opts: ResourceCacheOptions): Cache<T>;
  /** The caches the scope itself needs (the selector's namespace informer), for the manager to run. */
  readonly own: Cache[];
  /** The selected namespaces (with their labels), when the scope follows a selector. */
  readonly namespaces?: Cache;
}

export function scopedCaches(scope: NamespaceScope, client: KubeClient, logger: Logger): ScopedCaches {
  if ('all' in scope) return { informer: (opts) => new Informer({ ...opts, client, logger }), own: [] };
  const caches: Pick<NamespacedInformer, 'addNamespace' | 'removeNamespace'>[] = [];
  const namespaces = 'namespaces' in scope ? scope.namespaces : [];
  const selected =
    'selector' in scope
      ? new Informer({ client, logger, resource: NAMESPACES, labelSelector: scope.selector })
      : undefined;
  selected?.addHandler({
    onAdd: (ns) => {
      logger.info({ namespace: ns.metadata?.name }, 'namespace selected: reconciling its runs');
      for (const cache of caches) cache.addNamespace(ns.metadata?.name ?? '');
    },
    // The apiserver sends a namespace that stops matching the selector as deleted.
    onDelete: (ns) => {
      logger.info({ namespace: ns.metadata?.name }, 'namespace no longer selected: its runs are left alone');
      for (const cache of caches) cache.removeNamespace(ns.metadata?.name ?? '');
    },
  });
  return {
    informer: <T extends KubeObject>(opts: ResourceCacheOptions) => {
      const cache = new NamespacedInformer<T>({
        informer: (namespace) => new Informer<T>({ ...opts, client, logger, namespace }),
        logger,
        namespaces: selected ? selected.list().map((ns) => ns.metadata?.name ?? '') : namespaces,
        ...(selected ? { scopeKnown: selected.synced } : {}),
      });
      caches.push(cache);
      return cache;
    },
    own: selected ? [selected] : [],
    ...(selected ? { namespaces: selected } : {}),
  };
}
