// Declarations for scripts/generate-entry-env.js, for the TypeScript tests that call it. Keep in step
// with the JSDoc there.
export const ENTRY_ENV_PATH: string;
export function shellFiles(rootDir: string): string[];
export function entryScriptEnv(rootDir: string): string[];
export function entryEnvModule(rootDir: string): string;
