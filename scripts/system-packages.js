// The Debian packages `npm test` needs beyond Node.js, npm and Go (README "Tests"), installed by the
// test command itself when they are missing and it runs as root (apt-get), else named with the
// command that installs them: a fresh machine passes `npm test` by itself, as CI does (`.ci/run` calls
// this too, before the lint that needs shellcheck). The real node's packages are listed once, in
// src/cluster/real-node-host.ts (read from dist/, so build first); the others here.
// `node scripts/system-packages.js` installs (or names) what is missing and exits non-zero on failure.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The test suites' own packages, by a command each provides. */
const TEST_PACKAGES = [
  // shellcheck: npm run lint (lint:shell) and the rendered-script tests.
  { pkg: 'shellcheck', command: 'shellcheck' },
  // prometheus: promtool and a real Prometheus (metrics scrape, dashboard queries, alert rule tests).
  { pkg: 'prometheus', command: 'promtool' },
  // mmdebstrap: the agent image's Debian base (src/cluster/agent-image.ts).
  { pkg: 'mmdebstrap', command: 'mmdebstrap' },
  // squid: the egress proxy's rules under real Squid (src/egress/squid-destinations.test.ts).
  { pkg: 'squid', command: 'squid' },
  // zsh: the completion script as zsh runs it (src/cli/completion.test.ts), the shell of macOS.
  { pkg: 'zsh', command: 'zsh' },
  // chromium: the web console in a real browser, driven by playwright-core (test/harness/console).
  { pkg: 'chromium', command: 'chromium' },
];

export const onPath = (/** @type {string} */ command) =>
  (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

/** The packages this machine lacks for the whole suite. */
export async function missingPackages() {
  const { realNodeMissingPackages } = await import('../dist/cluster/index.js');
  return [...TEST_PACKAGES.filter((p) => !onPath(p.command)).map((p) => p.pkg), ...realNodeMissingPackages()];
}

/**
 * Installs what is missing when root; otherwise says what to install. Resolves to an error message, or
 * undefined when everything is there.
 * @param {(msg: string) => void} log
 */
export async function ensureSystemPackages(log) {
  const missing = await missingPackages();
  if (missing.length === 0) return undefined;
  const problem = installPackages(missing, 'the tests need', log);
  if (problem) return problem;
  const still = await missingPackages();
  return still.length ? `still missing after apt-get install: ${still.join(', ')}` : undefined;
}

/**
 * Installs these Debian packages with apt-get when root; otherwise says how. Returns an error message,
 * or undefined once apt-get succeeded. `why` says who needs them (`the tests need`).
 * @param {string[]} missing
 * @param {string} why
 * @param {(msg: string) => void} log
 */
export function installPackages(missing, why, log) {
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0)
    return `${why} the Debian packages ${missing.join(', ')}; install them as root: ${command}`;
  log(`installing the Debian packages ${why}: ${missing.join(' ')} (apt-get, once)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...missing],
  ]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (r.error || r.status !== 0)
      return `apt-get ${args[0]} failed (${r.error?.message ?? `status ${r.status}`}); run it yourself: ${command}`;
  }
  return undefined;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problem = await ensureSystemPackages((msg) => process.stderr.write(`[packages] ${msg}\n`));
  if (problem) {
    process.stderr.write(`[packages] ${problem}\n`);
    process.exit(1);
  }
  process.stderr.write('[packages] every Debian package the tests need is installed\n');
}
