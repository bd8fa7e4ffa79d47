import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { expandShared } from '../../schemas/shared/expand.js';
import { ensureDist, root } from '../../scripts/build.js';
import { EXPANDED_DIR, expandedFile, expandedSchema } from './expanded-schemas.js';
import { parseSchema, SCHEMA_FILES, type SchemaName, schemasDir } from './schemas.js';

const shared = join(schemasDir(), 'shared');
const text = (name: SchemaName) => readFileSync(join(schemasDir(), SCHEMA_FILES[name]), 'utf8');
/** The expansion of the YAML itself, as loadSchema makes it without the build's files. */
const fromYaml = (name: SchemaName) =>
  expandShared(parseSchema(text(name)), { dir: shared, closed: name === 'ControllerConfig' });

t.test('from src/ there are none: the YAML is parsed', async (t) => {
  t.equal(EXPANDED_DIR, join(root, 'src', 'api', 'expanded'));
  t.equal(expandedSchema(text('TaskRun'), shared, false), undefined);
});

t.test('found by what the expansion reads: the text, the fragments, closed or not', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'expanded-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const fragments = join(dir, 'shared');
  cpSync(shared, fragments, { recursive: true });
  const source = text('TaskRun');
  writeFileSync(join(dir, expandedFile(source, fragments, false)), JSON.stringify({ marker: 1 }));
  t.same(expandedSchema(source, fragments, false, dir), { marker: 1 }, 'this very text: the JSON');
  t.not(
    expandedSchema(source, fragments, false, dir),
    expandedSchema(source, fragments, false, dir),
    'a fresh object each call',
  );
  t.equal(expandedSchema(`${source}\n# edited`, fragments, false, dir), undefined, 'an edited schema: none');
  t.equal(expandedSchema(source, fragments, true, dir), undefined, 'closed: another file');
  writeFileSync(
    join(fragments, 'usage.yaml'),
    `${readFileSync(join(fragments, 'usage.yaml'), 'utf8')}\n# edited`,
  );
  t.equal(expandedSchema(source, fragments, false, dir), undefined, 'an edited fragment: none');
});

t.test("the build writes every schema's expansion, equal to the YAML's", async (t) => {
  t.ok(ensureDist(), 'dist/ builds');
  const dir = join(root, 'dist', 'api', 'expanded');
  for (const name of Object.keys(SCHEMA_FILES) as SchemaName[])
    t.same(expandedSchema(text(name), shared, name === 'ControllerConfig', dir), fromYaml(name), name);
});
