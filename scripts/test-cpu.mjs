// Records the CPU a test file's process took, with every child it waited for (the operators and
// clusters it started), when npm test asks for it (ORCHESTRATOR_TEST_CPU_FILE): the report ranks the
// files by CPU, the scarcest resource of a 2-core run, beside their wall times.
// Loaded in every tap process (package.json "tap"."node-arg"); a process that is not a test file's
// records nothing.
import { appendFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { treeCpu } from './proc-usage.js';

const out = process.env.ORCHESTRATOR_TEST_CPU_FILE;
const file = process.argv[1];
if (out && file?.endsWith('.test.ts'))
  process.on('exit', () => {
    const { user, system } = treeCpu();
    // One short line with O_APPEND: two files ending at once never interleave within it.
    const root = resolve(import.meta.dirname, '..');
    appendFileSync(out, `${JSON.stringify({ file: relative(root, file), ms: (user + system) / 1000 })}\n`);
  });
