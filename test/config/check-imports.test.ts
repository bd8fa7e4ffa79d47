// The layering check of `npm run lint` (scripts/check-imports.js): it must fail on an upward import, on
// product code importing the tests, on a src/ folder no layer names, on a layer naming no folder, and on a
// layer table of src/README.md it cannot read; and it must pass on today's graph (lint runs it over the
// real tree).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  backDoorImports,
  missingFolders,
  parseLayers,
  readLayers,
  upwardImports,
} from '../../scripts/check-imports.js';

const root = join(import.meta.dirname, '../..');
const LAYERS = readLayers(root);

t.test('an import of a higher or equal layer is reported, naming both files and folders', async (t) => {
  const findings = upwardImports(
    {
      'src/api/kinds.ts': ['src/naming/names.ts', 'src/controllers/kind/strategy.ts'],
      'src/webhook/server.ts': ['src/rest/server.ts', 'src/http/https-server.ts', 'src/webhook/endpoint.ts'],
    },
    LAYERS,
  );
  t.strictSame(findings, [
    'src/api/kinds.ts → src/controllers/kind/strategy.ts (src/api imports src/controllers, higher layer: 6 ≥ 1)',
    'src/webhook/server.ts → src/rest/server.ts (src/webhook imports src/rest, same layer: 6 ≥ 6)',
  ]);
});

t.test('product code may not import test/ or scripts/; tests beside the code are exempt', async (t) => {
  t.strictSame(
    upwardImports(
      {
        'src/controllers/act.ts': ['test/harness/wait.ts'],
        'src/api/kinds.test.ts': ['src/cli/kinds.ts', 'test/harness/crds.ts'],
      },
      LAYERS,
    ),
    ['src/controllers/act.ts → test/harness/wait.ts (product code imports test/, which stands above src/)'],
  );
});

t.test(
  'an import into another folder past its index.ts is reported; within a folder, and from tests, it is not',
  async (t) => {
    const findings = backDoorImports({
      'src/controllers/agent/manifests.ts': [
        'src/api/index.ts',
        'src/api/labels.ts',
        'src/controllers/kind/strategy.ts',
        'src/egress/network-policy.ts',
      ],
      'src/controllers/agent/manifests.test.ts': ['src/api/labels.ts'],
      'test/harness/fakes/gateway.ts': ['src/gateway/ledger-record.ts'],
    });
    t.strictSame(findings, [
      'src/controllers/agent/manifests.ts → src/api/labels.ts (src/controllers reaches past src/api/index.ts)',
      'src/controllers/agent/manifests.ts → src/egress/network-policy.ts (src/controllers reaches past src/egress/index.ts)',
    ]);
  },
);

t.test('a src/ folder in no layer is a finding, so a new folder has to be placed', async (t) => {
  t.match(upwardImports({ 'src/newthing/a.ts': ['src/api/index.ts'] }, LAYERS), [
    /src\/newthing is in no layer of src\/README\.md/,
  ]);
});

t.test("src/README.md's table places every folder of src/, once, and names no other", async (t) => {
  const all = LAYERS.flat();
  t.equal(new Set(all).size, all.length);
  const folders = readdirSync(join(root, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory());
  t.strictSame([...all].sort(), folders.map((e) => e.name).sort());
  t.strictSame(missingFolders([['util'], ['gone']], ['util', 'api']), [
    'src/README.md names src/gone, which does not exist',
  ]);
});

/** A README whose layer section holds `rows` (after the header and separator). */
const readme = (...rows: string[]) =>
  [
    '# src/',
    '',
    '## Layers and folders',
    '',
    'Prose.',
    '',
    '| layer | folder | holds |',
    '|---|---|---|',
    ...rows,
    '',
    '## Next',
    '| 9 | `x` | not read |',
  ].join('\n');

t.test('the layer table is read in order, linked or bare names, up to its end', async (t) => {
  t.strictSame(
    parseLayers(
      readme(
        '| 0 | [`util`](util/index.ts) | helpers |',
        '| 0 | `naming` | names |',
        '| 1 | `api` | the API |',
      ),
    ),
    [['util', 'naming'], ['api']],
  );
});

t.test('a table that cannot be read fails, each problem named with its line', async (t) => {
  t.throws(() => parseLayers('# src/\n\nNo layers here.\n'), /no "## Layers and folders" section/);
  t.throws(() => parseLayers('## Layers and folders\n\nProse only.\n\n## Next\n'), /has no table/);
  t.throws(() => parseLayers(readme()), /the layer table has no rows/);
  const bad = (() => {
    try {
      parseLayers(
        readme(
          '| 1 | `util` | starts above 0 |',
          '| 0 | `util` | helpers |',
          '| 2 | `api` | skips a layer |',
          '| 0 | util | no backticks |',
          '| 0 | `util` | twice |',
          '| 1 | `Bad_Name` | not a folder |',
        ),
      );
    } catch (e) {
      return (e as Error).message.split('\n');
    }
    return [];
  })();
  t.strictSame(bad, [
    'src/README.md:9: layer "1" must be 0',
    'src/README.md:11: layer "2" must be 0 or 1',
    'src/README.md:12: not a row | layer | `folder` | holds |: | 0 | util | no backticks |',
    'src/README.md:13: util is in the table twice',
    'src/README.md:14: "Bad_Name" is not a folder name',
  ]);
  t.throws(() => parseLayers(readme('| 0 | `util` | x |').replace('| layer | folder |', '| tier | dir |')), {
    message: /the table's header must begin \| layer \| folder \|/,
  });
});
