// The native code under an image's folder (npm run build:arm64 holds the operator's node_modules to
// the target's CPU with it): ELF files found at any depth with their machine, other files and links not.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { elfFiles, elfMachine, nativeCodeFor, prebuildPlatform } from './image-arch.js';
import { ELF_MACHINE } from './platform.js';

/** The first 20 bytes of an ELF file for `machine` (magic, then e_machine at offset 18). */
function elfHeader(machine: number): Buffer {
  const header = Buffer.alloc(64);
  header.writeUInt32BE(0x7f454c46, 0);
  header.writeUInt16LE(machine, 18);
  return header;
}

t.test('ELF files at any depth with their machine; text, short files and links left out', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'elf-files-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'pkg', 'prebuilds', 'linux-arm64'), { recursive: true });
  writeFileSync(join(dir, 'pkg', 'prebuilds', 'linux-arm64', 'addon.node'), elfHeader(ELF_MACHINE.arm64));
  writeFileSync(join(dir, 'pkg', 'x64.node'), elfHeader(ELF_MACHINE.amd64));
  writeFileSync(join(dir, 'pkg', 'index.js'), 'export {};\n');
  writeFileSync(join(dir, 'short'), Buffer.from([0x7f, 0x45]));
  symlinkSync(join(dir, 'pkg', 'x64.node'), join(dir, 'link.node'));
  t.same(elfFiles(dir), [
    { path: 'pkg/prebuilds/linux-arm64/addon.node', machine: ELF_MACHINE.arm64 },
    { path: 'pkg/x64.node', machine: ELF_MACHINE.amd64 },
  ]);
  t.equal(elfMachine(join(dir, 'pkg', 'x64.node')), ELF_MACHINE.amd64);
});

t.test('a folder without native code has none', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'elf-files-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'package.json'), '{}');
  t.same(elfFiles(dir), []);
});

// A package such as bare-fs (tar-stream's dependency) ships its addons for every platform in one
// install; only linux/<arch>'s folder, and anything outside a prebuild folder, can be loaded there.
t.test(
  "another CPU's native code: outside a prebuild folder or in the target's own, not other platforms'",
  async (t) => {
    const elf = (path: string, arch: 'amd64' | 'arm64' | 'arm') => ({
      path,
      machine: arch === 'arm' ? 40 : ELF_MACHINE[arch],
    });
    const files = [
      elf('bare-fs/prebuilds/linux-arm64/bare-fs.bare', 'arm64'),
      elf('bare-fs/prebuilds/linux-x64/bare-fs.bare', 'amd64'),
      elf('bare-fs/prebuilds/android-arm/bare-fs.bare', 'arm'),
      elf('bare-fs/prebuilds/android-arm64/bare-fs.bare', 'arm64'),
      elf('fat/prebuilds/darwin-x64+arm64/fat.node', 'amd64'),
    ];
    t.same(nativeCodeFor(files, 'arm64'), { foreign: [], otherPlatforms: files.slice(1) });
    const strays = [
      elf('esbuild-linux-x64/bin/esbuild', 'amd64'),
      elf('wrong/prebuilds/linux-arm64/wrong.node', 'amd64'),
      elf('universal/prebuilds/linux-x64+arm64/u.node', 'amd64'),
    ];
    t.same(nativeCodeFor([...files, ...strays], 'arm64').foreign, strays);
    t.same(nativeCodeFor(files, 'amd64').foreign, [], 'linux-x64 is the amd64 folder');
    t.same(
      nativeCodeFor(files, 'amd64').otherPlatforms.map((f) => f.path),
      files.filter((f) => !f.path.includes('linux-x64')).map((f) => f.path),
    );
    t.same(prebuildPlatform('a/prebuilds/darwin-x64+arm64/a.node'), { os: 'darwin', cpus: ['x64', 'arm64'] });
    t.equal(prebuildPlatform('a/build/Release/a.node'), undefined);
  },
);
