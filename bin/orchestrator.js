#!/usr/bin/env node
// The `orchestrator` command, and the kubectl plugin: linked as `kubectl-orchestrator` (package.json
// "bin"), kubectl runs it for `kubectl orchestrator …`, and its help says so. The TypeScript sources
// are compiled to dist/ by `npm run build`.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';

// package.json's engines: the manager's modules need Node 24 (module.registerHooks, client-node 2).
// test/config/node-version.test.ts holds this, the engines and the images' Node to one major.
const REQUIRED_NODE = 24;
if (Number(process.versions.node.split('.')[0]) < REQUIRED_NODE) {
  console.error(
    `orchestrator: needs Node.js >= ${REQUIRED_NODE}, this is ${process.version}; run it as \`npx orchestrator\` (npm ci installs it)`,
  );
  process.exit(1);
}
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
