// A requester an apiserver could have authenticated, judged before any SubjectAccessReview is asked
// about them. Where the webhook cannot prove its caller is the apiserver, anyone who reaches its port
// may post a review naming any requester, and each new one is a question the cache has not seen: the
// cheapest such requesters (an empty name, a group list an apiserver never sends) are refused without
// a review. What an apiserver always states: a non-empty user name; `system:authenticated` among the
// groups of every authenticated user (`system:unauthenticated` for `system:anonymous`); for a
// ServiceAccount, a well-formed `system:serviceaccount:<namespace>:<name>`.
import type { UserInfo } from './kube-reviewer.js';

const SERVICE_ACCOUNT = 'system:serviceaccount:';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why no apiserver would send `user` as a requester (naming the field and the rule), or undefined. */
export function requesterProblem(user: UserInfo): string | undefined {
  const { username } = user;
  const groups = user.groups ?? [];
  if (username.trim() === '' || /\p{Cc}/u.test(username))
    return 'request.userInfo.username must be a non-empty name without control characters';
  if (username === 'system:anonymous') {
    if (!groups.includes('system:unauthenticated'))
      return 'request.userInfo.groups must include system:unauthenticated for system:anonymous';
    return undefined;
  }
  if (!groups.includes('system:authenticated'))
    return 'request.userInfo.groups must include system:authenticated (an apiserver adds it to every authenticated user)';
  if (username.startsWith(SERVICE_ACCOUNT)) {
    const [namespace = '', name = '', ...rest] = username.slice(SERVICE_ACCOUNT.length).split(':');
    if (rest.length > 0 || !DNS_LABEL.test(namespace) || !DNS_SUBDOMAIN.test(name))
      return 'request.userInfo.username must be system:serviceaccount:<namespace>:<name> with a valid namespace and name';
  }
  return undefined;
}
