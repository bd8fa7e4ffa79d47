import t from 'tap';
import { addMissing, addToSet, applyPatch, escapePointer } from './patch.js';

t.test('pointer escaping follows RFC 6901', async (t) => {
  t.equal(escapePointer('orchestrator.io/task-id'), 'orchestrator.io~1task-id');
  t.equal(escapePointer('a~b/c'), 'a~0b~1c');
});

t.test('addMissing adds only what is absent and never touches set values', async (t) => {
  const current = { a: 1, nested: { keep: 'user', nul: null }, zero: 0, empty: '' };
  const ops = addMissing(
    current,
    {
      a: 2,
      b: 3,
      zero: 5,
      empty: 'x',
      nested: { keep: 'default', add: true, nul: 'filled' },
      fresh: { x: 1, y: undefined },
      skip: undefined,
    },
    '/spec',
  );
  t.same(ops, [
    { op: 'add', path: '/spec/b', value: 3 },
    { op: 'add', path: '/spec/nested/add', value: true },
    { op: 'add', path: '/spec/nested/nul', value: 'filled' },
    { op: 'add', path: '/spec/fresh', value: { x: 1 } },
  ]);
  const patched = applyPatch({ spec: current }, ops);
  t.same(
    addMissing(patched.spec, { a: 2, b: 3, nested: { add: true, nul: 'filled' }, fresh: { x: 1 } }, '/spec'),
    [],
    'idempotent',
  );
});

t.test('addToSet creates the array or appends once', async (t) => {
  t.same(addToSet(undefined, 'f', '/metadata/finalizers'), [
    { op: 'add', path: '/metadata/finalizers', value: ['f'] },
  ]);
  t.same(addToSet(['g'], 'f', '/metadata/finalizers'), [
    { op: 'add', path: '/metadata/finalizers/-', value: 'f' },
  ]);
  t.same(addToSet(['f'], 'f', '/metadata/finalizers'), []);
  t.same(applyPatch({ metadata: { finalizers: ['g'] } }, addToSet(['g'], 'f', '/metadata/finalizers')), {
    metadata: { finalizers: ['g', 'f'] },
  });
});

t.test('applyPatch unescapes keys and refuses non-add operations', async (t) => {
  t.same(applyPatch({ m: {} }, [{ op: 'add', path: '/m/a~1b', value: 1 }]), { m: { 'a/b': 1 } });
  t.throws(() => applyPatch({}, [{ op: 'remove', path: '/a' }]), /add only/);
});
