// Kubernetes authentication and authorisation of HTTP callers (TokenReview, SubjectAccessReview), cached.
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
export { withAccessCheck } from './request-filter.js';
export { TtlCache } from './ttl-cache.js';
