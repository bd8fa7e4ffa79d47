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
    ...FROM_THE_SEED,
  ].join('\n');
}

/** How a seed user's configuration becomes this file: written here, as the table above is generated. */
const FROM_THE_SEED = [
  '## From the seed',
  '',
  "The seeds' configuration is converted, not read: `orchestrator config convert values.yaml` (seed 002's",
  'Helm values, `agents:` with `name`, `githubApp`, `appId`, `clientId`, `role`, `systemPrompt`) or',
  "`orchestrator config convert config.yaml` (seed 001's controller config, bare or as its",
  '`taskrun-controller-config` ConfigMap) prints this file on standard output, applied over the shipped',
  'config (`--base` names another), and on standard error each seed key with what it became or why it',
  "was dropped ([cli.md](cli.md)). The output passes the manager's own validation, or nothing is printed.",
  'Both files in turn: convert one, then the other with `--base` naming the first output.',
  '',
  '| seed key | becomes |',
  '|---|---|',
  '| `agents.<name>` | the profile of that name; one the base lacks gets the image of its `defaultAgent` |',
  "| `agents.<name>.name` | dropped: the profile's name is its key; kept as a comment on the profile |",
  '| `agents.<name>.githubApp` | `agents.<name>.githubApp`, and the App listed in `githubApps` |',
  "| `agents.<name>.appId` | not in the config: the key `app-id` of the App's Secret (`secrets.githubAppId`, `github-app-{githubApp}`); the report prints the `kubectl create secret` command |",
  '| `agents.<name>.clientId` | dropped: no user OAuth flow; the operator authenticates as the App by its id and key |',
  "| `agents.<name>.role` | `agents.<name>.role` when it is one of this file's roles; free text is dropped (the profile keeps the base's role, else none: its own workspace, as in the seed) and kept as a comment |",
  "| `agents.<name>.systemPrompt` | `agents.<name>.systemPromptText` (the text); a template's name stays `systemPrompt` |",
  '| `job.backoffLimit` | `retries.maxRetries`, the same count of retries (the operator retries; each Job has `backoffLimit: 0`) |',
  '| `job.activeDeadlineSeconds`, `job.ttlSecondsAfterFinished` | the same fields |',
  "| `agent.image` | every profile's `image` |",
  "| `agent.resources` | every profile's `resources` for each priority (`high`, `standard`, `low`) |",
  '| `telemetry.enabled` | `agentTelemetry.enabled` |',
  "| `telemetry.otlpEndpoint` | `agentTelemetry.endpoint`, with `http://` when it has no scheme, and `protocol: grpc` for port 4317; the operator's own traces take `OTEL_EXPORTER_OTLP_ENDPOINT` on its Deployment ([observability.md](observability.md)) |",
  '| any other key | kept when it is a field of this file, else dropped, each said in the report |',
  '',
  'A config holding a seed key is refused as before, and the refusal names the command, e.g.',
  "`agents.rex.appId: Unknown field: this looks like seed 002's Helm values (agents: with appId, role, …):",
  '`orchestrator config convert values.yaml` converts it`. The table the converter and the refusal use is',
  '[src/config/seed-keys.ts](../src/config/seed-keys.ts).',
  '',
];

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
