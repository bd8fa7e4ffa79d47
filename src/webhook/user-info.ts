// The requester an AdmissionReview states (request.userInfo), bounded by what an apiserver sends. Each
// SubjectAccessReview of the reference checks carries this identity whole, and its cache key is built
// from it, so a forged userInfo of megabytes multiplied by the references asked about is what made one
// review cost hundreds of MiB (docs/security.md "Admission reviews"). An apiserver's userInfo comes from
// a token, a certificate or an authenticating proxy, all far below these bounds; past them the review
// is a 400 before anything is asked of RBAC.
import { isPlainObject } from '../util/index.js';

/** The bounds, in characters and counts (docs/security.md states them). */
export const USER_INFO_LIMITS = Object.freeze({
  /** A ServiceAccount's `system:serviceaccount:<ns>:<name>` is at most 340; OIDC and x509 names are shorter. */
  usernameChars: 1024,
  /** Kubernetes uids are 36-character UUIDs. */
  uidChars: 256,
  /** Directory users in many groups: generous, since each group is short. */
  groups: 1024,
  groupChars: 1024,
  extraKeys: 64,
  extraKeyChars: 256,
  extraValues: 256,
  extraValueChars: 1024,
  /** Every string above together: what one SubjectAccessReview carries of the requester. */
  totalChars: 64 * 1024,
});

/** Why `userInfo` is not one an apiserver would send (a message naming the field and the bound), or undefined. */
export function userInfoProblem(userInfo: unknown): string | undefined {
  if (userInfo === undefined) return undefined;
  const L = USER_INFO_LIMITS;
  if (!isPlainObject(userInfo)) return 'request.userInfo must be an object';
  let total = 0;
  const text = (v: unknown, field: string, max: number): string | undefined => {
    if (typeof v !== 'string') return `${field} must be a string`;
    total += v.length;
    return v.length > max ? `${field} is ${v.length} characters; at most ${max}` : undefined;
  };
  const list = (v: unknown, field: string, maxItems: number, maxChars: number): string | undefined => {
    if (!Array.isArray(v)) return `${field} must be a list of strings`;
    if (v.length > maxItems) return `${field} has ${v.length} entries; at most ${maxItems}`;
    for (let i = 0; i < v.length; i++) {
      const problem = text(v[i], `${field}[${i}]`, maxChars);
      if (problem) return problem;
    }
    return undefined;
  };
  const { username, uid, groups, extra } = userInfo;
  const problem =
    (username === undefined ? undefined : text(username, 'request.userInfo.username', L.usernameChars)) ??
    (uid === undefined ? undefined : text(uid, 'request.userInfo.uid', L.uidChars)) ??
    (groups === undefined ? undefined : list(groups, 'request.userInfo.groups', L.groups, L.groupChars)) ??
    (extra === undefined ? undefined : extraProblem(extra, text, list));
  if (problem) return `${problem} (an apiserver sends no such userInfo)`;
  if (total > L.totalChars)
    return `request.userInfo is ${total} characters in all; at most ${L.totalChars} (an apiserver sends no such userInfo)`;
  return undefined;
}

function extraProblem(
  extra: unknown,
  text: (v: unknown, field: string, max: number) => string | undefined,
  list: (v: unknown, field: string, maxItems: number, maxChars: number) => string | undefined,
): string | undefined {
  const L = USER_INFO_LIMITS;
  if (!isPlainObject(extra)) return 'request.userInfo.extra must be an object of string lists';
  const keys = Object.keys(extra);
  if (keys.length > L.extraKeys)
    return `request.userInfo.extra has ${keys.length} keys; at most ${L.extraKeys}`;
  for (const key of keys) {
    const shown = key.slice(0, 64);
    const problem =
      text(key, `request.userInfo.extra key "${shown}"`, L.extraKeyChars) ??
      list(extra[key], `request.userInfo.extra["${shown}"]`, L.extraValues, L.extraValueChars);
    if (problem) return problem;
  }
  return undefined;
}
