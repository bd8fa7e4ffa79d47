// Every model the package ships (the config's models, aliases and profiles, the schema's default
// aliases) is one the Anthropic SDK pinned in package.json knows, and the gateway prices it: a default
// naming a retired model fails every run that takes it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { priceEntry } from '../gateway/prices.js';
import { packageRoot } from '../util/package-root.js';
import { loadDefaultConfig } from './load.js';

/** The literal ids of the SDK's `Model` type (its declaration file: the type has no runtime value). */
function sdkModels(): Set<string> {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('@anthropic-ai/sdk'));
  const text = readFileSync(join(root, 'resources/messages/messages.d.ts'), 'utf8');
  const decl = /export type Model = ([^;]+);/.exec(text)?.[1];
  if (!decl) throw new Error('the SDK declares no Model type');
  return new Set([...decl.matchAll(/'([^']+)'/g)].map((m) => m[1] as string));
}

const config = loadDefaultConfig();
const schema = parse(readFileSync(join(packageRoot(), 'schemas/controller-config.schema.yaml'), 'utf8'));
const shipped = new Map<string, string>([
  ...(config.models ?? []).map((m): [string, string] => [m, 'models']),
  ...Object.entries(config.modelAliases).map(([a, m]): [string, string] => [m, `modelAliases.${a}`]),
  ...Object.entries(schema.properties.modelAliases.default as Record<string, string>).map(
    ([a, m]): [string, string] => [m, `the schema's default modelAliases.${a}`],
  ),
  ...Object.entries(config.agents).flatMap(([name, p]): [string, string][] =>
    p.model ? [[p.model, `agents.${name}.model`]] : [],
  ),
]);

t.test('the SDK declares model ids (the check below checks something)', async (t) => {
  t.ok(sdkModels().size >= 5);
});

t.test('every shipped model id is one the SDK knows', async (t) => {
  const known = sdkModels();
  for (const [model, where] of shipped) t.ok(known.has(model), `${where}: ${model}`);
});

t.test('every shipped model id is priced by the gateway, not by a fallback', async (t) => {
  const table = { models: config.gateway.prices.models };
  for (const [model, where] of shipped) t.ok(priceEntry(table, model), `${where}: ${model}`);
});
