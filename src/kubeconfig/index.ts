// client-node's KubeConfig without its generated API classes: about a thousand modules and tens of MiB
// that the manager never uses (docs/decisions/0002-slim-client-node.md). Every value import of KubeConfig goes through
// kube-config.ts.
// - gen-slim.ts: the two exports config.js needs of client-node's generated index, from their own modules.
// - kube-config.ts: KubeConfig from its own module: what the rest of src/ imports.
// - lazy-deps.ts: config.js's proxy packages and js-yaml, loaded on first use.
// - register-slim.ts: registers slim-hook.ts; bin/orchestrator.js imports it first, for that effect alone,
//   so it is not re-exported here.
// - slim-hook.ts: the resolve hook that points config.js's import of the index at gen-slim.ts, and of
//   its proxy packages and js-yaml at lazy-deps.ts.
export { KubeConfig } from './kube-config.js';
