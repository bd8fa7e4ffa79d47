// The seeds' configuration converted by the table (seed-keys.ts), on the seeds' own snippets
// (test/fixtures/seeds: seed 002's Helm values, seed 001's taskrun-controller-config as written): each
// key's outcome, and the result loaded by the manager's own loader.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { packageRoot } from '../util/index.js';
import { ConfigError, defaultConfigFile, parseConfig } from './load.js';
import {
  type Conversion,
  convertSeed,
  detectSeed,
  formatReportLine,
  readSeed,
  SeedConvertError,
} from './seed-convert.js';
import { SEED_KEYS } from './seed-keys.js';

const fixture = (name: string) =>
  readFileSync(join(packageRoot(), 'test', 'fixtures', 'seeds', name), 'utf8');
const base = () => parse(readFileSync(defaultConfigFile(), 'utf8'), { maxAliasCount: 100 });
const values = () => readSeed(fixture('002-values.yaml'), '002-values.yaml');
const controller = () => readSeed(fixture('001-config.yaml'), '001-config.yaml');
/** The report's line of `key`, formatted. */
const lineOf = (report: Conversion['report'], key: string) => {
  const line = report.find((l) => l.key === key);
  return line ? formatReportLine(line) : `no line for ${key}`;
};
const outcomes = (report: { key: string; outcome: { kind: string; to?: string } }[]) =>
  Object.fromEntries(report.map((l) => [l.key, `${l.outcome.kind} ${l.outcome.to ?? ''}`.trim()]));
/** The problems of a conversion refused. */
const problems = (convert: () => unknown): string[] => {
  try {
    convert();
    return [];
  } catch (err) {
    if (!(err instanceof SeedConvertError)) throw err;
    return err.problems;
  }
};

t.test('each seed file is told by its own keys', async (t) => {
  t.equal(detectSeed(values()), 'helm-values');
  t.equal(detectSeed(controller()), 'controller-config', "the ConfigMap's config.yaml");
  t.equal(detectSeed({ agents: [{ name: 'Rex', systemPrompt: 'x' }] }), 'helm-values', "seed 004's list");
  t.equal(
    detectSeed(parse(readFileSync(defaultConfigFile(), 'utf8'))),
    undefined,
    "this project's own config",
  );
});

t.test(
  "seed 002's agents: each key mapped, sent to the App's Secret, or dropped with the reason",
  async (t) => {
    const { config, report, yaml } = convertSeed(values(), 'helm-values', base());
    const rex = outcomes(report);
    t.same(Object.fromEntries(Object.entries(rex).filter(([k]) => k.startsWith('agents.rex.'))), {
      'agents.rex.name': 'dropped',
      'agents.rex.githubApp': 'mapped agents.rex.githubApp',
      'agents.rex.appId':
        'elsewhere the key app-id of the Secret github-app-5dlabs-rex (secrets.githubAppId)',
      'agents.rex.clientId': 'dropped',
      'agents.rex.role': 'dropped',
      'agents.rex.systemPrompt': 'mapped agents.rex.systemPromptText',
    });
    const agents = config.agents as Record<string, Record<string, unknown>>;
    t.equal(agents.rex?.githubApp, '5DLabs-Rex');
    t.equal(agents.rex?.systemPromptText, '# Generic implementation prompt\n');
    t.equal(
      agents.rex?.role,
      'implementation',
      "the shipped rex's role is kept, the free text is not a role",
    );
    t.equal(agents.tess?.role, 'testing');
    for (const field of ['name', 'appId', 'clientId']) t.notOk(field in (agents.rex ?? {}), `no ${field}`);
    t.same(config.githubApps, ['5DLabs-Rex', '5DLabs-Cleo', '5DLabs-Tess']);
    t.match(
      lineOf(report, 'agents.rex.appId'),
      'kubectl -n orchestrator-system create secret generic github-app-5dlabs-rex --from-literal=app-id=1724452',
    );
    t.match(lineOf(report, 'agents.rex.role'), /free text.*keeps the base config's role implementation/);
    t.match(yaml, /# the seed's Rex, role: "Senior Backend Architect & Systems Engineer"\n {2}rex:/);

    const loaded = parseConfig(yaml, 'converted');
    t.equal(
      loaded.agents.cleo?.systemPromptText,
      '# Specific Clippy/formatting focus\n',
      'the printed YAML loads',
    );
    t.equal(loaded.agents.cleo?.githubApp, '5DLabs-Cleo');
  },
);

t.test(
  'a free-text role on a profile the base lacks is dropped, and the profile gets an own workspace',
  async (t) => {
    const seed = { agents: { nova: { name: 'Nova', role: 'Release Manager', githubApp: 'acme-nova' } } };
    const { config, report } = convertSeed(seed, 'helm-values', base());
    const nova = (config.agents as Record<string, Record<string, unknown>>).nova;
    t.same(
      nova,
      { image: 'ghcr.io/5dlabs/orchestrator-agent:0.1.0', githubApp: 'acme-nova' },
      "the default agent's image",
    );
    t.match(
      lineOf(report, 'agents.nova.role'),
      /left unset, the agent works in its own workspace-\{service\}-\{agent\}/,
    );
    const role = convertSeed({ agents: { nova: { role: 'security' } } }, 'helm-values', base());
    t.equal(
      (role.config.agents as Record<string, Record<string, unknown>>).nova?.role,
      'security',
      'a role of ours is kept',
    );
  },
);

t.test(
  "seed 001's controller config: retries, Job, every profile's image and resources, agent telemetry",
  async (t) => {
    const { config, report } = convertSeed(controller(), 'controller-config', base());
    t.same(outcomes(report), {
      'job.backoffLimit': 'mapped retries.maxRetries',
      'job.activeDeadlineSeconds': 'mapped job.activeDeadlineSeconds',
      'job.ttlSecondsAfterFinished': 'mapped job.ttlSecondsAfterFinished',
      'agent.image': 'mapped agents.*.image',
      'agent.resources': 'mapped agents.*.resources.{high,standard,low}',
      'telemetry.enabled': 'mapped agentTelemetry.enabled',
      'telemetry.otlpEndpoint': 'mapped agentTelemetry.endpoint and agentTelemetry.protocol: grpc',
    });
    const loaded = parseConfig(convertSeed(controller(), 'controller-config', base()).yaml, 'converted');
    t.equal(loaded.retries.maxRetries, 3);
    t.equal(loaded.job.activeDeadlineSeconds, 3600);
    t.equal(loaded.job.ttlSecondsAfterFinished, 86400);
    for (const [name, agent] of Object.entries(loaded.agents)) {
      t.equal(agent.image, 'ghcr.io/5dlabs/platform/claude-code:latest', `${name}: the image`);
      t.same(agent.resources?.low, {
        requests: { cpu: '1', memory: '2Gi' },
        limits: { cpu: '2', memory: '4Gi' },
      });
    }
    t.same(
      { ...loaded.agentTelemetry },
      {
        ...loaded.agentTelemetry,
        enabled: true,
        endpoint: 'http://otel-collector-opentelemetry-collector.telemetry.svc.cluster.local:4317',
        protocol: 'grpc',
      },
    );
    t.equal(config.agent, undefined, 'no seed key left in the config');
  },
);

t.test("keys of neither the seed nor this project are dropped; this project's are kept", async (t) => {
  const seed = {
    job: { backoffLimit: 1, parallelism: 2, allowedImages: ['ghcr.io/acme/*'] },
    agent: { pullSecret: 'x' },
  };
  const { config, report } = convertSeed(seed, 'controller-config', base());
  t.same(outcomes(report), {
    'job.backoffLimit': 'mapped retries.maxRetries',
    'job.parallelism': 'dropped',
    'job.allowedImages': 'mapped job.allowedImages',
    'agent.pullSecret': 'dropped',
  });
  t.same((config.job as Record<string, unknown>).allowedImages, ['ghcr.io/acme/*']);
});

t.test(
  'a value that cannot be converted, or a file that is no YAML, is refused naming its key or line',
  async (t) => {
    t.same(
      problems(() => convertSeed({ job: { backoffLimit: 'three' } }, 'controller-config', base())),
      ['job.backoffLimit: Invalid value: "three": must be an integer, 0 to 100'],
    );
    t.same(
      problems(() => convertSeed({ agents: { rex: 'Rex' } }, 'helm-values', base())),
      ['agents.rex: Invalid value: "Rex": must be a map'],
    );
    t.same(
      problems(() => convertSeed({ agents: [{ role: 'x' }] }, 'helm-values', base())),
      ["agents[0].name: Required value: the profile's name comes from it"],
    );
    t.match(
      problems(() => readSeed('agents:\n  rex:\n    name: "Rex\n', 'values.yaml')).join('\n'),
      /^line \d+, column \d+: /,
    );
    t.same(
      problems(() => readSeed('- a\n- b\n', 'values.yaml')),
      ['the file is not a YAML map of keys'],
    );
    t.throws(
      () => convertSeed({ agents: { rex: { githubApp: 'not an app!' } } }, 'helm-values', base()),
      ConfigError,
      "what the manager's validation refuses is not printed",
    );
  },
);

t.test('every key of the table is converted from a seed file of its source', async (t) => {
  const sources = new Set(SEED_KEYS.map((k) => k.source));
  t.same([...sources].sort(), ['controller-config', 'helm-values']);
  const seen = new Set([
    ...convertSeed(values(), 'helm-values', base()).report.map((l) =>
      l.key.replace(/^agents\.[a-z]+\./, 'agents.*.'),
    ),
    ...convertSeed(controller(), 'controller-config', base()).report.map((l) => l.key),
  ]);
  for (const { key } of SEED_KEYS) t.ok(seen.has(key), `${key}: in the seeds' snippets`);
});
