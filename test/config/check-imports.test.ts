// The layering check of `npm run lint` (scripts/check-imports.js): it must fail on an upward import, on
// product code importing the tests, and on a src/ folder no layer names; and it must pass on today's
// graph (lint runs it over the real tree).
import t from 'tap';
import { LAYERS, upwardImports } from '../../scripts/check-imports.js';

t.test('an import of a higher or equal layer is reported, naming both files and folders', async (t) => {
  const findings = upwardImports({
    'src/api/kinds.ts': ['src/naming/names.ts', 'src/controllers/kind/strategy.ts'],
    'src/webhook/server.ts': ['src/rest/server.ts', 'src/http/https-server.ts', 'src/webhook/endpoint.ts'],
  });
  t.strictSame(findings, [
    'src/api/kinds.ts → src/controllers/kind/strategy.ts (src/api imports src/controllers, higher layer: 6 ≥ 1)',
    'src/webhook/server.ts → src/rest/server.ts (src/webhook imports src/rest, same layer: 6 ≥ 6)',
  ]);
});

t.test('product code may not import test/ or scripts/; tests beside the code are exempt', async (t) => {
  t.strictSame(
    upwardImports({
      'src/controllers/act.ts': ['test/harness/wait.ts'],
      'src/api/kinds.test.ts': ['src/cli/kinds.ts', 'test/harness/crds.ts'],
    }),
    ['src/controllers/act.ts → test/harness/wait.ts (product code imports test/, which stands above src/)'],
  );
});

t.test('a src/ folder in no layer is a finding, so a new folder has to be placed', async (t) => {
  t.match(upwardImports({ 'src/newthing/a.ts': ['src/api/index.ts'] }), [/src\/newthing is in no layer/]);
});

t.test('every layer names distinct folders', async (t) => {
  const all = LAYERS.flat();
  t.equal(new Set(all).size, all.length);
});
