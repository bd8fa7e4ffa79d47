// From `kubectl apply` to a working agent, on the local cluster's real node (kubelet, containerd, the
// agent image this project builds): per start, the time from the create to the first request the agent's
// CLI sends through the model gateway, as the model stand-in receives it, cut into phases from the
// Job's, the pod's and its containers' timestamps (start-phases.ts). Starts, one at a time:
// - the first run on a node just started (its image in the node's store, unpacked; its files not yet read);
// - N new runs, each beside a bare pod of the same image that sends one request to the stand-in (the
//   floor: what the node takes to start a container of that image, without the operator);
// - N follow-up attempts, one per run: `orchestrator retry` raises spec.retryAttempt, and the new
//   attempt's prepare container resumes the clone on the run's workspace volume with a fetch.
// Prints p50/p99 and the phases' medians for each, and the issue's goals: a new run's p50 within 2 s of
// the floor's, a follow-up attempt's under 3 s.
// Needs root and the real node's Debian packages; builds the agent image on first use (minutes; cached).
// Run: npm run bench:start [-- N]   (default 5); BENCH_START_LOGS=DIR keeps the attempts' logs
import { parseBenchArgs } from '../../scripts/bench-args.js';
import { SMOKE, sized } from '../../scripts/bench-smoke.js';
import { fixed, table } from '../../scripts/bench-stats.js';
import { agentSuite, agentWorld } from '../harness/agent/agent-world.js';
import { say } from '../harness/remote/model-script.js';
import { benchScope } from '../harness/util/scope.js';
import { type StartSample, type StartSummary, summarize } from './start-phases.js';
import { StartTimer } from './start-timer.js';

const N = (() => {
  try {
    return parseBenchArgs(process.argv.slice(2), ['N']).values.N ?? sized(5, 1);
  } catch (err) {
    process.stderr.write(`bench:start: ${(err as Error).message}\n`);
    process.exit(2);
  }
})();
/** The issue's goals (#79): a new run within this of the floor at p50, a follow-up attempt under this. */
const GOAL_OVER_FLOOR_MS = 2000;
const GOAL_FOLLOW_UP_MS = 3000;
/** BENCH_START_LOGS=DIR: each attempt's prepare and agent logs, with containerd's timestamps, are written there. */
const LOG_DIR = process.env.BENCH_START_LOGS;
const USER = { name: 'bench-user', token: 'ghp_benchStart0123456789' };
const API_KEY = 'sk-ant-bench-start';

const scope = benchScope('bench:start');
let failed = false;
try {
  await measure();
} catch (err) {
  failed = true;
  process.stderr.write(`bench:start: ${(err as Error).stack ?? err}\n`);
} finally {
  await scope.end();
}
process.exit(failed || scope.failures.length > 0 ? 1 : 0);

async function measure(): Promise<void> {
  const begun = Date.now();
  const suite = await agentSuite(scope, USER, API_KEY);
  scope.comment(`image and real node ready after ${fixed((Date.now() - begun) / 1000, 0)} s`);
  // Every request that offers tools gets this turn: each attempt's agent says it is done and stops.
  const world = await agentWorld(scope, suite, [{ ...say('Done.'), repeat: true }], {
    configure(config) {
      config.retries.maxRetries = 0;
    },
  });
  const repo = suite.git.repository('acme/start.git', 'main', { 'README.md': '# start\n' });
  const timer = new StartTimer(suite, world, repo, LOG_DIR);
  const first = [await timer.newRun('start-first')];
  const floors: StartSample[] = [];
  const runs: StartSample[] = [];
  for (let i = 1; i <= N; i++) {
    floors.push(await timer.floor(`floor-${i}`));
    runs.push(await timer.newRun(`start-${i}`));
  }
  const followUps: StartSample[] = [];
  for (let i = 1; i <= N; i++) followUps.push(await timer.followUp(`start-${i}`));
  const problems = world.model.problems;
  if (problems.length) throw new Error(`requests the stand-in found malformed: ${problems.join('; ')}`);
  report({ floors, first, runs, followUps });
}

function report(samples: Record<'floors' | 'first' | 'runs' | 'followUps', StartSample[]>): void {
  const s = (ms: number) => fixed(ms / 1000, 1);
  const floor = summarize(samples.floors);
  const runs = summarize(samples.runs);
  const followUps = summarize(samples.followUps);
  const rows: [string, StartSummary][] = [
    ['bare pod (floor)', floor],
    ['first run on the node', summarize(samples.first)],
    ['new run', runs],
    ['follow-up attempt', followUps],
  ];
  console.log(
    `bench:start: create to the agent's first model request, real node, ${N} of each${SMOKE ? ' (smoke)' : ''}`,
  );
  for (const line of table(
    ['start', 'n', 'p50 s', 'p99 s'],
    rows.map(([label, sum]) => [label, String(sum.count), s(sum.p50), s(sum.p99)]),
  ))
    console.log(line);
  console.log("phases, median s (the API's timestamps have whole seconds):");
  for (const [label, sum] of rows)
    console.log(`  ${label}: ${sum.phases.map((p) => `${p.name} ${s(p.ms)}`).join(' · ')}`);
  const over = runs.p50 - floor.p50;
  const followUpP50 = followUps.p50;
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(
    `goal: a new run's p50 within ${s(GOAL_OVER_FLOOR_MS)} s of the floor's: ${s(over)} s over it: ${verdict(over <= GOAL_OVER_FLOOR_MS)}`,
  );
  console.log(
    `goal: a follow-up attempt under ${s(GOAL_FOLLOW_UP_MS)} s end to end (p50): ${s(followUpP50)} s: ${verdict(followUpP50 < GOAL_FOLLOW_UP_MS)}`,
  );
}
