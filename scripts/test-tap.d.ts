// Declarations for scripts/test-tap.js.
export interface FileResult {
  file: string;
  ok: boolean;
  ms?: number;
  lines: string[];
  /** The file's top-level tests with their times. */
  suites: { name: string; ms: number }[];
}
export interface TapCounts {
  found: boolean;
  pass: number;
  fail: number;
  skip: number;
}
export function tapReader(onFile: (file: FileResult) => void): {
  line(line: string): void;
  summary(): TapCounts;
};
export function runTap(opts: {
  name: string;
  files: string[];
  jobs: number;
  env: NodeJS.ProcessEnv;
  logDir: string;
  extraArgs?: string[];
  baseEnv?: NodeJS.ProcessEnv;
  write?: (s: string) => void;
  writeErr?: (s: string) => void;
}): { kill(sig?: NodeJS.Signals): void; done: Promise<TapCounts & { code: number; files: FileResult[] }> };
