import { readdirSync, readFileSync } from 'node:fs';

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
