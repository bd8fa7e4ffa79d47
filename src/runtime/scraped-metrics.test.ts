import { Histogram, Registry } from 'prom-client';
import t from 'tap';
import { ScrapedHistogram } from './scraped-metrics.js';

const buckets = [1e-8, 1e-6, 1e-3, 0.5, 1, 10];
const values = [0, 1e-8, 2e-8, 1e-6, 0.0007, 0.5, 0.75, 1, 9.99, 10, 10.01, 1e6];

t.test('the exposition is the one prom-client gives for the same observations', async (t) => {
  const theirs = new Registry();
  const reference = new Histogram({
    name: 'h',
    help: 'help',
    labelNames: ['a', 'b'],
    buckets,
    registers: [theirs],
  });
  const ours = new Registry();
  const labels = { a: 'x', b: 'y' };
  const histogram: ScrapedHistogram<'a' | 'b'> = new ScrapedHistogram({
    name: 'h',
    help: 'help',
    labelNames: ['a', 'b'],
    buckets,
    registers: [ours],
    series: () => [{ labels, counts }],
  });
  const counts = histogram.counts();
  for (const v of values) {
    reference.observe(labels, v);
    counts.observe(v);
  }
  t.equal(await ours.metrics(), await theirs.metrics(), 'text');
  const json = async (r: Registry) => JSON.stringify(await r.getMetricsAsJSON());
  t.equal(await json(ours), await json(theirs), 'JSON');
});

t.test('a series with no observation is shown at 0, as a Go series once created', async (t) => {
  const registry = new Registry();
  const histogram: ScrapedHistogram<'a'> = new ScrapedHistogram({
    name: 'h',
    help: 'help',
    labelNames: ['a'],
    buckets,
    registers: [registry],
    series: () => [{ labels: { a: 'x' }, counts }],
  });
  const counts = histogram.counts();
  const text = await registry.metrics();
  t.match(text, /^h_bucket\{le="\+Inf",a="x"\} 0$/m);
  t.match(text, /^h_count\{a="x"\} 0$/m);
});
