// The addresses that posted a review no apiserver sends (docs/security.md "Admission reviews"). The
// apiserver calls the webhook only for a request it has authorised, so a requester who may not make
// the request at all (create, or update or patch, runs of its kind in its namespace) was made up by
// whoever posted the review. Per address, not per claimed user: a stranger names a new user in every
// review for nothing, but has few addresses. From an untrusted address, the first such review costs
// one SubjectAccessReview; the address's reviews are then refused for OUTSIDER_TTL_MS without any, so
// strangers from any number of addresses spend the SubjectAccessReview budget once per address a
// minute, not once per review, and the apiserver's reviews find it free. The time is fixed, never
// renewed: an apiserver flagged by a race (its requester's Role removed between authorisation and
// review) is served again within a minute.
import type { AdmissionRequest } from '../admission/request.js';
import { type RunKindName, runResource } from '../api/index.js';
import type { AccessReviewer, UserInfo } from '../auth/index.js';

/** How long an address that sent an outsider's review has its reviews refused. */
export const OUTSIDER_TTL_MS = 60_000;
/** Addresses remembered (oldest forgotten first): a bound on memory, not on the attack. */
const MAX_ADDRESSES = 10_000;

export class OutsiderSenders {
  /** Flagged addresses, by when they were flagged (insertion order: oldest first). */
  private readonly flagged = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True while `address` is flagged. */
  has(address: string): boolean {
    const at = this.flagged.get(address);
    if (at === undefined) return false;
    if (this.now() - at < OUTSIDER_TTL_MS) return true;
    this.flagged.delete(address);
    return false;
  }

  add(address: string): void {
    if (this.flagged.has(address)) return;
    this.flagged.set(address, this.now());
    if (this.flagged.size > MAX_ADDRESSES) this.flagged.delete(this.flagged.keys().next().value as string);
  }
}

/**
 * The verbs an apiserver authorised before sending the review: `create` for a CREATE; for an UPDATE
 * `update`, or `patch` (kubectl patch and server-side apply are authorised as patch).
 */
const VERBS: Record<string, readonly string[]> = { CREATE: ['create'], UPDATE: ['update', 'patch'] };

/**
 * Whether the requester may make the reviewed request at all (one of the verbs on the run's kind in
 * its namespace), asked of RBAC within `share`'s part of the reviewer's budget. Rejects when a
 * SubjectAccessReview could not be made.
 */
export async function mayMakeRequest(
  reviewer: AccessReviewer,
  user: UserInfo,
  kind: RunKindName,
  request: AdmissionRequest,
  namespace: string,
  share: string,
): Promise<boolean> {
  const { group, plural } = runResource(kind);
  // A create is authorised without a name (RBAC's resourceNames cannot limit it); an update with one.
  const name = request.operation === 'UPDATE' && request.name ? { name: request.name } : {};
  for (const verb of VERBS[request.operation] ?? []) {
    const resource = { verb, group, resource: plural, namespace, ...name };
    if ((await reviewer.authorize(user, { resource }, share)).allowed) return true;
  }
  return false;
}
