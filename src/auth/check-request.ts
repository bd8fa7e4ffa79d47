// One HTTP request's access check, framework-free (the REST API's koa middleware and a plain node:http
// /metrics handler both call it): no token 401, a token the apiserver does not accept 401, a caller
// RBAC does not allow 403. An apiserver that cannot be asked rejects (the caller answers 503).
import { bearerToken } from './bearer.js';
import type { AccessAttributes, AccessReviewer, UserInfo } from './kube-reviewer.js';

export type AccessCheck =
  | { ok: true; user: UserInfo }
  | { ok: false; status: 401 | 403; reason: string; user?: UserInfo };

/** Authenticates the request's bearer token, then authorises `attributes` (a function of the user, or fixed). */
export async function checkRequest(
  reviewer: AccessReviewer,
  authorization: string | undefined,
  attributes: AccessAttributes | ((user: UserInfo) => AccessAttributes),
): Promise<AccessCheck> {
  const user = await authenticateRequest(reviewer, authorization);
  if (!user.ok) return user;
  const asked = typeof attributes === 'function' ? attributes(user.user) : attributes;
  const decision = await reviewer.authorize(user.user, asked);
  if (decision.allowed) return user;
  return {
    ok: false,
    status: 403,
    reason: forbiddenMessage(user.user, asked, decision.reason),
    user: user.user,
  };
}

/** The authentication half alone (when what to authorise is known only after reading the body). */
export async function authenticateRequest(
  reviewer: AccessReviewer,
  authorization: string | undefined,
): Promise<{ ok: true; user: UserInfo } | { ok: false; status: 401; reason: string }> {
  const token = bearerToken(authorization);
  if (!token)
    return { ok: false, status: 401, reason: 'no bearer token: send Authorization: Bearer <token>' };
  const authn = await reviewer.authenticate(token);
  if (!authn.authenticated) return { ok: false, status: 401, reason: authn.reason };
  return { ok: true, user: authn.user };
}

/** The apiserver's wording: `User "u" cannot create resource "agenttaskruns" in API group "g" in the namespace "n"`. */
export function forbiddenMessage(user: UserInfo, attributes: AccessAttributes, reason: string): string {
  const because = reason ? `: ${reason}` : '';
  return `User "${user.username}" cannot ${permissionText(attributes)}${because}`;
}

/** What was asked, as the apiserver says it after "cannot": `get resource "secrets" in API group "" in the namespace "n"`. */
export function permissionText(attributes: AccessAttributes): string {
  if ('nonResource' in attributes)
    return `${attributes.nonResource.verb} path "${attributes.nonResource.path}"`;
  const a = attributes.resource;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope';
  return `${a.verb} resource "${resource}" in API group "${a.group}"${where}`;
}
