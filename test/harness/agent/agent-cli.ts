// The real Claude Code CLI, pinned in devDependencies. Its npm package ships the CLI as a native
// binary per platform (an optional dependency, `@anthropic-ai/claude-code-<platform>-<arch>`) that its
// postinstall copies over a placeholder; the binary is taken from the platform package itself, so the
// tests do not depend on install scripts having run. It needs no Node.js.
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ControllerConfig } from '../../../src/api/index.js';
import { loadDefaultConfig } from '../../../src/config/load.js';

const require = createRequire(import.meta.url);

/** The CLI's version, as pinned (package.json devDependencies). */
export const agentCliVersion = (): string =>
  (require('@anthropic-ai/claude-code/package.json') as { version: string }).version;

/** The path of the native `claude` binary for this machine; throws naming the package when absent. */
export function agentCliBinary(): string {
  const pkg = `@anthropic-ai/claude-code-${process.platform}-${process.arch}`;
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new Error(`${pkg} is not installed: run \`npm ci\` (the agent CLI's native binary comes with it)`);
  }
  const binary = path.join(dir, 'claude');
  accessSync(binary, constants.X_OK);
  return binary;
}

/**
 * The shipped config with the model gateway off: the CLI then reads the platform's key from
 * ANTHROPIC_API_KEY, as the entry-script tests of the real CLI give it, and its settings name no
 * apiKeyHelper. The CLI asking the gateway itself (model-token.sh) runs in agent-e2e.test.ts.
 */
export function apiKeyConfig(): ControllerConfig {
  const config = structuredClone(loadDefaultConfig()) as ControllerConfig;
  config.gateway.enabled = false;
  return config;
}
