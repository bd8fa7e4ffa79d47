import t from 'tap';
import { findCondition, sameConditions, setCondition } from './conditions.js';

const at = (iso: string) => () => new Date(iso);

t.test('lastTransitionTime moves only when the status flips', async (t) => {
  const first = setCondition(
    undefined,
    { type: 'JobCreated', status: 'False', reason: 'Pending', message: 'a' },
    1,
    at('2026-01-01T00:00:00.123Z'),
  );
  t.same(first, [
    {
      type: 'JobCreated',
      status: 'False',
      reason: 'Pending',
      message: 'a',
      observedGeneration: 1,
      lastTransitionTime: '2026-01-01T00:00:00Z',
    },
  ]);
  const sameStatus = setCondition(
    first,
    { type: 'JobCreated', status: 'False', reason: 'Waiting', message: 'b' },
    2,
    at('2026-01-02T00:00:00Z'),
  );
  t.equal(findCondition(sameStatus, 'JobCreated')?.lastTransitionTime, '2026-01-01T00:00:00Z');
  t.equal(findCondition(sameStatus, 'JobCreated')?.reason, 'Waiting');
  t.equal(findCondition(sameStatus, 'JobCreated')?.observedGeneration, 2);
  const flipped = setCondition(
    sameStatus,
    { type: 'JobCreated', status: 'True', reason: 'Created', message: 'c' },
    2,
    at('2026-01-03T00:00:00Z'),
  );
  t.equal(findCondition(flipped, 'JobCreated')?.lastTransitionTime, '2026-01-03T00:00:00Z');
  t.equal(first.length, 1, 'the input is not modified');
});

t.test('sameConditions ignores order and sees any change', async (t) => {
  const a = setCondition(
    setCondition([], { type: 'A', status: 'True', reason: 'R', message: '' }, 1),
    { type: 'B', status: 'True', reason: 'R', message: '' },
    1,
  );
  t.ok(sameConditions(a, [...a].reverse()));
  t.notOk(
    sameConditions(a, setCondition(a, { type: 'B', status: 'True', reason: 'R', message: 'changed' }, 1)),
  );
  t.ok(sameConditions(undefined, []));
});
