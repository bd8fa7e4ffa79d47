// A seed's configuration file (seed 002's Helm values, seed 001's controller config.yaml) converted
// into this project's controller config by the table of seed-keys.ts, applied over a base config (the
// shipped one), with a line for each key: what it became, or why it was dropped. The result is checked
// by the manager's own validation (load.ts), so what is printed is what the manager loads.
import { Document, isMap, parseDocument } from 'yaml';
import { type JsonSchema, loadSchema } from '../api/index.js';
import { isPlainObject } from '../util/index.js';

type JsonObject = Record<string, unknown>;

import { configFrom } from './load.js';
import {
  at,
  type Outcome,
  pathIsKey,
  SEED_KEYS,
  type SeedContext,
  type SeedSource,
  SeedValueError,
  seedSourceName,
} from './seed-keys.js';

export const SEED_SOURCES: readonly SeedSource[] = ['helm-values', 'controller-config'];

/** A seed file that cannot be read or converted: each problem names its line or key. */
export class SeedConvertError extends Error {
  override name = 'SeedConvertError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`cannot convert ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** One key of the seed file and what became of it. */
export interface ReportLine {
  key: string;
  value: unknown;
  outcome: Outcome;
}

export interface Conversion {
  from: SeedSource;
  /** The converted config, not defaulted (as a file would hold it), valid by the manager's rules. */
  config: JsonObject;
  report: ReportLine[];
  /** The config as YAML, each profile the seed named preceded by a comment of its name and role. */
  yaml: string;
}

/** The file's YAML as a map; a ConfigMap (the seed's taskrun-controller-config) is read for its config.yaml. */
export function readSeed(text: string, source: string): JsonObject {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length)
    throw new SeedConvertError(
      source,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return `${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}${e.message.split('\n')[0]}`;
      }),
    );
  const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (!isPlainObject(value)) throw new SeedConvertError(source, ['the file is not a YAML map of keys']);
  const data = isPlainObject(value.data) ? value.data['config.yaml'] : undefined;
  if (value.kind === 'ConfigMap' && typeof data === 'string')
    return readSeed(data, `${source} (data."config.yaml" of the ConfigMap)`);
  return value;
}

/** How many of the keys only a file of `source` has `value` has (a list of agents: seed 004's form). */
function seedKeysIn(value: JsonObject, source: SeedSource): number {
  if (source === 'helm-values' && Array.isArray(value.agents)) return value.agents.length;
  const paths: string[][] = [];
  const walk = (node: unknown, path: string[]) => {
    if (!isPlainObject(node)) return;
    for (const [k, v] of Object.entries(node)) {
      paths.push([...path, k]);
      if (path.length < 2) walk(v, [...path, k]);
    }
  };
  walk(value, []);
  // Only keys this project's config lacks: its own config has a role and a systemPrompt too.
  return SEED_KEYS.filter((k) => k.source === source && !configHas(k.key.split('.'))).filter((k) =>
    paths.some((p) => pathIsKey(p, k.key)),
  ).length;
}

/** Which seed file `value` is, by the keys only that file has; undefined when neither's. */
export function detectSeed(value: JsonObject): SeedSource | undefined {
  const helm = seedKeysIn(value, 'helm-values');
  const controller = seedKeysIn(value, 'controller-config');
  if (!helm && !controller) return undefined;
  return helm >= controller ? 'helm-values' : 'controller-config';
}

let configSchema: JsonSchema | undefined;

/** Whether this project's config has a field at `path` (a map's entries as any name). */
function configHas(path: readonly string[]): boolean {
  configSchema ??= loadSchema('ControllerConfig');
  let node: JsonSchema | undefined = configSchema;
  for (const part of path) {
    const extra: JsonSchema | boolean | undefined = node?.additionalProperties;
    node = node?.properties?.[part] ?? (typeof extra === 'object' ? extra : undefined);
    if (!node) return false;
  }
  return true;
}

/** Seed 004's list form of agents (`agents[*].systemPrompt`) keyed as the map form, by name. */
function agentsByName(agents: unknown[], problems: string[]): JsonObject {
  const out: JsonObject = {};
  agents.forEach((entry, i) => {
    const name = isPlainObject(entry) && typeof entry.name === 'string' ? entry.name : undefined;
    const key = name
      ?.toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '');
    if (!key) problems.push(`agents[${i}].name: Required value: the profile's name comes from it`);
    else out[key] = entry;
  });
  return out;
}

const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/** Whether the value under `key` is a map; a problem naming it when not. */
function isMapAt(value: unknown, key: string, problems: string[]): value is JsonObject {
  if (isPlainObject(value)) return true;
  problems.push(`${key}: Invalid value: ${shown(value)}: must be a map`);
  return false;
}

/**
 * Converts a seed file's value over `base` (a config's value, not changed). Throws SeedConvertError
 * naming each key whose value cannot be converted, and ConfigError when the result is not a config the
 * manager loads.
 */
export function convertSeed(
  seed: JsonObject,
  from: SeedSource,
  base: JsonObject,
  source = 'the seed file',
): Conversion {
  // A copy with no shared subtrees: the base's YAML anchors would make one profile's change every one's.
  const out = JSON.parse(JSON.stringify(base)) as JsonObject;
  const report: ReportLine[] = [];
  const problems: string[] = [];
  const comments = new Map<string, string[]>();
  const comment = (profile: string, text: string) =>
    comments.set(profile, [...(comments.get(profile) ?? []), text]);
  const keys = SEED_KEYS.filter((k) => k.source === from);
  const input =
    from === 'helm-values' && Array.isArray(seed.agents)
      ? { ...seed, agents: agentsByName(seed.agents, problems) }
      : seed;

  const visit = (node: JsonObject, path: string[], ctx: Omit<SeedContext, 'out' | 'comment'>) => {
    for (const [name, value] of Object.entries(node)) {
      const here = [...path, name];
      const key = here.join('.');
      const row = keys.find((k) => pathIsKey(here, k.key));
      if (row) {
        try {
          report.push({ key, value, outcome: row.apply(value, { ...ctx, out, comment }) });
        } catch (err) {
          if (!(err instanceof SeedValueError)) throw err;
          problems.push(`${key}: ${err.message}`);
        }
        continue;
      }
      const under = keys.some((k) => pathIsKey(here, k.key.split('.').slice(0, here.length).join('.')));
      if (under) {
        if (!isMapAt(value, key, problems)) continue;
        const profile = from === 'helm-values' && key === `agents.${name}` ? name : undefined;
        if (profile === undefined) visit(value, here, ctx);
        else {
          report.push(...newProfile(out, base, profile));
          visit(value, here, profileContext(base, profile, value));
        }
      } else if (configHas(here.map((p, i) => (i === 1 && here[0] === 'agents' ? '*' : p)))) {
        at(out, path)[name] = value;
        report.push({
          key,
          value,
          outcome: { kind: 'mapped', to: key, note: "kept: a field of this project's config" },
        });
      } else
        report.push({
          key,
          value,
          outcome: {
            kind: 'dropped',
            note: `not a key of ${seedSourceName(from)} this converter knows, nor a field of this project's config (docs/configuration.md)`,
          },
        });
    }
  };
  visit(input, [], {});
  if (problems.length) throw new SeedConvertError(source, problems);
  configFrom(out, `the config converted from ${source}`);
  return { from, config: out, report, yaml: withComments(out, comments) };
}

function profileContext(base: JsonObject, profile: string, entry: JsonObject) {
  const agents = isPlainObject(base.agents) ? base.agents : {};
  const baseProfile = isPlainObject(agents[profile]) ? agents[profile] : undefined;
  return { profile, entry, ...(baseProfile ? { baseProfile } : {}) };
}

/** A profile the base config lacks, made with the image of its default agent (a profile needs one). */
function newProfile(out: JsonObject, base: JsonObject, name: string): ReportLine[] {
  const agents = at(out, ['agents']);
  if (isPlainObject(agents[name])) return [];
  const baseAgents = isPlainObject(base.agents) ? base.agents : {};
  const model = baseAgents[String(base.defaultAgent)];
  const image = isPlainObject(model) ? model.image : undefined;
  agents[name] = image === undefined ? {} : { image };
  return [
    {
      key: `agents.${name}`,
      value: undefined,
      outcome: {
        kind: 'mapped',
        to: `agents.${name}`,
        note: `a new profile, with the image of the base config's default agent ${String(base.defaultAgent)} (${shown(image)})`,
      },
    },
  ];
}

/** The config as YAML, with each commented profile's comment above its key. */
function withComments(config: JsonObject, comments: Map<string, string[]>): string {
  const doc = new Document(config, { aliasDuplicateObjects: false });
  const agents = doc.get('agents', true);
  if (isMap(agents))
    for (const pair of agents.items) {
      const lines = comments.get(String((pair.key as { value?: unknown }).value));
      if (lines && typeof pair.key === 'object' && pair.key !== null)
        (pair.key as { commentBefore?: string }).commentBefore = ` ${lines.join(', ')}`;
    }
  return doc.toString({ lineWidth: 0 });
}

/** A report line as the command prints it. */
export function formatReportLine({ key, value, outcome }: ReportLine): string {
  const what = value === undefined ? key : `${key}: ${shown(value)}`;
  const to =
    outcome.kind === 'dropped'
      ? 'dropped'
      : outcome.kind === 'elsewhere'
        ? `not in the config: ${outcome.to}`
        : outcome.to;
  return `${what} → ${to}: ${outcome.note}`;
}
