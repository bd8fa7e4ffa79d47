// Where the controller config in force comes from, as its readers see it: the webhooks, the REST API
// and the reconcilers ask for the current config at each use, so a reload (src/config/watch.ts) applies
// without restarting them. Declared with the API types so that readers need not depend on the loader.
import type { ControllerConfig } from './types.js';

/** The current config, reloaded when the file changes; a bad new file never replaces a good one. */
export interface ConfigSource {
  current(): ControllerConfig;
  close(): void;
}

/** A fixed config (tests, offline validation). */
export const staticConfig = (config: ControllerConfig): ConfigSource => ({
  current: () => config,
  close: () => {},
});
