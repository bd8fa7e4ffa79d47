// Shared schema fragments: a node `{ x-orchestrator-shared: NAME, ...rest }` in a schema of schemas/
// stands for schemas/shared/NAME.yaml, with `rest` (a description, say) over the fragment's keys; the
// `properties` of `rest` are added to the fragment's (an attempt's usage is the usage and more). The
// one expander, for the generator (scripts/generate.js) and for validation at run time
// (src/api/schemas.ts), so a CRD and ajv see the same schema (docs/design.md §1.1).
//
// Fragments are written as the CRDs want them: open objects, whose unknown fields the apiserver prunes.
// With `closed`, for the controller config whose every object refuses unknown keys, each object of a
// fragment gets `additionalProperties: false` too, so a misspelt key in the config is an error.
// With `mark`, for the generated types only (scripts/generate-types.js), each node a fragment became
// says which, so that its type is the fragment's named type rather than a copy.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export const SHARED_KEY = 'x-orchestrator-shared';
/** The key naming the fragment an expanded node came from (with `mark`); never in a CRD or ajv. */
export const FRAGMENT_MARK = 'x-orchestrator-fragment';

const isObject = (/** @type {unknown} */ v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `schema` with every shared-fragment reference replaced by the fragment (recursively); a new tree.
 * @param {unknown} schema
 * @param {{ dir: string, closed?: boolean, mark?: boolean }} options dir: the schemas/shared directory
 * @returns {any}
 */
export function expandShared(schema, { dir, closed = false, mark = false }) {
  /** @type {Map<string, unknown>} */
  const fragments = new Map();
  const fragment = (/** @type {string} */ name) => {
    if (!/^[a-z0-9-]+$/.test(name))
      throw new Error(`${SHARED_KEY}: ${JSON.stringify(name)} is not a fragment name`);
    if (!fragments.has(name))
      fragments.set(name, YAML.parse(readFileSync(path.join(dir, `${name}.yaml`), 'utf8')));
    return fragments.get(name);
  };
  /** @returns {unknown} */
  const expand = (/** @type {unknown} */ node, inFragment = false) => {
    if (Array.isArray(node)) return node.map((item) => expand(item, inFragment));
    if (!isObject(node)) return node;
    const { [SHARED_KEY]: name, ...rest } = /** @type {Record<string, unknown>} */ (node);
    if (name !== undefined) {
      const shared = /** @type {Record<string, unknown>} */ (expand(fragment(String(name)), true));
      const own = /** @type {Record<string, unknown>} */ (expand(rest, inFragment));
      const properties =
        isObject(shared.properties) && isObject(own.properties)
          ? { properties: { ...shared.properties, ...own.properties } }
          : {};
      return { ...shared, ...own, ...properties, ...(mark ? { [FRAGMENT_MARK]: name } : {}) };
    }
    const out = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, expand(v, inFragment)]));
    if (
      closed &&
      inFragment &&
      out.type === 'object' &&
      isObject(out.properties) &&
      !('additionalProperties' in out)
    )
      out.additionalProperties = false;
    return out;
  };
  return expand(schema);
}
