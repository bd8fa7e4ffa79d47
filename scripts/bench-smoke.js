// The benchmarks' smoke mode (BENCH_SMOKE=1): one short round of tiny sizes through the benchmark's
// whole path, which the suite runs (test/bench/smoke.test.ts, test/integration/bench-smoke.test.ts) so
// that a benchmark that stops working fails it. The figures are printed as usual and mean nothing at
// these sizes; nothing about time is asserted. A side that could not be measured (the peer's included)
// exits non-zero, where a full run reports it and keeps the other sides' figures.
// Plain JavaScript: scripts/bench-webhook.js reads it too.

/** Whether this process runs the benchmark's smoke round. */
export const SMOKE = process.env.BENCH_SMOKE === '1';

/** `full` in a measuring run, `tiny` in a smoke round: each benchmark states its own sizes. */
export const sized = (full, tiny) => (SMOKE ? tiny : full);
