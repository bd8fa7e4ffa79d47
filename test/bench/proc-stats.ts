// CPU time and peak memory of another process, read from Linux's /proc (the benchmark measures the
// operator and the apiserver from outside, as `top` would).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/PID/stat's times (USER_HZ, 100 on every common kernel). */
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU seconds from the text of /proc/PID/stat (fields 14 and 15, after the command's parentheses). */
export function cpuSecondsOf(stat: string, ticksPerSecond = TICKS): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime 15.
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** A `Vm…:  123 kB` line of /proc/PID/status, in bytes; NaN when absent. */
export function statusBytes(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

export const cpuSeconds = (pid: number): number => cpuSecondsOf(readFileSync(`/proc/${pid}/stat`, 'utf8'));

/** The largest resident set the process has had (VmHWM). */
export const peakRssBytes = (pid: number): number =>
  statusBytes(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmHWM');

/** The pid of the process whose argv[1] is `command` and whose arguments mention `mark`; undefined if none. */
export function findProcess(command: string, mark: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone since the listing
    }
    if (argv[1] === command && argv.some((a) => a.includes(mark))) return Number(entry);
  }
  return undefined;
}
