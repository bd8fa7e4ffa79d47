// What steers a run is its submitter's alone (docs/security.md "Every field of a run"): after creation
// an identity other than the stored submitter may change no spec field but the attempt counters and the
// cancel (the inert rows), which re-run the submitter's own instructions or stop them, and those only
// holding their verb on the run (src/admission/run-controls.ts judges them). Otherwise Bob, who may only update runs,
// would rewrite Alice's prompt, tools or Secret keys and the next attempt would obey him with Alice's
// App token, PAT and Secrets, `submitted-by` still Alice. The operator's own identities (the manager,
// acting for the REST API's callers and for the submitter of a run a GitHub event continues) are the
// caller's to exempt (src/admission/steering-review.ts).
import { isDeepStrictEqual } from 'node:util';
import type { RunKindName } from '../../api/index.js';
import { isPlainObject } from '../../util/index.js';
import { error, type Finding, showValue } from '../../validation/index.js';
import { type FieldRow, othersMayChange } from './classes.js';
import { covers, kindsOf } from './coverage.js';
import { valueAt } from './fixed.js';
import { FIELD_CLASSES } from './table.js';

export const STEERING_RULE = 'steering-is-submitters';

/** Who asks and whose run it is: the stored submitted-by, undefined when the run has none. */
export interface Steerers {
  requester: string;
  submitter: string | undefined;
}

const rowsOf = (kind: RunKindName, rows: readonly FieldRow[]) =>
  rows.filter((r) => kindsOf(r).includes(kind));

/** The spec without the fields others may change, to catch a change no row names (the whole spec). */
function withoutOpenFields(spec: unknown, open: readonly FieldRow[]): unknown {
  if (!isPlainObject(spec)) return spec;
  const rest: Record<string, unknown> = { ...spec };
  // Inert rows are top-level counters (spec.retryAttempt): a nested one would need a deeper copy.
  for (const row of open) delete rest[row.path.replace(/^spec\./, '')];
  return rest;
}

/**
 * The findings of an UPDATE by someone other than the run's submitter that changes any spec field but
 * an inert one, each naming the field and the submitter; none when the requester is the submitter.
 */
export function steeringChanges(
  kind: RunKindName,
  object: unknown,
  oldObject: unknown,
  who: Steerers,
  rows: readonly FieldRow[] = FIELD_CLASSES,
): Finding[] {
  if (who.submitter !== undefined && who.requester === who.submitter) return [];
  const applies = rowsOf(kind, rows);
  const guarded = applies.filter((r) => !othersMayChange(r));
  const outer = guarded.filter((r) => !guarded.some((o) => o !== r && covers(o, kind, r.path)));
  const whose =
    who.submitter === undefined
      ? 'the operator (the run has no recorded submitter)'
      : `the run's submitter "${who.submitter}"`;
  const open = applies.filter(othersMayChange);
  const may = open.length
    ? `may only ${open.map((r) => `${r.othersMay ?? 'raise'} ${r.path} (holding \`${r.verb}\` on the run)`).join(' or ')}`
    : 'may change none of its spec';
  const refuse = (path: string, before: unknown, after: unknown, effect: string) =>
    error(
      STEERING_RULE,
      path,
      `Forbidden: only ${whose} may change this field after creation (was ${showValue(before)}, now ${showValue(after)}; it steers the agent: ${effect}); "${who.requester}" ${may}, or create a run of their own`,
    );
  const findings = outer.flatMap((row) => {
    const before = valueAt(oldObject, row.path);
    const after = valueAt(object, row.path);
    return isDeepStrictEqual(before, after) ? [] : [refuse(row.path, before, after, row.effect)];
  });
  if (findings.length) return findings;
  // A field no row names (the coverage test keeps this empty) is refused too: nothing unjudged steers.
  const before = withoutOpenFields(valueAt(oldObject, 'spec'), open);
  const after = withoutOpenFields(valueAt(object, 'spec'), open);
  return isDeepStrictEqual(before, after) ? [] : [refuse('spec', before, after, 'an unclassified field')];
}
