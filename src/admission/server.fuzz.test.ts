// Fuzzing the webhook server's HTTP surface: a real server (real routes, default controller config) on
// 127.0.0.1, driven with well-formed reviews made wrong at every field, random mutations (fast-check,
// seeded), deep nesting, huge strings, invalid JSON, wrong content types, oversized and stalled bodies,
// other methods and paths. The contract (issue 4): the server never crashes, a client error is a 4xx
// (never a 5xx), a syntactically valid AdmissionReview always gets a well-formed answer that echoes its
// uid, whatever its object holds, and everything is answered within the server's request timeout.
//
// Reproduce a failure with the seed it prints: FUZZ_SEED=<seed> npx tap src/admission/server.fuzz.test.ts

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import fc from 'fast-check';
import pino from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import type { ApiKind } from '../api/index.js';
import { createAuthority } from '../certs/authority.js';
import { loadConfigFile } from '../config/load.js';
import { staticConfig } from '../config/watch.js';
import { packageRoot } from '../util/package-root.js';
import { admissionRoutes, KINDS, webhookPath } from './handlers.js';
import { startWebhookServer } from './server.js';

/** The server's request timeout: small, so stalled clients are cut quickly. */
const TIMEOUT_MS = 1500;
/** Every answer must arrive within the server's timeout plus this much scheduling slack (2 shared cores). */
const SLACK_MS = 1500;
const DEADLINE_MS = TIMEOUT_MS + SLACK_MS;
const LIMIT = 3 * 1024 * 1024;

const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
t.comment(`fuzz seed ${seed} (reproduce with FUZZ_SEED=${seed})`);

// ---------------------------------------------------------------------------------------------------
// The server under test.

const root = packageRoot();
const certDir = mkdtempSync(join(tmpdir(), 'webhook-fuzz-'));
const ca = await createAuthority('fuzz-ca');
const serving = await ca.issueServing({ commonName: 'webhook', ipAddresses: ['127.0.0.1'] });
writeFileSync(join(certDir, 'tls.crt'), serving.certPem);
writeFileSync(join(certDir, 'tls.key'), serving.keyPem);
const registry = new Registry();
const server = await startWebhookServer({
  certFile: join(certDir, 'tls.crt'),
  keyFile: join(certDir, 'tls.key'),
  routes: admissionRoutes(staticConfig(loadConfigFile(join(root, 'config', 'controller-config.yaml')))),
  registry,
  logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  port: 0,
  host: '127.0.0.1',
  requestTimeoutMs: TIMEOUT_MS,
});
const agent = new Agent({ keepAlive: true, maxSockets: 4, ca: ca.certPem });
t.teardown(async () => {
  agent.destroy();
  await server.close();
  rmSync(certDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------
// Clients: node's https client for well-formed HTTP, raw TLS for everything a polite client never sends.

interface Answer {
  /** HTTP status; 0 when the connection ended without a complete response. */
  status: number;
  headers: Record<string, string>;
  body: string;
  ms: number;
  /** Why there is no response (connection closed, reset, or no answer before the deadline). */
  error?: string;
}

/** One request over the keep-alive pool; never rejects (a missing answer is an Answer with an error). */
function send(opts: {
  path: string;
  method?: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
}): Promise<Answer> {
  const started = performance.now();
  const body = opts.body ?? '';
  const headers = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...opts.headers,
  };
  return new Promise((resolve) => {
    const done = (a: Omit<Answer, 'ms'>) => {
      clearTimeout(timer);
      resolve({ ...a, ms: performance.now() - started });
    };
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        agent,
        method: opts.method ?? 'POST',
        path: opts.path,
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          done({
            status: res.statusCode ?? 0,
            headers: res.headers as Record<string, string>,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', (err) => done({ status: 0, headers: {}, body: '', error: err.message }));
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${DEADLINE_MS} ms`)), DEADLINE_MS);
    req.on('error', (err) => done({ status: 0, headers: {}, body: '', error: err.message }));
    req.end(body);
  });
}

/**
 * One raw exchange on a new TLS connection: `write` sends whatever it likes (it may stall); the answer
 * is the first complete HTTP response, or why there was none. Writes after the response are dropped.
 */
function exchange(
  write: (socket: TLSSocket, answered: () => boolean) => void | Promise<void>,
  opts: { head?: boolean } = {},
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    let data = Buffer.alloc(0);
    let finished = false;
    const socket = connect({ host: '127.0.0.1', port: server.port, ca: ca.certPem });
    const done = (a: Omit<Answer, 'ms'>) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...a, ms: performance.now() - started });
    };
    const timer = setTimeout(
      () => done({ status: 0, headers: {}, body: '', error: `no answer within ${DEADLINE_MS} ms` }),
      DEADLINE_MS,
    );
    const parse = (ended: boolean) => {
      const parsed = parseResponse(data, ended, opts.head === true);
      if (parsed) done(parsed);
      else if (ended)
        done({ status: 0, headers: {}, body: '', error: 'connection closed without a response' });
    };
    socket.on('secureConnect', () => {
      Promise.resolve(write(socket, () => finished)).catch(() => {});
    });
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      parse(false);
    });
    socket.on('end', () => parse(true));
    socket.on('close', () => parse(true));
    socket.on('error', (err) => {
      parse(false);
      done({ status: 0, headers: {}, body: '', error: err.message });
    });
  });
}

/** A complete HTTP/1.1 response in `data`, or undefined while more is needed. */
function parseResponse(data: Buffer, ended: boolean, head: boolean): Omit<Answer, 'ms'> | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = data.subarray(end + 4);
  if (head || status === 204 || status === 304) return { status, headers, body: '' };
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    if (rest.length < length) return undefined;
    return { status, headers, body: rest.subarray(0, length).toString('utf8') };
  }
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const chunks: Buffer[] = [];
    let at = 0;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', at);
      if (lineEnd < 0) return undefined;
      const size = Number.parseInt(rest.subarray(at, lineEnd).toString('latin1'), 16);
      if (size === 0) return { status, headers, body: Buffer.concat(chunks).toString('utf8') };
      if (rest.length < lineEnd + 2 + size + 2) return undefined;
      chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  return ended ? { status, headers, body: rest.toString('utf8') } : undefined;
}

/** Request head for raw exchanges. */
const head = (method: string, path: string, headers: Record<string, string | number>) =>
  `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes and waits for the socket to drain; stops quietly once the response is in. */
async function writeAll(socket: TLSSocket, answered: () => boolean, chunk: string | Buffer) {
  if (answered() || socket.destroyed) return;
  if (!socket.write(chunk)) {
    await new Promise<void>((resolve) => {
      const stop = () => {
        socket.off('drain', stop);
        socket.off('close', stop);
        resolve();
      };
      socket.on('drain', stop);
      socket.on('close', stop);
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// Bodies: JSON text with raw tokens that JSON.stringify cannot produce (10k-deep nesting, 1e400, lone
// surrogates), so the server's parser and everything after it see them.

class Raw {
  constructor(
    readonly text: string,
    readonly label: string,
  ) {}
  toJSON() {
    return `${RAW_MARK}${rawTexts.push(this.text) - 1}${RAW_MARK}`;
  }
  [fc.toStringMethod]() {
    return `Raw(${this.label})`;
  }
}
const RAW_MARK = `@raw${Math.random().toString(36).slice(2)}@`;
const rawTexts: string[] = [];

function encode(value: unknown): string {
  rawTexts.length = 0;
  const text = JSON.stringify(value) ?? 'null';
  return text.replace(new RegExp(`"${RAW_MARK}(\\d+)${RAW_MARK}"`, 'g'), (_, i) => rawTexts[Number(i)] ?? '');
}

const deepArrays = (n: number) => new Raw(`${'['.repeat(n)}${']'.repeat(n)}`, `${n} nested arrays`);
const deepObjects = (n: number) => new Raw(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`, `${n} nested objects`);
const deepMixed = (n: number) =>
  new Raw(`${'[{"a":'.repeat(n)}"x"${'}]'.repeat(n)}`, `${n} nested arrays of objects`);
const huge = (n: number, unit = 'a') => new Raw(JSON.stringify(unit.repeat(n)), `"${unit}" x ${n}`);
/** An own `__proto__` key, as JSON.parse creates it. */
const protoKey = (value: unknown) => {
  const o: Record<string, unknown> = {};
  Object.defineProperty(o, '__proto__', { value, enumerable: true, writable: true, configurable: true });
  return o;
};

/** Values of every JSON type; `wrongTypes` picks those of another type than the one present. */
const BY_TYPE: Record<string, unknown[]> = {
  null: [null],
  boolean: [true],
  number: [-1.5],
  string: [''],
  array: [[{}]],
  object: [{ toString: 1 }],
};
const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const wrongTypes = (v: unknown) =>
  Object.entries(BY_TYPE)
    .filter(([type]) => type !== typeOf(v))
    .flatMap(([, values]) => values);

/** Adversarial values for the random mutations. */
const SPECIAL: unknown[] = [
  deepArrays(10_000),
  deepObjects(10_000),
  deepMixed(5_000),
  huge(256 * 1024),
  huge(64 * 1024, 'é'),
  new Raw(JSON.stringify(`git@${'a'.repeat(30_000)}:${'a/'.repeat(30_000)}!`), 'adversarial repository URL'),
  new Raw(JSON.stringify(`${'a-'.repeat(50_000)}!`), 'adversarial DNS label'),
  new Raw(JSON.stringify(`${'1'.repeat(50_000)}e${'1'.repeat(50_000)}x`), 'adversarial quantity'),
  new Raw('1e400', '1e400'),
  new Raw('-0', '-0'),
  new Raw('"\\ud800"', 'lone surrogate'),
  new Raw('"\\u0000"', 'NUL'),
  new Raw('123456789012345678901234567890', 'big integer'),
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  protoKey({ polluted: true }),
  { constructor: { prototype: { polluted: true } } },
  { toString: 1, valueOf: 1 },
  Number.MAX_SAFE_INTEGER + 2,
  -(2 ** 31) - 1,
  2 ** 31,
  'CREATE',
  'orchestrator.io',
  'TaskRun',
];

// ---------------------------------------------------------------------------------------------------
// Reviews and what a well-formed answer looks like.

type Json = Record<string, unknown>;
const samples = join(root, 'config', 'samples');
const sample = (file: string) => parseYaml(readFileSync(join(samples, file), 'utf8')) as Json;

const OBJECTS: Record<ApiKind, Json> = {
  TaskRun: (() => {
    const tr = sample('taskrun.yaml');
    const spec = tr.spec as Json;
    Object.assign(spec, {
      priority: 'high',
      agent: 'cleo',
      dependsOn: [3, 5],
      agentTools: [{ name: 'github', enabled: true, restrictions: ['read-only'] }],
    });
    (spec.repository as Json).branch = 'main';
    tr.metadata = { ...(tr.metadata as Json), labels: { team: 'payments' }, finalizers: ['keep/me'] };
    return tr;
  })(),
  CodeRun: sample('coderun.yaml'),
  DocsRun: sample('docsrun.yaml'),
};

const RESOURCES: Record<ApiKind, string> = { TaskRun: 'taskruns', CodeRun: 'coderuns', DocsRun: 'docsruns' };
let uids = 0;

function review(kind: ApiKind, operation: 'CREATE' | 'UPDATE' = 'CREATE'): Json {
  const object = structuredClone(OBJECTS[kind]);
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `fuzz-${++uids}`,
      kind: { group: 'orchestrator.io', version: 'v1', kind },
      resource: { group: 'orchestrator.io', version: 'v1', resource: RESOURCES[kind] },
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

type Path = (string | number)[];

/** Every path in a JSON tree (interior nodes and leaves), parents first. */
function paths(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const keys = Array.isArray(value) ? Array.from(value.keys()) : Object.keys(value);
  return keys.flatMap((k) => {
    const here = [...prefix, k];
    return [here, ...paths((value as Record<string | number, unknown>)[k], here)];
  });
}

const getAt = (root: unknown, path: Path): unknown =>
  path.reduce<unknown>(
    (node, k) => (node !== null && typeof node === 'object' ? (node as Json)[k as string] : undefined),
    root,
  );

/** Sets (own property, even `__proto__`) or removes the value at `path`; false when the parent is gone. */
function setAt(root: Json, path: Path, value: unknown, remove = false): boolean {
  const parent = getAt(root, path.slice(0, -1));
  const key = path[path.length - 1];
  if (parent === null || typeof parent !== 'object' || key === undefined) return false;
  // A named property on an array is not JSON: it would not be sent.
  if (Array.isArray(parent) && typeof key !== 'number') return false;
  if (remove) {
    if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
    else delete (parent as Json)[key];
  } else {
    Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
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
    objectOrAbsent(r.object) &&
    objectOrAbsent(r.oldObject) &&
    stringOrAbsent(r.name) &&
    stringOrAbsent(r.namespace) &&
    stringOrAbsent(r.subResource) &&
    (r.dryRun === undefined || typeof r.dryRun === 'boolean')
  );
}

/** What is wrong with the answer to `text` (the JSON body sent), or undefined when it keeps the contract. */
function reviewProblem(text: string, a: Answer): string | undefined {
  if (a.error) return `no answer: ${a.error}`;
  if (a.ms > DEADLINE_MS) return `answered after ${a.ms.toFixed(0)} ms`;
  let sent: unknown;
  try {
    sent = JSON.parse(text);
  } catch {
    sent = undefined;
  }
  let got: unknown;
  try {
    got = JSON.parse(a.body);
  } catch {
    return `status ${a.status}, body is not JSON: ${a.body.slice(0, 200)}`;
  }
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
  if (res.allowed) {
    if (res.status !== undefined) return 'allowed with a status';
    if (res.patch === undefined) return res.patchType === undefined ? undefined : 'patchType without patch';
    if (res.patchType !== 'JSONPatch') return 'patch without patchType JSONPatch';
    let ops: unknown;
    try {
      ops = JSON.parse(Buffer.from(String(res.patch), 'base64').toString('utf8'));
    } catch {
      return 'patch is not base64 JSON';
    }
    if (!Array.isArray(ops) || ops.length === 0) return 'patch is not a non-empty array';
    const bad = ops.find(
      (op) =>
        !isObject(op) ||
        op.op !== 'add' ||
        typeof op.path !== 'string' ||
        !/^\//.test(op.path) ||
        !('value' in op),
    );
    return bad === undefined ? undefined : `malformed patch operation ${JSON.stringify(bad).slice(0, 200)}`;
  }
  const status = res.status;
  if (!isObject(status) || typeof status.message !== 'string' || status.message === '')
    return 'denied without a message';
  if (typeof status.code !== 'number' || status.code < 400 || status.code > 499)
    return `denied with code ${String(status.code)} (user input must never be an internal error): ${status.message.slice(0, 300)}`;
  return undefined;
}

const ROUTES = KINDS.flatMap((kind) => [
  { kind, path: webhookPath('validate', kind) },
  { kind, path: webhookPath('mutate', kind) },
]);

async function postReview(path: string, body: unknown): Promise<string | undefined> {
  const text = encode(body);
  const a = await send({ path, body: text });
  const problem = reviewProblem(text, a);
  return problem && `POST ${path}: ${problem}`;
}

/** Runs cases a few at a time and returns every problem found. */
async function collect<T>(
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

// ---------------------------------------------------------------------------------------------------

t.test('the unmodified reviews are allowed: validate without a patch, mutate with one', async (t) => {
  for (const { kind, path } of ROUTES) {
    for (const op of ['CREATE', 'UPDATE'] as const) {
      const text = encode(review(kind, op));
      const a = await send({ path, body: text });
      t.equal(reviewProblem(text, a), undefined, `${op} ${path}`);
      const response = JSON.parse(a.body).response;
      t.equal(response.allowed, true, `${op} ${path} allowed: ${response.status?.message ?? ''}`);
      t.equal(response.patch !== undefined, path.startsWith('/mutate'), `${op} ${path} patch iff mutate`);
    }
  }
});

t.test('a wrong type at every field of a valid review, every field missing, prototype names', async (t) => {
  const cases: { path: string; body: Json; what: string }[] = [];
  for (const { kind, path } of ROUTES) {
    const base = review(kind, kind === 'TaskRun' && path.startsWith('/validate') ? 'UPDATE' : 'CREATE');
    for (const at of paths(base)) {
      const where = at.join('.');
      const removed = structuredClone(base);
      setAt(removed, at, undefined, true);
      cases.push({ path, body: removed, what: `without ${where}` });
      const current = getAt(base, at);
      // Strings that name Object.prototype members, where a string is expected (lookups by user value).
      const protoNames = typeof current === 'string' ? ['constructor', '__proto__'] : [];
      for (const value of [...wrongTypes(current), ...protoNames]) {
        const changed = structuredClone(base);
        setAt(changed, at, value);
        cases.push({ path, body: changed, what: `${where} = ${JSON.stringify(value)}` });
      }
    }
  }
  t.ok(cases.length > 300, `${cases.length} cases`);
  const problems = await collect(cases, async (c) => {
    const problem = await postReview(c.path, c.body);
    return problem && `${c.what}: ${problem}`;
  });
  t.same(problems, [], 'every answer keeps the contract');
});

t.test('deep nesting anywhere neither blows the stack nor hangs', async (t) => {
  const deep = [deepArrays(10_000), deepObjects(10_000), deepMixed(10_000)];
  const places: Path[] = [
    [],
    ['kind'],
    ['apiVersion'],
    ['request'],
    ['request', 'uid'],
    ['request', 'kind'],
    ['request', 'object'],
    ['request', 'oldObject'],
    ['request', 'userInfo'],
    ['request', 'object', 'metadata'],
    ['request', 'object', 'metadata', 'labels'],
    ['request', 'object', 'metadata', 'finalizers'],
    ['request', 'object', 'metadata', 'annotations', 'deep'],
    ['request', 'object', 'spec'],
    ['request', 'object', 'spec', 'taskId'],
    ['request', 'object', 'spec', 'service'],
    ['request', 'object', 'spec', 'serviceName'],
    ['request', 'object', 'spec', 'priority'],
    ['request', 'object', 'spec', 'agent'],
    ['request', 'object', 'spec', 'dependsOn'],
    ['request', 'object', 'spec', 'markdownFiles'],
    ['request', 'object', 'spec', 'markdownFiles', 0],
    ['request', 'object', 'spec', 'markdownFiles', 0, 'content'],
    ['request', 'object', 'spec', 'markdownFiles', 0, 'filename'],
    ['request', 'object', 'spec', 'repository', 'url'],
    ['request', 'object', 'spec', 'repositoryUrl'],
    ['request', 'object', 'spec', 'workingDirectory'],
    ['request', 'object', 'spec', 'githubApp'],
    ['request', 'object', 'spec', 'unknownField'],
    ['request', 'object', 'status'],
  ];
  const cases = ROUTES.flatMap((route) =>
    places.flatMap((at) =>
      deep.flatMap((value) => {
        const body = review(route.kind, 'UPDATE');
        if (at.length === 0)
          return [{ path: route.path, body: value as unknown, what: `body = ${value.label}` }];
        // Only where the parent exists in this kind's review (CodeRun has no markdownFiles, for one).
        if (!setAt(body, at, value)) return [];
        return [{ path: route.path, body: body as unknown, what: `${at.join('.')} = ${value.label}` }];
      }),
    ),
  );
  // 100k deep once per verb, where the parser, the schema and the rules each meet it.
  for (const at of [['request'], ['request', 'object'], ['request', 'object', 'spec', 'taskId']]) {
    for (const verb of ['validate', 'mutate'] as const) {
      const body = review('TaskRun', 'UPDATE');
      setAt(body, at, deepArrays(100_000));
      cases.push({
        path: webhookPath(verb, 'TaskRun'),
        body,
        what: `${at.join('.')} = 100000 nested arrays`,
      });
    }
  }
  const problems = await collect(cases, async (c) => {
    const problem = await postReview(c.path, c.body);
    return problem && `${c.what}: ${problem}`;
  });
  t.same(problems, [], `${cases.length} deeply nested reviews keep the contract`);
});

t.test('huge strings: answered, uid echoed, the size budget explained', async (t) => {
  const cases: { path: string; body: Json; what: string; expect?: RegExp }[] = [];
  for (const { kind, path } of ROUTES) {
    for (const [at, value] of [
      [['request', 'uid'], huge(LIMIT - 64 * 1024)],
      [['request', 'name'], huge(1024 * 1024)],
      [['request', 'kind', 'kind'], huge(1024 * 1024)],
      [['request', 'object', 'metadata', 'name'], huge(1024 * 1024, 'ü')],
      [['request', 'object', 'spec', 'repositoryUrl'], huge(2 * 1024 * 1024, '/')],
      [['request', 'object', 'spec', 'repository', 'url'], huge(2 * 1024 * 1024, '/')],
      [['request', 'object', 'spec', 'workingDirectory'], huge(2 * 1024 * 1024, '.')],
      [['request', 'object', 'spec', 'markdownFiles', 0, 'filename'], huge(2 * 1024 * 1024)],
    ] as [Path, Raw][]) {
      const body = review(kind);
      setAt(body, at, value);
      cases.push({ path, body, what: `${at.join('.')} = ${value.label}` });
    }
  }
  const budget = review('TaskRun');
  setAt(budget, ['request', 'object', 'spec', 'markdownFiles', 0, 'content'], huge(LIMIT - 64 * 1024));
  cases.push({
    path: webhookPath('validate', 'TaskRun'),
    body: budget,
    what: 'one markdown file of ~2.9 MiB',
    expect: /files total .* KiB .* over the budget/,
  });
  const problems = await collect(
    cases,
    async (c) => {
      const text = encode(c.body);
      const a = await send({ path: c.path, body: text });
      const problem = reviewProblem(text, a);
      if (problem) return `${c.what}: ${problem}`;
      if (c.expect && !c.expect.test(JSON.parse(a.body).response?.status?.message ?? ''))
        return `${c.what}: the denial does not explain the size: ${a.body.slice(0, 300)}`;
      return undefined;
    },
    2,
  );
  t.same(problems, [], `${cases.length} reviews with huge strings keep the contract`);
});

t.test(`random mutations of valid reviews (fast-check, seed ${seed})`, async (t) => {
  const special = fc.constantFrom(...SPECIAL);
  const value = fc.oneof(
    { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 4 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
    {
      arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null)),
      weight: 2,
    },
    { arbitrary: special, weight: 2 },
  );
  const EXTRA_KEYS = [
    '__proto__',
    'constructor',
    'toString',
    'a/b~c',
    '',
    'labels',
    'finalizers',
    'deletionTimestamp',
  ];
  const scenario = fc
    .record({
      route: fc.nat(ROUTES.length - 1),
      kindMismatch: fc.nat(9),
      operation: fc.constantFrom('CREATE' as const, 'UPDATE' as const),
      version: fc.constantFrom('admission.k8s.io/v1', 'admission.k8s.io/v1beta1'),
      mutations: fc.array(
        fc.record({
          at: fc.nat(),
          extraKey: fc.option(fc.constantFrom(...EXTRA_KEYS), { freq: 4 }),
          remove: fc.nat(5),
          value,
        }),
        { minLength: 1, maxLength: 4 },
      ),
    })
    .map((s) => {
      const route = ROUTES[s.route] as (typeof ROUTES)[number];
      const kind =
        s.kindMismatch === 0 ? (KINDS[(KINDS.indexOf(route.kind) + 1) % 3] as ApiKind) : route.kind;
      const body = review(kind, s.operation);
      body.apiVersion = s.version;
      const applied: string[] = [];
      for (const m of s.mutations) {
        const all = paths(body);
        if (all.length === 0) break;
        const at = [...(all[m.at % all.length] as Path), ...(m.extraKey === null ? [] : [m.extraKey])];
        const remove = m.remove === 0 && m.extraKey === null;
        if (setAt(body, at, m.value, remove)) applied.push(`${at.join('.')} ${remove ? 'removed' : '='}`);
      }
      return { path: route.path, body, applied };
    });
  let runs = 0;
  try {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ path, body }) => {
        runs++;
        const problem = await postReview(path, body);
        if (problem) throw new Error(problem);
      }),
      { seed, numRuns: Number(process.env.FUZZ_RUNS ?? 300), endOnFailure: false },
    );
    t.pass(`${runs} random reviews keep the contract`);
  } catch (err) {
    t.fail((err as Error).message.slice(0, 4000));
  }
});

t.test('invalid JSON and non-review JSON are 400 with a message', async (t) => {
  const bodies: (string | Buffer)[] = [
    '',
    ' ',
    '{',
    '{"apiVersion":',
    '{"a":}',
    'nul',
    'NaN',
    "{'kind':'AdmissionReview'}",
    '[1,]',
    '{"a":1,}',
    '\uFEFF{}',
    Buffer.from([0xff, 0xfe, 0x7b, 0x7d]),
    Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]),
    '{"a":1}garbage',
    `${encode(review('TaskRun'))}}`,
    encode(review('TaskRun')).slice(0, -1),
    '"AdmissionReview"',
    '[]',
    'null',
    '123',
    'true',
    '{}',
    '{"kind":"AdmissionReview"}',
    '{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v2","request":{}}',
    `${'['.repeat(500_000)}${']'.repeat(500_000)}`,
    `${'['.repeat(500_000)}`,
    `{"a":${'['.repeat(100_000)}`,
  ];
  const problems = await collect(
    bodies.flatMap((body) => ROUTES.slice(0, 2).map((route) => ({ body, path: route.path }))),
    async ({ body, path }) => {
      const a = await send({ path, body });
      const what = `${JSON.stringify(body.toString().slice(0, 40))} to ${path}`;
      if (a.error || a.status !== 400) return `${what}: ${a.status} ${a.error ?? a.body.slice(0, 200)}`;
      if (typeof JSON.parse(a.body).error !== 'string') return `${what}: no error message`;
      return undefined;
    },
  );
  t.same(problems, [], 'all 400');
});

t.test('a content type other than application/json is 415; parameters and case do not matter', async (t) => {
  const path = webhookPath('validate', 'TaskRun');
  const body = encode(review('TaskRun'));
  const rejected = [
    undefined,
    '',
    'text/plain',
    'text/json',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json-patch+json',
    'application/merge-patch+json',
    'application/jsonx',
    'application/yaml',
    'application/vnd.kubernetes.protobuf',
    'json',
    '*/*',
  ];
  for (const type of rejected) {
    // Raw, because node's client refuses to send some of these (no header at all, a NUL in it).
    const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(body) };
    if (type !== undefined) headers['content-type'] = type;
    const a = await exchange((s) => {
      s.write(`${head('POST', path, headers)}${body}`);
    });
    t.equal(a.status, 415, `${JSON.stringify(type)}: ${a.error ?? a.body.slice(0, 120)}`);
  }
  for (const type of [
    'application/json; charset=utf-8',
    'Application/JSON',
    'application/json ; charset=UTF-8',
  ]) {
    const a = await send({ path, body, headers: { 'content-type': type } });
    t.equal(reviewProblem(body, a), undefined, `${type} is accepted`);
  }
});

t.test('other methods are 405 on a webhook path; unknown paths are 404', async (t) => {
  const path = webhookPath('mutate', 'TaskRun');
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
    const a = await send({ path, method, body: encode(review('TaskRun')) });
    t.equal(a.status, 405, `${method}: ${a.error ?? a.body.slice(0, 120)}`);
    t.match(a.headers.allow ?? '', /POST/, `${method}: Allow names POST`);
  }
  const headAnswer = await exchange(
    (s) => {
      s.write(head('HEAD', path, {}));
    },
    { head: true },
  );
  t.equal(headAnswer.status, 405, `HEAD: ${headAnswer.error ?? ''}`);
  const options = await send({ path, method: 'OPTIONS' });
  t.ok(options.status >= 200 && options.status < 300, `OPTIONS answered ${options.status}`);
  t.match(options.headers.allow ?? '', /POST/, 'OPTIONS: Allow names POST');
  // Methods koa-router does not implement: still a client error, never a 5xx.
  for (const method of ['TRACE', 'PROPFIND', 'MKCOL', 'LOCK', 'PURGE', 'SEARCH']) {
    const a = await send({ path, method, body: encode(review('TaskRun')) });
    t.ok(a.status >= 400 && a.status < 500, `${method} on a webhook path is a 4xx (got ${a.status})`);
  }

  const body = encode(review('TaskRun'));
  for (const unknown of [
    '/',
    '/healthz',
    '/mutate',
    '/mutate-orchestrator-io-v1-pod',
    '/mutate-orchestrator-io-v2-taskrun',
    `${path}/x`,
    `${path}x`,
    '/%',
    '/%ff',
    '/%00',
    '/..%2f..%2fetc%2fpasswd',
    `/${'a'.repeat(8000)}`,
    '//',
  ]) {
    const a = await send({ path: unknown, body });
    t.equal(a.status, 404, `${unknown.slice(0, 40)}: ${a.error ?? a.body.slice(0, 120)}`);
    for (const method of ['GET', 'TRACE']) {
      const other = await send({ path: unknown, method, body });
      t.ok(
        other.status >= 400 && other.status < 500,
        `${method} ${unknown.slice(0, 40)}: 4xx (${other.status})`,
      );
    }
  }
  // The apiserver appends ?timeout=10s to the webhook URL.
  const withQuery = await send({ path: `${path}?timeout=10s`, body });
  t.equal(reviewProblem(body, withQuery), undefined, 'a query string does not change the route');
});

t.test('malformed HTTP is a 4xx from the HTTP layer, not a crash', async (t) => {
  const path = webhookPath('validate', 'TaskRun');
  const cases: [string, string][] = [
    ['garbage request line', 'GARBAGE\r\n\r\n'],
    [
      'bad Content-Length',
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n`,
    ],
    [
      'Content-Length and Transfer-Encoding',
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    ],
    [
      'bad chunk size',
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    ],
    ['headers too large', `POST ${path} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
    ['header without colon', `POST ${path} HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n`],
    [
      'NUL in a header value',
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\u0000\r\n\r\n`,
    ],
  ];
  for (const [what, text] of cases) {
    const a = await exchange((s) => {
      s.write(text);
    });
    t.ok(a.status >= 400 && a.status < 500, `${what}: 4xx (got ${a.status} ${a.error ?? ''})`);
  }
});

t.test('bodies over 3 MiB are 413, with or without Content-Length; exactly 3 MiB is read', async (t) => {
  const path = webhookPath('validate', 'TaskRun');
  // A valid review padded to an exact size with an annotation.
  const sized = (bytes: number) => {
    const body = review('TaskRun');
    const meta = ((body.request as Json).object as Json).metadata as Json;
    meta.annotations = { pad: '' };
    const overhead = Buffer.byteLength(encode(body));
    (meta.annotations as Json).pad = 'p'.repeat(bytes - overhead);
    const text = encode(body);
    if (Buffer.byteLength(text) !== bytes) throw new Error('padding went wrong');
    return text;
  };
  const atLimit = sized(LIMIT);
  const overLimit = sized(LIMIT + 1);

  t.equal(
    reviewProblem(atLimit, await send({ path, body: atLimit })),
    undefined,
    'exactly the limit: answered',
  );
  const declared = await send({ path, body: overLimit });
  t.equal(
    declared.status,
    413,
    `Content-Length over the limit: ${declared.error ?? declared.body.slice(0, 100)}`,
  );

  const chunked = (text: string) =>
    exchange(async (s, answered) => {
      await writeAll(
        s,
        answered,
        head('POST', path, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }),
      );
      const buf = Buffer.from(text);
      for (let at = 0; at < buf.length && !answered(); at += 64 * 1024) {
        const piece = buf.subarray(at, at + 64 * 1024);
        await writeAll(s, answered, `${piece.length.toString(16)}\r\n`);
        await writeAll(s, answered, piece);
        await writeAll(s, answered, '\r\n');
      }
      await writeAll(s, answered, '0\r\n\r\n');
    });
  t.equal(reviewProblem(atLimit, await chunked(atLimit)), undefined, 'chunked, exactly the limit: answered');
  const overChunked = await chunked(sized(LIMIT + 1));
  t.equal(overChunked.status, 413, `chunked over the limit: ${overChunked.error ?? ''}`);
  const wayOver = await chunked(`[${'1,'.repeat(4 * 1024 * 1024)}1]`);
  t.equal(wayOver.status, 413, `chunked 8 MiB: ${wayOver.error ?? ''}`);

  // Declares 10 GiB and sends almost nothing: refused at once, not after waiting for the body.
  const lie = await exchange((s) => {
    s.write(
      `${head('POST', path, { 'content-type': 'application/json', 'content-length': 10 * 1024 ** 3 })}{"a":`,
    );
  });
  t.equal(lie.status, 413, `Content-Length of 10 GiB: ${lie.error ?? ''}`);
  t.ok(lie.ms < TIMEOUT_MS, `refused before the body timeout (${lie.ms.toFixed(0)} ms)`);
});

t.test('stalled clients (slowloris) are cut within the request timeout', async (t) => {
  const path = webhookPath('validate', 'TaskRun');
  const body = encode(review('TaskRun'));
  const json = { 'content-type': 'application/json' };
  const stalls: [string, Parameters<typeof exchange>[0], number[]][] = [
    [
      'body stalls after 10 bytes (Content-Length)',
      (s) => {
        s.write(`${head('POST', path, { ...json, 'content-length': body.length })}${body.slice(0, 10)}`);
      },
      [408],
    ],
    [
      'chunked body stalls after one chunk',
      (s) => {
        s.write(
          `${head('POST', path, { ...json, 'transfer-encoding': 'chunked' })}a\r\n${body.slice(0, 10)}\r\n`,
        );
      },
      [408],
    ],
    [
      'body trickles one byte every 100 ms',
      async (s, answered) => {
        s.write(head('POST', path, { ...json, 'content-length': body.length }));
        for (let i = 0; i < body.length && !answered() && !s.destroyed; i++) {
          s.write(body[i] as string);
          await sleep(100);
        }
      },
      [408],
    ],
    [
      'headers stall half-way',
      (s) => {
        s.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty`);
      },
      [408],
    ],
    [
      'headers trickle one byte every 100 ms',
      async (s, answered) => {
        const text = head('POST', path, { ...json, 'content-length': body.length, 'x-pad': 'p'.repeat(200) });
        for (let i = 0; i < text.length && !answered() && !s.destroyed; i++) {
          s.write(text[i] as string);
          await sleep(100);
        }
      },
      [408],
    ],
    ['connection open, nothing sent', () => {}, [408]],
  ];
  const answers = await Promise.all(stalls.map(([, write]) => exchange(write)));
  stalls.forEach(([what, , codes], i) => {
    const a = answers[i] as Answer;
    // A bare close (no status) is acceptable for a request that never got its headers across.
    const ok = codes.includes(a.status) || (a.status === 0 && /closed|reset|ECONNRESET/.test(a.error ?? ''));
    t.ok(ok, `${what}: ${a.status || a.error} after ${a.ms.toFixed(0)} ms`);
    t.ok(a.ms <= DEADLINE_MS, `${what}: cut within the timeout (${a.ms.toFixed(0)} ms)`);
  });

  // A connection that never even finishes the TLS handshake is not kept for minutes either.
  const started = performance.now();
  const closedAfter = await new Promise<number>((resolve) => {
    const socket = tcpConnect(server.port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Number.POSITIVE_INFINITY);
    }, DEADLINE_MS);
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(performance.now() - started);
    });
  });
  t.ok(
    closedAfter <= DEADLINE_MS,
    `a TCP connection without a TLS handshake is closed (${closedAfter.toFixed(0)} ms)`,
  );
});

t.test('many stalled connections do not delay a valid review', async (t) => {
  const path = webhookPath('validate', 'TaskRun');
  const sockets: TLSSocket[] = [];
  t.teardown(() => {
    for (const s of sockets) s.destroy();
  });
  await Promise.all(
    Array.from(
      { length: 50 },
      () =>
        new Promise<void>((resolve) => {
          const s = connect({ host: '127.0.0.1', port: server.port, ca: ca.certPem }, () => {
            s.write(
              `${head('POST', path, { 'content-type': 'application/json', 'content-length': 1000 })}{"a":`,
            );
            resolve();
          });
          s.on('error', () => resolve());
          sockets.push(s);
        }),
    ),
  );
  const body = encode(review('TaskRun'));
  const a = await send({ path, body });
  t.equal(reviewProblem(body, a), undefined, 'answered');
  t.ok(a.ms < TIMEOUT_MS, `answered before the stalled ones time out (${a.ms.toFixed(0)} ms)`);
});

t.test('after all of that the server still answers, and counted no internal error', async (t) => {
  t.ok(server.serving(), 'serving');
  for (const { kind, path } of ROUTES) {
    const text = encode(review(kind));
    const a = await send({ path, body: text });
    t.equal(reviewProblem(text, a), undefined, `${path} answers`);
    t.equal(JSON.parse(a.body).response.allowed, true, `${path} allows a valid ${kind}`);
  }
  const internal = await registry.getSingleMetric('orchestrator_webhook_internal_errors_total')?.get();
  t.same(
    internal?.values.filter((v) => v.value > 0).map((v) => v.labels.webhook),
    [],
    'no webhook counted an internal error',
  );
  const requests = await registry.getSingleMetric('controller_runtime_webhook_requests_total')?.get();
  t.same(
    requests?.values.filter((v) => String(v.labels.code).startsWith('5') && v.value > 0),
    [],
    'no 5xx was counted',
  );
});
