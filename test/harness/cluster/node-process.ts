// A TypeScript entry script run as a separate OS process (as a real replica would be), with its JSON
// log lines on stdout collected for assertions.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { managerNodeFlags } from '../../../scripts/manager-node-flags.js';
import { waitFor } from '../util/wait.js';

export interface LogLine {
  msg?: string;
  /** Epoch ms, as pino writes it. */
  time?: number;
  [field: string]: unknown;
}

/** A waitForLog matcher: the line whose msg is `msg`. */
export const logged =
  (msg: string) =>
  (line: LogLine): boolean =>
    line.msg === msg;

/** How tap runs the TypeScript tests (package.json "tap"), so that children run TypeScript the same way. */
const typescriptLoader = (): string[] => [
  `--import=${new URL('../../../scripts/ts-import.mjs', import.meta.url).href}`,
];

export class NodeProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderrText = '';
  /** Exited, and its output read to the end. */
  private closed = false;

  /** `prefix`: a command that runs node, e.g. `nsenter --net=…` to start it in another network namespace. */
  constructor(script: string, args: string[], env: NodeJS.ProcessEnv = {}, prefix: string[] = []) {
    // A compiled script (bin/orchestrator.js runs dist/) gets no loader but the manager's flags: it
    // runs as installed, and its memory is measured (bench:scale) without the TypeScript compiler's.
    const loader = script.endsWith('.ts') ? typescriptLoader() : managerNodeFlags();
    const [command, ...before] = [...prefix, process.execPath];
    this.child = spawn(command as string, [...before, ...loader, script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      try {
        this.logs.push(JSON.parse(line) as LogLine);
      } catch {
        this.logs.push({ msg: line });
      }
    });
    this.child.stderr?.on('data', (d) => {
      this.stderrText = (this.stderrText + d).slice(-8192);
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    this.child.once('close', () => {
      this.closed = true;
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /**
   * The first log line (seen so far or later) that satisfies `match`; fails naming `what` when the
   * process exits without it or the (scaled) limit passes, default that of {@link waitFor}.
   */
  // Three minutes unless told: a child compiles its TypeScript through tap's loader before its first
  // line, which took 95 s beside four other test processes on 2 cores.
  waitForLog(match: (line: LogLine) => boolean, what: string, timeoutMs = 180_000): Promise<LogLine> {
    return waitFor(
      `pid ${this.pid} to log "${what}"`,
      (note) => {
        const line = this.logs.find(match);
        if (line) return line;
        if (this.closed)
          throw new Error(`pid ${this.pid} exited before logging "${what}"\nstderr: ${this.stderrText}`);
        note(
          `${this.logs.length} lines, the last ${JSON.stringify(this.logs.at(-1)?.msg)}; stderr: ${this.stderrText}`,
        );
        return undefined;
      },
      { timeoutMs, intervalMs: 20 },
    );
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}
