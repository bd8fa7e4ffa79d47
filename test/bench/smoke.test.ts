// The smoke rounds of the benchmarks that need no cluster (smoke-round.ts): each runs its whole path
// once at tiny sizes and must exit 0 having printed its figures; no figure is judged. And every
// benchmark of package.json has a smoke round in one of the lanes.
import t from 'tap';
import { ensureDist } from '../../scripts/build.js';
import { benchNodeArgs, benchScripts, SMOKE_ROUNDS, smokeRound } from './smoke-round.js';

/** The line each benchmark prints last: it measured. */
const FIGURES: Record<(typeof SMOKE_ROUNDS.unit)[number], RegExp> = {
  cli: /^ {2}--version +\d+ +\d+\.\d\d$/m,
  queue: /^WorkQueue with metrics: .*ratio to without \d+\.\d\d/m,
  gateway: /^CPU per call: the gateway \d+ µs; the stand-in serving a direct call \d+ µs$/m,
};

t.test('every benchmark has a smoke round, in one lane', async (t) => {
  const lanes = Object.values(SMOKE_ROUNDS).flat();
  t.same([...lanes].sort(), [...benchScripts().keys()].sort());
  t.equal(new Set(lanes).size, lanes.length);
});

t.test("a benchmark's command is its script's node command, the build before it left out", async (t) => {
  t.same(benchNodeArgs('npm run build --silent && node --import ./x.mjs test/bench/a.ts'), [
    '--import',
    './x.mjs',
    'test/bench/a.ts',
  ]);
  t.same(benchNodeArgs('node scripts/bench-webhook.js'), ['scripts/bench-webhook.js']);
  t.throws(() => benchNodeArgs('tsx test/bench/a.ts'), /should end in a node command/);
});

for (const name of SMOKE_ROUNDS.unit)
  t.test(`bench:${name}: a smoke round`, async (t) => {
    // The CLI benchmark runs bin/orchestrator.js, which runs dist/.
    if (name === 'cli') t.ok(ensureDist(), 'dist is built');
    const round = await smokeRound(name);
    t.comment(round.stdout.trimEnd());
    t.equal(round.code, 0, round.stderr.slice(-2000));
    t.match(round.stdout, FIGURES[name]);
  });
