import t from 'tap';
import { labelSelectorMatches, labelSelectorProblem } from './label-selector.js';

t.test('the apiserver forms are accepted', async (t) => {
  for (const selector of [
    'team=x',
    'team==x',
    'team!=x',
    'team',
    '!legacy',
    'team in (a, b)',
    'tier notin (a,b),team=x',
    'example.com/team = x , env',
    'team=',
    'rank>3',
    'rank<10',
  ])
    t.equal(labelSelectorProblem(selector), undefined, selector);
});

t.test('each malformed selector is refused with what is wrong', async (t) => {
  const cases: [string, RegExp][] = [
    ['  ', /empty/],
    ['team=x,', /empty requirement/],
    ['team in (a', /unbalanced/],
    ['team in a', /not a requirement/],
    ['team=x=y', /not a requirement/],
    ['-team=x', /the key "-team"/],
    ['team=x y', /not a requirement/],
    ['team=-x', /"-x" is not a label value/],
    ['team in (a,-b)', /"-b" is not a label value/],
    ['rank>x', /compares with an integer/],
  ];
  for (const [selector, problem] of cases) t.match(labelSelectorProblem(selector), problem, selector);
});

t.test('a selector evaluated against labels, as the apiserver evaluates it', async (t) => {
  const labels = { team: 'payments', tier: 'prod', size: '7' };
  const cases: Array<[string, boolean]> = [
    ['team=payments', true],
    ['team==payments', true],
    ['team=ledger', false],
    ['team!=ledger', true],
    ['owner!=x', true],
    ['team', true],
    ['!team', false],
    ['!owner', true],
    ['tier in (prod, staging)', true],
    ['tier notin (prod)', false],
    ['owner notin (x)', true],
    ['owner in (x)', false],
    ['size>5', true],
    ['size<5', false],
    ['team>5', false],
    ['team=payments,tier in (prod),!legacy', true],
    ['team=payments,tier=dev', false],
  ];
  for (const [selector, expected] of cases)
    t.equal(labelSelectorMatches(selector, labels), expected, `${selector}: ${expected}`);
});
