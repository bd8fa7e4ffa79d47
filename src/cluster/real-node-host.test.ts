import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { realNodeMissing } from './real-node-host.js';

const COMMANDS = [
  'containerd',
  'ctr',
  'containerd-shim-runc-v2',
  'runc',
  'iptables',
  'ip',
  'ipset',
  'buildah',
];

t.test('without root or any command, every missing piece is named with its Debian package', async (t) => {
  const missing = realNodeMissing({ PATH: '' }, 1000);
  t.match(missing[0], /^root \(/);
  t.ok(missing.includes('containerd (Debian package containerd)'));
  t.ok(missing.includes('containerd-shim-runc-v2 (Debian package containerd)'));
  t.ok(missing.includes('runc (Debian package runc)'));
  t.ok(missing.includes('buildah (Debian package buildah)'));
  t.ok(missing.includes('ip (Debian package iproute2)'));
});

t.test('commands are looked up on PATH, and must be executable', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'real-node-path-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const c of COMMANDS) {
    writeFileSync(join(dir, c), '#!/bin/sh\n');
    chmodSync(join(dir, c), 0o755);
  }
  chmodSync(join(dir, 'runc'), 0o644);
  const missing = realNodeMissing({ PATH: dir }, 0);
  t.notOk(
    missing.some((m) => m.startsWith('root')),
    'uid 0 is root',
  );
  t.same(
    missing.filter((m) => !m.includes('/')),
    ['runc (Debian package runc)'],
    'only the command that cannot be executed',
  );
});
