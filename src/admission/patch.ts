// Minimal JSON Patch construction: only `add` operations for what is missing, so a patch can never
// overwrite a value the user set, and applying the webhook to its own output yields no operation.
import type { PatchOperation } from './review.js';

/** RFC 6901: `~` → `~0` and `/` → `~1` (label keys like `orchestrator.io/agent` contain `/`). */
export const escapePointer = (key: string): string =>
  key.includes('~') || key.includes('/') ? key.replaceAll('~', '~0').replaceAll('/', '~1') : key;

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A field counts as set unless absent or null (the apiserver prunes nulls of non-nullable fields). */
const isSet = (v: unknown) => v !== undefined && v !== null;

/**
 * `add` operations for every leaf of `defaults` that `current` lacks; a missing parent object is added
 * whole, in one operation. `undefined` defaults are skipped (nothing to inject). The operations are
 * appended to `ops` (returned), so a caller building a patch makes one array.
 */
export function addMissing(
  current: Record<string, unknown>,
  defaults: Record<string, unknown>,
  path: string,
  ops: PatchOperation[] = [],
): PatchOperation[] {
  for (const key of Object.keys(defaults)) {
    const value = defaults[key];
    if (value === undefined) continue;
    const existing = current[key];
    if (!isSet(existing)) {
      const pruned = prune(value);
      if (pruned !== undefined) ops.push({ op: 'add', path: `${path}/${escapePointer(key)}`, value: pruned });
    } else if (isPlainObject(existing) && isPlainObject(value)) {
      addMissing(existing, value, `${path}/${escapePointer(key)}`, ops);
    }
  }
  return ops;
}

/** Drops undefined members (and objects left empty) so a patch never carries them. */
function prune(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  let empty = true;
  for (const key of Object.keys(value)) {
    const pruned = prune(value[key]);
    if (pruned === undefined) continue;
    out[key] = pruned;
    empty = false;
  }
  return empty ? undefined : out;
}

/** Adds `item` to the array at `path` unless present; creates the array when absent. */
export function addToSet(current: unknown, item: string, path: string): PatchOperation[] {
  if (!Array.isArray(current)) return [{ op: 'add', path, value: [item] }];
  return current.includes(item) ? [] : [{ op: 'add', path: `${path}/-`, value: item }];
}

/** Applies `add` operations (all this webhook emits) to a deep copy: for tests and offline defaulting. */
export function applyPatch<T>(doc: T, ops: PatchOperation[]): T {
  const out = structuredClone(doc) as unknown;
  for (const op of ops) {
    if (op.op !== 'add') throw new Error(`applyPatch supports add only, got ${op.op}`);
    const keys = op.path
      .split('/')
      .slice(1)
      .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = keys.pop();
    if (last === undefined) throw new Error(`invalid patch path ${op.path}`);
    let node = out as Record<string, unknown> | unknown[];
    for (const k of keys) {
      const next = Array.isArray(node) ? node[Number(k)] : node[k];
      if (typeof next !== 'object' || next === null)
        throw new Error(`patch path ${op.path}: ${k} is not a container`);
      node = next as Record<string, unknown> | unknown[];
    }
    if (Array.isArray(node)) {
      if (last === '-') node.push(op.value);
      else node.splice(Number(last), 0, op.value);
    } else {
      node[last] = op.value;
    }
  }
  return out as T;
}
