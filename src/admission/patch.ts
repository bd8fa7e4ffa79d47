// Minimal JSON Patch construction: only `add` operations for what is missing, so a patch can never
// overwrite a value the user set, and applying the webhook to its own output yields no operation.
import { isPlainObject } from '../api/index.js';
import type { PatchOperation } from './review.js';

/** RFC 6901: `~` → `~0` and `/` → `~1` (label keys like `orchestrator.io/agent` contain `/`). */
export const escapePointer = (key: string): string =>
  key.includes('~') || key.includes('/') ? key.replaceAll('~', '~0').replaceAll('/', '~1') : key;

export { isPlainObject };

/**
 * The `add` operations that turn `before` into `after`, where `after` is `before` with members added
 * (never changed or removed): a member `before` lacks is added whole, in one operation; objects present
 * in both are compared member by member; an array present in both gets the items it lacks appended (a
 * set, as finalizers are). Subtrees that are the same object are skipped without a look. The
 * operations are appended to `ops` (returned), so a caller building a patch makes one array.
 */
export function additions(
  before: unknown,
  after: unknown,
  path: string,
  ops: PatchOperation[] = [],
): PatchOperation[] {
  if (after === before) return ops;
  if (isPlainObject(before) && isPlainObject(after)) {
    for (const key of Object.keys(after))
      additions(before[key], after[key], `${path}/${escapePointer(key)}`, ops);
  } else if (Array.isArray(before) && Array.isArray(after)) {
    for (const item of after)
      if (!before.includes(item)) ops.push({ op: 'add', path: `${path}/-`, value: item });
  } else if (after !== undefined) {
    ops.push({ op: 'add', path, value: after });
  }
  return ops;
}
