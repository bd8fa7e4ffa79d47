// Files written into a directory the way the kubelet writes a Secret volume: each name a symlink through
// `..data` to a generation folder, `..data` swapped with one rename. A reader (the servers' certificate
// watcher) then sees the whole new set at once, never a certificate beside the old key.
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';

const linkTarget = (path: string): string | undefined => {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
};

const isLink = (path: string): boolean => {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
};

/** Replaces the files of `dir` with `files` (name → text) at once; private keys are readable by the owner only. */
export function writeSecretVolume(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  // A unique generation: a restarted container finds the last one's in its emptyDir.
  const generation = mkdtempSync(join(dir, '..gen_'));
  for (const [name, text] of Object.entries(files))
    writeFileSync(join(generation, name), text, { mode: 0o600 });
  const previous = linkTarget(join(dir, '..data'));
  rmSync(join(dir, '..data_tmp'), { force: true });
  symlinkSync(basename(generation), join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  for (const name of Object.keys(files)) {
    const path = join(dir, name);
    if (isLink(path)) continue;
    rmSync(path, { force: true });
    symlinkSync(`..data/${name}`, path);
  }
  if (previous !== undefined && previous !== basename(generation))
    rmSync(join(dir, previous), { recursive: true, force: true });
}
