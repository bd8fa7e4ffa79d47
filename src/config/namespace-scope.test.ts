import t from 'tap';
import { ConfigError, configFrom, loadDefaultConfig } from './load.js';
import { namespaceScope } from './namespace-scope.js';

const base = loadDefaultConfig();
const load = (fields: Record<string, unknown>) => configFrom({ ...base, ...fields }, 'test.yaml');
const problems = (fields: Record<string, unknown>): string[] => {
  try {
    load(fields);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.message.split('\n').slice(1);
  }
};

t.test('each form states its scope; none (or an empty watchNamespace) is every namespace', async (t) => {
  t.same(namespaceScope(load({})), { all: true });
  t.same(namespaceScope(load({ watchNamespace: '' })), { all: true });
  t.same(namespaceScope(load({ watchNamespace: 'team-a' })), { namespaces: ['team-a'] });
  t.same(namespaceScope(load({ watchNamespaces: ['team-a', 'team-b'] })), {
    namespaces: ['team-a', 'team-b'],
  });
  t.same(namespaceScope(load({ namespaceSelector: 'team=x' })), { selector: 'team=x' });
});

t.test('two forms at once are refused, naming both and the way out', async (t) => {
  const both = problems({ watchNamespace: 'a', watchNamespaces: ['b'] });
  t.equal(both.length, 1);
  t.match(both[0], /watchNamespaces: Forbidden: watchNamespace is set too: choose one way/);
  const listAndSelector = problems({ watchNamespaces: ['a'], namespaceSelector: 'team=x' });
  t.match(listAndSelector[0], /namespaceSelector: Forbidden: watchNamespaces is set too/);
  t.match(listAndSelector[0], /label the listed namespaces instead/);
  t.equal(problems({ watchNamespace: 'a', watchNamespaces: ['b'], namespaceSelector: 'x' }).length, 2);
  // An empty watchNamespace is the documented "all", not a form set.
  t.same(problems({ watchNamespace: '', namespaceSelector: 'team=x' }), []);
});

t.test('a list needs at least one namespace, each a DNS label, none twice', async (t) => {
  t.match(problems({ watchNamespaces: [] })[0], /watchNamespaces: .*fewer than 1 items/);
  t.match(
    problems({ watchNamespaces: ['Team'] })[0],
    /watchNamespaces\[0\]: Invalid value: "Team": must match/,
  );
  t.match(problems({ watchNamespaces: ['a', 'a'] })[0], /watchNamespaces: .*duplicate items/);
});

t.test('a selector the apiserver would refuse is refused at load, with the reason', async (t) => {
  t.match(problems({ namespaceSelector: '' })[0], /namespaceSelector: .*fewer than 1 characters/);
  t.match(
    problems({ namespaceSelector: 'team in (a' })[0],
    /namespaceSelector: Invalid value: "team in \(a": unbalanced/,
  );
  t.match(problems({ namespaceSelector: 'team=x,' })[0], /an empty requirement/);
});
