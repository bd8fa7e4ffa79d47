// actionlint over the GitHub Actions workflows (.github/workflows/), part of `npm run lint`. actionlint
// is built from its Go module (tools/actionlint, pinned) through the module proxy and cached like the
// project's other Go programs (src/cluster/binary.ts moduleBinary, under ~/.cache/orchestrator): a
// fresh machine builds it on its first lint (about a minute), later lints reuse it. It runs shellcheck
// on each `run:` script (shellcheck is on PATH: check-shell.js needs it too).
// Run as `node --import ./scripts/ts-import.mjs scripts/check-workflows.js [dir]` (it loads src/ as
// TypeScript); `dir` is another repository's root, whose .github/workflows/ is checked (the
// planted-finding test).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { moduleBinary } from '../src/cluster/binary.js';

const root = path.resolve(import.meta.dirname, '..');

/** @type {import('../src/cluster/binary.js').GoComponent} */
const ACTIONLINT = {
  name: 'actionlint',
  target: 'github.com/rhysd/actionlint/cmd/actionlint',
  label: 'actionlint',
  holds: 'the GitHub Actions workflow linter',
};

let binary;
try {
  binary = await moduleBinary(ACTIONLINT, {
    moduleDir: path.join(root, 'tools', 'actionlint'),
    log: (message) => console.error(`check-workflows: ${message}`),
  });
} catch (err) {
  console.error(
    `check-workflows: actionlint could not be built from tools/actionlint (Go ≥ 1.26 and the Go module proxy are needed): ${/** @type {Error} */ (err).message}`,
  );
  process.exit(1);
}
// The files named, not found by actionlint: it looks for them only inside a git repository.
const workflows = path.join(path.resolve(process.argv[2] ?? root), '.github', 'workflows');
const files = readdirSync(workflows)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => path.join(workflows, f));
if (files.length === 0) {
  console.error(`check-workflows: no workflow in ${workflows}`);
  process.exit(1);
}
const res = spawnSync(binary, ['-no-color', ...files], { cwd: root, stdio: 'inherit' });
if (res.status === 0) console.log('check-workflows: actionlint clean');
process.exit(res.status ?? 1);
