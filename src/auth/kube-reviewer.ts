// Who a caller is and what it may do, asked of the apiserver as kube-rbac-proxy and the kubelet do: a
// TokenReview for the bearer token (with our audience), a SubjectAccessReview for each request's
// attributes. RBAC stays the one source of who may do what. Answers are cached (an allow for 5 min, a
// denial for 30 s, the apiserver's webhook-authorizer defaults), bounded in entries and bytes, keyed by
// the SHA-256 of the token or of the canonical question: a key costs 64 characters whatever the caller
// sent, and a token is never kept raw. Concurrent questions with one key share one review. An apiserver
// that does not answer is an error (the caller says 503), never a denial, and is not cached. With a
// `limit`, the reviews asked at once are bounded and the ones past it refused (review-limit.ts).
import { createHash } from 'node:crypto';
import type { ApiRequester, Clock } from '../runtime/index.js';
import type { ReviewLimit } from './review-limit.js';
import { TtlCache } from './ttl-cache.js';

export interface UserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** A request on a resource, as RBAC rules name it (`create agenttaskruns.orchestrator.io in ns`). */
export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  /** Absent or '' for a cluster-wide request (a list across namespaces). */
  namespace?: string;
  name?: string;
}

/** A request on a path that is no resource (`get /metrics`). */
export interface NonResourceAttributes {
  verb: string;
  path: string;
}

export type AccessAttributes = { resource: ResourceAttributes } | { nonResource: NonResourceAttributes };

export type Authentication =
  | { authenticated: true; user: UserInfo }
  | { authenticated: false; reason: string };

export interface Decision {
  allowed: boolean;
  reason: string;
}

/** The two questions, as an interface: the REST API and an authenticated /metrics ask them. */
export interface AccessReviewer {
  authenticate(token: string): Promise<Authentication>;
  /**
   * `share`: the client the question is asked for (its address), held to its share of the reviews
   * asked at once (review-limit.ts); absent, the question may use the whole budget.
   */
  authorize(user: UserInfo, attributes: AccessAttributes, share?: string): Promise<Decision>;
}

export interface KubeReviewerOptions {
  /** Asks the apiserver; its identity needs `create` on tokenreviews and subjectaccessreviews. */
  client: ApiRequester;
  /**
   * The audience tokens must be issued for. Undefined: the apiserver's own, which a ServiceAccount
   * token has unless asked otherwise (kube-rbac-proxy without --auth-token-audiences; the metrics).
   */
  audience?: string;
  /** Default 5 min. */
  allowTtlMs?: number;
  /** Default 30 s. */
  denyTtlMs?: number;
  /** The limit on each review call. Default: the client's. */
  timeoutMs?: number;
  /** Entries per cache. Default 10,000. */
  maxEntries?: number;
  /** Bytes per cache (keys, answers and their bookkeeping). Default 4 MiB. */
  maxBytes?: number;
  /** The budget of reviews asked at once; past it a review is refused, not asked. Default: none. */
  limit?: ReviewLimit;
  /** When cached answers expire. Default: real time. */
  clock?: Clock;
}

const AUTHENTICATION = '/apis/authentication.k8s.io/v1/tokenreviews';
const AUTHORIZATION = '/apis/authorization.k8s.io/v1/subjectaccessreviews';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** An answer's bytes in the cache: its strings (UTF-16) and a small object each. */
const answerBytes = (answer: Authentication | Decision): number =>
  'allowed' in answer
    ? 2 * answer.reason.length + 64
    : answer.authenticated
      ? 2 * JSON.stringify(answer.user).length + 128
      : 2 * answer.reason.length + 64;

interface TokenReviewStatus {
  authenticated?: boolean;
  user?: UserInfo;
  audiences?: string[];
  error?: string;
}

export class KubeReviewer implements AccessReviewer {
  private readonly tokens: TtlCache<Authentication>;
  private readonly decisions: TtlCache<Decision>;
  private readonly pending = new Map<string, Promise<unknown>>();
  private readonly allowTtlMs: number;
  private readonly denyTtlMs: number;

  constructor(private readonly opts: KubeReviewerOptions) {
    const cache = {
      maxEntries: opts.maxEntries,
      maxBytes: opts.maxBytes,
      sizeOf: answerBytes,
      clock: opts.clock,
    };
    this.tokens = new TtlCache<Authentication>(cache);
    this.decisions = new TtlCache<Decision>(cache);
    this.allowTtlMs = opts.allowTtlMs ?? 5 * 60_000;
    this.denyTtlMs = opts.denyTtlMs ?? 30_000;
  }

  /** The reviews in flight, waiting and refused by the limit (metrics, tests); zeros without one. */
  get pendingReviews(): { inFlight: number; queued: number; refused: number } {
    const { limit } = this.opts;
    return limit ? { ...limit.pending, refused: limit.refused } : { inFlight: 0, queued: 0, refused: 0 };
  }

  /** Bytes the caches hold, as counted against maxBytes (each cache has its own budget). */
  get cachedBytes(): number {
    return this.tokens.bytes + this.decisions.bytes;
  }

  authenticate(token: string): Promise<Authentication> {
    const key = `token:${sha256(token)}`;
    const { audience } = this.opts;
    return this.cached(key, this.tokens, async () => {
      const answer = await this.ask<{ status?: TokenReviewStatus }>(AUTHENTICATION, {
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenReview',
          spec: { token, ...(audience === undefined ? {} : { audiences: [audience] }) },
        },
        ...this.timeout(),
      });
      const status = answer.status ?? {};
      if (!status.authenticated || !status.user?.username)
        return { authenticated: false, reason: status.error || 'the token is not valid' };
      // An audience-agnostic authenticator answers with the apiserver's own audiences: not ours.
      if (audience !== undefined && !status.audiences?.includes(audience))
        return { authenticated: false, reason: `the token is not issued for the audience "${audience}"` };
      return { authenticated: true, user: status.user };
    });
  }

  authorize(user: UserInfo, attributes: AccessAttributes, share?: string): Promise<Decision> {
    const spec = {
      user: user.username,
      ...(user.uid ? { uid: user.uid } : {}),
      ...(user.groups ? { groups: user.groups } : {}),
      ...(user.extra ? { extra: user.extra } : {}),
      ...('resource' in attributes
        ? { resourceAttributes: attributes.resource }
        : { nonResourceAttributes: attributes.nonResource }),
    };
    // Keyed by the digest of the question in one canonical form (the fields in this fixed order): the
    // question holds the requester whole, and a key that held it made the cache hold whatever a caller
    // sent (docs/security.md "Admission reviews").
    return this.cached(`sar:${sha256(JSON.stringify(spec))}`, this.decisions, async () => {
      const answer = await this.ask<{
        status?: { allowed?: boolean; denied?: boolean; reason?: string; evaluationError?: string };
      }>(
        AUTHORIZATION,
        {
          body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
          ...this.timeout(),
        },
        share,
      );
      const status = answer.status ?? {};
      return {
        allowed: status.allowed === true && status.denied !== true,
        reason: status.reason || status.evaluationError || '',
      };
    });
  }

  /** One review POSTed, within the limit (and `share`'s part of it) when there is one. */
  private ask<T>(path: string, opts: { body: unknown; timeoutMs?: number }, share?: string): Promise<T> {
    const post = () => this.opts.client.request<T>('POST', path, opts);
    return this.opts.limit ? this.opts.limit.run(post, share) : post();
  }

  private timeout() {
    return this.opts.timeoutMs === undefined ? {} : { timeoutMs: this.opts.timeoutMs };
  }

  private async cached<V extends Authentication | Decision>(
    key: string,
    cache: TtlCache<V>,
    review: () => Promise<V>,
  ): Promise<V> {
    const hit = cache.get(key);
    if (hit) return hit;
    const inFlight = this.pending.get(key) as Promise<V> | undefined;
    if (inFlight) return inFlight;
    const asked = review().then((answer) => {
      const allowed = 'allowed' in answer ? answer.allowed : answer.authenticated;
      cache.set(key, answer, allowed ? this.allowTtlMs : this.denyTtlMs);
      return answer;
    });
    this.pending.set(key, asked);
    try {
      return await asked;
    } finally {
      this.pending.delete(key);
    }
  }
}
