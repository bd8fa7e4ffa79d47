// Minimal JSON Patch construction: only `add` operations for what is missing, so a patch can never
// overwrite a value the user set, and applying the webhook to its own output yields no operation.
import type { PatchOperation } from './review.js';

/** RFC 6901: `~` → `~0` and `/` → `~1` (label keys like `orchestrator.io/agent` contain `/`). */
export const escapePointer = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1');

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A field counts as set unless absent or null (the apiserver prunes nulls of non-nullable fields). */
const isSet = (v: unknown) => v !== undefined && v !== null;

/**
 * `add` operations for every leaf of `defaults` that `current` lacks; a missing parent object is added
 * whole, in one operation. `undefined` defaults are skipped (nothing to inject).
 */
export function addMissing(
  current: Record<string, unknown>,
  defaults: Record<string, unknown>,
  path: string,
): PatchOperation[] {
  const ops: PatchOperation[] = [];
  for (const [key, value] of Object.entries(defaults)) {
    if (value === undefined) continue;
    const here = `${path}/${escapePointer(key)}`;
    const existing = current[key];
    if (!isSet(existing)) {
      const pruned = prune(value);
      if (pruned !== undefined) ops.push({ op: 'add', path: here, value: pruned });
    } else if (isPlainObject(existing) && isPlainObject(value)) {
      ops.push(...addMissing(existing, value, here));
    }
  }
  return ops;
}

/** Drops undefined members (and objects left empty) so a patch never carries them. */
function prune(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const p = prune(v);
    if (p !== undefined) out[k] = p;
  }
  return Object.keys(out).length ? out : undefined;
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
