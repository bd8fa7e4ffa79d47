// fetch with a time limit on each call, and the caller's abort: every GitHub call of the operator.
/** `fetch` that gives up after `limitMs`, or when `signal` aborts. */
export function timedFetch(limitMs: number, signal?: AbortSignal): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(limitMs);
    return fetch(input, { ...init, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  };
}
