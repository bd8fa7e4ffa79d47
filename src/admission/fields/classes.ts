// The vocabulary of the field classification (table.ts): what a spec field lets whoever sets it cause,
// and so who may set it and whether an update may change it (docs/security.md "Every field of a run").
import type { RunKindName } from '../../api/index.js';

/**
 * - inert: shapes only the agent's text (its prompt, its memory, its tools' configuration) or the
 *   run's bookkeeping; it grants nothing the run does not have anyway.
 * - authorised: names something the pod would use (a Secret, an account, a profile, a repository, an
 *   image, a PriorityClass); the submitter must be allowed it, by a SubjectAccessReview.
 * - bounded: free within a limit of the controller config (a maximum, an allow-list).
 * - locked: only the config or the agent profile sets it; a run may not.
 */
export type FieldClass = 'inert' | 'authorised' | 'bounded' | 'locked';

/** The SubjectAccessReview an authorised field is judged by: a row of the reference table (src/admission/references). */
export interface ReviewedBy {
  verb: string;
  /** The resource as RBAC names it (plural), e.g. `secrets`, `agentprofiles`. */
  resource: string;
}

export interface FieldRow {
  /**
   * The field, as kubectl explain names it, a list's items as `[]` (`spec.envFromSecrets[].secretName`).
   * A row covers its field and everything under it.
   */
  path: string;
  /** The kinds it applies to, when the same field means another thing in another kind; default every kind that has it. */
  kinds?: readonly RunKindName[];
  class: FieldClass;
  /** What setting the field makes the operator do (the docs table's middle column). */
  effect: string;
  /** authorised: the reviews any one of which lets the submitter set it. */
  reviewedBy?: readonly ReviewedBy[];
  /** bounded or locked: the controller config keys that set the limit (`job.allowedPodAnnotations`, `agents{}.image`). */
  config?: readonly string[];
  /** bounded: the limit in words, when no config key sets it (the operator's own variable names). */
  bound?: string;
  /**
   * Whether an update may change it. Default: an inert field may change, any other may not (a change
   * to what a run may use is a new run, so a run never uses one person's grants with another's choices).
   */
  mutable?: boolean;
}

/** Whether an update may change the field (FieldRow.mutable, else by class). */
export const isMutable = (row: FieldRow): boolean => row.mutable ?? row.class === 'inert';
