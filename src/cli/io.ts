// Where the user commands write, and how they end. Commands never touch process.stdout or
// process.exitCode directly: tests call main() in-process with a capturing CliIO, and several calls in one
// process must not leak an exit code into each other (or into the test runner's own exit status).

export interface CliIO {
  /** Writes to standard output (the caller adds the newline). */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** Whether standard output is a terminal (live progress); plain lines otherwise. */
  isTTY: boolean;
  /** Whether to colour what it writes: on a terminal, unless NO_COLOR is set (no-color.org). */
  colour: boolean;
  /** Reads all of standard input (`-f -`). */
  readStdin(): Promise<string>;
  /** A signal aborted on Ctrl-C (SIGINT) or SIGTERM until `dispose` is called, while a command waits. */
  interrupted(): { signal: AbortSignal; dispose(): void };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Whether colour is wanted with output on a terminal: NO_COLOR set to anything but empty turns it off. */
export const colourWanted = (env: NodeJS.ProcessEnv): boolean => !env.NO_COLOR;

let endsWithItsReader = false;

/**
 * A reader that went away (`orchestrator install --help | head -1`) ends the command at once and
 * quietly, as it ends cat: the rest of the output has nowhere to go. Other errors of the stream stay
 * loud.
 */
function endWithReader(): void {
  if (endsWithItsReader) return;
  endsWithItsReader = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
}

/** The real terminal. */
export function processIO(): CliIO {
  endWithReader();
  const isTTY = process.stdout.isTTY === true;
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    isTTY,
    colour: isTTY && colourWanted(process.env),
    readStdin: () => readAll(process.stdin),
    interrupted: () => {
      const controller = new AbortController();
      const onSigint = () => controller.abort(new Error('interrupted'));
      // SIGTERM too (`timeout`, a CI step's end): the command ends its watches as Ctrl-C does.
      process.once('SIGINT', onSigint);
      process.once('SIGTERM', onSigint);
      const dispose = () => {
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
      };
      return { signal: controller.signal, dispose };
    },
  };
}

/** Ends a command with an exit code (and, when given, a message on standard error). */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message = '',
  ) {
    super(message);
    this.name = 'CliExit';
  }
}

/** `error: …` and exit code 1, as kubectl reports a usage or local problem. */
export const fail = (message: string): CliExit => new CliExit(1, `error: ${message}`);

/** Collects repeatable option values (`--env A=1 --env B=2`). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
