import { existsSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { markUsed, pruneImages, unnamedToRemove } from './image-prune.js';

const tag = (n: number) => n.toString(16).padStart(12, '0');

t.test("a repository keeps its most recently used images; others' and other files stay", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'image-prune-'));
  const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, n));
  for (let n = 1; n <= 6; n++) {
    writeFileSync(join(dir, `orchestrator-${tag(n)}.tar`), 'x');
    writeFileSync(join(dir, `orchestrator-${tag(n)}.log`), 'log');
    writeFileSync(join(dir, `orchestrator-${tag(n)}.tar.uncompressed.json`), '{}');
    utimesSync(join(dir, `orchestrator-${tag(n)}.tar`), at(n), at(n));
  }
  writeFileSync(join(dir, `orchestrator-e2e-${tag(1)}.tar`), 'another repository');
  writeFileSync(join(dir, `orchestrator-${tag(9)}.tar.partial`), 'a build under way');
  utimesSync(join(dir, `orchestrator-e2e-${tag(1)}.tar`), at(0), at(0));
  // The oldest is in use by a run: touched when the cache returned it.
  markUsed(join(dir, `orchestrator-${tag(1)}.tar`));

  const removed = pruneImages(dir, { dir: join(dir, 'storage') }, 'orchestrator', 4);
  t.same(removed.sort(), [tag(2), tag(3)], 'the two least recently used');
  for (const n of [2, 3]) {
    t.notOk(existsSync(join(dir, `orchestrator-${tag(n)}.tar`)));
    t.notOk(existsSync(join(dir, `orchestrator-${tag(n)}.log`)), 'with its build log');
    t.notOk(
      existsSync(join(dir, `orchestrator-${tag(n)}.tar.uncompressed.json`)),
      'and what was read from it',
    );
  }
  t.ok(existsSync(join(dir, `orchestrator-${tag(1)}.tar.uncompressed.json`)), "a kept image's stay");
  t.same(
    readdirSync(dir)
      .filter((f) => f.endsWith('.tar'))
      .sort(),
    [1, 4, 5, 6]
      .map((n) => `orchestrator-${tag(n)}.tar`)
      .concat(`orchestrator-e2e-${tag(1)}.tar`)
      .sort(),
  );
  t.ok(existsSync(join(dir, `orchestrator-${tag(9)}.tar.partial`)), 'a partial archive is not an image');
  t.same(pruneImages(dir, { dir: join(dir, 'storage') }, 'orchestrator', 4), [], 'nothing more to remove');
});

t.test(
  'the build storage keeps its newest unnamed images (the layer cache), the older ones go',
  async (t) => {
    const images = [5, 1, 9, 3, 7].map((n) => ({ id: `id${n}`, created: n }));
    t.same(unnamedToRemove(images, 3), ['id3', 'id1'], 'the oldest beyond the three kept');
    t.same(unnamedToRemove(images.slice(0, 2), 3), [], 'fewer than kept: none');
  },
);
