// A run's controls (docs/security.md "Who may change what"): what starts another attempt of it, stops
// it, joins it to a play, or holds its deletion. They steer nothing the agent is told, so they are not
// the steering fields (fields/steering.ts), but each spends or ends the submitter's run, or reports it
// where they did not put it; so after creation they are the submitter's. Anyone else needs the
// control's verb on the run (`retry`, `cancel`, `adopt`, `finalize`: control-review.ts asks RBAC). The
// operator's cleanup finalizer is not even the submitter's: the manager removes it, or a holder of
// `finalize` (docs/decisions, "The cleanup finalizer is the manager's").
import { isDeepStrictEqual } from 'node:util';
import { ARGO_WORKFLOW_LABEL, kindFacts, type RunKindName } from '../api/index.js';
import { isPlainObject } from '../util/index.js';
import { error, type Finding, showValue } from '../validation/index.js';
import { type ControlVerb, FIELD_CLASSES, kindsOf, valueAt } from './fields/index.js';

export const CONTROL_RULE = 'control-is-submitters';

/**
 * Kubernetes' garbage collector, which removes the ownerReferences of deleted owners and its own
 * finalizers (`orphan`, `foregroundDeletion`): as its own ServiceAccount, or as the controller
 * manager when that runs without per-controller credentials.
 */
export const GARBAGE_COLLECTORS: ReadonlySet<string> = new Set([
  'system:serviceaccount:kube-system:generic-garbage-collector',
  'system:kube-controller-manager',
]);

type Who = 'submitter' | 'collector';

/**
 * The verbs of the metadata controls, which no shipped role grants: `adopt` (join a run to a play),
 * `finalize` (add or remove a finalizer, the operator's included). A cluster admin holds them (`*`),
 * the way out when the manager cannot finish a deletion; a Role may grant them by name.
 */
type MetadataVerb = 'adopt' | 'finalize';

export interface Control {
  /** The field, as the denial names it. */
  path: string;
  /** What changing it does to the run, for the denial. */
  effect: string;
  /** The verb on the run that lets someone other than those of mayChange change it. */
  verb: ControlVerb | MetadataVerb;
  /** Who besides the manager may change it without a verb. */
  mayChange: readonly Who[];
  value: (run: unknown) => unknown;
  /** Whether a change from `before` to `after` is one to judge; default any difference. */
  judged?: (before: unknown, after: unknown) => boolean;
}

const metadataOf = (run: unknown) =>
  isPlainObject(run) && isPlainObject(run.metadata) ? run.metadata : ({} as Record<string, unknown>);
const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The metadata the operator reads or honours, after the spec's counters and cancel. */
function metadataControls(kind: RunKindName): Control[] {
  const { finalizer } = kindFacts(kind);
  return [
    {
      path: `metadata.labels["${ARGO_WORKFLOW_LABEL}"]`,
      effect: "the play it is a stage of: its name, outcome and cost go into that play's comment",
      verb: 'adopt',
      mayChange: ['submitter'],
      value: (run) => {
        const labels = metadataOf(run).labels;
        return isPlainObject(labels) ? labels[ARGO_WORKFLOW_LABEL] : undefined;
      },
    },
    {
      path: 'metadata.ownerReferences',
      effect: 'its owners: a Workflow joins it to that play, and deleting an owner deletes it',
      verb: 'adopt',
      mayChange: ['submitter', 'collector'],
      value: (run) => metadataOf(run).ownerReferences,
    },
    {
      path: 'metadata.finalizers',
      effect: 'what holds its deletion until removed',
      verb: 'finalize',
      mayChange: ['submitter', 'collector'],
      value: (run) => listOf(metadataOf(run).finalizers).filter((f) => f !== finalizer),
    },
    {
      path: `metadata.finalizers["${finalizer}"]`,
      effect:
        "the operator's cleanup before deletion: the manager removes it once the run's Jobs and ConfigMaps are gone",
      verb: 'finalize',
      mayChange: [],
      value: (run) => listOf(metadataOf(run).finalizers).includes(finalizer),
      // Adding it is the mutating webhook's own doing on any update of a run that lacks it.
      judged: (before, after) => before === true && after === false,
    },
  ];
}

/** The controls of a kind: its inert spec fields (the table's), then its metadata. */
export function controlsOf(kind: RunKindName): Control[] {
  const spec = FIELD_CLASSES.filter((row) => row.class === 'inert' && kindsOf(row).includes(kind)).map(
    (row): Control => ({
      path: row.path,
      effect: row.effect,
      // Every inert row has one (classes.ts; table.test.ts holds it).
      verb: row.verb as ControlVerb,
      mayChange: ['submitter'],
      value: (run) => valueAt(run, row.path),
    }),
  );
  return [...spec, ...metadataControls(kind)];
}

/** Who asks and whose run it is (the stored submitted-by; undefined when it has none). */
export interface Requester {
  username: string;
  submitter: string | undefined;
}

/** A control changed by a requester the control does not let change it outright. */
export interface ControlChange {
  control: Control;
  before: unknown;
  after: unknown;
}

function roleOf(who: Requester): Who | undefined {
  if (who.submitter !== undefined && who.username === who.submitter) return 'submitter';
  return GARBAGE_COLLECTORS.has(who.username) ? 'collector' : undefined;
}

/**
 * The controls an UPDATE changes that its requester may not change as who they are (the submitter,
 * the garbage collector): each needs its verb, or is refused when it has none. The operator's own
 * identities are the caller's to exempt.
 */
export function controlChanges(
  kind: RunKindName,
  object: unknown,
  oldObject: unknown,
  who: Requester,
): ControlChange[] {
  const role = roleOf(who);
  return controlsOf(kind).flatMap((control) => {
    if (role && control.mayChange.includes(role)) return [];
    const before = control.value(oldObject);
    const after = control.value(object);
    const judged = control.judged ?? ((b, a) => !isDeepStrictEqual(b, a));
    return judged(before, after) ? [{ control, before, after }] : [];
  });
}

/** The verbs the shipped admin roles grant: the field table's (scripts/generate-user-roles.js). */
const SHIPPED_VERBS: ReadonlySet<string> = new Set(FIELD_CLASSES.flatMap((r) => (r.verb ? [r.verb] : [])));

/** The denial's finding for a change: the field, whose it is, what it does and what would allow it. */
export function controlFinding(change: ControlChange, who: Requester, run: string): Finding {
  const { control, before, after } = change;
  const whose =
    control.mayChange.length === 0
      ? "the operator's manager"
      : who.submitter === undefined
        ? 'the operator (the run has no recorded submitter)'
        : `the run's submitter "${who.submitter}"`;
  const shipped = SHIPPED_VERBS.has(control.verb) ? ' (the shipped admin roles have it)' : '';
  const instead =
    control.mayChange.length === 0
      ? 'delete the run instead (its cleanup runs, then the manager removes it)'
      : `ask for \`${control.verb}\` on it${shipped}`;
  return error(
    CONTROL_RULE,
    control.path,
    `Forbidden: only ${whose}, or whoever holds \`${control.verb}\` on ${run}, may change this after creation (was ${showValue(before)}, now ${showValue(after)}; it is ${control.effect}); "${who.username}" may not: ${instead}`,
  );
}
