// `npm run lint` runs shellcheck over the agent shell (scripts/check-shell.js): the shipped files
// pass, a planted finding fails it naming the file and the rule, and a machine without shellcheck
// fails it saying how to install it (never a silent pass).
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';

const root = path.resolve(import.meta.dirname, '../..');
const script = path.join(root, 'scripts/check-shell.js');
const agentShell = path.join(root, 'templates/agent-shell');
const check = (dir: string, env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, [script, dir], { encoding: 'utf8', env });

t.test('the agent-shell files pass', async (t) => {
  const r = check(agentShell);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /shellcheck clean/);
});

/** The agent-shell files copied, with `line` appended to lib.sh, checked. */
function planted(t: Test, line: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'check-shell-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(agentShell, dir, { recursive: true });
  appendFileSync(path.join(dir, 'lib.sh'), `${line}\n`);
  return check(dir);
}

t.test('a planted finding fails the lint, naming the file, line and rule', async (t) => {
  const r = planted(t, 'planted() { echo $1; }');
  t.equal(r.status, 1);
  t.match(r.stderr, /lib\.sh:\d+:\d+: note: Double quote to prevent globbing .*\[SC2086\]/);
  t.match(r.stderr, /1 shellcheck finding/);
});

t.test('a variable one file sets and another reads is not unused; one nobody reads is', async (t) => {
  const r = planted(t, 'set_it() { NOBODY_READS=1; }');
  t.equal(r.status, 1);
  t.match(r.stderr, /lib\.sh:\d+:\d+: warning: NOBODY_READS appears unused/);
  t.notMatch(r.stderr, /FAILURE|AGENT_STATUS/, 'set in lib.sh, read in result.sh');
});

t.test('without shellcheck the lint fails and says how to install it', async (t) => {
  const r = check(agentShell, { PATH: path.join(root, 'no-such-dir') });
  t.equal(r.status, 1);
  t.match(r.stderr, /shellcheck is not installed.*apt-get install -y shellcheck/);
});
