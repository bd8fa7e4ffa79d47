// `npm run lint` runs actionlint over the GitHub Actions workflows (scripts/check-workflows.js, built
// from tools/actionlint): the shipped workflows pass, and a planted mistake fails it, naming the file,
// the line and the check.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';

const root = path.resolve(import.meta.dirname, '../..');
const check = (dir: string) =>
  spawnSync(
    process.execPath,
    [
      '--import',
      path.join(root, 'scripts/ts-import.mjs'),
      path.join(root, 'scripts/check-workflows.js'),
      dir,
    ],
    { encoding: 'utf8' },
  );

t.test('the shipped workflows pass', async (t) => {
  const r = check(root);
  t.equal(r.status, 0, r.stdout + r.stderr);
  t.match(r.stdout, /actionlint clean/);
});

t.test('a planted mistake fails the lint, naming the file, line and check', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'check-workflows-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true });
  writeFileSync(
    path.join(dir, '.github', 'workflows', 'bad.yml'),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template.
    'on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo "${{ secret.TOKEN }}"\n',
  );
  const r = check(dir);
  t.equal(r.status, 1);
  t.match(r.stdout, /bad\.yml:6:\d+: undefined variable "secret"\. .*\[expression\]/);
});
