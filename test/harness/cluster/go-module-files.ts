// Files that tests take from a Go module at a pinned version (CRDs, JSON schemas of other projects):
// downloaded once through the Go module proxy with `go mod download` (which checks the module's sum
// against the checksum database) and kept under the cache of the local cluster's binaries, keyed by
// module and version, so a fresh machine (CI) fetches them and later runs read them from disk.
import { execFile } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheRoot } from '../../../src/cluster/binary.js';
import { withDirectoryLock } from '../../../src/cluster/lock.js';

/** A module at a version the proxy serves (it refuses `@latest` and listings for some modules: pin). */
export interface GoModuleFiles {
  path: string;
  version: string;
  /** The files and folders wanted, relative to the module's root. */
  files: string[];
}

const run = promisify(execFile);

/** The module cache's files are read-only; the copies must not be, or a cache could not be removed. */
function writable(path: string): void {
  const dir = statSync(path).isDirectory();
  chmodSync(path, dir ? 0o755 : 0o644);
  if (dir) for (const entry of readdirSync(path)) writable(join(path, entry));
}

/** The folder holding `mod.files` (copied out of the module, as they are in it), downloading them first when not cached. */
export async function goModuleFiles(mod: GoModuleFiles, log?: (message: string) => void): Promise<string> {
  const dir = join(cacheRoot(), 'go-modules', `${mod.path.replaceAll('/', '_')}@${mod.version}`);
  const complete = () => mod.files.every((f) => existsSync(join(dir, f)));
  if (complete()) return dir;
  mkdirSync(dir, { recursive: true });
  await withDirectoryLock(join(dir, '.lock'), 10 * 60_000, async () => {
    if (complete()) return;
    log?.(`downloading ${mod.path}@${mod.version} from the Go module proxy`);
    const work = mkdtempSync(join(tmpdir(), 'go-module-'));
    try {
      // Outside any module, so no go.mod of the caller's is read or changed.
      const { stdout } = await run('go', ['mod', 'download', '-json', `${mod.path}@${mod.version}`], {
        cwd: work,
        env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' },
        timeout: 10 * 60_000,
        maxBuffer: 1 << 20,
      });
      const { Dir, Error: failed } = JSON.parse(stdout) as { Dir?: string; Error?: string };
      if (!Dir) throw new Error(`go mod download ${mod.path}@${mod.version}: ${failed ?? stdout}`);
      for (const file of mod.files) {
        const from = join(Dir, file);
        if (!existsSync(from)) throw new Error(`${mod.path}@${mod.version} has no ${file}`);
        // Copied beside the target, then renamed, so a reader never sees half a folder.
        const partial = join(dir, '.partial');
        rmSync(partial, { recursive: true, force: true });
        cpSync(from, partial, { recursive: true });
        writable(partial);
        rmSync(join(dir, file), { recursive: true, force: true });
        mkdirSync(join(dir, file, '..'), { recursive: true });
        renameSync(partial, join(dir, file));
      }
    } catch (err) {
      const e = err as Error & { stderr?: string };
      throw new Error(
        `fetching ${mod.path}@${mod.version} with \`go mod download\` failed (Go and the module proxy are needed): ${e.stderr || e.message}`,
      );
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
  return dir;
}
