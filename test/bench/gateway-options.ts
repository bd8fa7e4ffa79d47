// The command line of `npm run bench:gateway` (test/bench/gateway.ts), parsed without side effects so
// that a unit test can hold it to its rules: a count that is not one would run no call and still print
// a table of zeros and "holds in this run".
import { sized } from '../../scripts/bench-smoke.js';

export const GATEWAY_USAGE = [
  'usage: npm run bench:gateway -- [N [ROUNDS]]   (default 2000, 3)',
  '       npm run bench:gateway -- --scale [ATTEMPTS [CALLS [PACE_MS]]]   (default 100, 20, 0)',
].join('\n');

export type GatewayOptions =
  | { mode: 'help' }
  | { mode: 'latency'; calls: number; rounds: number }
  | { mode: 'scale'; attempts: number; calls: number; paceMs: number };

/** The integer `value` (≥ min), `fallback` when absent, or an error naming the argument and the rule. */
function integer(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw new Error(`${name}: expected an integer ≥ ${min}, got ${JSON.stringify(value)}\n${GATEWAY_USAGE}`);
  return Number(value);
}

/** The options of `argv` (the arguments after the script); throws a message naming the bad argument. */
export function parseGatewayArgs(argv: readonly string[]): GatewayOptions {
  if (argv.includes('--help') || argv.includes('-h')) return { mode: 'help' };
  const scale = argv[0] === '--scale';
  const args = scale ? argv.slice(1) : argv;
  const names = scale ? ['ATTEMPTS', 'CALLS', 'PACE_MS'] : ['N', 'ROUNDS'];
  if (args.length > names.length)
    throw new Error(`unexpected argument ${JSON.stringify(args[names.length])}\n${GATEWAY_USAGE}`);
  if (!scale)
    return {
      mode: 'latency',
      calls: integer('N', args[0], sized(2000, 20), 1),
      rounds: integer('ROUNDS', args[1], sized(3, 1), 1),
    };
  return {
    mode: 'scale',
    attempts: integer('ATTEMPTS', args[0], sized(100, 20), 1),
    calls: integer('CALLS', args[1], sized(20, 3), 1),
    paceMs: integer('PACE_MS', args[2], 0, 0),
  };
}
