// The smoke rounds of the benchmarks that need a cluster (test/bench/smoke-round.ts): each runs its
// whole path once at tiny sizes, the controller-runtime peer's part included where the peer is here
// (`@needs peer` builds it first), and must exit 0 having printed its figures; no figure is judged.
// Those on the shared control plane use it (the child inherits the test's cluster), bench:gateway's
// scale mode among them (its default mode needs none: test/bench/smoke.test.ts); the webhook's
// reference checks, the reconcile bench beside the peer (no pods) and the scale bench start their own.
// @needs peer
import t, { type Test } from 'tap';
import { ensureDist } from '../../scripts/build.js';
import { smokeRound } from '../bench/smoke-round.js';
import { peerBin } from '../harness/cluster/peer.js';
import { scaled } from '../harness/util/wait.js';

// Seven whole benchmark paths one after another: 503 s in CI beside the real-node lane, and over the
// default 600 s under a heavier load (bench:scale alone 334 s at a load average of 26 on 2 cores).
t.setTimeout(scaled(30 * 60_000));
const dist = ensureDist();
const peer = await peerBin();
t.teardown(() => ('dir' in peer ? peer.remove() : undefined));
if ('missing' in peer)
  t.comment(`the peer's part of bench:webhook and bench:reconcile is not run: ${peer.missing}`);
const withPeer = 'dir' in peer ? ['--peer-bin', peer.dir] : [];

/** Runs the round; it must exit 0 and print every line of `figures`. */
async function smoke(
  t: Test,
  name: string,
  figures: RegExp[],
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<void> {
  const round = await smokeRound(name, args, env);
  t.comment(round.stdout.trimEnd());
  t.equal(round.code, 0, round.stderr.slice(-3000));
  for (const figure of figures) t.match(round.stdout, figure);
}

t.test('bench:webhook, with the reference checks and the peer', async (t) => {
  t.ok(dist, 'dist is built');
  await smoke(
    t,
    'webhook',
    [
      /^mutate +throughput ours\/baseline \d+\.\d\d/m,
      /^validate +refs-cold: the reference checks add /m,
      ...(withPeer.length ? [/^mutate +ours\/peer: throughput \d+\.\d\d/m] : []),
    ],
    withPeer,
    { BENCH_REFERENCES: '1' },
  );
});

t.test('bench:informer', (t) => smoke(t, 'informer', [/^target ≤ 4096 bytes: (met|NOT met)$/m]));

t.test('bench:rest', (t) => smoke(t, 'rest', [/^REST API \d+\.\d\d× the time of direct creates/m]));

t.test('bench:console, in chromium', (t) =>
  smoke(t, 'console', [
    /^console shows 20 runs: p50 \d+ ms/m,
    /^console\/baseline \d+\.\d\d$/m,
    /^goal: 20 runs shown within 1000 ms at p50: (met|NOT met)$/m,
  ]),
);

t.test('bench:reconcile, until every agent runs', (t) =>
  smoke(t, 'reconcile', [/until every agent runs: /, /^operator\/baseline over 1 rounds: \d+\.\d\d/m]),
);

// Without the peer, the comment above says why this round is not run.
if (withPeer.length)
  t.test('bench:reconcile, beside the peer', (t) =>
    smoke(t, 'reconcile', [/^project\/peer \(medians of one round\): time \d+\.\d\d/m], withPeer),
  );

t.test("bench:gateway's scale mode: 20 attempts at once, the ledger on the apiserver and exact", (t) =>
  smoke(
    t,
    'gateway',
    [/^ledger: [\d.]+ apiserver writes per second per 100 attempts/m, /^ledger holds (\d+) of the \1 calls/m],
    ['--scale'],
  ),
);

t.test('bench:scale', async (t) => {
  t.ok(dist, 'dist is built');
  await smoke(t, 'scale', [/^operator per-run cost at 10 ÷ at 1 /m]);
});
