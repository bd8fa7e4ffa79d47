// certs/.gitignore keeps generated key material out of commits: what `orchestrator certs` writes below
// certs/ (its default certs/dev, docs/install.md's certs/cluster) is ignored by git, while the folder's
// own docs stay tracked. Proven in a fresh repository holding the shipped certs/ files, so the test
// neither depends on nor changes the checkout it runs in.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { packageRoot } from '../util/package-root.js';
import { writeDevCertificates } from './dev.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', timeout: 30_000 });

/** `git check-ignore` exits 1 for a path that is not ignored: that is an answer, not an error. */
function ignored(cwd: string, path: string): boolean {
  try {
    git(cwd, 'check-ignore', '--no-index', '-q', path);
    return true;
  } catch (err) {
    if ((err as { status?: number }).status === 1) return false;
    throw err;
  }
}

t.test('generated certificates and keys under certs/ are ignored; its docs are not', async (t) => {
  const repo = mkdtempSync(join(tmpdir(), 'certs-ignore-'));
  t.teardown(() => rmSync(repo, { recursive: true, force: true }));
  git(repo, 'init', '-q');
  mkdirSync(join(repo, 'certs'));
  for (const file of ['.gitignore', 'README.md'])
    copyFileSync(join(packageRoot(), 'certs', file), join(repo, 'certs', file));
  const written = [];
  for (const out of ['certs/dev', 'certs/cluster']) {
    const files = await writeDevCertificates({
      out: join(repo, out),
      service: 'orchestrator-webhook',
      namespace: 'orchestrator-system',
    });
    written.push(files.caFile, files.certFile, files.keyFile, join(repo, out, 'ca.key'));
  }
  for (const file of written) t.ok(ignored(repo, file), `${file.slice(repo.length + 1)} is ignored`);
  for (const file of ['certs/.gitignore', 'certs/README.md'])
    t.notOk(ignored(repo, file), `${file} stays tracked`);
  t.same(
    git(repo, 'status', '--porcelain', '--untracked-files=all').split('\n').filter(Boolean).sort(),
    ['?? certs/.gitignore', '?? certs/README.md'],
    "git status offers only the folder's own files for a commit",
  );
});
