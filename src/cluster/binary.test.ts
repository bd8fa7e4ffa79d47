import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { cacheRoot, moduleHash } from './binary.js';

t.test('the module hash changes with any source, go.mod, go.sum or toolchain change', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mod-'));
  writeFileSync(join(dir, 'go.mod'), 'module x\n');
  writeFileSync(join(dir, 'main.go'), 'package main\n');
  writeFileSync(join(dir, 'README.md'), 'notes');
  const base = moduleHash(dir, 'go1.26');
  t.equal(moduleHash(dir, 'go1.26'), base, 'deterministic');
  t.not(moduleHash(dir, 'go1.25'), base, 'toolchain');
  writeFileSync(join(dir, 'README.md'), 'other notes');
  t.equal(moduleHash(dir, 'go1.26'), base, 'documentation does not matter');
  writeFileSync(join(dir, 'go.sum'), 'x v1 h1:abc\n');
  const withSum = moduleHash(dir, 'go1.26');
  t.not(withSum, base, 'go.sum');
  writeFileSync(join(dir, 'main.go'), 'package main\n// changed\n');
  t.not(moduleHash(dir, 'go1.26'), withSum, 'sources');
});

t.test('the cache root follows ORCHESTRATOR_CACHE_DIR, then XDG_CACHE_HOME', async (t) => {
  t.equal(cacheRoot({ ORCHESTRATOR_CACHE_DIR: '/c' }), '/c');
  t.equal(cacheRoot({ XDG_CACHE_HOME: '/x' }), '/x/orchestrator');
  t.match(cacheRoot({}), /\.cache\/orchestrator$/);
});
