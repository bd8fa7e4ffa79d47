// The GitHub App token actions of a plan, carried out: minting the attempt's two tokens into its Secret
// (the publisher's with the profile's permissions, prepare's read-only one: agent/github-credentials.ts) (or,
// when GitHub refuses, recording why and when to try again on that Secret, for the next read), and
// revoking a token at GitHub before its Secret is deleted. The token is handled here only: it goes from
// GitHub's answer into the Secret's data and from the Secret to the revocation, never into a log line,
// an Event, a status or an annotation.
// The design it implements: docs/design.md §4.8.
import type { Logger } from 'pino';
import { type GithubTokens, TokenFailure } from '../../github/app-tokens/index.js';
import {
  type ApiRequester,
  isNotFound,
  type KubeObject,
  ownedBy,
  resourcePath,
  SECRETS,
} from '../../runtime/index.js';
import { READ_TOKEN_KEY, WRITE_TOKEN_KEY } from '../agent/github-credentials.js';
import type { Capacity } from '../capacity/index.js';
import type { Action } from './decide.js';
import type { RunEvent } from './events.js';
import {
  READ_PERMISSIONS,
  type RecordedFailure,
  TOKEN_ANNOTATIONS,
  type TokenScope,
} from './github-token.js';
import { createOrAdopt, deleteExactly } from './owned-objects.js';

/** Retries of a failed mint: twice the time it has been failing, within these bounds. */
export const MINT_RETRY_MIN_MS = 5_000;
export const MINT_RETRY_MAX_MS = 300_000;

export interface TokenContext {
  signal: AbortSignal;
  logger: Logger;
  now: Date;
  /** Records an Event on the run. */
  event(e: RunEvent): Promise<void>;
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** When to try a failed mint again: GitHub's word (a rate limit's reset), else backoff. */
export function retryAt(failure: TokenFailure, since: Date, now: Date): Date {
  if (failure.retryAt && failure.retryAt.getTime() > now.getTime()) return failure.retryAt;
  const failingFor = now.getTime() - since.getTime();
  return new Date(now.getTime() + Math.min(MINT_RETRY_MAX_MS, Math.max(MINT_RETRY_MIN_MS, 2 * failingFor)));
}

export class TokenActions {
  constructor(
    private readonly client: ApiRequester,
    private readonly tokens: GithubTokens | undefined,
    private readonly capacity: Capacity,
    private readonly owner: { kind: string },
  ) {}

  /** Mints the attempt's token into its Secret; false when GitHub refused (recorded on the Secret). */
  async mint(a: Action & { do: 'mintToken' }, ctx: TokenContext): Promise<boolean> {
    const { token, secret } = a;
    if (!this.tokens) throw new Error('a token was planned but the operator mints none');
    try {
      const minted = await this.tokens.mint(token.scope, ctx.signal);
      const read = await this.mintRead(token.scope, minted.token, ctx.signal);
      const expiresAt = new Date(Math.min(read.expiresAt.getTime(), minted.expiresAt.getTime()));
      const b64 = (value: string) => Buffer.from(value, 'utf8').toString('base64');
      await this.write(
        secret,
        !!token.secret,
        {
          data: { [WRITE_TOKEN_KEY]: b64(minted.token), [READ_TOKEN_KEY]: b64(read.token) },
          annotations: {
            [TOKEN_ANNOTATIONS.mintedAt]: iso(ctx.now),
            [TOKEN_ANNOTATIONS.expiresAt]: iso(expiresAt),
            [TOKEN_ANNOTATIONS.failure]: null,
          },
        },
        ctx.signal,
      );
      ctx.logger.info(
        {
          secret: secret.metadata?.name,
          repositories: token.scope.repositories,
          expiresAt,
        },
        token.expiresAt ? 'GitHub App token renewed' : 'GitHub App token minted',
      );
      return true;
    } catch (err) {
      if (!(err instanceof TokenFailure)) throw err;
      const since = token.failure ? new Date(token.failure.since) : ctx.now;
      const recorded: RecordedFailure = {
        reason: err.reason,
        message: err.message,
        transient: err.transient,
        since: iso(since),
        retryAt: iso(retryAt(err, since, ctx.now)),
      };
      await this.write(
        secret,
        !!token.secret,
        { annotations: { [TOKEN_ANNOTATIONS.failure]: JSON.stringify(recorded) } },
        ctx.signal,
      );
      if (a.release) this.capacity.release(a.release);
      ctx.logger.warn(
        { secret: secret.metadata?.name, reason: err.reason, retryAt: recorded.retryAt },
        err.message,
      );
      // A running agent keeps its current token meanwhile: the status stays, an Event says it.
      if (token.expiresAt)
        await ctx.event({
          type: 'Warning',
          reason: 'GithubTokenRenewalFailed',
          message: `${err.message}; the current token expires at ${iso(token.expiresAt)}; trying again at ${recorded.retryAt}`,
        });
      return false;
    }
  }

  /** The read-only token beside a write token just minted, which is revoked when this one cannot be had. */
  private async mintRead(scope: TokenScope, written: string, signal: AbortSignal) {
    const tokens = this.tokens as GithubTokens;
    try {
      return await tokens.mint({ ...scope, permissions: { ...READ_PERMISSIONS } }, signal);
    } catch (err) {
      await tokens.revoke(written, signal).catch(() => undefined);
      throw err;
    }
  }

  /** Revokes the Secret's tokens at GitHub (best effort: they expire within the hour anyway), then deletes it. */
  async revoke(secret: KubeObject, ctx: Omit<TokenContext, 'event' | 'now'>): Promise<void> {
    const { namespace, name } = secret.metadata ?? {};
    let tokens: string[];
    try {
      const stored = await this.client.request<{ data?: Record<string, string> }>(
        'GET',
        resourcePath(SECRETS, namespace, name),
        { signal: ctx.signal },
      );
      tokens = [WRITE_TOKEN_KEY, READ_TOKEN_KEY]
        .map((key) => stored.data?.[key])
        .filter((data): data is string => !!data)
        .map((data) => Buffer.from(data, 'base64').toString('utf8'));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return;
    }
    for (const token of this.tokens ? tokens : [])
      try {
        await this.tokens?.revoke(token, ctx.signal);
      } catch (err) {
        ctx.logger.warn(
          { secret: name, err: (err as Error).message },
          'revoking a GitHub App token failed; it expires by itself',
        );
      }
    await deleteExactly(this.client, SECRETS, secret, ctx.signal);
  }

  /** Revokes and deletes every token Secret the run with `uid` controls (the finalizer). */
  async revokeAll(
    namespace: string,
    labelSelector: string,
    uid: string | undefined,
    ctx: Omit<TokenContext, 'event' | 'now'>,
  ) {
    const list = await this.client.request<{ items?: KubeObject[] }>(
      'GET',
      resourcePath(SECRETS, namespace),
      {
        query: { labelSelector },
        signal: ctx.signal,
      },
    );
    for (const secret of list.items ?? []) if (ownedBy(secret, uid)) await this.revoke(secret, ctx);
  }

  /**
   * Merges `change` into our Secret when the read saw it (`exists`); else creates it with `change`
   * (a 409 finds ours made meanwhile, merged into then, or someone else's: an error).
   */
  private async write(
    secret: KubeObject,
    exists: boolean,
    change: { data?: Record<string, string>; annotations: Record<string, string | null> },
    signal: AbortSignal,
  ): Promise<void> {
    if (exists) return this.merge(secret, change, signal);
    const annotations = Object.fromEntries(
      Object.entries(change.annotations).filter((e): e is [string, string] => e[1] !== null),
    );
    const body = {
      ...secret,
      metadata: { ...secret.metadata, annotations },
      ...(change.data ? { data: change.data } : {}),
    };
    const uid = secret.metadata?.ownerReferences?.[0]?.uid;
    const made = await createOrAdopt(this.client, SECRETS, body, { uid, kind: this.owner.kind }, signal);
    if (made.conflict) throw new Error(made.conflict);
    if (!made.created) await this.merge(secret, change, signal);
  }

  private async merge(
    secret: KubeObject,
    change: { data?: Record<string, string>; annotations: Record<string, string | null> },
    signal: AbortSignal,
  ): Promise<void> {
    await this.client.request(
      'PATCH',
      resourcePath(SECRETS, secret.metadata?.namespace, secret.metadata?.name),
      {
        body: {
          metadata: { annotations: change.annotations },
          ...(change.data ? { data: change.data } : {}),
        },
        contentType: 'application/merge-patch+json',
        signal,
        discardAnswer: true,
      },
    );
  }
}
