// The validating webhook's part of submitter authorisation (references/, docs/security.md): what the
// admitted run makes its pod use, asked of RBAC for the requester as the apiserver authenticated them
// (user, uid, groups, extra). On UPDATE only what the old object did not already name. The manager
// is trusted instead (its requests carry no end user's identity): it checks the REST API's callers
// itself before it creates their runs (src/rest/runs.ts), and a GitHub remediation run may name only
// what the run it continues named (src/github/remediation-run.ts).

import type { AdmissionRequest, AdmissionResult } from '../admission/request.js';
import type { ControllerConfig, RunKindName } from '../api/index.js';
import { type AccessReviewer, KubeReviewer, type UserInfo } from '../auth/index.js';
import type { ApiRequester } from '../runtime/index.js';
import { countFindings, type Finding } from '../validation/finding.js';
import { denialMessage } from './denial.js';
import {
  judgeReferences,
  REFERENCE_REVIEW_TIMEOUT_MS,
  REFERENCE_RULES,
  referencesToCheck,
  specOf,
} from './references/index.js';

export interface ReferenceAccess {
  /** Asks RBAC (SubjectAccessReviews, cached); its timeout bounds each question. */
  reviewer: AccessReviewer;
  /** Requesters whose runs are not checked here: the manager, which checks for those it acts for. */
  trusted: () => ReadonlySet<string>;
}

/**
 * The webhooks' reviewer: SubjectAccessReviews as `client` (which needs `create
 * subjectaccessreviews`, config/rbac/api-role.yaml), cached like the REST API's (an allow 5 min, a
 * denial 30 s), each bounded by REFERENCE_REVIEW_TIMEOUT_MS.
 */
export const referenceReviewer = (client: ApiRequester): AccessReviewer =>
  new KubeReviewer({ client, timeoutMs: REFERENCE_REVIEW_TIMEOUT_MS });

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

/**
 * Undefined when nothing needs asking (a trusted requester, no reference beyond the defaults, none
 * new); else the decision, once RBAC answered.
 */
export function reviewReferences(
  kind: RunKindName,
  request: AdmissionRequest,
  config: ControllerConfig,
  access: ReferenceAccess,
): Promise<AdmissionResult> | undefined {
  const user = requester(request);
  if (access.trusted().has(user.username)) return undefined;
  const run = { kind, spec: specOf(request.object), config };
  const stored =
    request.operation === 'UPDATE' && request.oldObject
      ? { kind, spec: specOf(request.oldObject), config }
      : undefined;
  const checks = referencesToCheck(run, stored);
  if (checks.length === 0) return undefined;
  const namespace =
    request.namespace ?? String((request.object?.metadata as { namespace?: unknown })?.namespace ?? '');
  return judgeReferences(access.reviewer, user, namespace, checks).then(
    (findings): AdmissionResult =>
      findings.length === 0 ? { allowed: true } : referenceDenial(kind, request.name ?? '', findings),
  );
}
