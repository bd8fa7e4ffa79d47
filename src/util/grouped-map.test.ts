import t from 'tap';
import { GroupedMap } from './grouped-map.js';

t.test('an entry moves between groups and leaves no empty group', async (t) => {
  const m = new GroupedMap<number>();
  m.set('a', 'g1', 1);
  m.set('b', 'g1', 2);
  m.set('a', 'g2', 3);
  t.same([...(m.group('g1') ?? [])], [['b', 2]]);
  t.same([...(m.group('g2') ?? [])], [['a', 3]]);
  m.delete('b');
  m.delete('missing');
  t.equal(m.group('g1'), undefined, 'an emptied group is gone');
  t.same(
    [...m.groups()].map(([g, e]) => [g, [...e.keys()]]),
    [['g2', ['a']]],
  );
});
