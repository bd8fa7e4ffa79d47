// The validating webhook's part of "a run's controls are its submitter's" (run-controls.ts): an UPDATE
// that changes a control its requester may not change as who they are is refused (403, naming each
// field), unless RBAC says the requester holds each such control's verb on the run. The
// REST API's retry asks the same question (controlAttributes) before the manager raises the counter.
import type { AdmissionRequest, AdmissionResult, ReviewCaller } from '../admission/request.js';
import { GROUP, type RunKindName, runResource } from '../api/index.js';
import type { AccessReviewer, ResourceAttributes } from '../auth/index.js';
import { countFindings, error, type Finding } from '../validation/index.js';
import { denialMessage } from './denial.js';
import { requester } from './reference-review.js';
import { CONTROL_RULE, type ControlChange, controlChanges, controlFinding } from './run-controls.js';
import { submitterOf } from './submitter.js';

/** The RBAC question of a verb on one run: `retry coderuns.orchestrator.io "fix" in team-a`. */
export const controlAttributes = (
  kind: RunKindName,
  verb: string,
  namespace: string,
  name: string,
): ResourceAttributes => ({ verb, group: GROUP, resource: runResource(kind).plural, namespace, name });

const denial = (
  kind: RunKindName,
  name: string,
  findings: Finding[],
  code: 403 | 503,
): Extract<AdmissionResult, { allowed: false }> => ({
  allowed: false,
  code,
  reason: code === 403 ? 'Forbidden' : 'ServiceUnavailable',
  rule: findings[0]?.rule ?? CONTROL_RULE,
  message: denialMessage(kind, name, findings, 'forbidden'),
  findings: countFindings(findings),
});

/** The changes whose verb RBAC does not grant the requester (each verb asked once). */
async function ungranted(
  changes: ControlChange[],
  ask: (verb: string) => Promise<boolean>,
): Promise<ControlChange[]> {
  const verbs = [...new Set(changes.map((c) => c.control.verb))];
  const granted = new Map(await Promise.all(verbs.map(async (v) => [v, await ask(v)] as const)));
  return changes.filter((c) => !granted.get(c.control.verb));
}

/**
 * Undefined when the update changes no control its requester may not change (or the requester is
 * trusted: the manager); else the denial, once RBAC answered about the verbs.
 */
export function reviewControls(
  kind: RunKindName,
  request: AdmissionRequest,
  trusted: ReadonlySet<string>,
  reviewer: AccessReviewer,
  caller: ReviewCaller = { apiserver: false },
): Promise<AdmissionResult | undefined> | undefined {
  if (request.operation !== 'UPDATE' || !request.oldObject) return undefined;
  const user = requester(request);
  if (trusted.has(user.username)) return undefined;
  const who = { username: user.username, submitter: submitterOf(request.oldObject) };
  const changes = controlChanges(kind, request.object, request.oldObject, who);
  if (changes.length === 0) return undefined;
  const name = request.name ?? '';
  const namespace = request.namespace ?? '';
  const plural = `${runResource(kind).plural}.${GROUP} "${name}"`;
  // An unproven caller's questions are held to its address's share, as the reference checks' are.
  const share = caller.apiserver || caller.source?.trusted ? undefined : caller.source?.address;
  const ask = async (verb: string) => {
    const attributes = { resource: controlAttributes(kind, verb, namespace, name) };
    return (await reviewer.authorize(user, attributes, share)).allowed;
  };
  return ungranted(changes, ask).then(
    (refused) =>
      refused.length === 0
        ? undefined
        : denial(
            kind,
            name,
            refused.map((c) => controlFinding(c, who, plural)),
            403,
          ),
    (err: Error) =>
      denial(
        kind,
        name,
        [
          error(
            'control-review-unavailable',
            changes[0]?.control.path ?? '',
            `RBAC could not be asked whether "${user.username}" may change it: ${err.message}; try again`,
          ),
        ],
        503,
      ),
  );
}
