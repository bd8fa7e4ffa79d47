#!/usr/bin/env node
// The `orchestrator` command, and the kubectl plugin: linked as `kubectl-orchestrator` (package.json
// "bin"), kubectl runs it for `kubectl orchestrator …`, and its help says so. The TypeScript sources
// are compiled to dist/ by `npm run build`.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('orchestrator: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
// Before the commands' modules load: client-node's KubeConfig without its generated API classes.
await import(new URL('../dist/kubeconfig/register-slim.js', import.meta.url).href);
const name = basename(process.argv[1] ?? '') === 'kubectl-orchestrator' ? 'kubectl orchestrator' : undefined;
const { main } = await import(entry.href);
process.exitCode = await main(process.argv, undefined, name);
