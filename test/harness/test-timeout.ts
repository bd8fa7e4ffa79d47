/** `ms` stretched by ORCHESTRATOR_TEST_TIMEOUT_SCALE (default 1), for slow or busy machines. */
export function scaledTimeout(ms: number): number {
  const scale = Number(process.env.ORCHESTRATOR_TEST_TIMEOUT_SCALE);
  return ms * (Number.isFinite(scale) && scale > 0 ? scale : 1);
}
