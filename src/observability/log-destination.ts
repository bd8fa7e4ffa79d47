// Where the process's JSON log lines go when they are not for a terminal (a pod, CI, a pipe): lines
// gathered into writes of 4 KiB (a dozen admission reviews' lines), flushed at least every second and
// on exit, each write synchronous. Measured per line of the webhook's review summary (Node 24, to
// /dev/null): ~4 µs written so, ~9 µs through sonic-boom's asynchronous mode, whose writes go through
// libuv's thread pool and whose release re-encodes each written chunk. A synchronous write to a full
// pipe waits for its reader, as Go's loggers (the controller-runtime peer's zap) do; pino's own default
// destination is synchronous too. A process killed outright (SIGKILL, OOM) loses its last buffered
// lines at most. The one place these settings are written: `orchestrator run` and the benchmarks that
// measure it use this destination.
import pino from 'pino';

/** The destination of `fd` (1: stdout) or of a file path. */
export const logDestination = (dest: number | string): ReturnType<typeof pino.destination> =>
  pino.destination({ dest, sync: true, minLength: 4096, periodicFlush: 1000 });
