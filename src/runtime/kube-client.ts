// A small JSON client for the Kubernetes API over undici (kube-dispatcher.ts), authenticated from a
// KubeConfig. The runtime needs what the generated client does not give: a timeout on every call, an
// abortable streaming watch whose silence we can detect, raw JSON objects for the cache, and exact
// control of wire formats (Lease MicroTime). Reconcilers may use it, or any other client.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Counter, Registry } from 'prom-client';
import type { Dispatcher } from 'undici';
import { ApiError, apiError, RequestTimeoutError } from './api-error.js';
import type { Clock } from './clock.js';
import { KubeCredentials, type ResolvedCredentials, type TlsMaterial } from './kube-credentials.js';
import { kubeDispatcher } from './kube-dispatcher.js';
import { ConsumerError, Exchange } from './kube-exchange.js';
import { restClientMetrics } from './metrics.js';
import type { KubeObject } from './object.js';

export type Query = Record<string, string | number | boolean | undefined>;

export {
  ApiError,
  isBadRequest,
  isConflict,
  isForbidden,
  isGone,
  isInvalid,
  isNotFound,
  isServerBusy,
  RequestTimeoutError,
} from './api-error.js';

export interface KubeClientOptions {
  /** Limit on each request without its own timeout (for a watch: until the response starts). Default 30 s. */
  requestTimeoutMs?: number;
  /** Where every request is counted (`rest_client_requests_total`). Default: not counted. */
  registry?: Registry;
  /** When dynamic credentials are due for a refresh (kube-credentials.ts). Default: real time. */
  clock?: Clock;
  /**
   * Runs around each request (not watches or streams), e.g. to trace it: the process wires tracing in
   * (src/app) so that the transport depends on nothing above it. Default: the request alone.
   */
  around?: AroundCall;
}

/** Wraps one request: must call `send` once and settle as it does. */
export type AroundCall = <T>(method: string, path: string, send: () => Promise<T>) => Promise<T>;

export interface CallOptions {
  query?: Query;
  body?: unknown;
  /** Default application/json; e.g. application/merge-patch+json for PATCH. */
  contentType?: string;
  /** Default application/json; e.g. {@link METADATA_LIST} to receive only metadata. */
  accept?: string;
  /** Default: the client's requestTimeoutMs. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * The caller does not use a 2xx answer: it is drained unread (no buffering, no JSON parse: a
   * ConfigMap POST answers with the whole ConfigMap) and the call resolves to undefined. An error
   * answer is still read for its Status.
   */
  discardAnswer?: boolean;
}

/** Options of a call whose answer is not used (see {@link CallOptions.discardAnswer}). */
export type DiscardingCallOptions = CallOptions & { discardAnswer: true };

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject;
}

export interface WatchOptions {
  /** Ends the watch; the returned promise then rejects with the signal's reason. */
  signal: AbortSignal;
  /** Limit on receiving the response headers. Default: the client's requestTimeoutMs. */
  connectTimeoutMs?: number;
  /** Called once the apiserver accepted the watch (HTTP 200). */
  onOpen?: () => void;
  /** Default application/json; {@link METADATA_OBJECT} streams only each object's metadata. */
  accept?: string;
}

/**
 * Accept headers asking the apiserver for metadata alone (PartialObjectMetadata), as client-go's
 * metadata informers do: a list's items and a watch's objects then carry apiVersion, kind and metadata.
 */
export const METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
export const METADATA_OBJECT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

/** A streaming GET's options; for a pod's log, `accept` any type: its endpoint refuses text/plain. */
export interface StreamOptions extends WatchOptions {
  /** Ends the stream with a RequestTimeoutError when no data came for this long. Default: none. */
  idleTimeoutMs?: number;
  /** How errors name the call. Default `GET {path}`. */
  what?: string;
  /**
   * Counted in rest_client_requests_total. Default true; false for a pod's log read for the operator's
   * own record, whose answer is the kubelet's relayed (a node with no kubelet answers 500): not a sign
   * of the apiserver's health, which the API-error alert reads from that metric.
   */
  counted?: boolean;
}

/** The one call controllers make: what a unit test fakes in memory, and KubeClient implements. */
export interface ApiRequester {
  request(method: string, path: string, opts: DiscardingCallOptions): Promise<void>;
  request<T = KubeObject>(method: string, path: string, opts?: CallOptions): Promise<T>;
}

export class KubeClient implements ApiRequester {
  private readonly requestTimeoutMs: number;
  private pools: Pools | undefined;
  private readonly retired = new Set<Dispatcher>();
  private readonly requestCount: Counter<'code' | 'method' | 'host'> | undefined;
  private readonly credentials: KubeCredentials;
  private readonly around: AroundCall | undefined;

  constructor(
    readonly kubeConfig: KubeConfig,
    opts: KubeClientOptions = {},
  ) {
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.requestCount = opts.registry && restClientMetrics(opts.registry);
    this.credentials = new KubeCredentials(kubeConfig, opts.clock);
    this.around = opts.around;
  }

  /** One request; resolves to the parsed JSON body of a 2xx answer, else rejects with an ApiError. */
  request(method: string, path: string, opts: DiscardingCallOptions): Promise<void>;
  request<T = KubeObject>(method: string, path: string, opts?: CallOptions): Promise<T>;
  request<T = KubeObject>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    const send = () => this.send<T>(method, path, opts);
    return this.around ? this.around(method, path, send) : send();
  }

  private async send<T>(method: string, path: string, opts: CallOptions): Promise<T> {
    const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' };
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    if (payload !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
    const call = await this.open(method, path, opts.query, headers, payload, opts.timeoutMs, opts.signal);
    try {
      const ok = call.status >= 200 && call.status < 300;
      if (ok && opts.discardAnswer) {
        await call.exchange.drop();
        return undefined as T;
      }
      const text = await call.exchange.text();
      if (ok) return (text ? JSON.parse(text) : {}) as T;
      throw apiError(call.status, text, `${method} ${path}`);
    } finally {
      call.cleanup();
    }
  }

  /**
   * Streams a watch: `onEvent` gets each event in order. Resolves when the server ends the stream,
   * rejects on an HTTP error (ApiError, e.g. 410 Expired), a broken connection, or abort.
   */
  async watch(
    path: string,
    query: Query,
    onEvent: (event: WatchEvent) => void,
    opts: WatchOptions,
  ): Promise<void> {
    let buffered = '';
    await this.stream(
      path,
      { ...query, watch: true },
      (chunk) => {
        buffered += chunk;
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line) onEvent(JSON.parse(line) as WatchEvent);
          newline = buffered.indexOf('\n');
        }
      },
      { ...opts, what: `watch ${path}` },
    );
  }

  /**
   * A streaming GET (a watch, a pod's log with `follow=true`): `onData` gets the body as it arrives,
   * as text. Resolves when the server ends the body; rejects on an HTTP error (ApiError), a broken
   * connection, an exception thrown by `onData`, abort, or `idleTimeoutMs` without data.
   */
  async stream(
    path: string,
    query: Query,
    onData: (chunk: string) => void,
    opts: StreamOptions,
  ): Promise<void> {
    const what = opts.what ?? `GET ${path}`;
    const idleMs = opts.idleTimeoutMs;
    const call = await this.open(
      'GET',
      path,
      query,
      { accept: opts.accept ?? 'application/json' },
      undefined,
      opts.connectTimeoutMs,
      opts.signal,
      { idleMs: idleMs ?? 0, counted: opts.counted ?? true },
    );
    try {
      if (call.status !== 200) throw apiError(call.status, await call.exchange.text(), what);
      opts.onOpen?.();
      await call.exchange.stream(onData);
    } catch (err) {
      if (err instanceof ConsumerError) throw err.error;
      if (call.exchange.wasAborted || err instanceof ApiError) throw err;
      if ((err as { code?: unknown }).code === 'UND_ERR_BODY_TIMEOUT')
        throw new RequestTimeoutError(`${what}: silent`, idleMs ?? 0);
      // A body cut short: name the call.
      throw new Error(`${what}: connection closed (${(err as Error).message})`);
    } finally {
      call.cleanup();
    }
  }

  /**
   * Sends a request and waits for its answer's head. Until `cleanup`, the call's timer (a whole
   * request's, or until the head of a stream) and the caller's signal abort it, and what waits on it
   * then rejects with a RequestTimeoutError or the signal's reason.
   */
  private async open(
    method: string,
    path: string,
    query: Query | undefined,
    headers: Record<string, string>,
    payload: string | undefined,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
    stream?: { idleMs: number; counted: boolean },
  ): Promise<OpenCall> {
    const streamIdleMs = stream?.idleMs;
    const count = stream?.counted === false ? undefined : this.requestCount;
    signal?.throwIfAborted();
    const resolved = this.credentials.get();
    const creds = resolved instanceof Promise ? await resolved : resolved;
    const limitMs = timeoutMs ?? this.requestTimeoutMs;
    const pools = this.poolsFor(creds);
    const exchange = new Exchange(streamIdleMs === undefined ? pools.calls : pools.streams, {
      origin: creds.server,
      method,
      path: withQuery(path, query),
      headers: { ...creds.headers, ...headers },
      body: payload,
      bodyTimeoutMs: streamIdleMs ?? 0,
    });
    let timer: NodeJS.Timeout | undefined = setTimeout(
      () => exchange.abort(new RequestTimeoutError(`${method} ${path}`, limitMs)),
      limitMs,
    );
    const onAbort = () => exchange.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    // Aborted while credentials were being applied: the listener came too late to hear it.
    if (signal?.aborted) onAbort();
    const cleanup = () => {
      clearTimeout(timer);
      timer = undefined;
      signal?.removeEventListener('abort', onAbort);
    };
    const { host } = pools;
    try {
      const status = await exchange.head;
      count?.inc({ code: String(status), method, host });
      if (status === 401) this.credentials.invalidate();
      if (streamIdleMs !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      return { status, exchange, cleanup };
    } catch (err) {
      // client-go's code for a request that got no answer.
      count?.inc({ code: '<error>', method, host });
      cleanup();
      throw err;
    }
  }

  /**
   * Two pools per client and TLS material (it changes only when an exec plugin rotates a certificate):
   * calls on a bounded one, so that a call made as another ends waits for that connection instead of
   * opening one more (undici frees a connection an event-loop turn after its answer), and streams, which
   * hold their connection for minutes, on one of their own that no call waits behind.
   */
  private poolsFor(creds: ResolvedCredentials): Pools {
    if (this.pools?.tls !== creds.tls) {
      // Calls in flight on the previous material finish on it; close() ends what a watch holds open.
      for (const previous of this.pools ? [this.pools.calls, this.pools.streams] : []) {
        this.retired.add(previous);
        const forget = () => this.retired.delete(previous);
        previous.close().then(forget, forget);
      }
      this.pools = {
        tls: creds.tls,
        calls: kubeDispatcher(creds.server, creds.proxyUrl, creds.tls, CALL_CONNECTIONS),
        streams: kubeDispatcher(creds.server, creds.proxyUrl, creds.tls, null),
        host: new URL(creds.server).host,
      };
    }
    return this.pools;
  }

  /** Ends every connection, those of calls in flight too (call when the client is no longer needed). */
  close(): void {
    for (const dispatcher of [this.pools?.calls, this.pools?.streams, ...this.retired])
      dispatcher?.destroy().catch(() => {});
    this.retired.clear();
    this.pools = undefined;
  }
}

/**
 * Connections for calls (streams apart): client-go's default is 25 requests in flight at once (its
 * QPS/burst limit); our controllers and servers make fewer, and a call beyond waits its turn.
 */
const CALL_CONNECTIONS = 16;

/** The connections of one TLS material, and the server's host (the request metric's label). */
interface Pools {
  tls: TlsMaterial;
  calls: Dispatcher;
  streams: Dispatcher;
  host: string;
}

interface OpenCall {
  status: number;
  exchange: Exchange;
  cleanup: () => void;
}

function withQuery(path: string, query: Query | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

/** Paths for a resource type, e.g. `/apis/orchestrator.io/v1/namespaces/ns/agenttaskruns/name`. */
export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  /** Lower-case plural, as in the URL. */
  plural: string;
  kind: string;
}

export function resourcePath(resource: ResourceType, namespace?: string, name?: string): string {
  const base = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${resource.plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
}
