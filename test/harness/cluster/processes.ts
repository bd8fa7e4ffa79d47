import { readdirSync, readFileSync } from 'node:fs';
import { WaitTimeout, waitFor } from '../util/wait.js';

/** PIDs of live processes whose command line mentions `needle` (Linux /proc). */
export function processesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // A zombie has exited; only its parent's wait() is pending.
      if (cmdline.includes(needle) && !/\) Z /.test(stat)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/**
 * Waits (up to the scaled `withinMs`, default that of {@link waitFor}) until no live process mentions
 * `needle`; returns the PIDs still left ([] when all are gone).
 */
export async function processesGone(needle: string, withinMs?: number): Promise<number[]> {
  let left: number[] = [];
  try {
    await waitFor(
      `no process mentioning ${needle}`,
      () => {
        left = processesMentioning(needle);
        return left.length === 0;
      },
      { timeoutMs: withinMs, intervalMs: 200 },
    );
  } catch (err) {
    if (!(err instanceof WaitTimeout)) throw err;
  }
  return left;
}
