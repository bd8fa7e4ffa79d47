// A reference denial for a caller not proven to be the apiserver. The webhook port answers whoever
// reaches it, with whatever userInfo they post: a denial that said `User "alice" cannot get secrets
// "db"` would tell anyone which users may read which Secrets (an RBAC oracle). So unless the caller
// presented a client certificate of the configured CA (docs/security.md "Authenticating the
// apiserver"), the answer says what the run needs and how to check it, not which permission the named
// requester lacks; the full denial is logged under a correlation id. A legitimate submitter reads it in
// kubectl and checks their own rights with `kubectl auth can-i`.
import { randomBytes } from 'node:crypto';
import type { AdmissionResult } from '../admission/request.js';
import { GROUP, type RunKindName } from '../api/index.js';
import { truncate } from '../validation/finding.js';
import type { ReferenceCheck } from './references/index.js';

type Denial = Extract<AdmissionResult, { allowed: false }>;

/** Objects listed in the message at most (a run names at most MAX_REFERENCED_OBJECTS anyway). */
const LISTED = 32;

/**
 * `get secrets/db`, `create serviceaccounts/deployer --subresource=token`: as `kubectl auth can-i` takes
 * it (a cluster-scoped resource without a namespace), each alternative once. A virtual resource of our
 * API group (images) is no resource kubectl can discover, and `can-i` would ask about the wrong group:
 * the Role rule that allows it is named instead.
 */
const canI = (check: ReferenceCheck, namespace: string) => {
  const { reference } = check;
  const asked = reference.anyOf.map((p) => {
    const name = p.name ? p.name(check.name) : check.name;
    if (reference.group === GROUP)
      return `a Role rule {apiGroups: [${GROUP}], resources: [${reference.resource}], verbs: [${p.verb}], resourceNames: ["${name}"]}`;
    const resource = reference.group ? `${reference.resource}.${reference.group}` : reference.resource;
    const where = reference.clusterScoped ? '' : ` -n ${namespace}`;
    return `kubectl auth can-i ${p.verb} ${resource}/${name}${p.subresource ? ` --subresource=${p.subresource}` : ''}${where}`;
  });
  return [...new Set(asked)].join(' (or) ');
};

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
    .map((c) => `${c.path}: ${truncate(canI(c, namespace), 600)}`)
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
