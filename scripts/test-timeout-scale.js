// The one factor every test wait and timeout is multiplied by, for a slow or loaded machine:
// ORCHESTRATOR_TEST_TIMEOUT_SCALE (default 1). Read by test/harness/util/wait.ts (every wait in the tests) and
// by scripts/test.js (tap's per-file timeout).

/** The factor in `env`; anything but a positive number is an error, not a silent 1. */
export function testTimeoutScale(env = process.env) {
  const raw = env.ORCHESTRATOR_TEST_TIMEOUT_SCALE;
  if (raw === undefined || raw.trim() === '') return 1;
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new Error(`ORCHESTRATOR_TEST_TIMEOUT_SCALE must be a positive number, not ${JSON.stringify(raw)}`);
  }
  return scale;
}
