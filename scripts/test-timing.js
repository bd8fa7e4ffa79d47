// Where the time of `npm test` went, printed at its end so that a reader of CI's log sees the budget:
// the builds (programs and images, cached or not), each lane's wall time and how long it waited for
// builds, the slowest files, and the total against the budget. Printed, never a failure: a test run
// does not fail for being slow on a slow machine (docs/testing.md, "Time limits").

/** The budget of a whole run, in minutes: warm (every program cached) and cold (something was built). */
export const BUDGET_MINUTES = { warm: 30, cold: 60 };

/** How many of the slowest files (and suites) the report names. */
const SLOWEST = 10;

const seconds = (ms) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
const minutes = (ms) => `${(ms / 60_000).toFixed(1)} min`;

/** Records named spans of a run's wall time. */
export class Timing {
  constructor(now = Date.now) {
    this.now = now;
    this.started = now();
    /** @type {{ kind: string, name: string, ms: number, note?: string }[]} */
    this.spans = [];
  }

  /** Times `work` (a promise or a function returning one) as a span of this kind and name. */
  async span(kind, name, work, note) {
    const start = this.now();
    try {
      return await (typeof work === 'function' ? work() : work);
    } finally {
      this.spans.push({ kind, name, ms: this.now() - start, ...(note ? { note } : {}) });
    }
  }

  /** Adds a span measured elsewhere. */
  add(kind, name, ms, note) {
    this.spans.push({ kind, name, ms, ...(note ? { note } : {}) });
  }

  elapsed() {
    return this.now() - this.started;
  }
}

/**
 * The report's lines: total against the budget (cold when `cold`), the CPU it took (`cpu`, µs as
 * process.cpuUsage() gives it, against `cores` busy the whole time: near 100% the run waits for CPU,
 * not for anything else), builds, lanes, slowest files, and the files that took the most CPU.
 * `files` are the results of every tap process ({ file, ms, suites?: { name, ms }[] }), `cpuFiles`
 * each file's CPU ({ file, ms }).
 */
export function timingReport(timing, files, { cold, cpu, cores, cpuFiles = [] }) {
  const total = timing.elapsed();
  const budget = BUDGET_MINUTES[cold ? 'cold' : 'warm'] * 60_000;
  const verdict =
    total <= budget ? `within it by ${minutes(budget - total)}` : `OVER it by ${minutes(total - budget)}`;
  const lines = [
    `time: ${minutes(total)} in all, against a budget of ${minutes(budget)} (${cold ? 'cold: something was built' : 'warm: everything cached'}): ${verdict}`,
  ];
  if (cpu) {
    const busy = (cpu.user + cpu.system) / 1000;
    lines.push(
      `  cpu: ${minutes(cpu.user / 1000)} user + ${minutes(cpu.system / 1000)} system, ${Math.round((100 * busy) / (total * cores))}% of ${cores} cores over the run`,
    );
  }
  for (const kind of ['setup', 'build', 'lane']) {
    const spans = timing.spans.filter((s) => s.kind === kind);
    if (spans.length === 0) continue;
    const parts = spans.map((s) => `${s.name} ${seconds(s.ms)}${s.note ? ` (${s.note})` : ''}`);
    lines.push(`  ${kind === 'build' ? 'builds' : kind === 'lane' ? 'lanes' : 'setup'}: ${parts.join(', ')}`);
  }
  lines.push(...ranked(files, (n, sum) => `test files: ${n}, ${minutes(sum)} summed; the slowest:`));
  // A file's time less its suites' is what it spends outside them: its cluster, builds, installs.
  const suites = files.flatMap((f) =>
    (f.suites ?? []).map((s) => ({ file: `${f.file}: ${s.name}`, ms: s.ms })),
  );
  if (suites.length > 0)
    lines.push(
      ...ranked(suites, (n, sum) => `suites (top-level tests): ${n}, ${minutes(sum)} summed; the slowest:`),
    );
  if (cpuFiles.length > 0)
    lines.push(
      ...ranked(cpuFiles, (n, sum) => `CPU of ${n} test files: ${minutes(sum)} summed; the hungriest:`),
    );
  return lines;
}

/** A heading and the SLOWEST largest of `entries` ({ file, ms }; one without ms is not ranked). */
function ranked(entries, heading) {
  const timed = entries.filter((f) => f.ms !== undefined).sort((a, b) => b.ms - a.ms);
  const sum = timed.reduce((s, f) => s + f.ms, 0);
  return [
    `  ${heading(timed.length, sum)}`,
    ...timed
      .slice(0, SLOWEST)
      .map(
        (f) =>
          `    ${seconds(f.ms).padStart(7)}  ${f.file.length > 150 ? `${f.file.slice(0, 149)}…` : f.file}`,
      ),
  ];
}
