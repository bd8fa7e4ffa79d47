// The validating webhook's part of "what steers a run is its submitter's" (fields/steering.ts): an
// UPDATE by anyone but the stored submitter may change no spec field but the run's controls, which
// control-review.ts judges. The operator's own
// identities (the trusted requesters: the manager, which retries runs for the REST API's callers after
// asking RBAC, and continues a run for its submitter when GitHub reports on it) are exempt; any other
// requester is compared with orchestrator.io/submitted-by of the stored object, which the mutating
// webhook keeps unforgeable (submitter.ts).
import type { AdmissionRequest, AdmissionResult } from '../admission/request.js';
import type { RunKindName } from '../api/index.js';
import { countFindings } from '../validation/index.js';
import { denialMessage } from './denial.js';
import { STEERING_RULE, steeringChanges } from './fields/index.js';
import { submitterOf } from './submitter.js';

/** The denial of an update that steers another's run (403, naming each field and the submitter), else undefined. */
export function reviewSteering(
  kind: RunKindName,
  request: AdmissionRequest,
  trusted: ReadonlySet<string>,
): Extract<AdmissionResult, { allowed: false }> | undefined {
  if (request.operation !== 'UPDATE' || !request.oldObject) return undefined;
  const requester = request.userInfo?.username ?? '';
  if (trusted.has(requester)) return undefined;
  const who = { requester, submitter: submitterOf(request.oldObject) };
  const findings = steeringChanges(kind, request.object, request.oldObject, who);
  if (findings.length === 0) return undefined;
  return {
    allowed: false,
    code: 403,
    reason: 'Forbidden',
    rule: STEERING_RULE,
    message: denialMessage(kind, request.name, findings, 'forbidden'),
    findings: countFindings(findings),
  };
}
