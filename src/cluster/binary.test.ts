import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { cacheRoot, goEnv, moduleHash } from './binary.js';

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

t.test("the module hash covers its sub-packages' sources, not what Go ignores", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mod-'));
  writeFileSync(join(dir, 'go.mod'), 'module x\n');
  writeFileSync(join(dir, 'main.go'), 'package main\n');
  for (const sub of ['controllers', 'internal/multicall', 'testdata', '_scratch', '.git', 'vendor/y'])
    mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'controllers', 'main.go'), 'package main\n');
  writeFileSync(join(dir, 'internal', 'multicall', 'multicall.go'), 'package multicall\n');
  const base = moduleHash(dir, 'go1.26');
  writeFileSync(join(dir, 'controllers', 'main.go'), 'package main\n// changed\n');
  const sub = moduleHash(dir, 'go1.26');
  t.not(sub, base, 'a main package in a folder');
  writeFileSync(join(dir, 'internal', 'multicall', 'multicall.go'), 'package multicall\n// changed\n');
  const nested = moduleHash(dir, 'go1.26');
  t.not(nested, sub, 'a package two folders down');
  for (const ignored of ['testdata/x.go', '_scratch/x.go', '.git/x.go', 'vendor/y/y.go'])
    writeFileSync(join(dir, ignored), 'package x\n');
  t.equal(moduleHash(dir, 'go1.26'), nested, 'testdata, _ and . folders, vendor/ do not matter');
  // The file's path counts, not only its content: a file moved to another package changes the build.
  const moved = mkdtempSync(join(tmpdir(), 'mod-'));
  writeFileSync(join(moved, 'go.mod'), 'module x\n');
  writeFileSync(join(moved, 'main.go'), 'package main\n');
  mkdirSync(join(moved, 'node'));
  writeFileSync(join(moved, 'node', 'main.go'), 'package main\n// changed\n');
  mkdirSync(join(moved, 'internal', 'multicall'), { recursive: true });
  writeFileSync(join(moved, 'internal', 'multicall', 'multicall.go'), 'package multicall\n// changed\n');
  t.not(moduleHash(moved, 'go1.26'), nested, 'the same file in another folder');
});

t.test('the cache root follows ORCHESTRATOR_CACHE_DIR, then XDG_CACHE_HOME', async (t) => {
  t.equal(cacheRoot({ ORCHESTRATOR_CACHE_DIR: '/c' }), '/c');
  t.equal(cacheRoot({ XDG_CACHE_HOME: '/x' }), '/x/orchestrator');
  t.match(cacheRoot({}), /\.cache\/orchestrator$/);
});

t.test(
  "go runs with the local toolchain, no cgo, the module graph read-only, and GOGC 400 unless the caller's",
  async (t) => {
    t.match(goEnv({ PATH: '/bin' }), {
      PATH: '/bin',
      GOGC: '400',
      GOTOOLCHAIN: 'local',
      CGO_ENABLED: '0',
      GOFLAGS: '-mod=readonly',
    });
    t.equal(goEnv({ GOGC: '100' }).GOGC, '100', "the caller's GOGC is kept");
    t.equal(
      goEnv({ GOTOOLCHAIN: 'auto', CGO_ENABLED: '1' }).GOTOOLCHAIN,
      'local',
      'what the build needs wins',
    );
  },
);
