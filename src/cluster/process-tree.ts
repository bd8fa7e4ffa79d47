// A process and those it started, read from Linux's /proc: their pids (build-priority.ts renices them)
// and the CPU they took (binary.ts reports a build's). Where /proc cannot tell, none and 0.
import { readdirSync, readFileSync } from 'node:fs';

/**
 * The children of `pid`: each of its threads' /proc children list, as a child is listed under the
 * thread that started it (go starts its compilers from any of its threads).
 */
function children(pid: number): number[] {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return threads.flatMap((tid) => {
    try {
      return readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

/** The processes `pid` started and theirs (Linux's /proc children lists); none where it cannot tell. */
export function descendants(pid: number): number[] {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const kids = children(queue.shift() as number);
    found.push(...kids);
    queue.push(...kids);
  }
  return found;
}

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on every Linux architecture). */
const TICKS_PER_SECOND = 100;

/** Ticks of `pid` itself (utime, stime) and of its children that ended (cutime, cstime); 0 if gone. */
function ticks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name (in parentheses, which may hold spaces): utime is the 14th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
  } catch {
    return 0;
  }
}

/**
 * The CPU seconds `pid` and every process it started have taken so far: the ended ones through their
 * parents' children times, the running ones by their own. Sampled until `pid` ends, the last sample
 * misses only the CPU of the time since.
 */
export function treeCpuSeconds(pid: number): number {
  return [pid, ...descendants(pid)].reduce((sum, p) => sum + ticks(p), 0) / TICKS_PER_SECOND;
}
