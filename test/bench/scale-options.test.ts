import t from 'tap';
import { nodesFor, parseScaleArgs, phaseSizes } from './scale-options.js';

t.test(
  'defaults: 5,000 runs over 50 services, a tenth failing once, 8 workers, no concurrency limit',
  async (t) => {
    t.same(parseScaleArgs([]), { runs: 5000, services: 50, failOnce: 0.1, workers: 8 });
  },
);

t.test('N and every flag, with a separate or an inline value', async (t) => {
  t.same(
    parseScaleArgs(['500', '--services', '5', '--fail-once=0.25', '--workers=2', '--concurrency', '40']),
    {
      runs: 500,
      services: 5,
      failOnce: 0.25,
      workers: 2,
      concurrency: 40,
    },
  );
  t.equal(parseScaleArgs(['--fail-once', '0']).failOnce, 0, 'no run failing is allowed');
});

t.test('bad input names the argument and the rule', async (t) => {
  t.throws(() => parseScaleArgs(['9']), /N: expected an integer ≥ 10, got "9"/, 'N/10 must be a run');
  t.throws(() => parseScaleArgs(['1e3']), /N: expected an integer ≥ 10, got "1e3"/);
  t.throws(() => parseScaleArgs(['--services', '0']), /--services: expected an integer ≥ 1, got "0"/);
  t.throws(
    () => parseScaleArgs(['--workers']),
    /--workers: expected an integer ≥ 1, got ""/,
    'a missing value',
  );
  t.throws(
    () => parseScaleArgs(['--fail-once', '1.5']),
    /--fail-once: expected a share from 0 to 1, got "1.5"/,
  );
  t.throws(() => parseScaleArgs(['--fail-once=']), /--fail-once: expected a share from 0 to 1, got ""/);
  t.throws(() => parseScaleArgs(['--runs', '10']), /unknown argument "--runs"/);
  t.throws(() => parseScaleArgs(['100', '200']), /unknown argument "200"/, 'one N only');
  t.throws(() => parseScaleArgs(['-n']), /usage: npm run bench:scale/, 'the usage follows the error');
});

t.test('phases are N/10 then N; nodes hold every agent at once', async (t) => {
  t.same(phaseSizes(5000), [500, 5000]);
  t.same(phaseSizes(55), [5, 55]);
  t.equal(nodesFor(5000), 50);
  t.equal(nodesFor(101), 2);
  t.equal(nodesFor(1), 1);
});
