// A shared fragment (schemas/shared/) is written once: no schema file, and no other fragment, restates
// its fields inline instead of referring to it with `x-orchestrator-shared`. A hand-written second copy
// of the run status (or of the usage, the pod template, the limits) would drift from the first one
// unseen, since every copy is valid on its own.

import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import t, { type Test } from 'tap';
import YAML from 'yaml';
import { expandShared, SHARED_KEY } from '../../schemas/shared/expand.js';
import { findPackageRoot } from '../util/index.js';
import { isPlainObject } from '../util/json.js';
import { RUN_KIND_NAMES } from './kinds.js';
import { type JsonSchema, loadSchema } from './schemas.js';
import type { CodeRunStatus, DocsRun, RunStatus, TaskRunStatus } from './types.js';

type Node = Record<string, unknown>;

/** A field's schema as it constrains values: the descriptions, which a copy may reword, left out. */
const shape = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(shape);
  if (!isPlainObject(node)) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k]) => k !== 'description')
      .map(([k, v]) => [k, shape(v)]),
  );
};

/** Every object node of a parsed YAML document with its path (`status.properties.usage`). */
function* objectNodes(node: unknown, at = ''): Generator<[Node, string]> {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) yield* objectNodes(item, `${at}[${i}]`);
    return;
  }
  if (!isPlainObject(node)) return;
  yield [node, at];
  for (const [key, child] of Object.entries(node)) yield* objectNodes(child, at ? `${at}.${key}` : key);
}

/**
 * The places in `schemasDir` (its `*.schema.yaml` and its shared/ fragments, as written, before
 * expansion) where an object declares in its own `properties` at least two fields of a fragment with
 * the fragment's very schema: a copy, whole or partial, where a reference belongs. The fragment's own
 * file is not searched for copies of itself.
 */
function inlineCopies(schemasDir: string): string[] {
  const sharedDir = path.join(schemasDir, 'shared');
  const parse = (file: string) => YAML.parse(readFileSync(file, 'utf8')) as unknown;
  const fragments = readdirSync(sharedDir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({
      name: f.replace(/\.yaml$/, ''),
      file: `shared/${f}`,
      schema: parse(path.join(sharedDir, f)),
    }));
  const documents = [
    ...readdirSync(schemasDir)
      .filter((f) => f.endsWith('.schema.yaml'))
      .map((f) => ({ file: f, schema: parse(path.join(schemasDir, f)) })),
    ...fragments,
  ];
  const found: string[] = [];
  for (const fragment of fragments) {
    const own =
      isPlainObject(fragment.schema) && isPlainObject(fragment.schema.properties)
        ? fragment.schema.properties
        : {};
    // A fragment's file may reuse its own fields (YAML anchors): one place still.
    for (const document of documents.filter((d) => d.file !== fragment.file))
      for (const [node, at] of objectNodes(document.schema)) {
        if (SHARED_KEY in node || !isPlainObject(node.properties)) continue;
        const props = node.properties;
        const copied = Object.keys(own).filter(
          (k) => k in props && isDeepStrictEqual(shape(props[k]), shape(own[k])),
        );
        if (copied.length >= 2)
          found.push(
            `schemas/${document.file} ${at || '<root>'}: ${copied.join(', ')} of shared/${fragment.name}`,
          );
      }
  }
  return found;
}

const root = findPackageRoot();

t.test('no schema restates a shared fragment inline', async (t) => {
  t.same(inlineCopies(path.join(root, 'schemas')), []);
});

/** A copy of schemas/ (removed after the test) and one schema file of it, parsed, to change. */
function copyOfSchemas(t: Test, file: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'schemas-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(path.join(root, 'schemas'), dir, { recursive: true });
  const at = path.join(dir, file);
  return { dir, file: at, doc: YAML.parse(readFileSync(at, 'utf8')) };
}

t.test('a run status written out again in a run schema is found', async (t) => {
  // CodeRun's status as the three run schemas held it before the fragment: expanded and written out.
  const { dir, file, doc } = copyOfSchemas(t, 'coderun.schema.yaml');
  doc.properties.status = loadSchema('CodeRun').properties?.status;
  // Its usage, too, written out: the copy of a fragment inside a copy is found as well.
  writeFileSync(file, YAML.stringify(doc));
  const found = inlineCopies(dir);
  t.match(found, [
    /^schemas\/coderun\.schema\.yaml properties\.status: phase, conditions, .* of shared\/run-status$/,
  ]);
  t.ok(
    found.some((f) => /properties\.status\.properties\.usage: .* of shared\/usage$/.test(f)),
    found.join('\n'),
  );
  t.ok(
    found.every((f) => f.startsWith('schemas/coderun.schema.yaml ')),
    'only the copy is named',
  );
});

t.test('two fields of a fragment copied into another object are found; one is not a copy', async (t) => {
  const { dir, file, doc } = copyOfSchemas(t, 'docsrun.schema.yaml');
  const status = loadSchema('DocsRun').properties?.status?.properties ?? {};
  doc.properties.spec.properties.progress = {
    type: 'object',
    description: 'reworded',
    properties: { phase: { ...status.phase, description: 'other words' } },
  };
  writeFileSync(file, YAML.stringify(doc));
  t.same(inlineCopies(dir), [], 'one field alike is no copy');
  doc.properties.spec.properties.progress.properties.jobName = status.jobName;
  writeFileSync(file, YAML.stringify(doc));
  t.same(inlineCopies(dir), [
    'schemas/docsrun.schema.yaml properties.spec.properties.progress: phase, jobName of shared/run-status',
  ]);
});

t.test('a run kind may add status fields but not redefine those of the run status', async (t) => {
  const shared = expandShared<JsonSchema>(
    { [SHARED_KEY]: 'run-status' },
    { dir: path.join(root, 'schemas', 'shared') },
  );
  t.ok(shared.properties?.conditions, 'the fragment has conditions');
  for (const kind of RUN_KIND_NAMES) {
    const status = loadSchema(kind).properties?.status?.properties ?? {};
    for (const [field, schema] of Object.entries(shared.properties ?? {}))
      t.same(status[field], schema, `${kind} status.${field}`);
  }
});

/** True only when A and B are the same type (each assignable to the other, exactly). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

t.test("every kind's status type is the generated RunStatus (a compile-time fact)", async (t) => {
  const same: [
    Same<TaskRunStatus, RunStatus>,
    Same<CodeRunStatus, RunStatus>,
    Same<NonNullable<DocsRun['status']>, RunStatus>,
  ] = [true, true, true];
  t.same(same, [true, true, true]);
});
