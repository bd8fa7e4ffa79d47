// The CPU the `orchestrator` command takes before it does anything: `<command> --help` for each of
// its commands (only that command's module loaded, src/cli/main.ts) beside `--help` (every module
// loaded, as before each command loaded alone) in the same run, rounds alternating; the medians,
// and each command's ratio to the whole tree. Each child reports its own CPU as it exits.
// Run: npm run build && node --import ./scripts/ts-import.mjs test/bench/cli-start.ts [rounds]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { sized } from '../../scripts/bench-smoke.js';
import { COMMAND_MODULES } from '../../src/cli/main.js';
import { packageRoot } from '../../src/util/index.js';

const ROUNDS = Number(process.argv[2] ?? sized(5, 1));
const bin = join(packageRoot(), 'bin', 'orchestrator.js');
const REPORT = 'cpu-ms=';
const reporter = `data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('${REPORT}'+(u.user+u.system)/1000)})`;

/** CPU milliseconds of one `orchestrator ARGS` process, from its own report. */
function cpuMs(args: string[]): number {
  const res = spawnSync(process.execPath, ['--import', reporter, bin, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const at = res.stderr.lastIndexOf(REPORT);
  if (res.status !== 0 || at < 0)
    throw new Error(`orchestrator ${args.join(' ')}: ${res.stderr || res.error}`);
  return Number(res.stderr.slice(at + REPORT.length));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const cases: Record<string, string[]> = { 'the whole tree (--help)': ['--help'], '--version': ['--version'] };
const commands = COMMAND_MODULES.flatMap((m) => (m.words[0] ? [m.words[0]] : []));
// A smoke round takes one command: each is measured the same way.
for (const word of commands.slice(0, sized(commands.length, 1))) cases[word] = [word, '--help'];
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let round = 0; round < ROUNDS; round++)
  for (const [name, args] of Object.entries(cases)) samples[name]?.push(cpuMs(args));

const whole = median(samples['the whole tree (--help)'] ?? []);
console.log(`CPU before the command runs, median of ${ROUNDS} (ms; ratio to the whole tree):`);
for (const [name, xs] of Object.entries(samples)) {
  const m = median(xs);
  console.log(`  ${name.padEnd(26)} ${m.toFixed(0).padStart(5)}  ${(m / whole).toFixed(2)}`);
}
