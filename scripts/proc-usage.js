// The CPU time and peak memory of another process, read from Linux's /proc, so that a Go binary and
// a Node.js child are measured the same way.

import { readFileSync } from 'node:fs';

/** /proc/PID/stat counts in clock ticks: USER_HZ, 100 on every Linux architecture Node.js runs on. */
const TICKS_PER_SECOND = 100;

/** The process's CPU time so far, in the shape of process.cpuUsage() (µs; 10 ms resolution). */
export function procCpu(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields from after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const micros = (ticks) => (Number(ticks) * 1e6) / TICKS_PER_SECOND;
  return { user: micros(fields[11]), system: micros(fields[12]) };
}

/**
 * The CPU time of this process and of every child it (and they, in turn) waited for, in the shape of
 * process.cpuUsage(): the whole CPU cost of a run once its children have ended.
 */
export function treeCpu() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const micros = (...ticks) => (ticks.reduce((s, t) => s + Number(t), 0) * 1e6) / TICKS_PER_SECOND;
  return { user: micros(fields[11], fields[13]), system: micros(fields[12], fields[14]) };
}

/** CPU seconds between two procCpu readings. */
export const cpuSeconds = (before, after) => (after.user + after.system - before.user - before.system) / 1e6;

/** The process's peak resident memory so far (VmHWM), in MiB. */
export function peakRssMiB(pid) {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}
