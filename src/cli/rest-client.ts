// The CLI through the REST API (`--api-url`), as the seed's CLI talked to its service: the run paths
// the commands use (`/apis/orchestrator.io/v1/namespaces/{ns}/{plural}[/{name}[/retry|/cancel|/log]]`)
// are the API's (`/api/v1/…`), sent with the caller's bearer token over the same client as the
// cluster's, and a watch of runs is the API's server-sent events (sse-events.ts); anything else
// (patches, events, discovery) is not served there and says so.

import { GROUP, VERSION } from '../api/index.js';
import { KubeConfig } from '../kubeconfig/index.js';
import {
  type CallOptions,
  KubeClient,
  type KubeObject,
  type Query,
  type StreamOptions,
  type WatchEvent,
  type WatchOptions,
} from '../runtime/index.js';
import { fail } from './io.js';
import { sseEvents } from './sse-events.js';

const RUN_PATHS = new RegExp(
  `^/apis/${GROUP.replaceAll('.', '\\.')}/${VERSION}(/(namespaces/[^/]+/)?[a-z]+(/[^/]+(/(retry|cancel|log))?)?)$`,
);

/** The REST API's path for a run path of the apiserver; undefined when the API serves no such path. */
export function restPath(path: string): string | undefined {
  const match = RUN_PATHS.exec(path);
  return match ? `/api/v1${match[1]}` : undefined;
}

export interface RestApiOptions {
  url: string;
  /** The caller's bearer token (for the audience `orchestrator`). */
  token?: string;
  /** The CA that signed the API's serving certificate (default: the system's). */
  caFile?: string;
  timeoutMs: number;
}

export class RestApiClient {
  private readonly inner: KubeClient;

  constructor(opts: RestApiOptions) {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: 'api',
          server: opts.url,
          skipTLSVerify: false,
          ...(opts.caFile ? { caFile: opts.caFile } : {}),
        },
      ],
      users: [{ name: 'caller', ...(opts.token ? { token: opts.token } : {}) }],
      contexts: [{ name: 'api', cluster: 'api', user: 'caller' }],
      currentContext: 'api',
    });
    this.inner = new KubeClient(kc, { requestTimeoutMs: opts.timeoutMs });
  }

  request<T = KubeObject>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    const mapped = restPath(path.split('?')[0] ?? path);
    if (!mapped || mapped.endsWith('/log') || !['GET', 'POST', 'DELETE'].includes(method))
      throw fail(
        `${method} ${path} is not served by the REST API (--api-url): use the cluster (drop --api-url)`,
      );
    return this.inner.request<T>(method, mapped, opts);
  }

  /** A streaming GET of a run's log (`…/{name}/log`): the only stream the API serves the CLI. */
  stream(path: string, query: Query, onData: (chunk: string) => void, opts: StreamOptions): Promise<void> {
    const mapped = restPath(path);
    if (!mapped?.endsWith('/log')) throw fail(`GET ${path} is not streamed by the REST API (--api-url)`);
    return this.inner.stream(mapped, query, onData, opts);
  }

  /**
   * A watch of runs, as the apiserver's: the API's server-sent events (`?watch=true`) read back into
   * watch events. The API sets each stream's length itself, and sends no bookmarks.
   */
  watch(path: string, query: Query, onEvent: (event: WatchEvent) => void, opts: WatchOptions): Promise<void> {
    const mapped = restPath(path);
    if (!mapped || mapped.split('/').length > (mapped.includes('/namespaces/') ? 6 : 4))
      throw fail(`watching ${path} is not served by the REST API (--api-url): use the cluster`);
    const passed: Query = { watch: true };
    for (const key of ['resourceVersion', 'labelSelector', 'fieldSelector'] as const)
      if (query[key] !== undefined && query[key] !== '') passed[key] = query[key];
    return this.inner.stream(mapped, passed, sseEvents(onEvent), {
      ...opts,
      accept: 'text/event-stream',
      what: `watch ${mapped}`,
    });
  }

  close(): void {
    this.inner.close();
  }
}
