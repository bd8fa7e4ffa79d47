import t from 'tap';
import {
  cell,
  layout,
  type PhasePair,
  perRun,
  ratio,
  type SideFigures,
  scaleTable,
  scalingVerdict,
  sideSummary,
} from './scale-figures.js';

const outcome = { succeeded: 10, failed: 0, retried: 1 };
const side = (runs: number, seconds: number, operatorCpu?: number): SideFigures => ({
  runs,
  seconds,
  apiserverCpuSeconds: runs * 0.2,
  apiCalls: runs * 8,
  driverCpuSeconds: runs * 0.01,
  outcome,
  ...(operatorCpu === undefined
    ? {}
    : {
        operator: {
          cpuSeconds: operatorCpu,
          peakRssBytes: 200 * 2 ** 20,
          reconciles: runs * 6,
          heapGrowthBytes: runs * 20 * 1024,
        },
      }),
});

t.test('per-run costs', async (t) => {
  t.same(perRun(side(500, 50, 10)), {
    wallMs: 100,
    apiserverCpuMs: 200,
    apiCalls: 8,
    driverCpuMs: 10,
    operatorCpuMs: 20,
    reconciles: 6,
    heapKiB: 20,
  });
  t.notOk('operatorCpuMs' in perRun(side(500, 50)), 'the baseline has no operator figures');
});

t.test('cells: three significant digits, whole numbers from 100, - for nothing', async (t) => {
  t.same([1234.5, 100, 99.94, 1.23456, 0.012345, 0].map(cell), [
    '1235',
    '100',
    '99.9',
    '1.23',
    '0.0123',
    '0',
  ]);
  t.equal(cell(undefined), '-');
  t.equal(cell(Number.NaN), '-');
  t.equal(ratio(3, 2), 1.5);
  t.equal(ratio(3, 0), undefined);
  t.equal(ratio(undefined, 2), undefined);
});

t.test('layout pads columns: the first to the left, the others to the right', async (t) => {
  t.equal(
    layout([
      ['a', 'bb', 'c'],
      ['ddd', 'e', 'ffff'],
    ]),
    'a    bb     c\nddd   e  ffff',
  );
});

const pair: PhasePair = {
  small: { operator: side(500, 50, 10), baseline: side(500, 40) },
  large: { operator: side(5000, 525, 120), baseline: side(5000, 400) },
};

t.test('the table sets N/10 and N side by side with their ratios and operator ÷ baseline', async (t) => {
  const lines = scaleTable(pair).split('\n');
  t.match(
    lines[0],
    /^per run\s+operator@500\s+operator@5000\s+ratio\s+baseline@500\s+baseline@5000\s+ratio\s+op\/base@5000$/,
  );
  t.match(lines[1], /^wall time, ms\/run\s+100\s+105\s+1\.05\s+80\.0\s+80\.0\s+1\.00\s+1\.31$/);
  t.match(lines[2], /^operator CPU, ms\/run\s+20\.0\s+24\.0\s+1\.20\s+-\s+-\s+-\s+-$/);
  t.equal(lines.length, 8);
});

t.test('the verdict on the goal names each ratio and whether it is met', async (t) => {
  t.equal(
    scalingVerdict(pair),
    'operator per-run cost at 5000 ÷ at 500 (goal ≤ 1.1): time 1.05 (met), CPU 1.20 (NOT met)',
  );
});

t.test('a side summary has the absolute figures and the outcome', async (t) => {
  t.equal(
    sideSummary('operator', side(10, 12.345, 1.5)),
    'operator 10 runs: 12.3 s, apiserver CPU 2.0 s, 80 API calls, driver CPU 0.1 s, operator CPU 1.5 s, ' +
      'peak RSS 200 MiB, 60 reconciles, heap +0 MiB; 10 succeeded, 0 failed, 1 after a retry',
  );
});
