// The CPU an image is built for. The host's own builds natively, in the cache as it always was; the
// other one (arm64 on an x64 host, docs/releasing.md "The arm64 images") builds under QEMU's user-mode
// emulation, registered with the kernel's binfmt_misc, so that buildah can run the Dockerfile's RUN
// steps and mmdebstrap the base's maintainer scripts. A foreign build keeps its own cache folder (build
// storage, lock, archives): its slow layers never share a lock with, nor prune, the host's images.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The architectures the images are released for (.github/workflows/release.yml), in OCI's names. */
export const IMAGE_ARCHES = ['amd64', 'arm64'] as const;
export type ImageArch = (typeof IMAGE_ARCHES)[number];

/** The ELF e_machine of each architecture's programs (the check of what a build made). */
export const ELF_MACHINE: Record<ImageArch, number> = { amd64: 62, arm64: 183 };

/** QEMU's name for each CPU (its qemu-<cpu>-static and binfmt entry qemu-<cpu>). */
const QEMU_CPU: Record<ImageArch, string> = { amd64: 'x86_64', arm64: 'aarch64' };

/** The host's architecture, in OCI's names; undefined on a CPU no image is built for. */
export function hostArch(nodeArch: string = process.arch): ImageArch | undefined {
  return nodeArch === 'x64' ? 'amd64' : nodeArch === 'arm64' ? 'arm64' : undefined;
}

/** Whether `arch` is not the host's: its builds are emulated. */
export const isForeign = (arch: ImageArch, host = hostArch()) => arch !== host;

/** The cache folder of `arch`'s images: the cache itself for the host's, a subfolder for another. */
export function archCacheDir(cacheDir: string, arch: ImageArch, host = hostArch()): string {
  return isForeign(arch, host) ? join(cacheDir, `linux-${arch}`) : cacheDir;
}

/** The Debian packages an emulated build needs: QEMU's static emulators, and mmdebstrap's probe. */
export const EMULATION_PACKAGES = [
  { pkg: 'qemu-user-static', command: 'qemu-aarch64-static' },
  { pkg: 'arch-test', command: 'arch-test' },
];

const BINFMT = '/proc/sys/fs/binfmt_misc';

/**
 * Why `arch`'s programs cannot run here, or undefined when they can: arch-test runs a tiny program of
 * that architecture (what mmdebstrap checks before a foreign bootstrap).
 */
export function emulationProblem(arch: ImageArch): string | undefined {
  if (!isForeign(arch)) return undefined;
  const res = spawnSync('arch-test', [arch], { encoding: 'utf8', timeout: 30_000 });
  if (res.error)
    return `arch-test: ${res.error.message} (apt-get install ${EMULATION_PACKAGES.map((p) => p.pkg).join(' ')})`;
  if (res.status === 0) return undefined;
  return `this ${process.arch} host cannot run ${arch} programs (arch-test: ${(res.stdout + res.stderr).trim()}): register QEMU's emulator with binfmt_misc (\`npm run build:arm64\` does it as root)`;
}

/**
 * Registers QEMU's emulator of `arch` with binfmt_misc as systemd-binfmt would at boot (the line
 * qemu-user-static ships in /usr/lib/binfmt.d), mounting binfmt_misc first where nothing has (a
 * container, a machine without systemd). Root only; a no-op when registered. Returns what it did.
 */
export function registerEmulation(arch: ImageArch, binfmt = BINFMT, confDir = '/usr/lib/binfmt.d'): string[] {
  const entry = `qemu-${QEMU_CPU[arch]}`;
  const done: string[] = [];
  if (!existsSync(join(binfmt, 'register'))) {
    const res = spawnSync('mount', ['-t', 'binfmt_misc', 'binfmt_misc', binfmt], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`mount -t binfmt_misc binfmt_misc ${binfmt}: ${res.stderr.trim()}`);
    done.push(`mounted binfmt_misc on ${binfmt}`);
  }
  if (existsSync(join(binfmt, entry))) return done;
  const conf = join(confDir, `${entry}.conf`);
  if (!existsSync(conf)) throw new Error(`${conf} is missing: apt-get install qemu-user-static`);
  writeFileSync(join(binfmt, 'register'), readFileSync(conf, 'utf8').trim());
  done.push(`registered ${entry} (${conf}) with binfmt_misc`);
  return done;
}
