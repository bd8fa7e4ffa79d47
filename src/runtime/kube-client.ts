// A small JSON client for the Kubernetes API over node:http(s), authenticated from a KubeConfig. The
// runtime needs what the generated client does not give: a timeout on every call, an abortable
// streaming watch whose silence we can detect, raw JSON objects for the cache, and exact control of
// wire formats (Lease MicroTime). Reconcilers may use it, or any other client.
import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
} from 'node:http';
import {
  Agent as HttpsAgent,
  type RequestOptions as HttpsRequestOptions,
  request as httpsRequest,
} from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Counter, Registry } from 'prom-client';
import { apiError, RequestTimeoutError } from './api-error.js';
import type { Clock } from './clock.js';
import { KubeCredentials } from './kube-credentials.js';
import { restClientMetrics } from './metrics.js';
import type { KubeObject } from './object.js';

export type Query = Record<string, string | number | boolean | undefined>;

export {
  ApiError,
  isApiStatus,
  isBadRequest,
  isConflict,
  isForbidden,
  isGone,
  isInvalid,
  isNotFound,
  isUnauthorized,
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

/** A streaming GET's options; `accept` is text/plain for a pod's log. */
export interface StreamOptions extends WatchOptions {
  /** Ends the stream with a RequestTimeoutError when no data came for this long. Default: none. */
  idleTimeoutMs?: number;
  /** How errors name the call. Default `GET {path}`. */
  what?: string;
}

/** The one call controllers make: what a unit test fakes in memory, and KubeClient implements. */
export interface ApiRequester {
  request(method: string, path: string, opts: DiscardingCallOptions): Promise<void>;
  request<T = KubeObject>(method: string, path: string, opts?: CallOptions): Promise<T>;
}

/**
 * TCP keep-alive probes on the pooled connections (the agent sets them on each socket as it is
 * pooled), so a silently dead connection to the apiserver is noticed.
 */
const TCP_KEEPALIVE_MS = 30_000;

export class KubeClient implements ApiRequester {
  private readonly requestTimeoutMs: number;
  private agent: HttpAgent | undefined;
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
    const timeoutMs = opts.timeoutMs ?? this.requestTimeoutMs;
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const headers: Record<string, string | number> = { Accept: opts.accept ?? 'application/json' };
    if (payload) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = payload.length;
    }
    const { res, req, cleanup } = await this.open(
      method,
      path,
      opts.query,
      headers,
      payload,
      timeoutMs,
      opts.signal,
      true,
    );
    try {
      const ok = res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300;
      if (ok && opts.discardAnswer) {
        await drain(res, req);
        return undefined as T;
      }
      const text = await readBody(res, req);
      if (ok) return (text ? JSON.parse(text) : {}) as T;
      throw apiError(res.statusCode ?? 0, text, `${method} ${path}`);
    } finally {
      cleanup();
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
    const { res, req, cleanup } = await this.open(
      'GET',
      path,
      query,
      { Accept: opts.accept ?? 'application/json' },
      undefined,
      opts.connectTimeoutMs ?? this.requestTimeoutMs,
      opts.signal,
      false,
    );
    try {
      if (res.statusCode !== 200) throw apiError(res.statusCode ?? 0, await readBody(res, req), what);
      opts.onOpen?.();
      await new Promise<void>((resolve, reject) => {
        let ended = false;
        const idleMs = opts.idleTimeoutMs;
        if (idleMs)
          res.setTimeout(idleMs, () => req.destroy(new RequestTimeoutError(`${what}: silent`, idleMs)));
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          try {
            onData(chunk);
          } catch (err) {
            reject(err);
            req.destroy();
          }
        });
        res.once('end', () => {
          ended = true;
          resolve();
        });
        // A body cut short is node's bare `aborted` (ECONNRESET): name the call, as a close does.
        res.once('error', (err) =>
          reject(
            opts.signal.aborted
              ? opts.signal.reason
              : new Error(`${what}: connection closed (${err.message})`),
          ),
        );
        req.once('error', reject);
        res.once('close', () => {
          if (!ended)
            reject(opts.signal.aborted ? opts.signal.reason : new Error(`${what}: connection closed`));
        });
      });
    } finally {
      cleanup();
    }
  }

  private async open(
    method: string,
    path: string,
    query: Query | undefined,
    headers: Record<string, string | number>,
    payload: Buffer | undefined,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    wholeRequest: boolean,
  ): Promise<{ req: ClientRequest; res: IncomingMessage; cleanup: () => void }> {
    signal?.throwIfAborted();
    const resolved = this.credentials.get();
    const creds = resolved instanceof Promise ? await resolved : resolved;
    const url = new URL(creds.server + path);
    for (const [key, value] of Object.entries(query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    const agent = creds.proxyAgent ?? this.sharedAgent(url.protocol, creds.tls);
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    const req = send(url, {
      method,
      agent,
      auth: creds.auth,
      headers: { ...creds.headers, ...headers },
    });
    let timer: NodeJS.Timeout | undefined = setTimeout(
      () => req.destroy(new RequestTimeoutError(`${method} ${url.pathname}`, timeoutMs)),
      timeoutMs,
    );
    const onAbort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    // Aborted while credentials were being applied: the listener came too late to hear it.
    if (signal?.aborted) onAbort();
    const cleanup = () => {
      clearTimeout(timer);
      timer = undefined;
      signal?.removeEventListener('abort', onAbort);
    };
    try {
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        req.once('response', resolve);
        req.once('error', reject);
        req.end(payload);
      });
      this.requestCount?.inc({ code: String(res.statusCode ?? 0), method, host: url.host });
      if (res.statusCode === 401) this.credentials.invalidate();
      if (!wholeRequest) {
        clearTimeout(timer);
        timer = undefined;
      }
      return { req, res, cleanup };
    } catch (err) {
      // client-go's code for a request that got no answer.
      this.requestCount?.inc({ code: '<error>', method, host: url.host });
      cleanup();
      throw err;
    }
  }

  /** One keep-alive agent per client, so calls reuse connections; the TLS material comes from the kubeconfig. */
  private sharedAgent(protocol: string, options: HttpsRequestOptions): HttpAgent {
    if (!this.agent) {
      this.agent =
        protocol === 'http:'
          ? new HttpAgent({ keepAlive: true, keepAliveMsecs: TCP_KEEPALIVE_MS })
          : new HttpsAgent({
              keepAlive: true,
              keepAliveMsecs: TCP_KEEPALIVE_MS,
              ca: options.ca,
              cert: options.cert,
              key: options.key,
              pfx: options.pfx,
              passphrase: options.passphrase,
              servername: options.servername,
              ...(options.rejectUnauthorized === undefined
                ? {}
                : { rejectUnauthorized: options.rejectUnauthorized }),
            });
    }
    return this.agent;
  }

  /** Closes idle pooled connections (call when the client is no longer needed). */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }
}

function readBody(res: IncomingMessage, req: ClientRequest): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.once('error', reject);
    req.once('error', reject);
  });
}

function drain(res: IncomingMessage, req: ClientRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    res.once('end', resolve);
    res.once('error', reject);
    req.once('error', reject);
    res.resume();
  });
}

/** Paths for a resource type, e.g. `/apis/orchestrator.io/v1/namespaces/ns/taskruns/name`. */
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
