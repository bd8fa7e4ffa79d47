// client-node's KubeConfig, imported from its own module rather than the package's index: the index
// also loads every generated API and model class (~1,000 modules; 25 MiB of heap and ~39 MiB of RSS
// in a process that only reads a kubeconfig), and the manager never uses them. Every value import
// of KubeConfig goes through here; type imports may name the package (they are erased).
// With the hook of slim-hook.ts registered (bin/orchestrator.js does), config.js's own import of the
// generated index is narrowed too; without it (tests importing sources) the class is the same one.
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
