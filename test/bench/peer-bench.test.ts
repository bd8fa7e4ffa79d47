// The pure parts of the benchmarks that run the controller-runtime peer beside the project: the command
// line, the peer's binaries, medians and ratios, and the reports' lines.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';
import { PEER_BINARIES, parseBenchArgs, peerBinary } from '../../scripts/bench-args.js';
import { fixed, median, medians, ratio, table } from '../../scripts/bench-stats.js';
import { type WebhookRow, webhookReport } from '../../scripts/bench-webhook-report.js';
import { type PeerRound, type ProcessFigures, peerReport } from './reconcile-peer-report.js';

const names = ['N', 'rounds', 'workers'] as const;

t.test('arguments: numbers by position, --peer-bin anywhere', async (t) => {
  t.same(parseBenchArgs([], names), {
    values: { N: undefined, rounds: undefined, workers: undefined },
    peerBin: undefined,
  });
  t.same(parseBenchArgs(['100', '1', '--peer-bin', 'bin'], names), {
    values: { N: 100, rounds: 1, workers: undefined },
    peerBin: resolve('bin'),
  });
  t.same(parseBenchArgs(['--peer-bin=/p', '500', '3', '8'], names), {
    values: { N: 500, rounds: 3, workers: 8 },
    peerBin: '/p',
  });
});

t.test('arguments: each mistake named with its rule', async (t) => {
  t.throws(() => parseBenchArgs(['0'], names), /N: "0" is not a positive integer/);
  t.throws(() => parseBenchArgs(['5', '1.5'], names), /rounds: "1.5" is not a positive integer/);
  t.throws(
    () => parseBenchArgs(['1', '2', '3', '4'], names),
    /unexpected argument "4" \(expected at most: N, rounds, workers\)/,
  );
  t.throws(() => parseBenchArgs(['--peer-bin'], names), /--peer-bin: a folder is required/);
  t.throws(() => parseBenchArgs(['--peer-bin', '--x'], names), /--peer-bin: a folder is required/);
  t.throws(() => parseBenchArgs(['--peer-bin='], names), /--peer-bin: a folder is required/);
  t.throws(() => parseBenchArgs(['--peers', 'x'], names), /unknown option --peers \(known: --peer-bin DIR\)/);
});

t.test("the peer's binaries: a missing or unusable one says how to build it", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'peer-bin-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const build = `build the controller-runtime peer into that folder with \`make build LOCALBIN=${dir}\``;
  t.throws(() => peerBinary(dir, PEER_BINARIES.manager), {
    message: `--peer-bin ${dir}: no executable manager there; ${build} in the peer's folder (peers/controller-runtime)`,
  });
  const webhook = join(dir, PEER_BINARIES.webhook);
  writeFileSync(webhook, '');
  chmodSync(webhook, 0o644);
  t.throws(() => peerBinary(dir, PEER_BINARIES.webhook), /no executable webhook-server there/);
  chmodSync(webhook, 0o755);
  t.equal(peerBinary(dir, PEER_BINARIES.webhook), webhook);
});

t.test('medians, ratios and tables', async (t) => {
  t.equal(median([3, 1, 2]), 2);
  t.equal(median([4, 1, 3, 2]), 2.5);
  t.ok(Number.isNaN(median([])));
  t.same(
    medians(
      [
        { a: 1, b: 9 },
        { a: 5, b: 7 },
        { a: 3, b: 8 },
      ],
      ['a', 'b'],
    ),
    { a: 3, b: 8 },
  );
  t.equal(fixed(1.234), '1.23');
  t.equal(fixed(166.6, 0), '167');
  t.equal(fixed(Number.NaN), '-');
  t.equal(ratio(3, 2), '1.50');
  t.equal(ratio(1, 0), '-', 'no ratio to nothing');
  t.same(
    table(
      ['name', 'n'],
      [
        ['ab', '1'],
        ['c', '10'],
      ],
    ),
    ['name   n', '----  --', 'ab     1', 'c     10'],
  );
});

const figures = (
  seconds: number,
  cpuSeconds: number,
  peakRssMiB: number,
  reconcilesPerRun = 2,
): ProcessFigures => ({
  seconds,
  cpuSeconds,
  peakRssMiB,
  callsPerRun: 6,
  reconcilesPerRun,
  byVerb: { POST: 300, PUT: 100 },
});

/** One round of bench:reconcile with the peer: the peer's figures, or why it failed. */
const peerRound = (
  round: number,
  project: ProcessFigures,
  peer: Pick<PeerRound, 'peer' | 'peerFailure'>,
  baselineSeconds: number,
): PeerRound => ({ round, project, ...peer, baseline: { seconds: baselineSeconds, callsPerRun: 6 } });

t.test('reconcile with the peer: per-round figures, medians and the ratios of the medians', async (t) => {
  const rounds: PeerRound[] = [
    peerRound(1, figures(4, 6, 160), { peer: figures(3, 3, 64, 3) }, 2),
    peerRound(2, figures(6, 7, 170), { peer: figures(4, 4, 66, 3) }, 3),
    peerRound(3, figures(5, 8, 168), { peer: figures(5, 3.5, 70, 3) }, 4),
  ];
  const lines = peerReport(rounds, 100);
  t.match(lines[0], /^round\s+side\s+seconds\s+CPU s\s+peak RSS MiB\s+API calls\/run\s+reconciles\/run$/);
  t.ok(lines.includes('median  project      5.00   7.00           168           6.00            2.00'));
  t.ok(lines.includes('median  baseline     3.00      -             -           6.00               -'));
  t.ok(
    lines.includes(
      'project/peer (medians of 3 rounds): time 1.25, CPU 2.00, peak RSS 2.55, API calls/run 1.00, reconciles/run 0.67',
    ),
  );
  t.ok(lines.includes('project/baseline: time 1.67 (medians), 1.67 over 3 rounds (totals)'));
  t.ok(
    peerReport(rounds.slice(0, 1), 100).some((l) =>
      l.startsWith('project/peer (medians of one round): time 1.33'),
    ),
  );
  t.ok(lines.some((l) => l.startsWith('- CPU and peak RSS: the operator process alone')));
});

t.test("reconcile: a failed peer round says why, and the project's figures stand", async (t) => {
  const rounds: PeerRound[] = [
    peerRound(1, figures(4, 6, 160), { peer: figures(3, 3, 64, 3) }, 2),
    peerRound(
      2,
      figures(6, 7, 170),
      { peerFailure: 'the peer manager left no stats (ENOENT; it exited with SIGKILL)' },
      3,
    ),
    peerRound(3, figures(5, 8, 168), { peer: figures(5, 4, 70, 3) }, 4),
  ];
  const lines = peerReport(rounds, 100);
  t.ok(lines.includes('2       peer (failed)        -      -             -              -               -'));
  t.ok(lines.includes('median  project           5.00   7.00           168           6.00            2.00'));
  t.ok(
    lines.includes(
      'round 2: the peer failed: the peer manager left no stats (ENOENT; it exited with SIGKILL)',
    ),
  );
  t.ok(
    lines.includes(
      "project/peer (medians of 3 rounds; the peer's of the 2 it completed): time 1.25, CPU 2.00, peak RSS 2.51, API calls/run 1.00, reconciles/run 0.67",
    ),
    'the project over every round, the peer over those it completed',
  );
  const none = peerReport([{ ...(rounds[1] as PeerRound) }], 100);
  t.ok(
    none.some((l) =>
      l.startsWith("project/peer (medians of one round; the peer's of the 0 it completed): time -"),
    ),
    'no peer figures: no ratio, and the project row still printed',
  );
  t.ok(none.some((l) => l.startsWith('median  project')));
});

const load = (rps: number, serverUsPerRequest: number, p99: number) => ({
  closed: { rps, p50: 1, p99: 2, errors: 0, serverCpu: 0.9, serverUsPerRequest, clientCpu: 0.5 },
  open: { p50: 1, p99, max: p99 * 2, errors: 0 },
});

t.test('webhook: one round prints what it always did, the peer adds its ratios', async (t) => {
  const alone: WebhookRow[] = [
    { round: 1, server: 'baseline', endpoint: 'validate', ...load(1000, 100, 2) },
    { round: 1, server: 'ours', endpoint: 'validate', ...load(800, 250, 3) },
    { round: 1, server: 'baseline', endpoint: 'mutate', ...load(1000, 100, 2) },
    { round: 1, server: 'ours', endpoint: 'mutate', ...load(500, 200, 6) },
  ];
  const lines = webhookReport(alone, 200);
  t.match(lines[0], /^server\s+endpoint\s+req\/s/);
  t.equal(lines.length, 2 + 4 + 1 + 4, 'a table and the baseline lines: no rounds, no peer');
  t.ok(lines.some((l) => /^validate {2}throughput ours\/baseline 0\.80 \(target >= 0\.6: met\)/.test(l)));
  t.ok(
    lines.some((l) =>
      /^mutate {4}throughput ours\/baseline 0\.50 \(target >= 0\.6: MISSED\).*6\.00 ms \(target <= 5 ms: MISSED\)/.test(
        l,
      ),
    ),
  );

  const withPeer: WebhookRow[] = [1, 2, 3].flatMap((round) =>
    (['validate', 'mutate'] as const).flatMap((endpoint) => [
      { round, server: 'ours' as const, endpoint, ...load(900 + round * 100, 250, 3) },
      { round, server: 'peer' as const, endpoint, ...load(250, 1000 + round, 4) },
      { round, server: 'baseline' as const, endpoint, ...load(1200, 100, 2) },
    ]),
  );
  const report = webhookReport(withPeer, 200);
  t.ok(report.includes('medians over 3 rounds'));
  t.ok(
    report.includes(
      'validate  ours/peer: throughput 4.40, server CPU per request 0.25 (250 vs 1002 µs), p99 at 200 req/s 0.75; peer/baseline throughput 0.21',
    ),
  );
  t.ok(report.some((l) => l.startsWith('mutate    ours/peer: throughput 4.40')));
});

t.test('webhook: a failed peer measurement says why, and ours stand', async (t) => {
  const rows: WebhookRow[] = [1, 2].flatMap((round) =>
    (['validate', 'mutate'] as const).flatMap((endpoint) => [
      { round, server: 'ours' as const, endpoint, ...load(1000, 250, 3) },
      { round, server: 'baseline' as const, endpoint, ...load(1200, 100, 2) },
      round === 1 && endpoint === 'validate'
        ? { round, server: 'peer' as const, endpoint, ...load(300, 1000, 4) }
        : {
            round,
            server: 'peer' as const,
            endpoint,
            failure: '2 failed requests (closed loop 2, open loop 0)',
          },
    ]),
  );
  const report = webhookReport(rows, 200);
  t.ok(report.includes('round 2: peer validate FAILED: 2 failed requests (closed loop 2, open loop 0)'));
  t.ok(
    report.some((l) => l.startsWith('validate  ours/peer: throughput 3.33')),
    'the peer round that completed',
  );
  t.ok(report.includes('mutate    ours/peer: - (no peer measurement completed)'));
  t.ok(
    report.some((l) => l.startsWith('mutate    throughput ours/baseline 0.83')),
    'ours against the baseline',
  );
});
