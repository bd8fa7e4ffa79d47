// bench:start's smoke round (test/bench/smoke-round.ts): its whole path once on the real node, a
// node of its own started by the benchmark's process (one bare pod, the first run, one new run and its
// follow-up attempt); it must exit 0 having printed its table and both goals' verdicts, which are not
// judged.
// @lane real-node
// @needs node agent-image
import t from 'tap';
import { SMOKE_ROUNDS, smokeRound } from '../bench/smoke-round.js';
import { scaled } from '../harness/util/wait.js';

// A node's start and four agent starts one after another, beside the other lanes.
t.setTimeout(scaled(20 * 60_000));

for (const name of SMOKE_ROUNDS['real-node'])
  t.test(`bench:${name}: a smoke round on the real node`, async (t) => {
    const round = await smokeRound(name);
    t.comment(round.stdout.trimEnd());
    t.equal(round.code, 0, round.stderr.slice(-3000));
    for (const start of ['bare pod (floor)', 'first run on the node', 'new run', 'follow-up attempt'])
      t.match(round.stdout, new RegExp(`^${start.replace(/[()]/g, '\\$&')} +1 +\\d+\\.\\d +\\d+\\.\\d`, 'm'));
    t.match(
      round.stdout,
      /^goal: a new run's p50 within 2\.0 s of the floor's: -?\d+\.\d s over it: (met|NOT met)$/m,
    );
    t.match(
      round.stdout,
      /^goal: a follow-up attempt under 3\.0 s end to end \(p50\): \d+\.\d s: (met|NOT met)$/m,
    );
  });
