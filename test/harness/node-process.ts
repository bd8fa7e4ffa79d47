// A TypeScript entry script run as a separate OS process (as a real replica would be), with its JSON
// log lines on stdout collected for assertions.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

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

/** The loader tap runs TypeScript tests with, so that children run TypeScript the same way. */
function typescriptLoader(): string[] {
  const fromTap = process.execArgv.filter((arg) => arg.includes('@tapjs/typescript'));
  return fromTap.length ? fromTap : [`--import=${import.meta.resolve('@tapjs/typescript/import')}`];
}

export class NodeProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderrText = '';
  private readonly listeners = new Set<() => void>();

  constructor(script: string, args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [...typescriptLoader(), script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1', ...env },
    });
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      try {
        this.logs.push(JSON.parse(line) as LogLine);
      } catch {
        this.logs.push({ msg: line });
      }
      for (const notify of this.listeners) notify();
    });
    this.child.stderr?.on('data', (d) => {
      this.stderrText = (this.stderrText + d).slice(-8192);
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** The first log line (seen so far or later) that satisfies `match`. */
  waitForLog(match: (line: LogLine) => boolean, what: string, timeoutMs = 30_000): Promise<LogLine> {
    const found = this.logs.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(
          new Error(
            `pid ${this.pid}: no log line "${what}" within ${timeoutMs} ms\nstderr: ${this.stderrText}`,
          ),
        );
      }, timeoutMs);
      const check = () => {
        const line = this.logs.find(match);
        if (!line) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(line);
      };
      this.listeners.add(check);
      void this.exited.then(() => {
        if (!this.listeners.has(check)) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        reject(new Error(`pid ${this.pid} exited before logging "${what}"\nstderr: ${this.stderrText}`));
      });
    });
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}
