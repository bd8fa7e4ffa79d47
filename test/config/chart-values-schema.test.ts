// The chart's `config` value checked by the controller config's own schema (scripts/chart-values-schema.js):
// what a partial config merged over the shipped file may leave out, and what it may not get wrong.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import t from 'tap';
import { mergedConfigSchema, shareRepeated } from '../../scripts/chart-values-schema.js';
import { loadDefaultConfig } from '../../src/config/load.js';
import { packageRoot } from '../../src/util/package-root.js';

const chartSchema = JSON.parse(
  readFileSync(join(packageRoot(), 'charts', 'orchestrator', 'values.schema.json'), 'utf8'),
);
const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(chartSchema);
const errors = (config: unknown) =>
  validate({ config }) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

t.test('a partial config passes: what the shipped file has need not be given again', async (t) => {
  t.same(errors({}), []);
  t.same(
    errors({ githubApps: ['my-app'], agents: { rex: { githubApp: 'my-app' } } }),
    [],
    'a shipped profile in part',
  );
  t.same(errors({ concurrency: { global: 8 } }), []);
  t.same(errors(loadDefaultConfig()), [], 'the shipped config whole');
});

t.test('a wrong field or type is refused, named by its path', async (t) => {
  t.match(errors({ concurrency: { global: 'eight' } }), ['/config/concurrency/global must be integer']);
  t.match(errors({ agentz: {} }), ['/config must NOT have additional properties']);
  t.match(errors({ agents: { Rex: {} } }), [/must match pattern/]);
});

t.test('what is new is whole: a new profile needs its image, a budget its name', async (t) => {
  t.match(errors({ agents: { newcomer: { model: 'claude-opus-4-1' } } }), [
    "/config/agents/newcomer must have required property 'image'",
  ]);
  t.same(errors({ agents: { newcomer: { image: 'registry.example.com/agent:1' } } }), []);
  t.not(errors({ budgets: [{ limitUsd: '5' }] }).length, 0, 'an array replaces the shipped one whole');
});

t.test('the transform: required dropped where the shipped file has the object, kept elsewhere', async (t) => {
  const schema = {
    type: 'object',
    required: ['a'],
    properties: {
      a: { type: 'object', required: ['b'], minProperties: 1, description: 'x', properties: { b: {} } },
      list: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: {} } } },
      map: {
        type: 'object',
        additionalProperties: { type: 'object', required: ['c'], properties: { c: {} } },
      },
      e: { enum: [{ required: 1 }] },
    },
  };
  const entry = { type: 'object', required: ['c'], properties: { c: {} } };
  t.same(mergedConfigSchema(schema, { a: { b: 1 }, map: { old: { c: 1 } } }), {
    type: 'object',
    properties: {
      a: { type: 'object', properties: { b: {} } },
      list: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: {} } } },
      map: {
        type: 'object',
        additionalProperties: entry,
        properties: { old: { type: 'object', properties: { c: {} } } },
      },
      e: { enum: [{ required: 1 }] },
    },
  });
});

t.test('a repeated large subschema is written once and referred to', async (t) => {
  const big = {
    type: 'object',
    properties: Object.fromEntries([...Array(40)].map((_, i) => [`field${i}`, {}])),
  };
  const { schema, definitions } = shareRepeated(
    { properties: { a: big, b: big, c: { type: 'string' } } },
    'p-',
  );
  t.same(schema, {
    properties: { a: { $ref: '#/definitions/p-1' }, b: { $ref: '#/definitions/p-1' }, c: { type: 'string' } },
  });
  t.same(definitions, { 'p-1': big });
});
