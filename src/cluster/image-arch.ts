// What an image built here is for, read from the image itself rather than from how it was built: its
// config's architecture, the CPU of its Node binary (the ELF header's e_machine, and `file`'s words
// for it) and the version that binary prints when run, under emulation for a foreign image
// (platform.ts); and, asked, the CPUs of the native code under a folder and what a command prints (the
// image's entry run). `npm run build:arm64` checks the arm64 images with it (docs/releasing.md).
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { type ImageBuildOptions, imageBuildStorage } from './agent-image.js';
import { buildah, hasImage } from './buildah.js';
import { ELF_MACHINE, type ImageArch } from './platform.js';
import type { LocalImage } from './real-node-images.js';

export interface ImageArchFacts {
  /** The image config's architecture (OCI's name: amd64, arm64). */
  architecture: string;
  /** The Node binary's ELF e_machine (62 x86-64, 183 AArch64). */
  nodeMachine: number;
  /** `file`'s description of the Node binary. */
  nodeFile: string;
  /** What `node --version` printed, run in the image. */
  nodeVersion: string;
  /** The ELF files under {@link ImageProbes.scan}, with their machines. */
  elfFiles?: ElfFile[];
  /** What {@link ImageProbes.run} printed, run in the image. */
  ran?: string;
}

/** More to read of an image than its Node. */
export interface ImageProbes {
  /** A folder of the image whose ELF files (native code) are listed: none may be another CPU's. */
  scan?: string;
  /** A command run in the image as its user, in its working directory (the entry's `--version`). */
  run?: string[];
}

export interface ElfFile {
  /** The path under the folder scanned. */
  path: string;
  machine: number;
}

/** The e_machine of an ELF file (the 16-bit little-endian field at offset 18). */
export function elfMachine(path: string): number {
  const header = Buffer.alloc(20);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  if (header.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${path} is not an ELF file`);
  return header.readUInt16LE(18);
}

/** Every ELF file under `dir` (regular files, links not followed), sorted by path. */
export function elfFiles(dir: string, under = ''): ElfFile[] {
  const found: ElfFile[] = [];
  for (const entry of readdirSync(join(dir, under), { withFileTypes: true })) {
    const path = under ? `${under}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...elfFiles(dir, path));
    else if (entry.isFile() && isElf(join(dir, path)))
      found.push({ path, machine: elfMachine(join(dir, path)) });
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Node's name of each CPU (process.arch), as packages name their prebuild folders. */
const NODE_CPU: Record<ImageArch, string> = { amd64: 'x64', arm64: 'arm64' };

/**
 * The platform a package's prebuilt addon is for, read from its folder (`prebuilds/<os>-<cpu>[+<cpu>]/`,
 * prebuildify's layout, from which node-gyp-build and Bare's loader pick at run time), or undefined for
 * a file outside one.
 */
export function prebuildPlatform(path: string): { os: string; cpus: string[] } | undefined {
  const match = /(?:^|\/)prebuilds\/([a-z0-9]+)-([a-z0-9+]+)\//.exec(path);
  return match?.[1] && match[2] ? { os: match[1], cpus: match[2].split('+') } : undefined;
}

/**
 * The native code under a folder as linux/`arch` loads it: `foreign`, the ELF files of another CPU that
 * it could load (outside a prebuild folder, or in linux/`arch`'s own); `otherPlatforms`, those in
 * another platform's prebuild folder, which a package ships to every install and no loader picks here.
 */
export function nativeCodeFor(
  files: ElfFile[],
  arch: ImageArch,
): { foreign: ElfFile[]; otherPlatforms: ElfFile[] } {
  const otherPlatforms = files.filter((f) => {
    const platform = prebuildPlatform(f.path);
    return platform !== undefined && !(platform.os === 'linux' && platform.cpus.includes(NODE_CPU[arch]));
  });
  const foreign = files.filter((f) => !otherPlatforms.includes(f) && f.machine !== ELF_MACHINE[arch]);
  return { foreign, otherPlatforms };
}

function isElf(path: string): boolean {
  const magic = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, magic, 0, 4, 0) === 4 && magic.readUInt32BE(0) === 0x7f454c46;
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads the facts of `image` from the build storage of `opts` (taken back from its archive if the
 * storage no longer has it); `node` is the Node binary's path in the image.
 */
export function imageArchFacts(
  image: LocalImage,
  node: string,
  opts: Pick<ImageBuildOptions, 'cacheDir' | 'arch'> = {},
  probes: ImageProbes = {},
): ImageArchFacts {
  const storage = imageBuildStorage(opts);
  if (!hasImage(storage, image.name))
    buildah(storage, ['pull', '--quiet', `oci-archive:${image.archive}`], 600_000);
  const architecture = buildah(storage, [
    'inspect',
    '--type',
    'image',
    '--format',
    '{{.OCIv1.Architecture}}',
    image.name,
  ]);
  const container = buildah(storage, ['from', '--quiet', '--pull-never', image.name]);
  try {
    // The binary as the image's root sees it: a link in the image (the agent's /opt/agent/bin/node) resolves
    // inside the mount only when relative, which npm's links are.
    const root = buildah(storage, ['mount', container]);
    const binary = spawnSync('readlink', ['-f', join(root, node)], { encoding: 'utf8' }).stdout.trim();
    if (!binary.startsWith(root)) throw new Error(`${node} in ${image.name} leaves the image (${binary})`);
    const described = spawnSync('file', ['-b', binary], { encoding: 'utf8', timeout: 30_000 });
    const nodeVersion = buildah(
      storage,
      ['run', '--isolation', 'chroot', container, '--', node, '--version'],
      300_000,
    );
    return {
      architecture,
      nodeMachine: elfMachine(binary),
      nodeFile: described.status === 0 ? described.stdout.trim() : `file failed: ${described.stderr.trim()}`,
      nodeVersion,
      ...(probes.scan && { elfFiles: elfFiles(join(root, probes.scan)) }),
      ...(probes.run && {
        ran: buildah(storage, ['run', '--isolation', 'chroot', container, '--', ...probes.run], 300_000),
      }),
    };
  } finally {
    buildah(storage, ['rm', container]);
  }
}
