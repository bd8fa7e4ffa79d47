// The connection pool KubeClient sends through: undici 7's, not node:https'. Measured in one process
// against the local apiserver (docs/decisions/0001-http-transport-undici.md), undici 7 spends ~40% less CPU on a GET and ~25%
// less on a PUT than node:https' agent, and the HTTP client was the largest share of the operator's
// busy time; undici 8 (client-node's) gains nothing over node:https, hence this pinned copy.
import { createRequire } from 'node:module';
import type { Dispatcher } from 'undici';
import type { TlsMaterial } from './kube-credentials.js';

// The pool from its own module, not undici's index: the index loads fetch, WebSocket, the caches and
// the rest (~14 MiB of resident memory at import, measured: docs/decisions/0001-http-transport-undici.md) for a client that
// uses a pool. The path is undici 7.30's (pinned in package.json; it has no exports map). A proxy
// needs the index (it adds the CONNECT method ProxyAgent calls), so it is loaded only for one.
const require = createRequire(import.meta.url);
const Pool: typeof import('undici').Pool = require('undici/lib/dispatcher/pool.js');
const proxyAgent = (): typeof import('undici').ProxyAgent => require('undici').ProxyAgent;

/**
 * TCP keep-alive probes on each connection, so a silently dead connection to the apiserver is noticed
 * (client-go's 30 s).
 */
const TCP_KEEPALIVE_MS = 30_000;

/**
 * How long an idle connection is kept for the next call: below the apiserver's idle timeout (90 s), so
 * it is we who close it, not the server under a request being sent. undici's default (4 s) would
 * make a TLS handshake of nearly every call of a quiet controller.
 */
const IDLE_CONNECTION_MS = 30_000;

/**
 * One dispatcher for the cluster's server: a pool of keep-alive connections with the kubeconfig's TLS
 * material, or, when the kubeconfig names a proxy-url, through that proxy (http and https proxies by
 * CONNECT, socks5 by its own handshake; client-node also took socks4, which undici does not speak);
 * at most `connections` at once (null: no limit). Timeouts are the client's: none here.
 */
export function kubeDispatcher(
  server: string,
  proxyUrl: string | undefined,
  tls: TlsMaterial,
  connections: number | null,
): Dispatcher {
  const pooling = {
    connections,
    keepAliveTimeout: IDLE_CONNECTION_MS,
    keepAliveMaxTimeout: IDLE_CONNECTION_MS,
    headersTimeout: 0,
    bodyTimeout: 0,
  };
  const tcp = { keepAlive: true, keepAliveInitialDelay: TCP_KEEPALIVE_MS };
  if (!proxyUrl) return new Pool(server, { ...pooling, connect: { ...tcp, ...tls } });
  const scheme = new URL(proxyUrl).protocol;
  // The proxy is given the server's host name, so a socks5h proxy (resolving it) is a socks5 one.
  if (['http:', 'https:', 'socks5:', 'socks:', 'socks5h:'].includes(scheme))
    return new (proxyAgent())({ uri: proxyUrl.replace(/^socks5h:/, 'socks5:'), ...pooling, requestTls: tls });
  throw new Error(
    `the kubeconfig's proxy-url ${JSON.stringify(scheme)} is not supported: use an http, https or socks5 proxy`,
  );
}
