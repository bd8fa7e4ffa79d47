// .gitattributes marks every file `npm run generate` writes whole as linguist-generated, so reviews fold
// them and a reader knows not to edit them. The generator's own list of outputs is the source: a new
// output that .gitattributes misses fails here. The files it edits only in part stay unmarked, and each
// of them must still be an output, so the exception cannot outlive its reason.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { generate } from '../../scripts/generate.js';

const root = join(import.meta.dirname, '../..');

/** Hand-written files the generator rewrites a part of (it reads them first): not marked. */
const PARTLY_GENERATED = [
  'config/manager/deployment.yaml',
  'config/rbac/manager-role.yaml',
  'templates/kustomization.yaml',
  'charts/orchestrator/values.schema.json',
];

/** linguist-generated of each path, as git reads .gitattributes. */
function generatedAttribute(paths: string[]): Map<string, string> {
  const run = spawnSync('git', ['check-attr', '--stdin', 'linguist-generated'], {
    cwd: root,
    input: paths.join('\n'),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`git check-attr failed: ${run.stderr}`);
  const values = new Map<string, string>();
  for (const line of run.stdout.trim().split('\n')) {
    const [path = '', , value = ''] = line.split(': ');
    values.set(path, value);
  }
  return values;
}

t.test(
  'every file the generator writes whole is marked linguist-generated; the partly generated are not',
  async (t) => {
    const outputs = [...(await generate(root)).keys()];
    t.ok(outputs.length > 50, `the generator lists its outputs (${outputs.length})`);
    const values = generatedAttribute(outputs);
    const unmarked = outputs.filter((p) => values.get(p) !== 'set' && !PARTLY_GENERATED.includes(p));
    t.same(unmarked, [], 'written by npm run generate but not marked in .gitattributes');
    for (const p of PARTLY_GENERATED) {
      t.ok(outputs.includes(p), `${p} is still an output of the generator`);
      t.not(values.get(p), 'set', `${p} is written by hand around its generated part: not marked`);
    }
  },
);

t.test('no hand-written source is marked generated', async (t) => {
  const values = generatedAttribute(['src/api/index.ts', 'schemas/taskrun.schema.yaml', 'README.md']);
  for (const [path, value] of values) t.not(value, 'set', path);
});
