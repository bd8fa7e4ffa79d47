// The native code under an image's folder (npm run build:arm64 holds the operator's node_modules to
// the target's CPU with it): ELF files found at any depth with their machine, other files and links not.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { elfFiles, elfMachine } from './image-arch.js';
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
