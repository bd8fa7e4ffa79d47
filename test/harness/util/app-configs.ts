// Configs of installs that name their GitHub Apps, which the shipped config leaves to each install
// (docs/first-run.md "3a"). The seed's: config/samples/seed/values.yaml merged in as the chart merges
// its values (`config` over the file, then `agents` by name, maps merged and lists replaced: Helm's
// mergeOverwrite), for the tests that pin the seed's names (5DLabs-Rex …). The samples': the Apps of
// acme, the organisation config/samples' runs belong to.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { ControllerConfig } from '../../../src/api/index.js';
import { configFrom, defaultConfigFile, loadDefaultConfig } from '../../../src/config/load.js';
import { isPlainObject, packageRoot } from '../../../src/util/index.js';

export const SEED_VALUES_FILE = join(packageRoot(), 'config', 'samples', 'seed', 'values.yaml');

type Obj = Record<string, unknown>;

function mergeOverwrite(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const now = out[key];
    out[key] = isPlainObject(now) && isPlainObject(value) ? mergeOverwrite(now, value) : value;
  }
  return out;
}

/** The seed sample's Helm values: `config` and `agents`. */
export function seedValues(): { config: Obj; agents: Obj } {
  const values = parse(readFileSync(SEED_VALUES_FILE, 'utf8')) as { config?: Obj; agents?: Obj };
  return { config: values.config ?? {}, agents: values.agents ?? {} };
}

/** The shipped config as an install with the seed's values runs it, validated by the loader. */
export function seedConfig(): ControllerConfig {
  const shipped = parse(readFileSync(defaultConfigFile(), 'utf8')) as Obj;
  const { config, agents } = seedValues();
  const merged = mergeOverwrite(shipped, config);
  merged.agents = mergeOverwrite(merged.agents as Obj, agents);
  return configFrom(merged, SEED_VALUES_FILE);
}

/** The Apps config/samples' runs name, by the profile each runs. */
export const SAMPLE_APPS = Object.freeze({ rex: 'acme-rex', morgan: 'acme-morgan' });

/** The shipped config as an install naming the Apps of config/samples' runs runs it (SAMPLE_APPS). */
export const samplesConfig = (): ControllerConfig => withApps(loadDefaultConfig());

/** `config` with `apps` named as an install names its own: githubApps, and each profile's githubApp. */
export function withApps(
  config: ControllerConfig,
  apps: Record<string, string> = SAMPLE_APPS,
): ControllerConfig {
  const agents = Object.fromEntries(
    Object.entries(config.agents).map(([name, profile]) => [
      name,
      apps[name] ? { ...profile, githubApp: apps[name] } : profile,
    ]),
  );
  return configFrom({ ...config, agents, githubApps: Object.values(apps) });
}
