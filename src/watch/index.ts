// The one watcher of files for every hot-reloaded input (config, templates, certificates, webhook
// secrets), as controller-runtime's certwatcher is one package (docs/design.md §8).
// - file-events.ts: file system events as a hint, never the only way a change is seen.
// - hot-files.ts: a value built from files kept current; a bad load keeps the last good value.
// - snapshot.ts: what the watched paths hold, with one fingerprint for "did anything change?".
export { type HotFiles, hotFiles } from './hot-files.js';
export type { Snapshot } from './snapshot.js';
