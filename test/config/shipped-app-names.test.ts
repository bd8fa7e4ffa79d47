// No shipped default names the seed's GitHub Apps (5DLabs-Rex and its team) or their organisation
// (5dlabs, as in a bot login's `5dlabs-(cleo|tess)[bot]` or an EventSource's organizations): they are
// another organisation's, and an install names its own (decisions 0044, 0053). Their names may stay only
// in the seed sample (config/samples/seed), the docs and the tests that pin the seed. Every file an
// install or the CLI reads is searched: the config, the chart, the CRDs and schemas, the templates, the
// code. The project's own images (ghcr.io/5dlabs/…, 5dlabs/orchestrator) are its, not the seed's.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { packageRoot } from '../../src/util/package-root.js';

const root = packageRoot();
const SHIPPED = ['config', 'charts', 'crds', 'schemas', 'templates', 'src', 'images', 'scripts'];
const SEED_SAMPLE = join('config', 'samples', 'seed');

/** The seed's organisation, but as the path of the project's images (`5dlabs/`) or inside another name. */
const SEED_ORGANISATION = /(?<![\w-])5dlabs(?!\/)/i;

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

const naming = (pattern: RegExp): string[] =>
  SHIPPED.flatMap((dir) => [...files(join(root, dir))])
    .filter((file) => pattern.test(readFileSync(file, 'utf8')))
    .map((file) => relative(root, file))
    .sort();

t.test('no shipped file names a seed App, by name or by its key Secret', async (t) => {
  // The App's name in any case, and as its key Secret's name (github-app-5dlabs-rex).
  t.same(naming(new RegExp(seedApps().join('|'), 'i')), []);
});

t.test('no shipped file names the seed’s organisation', async (t) => {
  t.same(naming(SEED_ORGANISATION), []);
});

t.test('the search finds a seed App where one is written', async (t) => {
  const pattern = new RegExp(seedApps().join('|'), 'i');
  t.ok(pattern.test('resourceNames: [github-app-5dlabs-rex]'), 'a key Secret');
  t.ok(pattern.test('githubApp: 5DLabs-Tess'), 'a profile');
  t.notOk(pattern.test('githubApp: acme-rex'), 'an App of your own');
  for (const seed of ['organizations: [5dlabs]', 'value: ["^5dlabs-(cleo|tess)\\[bot\\]$"]', 'owner: 5DLabs'])
    t.ok(SEED_ORGANISATION.test(seed), `the organisation in ${seed}`);
  for (const own of ['image: ghcr.io/5dlabs/orchestrator-agent:0.1.0', 'repository: 5dlabs/orchestrator'])
    t.notOk(SEED_ORGANISATION.test(own), `not the project's image in ${own}`);
});
