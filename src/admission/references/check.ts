// The reference table (table.ts) asked of RBAC for one submitter: a SubjectAccessReview per
// permission (through the reviewer's cache), all at once, each bounded by the reviewer's timeout so
// that the webhook answers within the apiserver's limit. A row's permissions are alternatives: one
// allowed is enough. No answer in time is a denial that says so; nothing is admitted unchecked.
import type { AccessReviewer, ResourceAttributes, UserInfo } from '../../auth/index.js';
import { permissionText } from '../../auth/index.js';
import { error, type Finding } from '../../validation/index.js';
import { type Permission, permissionsOf } from './row.js';
import type { ReferenceCheck } from './table.js';

/**
 * Each review's limit: the webhooks' timeoutSeconds is 5 (webhooks/), and the rest of the review and
 * the network need the remainder. Every question is asked at once, so this bounds them all.
 */
export const REFERENCE_REVIEW_TIMEOUT_MS = 3_000;

export const REFERENCE_RULES = Object.freeze({
  denied: 'reference-access',
  unavailable: 'reference-check-unavailable',
});

/** The SubjectAccessReview attributes of `permission` on the checked object. */
export function accessAttributes(
  check: ReferenceCheck,
  permission: Permission,
  namespace: string,
): ResourceAttributes {
  const { reference } = check;
  return {
    verb: permission.verb,
    group: permission.group ?? reference.group,
    resource: permission.resource ?? reference.resource,
    ...(permission.subresource ? { subresource: permission.subresource } : {}),
    ...(reference.clusterScoped ? {} : { namespace }),
    ...(permission.unnamed ? {} : { name: permission.name ? permission.name(check.name) : check.name }),
  };
}

/** The row's alternatives for this object, each question once (an image without a tag is its own repository). */
function askedOf(check: ReferenceCheck, namespace: string): ResourceAttributes[] {
  const asked = permissionsOf(check).map((p) => accessAttributes(check, p, namespace));
  if (asked.length < 2) return asked;
  const seen = new Set<string>();
  return asked.filter((a) => {
    const key = questionKey(a);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The attributes as one string: two alternatives are one question when these are equal. */
const questionKey = (a: ResourceAttributes): string =>
  [a.verb, a.group, a.resource, a.subresource, a.namespace, a.name].map((v) => v ?? '\0').join('\n');

/** One alternative as the apiserver words it, with its name when it is not the object's (`images "…:2"` → `…`). */
const alternativeText = (check: ReferenceCheck, resource: ResourceAttributes) =>
  `${permissionText({ resource })}${resource.name && resource.name !== check.name ? ` named "${resource.name}"` : ''}`;

/** `secrets "db"`: the object as the apiserver names it in a Forbidden status. */
const objectText = (check: ReferenceCheck) => `${check.reference.resource} "${check.name}"`;

/** `{apiGroups: [orchestrator.io], resources: [agentprofiles], resourceNames: [tess], verbs: [use]}`. */
export function ruleText(asked: ResourceAttributes): string {
  const resource = asked.subresource ? `${asked.resource}/${asked.subresource}` : asked.resource;
  const group = asked.group === '' ? '""' : asked.group;
  const names = asked.name ? `, resourceNames: [${asked.name}]` : '';
  return `{apiGroups: [${group}], resources: [${resource}]${names}, verbs: [${asked.verb}]}`;
}

/** Why the pod would use the object: the check's own reason, else its row's. */
const useOf = (check: ReferenceCheck) => check.use ?? check.reference.use;

/**
 * As the apiserver words a denial, with the alternatives that would have done, why it is asked and
 * the Role rules that would allow it: `secrets "db" is forbidden: User "u" cannot get resource
 * "secrets" in API group "" in the namespace "ns": the agent would read this Secret; a Role rule
 * allowing it: {apiGroups: [""], resources: [secrets], resourceNames: [db], verbs: [get]}`.
 */
export function deniedMessage(check: ReferenceCheck, user: UserInfo, asked: ResourceAttributes[]): string {
  const [first, ...others] = asked.map((resource) => alternativeText(check, resource));
  const nor = others.map((text) => `, nor ${text}`).join('');
  const role = check.reference.clusterScoped ? 'ClusterRole' : 'Role';
  const rules = asked.map(ruleText).join(' or ');
  return `${objectText(check)} is forbidden: User "${user.username}" cannot ${first}${nor}: ${useOf(check)}; a ${role} rule allowing it: ${rules}`;
}

/** The finding for one object, or undefined when one of its permissions is allowed. */
async function judge(
  reviewer: AccessReviewer,
  user: UserInfo,
  namespace: string,
  check: ReferenceCheck,
  share: string | undefined,
): Promise<Finding | undefined> {
  const asked = askedOf(check, namespace);
  const answers = await Promise.allSettled(
    asked.map((resource) => reviewer.authorize(user, { resource }, share)),
  );
  if (answers.some((a) => a.status === 'fulfilled' && a.value.allowed)) return undefined;
  const failed = answers.find((a): a is PromiseRejectedResult => a.status === 'rejected');
  if (failed)
    return error(
      REFERENCE_RULES.unavailable,
      check.path,
      `${objectText(check)} could not be checked: the SubjectAccessReview failed (${(failed.reason as Error)?.message ?? String(failed.reason)}); the run is refused until it can be made, try again`,
    );
  return error(REFERENCE_RULES.denied, check.path, deniedMessage(check, user, asked));
}

/**
 * Every check at once; the findings in the table's order (none: all allowed). `share`: the client
 * address the questions are asked for, held to its share of the reviewer's budget.
 */
export async function judgeReferences(
  reviewer: AccessReviewer,
  user: UserInfo,
  namespace: string,
  checks: readonly ReferenceCheck[],
  share?: string,
): Promise<Finding[]> {
  const findings = await Promise.all(checks.map((c) => judge(reviewer, user, namespace, c, share)));
  return findings.filter((f): f is Finding => f !== undefined);
}

/** What offline validation cannot check (`orchestrator validate`): who may use the object is RBAC's to say, at admission. */
export function uncheckedText(check: ReferenceCheck, namespace = "<the run's namespace>"): string {
  const asked = askedOf(check, namespace);
  const either = asked.map((resource) => alternativeText(check, resource)).join(', or ');
  return `${check.path}: ${objectText(check)}: not checked offline: at admission the run's submitter must be allowed to ${either} (${useOf(check)})`;
}
