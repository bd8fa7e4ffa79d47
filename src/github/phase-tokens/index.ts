// The GitHub token broker: an attempt's prepare and publish phases get their installation token from
// the operator when they need it, never from a Secret of the run's namespace (docs/security.md
// "Phases and their credentials"). The HTTP route is the model gateway listener's
// (src/gateway/github-token-route.ts); the decisions are here.
// - attempt-pod.ts: whether a pod is the current attempt's, and in the phase that gets a token now.
// - held-tokens.ts: the tokens handed out, in this replica's memory, revoked once their phase is over.
// - issuer.ts: a request's steps: TokenReview, the pod, its Job and run, the phase, the mint.
// - pod-attempt.ts: which current attempt a pod's projected token speaks for (TokenReview, pod, Job, run),
//   for every credential a container asks the operator for (the GitHub tokens, the model gateway's).
export type { TokenPhase } from './attempt-pod.js';
export {
  type Issued,
  PHASE_TOKEN_AUDIENCE,
  PhaseTokenIssuer,
  type PhaseTokenIssuerOptions,
} from './issuer.js';
export { boundPod, podAttempt, Refusal } from './pod-attempt.js';
