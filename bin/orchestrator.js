#!/usr/bin/env node
// The `orchestrator` command. The TypeScript sources are compiled to dist/ by `npm run build`.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('orchestrator: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
