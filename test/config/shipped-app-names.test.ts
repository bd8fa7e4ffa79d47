// No shipped default names the seed's GitHub Apps (5DLabs-Rex and its team): they are another
// organisation's, and an install names its own (decision 0044). Their names may stay only in the seed
// sample (config/samples/seed), the docs and the tests that pin the seed. Every file an install or the
// CLI reads is searched: the config, the chart, the CRDs and schemas, the templates, the code.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { packageRoot } from '../../src/util/package-root.js';

const root = packageRoot();
const SHIPPED = ['config', 'charts', 'crds', 'schemas', 'templates', 'src', 'images', 'scripts'];
const SEED_SAMPLE = join('config', 'samples', 'seed');

/**
 * Files that still name the seed's Apps, to go (issue #54): the Argo templates' App parameters default
 * to them. The test fails when one is fixed and not taken off this list, as when a new one appears.
 */
const STILL_NAMING = [
  'config/argo/workflows/coderun-template.yaml',
  'config/argo/workflows/docsrun-template.yaml',
  'config/argo/workflows/orchestrator-dag.yaml',
  'config/argo/workflows/orchestrator-play.yaml',
];

const seedApps = (): string[] => {
  const values = parse(readFileSync(join(root, SEED_SAMPLE, 'values.yaml'), 'utf8')) as {
    config: { githubApps: string[] };
  };
  return values.config.githubApps;
};

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (relative(root, path) !== SEED_SAMPLE && entry.name !== 'node_modules') yield* files(path);
    } else if (!/\.test\.ts$/.test(entry.name)) yield path;
  }
}

t.test('the seed sample names the seed’s six Apps (what the search looks for)', async (t) => {
  t.same(
    seedApps().map((a) => a.replace(/^5DLabs-/, '')),
    ['Rex', 'Blaze', 'Cleo', 'Tess', 'Morgan', 'Cipher'],
  );
});

t.test('no shipped file names a seed App, by name or by its key Secret', async (t) => {
  // The App's name in any case, and as its key Secret's name (github-app-5dlabs-rex).
  const pattern = new RegExp(seedApps().join('|'), 'i');
  const naming = SHIPPED.flatMap((dir) => [...files(join(root, dir))])
    .filter((file) => pattern.test(readFileSync(file, 'utf8')))
    .map((file) => relative(root, file))
    .sort();
  t.same(naming, STILL_NAMING, 'only the files left to fix');
});

t.test('the search finds a seed App where one is written', async (t) => {
  const pattern = new RegExp(seedApps().join('|'), 'i');
  t.ok(pattern.test('resourceNames: [github-app-5dlabs-rex]'), 'a key Secret');
  t.ok(pattern.test('githubApp: 5DLabs-Tess'), 'a profile');
  t.notOk(pattern.test('githubApp: acme-rex'), 'an App of your own');
});
