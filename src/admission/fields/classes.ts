// The vocabulary of the field classification (table.ts): what a spec field lets whoever sets it cause,
// and so who may set it and whether an update may change it (docs/security.md "Every field of a run").
import type { RunKindName } from '../../api/index.js';
import type { Permission, Reference } from '../references/row.js';

/**
 * - inert: the attempt counters and the cancel: they grant nothing and steer nothing, but raising one
 *   re-runs the submitter's own instructions on their budget and the cancel stops them, so after creation
 *   they are the submitter's, and whoever holds the row's verb on the run (src/admission/run-controls.ts).
 * - steering: what the agent is told and may do with the run's credentials (its prompt, documents,
 *   tools, model, branches, the Secret keys it reads); it grants nothing the run does not have, but
 *   after creation only the run's submitter (and the operator acting for them) may change it.
 * - authorised: names something the pod would use (a Secret, an account, a profile, a repository, an
 *   image, a PriorityClass); the submitter must be allowed it, by a SubjectAccessReview.
 * - bounded: free within a limit of the controller config (a maximum, an allow-list).
 * - locked: only the config or the agent profile sets it; a run may not.
 */
export type FieldClass = 'inert' | 'steering' | 'authorised' | 'bounded' | 'locked';

interface RowFacts {
  /**
   * The field, as kubectl explain names it, a list's items as `[]` (`spec.envFromSecrets[].secretName`).
   * A row covers its field and everything under it.
   */
  path: string;
  /** The kinds it applies to, when the same field means another thing in another kind; default every kind that has it. */
  kinds?: readonly RunKindName[];
  /** What setting the field makes the operator do (the docs table's middle column). */
  effect: string;
  /** bounded or locked: the controller config keys that set the limit (`job.allowedPodAnnotations`, `agents{}.image`). */
  config?: readonly string[];
  /** bounded: the limit in words, when no config key sets it (the operator's own variable names). */
  bound?: string;
  /**
   * Whether an update may change it. Default: an inert or steering field may change, any other may not
   * (a change to what a run may use is a new run, so a run never uses one person's grants with another's
   * choices). Who may change it is the class's: only an inert field by anyone but the submitter.
   */
  mutable?: boolean;
  /** inert: the verb of what is done to it, for messages (`raise`, the counters; `set`). Default raise. */
  othersMay?: 'raise' | 'set';
}

/**
 * The verbs on a run (RBAC on its resource, `retry coderuns`) that let someone other than its
 * submitter change its controls: no built-in role grants them; the shipped admin roles do.
 */
export type ControlVerb = 'retry' | 'cancel';

/**
 * A row of the table. An authorised field names the row of the reference table
 * (src/admission/references) that judges it, whose permissions are the reviews asked: written once,
 * there; no other class names one.
 */
export type FieldRow =
  | (RowFacts & {
      class: 'authorised';
      reference: Reference;
      /** Further rows the field is judged by: what it selects names more objects (the agent's MCP servers' Secrets). */
      also?: readonly Reference[];
      verb?: never;
    })
  | (RowFacts & { class: 'inert'; verb: ControlVerb; reference?: never })
  | (RowFacts & { class: Exclude<FieldClass, 'authorised' | 'inert'>; reference?: never; verb?: never });

/** Whether an update may change the field (FieldRow.mutable, else by class). */
export const isMutable = (row: FieldRow): boolean =>
  row.mutable ?? (row.class === 'inert' || row.class === 'steering');

/**
 * Whether an identity other than the run's submitter (and the operator's own) may change the field
 * after creation, holding the row's verb on the run: only the attempt counters, which re-run the
 * submitter's own instructions, and the cancel, which stops them (src/admission/run-controls.ts).
 */
export const othersMayChange = (row: FieldRow): boolean => isMutable(row) && row.class === 'inert';

/**
 * The SubjectAccessReviews any one of which lets the submitter set an authorised field, from its
 * reference row (`create serviceaccounts/token`); none for another class.
 */
export function reviewsOf(row: FieldRow): string[] {
  if (row.class !== 'authorised') return [];
  return referenceReviews(row.reference);
}

/** The reviews an authorised field needs besides its own row's (`get secrets`), each with what for. */
export function alsoReviewsOf(row: FieldRow): string[] {
  if (row.class !== 'authorised') return [];
  return (row.also ?? []).flatMap((r) => referenceReviews(r).map((text) => `${text} (${r.use})`));
}

function referenceReviews({ group, resource, anyOf, escalated }: Reference): string[] {
  const text = (p: Permission) => {
    const on = p.resource ?? resource;
    const inGroup = (p.group ?? group) !== group ? `.${p.group}` : '';
    return `${p.verb} ${on}${inGroup}${p.subresource ? `/${p.subresource}` : ''}${p.unnamed ? ' (any)' : ''}`;
  };
  const escalatedText = escalated ? escalated.anyOf.map((p) => `${text(p)} (${escalated.when})`) : [];
  // Alternatives that differ only in the name asked (an image or its repository) are one review here.
  return [...new Set([...anyOf.map(text), ...escalatedText])];
}
