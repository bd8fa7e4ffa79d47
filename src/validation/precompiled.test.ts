import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import standalone from 'ajv/dist/standalone/index.js';
import t, { type Test } from 'tap';
import { ensureDist, root } from '../../scripts/build.js';
import { loadSchema, SCHEMA_FILES, type SchemaName } from '../api/schemas.js';
import { type CompileMode, precompiled, precompiledFile } from './precompiled.js';
import { createAjv } from './schema-validator.js';

/** A directory inside the package, as dist/ is: the validators' code requires ajv's runtime modules. */
function scratchDir(t: Test): string {
  const parent = join(root, 'node_modules', '.cache');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, 'precompiled-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a schema's standalone validator into `dir` as the build does (scripts/generate-validators.js). */
function writeStandalone(dir: string, name: SchemaName, mode: CompileMode): void {
  const schema = loadSchema(name);
  const ajv = createAjv({ ...mode, source: true });
  writeFileSync(join(dir, precompiledFile(schema, mode)), standalone.default(ajv, ajv.compile(schema)));
}

const validRun = {
  apiVersion: 'orchestrator.io/v1',
  kind: 'TaskRun',
  metadata: { name: 'r' },
  spec: {
    taskId: 7,
    serviceName: 'api',
    markdownFiles: [{ filename: 'task.md', content: 'x😀'.repeat(10), fileType: 'task' }],
  },
};
const invalidRun = {
  ...validRun,
  spec: {
    taskId: 0,
    serviceName: 'Not A Label',
    priority: 'urgent',
    markdownFiles: [{ filename: 'no-md', fileType: 'other', extra: 1 }],
    repository: { url: 7 },
  },
};

t.test('a precompiled validator answers exactly as the one ajv compiles at run time', async (t) => {
  const dir = scratchDir(t);
  writeStandalone(dir, 'TaskRun', { useDefaults: false });
  const taskRun = loadSchema('TaskRun');
  const runtime = createAjv().compile(taskRun);
  const ahead = precompiled(taskRun, { useDefaults: false }, dir);
  if (!ahead) throw new Error('the precompiled TaskRun validator was not found');
  for (const run of [validRun, invalidRun]) {
    const answers = [runtime, ahead].map((v) => JSON.stringify([v(run), v.errors ?? null]));
    t.equal(
      answers[1],
      answers[0],
      `the same verdict and errors for ${run === validRun ? 'a valid' : 'an invalid'} run`,
    );
  }
  t.ok(JSON.stringify(ahead.errors).includes('spec/serviceName'), 'the invalid run has its errors');
});

t.test('a schema other than the one compiled finds none, nor does another mode', async (t) => {
  const dir = scratchDir(t);
  writeStandalone(dir, 'TaskRun', { useDefaults: false });
  const changed = loadSchema('TaskRun');
  changed.description = `${changed.description} (changed)`;
  t.equal(
    precompiled(changed, { useDefaults: false }, dir),
    undefined,
    'a changed schema: compiled at run time',
  );
  t.equal(precompiled(loadSchema('TaskRun'), { useDefaults: true }, dir), undefined, 'another mode: none');
});

t.test('the build precompiles every validator a process compiles at start', async (t) => {
  t.ok(ensureDist(), 'dist/ builds');
  const dir = join(root, 'dist', 'validation', 'compiled');
  for (const name of Object.keys(SCHEMA_FILES) as SchemaName[])
    t.ok(precompiled(loadSchema(name), { useDefaults: false }, dir), `${name}: its check`);
  // One byte a character in the heap, not two (scripts/generate-validators.js asciiOnly).
  for (const file of readdirSync(dir))
    t.notMatch(readFileSync(join(dir, file), 'utf8'), /[\u0080-\uffff]/, `${file}: ASCII only`);
});
