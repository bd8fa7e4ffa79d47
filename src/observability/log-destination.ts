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

type Destination = ReturnType<typeof pino.destination>;

// pino flushes a destination at exit only when it is asynchronous: a synchronous one that gathers
// lines would lose its last ones (a stop's "manager stopped") when the process ends by itself.
const open = new Set<Destination>();
const flushOpen = () => {
  for (const destination of open) {
    try {
      destination.flushSync();
    } catch {
      // Its file descriptor is gone (closed, a pipe whose reader left): nothing can be written.
    }
  }
};

/** The destination of `fd` (1: stdout) or of a file path. */
export const logDestination = (dest: number | string): Destination => {
  const destination = pino.destination({ dest, sync: true, minLength: 4096, periodicFlush: 1000 });
  if (open.size === 0) process.once('exit', flushOpen);
  open.add(destination);
  destination.once('close', () => {
    open.delete(destination);
    if (open.size === 0) process.off('exit', flushOpen);
  });
  return destination;
};
