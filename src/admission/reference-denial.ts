// A reference denial for a caller not proven to be the apiserver. The webhook port answers whoever
// reaches it, with whatever userInfo they post: a denial that said `User "alice" cannot get secrets
// "db"` would tell anyone which users may read which Secrets (an RBAC oracle). So unless the caller
// presented a client certificate of the configured CA (docs/security.md "Authenticating the
// apiserver"), the answer says what the run needs and how to check it, not which permission the named
// requester lacks; the full denial is logged under a correlation id. A legitimate submitter reads it in
// kubectl and checks their own rights with `kubectl auth can-i` (a SelfSubjectAccessReview for the
// operator's virtual resources, which kubectl cannot resolve).
import { randomBytes } from 'node:crypto';
import type { AdmissionResult } from '../admission/request.js';
import { GROUP, type RunKindName } from '../api/index.js';
import { truncate } from '../validation/index.js';
import { accessAttributes, type Permission, permissionsOf, type ReferenceCheck } from './references/index.js';

type Denial = Extract<AdmissionResult, { allowed: false }>;

/** Objects listed in the message at most (a run names at most MAX_REFERENCED_OBJECTS anyway). */
const LISTED = 32;

/** `'…'` for a POSIX shell: the command is meant to be pasted (a repository's name is the submitter's). */
const quoted = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/**
 * The command that checks one permission, as the submitter: `kubectl auth can-i get secrets/db -n ns`
 * (`--subresource=token` as kubectl takes it). A resource of another group than the core one that no
 * API serves (agentprofiles, repositories of orchestrator.io: virtual, named only by RBAC rules) is one
 * `kubectl auth can-i` cannot resolve (it would ask about a resource "agentprofiles.orchestrator.io" of
 * the core group), so that question is the SelfSubjectAccessReview itself, whose status says true or false.
 */
export function checkCommand(check: ReferenceCheck, permission: Permission, namespace: string): string {
  const { verb, group, resource, subresource, name } = accessAttributes(check, permission, namespace);
  if (group !== GROUP) {
    // A served resource (a Secret; a PriorityClass, cluster-scoped: no namespace) kubectl can resolve.
    const sub = subresource ? ` --subresource=${subresource}` : '';
    const where = check.reference.clusterScoped ? '' : ` -n ${namespace}`;
    const what = `${group ? `${resource}.${group}` : resource}${name ? `/${name}` : ''}`;
    return `kubectl auth can-i ${verb} ${what}${sub}${where}`;
  }
  const review = {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: {
      resourceAttributes: {
        namespace,
        verb,
        group,
        resource,
        ...(subresource ? { subresource } : {}),
        ...(name ? { name } : {}),
      },
    },
  };
  return `echo ${quoted(JSON.stringify(review))} | kubectl create --validate=false -f - -o jsonpath='{.status.allowed}'`;
}

const canI = (check: ReferenceCheck, namespace: string) =>
  [...new Set(permissionsOf(check).map((p) => checkCommand(check, p, namespace)))].join(' (or) ');

/** `denial` without the requester's permission detail, which goes to `logDetail` under a correlation id. */
export function withheldDenial(
  kind: RunKindName,
  name: string,
  namespace: string,
  checks: readonly ReferenceCheck[],
  denial: Denial,
): Denial {
  const correlation = randomBytes(6).toString('hex');
  const listed = checks
    .slice(0, LISTED)
    .map((c) => `${c.path}: ${truncate(canI(c, namespace), 1_200)}${c.note ? ` (${c.note})` : ''}`)
    .join('; ');
  const more = checks.length > LISTED ? `; and ${checks.length - LISTED} more` : '';
  return {
    allowed: false,
    code: 403,
    reason: 'Forbidden',
    rule: denial.rule,
    findings: denial.findings ?? 1,
    message:
      `${kind}.${GROUP} "${truncate(name, 253)}" is forbidden: its submitter may not use every object it names ` +
      `(the agent's pod would use them, so the submitter must be allowed to). Check each with: ${listed}${more}. ` +
      `The webhook's log says which was refused, under correlation id ${correlation}.`,
    logDetail: { correlation, message: denial.message },
  };
}
