// The CLI's input and output in memory, behind the CliIO seam (src/cli/io.ts): tests call main() with it
// and read what it printed; the real CliIO writes to the process's streams.
import type { CliIO } from '../../../src/cli/io.js';

export interface MemoryIO extends CliIO {
  stdout(): string;
  stderr(): string;
  /** Aborts the signal handed out by interrupted(), as Ctrl-C would. */
  interrupt(): void;
}

/** An in-memory CliIO: main() called from a test, its output captured. */
export function memoryIO(opts: { stdin?: string; isTTY?: boolean; colour?: boolean } = {}): MemoryIO {
  let out = '';
  let err = '';
  let controller = new AbortController();
  return {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    isTTY: opts.isTTY ?? false,
    colour: opts.colour ?? opts.isTTY ?? false,
    readStdin: async () => opts.stdin ?? '',
    interrupted: () => {
      controller = new AbortController();
      return { signal: controller.signal, dispose: () => {} };
    },
    stdout: () => out,
    stderr: () => err,
    interrupt: () => controller.abort(new Error('interrupted')),
  };
}
