// Schema defaults are applied as the apiserver's structural defaulting applies a CRD's.
import t from 'tap';
import { type DefaultTree, defaultTree, withSchemaDefaults } from './schema-defaults.js';
import type { JsonSchema } from './schemas.js';

const schema: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    mode: { type: 'string', default: 'fast' },
    maybe: { type: 'string', nullable: true, default: 'x' },
    repo: {
      type: 'object',
      properties: { url: { type: 'string' }, branch: { type: 'string', default: 'main' } },
    },
    limits: { type: 'object', default: {}, properties: { cpu: { type: 'integer', default: 2 } } },
    tools: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, on: { type: 'boolean', default: true } },
      },
    },
    labels: { type: 'object', additionalProperties: { type: 'object', properties: { n: { default: 0 } } } },
  },
};
const tree = defaultTree(schema) as DefaultTree;

t.test('the tree keeps only the paths that lead to a default', async (t) => {
  t.notOk(defaultTree({ type: 'object', properties: { a: { type: 'string' } } }), 'no default: no tree');
  t.same(Object.keys(tree.properties ?? {}), ['mode', 'maybe', 'repo', 'limits', 'tools', 'labels']);
  t.notOk(tree.properties?.repo?.properties?.url, 'a member without a default is not walked');
});

t.test('absent fields get their default, into present objects, list items and map values', async (t) => {
  const input = {
    name: 'n',
    repo: { url: 'u' },
    tools: [{ name: 'a' }, { name: 'b', on: false }],
    labels: { x: {}, y: { n: 5 } },
  };
  const frozen = structuredClone(input);
  t.same(withSchemaDefaults(input, tree), {
    name: 'n',
    mode: 'fast',
    maybe: 'x',
    repo: { url: 'u', branch: 'main' },
    limits: { cpu: 2 },
    tools: [
      { name: 'a', on: true },
      { name: 'b', on: false },
    ],
    labels: { x: { n: 0 }, y: { n: 5 } },
  });
  t.same(input, frozen, 'the input is not modified');
});

t.test('an optional object that is absent stays absent; null counts as absent unless nullable', async (t) => {
  const out = withSchemaDefaults({ mode: null, maybe: null }, tree) as Record<string, unknown>;
  t.notOk('repo' in out, 'no repo: no repo.branch');
  t.notOk('tools' in out);
  t.equal(out.mode, 'fast', 'null in a non-nullable field is replaced, as the apiserver prunes it');
  t.equal(out.maybe, null, 'null in a nullable field is a value');
});

t.test('user values are never replaced, and defaulting is idempotent', async (t) => {
  const user = {
    mode: 'slow',
    repo: { url: 'u', branch: 'dev' },
    limits: { cpu: 8 },
    tools: [{ on: false }],
  };
  t.same(withSchemaDefaults(user, tree), { ...user, maybe: 'x' });
  const once = withSchemaDefaults({ repo: {}, tools: [{}] }, tree);
  t.equal(withSchemaDefaults(once, tree), once, 'a defaulted value comes back as the same object');
});

t.test('a value of the wrong type is left for the validator to refuse', async (t) => {
  const wrong = { repo: 'not an object', tools: 'nope', labels: [1] };
  const out = withSchemaDefaults(wrong, tree) as Record<string, unknown>;
  t.equal(out.repo, 'not an object');
  t.equal(out.tools, 'nope');
  t.same(out.labels, [1]);
  t.equal(withSchemaDefaults('text', tree), 'text');
});

t.test('default values are copied, never shared between objects', async (t) => {
  const a = withSchemaDefaults({}, tree) as { limits: { cpu: number } };
  a.limits.cpu = 99;
  const b = withSchemaDefaults({}, tree) as { limits: { cpu: number } };
  t.equal(b.limits.cpu, 2);
});
