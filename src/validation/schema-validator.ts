// JSON Schema validation with ajv on the same schemas/ the CRDs come from, reporting every violation at
// once with kubectl-style paths and apiserver-style messages.
import { _, Ajv, type ErrorObject, type KeywordCxt, type ValidateFunction } from 'ajv';
import { useFunc } from 'ajv/dist/compile/util.js';
import ucs2length from 'ajv/dist/runtime/ucs2length.js';
import limitLength from 'ajv/dist/vocabularies/validation/limitLength.js';
import addFormats from 'ajv-formats';
import type { JsonSchema } from '../api/index.js';
import { error, type Finding, omitted, REPORTED_FINDINGS, showValue } from './finding.js';
import { precompiled } from './precompiled.js';

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

/**
 * maxLength and minLength as ajv checks them (in code points, as the apiserver counts), counting only
 * when the UTF-16 length cannot decide: a string of n UTF-16 units has between n/2 and n code points.
 * ajv's own counts every character of every string, ~13 µs per TaskRun with a few KiB of markdown: a
 * tenth of a review's cost. Same keyword, same errors (ajv's error definition is reused).
 */
function codePointLength(cxt: KeywordCxt): void {
  const { keyword, data, schemaCode, gen } = cxt;
  const count = useFunc(gen, ucs2length.default);
  cxt.fail$data(
    keyword === 'maxLength'
      ? _`${data}.length > ${schemaCode} && (${data}.length > 2 * ${schemaCode} || ${count}(${data}) > ${schemaCode})`
      : _`${data}.length < ${schemaCode} || (${data}.length < 2 * ${schemaCode} && ${count}(${data}) < ${schemaCode})`,
  );
}

/**
 * ajv set up for the Kubernetes OpenAPI v3 subset: x-kubernetes-* keywords are annotations to ajv.
 * `source` keeps the generated code, for ajv's standalone output (scripts/generate-validators.js).
 */
export function createAjv(opts: { useDefaults?: boolean; source?: boolean } = {}): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    useDefaults: opts.useDefaults ?? false,
    ...(opts.source ? { code: { source: true } } : {}),
  });
  ajv.removeKeyword('maxLength');
  ajv.removeKeyword('minLength');
  ajv.addKeyword({ ...limitLength.default, code: codePointLength });
  addFormats.default(ajv);
  for (const format of ['int32', 'int64', 'float', 'double', 'byte']) ajv.addFormat(format, true);
  return ajv;
}

export type SchemaCheck = (value: unknown) => Finding[];

/**
 * Compiles a schema into a function returning every violation (not just the first): the first
 * REPORTED_FINDINGS described, then one summary finding that counts the rest.
 */
export function compileSchema(schema: JsonSchema, ajv?: Ajv): SchemaCheck {
  const validate: ValidateFunction =
    precompiled(schema, { useDefaults: false }) ?? (ajv ?? createAjv()).compile(schema);
  return (value) => {
    if (validate(value)) return [];
    // Only the first REPORTED_FINDINGS are described (each costs a path and a value rendering); the
    // rest are counted in one summary, so a million wrong items cost ajv's time and no more.
    const findings: Finding[] = [];
    let more = 0;
    for (const e of validate.errors ?? []) {
      if (e.keyword === 'if') continue;
      if (findings.length < REPORTED_FINDINGS) findings.push(describe(e, value));
      else more++;
    }
    if (more > 0) findings.push(omitted('schema', more, 'schema violations'));
    // Not kept until the next call: they can be a million objects.
    validate.errors = null;
    return findings;
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
