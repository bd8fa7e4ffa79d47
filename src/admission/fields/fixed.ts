// Updates never change whose power a run uses: every field the table (table.ts) does not mark mutable
// is fixed once the run is created. The alternative, re-authorising the updater and making them the
// submitter, would let an editor of the namespace take over a run mid-life and mix two people's grants
// in one pod; a changed grant is a new run, and the inert and steering fields (the counters that start
// a new attempt, the agent's instructions) stay editable, the steering ones by the submitter only
// (steering.ts). The choice is explained in docs/security.md.
import { isDeepStrictEqual } from 'node:util';
import type { RunKindName } from '../../api/index.js';
import { isPlainObject } from '../../util/index.js';
import { error, type Finding, showValue } from '../../validation/index.js';
import { type FieldRow, isMutable } from './classes.js';
import { covers } from './coverage.js';
import { FIELD_CLASSES } from './table.js';

export const FIXED_RULE = 'fixed-after-create';

/** The value at a row's path: `[]` maps over a list (`spec.envFromSecrets[].secretName` → the names). */
export function valueAt(object: unknown, path: string): unknown {
  const [head, ...rest] = path.split('[]');
  let node: unknown = object;
  for (const key of (head ?? '').split('.').filter(Boolean))
    node = isPlainObject(node) ? node[key] : undefined;
  if (rest.length === 0) return node;
  const tail = rest.join('[]').replace(/^\./, '');
  return Array.isArray(node) ? node.map((item) => (tail ? valueAt(item, tail) : item)) : undefined;
}

/** The rows of `kind` an update may not change, outermost first, none covered by another. */
export function fixedRows(kind: RunKindName, rows: readonly FieldRow[] = FIELD_CLASSES): FieldRow[] {
  const applies = rows.filter((r) => (r.kinds === undefined || r.kinds.includes(kind)) && !isMutable(r));
  return applies.filter((r) => !applies.some((o) => o !== r && covers(o, kind, r.path)));
}

const CLASS_SAYS: Record<FieldRow['class'], string> = {
  inert: 'it identifies the run',
  steering: 'its submitter chose it',
  authorised: "its submitter's permission was checked for it",
  bounded: 'it is bounded by the controller config for its submitter',
  locked: 'only the config sets it',
};

/** The findings of an UPDATE that changes a fixed field (none for a CREATE). */
export function fixedFieldChanges(
  kind: RunKindName,
  object: unknown,
  oldObject: unknown,
  rows: readonly FieldRow[] = FIELD_CLASSES,
): Finding[] {
  return fixedRows(kind, rows).flatMap((row) => {
    const before = valueAt(oldObject, row.path);
    const after = valueAt(object, row.path);
    if (isDeepStrictEqual(before, after)) return [];
    return [
      error(
        FIXED_RULE,
        row.path,
        `Forbidden: field is immutable after creation (was ${showValue(before)}, now ${showValue(after)}): it decides what the run's pod may use (${row.effect}) and ${CLASS_SAYS[row.class]}; create a new run to change it`,
      ),
    ];
  });
}
