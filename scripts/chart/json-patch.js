// JSON 6902 patches (add, replace, remove) and kustomize's patch targets, for the chart generator's
// kustomize build (kustomize-build.js).

/** `/a/b~1c` → ['a', 'b/c'] (RFC 6901 escapes). */
const pointer = (/** @type {string} */ p) =>
  p
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));

/**
 * The object with the operations applied (a copy; the input is unchanged). The parent of every path
 * must exist, as kustomize requires.
 * @param {Record<string, any>} object
 * @param {{ op: string, path: string, value?: unknown }[]} ops
 * @param {string} where the patch's file, for errors
 */
export function applyJsonPatch(object, ops, where) {
  const copy = structuredClone(object);
  for (const { op, path, value } of ops) {
    const keys = pointer(path);
    const last = /** @type {string} */ (keys.pop());
    let parent = copy;
    for (const k of keys) {
      parent = parent?.[Array.isArray(parent) ? Number(k) : k];
      if (parent === undefined || parent === null) throw new Error(`${where}: ${op} ${path}: no such parent`);
    }
    const index = Array.isArray(parent) ? (last === '-' ? parent.length : Number(last)) : last;
    if (op === 'add' && Array.isArray(parent))
      parent.splice(/** @type {number} */ (index), 0, structuredClone(value));
    else if (op === 'add' || op === 'replace') parent[index] = structuredClone(value);
    else if (op === 'remove' && Array.isArray(parent)) parent.splice(/** @type {number} */ (index), 1);
    else if (op === 'remove') delete parent[index];
    else
      throw new Error(
        `${where}: JSON patch op ${op} not supported by the chart generator (add, replace, remove)`,
      );
  }
  return copy;
}

/**
 * Whether a kustomize patch target (group, version, kind, name, namespace; name a regular expression)
 * selects the object.
 * @param {Record<string, any>} o
 * @param {{ group?: string, version?: string, kind?: string, name?: string, namespace?: string }} target
 */
export function matchesTarget(o, target) {
  const [group, version] = String(o.apiVersion ?? '').includes('/')
    ? o.apiVersion.split('/')
    : ['', o.apiVersion];
  const exact = (/** @type {string|undefined} */ want, /** @type {string|undefined} */ have) =>
    want === undefined || new RegExp(`^(?:${want})$`).test(have ?? '');
  return (
    exact(target.group, group) &&
    exact(target.version, version) &&
    exact(target.kind, o.kind) &&
    exact(target.name, o.metadata?.name) &&
    exact(target.namespace, o.metadata?.namespace)
  );
}
