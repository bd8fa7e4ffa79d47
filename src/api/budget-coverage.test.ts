// Whether a budget covers a namespace (budget-coverage.ts): by name, by selector, either, or all.
import t from 'tap';
import { budgetCovers } from './budget-coverage.js';

const selects = (asked: string[]) => (selector: string, namespace: string) => {
  asked.push(`${selector} ${namespace}`);
  return selector === 'team=a' && namespace.startsWith('a-');
};

t.test('a budget naming no namespace and no selector covers every one, asking nothing', async (t) => {
  const asked: string[] = [];
  for (const namespaces of [undefined, []]) {
    const covers = budgetCovers(namespaces ? { namespaces } : {}, selects(asked));
    t.ok(covers('anything'), `namespaces ${JSON.stringify(namespaces)}`);
  }
  t.same(asked, []);
});

t.test('named namespaces, chosen ones, and either', async (t) => {
  const asked: string[] = [];
  const named = budgetCovers({ namespaces: ['x'] }, selects(asked));
  t.ok(named('x'));
  t.notOk(named('a-1'), 'a name list alone does not select');
  t.same(asked, [], 'without a selector the caller is not asked');
  const chosen = budgetCovers({ namespaceSelector: 'team=a' }, selects(asked));
  t.ok(chosen('a-1'));
  t.notOk(chosen('x'));
  t.same(asked, ['team=a a-1', 'team=a x']);
  const either = budgetCovers({ namespaces: ['x'], namespaceSelector: 'team=a' }, selects([]));
  t.same(['x', 'a-2', 'y'].map(either), [true, true, false]);
});
