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

/** What a command function did with `io`: its exit code (a CliExit's, -1 for another error, said on stderr) and output. */
export async function outcome(io: MemoryIO, command: (io: MemoryIO) => Promise<number>) {
  let code: number;
  try {
    code = await command(io);
  } catch (err) {
    code = (err as { code?: number }).code ?? -1;
    io.err(`${(err as Error).message}\n`);
  }
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}
