// Whether a verified token's attempt is still running (docs/security.md "The model gateway"): the Job
// of its name exists with the uid the token names, has not finished and is not being deleted. A Job
// made again under that name (by the operator or by anyone who may create Jobs) has another uid, so a
// token outlives neither its attempt nor its deadline. The answer is cached briefly per token, so an
// agent's calls cost the apiserver a Job read every few seconds at most; a token whose Job ended is
// refused within that time.
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

/** Whether `job` is the attempt's Job the claims name (by uid), still running. */
export function attemptRuns(job: KubeObject, claims: TokenClaims): boolean {
  return (
    job.metadata?.uid === claims.jobUid && !job.metadata?.deletionTimestamp && jobState(job) === 'Active'
  );
}

export class JobAuthenticator implements Authenticator {
  private readonly cache = new Map<string, { claims: TokenClaims | undefined; untilMs: number }>();

  constructor(private readonly opts: JobAuthenticatorOptions) {}

  async authenticate(token: string): Promise<TokenClaims | undefined> {
    const key = this.opts.key();
    const now = (this.opts.now ?? Date.now)();
    const claims = key && verifyAttemptToken(key, token, now);
    if (!claims) return undefined;
    const hit = this.cache.get(token);
    if (hit && hit.untilMs > now) return hit.claims;
    const running = await this.running(claims);
    // The apiserver did not answer: refused this once, asked again next call.
    if (running === undefined) return undefined;
    this.remember(token, { claims: running ? claims : undefined, untilMs: now + this.opts.cacheMs }, now);
    return running ? claims : undefined;
  }

  /** Whether the attempt's Job runs; undefined when the apiserver could not say. */
  private async running(claims: TokenClaims): Promise<boolean | undefined> {
    try {
      const job = await this.opts.client.request('GET', resourcePath(JOBS, claims.namespace, claims.job));
      return attemptRuns(job, claims);
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
