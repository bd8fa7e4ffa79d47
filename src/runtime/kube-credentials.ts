// What a request needs from the kubeconfig, computed once instead of per request: client-node's
// applyToHTTPSOptions reads the CA, certificate and key files synchronously and walks its
// authenticators on every call, and the TLS material only ever reaches the pooled agent once anyway.
// Only the Authorization header can change while the process runs (an exec plugin's short-lived
// token, a rotated service-account token file, an OIDC refresh): for such a user it is re-applied
// when older than `refreshMs` or after the apiserver answered 401, and the authenticator's own rules
// (the token file re-read every minute, exec credentials until they expire) decide what it returns.
import type { RequestOptions as HttpsRequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { type Clock, realClock } from './clock.js';

/** How stale a dynamic credential may be at most, beyond its authenticator's own caching. */
export const CREDENTIAL_REFRESH_MS = 1_000;

export interface ResolvedCredentials {
  /** The cluster's server URL without trailing slashes. */
  server: string;
  /** Set when the cluster is reached through a proxy: client-node's agent for it. */
  proxyAgent: HttpsRequestOptions['agent'];
  /** TLS material for the pooled agent. */
  tls: HttpsRequestOptions;
  /** `user:password` for basic authentication. */
  auth: string | undefined;
  /** Authorization, impersonation, …: sent with every request. */
  headers: Record<string, string>;
}

export class KubeCredentials {
  private current: ResolvedCredentials | undefined;
  private resolvedAt = 0;
  private dynamic = false;
  private pending: Promise<ResolvedCredentials> | undefined;

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
    const resolved: ResolvedCredentials = {
      server: cluster.server.replace(/\/+$/, ''),
      proxyAgent: cluster.proxyUrl ? options.agent : undefined,
      tls: options,
      auth: options.auth ?? undefined,
      headers: { ...(options.headers as Record<string, string> | undefined) },
    };
    this.dynamic = Boolean(user?.exec || user?.authProvider);
    this.resolvedAt = this.clock.nowMs();
    this.current = resolved;
    return resolved;
  }
}
