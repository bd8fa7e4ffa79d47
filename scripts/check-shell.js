// shellcheck over the operator's shell as it is in the repository (templates/agent-shell/*.sh), part of
// `npm run lint`: every severity, bash dialect. The files are sourced together by the rendered entry
// script, so they are checked together too: one generated script sources them all (`-x` follows the
// `# shellcheck source=` directives, `-a` reports what it finds in them), so a variable one file sets
// and another reads is neither "unused" nor "unassigned". The values the rendered prelude defines
// (templates/partials/values.sh.hbs) are upper-case, which shellcheck never reports as unassigned.
// A file that starts with `#!` is a program of its own (the stop hooks, run by the agent CLI and the
// entry script): it is checked alone, as it runs.
// A missing shellcheck fails the lint with how to install it: it never passes silently.
// `node scripts/check-shell.js [dir]` checks another folder (the planted-finding test).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dir = path.resolve(process.argv[2] ?? path.join(root, 'templates/agent-shell'));

const probe = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  console.error(
    'check-shell: shellcheck is not installed, and templates/agent-shell/*.sh must pass it: install it ' +
      '(Debian/Ubuntu: apt-get install -y shellcheck; macOS: brew install shellcheck) and run again',
  );
  process.exit(1);
}

const files = readdirSync(dir)
  .filter((f) => f.endsWith('.sh'))
  .sort();
if (files.length === 0) {
  console.error(`check-shell: no .sh file in ${path.relative(root, dir) || dir}`);
  process.exit(1);
}
const isProgram = (/** @type {string} */ f) => readFileSync(path.join(dir, f), 'utf8').startsWith('#!');
const work = mkdtempSync(path.join(tmpdir(), 'check-shell-'));
try {
  const all = path.join(work, 'all.sh');
  const lines = ['#!/usr/bin/env bash'];
  for (const f of files.filter((f) => !isProgram(f)))
    lines.push(`# shellcheck source=${path.join(dir, f)}`, `source ${JSON.stringify(f)}`);
  writeFileSync(all, `${lines.join('\n')}\n`);
  const programs = files.filter(isProgram).map((f) => path.join(dir, f));
  const check = spawnSync(
    'shellcheck',
    ['--shell=bash', '--severity=style', '--format=gcc', '-x', '-a', all, ...programs],
    {
      encoding: 'utf8',
    },
  );
  if (check.error) throw check.error;
  const real = check.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => (path.isAbsolute(l) ? path.relative(root, l) : l));
  if (check.status !== 0 && check.stdout.trim() === '') {
    console.error(`check-shell: shellcheck failed: ${check.stderr.trim()}`);
    process.exit(1);
  }
  if (real.length) {
    console.error(real.join('\n'));
    console.error(`check-shell: ${real.length} shellcheck finding(s) in ${path.relative(root, dir)}`);
    process.exit(1);
  }
  console.log(`shell: ${files.length} files in ${path.relative(root, dir)}, shellcheck clean`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
