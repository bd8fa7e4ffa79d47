import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

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

/** Waits up to `withinMs` until no live process mentions `needle`; returns the PIDs still left ([] when all are gone). */
export async function processesGone(needle: string, withinMs = 20_000): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  let left = processesMentioning(needle);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(200);
    left = processesMentioning(needle);
  }
  return left;
}
