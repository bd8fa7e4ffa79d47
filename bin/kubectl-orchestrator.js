#!/usr/bin/env node
// The CLI as a kubectl plugin: kubectl runs `kubectl-orchestrator` from PATH for `kubectl orchestrator …`
// (npm links it under that name: kubectl looks for the exact name). Same commands as bin/orchestrator.js.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('kubectl orchestrator: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv, undefined, 'kubectl orchestrator');
