// Applying the `add` and `replace` operations the defaulting webhook emits, as the apiserver would: for
// tests that check a patch makes the defaulted object.
import type { PatchOperation } from '../../../src/admission/request.js';

/** Applies `add` and `replace` operations (all the webhook emits) to a deep copy. */
export function applyPatch<T>(doc: T, ops: PatchOperation[]): T {
  const out = structuredClone(doc) as unknown;
  for (const op of ops) {
    if (op.op !== 'add' && op.op !== 'replace')
      throw new Error(`applyPatch supports add and replace only, got ${op.op}`);
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
      else node.splice(Number(last), op.op === 'replace' ? 1 : 0, op.value);
    } else {
      // RFC 6902: the target of a replace must exist.
      if (op.op === 'replace' && !Object.hasOwn(node, last))
        throw new Error(`patch path ${op.path}: replace of a missing member`);
      node[last] = op.value;
    }
  }
  return out as T;
}
