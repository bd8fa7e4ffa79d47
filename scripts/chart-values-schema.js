// The chart's values.schema.json is written by hand but for `config`, the controller config's fields
// merged over the shipped file: that part is the config's own schema (schemas/), so `helm install`
// refuses a wrong field or type there, naming it, instead of the manager's pods at their start.

/** Keywords that only describe: left out, as the chart's schema is for checking (helm shows none). */
const DESCRIPTIVE = new Set(['description', 'default', 'examples', 'title', '$comment']);

/**
 * The config's schema as the chart's values meet it: a partial config merged over the shipped one, so
 * no field of an object is required (the shipped file has it), while an array's items, which replace the
 * shipped ones whole, keep theirs.
 * @param {unknown} schema a schema or any value within it
 * @param {boolean} merged whether the objects here are merged over the shipped config's
 * @returns {unknown}
 */
export function mergedConfigSchema(schema, merged = true) {
  if (Array.isArray(schema)) return schema.map((s) => mergedConfigSchema(s, merged));
  if (schema === null || typeof schema !== 'object') return schema;
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DESCRIPTIVE.has(key) || (merged && (key === 'required' || key === 'minProperties'))) continue;
    if (key === 'properties' || key === 'patternProperties')
      out[key] = Object.fromEntries(
        Object.entries(/** @type {Record<string, unknown>} */ (value)).map(([k, v]) => [
          k,
          mergedConfigSchema(v, merged),
        ]),
      );
    else if (key === 'additionalProperties') out[key] = mergedConfigSchema(value, merged);
    // Enumerations and constants are values, not schemas.
    else if (key === 'enum' || key === 'const') out[key] = value;
    else out[key] = mergedConfigSchema(value, false);
  }
  return out;
}

/**
 * values.schema.json with its `config` property the config's schema (mergedConfigSchema).
 * @param {string} current the file as it is
 * @param {unknown} configSchema the controller config's schema, shared fragments expanded
 */
export function valuesSchema(current, configSchema) {
  const schema = JSON.parse(current);
  schema.properties.config = mergedConfigSchema(configSchema);
  return `${JSON.stringify(schema, null, 2)}\n`;
}
