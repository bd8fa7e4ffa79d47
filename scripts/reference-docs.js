// Renders the reference pages in docs/ from the schemas (called by scripts/generate.js): one table row
// per field with its type, default and description, so the documentation cannot drift from what the
// webhook and the config loader enforce. Plain ESM JavaScript, like generate.js.

/** @typedef {Record<string, any>} JsonSchema */

const escapeCell = (/** @type {string} */ text) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The type column: the JSON type, its enum values, bounds and pattern. */
function typeOf(/** @type {JsonSchema} */ s) {
  const base =
    s.type === 'array'
      ? `${s.items?.type ?? 'any'}[]`
      : (s.type ?? (s['x-kubernetes-int-or-string'] ? 'int or string' : 'any'));
  const notes = [];
  if (s.enum) notes.push(s.enum.map((/** @type {unknown} */ v) => `\`${v}\``).join(', '));
  if (s.items?.enum) notes.push(s.items.enum.map((/** @type {unknown} */ v) => `\`${v}\``).join(', '));
  if (s.minimum !== undefined || s.maximum !== undefined)
    notes.push(`${s.minimum ?? '…'}–${s.maximum ?? '…'}`);
  if (s.maxLength !== undefined) notes.push(`≤ ${s.maxLength} chars`);
  return notes.length > 0 ? `${base} (${notes.join('; ')})` : base;
}

/**
 * Every documented field under `schema`, depth first in schema order: [path, schema, required].
 * Maps (additionalProperties with a schema) appear as `<name>`; arrays of objects as `[]`.
 * @param {JsonSchema} schema
 * @param {string} prefix
 * @returns {[string, JsonSchema, boolean][]}
 */
export function fields(schema, prefix = '') {
  /** @type {[string, JsonSchema, boolean][]} */
  const rows = [];
  const required = new Set(schema.required ?? []);
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    rows.push([path, child, required.has(name)]);
    rows.push(...nested(child, path));
  }
  return rows;
}

/** @returns {[string, JsonSchema, boolean][]} */
function nested(/** @type {JsonSchema} */ child, /** @type {string} */ path) {
  if (child.type === 'array' && child.items?.properties) return fields(child.items, `${path}[]`);
  if (child.properties) return fields(child, path);
  const map = child.additionalProperties;
  if (map && typeof map === 'object' && map.properties) return fields(map, `${path}.<name>`);
  return [];
}

/** A Markdown table of every field of `schema`. */
export function fieldTable(/** @type {JsonSchema} */ schema, prefix = '') {
  const lines = ['| Field | Type | Default | Description |', '|---|---|---|---|'];
  for (const [path, s, required] of fields(schema, prefix)) {
    const def = s.default === undefined ? (required ? '*required*' : '') : `\`${JSON.stringify(s.default)}\``;
    lines.push(
      `| \`${path}\` | ${escapeCell(typeOf(s))} | ${escapeCell(def)} | ${escapeCell(s.description ?? '')} |`,
    );
  }
  return lines.join('\n');
}

/** docs/configuration.md: the controller config file. */
export function configurationReference(/** @type {JsonSchema} */ schema, /** @type {string} */ header) {
  return [
    `<!-- ${header} -->`,
    '# Controller configuration reference',
    '',
    escapeCell(schema.description ?? ''),
    'The file is `config/manager/controller-config.yaml` by default (`--config` or `ORCHESTRATOR_CONFIG` choose',
    'another); in a cluster it is the `orchestrator-config` ConfigMap. A change is picked up without a',
    'restart: a valid file applies to runs created after it, an invalid one is refused with a log line and',
    'the last good configuration stays.',
    '',
    fieldTable(schema),
    '',
  ].join('\n');
}

/** docs/api-reference.md: the spec and status of every run kind. */
export function apiReference(
  /** @type {{ name: string, schema: JsonSchema, crd: any }[]} */ kinds,
  /** @type {string} */ header,
) {
  const sections = kinds.map(({ name, schema, crd }) =>
    [
      `## ${name} (\`${crd.shortNames?.join('`, `') ?? crd.plural}\`)`,
      '',
      escapeCell(schema.description ?? ''),
      '',
      '### spec',
      '',
      fieldTable(schema.properties.spec, 'spec'),
      '',
      '### status',
      '',
      'Written by the controller only (the status subresource).',
      '',
      fieldTable(schema.properties.status, 'status'),
      '',
    ].join('\n'),
  );
  return [
    `<!-- ${header} -->`,
    '# API reference (group `orchestrator.io`, version `v1`)',
    '',
    'Every field, as the admission webhook and the CRD schema enforce it. Defaults marked here are applied',
    'at admission (and again by the controller when the webhook is not installed).',
    '',
    ...sections,
  ].join('\n');
}
