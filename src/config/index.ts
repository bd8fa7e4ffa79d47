// The controller configuration: one YAML file, validated by schemas/controller-config.schema.yaml, with the
// cross-field rules a schema cannot say, and hot reloaded (docs/design.md §8). Its readers get it as a
// ConfigSource (src/api/config-source.ts), never from the loader.
// - alerts.ts: the rules of the alert routes a schema cannot say (unique names, agents that exist).
// - economics.ts: the rules of the limits, budgets and agent telemetry keys a schema cannot say.
// - egress.ts: the rules of the egress allowlists a schema cannot say (ports, profiles' allowlists).
// - env-overrides.ts: the seeds' environment variables (SERVER_PORT, JOB_IMAGE, …) over the config file.
// - load.ts: the file read, defaulted from the schema and validated.
// - mcp-servers.ts: the rules of the team's MCP servers a schema cannot say (shape, CLIs, names, egress).
// - namespace-scope.ts: the runs' namespaces as the config states them, read once at start.
// - notifications.ts: the rules of the notification sinks a schema cannot say.
// - protections-off.ts: the protections the config turns off (gateway, egress), what each exposes and how to turn it on.
// - reload-metrics.ts: metrics of every hot-reloaded input (config and templates): the alert to page on,
//   since the process keeps running on the last good input.
// - seed-convert.ts: a seed's Helm values or controller config.yaml converted into this config, key by key.
// - seed-keys.ts: the seeds' configuration keys and what each becomes: the converter's table, and the
//   refusal's hint naming the command.
// - task-docs.ts: where a Task Master project keeps its tasks and their documents (config taskDocs).
// - watch.ts: the config file hot reloaded through the one file watcher (src/watch).

export { DEFAULT_ALLOWLIST } from './egress.js';
export { defaultConfigFile, loadConfigFile, loadDefaultConfig, parseConfig } from './load.js';
export { namespaceScope } from './namespace-scope.js';
export { type ProtectionOff, protectionsOff, turnedOff } from './protections-off.js';
export type { ReloadMetrics } from './reload-metrics.js';
export { reloadMetrics } from './reload-metrics.js';
export {
  type Conversion,
  convertSeed,
  detectSeed,
  formatReportLine,
  readSeed,
  SEED_SOURCES,
  SeedConvertError,
} from './seed-convert.js';
export type { SeedSource } from './seed-keys.js';
export { taskDocsPaths } from './task-docs.js';
export { watchConfigFile } from './watch.js';
