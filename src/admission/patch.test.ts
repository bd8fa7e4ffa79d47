import t from 'tap';
import { applyPatch } from '../../test/harness/util/apply-patch.js';
import { withDefaults } from '../api/index.js';
import { escapePointer, patchOps } from './patch.js';

t.test('pointer escaping follows RFC 6901', async (t) => {
  t.equal(escapePointer('orchestrator.io/task-id'), 'orchestrator.io~1task-id');
  t.equal(escapePointer('a~b/c'), 'a~0b~1c');
});

t.test('withDefaults fills only what is absent; patchOps turns that into add operations', async (t) => {
  const current = { a: 1, nested: { keep: 'user', nul: null }, zero: 0, empty: '' };
  const filled = withDefaults(current, {
    a: 2,
    b: 3,
    zero: 5,
    empty: 'x',
    nested: { keep: 'default', add: true, nul: 'filled' },
    fresh: { x: 1, y: undefined },
    skip: undefined,
  });
  const ops = patchOps(current, filled, '/spec');
  t.same(ops, [
    { op: 'add', path: '/spec/nested/nul', value: 'filled' },
    { op: 'add', path: '/spec/nested/add', value: true },
    { op: 'add', path: '/spec/b', value: 3 },
    { op: 'add', path: '/spec/fresh', value: { x: 1 } },
  ]);
  t.same(
    current,
    { a: 1, nested: { keep: 'user', nul: null }, zero: 0, empty: '' },
    'the input is not modified',
  );
  const patched = applyPatch({ spec: current }, ops);
  t.same(patched.spec, filled, 'the patch makes the defaulted object');
  t.equal(
    withDefaults(filled, { a: 2, b: 3, nested: { add: true } }),
    filled,
    'nothing missing: the same object',
  );
  t.same(patchOps(filled, withDefaults(filled, { b: 4 }), '/spec'), [], 'idempotent');
});

t.test('patchOps appends the items an array lacks, and adds a missing array whole', async (t) => {
  t.same(patchOps(undefined, ['f'], '/metadata/finalizers'), [
    { op: 'add', path: '/metadata/finalizers', value: ['f'] },
  ]);
  t.same(patchOps(['g'], ['g', 'f'], '/metadata/finalizers'), [
    { op: 'add', path: '/metadata/finalizers/-', value: 'f' },
  ]);
  t.same(patchOps(['f'], ['f'], '/metadata/finalizers'), []);
  t.same(
    applyPatch({ metadata: { finalizers: ['g'] } }, patchOps(['g'], ['g', 'f'], '/metadata/finalizers')),
    {
      metadata: { finalizers: ['g', 'f'] },
    },
  );
});

t.test(
  'a value changed (a shorthand made explicit) is a replace; a null is filled with an add',
  async (t) => {
    const before = { repository: { url: 'acme/pay', branch: 'main' }, model: null };
    const after = { repository: { url: 'https://github.com/acme/pay', branch: 'main' }, model: 'm' };
    const ops = patchOps(before, after, '/spec');
    t.same(ops, [
      { op: 'replace', path: '/spec/repository/url', value: 'https://github.com/acme/pay' },
      { op: 'add', path: '/spec/model', value: 'm' },
    ]);
    t.same(applyPatch({ spec: before }, ops).spec, after);
  },
);

t.test('applyPatch unescapes keys, replaces only what exists, and refuses other operations', async (t) => {
  t.same(applyPatch({ m: {} }, [{ op: 'add', path: '/m/a~1b', value: 1 }]), { m: { 'a/b': 1 } });
  t.throws(() => applyPatch({}, [{ op: 'remove', path: '/a' }]), /add and replace only/);
  t.throws(() => applyPatch({}, [{ op: 'replace', path: '/a', value: 1 }]), /replace of a missing member/);
});
