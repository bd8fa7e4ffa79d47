// JSON Schema validation with ajv on the same schemas/ the CRDs come from, reporting every violation at
// once with kubectl-style paths and apiserver-style messages.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { JsonSchema } from '../api/schemas.js';
import { error, type Finding, showValue } from './finding.js';

/** `/spec/markdownFiles/1/filename` → `spec.markdownFiles[1].filename`. */
export function kubectlPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (/^\d+$/.test(key)) out += `[${key}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[raw.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return node;
}

function describe(err: ErrorObject, root: unknown): Finding {
  const path = kubectlPath(err.instancePath);
  const value = () => showValue(valueAt(root, err.instancePath));
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required':
      return error(
        'schema',
        kubectlPath(`${err.instancePath}/${String(p.missingProperty)}`),
        'Required value',
      );
    case 'additionalProperties':
      return error(
        'unknown-field',
        kubectlPath(`${err.instancePath}/${String(p.additionalProperty)}`),
        'Unknown field',
      );
    case 'enum':
      return error(
        'schema',
        path,
        `Unsupported value: ${value()}: supported values: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      );
    case 'type':
      return error('schema', path, `Invalid value: ${value()}: must be of type ${String(p.type)}`);
    case 'pattern':
      return error('schema', path, `Invalid value: ${value()}: must match the pattern ${String(p.pattern)}`);
    case 'format':
      return error('schema', path, `Invalid value: ${value()}: must be a valid ${String(p.format)}`);
    default:
      return error('schema', path, `Invalid value: ${value()}: ${err.message ?? err.keyword}`);
  }
}

/** ajv set up for the Kubernetes OpenAPI v3 subset: x-kubernetes-* keywords are annotations to ajv. */
export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false });
  addFormats.default(ajv);
  for (const format of ['int32', 'int64', 'float', 'double', 'byte']) ajv.addFormat(format, true);
  return ajv;
}

export type SchemaCheck = (value: unknown) => Finding[];

/** Compiles a schema into a function returning every violation (not just the first). */
export function compileSchema(schema: JsonSchema, ajv: Ajv = createAjv()): SchemaCheck {
  const validate: ValidateFunction = ajv.compile(schema);
  return (value) => {
    if (validate(value)) return [];
    return (validate.errors ?? []).filter((e) => e.keyword !== 'if').map((e) => describe(e, value));
  };
}

/**
 * Fields the schema does not declare. The apiserver silently prunes them, which loses what the user
 * wrote, so offline validation reports them like `kubectl apply --validate=strict` does.
 */
export function unknownFields(value: unknown, schema: JsonSchema, pointer = ''): Finding[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) {
    return schema.items
      ? value.flatMap((v, i) => unknownFields(v, schema.items as JsonSchema, `${pointer}/${i}`))
      : [];
  }
  if (schema['x-kubernetes-preserve-unknown-fields'] === true || !schema.properties) {
    const extra = schema.additionalProperties;
    if (typeof extra === 'object') {
      return Object.entries(value).flatMap(([k, v]) => unknownFields(v, extra, `${pointer}/${k}`));
    }
    return [];
  }
  const found: Finding[] = [];
  for (const [key, child] of Object.entries(value)) {
    const sub = schema.properties[key];
    const here = `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    if (!sub)
      found.push(error('unknown-field', kubectlPath(here), 'Unknown field (the API server would drop it)'));
    else found.push(...unknownFields(child, sub, here));
  }
  return found;
}
