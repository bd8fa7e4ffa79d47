// Whether a verified token's attempt is still running (docs/security.md "The model gateway"): its Job
// exists, has not finished, is not being deleted, and its agent container carries this very token (a
// Job made again under the same name has another). The answer is cached briefly per token, so an
// agent's calls cost the apiserver a Job read every few seconds at most; a token whose Job ended is
// refused within that time.
import { timingSafeEqual } from 'node:crypto';
import { isGatewayTokenEnv } from '../api/index.js';
import {
  type ApiRequester,
  isNotFound,
  JOBS,
  jobState,
  type KubeObject,
  resourcePath,
} from '../runtime/index.js';
import { type TokenClaims, verifyAttemptToken } from './attempt-token.js';
import type { Authenticator } from './handler.js';

export interface JobAuthenticatorOptions {
  client: ApiRequester;
  /** The gateway's signing key (shared by the replicas). */
  key: () => Buffer | undefined;
  /** How long a Job's answer is trusted. */
  cacheMs: number;
  /** Entries kept at most (one per running attempt). */
  maxEntries?: number;
  now?: () => number;
}

type Container = { env?: { name: string; value?: string }[] };

const sameToken = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Whether `job` is running and hands `token` to a container. */
export function jobCarries(job: KubeObject, token: string): boolean {
  if (job.metadata?.deletionTimestamp || jobState(job) !== 'Active') return false;
  const spec = job.spec as
    | { template?: { spec?: { initContainers?: Container[]; containers?: Container[] } } }
    | undefined;
  // The agent's container is an init container (between prepare and the publisher).
  const pod = spec?.template?.spec;
  return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])].some((c) =>
    (c.env ?? []).some(
      (e) => isGatewayTokenEnv(e.name) && e.value !== undefined && sameToken(e.value, token),
    ),
  );
}

export class JobAuthenticator implements Authenticator {
  private readonly cache = new Map<string, { claims: TokenClaims | undefined; untilMs: number }>();

  constructor(private readonly opts: JobAuthenticatorOptions) {}

  async authenticate(token: string): Promise<TokenClaims | undefined> {
    const key = this.opts.key();
    const claims = key && verifyAttemptToken(key, token);
    if (!claims) return undefined;
    const now = (this.opts.now ?? Date.now)();
    const hit = this.cache.get(token);
    if (hit && hit.untilMs > now) return hit.claims;
    const running = await this.running(claims, token);
    // The apiserver did not answer: refused this once, asked again next call.
    if (running === undefined) return undefined;
    this.remember(token, { claims: running ? claims : undefined, untilMs: now + this.opts.cacheMs }, now);
    return running ? claims : undefined;
  }

  /** Whether the attempt's Job runs with this token; undefined when the apiserver could not say. */
  private async running(claims: TokenClaims, token: string): Promise<boolean | undefined> {
    try {
      const job = await this.opts.client.request('GET', resourcePath(JOBS, claims.namespace, claims.job));
      return jobCarries(job, token);
    } catch (err) {
      return isNotFound(err) ? false : undefined;
    }
  }

  private remember(token: string, entry: { claims: TokenClaims | undefined; untilMs: number }, now: number) {
    if (this.cache.size >= (this.opts.maxEntries ?? 4096))
      for (const [k, v] of this.cache) if (v.untilMs <= now) this.cache.delete(k);
    if (this.cache.size >= (this.opts.maxEntries ?? 4096)) this.cache.clear();
    this.cache.set(token, entry);
  }
}
