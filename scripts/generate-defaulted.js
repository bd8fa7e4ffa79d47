// What `npm run generate` derives from the run schemas' `default:` values: src/api/generated/defaulted.ts,
// the fields each kind's defaulting fills and the type of a run after defaulted() (src/api/defaulting.ts),
// in which those fields are required. The values themselves are read from the schema at run time
// (src/api/schema-defaults.ts); only their places are generated here (docs/design.md §1.1).

/**
 * @typedef {import('./generate.js').SourceSchema} SourceSchema
 * @typedef {import('./generate.js').JsonSchema} JsonSchema
 * @typedef {{ filled?: true, members?: Record<string, Shape>, items?: Shape }} Shape
 */

export const DEFAULTED_PATH = 'src/api/generated/defaulted.ts';

/**
 * What defaulted() fills from the controller config rather than a schema default, whatever the run:
 * the labels (at least app.kubernetes.io/managed-by), the workspace (its size is the config's), and a
 * TaskRun's agent (the config's defaultAgent). The profile's model, image, service account and
 * resources are not here: a run naming an agent the config lacks gets none of them.
 * @type {Record<string, string[]>}
 */
export const CONFIG_FILLED = {
  '*': ['metadata', 'metadata.labels', 'spec.workspace', 'spec.workspace.size'],
  TaskRun: ['spec.agent'],
};

/**
 * The shape of the schema's defaults: every property with a `default:` marked filled, and the
 * objects and lists on the way to one. Undefined when the schema holds no default.
 * @param {JsonSchema} schema
 * @returns {Shape | undefined}
 */
export function defaultShape(schema) {
  /** @type {Shape} */
  const shape = {};
  if (schema.default !== undefined) shape.filled = true;
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    const member = defaultShape(sub);
    if (!member) continue;
    shape.members ??= {};
    shape.members[key] = member;
  }
  const items = schema.items && typeof schema.items === 'object' ? defaultShape(schema.items) : undefined;
  if (items) shape.items = items;
  return Object.keys(shape).length > 0 ? shape : undefined;
}

/**
 * `shape` with the member at a dotted path marked filled (and its parents made present).
 * @param {Shape} shape
 * @param {string} dotted
 */
function markFilled(shape, dotted) {
  let node = shape;
  for (const key of dotted.split('.')) {
    node.members ??= {};
    node = node.members[key] ??= {};
  }
  node.filled = true;
}

/**
 * The filled fields of a shape as paths, `[]` standing for every list item.
 * @param {Shape} shape
 * @param {string} [prefix]
 * @returns {string[]}
 */
export function filledPaths(shape, prefix = '') {
  const own = shape.filled && prefix ? [prefix] : [];
  const members = Object.entries(shape.members ?? {}).flatMap(([key, sub]) =>
    filledPaths(sub, prefix ? `${prefix}.${key}` : key),
  );
  const items = shape.items ? filledPaths(shape.items, `${prefix}[]`) : [];
  return [...own, ...members, ...items];
}

/** A shape as a TypeScript type literal. */
function shapeType(/** @type {Shape} */ shape) {
  const parts = [];
  if (shape.filled) parts.push('filled: true');
  if (shape.members) {
    const members = Object.entries(shape.members).map(([k, s]) => `${JSON.stringify(k)}: ${shapeType(s)}`);
    parts.push(`members: { ${members.join('; ')} }`);
  }
  if (shape.items) parts.push(`items: ${shapeType(shape.items)}`);
  return `{ ${parts.join('; ')} }`;
}

/**
 * The shape of a kind's schema defaults. Only the spec's are applied (a default under status would be
 * the controller's to write, not the run's author's), as src/api/defaulting.ts does.
 * @param {SourceSchema} source
 * @returns {Shape}
 */
export function schemaShape(source) {
  const spec = defaultShape(source.schema.properties?.spec ?? {});
  return spec ? { members: { spec } } : {};
}

/**
 * A kind's shape: its schema's defaults and what the config fills.
 * @param {SourceSchema} source
 */
export function kindShape(source) {
  const shape = schemaShape(source);
  for (const p of [...CONFIG_FILLED['*'], ...(CONFIG_FILLED[source.name] ?? [])]) markFilled(shape, p);
  return shape;
}

/**
 * src/api/generated/defaulted.ts.
 * @param {SourceSchema[]} sources every schema, the kinds in their order
 * @param {string} header
 */
export function defaultedModule(sources, header) {
  const kinds = sources.filter((s) => s.crd);
  const schemaPaths = Object.fromEntries(kinds.map((s) => [s.name, filledPaths(schemaShape(s))]));
  return [
    `/* ${header}. */`,
    '',
    "import type { Filled } from '../defaulted-type.js';",
    "import type { RunObjects } from './kinds.js';",
    '',
    "/** The fields each kind's schema gives a `default:` (`[]`: every list item). */",
    `export const SCHEMA_DEFAULTED_FIELDS = ${JSON.stringify(schemaPaths, null, 2)} as const;`,
    '',
    '/** What defaulted() fills in each kind: the schema defaults and the config-derived ones. */',
    'export interface DefaultShapes {',
    ...kinds.map((s) => `  ${s.name}: ${shapeType(kindShape(s))};`),
    '}',
    '',
    '/** Each run kind as defaulted() returns it: every field it always fills is required. */',
    'export interface DefaultedRuns {',
    ...kinds.map((s) => `  ${s.name}: Filled<RunObjects['${s.name}'], DefaultShapes['${s.name}']>;`),
    '}',
    '',
  ].join('\n');
}
