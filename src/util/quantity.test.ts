import t from 'tap';
import { compareQuantities, parseQuantity } from './quantity.js';

const cmp = (a: string, b: string) => {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  if (!x || !y) throw new Error(`not a quantity: ${a} or ${b}`);
  return compareQuantities(x, y);
};

t.test('equal values written differently compare equal, without float rounding', async (t) => {
  t.equal(cmp('500m', '0.5'), 0);
  t.equal(cmp('1', '1000m'), 0);
  t.equal(cmp('1k', '1000'), 0);
  t.equal(cmp('1e3', '1k'), 0);
  t.equal(cmp('1Ki', '1024'), 0);
  t.equal(cmp('0.1', '100m'), 0);
  t.equal(cmp('.5', '500m'), 0);
  t.equal(cmp('1.', '1'), 0);
  t.equal(cmp('+2', '2'), 0);
  t.equal(cmp('1e-3', '1m'), 0);
  t.equal(cmp('3n', '0.000000003'), 0);
});

t.test('order', async (t) => {
  t.equal(cmp('501m', '0.5'), 1);
  t.equal(cmp('499m', '0.5'), -1);
  t.equal(cmp('1Gi', '1G'), 1, 'binary gibibyte exceeds decimal gigabyte');
  t.equal(cmp('64Ti', '10Gi'), 1);
  t.equal(cmp('9.99Gi', '10Gi'), -1);
  t.equal(cmp('-1', '0'), -1);
  t.equal(cmp('8', '0'), 1);
  // 0.1 + 0.2 style: 300m vs 0.3 must be exactly equal.
  t.equal(cmp('0.30000000000000004', '300m'), 1, 'more digits than a float keeps still count');
});

t.test('what is not a quantity is undefined', async (t) => {
  for (const bad of ['', 'abc', '1Gb', '1.5.5', 'Gi', '1 Gi', '1e1.5', '1e99999'])
    t.equal(parseQuantity(bad), undefined, bad);
});
