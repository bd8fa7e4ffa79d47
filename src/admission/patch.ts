// Minimal JSON Patch construction from an object and the same object defaulted: `add` operations for
// what is missing, and `replace` only where defaulting made a shorthand explicit (`org/repo`, a model
// alias), so a patch never overwrites any other value the user set, and applying the webhook to its
// own output yields no operation.

import type { PatchOperation } from '../admission/request.js';
import { isPlainObject } from '../util/index.js';

/** RFC 6901: `~` → `~0` and `/` → `~1` (label keys like `orchestrator.io/agent` contain `/`). */
export const escapePointer = (key: string): string =>
  key.includes('~') || key.includes('/') ? key.replaceAll('~', '~0').replaceAll('/', '~1') : key;

export { isPlainObject };

/**
 * The operations that turn `before` into `after`, where `after` is `before` with members added and
 * scalars replaced (never removed): a member `before` lacks is added whole, in one operation; a value
 * `after` changed is replaced; objects present in both are compared member by member; an array present
 * in both gets the items it lacks appended (a set, as finalizers are). Subtrees that are the same
 * object are skipped without a look. The operations are appended to `ops` (returned), so a caller
 * building a patch makes one array.
 */
export function patchOps(
  before: unknown,
  after: unknown,
  path: string,
  ops: PatchOperation[] = [],
): PatchOperation[] {
  if (after === before) return ops;
  if (isPlainObject(before) && isPlainObject(after)) {
    for (const key of Object.keys(after))
      patchOps(before[key], after[key], `${path}/${escapePointer(key)}`, ops);
  } else if (Array.isArray(before) && Array.isArray(after)) {
    for (const item of after)
      if (!before.includes(item)) ops.push({ op: 'add', path: `${path}/-`, value: item });
  } else if (after !== undefined) {
    // A null member counts as absent (defaulting fills it); any other value was a shorthand made explicit.
    ops.push({ op: before === undefined || before === null ? 'add' : 'replace', path, value: after });
  }
  return ops;
}
