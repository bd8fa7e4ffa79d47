// bench:start's smoke round (test/bench/smoke-round.ts): its whole path once on the real node, a
// node of its own started by the benchmark's process (one bare pod, the first run, one new run and its
// follow-up attempt); it must exit 0 having printed its table and both goals' verdicts, which are not
// judged, and kept each attempt's prepare and agent logs (BENCH_START_LOGS).
// @lane real-node
// @needs node agent-image
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { SMOKE_ROUNDS, smokeRound } from '../bench/smoke-round.js';
import { scaled } from '../harness/util/wait.js';

// A node's start and four agent starts one after another, beside the other lanes.
t.setTimeout(scaled(20 * 60_000));

t.test('the real-node lane runs bench:start alone', async (t) => {
  t.same(SMOKE_ROUNDS['real-node'], ['start']);
});

t.test('bench:start: a smoke round on the real node', async (t) => {
  const logs = mkdtempSync(join(tmpdir(), 'bench-start-logs-'));
  t.teardown(() => rmSync(logs, { recursive: true, force: true }));
  const round = await smokeRound('start', [], { BENCH_START_LOGS: logs });
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
  const kept = readdirSync(logs);
  const of = (container: string) => kept.filter((f) => f.endsWith(`.${container}.log`));
  t.equal(of('agent').length, 3, `the first run's, the new run's and its follow-up's agent logs: ${kept}`);
  t.equal(of('prepare').length, 3, `and their prepare logs: ${kept}`);
  for (const file of of('agent'))
    t.match(readFileSync(join(logs, file), 'utf8'), /^\S+ \S+ \[start-[a-z0-9-]+\] running the agent /m);
  for (const file of of('prepare'))
    t.match(readFileSync(join(logs, file), 'utf8'), /^\S+ \S+ \[start-[a-z0-9-]+\] workspace prepared in /m);
});
