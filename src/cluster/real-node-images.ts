// The real node's images, built here because it has no registry to pull from: the pod sandboxes'
// pause image (cluster/pause, a static Go program) and a test image holding Debian's static busybox.
// Each is assembled by buildah from scratch, written as an OCI archive that `control-plane start
// --real-node` imports into containerd, and cached under the cache directory by a hash of what it
// holds, so a changed file means a new tag (never `latest`: the kubelet would try to pull it).
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { type BinaryOptions, cacheRoot, moduleBinary, PAUSE } from './binary.js';
import { buildah, contentTag } from './buildah.js';
import { withDirectoryLock } from './lock.js';

/** The static busybox of Debian's busybox-static package. */
export const BUSYBOX = '/bin/busybox';

/** An image in an OCI archive, and the name pods use for it. */
export interface LocalImage {
  name: string;
  archive: string;
}

export interface RealNodeImages {
  /** The pod sandboxes' image (containerd's sandbox_image). */
  pause: LocalImage;
  /** busybox (every applet linked in /bin) for test pods: `sh -c …` with PATH=/bin. */
  busybox: LocalImage;
}

/**
 * Builds one image from scratch out of a staged directory (copied to /, modes kept), unless its
 * archive is cached; PATH is /bin. Its build storage is temporary: the archive is all that is kept.
 * The tests' other static images (Argo's, test/harness/deploy/argo-images.ts) are built the same way.
 * `entrypoint` (default none) is for images whose users give only `args`, as Argo Events' pods do:
 * the tag must then say so, since the same files make a different image.
 */
export async function scratchImage(
  repository: string,
  tag: string,
  cmd: string[],
  stage: (dir: string) => void,
  cacheDir: string,
  entrypoint: string[] = [],
): Promise<LocalImage> {
  const name = `orchestrator.local/${repository}:${tag}`;
  const archive = join(cacheDir, 'images', `${repository}-${tag}.tar`);
  if (existsSync(archive)) return { name, archive };
  mkdirSync(join(cacheDir, 'images'), { recursive: true });
  await withDirectoryLock(`${archive}.lock`, 5 * 60_000, async () => {
    if (existsSync(archive)) return;
    const work = { dir: mkdtempSync(join(cacheDir, 'images', `.build-${repository}-`)) };
    try {
      const files = join(work.dir, 'files');
      mkdirSync(files);
      stage(files);
      const container = buildah(work, ['from', '--quiet', 'scratch']);
      buildah(work, ['copy', '--quiet', container, `${files}/`, '/']);
      buildah(work, [
        'config',
        '--entrypoint',
        JSON.stringify(entrypoint),
        '--cmd',
        JSON.stringify(cmd),
        '--env',
        'PATH=/bin',
        container,
      ]);
      buildah(work, ['commit', '--quiet', container, name]);
      buildah(work, ['push', '--quiet', name, `oci-archive:${archive}.partial:${name}`]);
      renameSync(`${archive}.partial`, archive);
    } finally {
      rmSync(work.dir, { recursive: true, force: true });
    }
  });
  return { name, archive };
}

export function copyExecutable(from: string, to: string): void {
  copyFileSync(from, to);
  chmodSync(to, 0o755);
}

/** The busybox applets, one link each in /bin beside busybox itself. */
function busyboxApplets(): string[] {
  const res = spawnSync(BUSYBOX, ['--list'], { encoding: 'utf8', timeout: 10_000 });
  if (res.status !== 0) throw new Error(`${BUSYBOX} --list failed: ${res.stderr || res.error?.message}`);
  return res.stdout.split('\n').filter((a) => a && a !== 'busybox');
}

/** The real node's images, built (or found in the cache) under `opts.cacheDir`. */
export async function realNodeImages(opts: BinaryOptions = {}): Promise<RealNodeImages> {
  const cacheDir = opts.cacheDir ?? cacheRoot();
  const pauseBinary = await moduleBinary(PAUSE, { ...opts, moduleDir: undefined });
  const pauseBytes = readFileSync(pauseBinary);
  const pause = await scratchImage(
    'pause',
    contentTag(['pause/1', pauseBytes]),
    ['/pause'],
    (dir) => copyExecutable(pauseBinary, join(dir, 'pause')),
    cacheDir,
  );
  const busyboxBytes = readFileSync(BUSYBOX);
  const busybox = await scratchImage(
    'busybox',
    contentTag(['busybox/2', busyboxBytes]),
    ['/bin/sh'],
    (dir) => {
      mkdirSync(join(dir, 'bin'));
      copyExecutable(BUSYBOX, join(dir, 'bin', 'busybox'));
      for (const applet of busyboxApplets()) symlinkSync('busybox', join(dir, 'bin', applet));
      // The operator's agent pods run `bash entry.sh`: busybox's sh stands in, so a run's pod starts
      // and logs what its script does (busybox has no bash applet).
      writeFileSync(join(dir, 'bin', 'bash'), '#!/bin/sh\nexec /bin/busybox sh "$@"\n', { mode: 0o755 });
    },
    cacheDir,
  );
  return { pause, busybox };
}
