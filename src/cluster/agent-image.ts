// The agent image (images/agent/Dockerfile) built here the way a user builds it, for the real node
// (docs/testing.md, "The end-to-end suite"): a Debian base made by mmdebstrap and committed by buildah, then `buildah bud`
// of the Dockerfile, written as an OCI archive that the real node imports into containerd. Cached
// under the cache directory by a hash of the Dockerfile's directory, the base and the build
// arguments; the build storage is kept too, so a changed Dockerfile rebuilds only the steps after
// the change (--layers).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../util/index.js';
import { type BinaryOptions, cacheRoot } from './binary.js';
import { type BuildahStorage, buildah, buildahLogged, contentTag, hasImage, runLogged } from './buildah.js';
import { markUsed, pruneImages, pruneUnnamed } from './image-prune.js';
import { withDirectoryLock } from './lock.js';
import { archCacheDir, emulationProblem, type ImageArch, isForeign } from './platform.js';
import type { LocalImage } from './real-node-images.js';

/** The Debian release of the local base (the Dockerfile's default base is its slim image). */
export const DEBIAN_SUITE = 'bookworm';
/** The local base's name: what it holds, not when it was made (made once per cache directory). */
export const DEBIAN_BASE = `orchestrator.local/debian-base:${DEBIAN_SUITE}-minbase-1`;
/** The host's trust store: build steps fetch over HTTPS through whatever proxy the host trusts. */
export const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/** A cold build is minutes: mmdebstrap ~1–4 min, the Dockerfile ~4–8 min on 2 busy cores. */
const BUILD_LIMIT_MS = 20 * 60_000;
/** An emulated one runs every RUN step several times slower (docs/releasing.md has the times). */
const EMULATED_LIMIT_MS = 4 * BUILD_LIMIT_MS;
const LOCK_WAIT_MS = 30 * 60_000;

export interface ImageBuildOptions extends BinaryOptions {
  /** The build context (holding a Dockerfile). Default: images/agent of this package. */
  contextDir?: string;
  /** The image's repository under orchestrator.local/. Default `agent`. */
  repository?: string;
  /**
   * The context's files and folders that decide the image (relative to contextDir), for a context
   * holding more than the Dockerfile copies (the repository: node_modules, the tests). Default: all.
   */
  contextFiles?: string[];
  /** `--build-arg`s; BASE_IMAGE defaults to the local Debian base. */
  buildArgs?: Record<string, string>;
  /**
   * Mount the host's CA bundle over the build's (read-only), so that build steps trust what the host
   * trusts. Default true; off for a Dockerfile that writes the bundle itself (update-ca-certificates).
   */
  hostCaBundle?: boolean;
  /** Called with each step's name before it starts (a build takes minutes: say so). */
  progress?: (step: string) => void;
  /**
   * The CPU the image is for (TARGETARCH). Default: the host's. Another is built under emulation
   * (platform.ts), in its own cache folder.
   */
  arch?: ImageArch;
}

/** Every file under these entries of the build context, with its path: what decides the image. */
function contextParts(root: string, entries = readdirSync(root)): string[] {
  const parts: string[] = [];
  for (const entry of [...entries].sort()) {
    const path = join(root, entry);
    if (statSync(path).isDirectory())
      parts.push(
        ...contextParts(
          root,
          readdirSync(path).map((name) => join(entry, name)),
        ),
      );
    else parts.push(relative(root, path), readFileSync(path, 'utf8'));
  }
  return parts;
}

/** The storage every image build here shares (overlay: the agent image's layers are big). */
const buildStorage = (cacheDir: string): BuildahStorage => ({
  dir: join(cacheDir, 'buildah'),
  driver: 'overlay',
});

/**
 * The cache folder of an image build's options, and the platform it emulates (none for the host's,
 * whose tags and layers stay those it always had).
 */
function buildCache(opts: Pick<ImageBuildOptions, 'cacheDir' | 'arch'>) {
  const foreign = opts.arch && isForeign(opts.arch) ? opts.arch : undefined;
  const cacheDir = opts.cacheDir ?? cacheRoot();
  return { foreign, cacheDir: foreign ? archCacheDir(cacheDir, foreign) : cacheDir };
}

/** The build storage holding the images built with these options. */
export const imageBuildStorage = (opts: Pick<ImageBuildOptions, 'cacheDir' | 'arch'> = {}) =>
  buildStorage(buildCache(opts).cacheDir);

/**
 * The local Debian base: `mmdebstrap --variant=minbase` with ca-certificates, added to an empty
 * image, unless the build storage has it.
 */
async function ensureDebianBase(
  cacheDir: string,
  arch: ImageArch | undefined,
  progress: (step: string) => void,
): Promise<void> {
  const storage = buildStorage(cacheDir);
  const name = DEBIAN_BASE;
  if (hasImage(storage, name)) return;
  if (spawnSync('mmdebstrap', ['--version'], { stdio: 'ignore', timeout: 30_000 }).status !== 0)
    throw new Error(
      'the agent image is built on a Debian base made by mmdebstrap: apt-get install mmdebstrap',
    );
  const work = join(cacheDir, 'images', '.debian-base');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    const archArgs = arch ? [`--architectures=${arch}`] : [];
    progress(`mmdebstrap ${DEBIAN_SUITE} (minbase, ca-certificates${arch ? `, ${arch}` : ''})`);
    const tarball = join(work, 'rootfs.tar');
    await runLogged(
      'mmdebstrap',
      ['--mode=root', '--variant=minbase', ...archArgs, '--include=ca-certificates', DEBIAN_SUITE, tarball],
      join(cacheDir, 'images', 'debian-base.log'),
      arch ? EMULATED_LIMIT_MS : BUILD_LIMIT_MS,
    );
    const container = buildah(storage, ['from', '--quiet', 'scratch']);
    buildah(storage, ['add', '--quiet', container, tarball, '/'], 600_000);
    buildah(storage, ['config', ...(arch ? ['--arch', arch] : []), '--cmd', '["bash"]', container]);
    buildah(storage, ['commit', '--quiet', '--rm', container, name], 600_000);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Builds the context's Dockerfile with `buildah bud --layers --isolation chroot`, unless its archive
 * is cached. The host's CA bundle is mounted into the build steps read-only (never saved in a layer).
 */
export async function buildLocalImage(opts: ImageBuildOptions = {}): Promise<LocalImage> {
  // An emulated build's platform is named in its tag and given to mmdebstrap and buildah.
  const { foreign, cacheDir } = buildCache(opts);
  const limit = foreign ? EMULATED_LIMIT_MS : BUILD_LIMIT_MS;
  const contextDir = opts.contextDir ?? join(packageRoot(), 'images', 'agent');
  const repository = opts.repository ?? 'agent';
  const progress = opts.progress ?? (() => {});
  const images = join(cacheDir, 'images');
  mkdirSync(images, { recursive: true });
  const storage = buildStorage(cacheDir);
  const args = { BASE_IMAGE: DEBIAN_BASE, ...opts.buildArgs };
  const argList = Object.entries(args).sort(([a], [b]) => (a < b ? -1 : 1));
  const tag = contentTag([
    repository,
    ...contextParts(contextDir, opts.contextFiles),
    ...argList.flat(),
    ...(foreign ? [`linux/${foreign}`] : []),
  ]);
  const name = `orchestrator.local/${repository}:${tag}`;
  const archive = join(images, `${repository}-${tag}.tar`);
  if (existsSync(archive)) {
    markUsed(archive);
    return { name, archive };
  }
  // One build at a time in the shared storage; the lock is the storage's.
  return withDirectoryLock(join(cacheDir, 'buildah.lock'), LOCK_WAIT_MS, async () => {
    if (existsSync(archive)) {
      markUsed(archive);
      return { name, archive };
    }
    if (foreign) {
      const problem = emulationProblem(foreign);
      if (problem) throw new Error(problem);
    }
    if (args.BASE_IMAGE === DEBIAN_BASE) await ensureDebianBase(cacheDir, foreign, progress);
    // A base named by the caller (an image built here before) is taken from its archive if pruned; an
    // emulated build's may be the host's (the operator's build stage, operator-image.ts), in its cache.
    const archiveDirs = [images, join(opts.cacheDir ?? cacheRoot(), 'images')];
    for (const base of Object.values(args).filter((v) => v.startsWith('orchestrator.local/'))) {
      const file = `${base.replace(/^orchestrator\.local\//, '').replace(':', '-')}.tar`;
      const baseArchive = archiveDirs.map((dir) => join(dir, file)).find((path) => existsSync(path));
      if (!hasImage(storage, base) && baseArchive)
        buildah(storage, ['pull', '--quiet', `oci-archive:${baseArchive}`], 600_000);
    }
    progress(`buildah bud ${relative(packageRoot(), contextDir) || contextDir} -> ${name}`);
    const log = join(images, `${repository}-${tag}.log`);
    await buildahLogged(
      storage,
      [
        'bud',
        '--layers',
        '--isolation',
        'chroot',
        '--pull-never',
        ...(foreign ? ['--platform', `linux/${foreign}`] : []),
        ...(opts.hostCaBundle !== false && existsSync(HOST_CA_BUNDLE)
          ? ['-v', `${HOST_CA_BUNDLE}:${HOST_CA_BUNDLE}:ro`]
          : []),
        ...argList.flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
        '-t',
        name,
        contextDir,
      ],
      log,
      limit,
    );
    progress(`buildah push ${name} oci-archive:${archive}`);
    await buildahLogged(
      storage,
      ['push', '--quiet', name, `oci-archive:${archive}.partial:${name}`],
      log,
      limit,
    );
    renameSync(`${archive}.partial`, archive);
    const pruned = pruneImages(images, storage, repository);
    if (pruned.length > 0) progress(`removed the cache's older ${repository} images: ${pruned.join(', ')}`);
    const stages = pruneUnnamed(storage);
    if (stages > 0) progress(`removed ${stages} older build stages from the build storage`);
    return { name, archive };
  });
}
