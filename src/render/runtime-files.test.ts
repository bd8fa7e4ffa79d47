import t from 'tap';
import { RUNTIME_CONFIGMAP_PREFIX, runtimeFiles, runtimeName, withoutRuntime } from './runtime-files.js';

const files = (entries: [string, string][]) => runtimeFiles(new Map(entries));

t.test("the runtime's name follows its content, in any order, and is a DNS label", async (t) => {
  const a = files([
    ['runtime/lib.sh', 'lib\n'],
    ['runtime/result.sh', 'result\n'],
  ]);
  t.match(a.name, new RegExp(`^${RUNTIME_CONFIGMAP_PREFIX}[0-9a-f]{16}$`));
  t.ok(a.name.length <= 63);
  t.same(a.data, { 'runtime_lib.sh': 'lib\n', 'runtime_result.sh': 'result\n' });
  const reordered = files([
    ['runtime/result.sh', 'result\n'],
    ['runtime/lib.sh', 'lib\n'],
  ]);
  t.equal(reordered.name, a.name, 'the order files are read in does not matter');
  t.not(files([['runtime/lib.sh', 'lib\n']]).name, a.name, 'a file less');
  t.not(
    files([
      ['runtime/lib.sh', 'lib\n '],
      ['runtime/result.sh', 'result\n'],
    ]).name,
    a.name,
    'a byte more',
  );
  // The same bytes split differently between the files: another runtime, so another name.
  t.not(
    files([
      ['runtime/lib.sh', 'lib\nresult\n'],
      ['runtime/result.sh', ''],
    ]).name,
    a.name,
  );
});

t.test("a run's own data is its rendered data less the runtime's keys", async (t) => {
  const runtime = files([['runtime/lib.sh', 'lib\n']]);
  t.same(withoutRuntime({ 'container.sh': 'x', 'runtime_lib.sh': 'lib\n', 'task_task.md': 'y' }, runtime), {
    'container.sh': 'x',
    'task_task.md': 'y',
  });
});

t.test('a ConfigMap is a runtime when its data hashes to its name', async (t) => {
  const runtime = files([['runtime/lib.sh', 'lib\n']]);
  t.equal(runtimeName({ ...runtime.data }), runtime.name);
  t.not(runtimeName({ 'runtime_lib.sh': 'lib \n' }), runtime.name);
  t.equal(runtimeName({ 'runtime_lib.sh': 42 }), '', 'not text: no runtime');
});
