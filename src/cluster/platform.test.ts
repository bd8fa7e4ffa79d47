// The CPU an image is built for: the host's builds in the cache as before, another in its own folder;
// the release's platforms are these; binfmt_misc gets QEMU's line as qemu-user-static ships it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { packageRoot } from '../util/package-root.js';
import { elfMachine } from './image-arch.js';
import {
  archCacheDir,
  ELF_MACHINE,
  emulationProblem,
  hostArch,
  IMAGE_ARCHES,
  isForeign,
  registerEmulation,
} from './platform.js';

t.test("Node's CPU names map to OCI's; another CPU has no image", async (t) => {
  t.equal(hostArch('x64'), 'amd64');
  t.equal(hostArch('arm64'), 'arm64');
  t.equal(hostArch('s390x'), undefined);
});

t.test("the host's images stay in the cache; another CPU's get a folder of their own", async (t) => {
  t.equal(archCacheDir('/c', 'amd64', 'amd64'), '/c');
  t.equal(archCacheDir('/c', 'arm64', 'amd64'), '/c/linux-arm64');
  t.equal(archCacheDir('/c', 'arm64', 'arm64'), '/c');
  t.equal(archCacheDir('/c', 'amd64', 'arm64'), '/c/linux-amd64');
  t.ok(isForeign('arm64', 'amd64'));
  t.notOk(isForeign('amd64', 'amd64'));
});

t.test("the host's own CPU needs no emulation", async (t) => {
  const host = hostArch();
  if (!host) throw new Error(`no image is built for this host's CPU (${process.arch})`);
  t.equal(emulationProblem(host), undefined);
});

t.test('the release builds the images for exactly these platforms', async (t) => {
  const workflow = readFileSync(join(packageRoot(), '.github', 'workflows', 'release.yml'), 'utf8');
  const platforms = [...workflow.matchAll(/platforms: (\S+)/g)].map((m) => m[1] ?? '');
  t.ok(platforms.length > 0, 'the workflow names its platforms');
  for (const list of platforms)
    t.same(
      list.split(','),
      IMAGE_ARCHES.map((a) => `linux/${a}`),
    );
});

t.test('ELF machines: this Node is of the host CPU; a non-ELF file is refused', async (t) => {
  const host = hostArch();
  if (!host) throw new Error(`no image is built for this host's CPU (${process.arch})`);
  t.equal(elfMachine(process.execPath), ELF_MACHINE[host]);
  const dir = mkdtempSync(join(tmpdir(), 'elf-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'script'), '#!/bin/sh\necho not a binary of any CPU\n');
  t.throws(() => elfMachine(join(dir, 'script')), /is not an ELF file/);
});

t.test("registering writes qemu-user-static's binfmt line once, and names a missing one", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'binfmt-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const binfmt = join(dir, 'binfmt_misc');
  const conf = join(dir, 'binfmt.d');
  mkdirSync(binfmt);
  mkdirSync(conf);
  writeFileSync(join(binfmt, 'register'), '');
  t.throws(
    () => registerEmulation('arm64', binfmt, conf),
    /qemu-aarch64\.conf is missing: apt-get install qemu-user-static/,
  );
  const line = ':qemu-aarch64:M::\\x7fELF:\\xff:/usr/libexec/qemu-binfmt/aarch64-binfmt-P:OPF';
  writeFileSync(join(conf, 'qemu-aarch64.conf'), `${line}\n`);
  t.same(registerEmulation('arm64', binfmt, conf), [
    `registered qemu-aarch64 (${conf}/qemu-aarch64.conf) with binfmt_misc`,
  ]);
  t.equal(readFileSync(join(binfmt, 'register'), 'utf8'), line, 'the line, as the kernel takes it');
  // The kernel then lists the entry; registered already, nothing is written again.
  writeFileSync(join(binfmt, 'qemu-aarch64'), 'enabled\n');
  writeFileSync(join(binfmt, 'register'), '');
  t.same(registerEmulation('arm64', binfmt, conf), []);
  t.equal(readFileSync(join(binfmt, 'register'), 'utf8'), '');
  t.ok(existsSync(join(binfmt, 'qemu-aarch64')));
});
