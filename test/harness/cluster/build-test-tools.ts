// Builds every test tool (test-tools.ts) before the suites run, with progress on stderr. scripts/test.js
// runs it as `node --import @tapjs/typescript/import test/harness/cluster/build-test-tools.ts` (dist/
// holds only the compiled src/, so the harness's TypeScript is loaded as tap loads it). A tool that
// cannot be built (no Go beside envtest binaries, say) is reported with the tests that will fail
// without it, and the run goes on: it exits 0 either way.
import { TEST_TOOLS, testToolBinary } from './test-tools.js';

const log = (msg: string) => process.stderr.write(`[test] ${msg}\n`);

for (const tool of TEST_TOOLS) {
  try {
    log(`${tool.tool}: ${await testToolBinary(tool, { log })}`);
  } catch (err) {
    log(`the ${tool.tool} was not built, so ${tool.users} will fail: ${(err as Error).message}`);
  }
}
