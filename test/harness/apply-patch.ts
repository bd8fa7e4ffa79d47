// Applying the `add` operations the defaulting webhook emits, as the apiserver would: for tests that
// check a patch makes the defaulted object.
import type { PatchOperation } from '../../src/admission/review.js';

/** Applies `add` operations (all the webhook emits) to a deep copy. */
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
