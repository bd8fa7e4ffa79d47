// Declarations for scripts/test-durations.js.
export function readDurations(path: string): Map<string, number>;
export function writeDurations(
  path: string,
  previous: Map<string, number>,
  files: { file: string; ms?: number }[],
): void;
