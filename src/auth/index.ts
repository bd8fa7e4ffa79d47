// Kubernetes authentication and authorisation of HTTP callers, as kube-rbac-proxy does it: a TokenReview
// says who, a SubjectAccessReview says what they may do, the answers cached. RBAC stays the one source of
// who may do what: the REST API, the secure /metrics and the webhook's reference checks all ask here.
// - bearer.ts: the bearer token of a request (RFC 6750), as kubectl sends it.
// - check-request.ts: one request's check (401, 403, or the apiserver unreachable), framework-free, so koa
//   middleware and a plain node:http handler share it.
// - kube-reviewer.ts: the reviews asked of the apiserver, cached (allow 5 min, deny 30 s), tokens kept
//   only as hashes, concurrent questions shared.
// - plausible-requester.ts: a requester an apiserver could have sent, judged before a review about them.
// - review-limit.ts: the budget of reviews asked at once (in flight, waiting; a share per client
//   address), refused past it, so callers of the webhook cannot decide how many requests the process
//   makes of the apiserver, nor one caller take the budget from the others.
// - request-filter.ts: the check in front of a plain node:http handler (the secure /metrics).
// - ttl-cache.ts: the bounded (entries and bytes), expiring memory of answers, so a flood of random
//   tokens or forged requesters cannot grow it.
export { bearerToken } from './bearer.js';
export {
  type AccessCheck,
  authenticateRequest,
  checkRequest,
  forbiddenMessage,
  permissionText,
} from './check-request.js';
export {
  type AccessAttributes,
  type AccessReviewer,
  type Authentication,
  type Decision,
  KubeReviewer,
  type KubeReviewerOptions,
  type NonResourceAttributes,
  type ResourceAttributes,
  type UserInfo,
} from './kube-reviewer.js';
export { requesterProblem } from './plausible-requester.js';
export { withAccessCheck } from './request-filter.js';
export { ReviewLimit, ReviewLimitExceeded, type ReviewLimitOptions } from './review-limit.js';
export { TtlCache } from './ttl-cache.js';
