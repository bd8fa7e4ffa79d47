// The validating webhook's part of submitter authorisation (references/, docs/security.md): what the
// admitted run makes its pod use, asked of RBAC for the requester as the apiserver authenticated them
// (user, uid, groups, extra). On UPDATE only what the old object did not already name. The manager
// is trusted instead (its requests carry no end user's identity): it checks the REST API's callers
// itself before it creates their runs (src/rest/runs.ts), and a GitHub remediation run may name only
// what the run it continues named (src/github/remediation-run.ts).
// What one review may cost is bounded (docs/security.md "Admission reviews"): at most
// MAX_REFERENCED_OBJECTS objects asked about, the SubjectAccessReviews asked at once by a budget of
// their own, and a denial names the requester's permissions only to a caller proven to be the apiserver
// (reference-denial.ts). From an untrusted address, the requester must first be one an apiserver could
// have sent, or the address's reviews are refused for a while (outsider-senders.ts).

import type { AdmissionRequest, AdmissionResult, ReviewCaller } from '../admission/request.js';
import type { ControllerConfig, RunKindName } from '../api/index.js';
import {
  type AccessReviewer,
  KubeReviewer,
  ReviewLimit,
  type ReviewLimitOptions,
  requesterProblem,
  type UserInfo,
} from '../auth/index.js';
import type { ApiRequester } from '../runtime/index.js';
import { countFindings, error, type Finding } from '../validation/index.js';
import { denialMessage } from './denial.js';
import { mayMakeRequest, OUTSIDER_TTL_MS, type OutsiderSenders } from './outsider-senders.js';
import { withheldDenial } from './reference-denial.js';
import {
  judgeReferences,
  REFERENCE_REVIEW_TIMEOUT_MS,
  REFERENCE_RULES,
  type ReferenceCheck,
  referencesToCheck,
  specOf,
} from './references/index.js';

/**
 * Distinct objects one run may name for checking: each is a SubjectAccessReview (or two), so this
 * bounds what one review asks of the apiserver. Runs name a handful; the schema's list bounds (100
 * envFromSecrets) are for entries, which may share a Secret.
 */
export const MAX_REFERENCED_OBJECTS = 32;

/**
 * The reference checks' own budget of SubjectAccessReviews (review-limit.ts): so many at once, so many
 * waiting, each waiting at most so long that it and its review (REFERENCE_REVIEW_TIMEOUT_MS) end within
 * the webhooks' timeoutSeconds of 5; and the part of it one untrusted client address may hold, so that
 * one client's flood leaves the rest to everyone else.
 */
export const REFERENCE_REVIEW_LIMITS = Object.freeze({
  maxInFlight: 16,
  maxQueued: 128,
  maxWaitMs: 1_500,
  perShare: Object.freeze({ maxInFlight: 4, maxQueued: 32 }),
});

export interface ReferenceAccess {
  /** Asks RBAC (SubjectAccessReviews, cached); its timeout bounds each question. */
  reviewer: AccessReviewer;
  /** Requesters whose runs are not checked here: the manager, which checks for those it acts for. */
  trusted: () => ReadonlySet<string>;
  /** The untrusted addresses that sent a review no apiserver sends. Default: not remembered. */
  outsiders?: OutsiderSenders;
}

/**
 * The webhooks' reviewer: SubjectAccessReviews as `client` (which needs `create
 * subjectaccessreviews`, config/rbac/api-role.yaml; src/app gives it a client of its own, not the
 * reconciler's), cached like the REST API's (an allow 5 min, a denial 30 s) within 4 MiB, each bounded
 * by REFERENCE_REVIEW_TIMEOUT_MS and all by REFERENCE_REVIEW_LIMITS.
 */
export const referenceReviewer = (
  client: ApiRequester,
  limits: Omit<ReviewLimitOptions, 'what'> = REFERENCE_REVIEW_LIMITS,
): KubeReviewer =>
  new KubeReviewer({
    client,
    timeoutMs: REFERENCE_REVIEW_TIMEOUT_MS,
    limit: new ReviewLimit({ what: 'SubjectAccessReviews', ...limits }),
  });

/** The requester as the AdmissionReview states them, for a SubjectAccessReview. */
export function requester(request: AdmissionRequest): UserInfo {
  const info = request.userInfo ?? {};
  return {
    username: info.username ?? '',
    ...(info.uid ? { uid: info.uid } : {}),
    ...(info.groups ? { groups: info.groups } : {}),
    ...(info.extra ? { extra: info.extra } : {}),
  };
}

/** The denial of reference findings: 403 Forbidden when one was refused; 503 when checks could not be made. */
export function referenceDenial(
  kind: RunKindName,
  name: string,
  findings: Finding[],
): Extract<AdmissionResult, { allowed: false }> & { code: 403 | 503 } {
  const refused = findings.find((f) => f.rule === REFERENCE_RULES.denied);
  return {
    allowed: false,
    code: refused ? 403 : 503,
    reason: refused ? 'Forbidden' : 'ServiceUnavailable',
    rule: (refused ?? findings[0])?.rule ?? REFERENCE_RULES.denied,
    message: denialMessage(kind, name, findings, 'forbidden'),
    findings: countFindings(findings),
  };
}

/** The denial of a run naming more objects than MAX_REFERENCED_OBJECTS: the fields, their counts, the limit. */
export function tooManyReferences(
  kind: RunKindName,
  name: string,
  checks: readonly ReferenceCheck[],
): Extract<AdmissionResult, { allowed: false }> | undefined {
  // Distinct objects are at most the checks: the usual run is decided without building anything.
  if (checks.length <= MAX_REFERENCED_OBJECTS) return undefined;
  const objects = new Map<string, Set<string>>();
  for (const c of checks) {
    const field = c.reference.field.split(/[ ,]/)[0] ?? c.reference.field;
    const names = objects.get(field) ?? new Set<string>();
    names.add(`${c.reference.resource}/${c.name}`);
    objects.set(field, names);
  }
  const distinct = new Set(checks.map((c) => `${c.reference.resource}/${c.name}`)).size;
  if (distinct <= MAX_REFERENCED_OBJECTS) return undefined;
  const fields = [...objects].map(([field, names]) => `${field} names ${names.size}`).join(', ');
  return {
    allowed: false,
    code: 422,
    reason: 'Invalid',
    rule: 'reference-limit',
    message: `${kind}.orchestrator.io "${name.slice(0, 253)}" is invalid: the run names ${distinct} distinct objects whose use its submitter must be allowed (${fields}); at most ${MAX_REFERENCED_OBJECTS} per run, each asked of RBAC: name fewer Secrets, accounts or claims (several env entries may share one Secret)`,
    findings: 1,
  };
}

/**
 * Undefined when nothing needs asking (a trusted requester, no reference beyond the defaults, none
 * new); else the decision, once RBAC answered. The denial names the requester's permissions only when
 * `caller` proved it is the apiserver; else it says what the run needs and logs which was refused.
 */
export function reviewReferences(
  kind: RunKindName,
  request: AdmissionRequest,
  config: ControllerConfig,
  access: ReferenceAccess,
  caller: ReviewCaller = { apiserver: false },
): Promise<AdmissionResult> | AdmissionResult | undefined {
  const user = requester(request);
  if (access.trusted().has(user.username)) return undefined;
  const namespace =
    request.namespace ?? String((request.object?.metadata as { namespace?: unknown })?.namespace ?? '');
  const run = { kind, spec: specOf(request.object), config, namespace };
  const stored =
    request.operation === 'UPDATE' && request.oldObject
      ? { kind, spec: specOf(request.oldObject), config, namespace }
      : undefined;
  const checks = referencesToCheck(run, stored);
  if (checks.length === 0) return undefined;
  // Before any SubjectAccessReview: a run naming 100 Secrets is refused, not asked about 100 times.
  const tooMany = tooManyReferences(kind, request.name ?? '', checks);
  if (tooMany) return tooMany;
  const implausible = requesterProblem(user);
  if (implausible)
    return {
      allowed: false,
      code: 400,
      reason: 'BadRequest',
      rule: 'implausible-requester',
      message: `${kind}.orchestrator.io "${(request.name ?? '').slice(0, 253)}" is refused: ${implausible}; an apiserver sends no such requester, so no permission of theirs is asked`,
      findings: 1,
    };
  const share = caller.apiserver || caller.source?.trusted ? undefined : caller.source?.address;
  const judged = () =>
    judgeReferences(access.reviewer, user, namespace, checks, share).then((findings): AdmissionResult => {
      if (findings.length === 0) return { allowed: true };
      const denial = referenceDenial(kind, request.name ?? '', findings);
      return caller.apiserver || denial.code === 503
        ? denial
        : withheldDenial(kind, request.name ?? '', namespace, checks, denial);
    });
  const { outsiders } = access;
  if (share === undefined || !outsiders) return judged();
  if (outsiders.has(share)) return outsiderRefusal(kind, request, 'flagged');
  // Asked before the references: a stranger's review costs one question, not one per object it names,
  // so many addresses' first reviews cannot fill the budget before they are flagged.
  return mayMakeRequest(access.reviewer, user, kind, request, namespace, share).then(
    (may) => {
      if (may) return judged();
      outsiders.add(share);
      return outsiderRefusal(kind, request, 'now');
    },
    (err: Error) => referenceDenial(kind, request.name ?? '', [unchecked(kind, err)]),
  );
}

/** The rule of a review refused as no apiserver's (outsider-senders.ts). */
export const OUTSIDER_RULE = 'outsider-requester';

/**
 * A review whose requester may not make the request (`now`), or from an address that sent one
 * lately (`flagged`): refused without naming the requester's permissions.
 */
function outsiderRefusal(
  kind: RunKindName,
  request: AdmissionRequest,
  when: 'now' | 'flagged',
): Extract<AdmissionResult, { allowed: false }> {
  const subject = `${kind}.orchestrator.io "${(request.name ?? '').slice(0, 253)}"`;
  const why =
    when === 'now'
      ? `its requester may not ${request.operation === 'CREATE' ? 'create' : 'update'} this kind in its namespace, so no apiserver sent this review`
      : 'this client address sent a review no apiserver sends';
  return {
    allowed: false,
    code: 403,
    reason: 'Forbidden',
    rule: OUTSIDER_RULE,
    message: `${subject} is refused: ${why}; reviews from this address are refused for ${OUTSIDER_TTL_MS / 1000} s without asking RBAC`,
    findings: 1,
  };
}

/** The finding of a requester whose standing could not be asked (the SubjectAccessReview failed). */
const unchecked = (kind: RunKindName, err: Error): Finding =>
  error(
    REFERENCE_RULES.unavailable,
    'metadata',
    `whether the requester may make this ${kind} request could not be checked: the SubjectAccessReview failed (${err.message}); try again`,
  );
