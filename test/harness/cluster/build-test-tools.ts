// Builds test tools (test-tools.ts) before the files that run them, with progress on stderr.
// scripts/test-builds.js runs it as `node --import ./scripts/ts-import.mjs
// test/harness/cluster/build-test-tools.ts [NAME…]` (dist/ holds only the compiled src/, so the
// harness's TypeScript is loaded as tap loads it): the tools named by their component's name, or every
// tool. It exits 1 when one could not be built (no Go beside envtest binaries, say), after trying
// the others, naming the tests that will fail without it. A tool whose module is not there (the
// peer's, outside this repository) is skipped, saying so: its users say so too.
import { existsSync } from 'node:fs';
import { TEST_TOOLS, testToolBinary } from './test-tools.js';

const log = (msg: string) => process.stderr.write(`[test] ${msg}\n`);

const names = process.argv.slice(2);
const unknown = names.filter((n) => !TEST_TOOLS.some((t) => t.component.name === n));
if (unknown.length > 0) {
  log(
    `unknown test tools: ${unknown.join(', ')} (known: ${TEST_TOOLS.map((t) => t.component.name).join(', ')})`,
  );
  process.exit(2);
}
let failed = false;
for (const tool of TEST_TOOLS.filter((t) => names.length === 0 || names.includes(t.component.name))) {
  if (!existsSync(tool.moduleDir)) {
    log(`${tool.tool}: not built, no module at ${tool.moduleDir}`);
    continue;
  }
  try {
    log(`${tool.tool}: ${await testToolBinary(tool, { log })}`);
  } catch (err) {
    failed = true;
    log(`the ${tool.tool} was not built, so ${tool.users} will fail: ${(err as Error).message}`);
  }
}
process.exit(failed ? 1 : 0);
