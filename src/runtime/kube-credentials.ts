// What a request needs from the kubeconfig, computed once instead of per request: client-node's
// applyToHTTPSOptions reads the CA, certificate and key files synchronously and walks its
// authenticators on every call. For a dynamic user (an exec plugin's short-lived token or client
// certificate, a rotated service-account token file, an OIDC refresh) it is re-applied when older than
// `refreshMs` or after the apiserver answered 401, and the authenticator's own rules (the token file
// re-read every minute, exec credentials until they expire) decide what it returns. The TLS material
// keeps its identity while its content is unchanged: the client keeps one connection pool per material.
import type { RequestOptions as HttpsRequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { type Clock, realClock } from './clock.js';

/** How stale a dynamic credential may be at most, beyond its authenticator's own caching. */
export const CREDENTIAL_REFRESH_MS = 1_000;

/** What the connections to the apiserver are made with (the kubeconfig's TLS fields). */
export interface TlsMaterial {
  ca?: HttpsRequestOptions['ca'];
  cert?: HttpsRequestOptions['cert'];
  key?: HttpsRequestOptions['key'];
  pfx?: HttpsRequestOptions['pfx'];
  passphrase?: string;
  servername?: string;
  rejectUnauthorized?: boolean;
}

const TLS_FIELDS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'servername', 'rejectUnauthorized'] as const;

export interface ResolvedCredentials {
  /** The cluster's server URL without trailing slashes. */
  server: string;
  /** The cluster's proxy-url, when it is reached through a proxy. */
  proxyUrl: string | undefined;
  /** The same object as long as its content is the same. */
  tls: TlsMaterial;
  /** Authorization (bearer or basic), impersonation, …: sent with every request. */
  headers: Record<string, string>;
}

export class KubeCredentials {
  private current: ResolvedCredentials | undefined;
  private resolvedAt = 0;
  private dynamic = false;
  private pending: Promise<ResolvedCredentials> | undefined;
  /** The last TLS material, kept across invalidate(): a 401 does not change it. */
  private tls: TlsMaterial | undefined;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly clock: Clock = realClock,
    private readonly refreshMs = CREDENTIAL_REFRESH_MS,
  ) {}

  /** The credentials to send; synchronous in the common case, so callers can skip an await. */
  get(): ResolvedCredentials | Promise<ResolvedCredentials> {
    const current = this.current;
    if (current && !(this.dynamic && this.clock.nowMs() - this.resolvedAt >= this.refreshMs)) return current;
    // Concurrent requests share one refresh (an exec plugin must not run once per request).
    this.pending ??= this.resolve().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** The apiserver refused the credentials (401): the next request resolves them again. */
  invalidate(): void {
    this.current = undefined;
  }

  private async resolve(): Promise<ResolvedCredentials> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const user = this.kubeConfig.getCurrentUser();
    const options: HttpsRequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(options);
    const headers = { ...(options.headers as Record<string, string> | undefined) };
    if (options.auth) headers.Authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
    const fresh = tlsMaterial(options);
    const tls = this.tls && sameTls(this.tls, fresh) ? this.tls : fresh;
    this.tls = tls;
    const resolved: ResolvedCredentials = {
      server: cluster.server.replace(/\/+$/, ''),
      proxyUrl: cluster.proxyUrl || undefined,
      tls,
      headers,
    };
    this.dynamic = Boolean(user?.exec || user?.authProvider);
    this.resolvedAt = this.clock.nowMs();
    this.current = resolved;
    return resolved;
  }
}

function tlsMaterial(options: HttpsRequestOptions): TlsMaterial {
  const tls: TlsMaterial = {};
  for (const field of TLS_FIELDS)
    if (options[field] !== undefined) (tls as Record<string, unknown>)[field] = options[field];
  return tls;
}

function sameTls(a: TlsMaterial, b: TlsMaterial): boolean {
  return TLS_FIELDS.every((field) => sameValue(a[field], b[field]));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  return a === b;
}
