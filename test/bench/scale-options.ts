// The command line of `npm run bench:scale` (test/bench/scale.ts), parsed without side effects so that
// a unit test can hold it to its rules.
import { sized } from '../../scripts/bench-smoke.js';

export interface ScaleOptions {
  /** Runs of the large phase; the small phase makes a tenth of them. Default 5,000. */
  runs: number;
  /** Services the runs are spread over (each its workspace volumes and labels). Default 50. */
  services: number;
  /** Share of the runs whose first attempt fails (retried once, then succeeding). Default 0.1. */
  failOnce: number;
  /** Clients creating runs at once, and the baseline's workers. Default 8. */
  workers: number;
  /** concurrency.global and .perService of the operator's config. Default: the phase's runs (no waiting). */
  concurrency?: number;
}

export const SCALE_USAGE =
  'usage: npm run bench:scale [-- N] [--services S] [--fail-once SHARE] [--workers W] [--concurrency C]';

// A smoke round's runs share one service, so that they take every kind (scale-runs.ts cycles the
// kinds over the services).
const DEFAULTS: ScaleOptions = { runs: sized(5000, 10), services: sized(50, 1), failOnce: 0.1, workers: 8 };

/** A positive integer, or an error naming the flag. */
function count(flag: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (value === undefined || !/^\d+$/.test(value) || n < min)
    throw new Error(
      `${flag}: expected an integer ≥ ${min}, got ${JSON.stringify(value ?? '')}\n${SCALE_USAGE}`,
    );
  return n;
}

/** The options of `argv` (the arguments after the script); throws a message naming the bad argument. */
export function parseScaleArgs(argv: readonly string[]): ScaleOptions {
  const opts: ScaleOptions = { ...DEFAULTS };
  let positional = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') ? (arg.split(/=(.*)/s) as [string, string?]) : [arg];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--services':
        opts.services = count(flag, value(), 1);
        break;
      case '--workers':
        opts.workers = count(flag, value(), 1);
        break;
      case '--concurrency':
        opts.concurrency = count(flag, value(), 1);
        break;
      case '--fail-once': {
        const raw = value();
        const share = Number(raw);
        if (raw === undefined || raw.trim() === '' || !(share >= 0 && share <= 1))
          throw new Error(
            `--fail-once: expected a share from 0 to 1, got ${JSON.stringify(raw ?? '')}\n${SCALE_USAGE}`,
          );
        opts.failOnce = share;
        break;
      }
      default:
        if (flag.startsWith('-') || positional)
          throw new Error(`unknown argument ${JSON.stringify(arg)}\n${SCALE_USAGE}`);
        // The small phase makes N/10 runs: at least one.
        opts.runs = count('N', arg, 10);
        positional = true;
    }
  }
  return opts;
}

/** The phases' sizes: N/10 (rounded down), then N. */
export const phaseSizes = (runs: number): [number, number] => [Math.floor(runs / 10), runs];

/**
 * Fake nodes (110 pods each) for `runs` agents at once with room to spare: pods of finished agents
 * leave the scheduler's count, but with no concurrency limit every agent may run at the same time.
 */
export const nodesFor = (runs: number): number => Math.max(1, Math.ceil(runs / 100));
