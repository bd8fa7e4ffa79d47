// What the harness's worlds need of a tap test: a name, teardowns, comments and a way to fail. A
// benchmark, which runs outside tap, passes a `benchScope()` so that it can build the same worlds.

export interface Scope {
  name: string;
  teardown(fn: () => unknown): void;
  comment(...message: unknown[]): void;
  fail(message: string): unknown;
}

export interface BenchScope extends Scope {
  /** What `fail` was called with, in order. */
  readonly failures: string[];
  /** Runs the teardowns, the latest first; each one's error is written to stderr and the rest still run. */
  end(): Promise<void>;
}

/** A scope whose comments and failures go to stderr, with the benchmark's name before each. */
export function benchScope(name: string): BenchScope {
  const teardowns: (() => unknown)[] = [];
  const failures: string[] = [];
  const say = (line: string) => process.stderr.write(`${name}: ${line}\n`);
  return {
    name,
    failures,
    teardown: (fn) => {
      teardowns.push(fn);
    },
    comment: (...message) => say(message.map(String).join(' ')),
    fail: (message) => {
      failures.push(message);
      say(`FAILED: ${message}`);
      return false;
    },
    async end() {
      for (const fn of teardowns.reverse()) {
        try {
          await fn();
        } catch (err) {
          say(`teardown: ${(err as Error).message}`);
        }
      }
    },
  };
}
