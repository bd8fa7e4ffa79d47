// The agent's model gateway token, handed to the agent container itself (docs/security.md "The model
// gateway"): the container trades its projected ServiceAccount token (audience MODEL_TOKEN_AUDIENCE,
// mounted in it alone) for a token of its attempt, so the token is in no object anyone can read. Who the
// pod is, and whether it is the current attempt's pod of a run the operator made, is decided where the
// phases' GitHub tokens are (src/github/phase-tokens/pod-attempt.ts, injected as `attemptOf`); here:
// the Job still runs, the agent container runs, and the token names the Job's uid and expires at the
// attempt's deadline.
import { parseUsd } from '../api/index.js';
import { AGENT_CONTAINER } from '../naming/index.js';
import { jobState, type KubeObject } from '../runtime/index.js';
import { mintAttemptToken, type TokenClaims } from './attempt-token.js';
import type { CredentialAnswer } from './credential-route.js';

/** The audience of the projected ServiceAccount token the agent container presents: this issuer's alone. */
export const MODEL_TOKEN_AUDIENCE = 'orchestrator.io/model-token';
/** Where the agent container asks for its token, on the gateway's listener. */
export const MODEL_TOKEN_PATH = '/orchestrator/v1/model-token';
/** The container that gets the token. */
const AGENT = AGENT_CONTAINER;

/** The current attempt a credential's pod belongs to, as src/github/phase-tokens reads it. */
export interface CredentialAttempt {
  pod: KubeObject;
  job: KubeObject;
  run: KubeObject;
  kind: string;
}

export interface ModelTokenIssuerOptions {
  /** The attempt the credential's pod is the current pod of, or the refusal (TokenReview included). */
  attemptOf: (
    credential: string,
    signal: AbortSignal,
  ) => Promise<CredentialAttempt | { status: number; message: string }>;
  /** The gateway's signing key; undefined while it is not loaded (the container asks again). */
  key: () => Buffer | undefined;
  now?: () => number;
}

type Status = { name?: string; state?: { running?: object; terminated?: object } };

/** Why the agent container may not have its token now, or undefined when it may (409: not yet). */
export function agentRefusal(attempt: CredentialAttempt): { status: 403 | 409; message: string } | undefined {
  const { job, pod } = attempt;
  if (job.metadata?.deletionTimestamp || jobState(job) !== 'Active')
    return { status: 403, message: "the attempt's Job has ended" };
  if (pod.metadata?.deletionTimestamp) return { status: 403, message: 'the pod is being deleted' };
  const status = (pod.status ?? {}) as { initContainerStatuses?: Status[]; containerStatuses?: Status[] };
  const agent = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])].find(
    (c) => c.name === AGENT,
  );
  if (agent?.state?.terminated) return { status: 403, message: `the ${AGENT} container has ended` };
  if (!agent?.state?.running)
    return { status: 409, message: `the kubelet does not report ${AGENT} running yet` };
  return undefined;
}

/** When the attempt's Job reaches its deadline (ms since the epoch); undefined when it has none. */
export function attemptDeadline(job: KubeObject, nowMs: number): number | undefined {
  const seconds = (job.spec as { activeDeadlineSeconds?: number } | undefined)?.activeDeadlineSeconds;
  if (typeof seconds !== 'number') return undefined;
  const started = Date.parse((job.status as { startTime?: string } | undefined)?.startTime ?? '');
  return (Number.isNaN(started) ? nowMs : started) + seconds * 1000;
}

/** The claims of the token for `attempt`, or why there is none. */
function claimsOf(attempt: CredentialAttempt, nowMs: number): TokenClaims | { status: 403; message: string } {
  const { job, run, kind } = attempt;
  const expiresAt = attemptDeadline(job, nowMs);
  if (expiresAt === undefined) return { status: 403, message: "the attempt's Job has no deadline" };
  const limit = (run.spec as { limits?: { maxBudgetUsd?: string } } | undefined)?.limits?.maxBudgetUsd;
  return {
    namespace: run.metadata?.namespace ?? '',
    kind,
    run: run.metadata?.name ?? '',
    uid: run.metadata?.uid ?? '',
    attempt: (run.status as { attempt?: number } | undefined)?.attempt ?? 0,
    job: job.metadata?.name ?? '',
    jobUid: job.metadata?.uid ?? '',
    expiresAt,
    maxBudgetMicros: parseUsd(limit),
  };
}

export class ModelTokenIssuer {
  constructor(private readonly opts: ModelTokenIssuerOptions) {}

  async issue(credential: string, signal: AbortSignal): Promise<CredentialAnswer> {
    const attempt = await this.opts.attemptOf(credential, signal);
    if ('status' in attempt) return attempt;
    const refusal = agentRefusal(attempt);
    if (refusal) return refusal;
    const key = this.opts.key();
    if (!key) return { status: 503, message: "the gateway's signing key is not loaded yet; ask again" };
    const claims = claimsOf(attempt, (this.opts.now ?? Date.now)());
    if ('status' in claims) return claims;
    return { status: 200, token: mintAttemptToken(key, claims) };
  }
}
