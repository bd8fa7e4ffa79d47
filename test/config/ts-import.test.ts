// scripts/ts-import.mjs: TypeScript run by Node's own transform, and, with ORCHESTRATOR_TS_CACHE, the
// transforms kept by the hash of what decides them (what every test process of a run shares).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';

const loader = path.resolve(import.meta.dirname, '../../scripts/ts-import.mjs');

function run(file: string, cache?: string): string {
  const env = { ...process.env, ORCHESTRATOR_TS_CACHE: cache ?? '' };
  return execFileSync(process.execPath, [`--import=${loader}`, file], { env, encoding: 'utf8' }).trim();
}

t.test(
  'a transform is kept in the cache, read back from it, and redone when the source changes',
  async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ts-import-'));
    const cache = path.join(dir, 'cache');
    const file = path.join(dir, 'main.ts');
    writeFileSync(
      file,
      "class A { constructor(readonly x: number) {} }\nconsole.log('first', new A(1).x);\n",
    );
    t.equal(run(file, cache), 'first 1', 'parameter properties need the transform mode');
    const entries = readdirSync(cache);
    t.equal(entries.length, 1, 'one entry for the one source');
    t.notOk(entries[0]?.includes('.js.'), 'no partial entry is left behind');

    // The next process takes the entry as it is, without transforming again: a planted entry shows it.
    const entry = path.join(cache, entries[0] ?? '');
    t.match(readFileSync(entry, 'utf8'), /sourceMappingURL=data:/, 'the entry keeps the source map');
    writeFileSync(entry, "console.log('from the cache');\n");
    t.equal(run(file, cache), 'from the cache');

    writeFileSync(file, "const y: number = 2;\nconsole.log('second', y);\n");
    t.equal(run(file, cache), 'second 2', 'a changed source is a new key');
    t.equal(readdirSync(cache).length, 2);
  },
);

t.test('without ORCHESTRATOR_TS_CACHE nothing is written and the source is transformed', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ts-import-'));
  const file = path.join(dir, 'main.ts');
  writeFileSync(file, "const z: string = 'plain';\nconsole.log(z);\n");
  t.equal(run(file), 'plain');
  t.same(readdirSync(dir), ['main.ts']);
});
