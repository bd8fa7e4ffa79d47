// An informer that never goes silent: list, then watch from the list's resourceVersion; resume the
// watch from the last seen resourceVersion after any interruption; relist when the apiserver says that
// version is gone (410); back off with jitter between failed attempts; and restart a watch that has
// been silent longer than the apiserver's bookmark interval allows. client-node's informer stops on
// the first error, which is what this replaces.
// The design it implements: docs/design.md §1.2.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { type BackoffPolicy, backoffDelay } from './backoff.js';
import { CacheBase } from './cache.js';
import {
  ApiError,
  isGone,
  type KubeClient,
  METADATA_LIST,
  METADATA_OBJECT,
  type ResourceType,
  resourcePath,
  type WatchEvent,
} from './kube-client.js';
import { type KubeObject, objectKey, stripForCache } from './object.js';
import { Store } from './store.js';

export interface InformerOptions {
  client: KubeClient;
  resource: ResourceType;
  logger: Logger;
  /** Only objects of this namespace. Default: every namespace. */
  namespace?: string;
  /** Only objects matching this label selector (`a=b,c in (d)`). Default: all. */
  labelSelector?: string;
  /** Only objects matching this field selector. Default: all. */
  fieldSelector?: string;
  /** Applied to every object before it is cached. Default: {@link stripForCache}. */
  transform?: (obj: KubeObject) => KubeObject;
  /**
   * Cache only each object's metadata (the apiserver sends no more), for caches whose readers need
   * nothing else, like controller-runtime's metadata-only watches. Cached objects keep the resource's
   * apiVersion and kind. Default false.
   */
  metadataOnly?: boolean;
  /** Delay before the first retry after an error or an unhealthy close; doubles per failure. Default 1 s. */
  backoffInitialMs?: number;
  /** Cap on the retry delay. Default 30 s. */
  backoffMaxMs?: number;
  /** Share of each delay randomly taken off (0–1). Default 0.2. */
  backoffJitter?: number;
  /**
   * A watch that delivers nothing, not even a bookmark, for this long is presumed dead and restarted.
   * The apiserver's watch cache sends a bookmark about once a minute. Default 3 min.
   */
  staleAfterMs?: number;
  /** The server ends each watch after a random time in [t, 2t) s (client-go's minWatchTimeout). Default 300. */
  watchTimeoutSeconds?: number;
  /** Objects per list page. Default 500. */
  pageSize?: number;
  /** Limit on each list page and on a watch's response headers. Default 60 s. */
  requestTimeoutMs?: number;
  /** Randomness in [0, 1) for jitter and watch timeouts. Default Math.random. */
  random?: () => number;
}

/** Counters for operators and tests: each says how often the informer went through that path. */
export interface InformerStats {
  lists: number;
  watches: number;
  /** Watches refused or ended with 410 Gone (followed by a relist). */
  expired: number;
  /** Watches restarted by the staleness watchdog. */
  staleRestarts: number;
  /** Failed lists and watches (network errors, non-410 HTTP errors, unhealthy closes). */
  errors: number;
  events: number;
}

type Outcome = { kind: 'closed' | 'expired' | 'stale' | 'error'; healthy: boolean; err?: unknown };

interface ListResponse {
  apiVersion?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items?: KubeObject[];
}

export class Informer<T extends KubeObject = KubeObject> extends CacheBase<T> {
  readonly store = new Store<T>();
  /** Resolves once the first list has been cached and its events delivered. */
  readonly synced: Promise<void>;
  readonly stats: InformerStats = {
    lists: 0,
    watches: 0,
    expired: 0,
    staleRestarts: 0,
    errors: 0,
    events: 0,
  };
  private readonly opts: Required<
    Omit<InformerOptions, 'namespace' | 'labelSelector' | 'fieldSelector' | 'metadataOnly'>
  > &
    Pick<InformerOptions, 'namespace' | 'labelSelector' | 'fieldSelector'>;
  /** The Accept headers of lists and watches, and the apiVersion to give objects (metadata-only). */
  private readonly metadataOnly: { list: string; watch: string; apiVersion: string } | undefined;
  private readonly backoff: BackoffPolicy;
  private readonly path: string;
  protected readonly logger: Logger;
  private resolveSynced!: () => void;
  private resourceVersion = '';
  private stopping: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(opts: InformerOptions) {
    super();
    this.opts = {
      transform: stripForCache,
      backoffInitialMs: 1_000,
      backoffMaxMs: 30_000,
      backoffJitter: 0.2,
      staleAfterMs: 180_000,
      watchTimeoutSeconds: 300,
      pageSize: 500,
      requestTimeoutMs: 60_000,
      random: Math.random,
      ...opts,
    };
    this.backoff = {
      initialMs: this.opts.backoffInitialMs,
      maxMs: this.opts.backoffMaxMs,
      jitter: this.opts.backoffJitter,
    };
    this.path = resourcePath(opts.resource, opts.namespace);
    const { group, version } = opts.resource;
    this.metadataOnly = opts.metadataOnly
      ? { list: METADATA_LIST, watch: METADATA_OBJECT, apiVersion: group ? `${group}/${version}` : version }
      : undefined;
    this.logger = opts.logger.child({
      informer: opts.resource.plural,
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
      ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}),
    });
    this.synced = new Promise((resolve) => {
      this.resolveSynced = resolve;
    });
  }

  start(): void {
    if (this.running) return;
    this.stopping = new AbortController();
    this.running = this.loop(this.stopping.signal);
  }

  async stop(): Promise<void> {
    this.stopping?.abort(new Error('informer stopped'));
    await this.running;
    this.running = undefined;
  }

  private async loop(stop: AbortSignal): Promise<void> {
    let failures = 0;
    while (!stop.aborted) {
      let outcome: Outcome;
      try {
        if (!this.resourceVersion) await this.relist(stop);
        outcome = await this.watchOnce(stop);
      } catch (err) {
        outcome = { kind: isGone(err) ? 'expired' : 'error', healthy: false, err };
      }
      if (stop.aborted) break;
      if (outcome.healthy) failures = 0;
      let delay = 0;
      if (outcome.kind === 'expired') {
        this.stats.expired++;
        this.resourceVersion = '';
        // The first 410 is routine (a compacted or restarted watch cache): relist at once.
        if (failures > 0) delay = backoffDelay(failures - 1, this.backoff, this.opts.random);
        failures++;
      } else if (outcome.kind === 'stale' || outcome.kind === 'error' || !outcome.healthy) {
        if (outcome.kind === 'stale') this.stats.staleRestarts++;
        else this.stats.errors++;
        delay = backoffDelay(failures, this.backoff, this.opts.random);
        failures++;
      }
      const log = outcome.kind === 'closed' && outcome.healthy ? this.logger.debug : this.logger.info;
      log.call(
        this.logger,
        {
          outcome: outcome.kind,
          err: outcome.err,
          delayMs: Math.round(delay),
          resourceVersion: this.resourceVersion,
        },
        'watch ended; restarting',
      );
      if (delay > 0) await sleep(delay, undefined, { signal: stop }).catch(() => undefined);
    }
  }

  private async relist(stop: AbortSignal): Promise<void> {
    const items: T[] = [];
    let token: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.opts.client.request<ListResponse>('GET', this.path, {
        query: {
          limit: this.opts.pageSize,
          continue: token,
          labelSelector: this.opts.labelSelector,
          fieldSelector: this.opts.fieldSelector,
        },
        timeoutMs: this.opts.requestTimeoutMs,
        signal: stop,
        ...(this.metadataOnly ? { accept: this.metadataOnly.list } : {}),
      });
      for (const item of page.items ?? []) items.push(this.ingest(item, page.apiVersion));
      token = page.metadata?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion ?? '';
    } while (token);
    this.replace(items);
    this.resourceVersion = resourceVersion;
    this.stats.lists++;
    this.logger.info({ objects: items.length, resourceVersion }, 'listed');
    if (!this.isSynced) {
      this.isSynced = true;
      this.resolveSynced();
    }
  }

  /** Makes the cache equal to a fresh list, announcing only what differs (deletions included). */
  private replace(items: T[]): void {
    const seen = new Set<string>();
    for (const obj of items) {
      seen.add(objectKey(obj));
      const previous = this.store.set(obj);
      if (!previous) this.emit('add', obj);
      else if (previous.metadata?.resourceVersion !== obj.metadata?.resourceVersion)
        this.emit('update', obj, previous);
    }
    for (const obj of this.store.list()) {
      if (seen.has(objectKey(obj))) continue;
      this.store.delete(obj.metadata?.namespace ?? '', obj.metadata?.name ?? '');
      this.emit('delete', obj);
    }
  }

  private async watchOnce(stop: AbortSignal): Promise<Outcome> {
    const abort = new AbortController();
    const onStop = () => abort.abort(stop.reason);
    stop.addEventListener('abort', onStop, { once: true });
    // stop() may have come while the relist before this watch was running.
    if (stop.aborted) onStop();
    const openedAt = Date.now();
    let events = 0;
    let ending: 'expired' | 'stale' | undefined;
    let watchdog: NodeJS.Timeout | undefined;
    const endAs = (why: 'expired' | 'stale') => {
      ending = why;
      abort.abort(new Error(`watch ${why}`));
    };
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => endAs('stale'), this.opts.staleAfterMs);
    };
    const healthy = () => events > 0 || Date.now() - openedAt >= this.backoff.maxMs;
    arm();
    try {
      await this.opts.client.watch(
        this.path,
        {
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: Math.floor(this.opts.watchTimeoutSeconds * (1 + this.opts.random())),
          labelSelector: this.opts.labelSelector,
          fieldSelector: this.opts.fieldSelector,
        },
        (event) => {
          events++;
          this.stats.events++;
          arm();
          if (this.apply(event) === 'expired') endAs('expired');
        },
        {
          signal: abort.signal,
          ...(this.metadataOnly ? { accept: this.metadataOnly.watch } : {}),
          connectTimeoutMs: this.opts.requestTimeoutMs,
          onOpen: () => {
            this.stats.watches++;
            arm();
          },
        },
      );
      return { kind: 'closed', healthy: healthy() };
    } catch (err) {
      if (ending) return { kind: ending, healthy: ending === 'expired' ? false : healthy() };
      throw err;
    } finally {
      clearTimeout(watchdog);
      stop.removeEventListener('abort', onStop);
    }
  }

  /**
   * The object as cached. List items omit apiVersion/kind and watch events carry them; metadata-only
   * objects carry PartialObjectMetadata's: every cached object gets its resource's.
   */
  private ingest(obj: KubeObject, listApiVersion?: string): T {
    if (this.metadataOnly) {
      obj.apiVersion = this.metadataOnly.apiVersion;
      obj.kind = this.opts.resource.kind;
    } else {
      obj.apiVersion ??= listApiVersion;
      obj.kind ??= this.opts.resource.kind;
    }
    return this.opts.transform(obj) as T;
  }

  private apply(event: WatchEvent): 'expired' | undefined {
    const obj = event.object;
    if (event.type === 'ERROR') {
      const status = obj as { code?: number; reason?: string; message?: string };
      if (status.code === 410) return 'expired';
      throw new ApiError(
        status.code ?? 0,
        status.reason ?? '',
        `watch error event: ${status.message ?? JSON.stringify(obj)}`,
        obj,
      );
    }
    const resourceVersion = obj.metadata?.resourceVersion;
    if (event.type === 'BOOKMARK') {
      if (resourceVersion) this.resourceVersion = resourceVersion;
      return undefined;
    }
    const cached = this.ingest(obj);
    if (event.type === 'DELETED') {
      this.store.delete(cached.metadata?.namespace ?? '', cached.metadata?.name ?? '');
      this.emit('delete', cached);
    } else {
      const previous = this.store.set(cached);
      if (previous) this.emit('update', cached, previous);
      else this.emit('add', cached);
    }
    if (resourceVersion) this.resourceVersion = resourceVersion;
    return undefined;
  }
}
