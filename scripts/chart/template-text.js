// One Kubernetes object as the text of a Helm template: the object's YAML with `{{`/`}}` of its own
// strings escaped (Prometheus annotations, Handlebars), the install namespace replaced by the
// release's, and values put in at the slots the chart declares (chart.js).
import YAML from 'yaml';

/**
 * Where a value goes. `path` walks the object: a key, an array index, `*` (every element) or
 * `name=x` (the element named x). `mode`: `scalar` puts `{{ expr }}` in place of the value; `block`
 * puts the YAML text `expr` yields below the key; `optional` writes the key only when `expr` is set;
 * `optional-block` writes the key, with the YAML text `expr` yields below it, only when that is not empty.
 * @typedef {{ path: (string|number)[], expr: string, mode?: 'scalar' | 'block' | 'optional' | 'optional-block' }} Slot
 */

const sentinel = (/** @type {number} */ i) => `__HELM_SLOT_${i}__`;

/** `{{` and `}}` as Helm prints them literally. */
export const escapeTemplate = (/** @type {string} */ s) => s.replace(/\{\{|\}\}/g, (m) => `{{\`${m}\`}}`);

/** Every string of a JSON-like value mapped by `f` (keys too: a label key may name the namespace). */
function mapStrings(/** @type {any} */ v, /** @type {(s: string) => string} */ f) {
  if (typeof v === 'string') return f(v);
  if (Array.isArray(v)) return v.map((e) => mapStrings(e, f));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, e]) => [f(k), mapStrings(e, f)]));
  return v;
}

/**
 * The parents and keys a slot path selects; a missing last key is selected where its parent exists
 * (an optional field), a missing step on the way selects nothing.
 * @returns {[any, string|number][]}
 */
export function selectPath(/** @type {any} */ node, /** @type {(string|number)[]} */ path) {
  const [step, ...rest] = path;
  if (step === undefined || node === null || typeof node !== 'object') return [];
  /** @type {(string|number)[]} */
  let keys;
  if (step === '*' && Array.isArray(node)) keys = node.map((_, i) => i);
  else if (typeof step === 'string' && step.startsWith('name=') && Array.isArray(node))
    keys = node.flatMap((e, i) => (e?.name === step.slice(5) ? [i] : []));
  else keys = [step];
  if (rest.length === 0) return keys.map((k) => [node, k]);
  return keys.flatMap((k) => selectPath(node[k], rest));
}

/** The Helm text for one slot's line: `indent`, the `- ` of a list item's first key, the key. */
function slotLine(
  /** @type {Slot} */ slot,
  /** @type {string} */ indent,
  /** @type {string} */ dash,
  /** @type {string} */ key,
) {
  const mode = slot.mode ?? 'scalar';
  if (mode === 'scalar') return `${indent}${dash}${key}: {{ ${slot.expr} }}`;
  const depth = indent.length + dash.length;
  if (mode === 'block') return `${indent}${dash}${key}: {{- ${slot.expr} | nindent ${depth + 2} }}`;
  if (dash) throw new Error(`optional slot ${slot.path.join('.')}: cannot be the first key of a list item`);
  if (mode === 'optional-block')
    return `{{- with ${slot.expr} }}\n${indent}${key}: {{- . | trim | nindent ${depth + 2} }}\n{{- end }}`;
  return `{{- with ${slot.expr} }}\n${indent}${key}: {{ . | quote }}\n{{- end }}`;
}

/**
 * The object's template text (no document separator).
 * @param {Record<string, any>} object
 * @param {{ namespaces: Record<string, string>, slots: Slot[] }} opts `namespaces`: namespace names
 *   and the Helm text that replaces them wherever they appear (the install namespace of the
 *   kustomizations becomes the release's)
 */
export function templateText(object, { namespaces, slots }) {
  const names = Object.keys(namespaces);
  const ns = new RegExp(`(?<![a-z0-9-])(${names.join('|')})(?![a-z0-9-])`, 'g');
  const copy = mapStrings(object, (s) =>
    escapeTemplate(s).replace(ns, (name) => /** @type {string} */ (namespaces[name])),
  );
  /** @type {Slot[]} */
  const placed = [];
  for (const slot of slots)
    for (const [parent, key] of selectPath(copy, slot.path)) {
      parent[key] = sentinel(placed.length);
      placed.push(slot);
    }
  const text = YAML.stringify(copy, { lineWidth: 0, aliasDuplicateObjects: false });
  const lines = text.replace(/^( *)(- )?([^\s:]+): __HELM_SLOT_(\d+)__$/gm, (_, indent, dash, key, i) =>
    slotLine(/** @type {Slot} */ (placed[Number(i)]), indent, dash ?? '', key),
  );
  if (lines.includes('__HELM_SLOT_'))
    throw new Error(`a slot of ${object.kind} ${object.metadata?.name} is not a key's value`);
  return lines.trimEnd();
}
