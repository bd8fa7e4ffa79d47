// The tokens this replica handed to phases, kept in its memory only (never in a Secret of the run's
// namespace): a phase that asks again gets the same token while it has most of its life left, and each
// is revoked at GitHub once its phase is over (the container terminated, the pod gone or another), as
// the sweep finds it. A replica that dies leaves its tokens to expire within GitHub's hour. A token is
// handed to one credential only (the first to ask for that pod's phase; the container's projected
// token stays the same across its retries): another credential asking for it is refused.
import type { Logger } from 'pino';
import { type ApiRequester, isNotFound, type KubeObject, PODS, resourcePath } from '../../runtime/index.js';
import type { GithubTokens, MintedToken } from '../app-tokens/index.js';
import { phaseVerdict, type TokenPhase } from './attempt-pod.js';

export interface HeldToken extends MintedToken {
  namespace: string;
  pod: string;
  podUid: string;
  phase: TokenPhase;
  /** The SHA-256 of the credential it was handed to: the pod's projected token, kept until it rotates. */
  credential: string;
}

/** A token handed out again only while this much of its life is left. */
const REUSE_MARGIN_MS = 15 * 60_000;

export class HeldTokens {
  private readonly held = new Map<string, HeldToken>();

  constructor(
    private readonly tokens: GithubTokens,
    private readonly logger: Logger,
    /** Tokens held at most; past it the oldest is revoked at once. */
    private readonly maxHeld = 4096,
  ) {}

  get size(): number {
    return this.held.size;
  }

  static key = (podUid: string, phase: TokenPhase) => `${podUid}/${phase}`;

  /** The token held for the pod's phase, while it lives. */
  current(podUid: string, phase: TokenPhase, now: Date): HeldToken | undefined {
    const held = this.held.get(HeldTokens.key(podUid, phase));
    return held && held.expiresAt.getTime() > now.getTime() ? held : undefined;
  }

  /** Whether a held token may be handed out again rather than minted anew: most of its life is left. */
  static reusable = (held: HeldToken, now: Date) =>
    held.expiresAt.getTime() - now.getTime() > REUSE_MARGIN_MS;

  hold(token: HeldToken): void {
    const key = HeldTokens.key(token.podUid, token.phase);
    const replaced = this.held.get(key);
    if (replaced) void this.revoke(replaced);
    this.held.delete(key);
    if (this.held.size >= this.maxHeld) {
      const [oldest] = this.held.values();
      if (oldest) this.forget(oldest);
    }
    this.held.set(key, token);
  }

  /**
   * Revokes every held token whose phase is over: its pod gone (or another under its name) or past
   * that phase, or the token expired. A pod that cannot be read now is looked at again next sweep.
   */
  async sweep(client: ApiRequester, now: Date, signal?: AbortSignal): Promise<void> {
    for (const held of [...this.held.values()]) {
      if (held.expiresAt.getTime() <= now.getTime()) {
        this.held.delete(HeldTokens.key(held.podUid, held.phase));
        continue;
      }
      let pod: KubeObject | undefined;
      try {
        pod = await client.request<KubeObject>('GET', resourcePath(PODS, held.namespace, held.pod), {
          ...(signal ? { signal } : {}),
        });
      } catch (err) {
        if (!isNotFound(err)) continue;
      }
      const verdict = pod?.metadata?.uid === held.podUid ? phaseVerdict(pod, held.phase) : undefined;
      if (verdict && (verdict.ok || verdict.retry)) continue;
      this.forget(held);
    }
  }

  private forget(held: HeldToken): Promise<void> {
    this.held.delete(HeldTokens.key(held.podUid, held.phase));
    return this.revoke(held);
  }

  private async revoke(held: HeldToken): Promise<void> {
    try {
      await this.tokens.revoke(held.token);
      this.logger.info(
        { namespace: held.namespace, pod: held.pod, phase: held.phase },
        "a phase's GitHub App token revoked",
      );
    } catch (err) {
      this.logger.warn(
        { namespace: held.namespace, pod: held.pod, phase: held.phase, err: (err as Error).message },
        "revoking a phase's GitHub App token failed; it expires by itself",
      );
    }
  }
}
