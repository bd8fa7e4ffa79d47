// The seeds' configuration keys and what each becomes in this project's controller config: the one
// table `orchestrator config convert` converts by (seed-convert.ts) and the config's refusal of a
// seed-shaped file names the command from (seedHint). Seed 002's Helm values give agents as
// `agents.<name>.{name, githubApp, appId, clientId, role, systemPrompt}`; seed 001's controller
// `config.yaml` has `job`, `agent` and `telemetry` (docs/seed-compatibility.md).

/** The two seed files converted. */
export type SeedSource = 'helm-values' | 'controller-config';

/** What a seed key became, for the report. */
export interface Outcome {
  /** mapped: into the config; elsewhere: outside the config (a Secret); dropped: nowhere. */
  kind: 'mapped' | 'elsewhere' | 'dropped';
  /** The config field (or the place outside it) it became; none when dropped. */
  to?: string;
  /** Why, or how, in a sentence. */
  note: string;
}

type Json = Record<string, unknown>;

/** Where a key is converted: the config being built, and the seed's agent entry and profile name when under agents. */
export interface SeedContext {
  out: Json;
  /** The base config's profile of that name before the conversion (the shipped rex's role, say). */
  baseProfile?: Json;
  profile?: string;
  entry?: Json;
  /** A comment for a profile in the output (the seed's display name and free-text role). */
  comment(profile: string, text: string): void;
}

export interface SeedKey {
  source: SeedSource;
  /** The seed's key as a dotted path, `*` for an agent's name. */
  key: string;
  /**
   * This project's config has the key with the seed's meaning, so a problem found there says nothing
   * of a seed file (no hint on the refusal).
   */
  same?: true;
  /** Puts the seed's value into ctx.out; throws a SeedValueError for a value of the wrong kind. */
  apply(value: unknown, ctx: SeedContext): Outcome;
}

/** A seed value that cannot be converted: the rule it breaks (the key is the caller's). */
export class SeedValueError extends Error {
  override name = 'SeedValueError';
}

/** The agent roles of this project's profiles (schemas/controller-config.schema.yaml agents.*.role). */
const ROLES = ['implementation', 'quality', 'testing', 'security', 'documentation', 'deploy', 'acceptance'];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const obj = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};

/** `out` at `path`, the objects on the way made when missing. */
export function at(out: Json, path: readonly string[]): Json {
  let node = out;
  for (const part of path) {
    if (typeof node[part] !== 'object' || node[part] === null || Array.isArray(node[part])) node[part] = {};
    node = node[part] as Json;
  }
  return node;
}

const profileOf = (ctx: SeedContext): Json => at(ctx.out, ['agents', ctx.profile ?? '']);
const everyProfile = (ctx: SeedContext): Json[] => Object.values(obj(ctx.out.agents)).map(obj);

function string(value: unknown): string {
  if (typeof value !== 'string')
    throw new SeedValueError(`Invalid value: ${JSON.stringify(value)}: must be a string`);
  return value;
}

function integer(value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new SeedValueError(`Invalid value: ${JSON.stringify(value)}: must be an integer, ${min} to ${max}`);
  return value;
}

function map(value: unknown): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SeedValueError(`Invalid value: ${JSON.stringify(value)}: must be a map`);
  return value as Json;
}

/** A field of this project's that the seed spells and means the same way: copied. */
const copied =
  (path: readonly string[]) =>
  (value: unknown, ctx: SeedContext): Outcome => {
    at(ctx.out, path.slice(0, -1))[path.at(-1) ?? ''] = value;
    return { kind: 'mapped', to: path.join('.'), note: 'the same field' };
  };

const PRIORITIES = ['high', 'standard', 'low'];

export const SEED_KEYS: readonly SeedKey[] = [
  {
    source: 'helm-values',
    key: 'agents.*.name',
    apply: (value, ctx) => {
      ctx.comment(ctx.profile ?? '', `the seed's ${string(value)}`);
      return {
        kind: 'dropped',
        note: `a display name: the profile's name is its key (${ctx.profile}); kept as a comment on the profile`,
      };
    },
  },
  {
    source: 'helm-values',
    key: 'agents.*.githubApp',
    same: true,
    apply: (value, ctx) => {
      const app = string(value);
      profileOf(ctx).githubApp = app;
      const apps = Array.isArray(ctx.out.githubApps) ? (ctx.out.githubApps as unknown[]) : [];
      if (!apps.includes(app)) ctx.out.githubApps = [...apps, app];
      return {
        kind: 'mapped',
        to: `agents.${ctx.profile}.githubApp`,
        note: 'the App the profile acts as, also listed in githubApps (a run naming an App not listed is denied)',
      };
    },
  },
  {
    source: 'helm-values',
    key: 'agents.*.appId',
    apply: (value, ctx) => {
      const id = typeof value === 'number' ? String(value) : string(value);
      const app = typeof ctx.entry?.githubApp === 'string' ? ctx.entry.githubApp : '{githubApp}';
      const ref = obj(obj(ctx.out.secrets).githubAppId);
      const secret = String(ref.name ?? 'github-app-{githubApp}').replaceAll(
        '{githubApp}',
        app.toLowerCase(),
      );
      const key = String(ref.key ?? 'app-id');
      return {
        kind: 'elsewhere',
        to: `the key ${key} of the Secret ${secret} (secrets.githubAppId)`,
        note: `the operator reads the App's id and private key from its Secret in its own namespace, so no profile holds a credential: kubectl -n orchestrator-system create secret generic ${secret} --from-literal=${key}=${id} --from-file=private-key=<the App's .pem>`,
      };
    },
  },
  {
    source: 'helm-values',
    key: 'agents.*.clientId',
    apply: (value) => {
      string(value);
      return {
        kind: 'dropped',
        note: 'a client id serves a user OAuth flow, which this project has none of: the operator authenticates as the App by its id and private key',
      };
    },
  },
  {
    source: 'helm-values',
    key: 'agents.*.role',
    apply: (value, ctx) => {
      const role = string(value);
      if (ROLES.includes(role)) {
        profileOf(ctx).role = role;
        return { kind: 'mapped', to: `agents.${ctx.profile}.role`, note: 'one of the roles here' };
      }
      ctx.comment(ctx.profile ?? '', `role: ${JSON.stringify(role)}`);
      const kept = ctx.baseProfile?.role;
      return {
        kind: 'dropped',
        note: `free text, where a role here is one of ${ROLES.join(', ')} and decides the workspace (implementation shares workspace-{service}); ${
          typeof kept === 'string'
            ? `the profile keeps the base config's role ${kept}`
            : 'left unset, the agent works in its own workspace-{service}-{agent}, as in the seed'
        }; the text is kept as a comment on the profile, not added to its prompt`,
      };
    },
  },
  {
    source: 'helm-values',
    key: 'agents.*.systemPrompt',
    apply: (value, ctx) => {
      const text = string(value);
      const profile = profileOf(ctx);
      if (DNS_LABEL.test(text)) {
        profile.systemPrompt = text;
        delete profile.systemPromptText;
        return { kind: 'mapped', to: `agents.${ctx.profile}.systemPrompt`, note: 'the name of a template' };
      }
      if (!text.trim()) return { kind: 'dropped', note: 'empty: the profile keeps its template prompt' };
      profile.systemPromptText = text;
      delete profile.systemPrompt;
      return {
        kind: 'mapped',
        to: `agents.${ctx.profile}.systemPromptText`,
        note: "the prompt's text, used verbatim (systemPrompt here names a template)",
      };
    },
  },
  {
    source: 'controller-config',
    key: 'job.backoffLimit',
    apply: (value, ctx) => {
      at(ctx.out, ['retries']).maxRetries = integer(value, 0, 100);
      return {
        kind: 'mapped',
        to: 'retries.maxRetries',
        note: 'the same count of retries; the operator retries, each attempt its own Job (whose backoffLimit is 0), with backoff that survives a restart (decision 0030)',
      };
    },
  },
  {
    source: 'controller-config',
    key: 'job.activeDeadlineSeconds',
    same: true,
    apply: copied(['job', 'activeDeadlineSeconds']),
  },
  {
    source: 'controller-config',
    key: 'job.ttlSecondsAfterFinished',
    same: true,
    apply: copied(['job', 'ttlSecondsAfterFinished']),
  },
  {
    source: 'controller-config',
    key: 'agent.image',
    apply: (value, ctx) => {
      const image = string(value);
      for (const profile of everyProfile(ctx)) profile.image = image;
      return {
        kind: 'mapped',
        to: 'agents.*.image',
        note: "every profile's image (the seed has one agent); the entry script checks at start that it has bash, git, gh, claude, node and ssh (docs/install.md)",
      };
    },
  },
  {
    source: 'controller-config',
    key: 'agent.resources',
    apply: (value, ctx) => {
      const { requests, limits, ...rest } = map(value);
      if (Object.keys(rest).length)
        throw new SeedValueError(`Unknown field ${Object.keys(rest).join(', ')}: only requests and limits`);
      const one = {
        ...(requests === undefined ? {} : { requests: map(requests) }),
        ...(limits === undefined ? {} : { limits: map(limits) }),
      };
      for (const profile of everyProfile(ctx))
        profile.resources = Object.fromEntries(PRIORITIES.map((p) => [p, structuredClone(one)]));
      return {
        kind: 'mapped',
        to: 'agents.*.resources.{high,standard,low}',
        note: "every profile's resources for every run priority (the seed has one Job size)",
      };
    },
  },
  {
    source: 'controller-config',
    key: 'telemetry.enabled',
    apply: (value, ctx) => {
      if (typeof value !== 'boolean')
        throw new SeedValueError(`Invalid value: ${JSON.stringify(value)}: must be true or false`);
      at(ctx.out, ['agentTelemetry']).enabled = value;
      return {
        kind: 'mapped',
        to: 'agentTelemetry.enabled',
        note: "the agents' OTLP export; the operator's own traces are set by OTEL_* variables on its Deployment (docs/observability.md)",
      };
    },
  },
  {
    source: 'controller-config',
    key: 'telemetry.otlpEndpoint',
    apply: (value, ctx) => {
      const given = string(value).trim();
      const endpoint = /^https?:\/\//.test(given) ? given : `http://${given}`;
      const telemetry = at(ctx.out, ['agentTelemetry']);
      telemetry.endpoint = endpoint;
      const grpc = /:4317\/?$/.test(endpoint);
      if (grpc) telemetry.protocol = 'grpc';
      return {
        kind: 'mapped',
        to: `agentTelemetry.endpoint${grpc ? ' and agentTelemetry.protocol: grpc' : ''}`,
        note: `${endpoint === given ? 'as given' : 'with http:// before it (the field takes a URL)'}${grpc ? "; port 4317 is OTLP's gRPC port" : ''}; the operator's own traces take OTEL_EXPORTER_OTLP_ENDPOINT on its Deployment (docs/observability.md)`,
      };
    },
  },
];

const SOURCES: Record<SeedSource, { what: string; file: string }> = {
  'helm-values': { what: "seed 002's Helm values (agents: with appId, role, …)", file: 'values.yaml' },
  'controller-config': {
    what: "seed 001's controller config.yaml (job.backoffLimit, agent:, telemetry:)",
    file: 'config.yaml',
  },
};

/** What a seed file is, in the report and the refusal. */
export const seedSourceName = (source: SeedSource): string => SOURCES[source].what;

/** The command that converts a file of `source`. */
export const convertCommand = (source: SeedSource): string =>
  `orchestrator config convert ${SOURCES[source].file}`;

/** Whether a dotted path (agents.rex.appId) is the seed key `key` (agents.*.appId). */
export function pathIsKey(path: readonly string[], key: string): boolean {
  const parts = key.split('.');
  return parts.length === path.length && parts.every((p, i) => p === '*' || p === path[i]);
}

/**
 * The seed key a config problem at `path` (`agents.rex.appId`, kubectl-style) is at, unless this
 * project has that key with the seed's meaning; for an unknown field, also one under it (`telemetry`
 * holds telemetry.enabled). The refusal then names the command that converts the file.
 */
export function seedKeyAt(path: string, unknownField: boolean): SeedKey | undefined {
  const parts = path.split('.');
  return SEED_KEYS.find(
    (k) =>
      (!k.same && pathIsKey(parts, k.key)) ||
      (unknownField && pathIsKey(parts, k.key.split('.').slice(0, parts.length).join('.'))),
  );
}

/** The sentence a refusal of a seed key ends with. */
export function seedHint(key: SeedKey): string {
  return `this looks like ${seedSourceName(key.source)}: \`${convertCommand(key.source)}\` converts it (docs/configuration.md, "From the seed")`;
}
