// The chart's values.schema.json is written by hand but for `config`, the controller config's fields
// merged over the shipped file: that part is the config's own schema (schemas/), so `helm install`
// refuses a wrong field or type there, naming it, instead of the manager's pods at their start.

/** Keywords that only describe: left out, as the chart's schema is for checking (helm shows none). */
const DESCRIPTIVE = new Set(['description', 'default', 'examples', 'title', '$comment']);

const isObject = (/** @type {unknown} */ v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The config's schema as the chart's values meet it: a value is merged over the shipped config
 * (Helm's mergeOverwrite), so where the shipped file has an object, none of its fields is required (the
 * file has them); where it has none (an array's items, which replace the shipped ones whole; a map's
 * new entry), the value is whole, and keeps every rule.
 * @param {unknown} schema a schema or any value within it
 * @param {unknown} shipped the shipped config's value at the same place
 * @returns {unknown}
 */
export function mergedConfigSchema(schema, shipped) {
  if (Array.isArray(schema)) return schema.map((s) => mergedConfigSchema(s, undefined));
  if (!isObject(schema)) return schema;
  const object = /** @type {Record<string, unknown>} */ (schema);
  const over = isObject(shipped) ? /** @type {Record<string, unknown>} */ (shipped) : undefined;
  /** @type {Record<string, unknown>} */
  const out = {};
  /** @type {Record<string, unknown>} */
  const properties = {};
  for (const [key, value] of Object.entries(object)) {
    if (DESCRIPTIVE.has(key) || (over && (key === 'required' || key === 'minProperties'))) continue;
    if (key === 'properties')
      for (const [name, sub] of Object.entries(/** @type {Record<string, unknown>} */ (value)))
        properties[name] = mergedConfigSchema(sub, over?.[name]);
    else if (key === 'additionalProperties' && over && isObject(value)) {
      // A map: the shipped file's entries are merged over, any other entry is new.
      const named = /** @type {Record<string, unknown>} */ (object.properties ?? {});
      for (const name of Object.keys(over).filter((n) => !(n in named)))
        properties[name] = mergedConfigSchema(value, over[name]);
      out[key] = mergedConfigSchema(value, undefined);
    }
    // Enumerations and constants are values, not schemas.
    else if (key === 'enum' || key === 'const') out[key] = value;
    else out[key] = mergedConfigSchema(value, undefined);
  }
  if (Object.keys(properties).length > 0 || 'properties' in object) out.properties = properties;
  return out;
}

/** A subschema this long or longer, met more than once, is written once (`definitions`) and referred to. */
const SHARED_LENGTH = 400;

/** Keywords whose value maps names to schemas: the map itself is no schema. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs']);
/** Keywords whose value is data, not a schema. */
const DATA = new Set(['enum', 'const', 'required', 'type']);

/**
 * Each subschema of `schema` (not the maps of `properties`, nor data such as `enum`), rebuilt by `visit`.
 * @param {unknown} schema
 * @param {(node: Record<string, unknown>, rebuilt: Record<string, unknown>) => unknown} visit
 * @returns {unknown}
 */
function eachSchema(schema, visit) {
  if (Array.isArray(schema)) return schema.map((s) => eachSchema(s, visit));
  if (!isObject(schema)) return schema;
  const node = /** @type {Record<string, unknown>} */ (schema);
  /** @type {Record<string, unknown>} */
  const rebuilt = {};
  for (const [key, value] of Object.entries(node)) {
    if (DATA.has(key) || !value || typeof value !== 'object') rebuilt[key] = value;
    else if (SCHEMA_MAPS.has(key))
      rebuilt[key] = Object.fromEntries(
        Object.entries(/** @type {Record<string, unknown>} */ (value)).map(([n, v]) => [
          n,
          eachSchema(v, visit),
        ]),
      );
    else rebuilt[key] = eachSchema(value, visit);
  }
  return visit(node, rebuilt);
}

/**
 * The schema with each repeated large subschema (the agent profile of every shipped agent, say) moved
 * into `definitions` under `prefix` and replaced by a `$ref`.
 * @param {unknown} schema
 * @param {string} prefix
 * @returns {{ schema: unknown, definitions: Record<string, unknown> }}
 */
export function shareRepeated(schema, prefix) {
  /** @type {Map<string, number>} */
  const counts = new Map();
  eachSchema(schema, (node) => {
    const text = JSON.stringify(node);
    if (text.length >= SHARED_LENGTH) counts.set(text, (counts.get(text) ?? 0) + 1);
    return node;
  });
  /** @type {Record<string, unknown>} */
  const definitions = {};
  /** @type {Map<string, string>} */
  const names = new Map();
  // Inner schemas are rebuilt first, so a repeated one inside a repeated one is shared too.
  const shared = eachSchema(schema, (node, rebuilt) => {
    const text = JSON.stringify(node);
    if ((counts.get(text) ?? 0) < 2 || node === schema) return rebuilt;
    let name = names.get(text);
    if (!name) {
      name = `${prefix}${names.size + 1}`;
      names.set(text, name);
      definitions[name] = rebuilt;
    }
    return { $ref: `#/definitions/${name}` };
  });
  return { schema: shared, definitions };
}

/**
 * values.schema.json with its `config` property the config's schema (mergedConfigSchema), its repeated
 * parts written once.
 * @param {string} current the file as it is
 * @param {unknown} configSchema the controller config's schema, shared fragments expanded
 * @param {unknown} shippedConfig the shipped controller config, parsed
 */
export function valuesSchema(current, configSchema, shippedConfig) {
  const values = JSON.parse(current);
  const { schema, definitions } = shareRepeated(mergedConfigSchema(configSchema, shippedConfig), 'config-');
  values.properties.config = schema;
  const own = Object.fromEntries(
    Object.entries(values.definitions ?? {}).filter(([name]) => !name.startsWith('config-')),
  );
  const all = { ...own, ...definitions };
  if (Object.keys(all).length > 0) values.definitions = all;
  else delete values.definitions;
  return `${JSON.stringify(values, null, 2)}\n`;
}
