// The GitHub App token of an attempt, as data: which repositories and permissions it is for, the
// Secret it lives in (`<job>-github-token`, owned by the run like the attempt's ConfigMap, mounted
// read-only into the agent container), and what that Secret's annotations say about it — when it was
// minted and expires (renewed once less than a third of its life is left), or why the last mint
// failed and when to try again. act.ts mints and writes these annotations; the next read sees them,
// so read and decide stay synchronous and every reconcile level-based. Pure.
// The design it implements: docs/design.md §4.8.
import { type ControllerConfig, LABELS, MANAGED_BY, type RunKindName, type RunOf } from '../../api/index.js';
import type { TokenFailureReason, TokenScope } from '../../github/app-tokens/index.js';
import type { KubeObject } from '../../runtime/index.js';
import { controllerReference } from '../agent/manifests.js';
import { objectLabels } from '../kind/strategy.js';

export {
  DEFAULT_PERMISSIONS,
  READ_PERMISSIONS,
  type TokenScope,
  tokenScope,
} from '../../github/app-tokens/index.js';

/** The label that tells the token Secrets apart from anything else the orchestrator labels. */
export const TOKEN_LABEL = 'orchestrator.io/credential';
export const TOKEN_LABEL_VALUE = 'github-app-token';
export const TOKEN_ANNOTATIONS = Object.freeze({
  mintedAt: 'orchestrator.io/github-token-minted-at',
  expiresAt: 'orchestrator.io/github-token-expires-at',
  /** The last mint's failure (JSON, {@link RecordedFailure}); absent once a mint succeeds. */
  failure: 'orchestrator.io/github-token-failure',
});

/** A failed mint, as its Secret's annotation records it. */
export interface RecordedFailure {
  reason: TokenFailureReason;
  message: string;
  transient: boolean;
  /** When this run of failures began (kept across retries: the grace period counts from it). */
  since: string;
  /** When to try again. */
  retryAt: string;
}

/** The attempt's token as the cache shows its Secret. */
export interface AttemptToken {
  scope: TokenScope;
  secretName: string;
  /** Our Secret (metadata only); absent when not made yet. */
  secret?: KubeObject;
  /** A token is in the Secret, valid until then. */
  expiresAt?: Date;
  /** When a (new) token is to be minted: at or before now, it is due. */
  mintAt: Date;
  failure?: RecordedFailure;
}

/** The token Secret of the attempt whose Job is `jobName` (Job names are ≤ 63: this stays a valid name). */
export const tokenSecretName = (jobName: string): string => `${jobName}-github-token`;

const time = (v: string | undefined): Date | undefined => {
  const ms = v ? Date.parse(v) : Number.NaN;
  return Number.isNaN(ms) ? undefined : new Date(ms);
};

function recordedFailure(secret: KubeObject | undefined): RecordedFailure | undefined {
  const raw = secret?.metadata?.annotations?.[TOKEN_ANNOTATIONS.failure];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as RecordedFailure;
  } catch {
    return undefined;
  }
}

/**
 * The attempt's token from its cached Secret: a valid token is renewed once less than a third of its
 * life is left (GitHub's last an hour: renewed after 40 minutes); after a failure, at its retryAt.
 */
export function attemptToken(
  scope: TokenScope,
  secretName: string,
  secret: KubeObject | undefined,
  now: Date,
): AttemptToken {
  const notes = secret?.metadata?.annotations ?? {};
  const minted = time(notes[TOKEN_ANNOTATIONS.mintedAt]);
  const expires = time(notes[TOKEN_ANNOTATIONS.expiresAt]);
  const failure = recordedFailure(secret);
  const valid = minted && expires && expires.getTime() > now.getTime() ? { minted, expires } : undefined;
  const renewAt = valid
    ? new Date(valid.expires.getTime() - (valid.expires.getTime() - valid.minted.getTime()) / 3)
    : now;
  const retryAt = failure ? time(failure.retryAt) : undefined;
  const mintAt = retryAt && retryAt.getTime() > renewAt.getTime() ? retryAt : renewAt;
  return {
    scope,
    secretName,
    ...(secret ? { secret } : {}),
    ...(valid ? { expiresAt: valid.expires } : {}),
    mintAt,
    ...(failure ? { failure } : {}),
  };
}

/** The token Secret's manifest, without the token (act.ts adds it with its annotations). */
export function tokenSecret<K extends RunKindName>(
  kind: K,
  run: RunOf<K>,
  config: ControllerConfig,
  name: string,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace: run.metadata?.namespace,
      labels: { ...objectLabels(kind, run, config), [TOKEN_LABEL]: TOKEN_LABEL_VALUE },
      ownerReferences: [controllerReference(kind, run)],
    },
    type: 'Opaque',
  };
}

/** The selector of the token Secrets (the informer's, the finalizer's). */
export const tokenSecretSelector = `${LABELS.managedBy}=${MANAGED_BY},${TOKEN_LABEL}=${TOKEN_LABEL_VALUE}`;
