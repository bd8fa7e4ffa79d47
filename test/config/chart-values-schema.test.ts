// The chart's `config` value checked by the controller config's own schema (scripts/chart-values-schema.js):
// what a partial config merged over the shipped file may leave out, and what it may not get wrong.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import t from 'tap';
import { mergedConfigSchema } from '../../scripts/chart-values-schema.js';
import { loadDefaultConfig } from '../../src/config/load.js';
import { packageRoot } from '../../src/util/package-root.js';

const chartSchema = JSON.parse(
  readFileSync(join(packageRoot(), 'charts', 'orchestrator', 'values.schema.json'), 'utf8'),
);
const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(
  chartSchema.properties.config,
);
const errors = (config: unknown) =>
  validate(config) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

t.test('a partial config passes: no field of a merged object is required', async (t) => {
  t.same(errors({}), []);
  t.same(
    errors({ githubApps: ['my-app'], agents: { rex: { githubApp: 'my-app' } } }),
    [],
    'a profile in part',
  );
  t.same(errors({ concurrency: { global: 8 } }), []);
  t.same(errors(loadDefaultConfig()), [], 'the shipped config whole');
});

t.test('a wrong field or type is refused, named by its path', async (t) => {
  t.match(errors({ concurrency: { global: 'eight' } }), ['/concurrency/global must be integer']);
  t.match(errors({ agentz: {} }), [' must NOT have additional properties']);
  t.match(errors({ agents: { Rex: {} } }), [/property name must match pattern|must match pattern/]);
});

t.test("an array's items, which replace the shipped ones whole, keep their required fields", async (t) => {
  const schema = mergedConfigSchema({
    type: 'object',
    required: ['a'],
    properties: {
      a: { type: 'object', required: ['b'], minProperties: 1, description: 'x', properties: { b: {} } },
      list: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: {} } } },
      e: { enum: [{ required: 1 }] },
    },
  });
  t.same(schema, {
    type: 'object',
    properties: {
      a: { type: 'object', properties: { b: {} } },
      list: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: {} } } },
      e: { enum: [{ required: 1 }] },
    },
  });
  const budgets = new Ajv({ strict: false, validateFormats: false }).compile(chartSchema.properties.config);
  t.notOk(budgets({ budgets: [{ limitUsd: '5' }] }), 'a budget without its name is refused');
});
