// Reviews for the webhook fuzz tests (well-formed ones built from config/samples, and tools to break them
// at any path), and what a well-formed answer looks like: the contract every answer is checked against.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { byKind, GROUP, kindFacts, RUN_KIND_NAMES, type RunKindName, VERSION } from '../../src/api/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { webhookPath } from '../../src/webhook/handlers.js';
import { USER_INFO_LIMITS } from '../../src/webhook/user-info.js';
import { Raw } from './bodies.js';
import type { Answer } from './http.js';

export type Json = Record<string, unknown>;
const samples = join(packageRoot(), 'config', 'samples');
const sample = (file: string) => parseYaml(readFileSync(join(samples, file), 'utf8')) as Json;

/** Each kind's sample (config/samples/{kind}.yaml); the TaskRun's with every optional part set. */
const OBJECTS: Record<RunKindName, Json> = byKind((kind) => sample(`${kind.toLowerCase()}.yaml`));
{
  const spec = OBJECTS.TaskRun.spec as Json;
  Object.assign(spec, {
    priority: 'high',
    agent: 'cleo',
    dependsOn: [3, 5],
    agentTools: [{ name: 'github', enabled: true, restrictions: ['read-only'] }],
  });
  (spec.repository as Json).branch = 'main';
  OBJECTS.TaskRun.metadata = {
    ...(OBJECTS.TaskRun.metadata as Json),
    labels: { team: 'payments' },
    finalizers: ['keep/me'],
  };
}
let uids = 0;

/** A valid AdmissionReview of a valid `kind` object, as the apiserver sends it; a fresh uid each time. */
export function review(kind: RunKindName, operation: 'CREATE' | 'UPDATE' = 'CREATE'): Json {
  const object = structuredClone(OBJECTS[kind]);
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `fuzz-${++uids}`,
      kind: { group: 'orchestrator.io', version: 'v1', kind },
      resource: { group: GROUP, version: VERSION, resource: kindFacts(kind).plural },
      requestKind: { group: 'orchestrator.io', version: 'v1', kind },
      name: (object.metadata as Json).name,
      namespace: 'fuzz',
      operation,
      userInfo: { username: 'fuzzer', groups: ['system:authenticated'] },
      object,
      oldObject: operation === 'UPDATE' ? structuredClone(object) : null,
      dryRun: false,
      options: {
        apiVersion: 'meta.k8s.io/v1',
        kind: `${operation === 'CREATE' ? 'Create' : 'Update'}Options`,
      },
    },
  };
}

/** Every webhook endpoint with the kind it serves. */
export const ROUTES = RUN_KIND_NAMES.flatMap((kind) => [
  { kind, path: webhookPath('validate', kind) },
  { kind, path: webhookPath('mutate', kind) },
]);

export type Path = (string | number)[];

/** Every path in a JSON tree (interior nodes and leaves), parents first. */
export function paths(value: unknown, prefix: Path = []): Path[] {
  // A Raw is a leaf: its text is spliced into the body, its fields are not part of the JSON tree.
  if (value === null || typeof value !== 'object' || value instanceof Raw) return [];
  const keys = Array.isArray(value) ? Array.from(value.keys()) : Object.keys(value);
  return keys.flatMap((k) => {
    const here = [...prefix, k];
    return [here, ...paths((value as Record<string | number, unknown>)[k], here)];
  });
}

export const getAt = (root: unknown, path: Path): unknown =>
  path.reduce<unknown>(
    (node, k) => (node !== null && typeof node === 'object' ? (node as Json)[k as string] : undefined),
    root,
  );

/**
 * A deep copy of a JSON-like value that keeps own `__proto__` keys and shares only Raw tokens (never
 * changed). Values drawn from a shared pool must be
 * copied before they are set: a later mutation inside the same value could otherwise make it contain
 * itself, and would change the pool for every run after it.
 */
export function copyValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyValue);
  if (value === null || typeof value !== 'object' || value instanceof Raw) return value;
  const copy: Json = {};
  for (const [k, v] of Object.entries(value)) {
    Object.defineProperty(copy, k, {
      value: copyValue(v),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

/**
 * Sets a copy of `value` (own property, even `__proto__`) or removes the value at `path`; false when the
 * parent is gone.
 */
export function setAt(root: Json, path: Path, value: unknown, remove = false): boolean {
  const parent = getAt(root, path.slice(0, -1));
  const key = path[path.length - 1];
  if (parent === null || typeof parent !== 'object' || parent instanceof Raw || key === undefined)
    return false;
  // A named property on an array is not JSON: it would not be sent.
  if (Array.isArray(parent) && typeof key !== 'number') return false;
  if (remove) {
    if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
    else delete (parent as Json)[key];
  } else {
    Object.defineProperty(parent, key, {
      value: copyValue(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return true;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Whether the envelope is a syntactically valid AdmissionReview: the fields the apiserver always sends
 * have the right types. Written from the admission.k8s.io/v1 contract, independently of the parser.
 */
function validEnvelope(body: unknown): boolean {
  if (!isObject(body) || body.kind !== 'AdmissionReview') return false;
  if (body.apiVersion !== 'admission.k8s.io/v1' && body.apiVersion !== 'admission.k8s.io/v1beta1')
    return false;
  const r = body.request;
  if (!isObject(r) || typeof r.uid !== 'string' || r.uid === '') return false;
  if (!['CREATE', 'UPDATE', 'DELETE', 'CONNECT'].includes(r.operation as string)) return false;
  const gvk = r.kind;
  if (!isObject(gvk) || !['group', 'version', 'kind'].every((k) => typeof gvk[k] === 'string')) return false;
  const objectOrAbsent = (v: unknown) => v === undefined || v === null || isObject(v);
  const stringOrAbsent = (v: unknown) => v === undefined || typeof v === 'string';
  return (
    userInfoWithinBounds(r.userInfo) &&
    objectOrAbsent(r.object) &&
    objectOrAbsent(r.oldObject) &&
    stringOrAbsent(r.name) &&
    stringOrAbsent(r.namespace) &&
    stringOrAbsent(r.subResource) &&
    (r.dryRun === undefined || typeof r.dryRun === 'boolean')
  );
}

/**
 * userInfo as an apiserver sends it (authentication.k8s.io UserInfo), within the bounds the webhook
 * states (docs/security.md "What one review may cost"): anything else is a 400.
 */
function userInfoWithinBounds(u: unknown): boolean {
  if (u === undefined) return true;
  if (!isObject(u)) return false;
  const L = USER_INFO_LIMITS;
  let total = 0;
  const str = (v: unknown, max: number): boolean => {
    if (typeof v !== 'string' || v.length > max) return false;
    total += v.length;
    return true;
  };
  const strs = (v: unknown, items: number, max: number) =>
    Array.isArray(v) && v.length <= items && v.every((x) => str(x, max));
  if (u.username !== undefined && !str(u.username, L.usernameChars)) return false;
  if (u.uid !== undefined && !str(u.uid, L.uidChars)) return false;
  if (u.groups !== undefined && !strs(u.groups, L.groups, L.groupChars)) return false;
  if (u.extra !== undefined) {
    const extra = u.extra;
    if (!isObject(extra) || Object.keys(extra).length > L.extraKeys) return false;
    for (const [key, values] of Object.entries(extra))
      if (!str(key, L.extraKeyChars) || !strs(values, L.extraValues, L.extraValueChars)) return false;
  }
  return total <= L.totalChars;
}

const parseOrUndefined = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** What is wrong with the answer to `text` (the JSON body sent), or undefined when it keeps the contract. */
export function reviewProblem(text: string, a: Answer): string | undefined {
  if (a.error) return `no answer: ${a.error}`;
  const sent = parseOrUndefined(text);
  const got = parseOrUndefined(a.body);
  if (got === undefined) return `status ${a.status}, body is not JSON: ${a.body.slice(0, 200)}`;
  if (!validEnvelope(sent)) {
    if (a.status !== 400) return `invalid envelope answered ${a.status}: ${a.body.slice(0, 300)}`;
    if (!isObject(got) || typeof got.error !== 'string') return `400 without an error message: ${a.body}`;
    return undefined;
  }
  const request = (sent as Json).request as Json;
  if (a.status !== 200) return `valid envelope answered ${a.status}: ${a.body.slice(0, 300)}`;
  if (!/^application\/json/.test(a.headers['content-type'] ?? '')) return 'answer is not application/json';
  if (!isObject(got) || got.kind !== 'AdmissionReview' || got.apiVersion !== (sent as Json).apiVersion)
    return `not an AdmissionReview in the version asked: ${a.body.slice(0, 300)}`;
  const res = got.response;
  if (!isObject(res)) return 'no response';
  if (res.uid !== request.uid) return `uid not echoed: sent ${String(request.uid).slice(0, 40)}`;
  if (typeof res.allowed !== 'boolean') return 'allowed is not a boolean';
  if (
    res.warnings !== undefined &&
    !(Array.isArray(res.warnings) && res.warnings.every((w) => typeof w === 'string'))
  )
    return 'warnings are not strings';
  return res.allowed ? patchProblem(res) : denialProblem(res);
}

function patchProblem(res: Json): string | undefined {
  if (res.status !== undefined) return 'allowed with a status';
  if (res.patch === undefined) return res.patchType === undefined ? undefined : 'patchType without patch';
  if (res.patchType !== 'JSONPatch') return 'patch without patchType JSONPatch';
  const ops = parseOrUndefined(Buffer.from(String(res.patch), 'base64').toString('utf8'));
  if (!Array.isArray(ops) || ops.length === 0) return 'patch is not a non-empty array of base64 JSON';
  const bad = ops.find(
    (op) =>
      !isObject(op) ||
      (op.op !== 'add' && op.op !== 'replace') ||
      typeof op.path !== 'string' ||
      !/^\//.test(op.path) ||
      !('value' in op),
  );
  return bad === undefined ? undefined : `malformed patch operation ${JSON.stringify(bad).slice(0, 200)}`;
}

function denialProblem(res: Json): string | undefined {
  const status = res.status;
  if (!isObject(status) || typeof status.message !== 'string' || status.message === '')
    return 'denied without a message';
  if (typeof status.code !== 'number' || status.code < 400 || status.code > 499)
    return `denied with code ${String(status.code)} (user input must never be an internal error): ${status.message.slice(0, 300)}`;
  return undefined;
}

/** Runs cases a few at a time and returns every problem found. */
export async function collect<T>(
  items: T[],
  run: (item: T) => Promise<string | undefined>,
  concurrency = 4,
): Promise<string[]> {
  const problems: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        const problem = await run(item);
        if (problem) problems.push(problem);
      }
    }),
  );
  return problems;
}
