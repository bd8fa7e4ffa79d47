// The manager's refusal of a seed-shaped config names the command that converts it, from the
// converter's own table (seed-keys.ts); a problem at a key this project shares with the seed does not.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { ConfigError, configFrom, defaultConfigFile } from './load.js';
import { SEED_KEYS, seedKeyAt } from './seed-keys.js';

const shipped = () => parse(readFileSync(defaultConfigFile(), 'utf8'), { maxAliasCount: 100 });
/** The findings of a config refused, as the manager logs them. */
const refusal = (value: unknown): string[] => {
  try {
    configFrom(value);
  } catch (err) {
    if (err instanceof ConfigError) return err.findings.map((f) => `${f.path}: ${f.message}`);
    throw err;
  }
  return [];
};

t.test(
  "seed 002's agents in the config: each of its keys refused with the command that converts them",
  async (t) => {
    const base = shipped();
    const rex = {
      ...base.agents.rex,
      name: 'Rex',
      appId: '1724452',
      clientId: 'Iv23liTnu9e0imdRPhCC',
      role: 'Senior Backend Architect & Systems Engineer',
      systemPrompt: '# Generic implementation prompt\n',
    };
    const lines = refusal({ ...base, agents: { ...base.agents, rex } });
    const hint =
      "this looks like seed 002's Helm values (agents: with appId, role, …): `orchestrator config convert values.yaml` converts it";
    for (const key of ['name', 'appId', 'clientId'])
      t.ok(
        lines.includes(`agents.rex.${key}: Unknown field: ${hint} (docs/configuration.md, "From the seed")`),
        key,
      );
    t.ok(
      lines.some((l) => l.startsWith('agents.rex.role: Unsupported value') && l.includes(hint)),
      'a free-text role',
    );
    t.ok(
      lines.some((l) => l.startsWith('agents.rex.systemPrompt: Invalid value') && l.includes(hint)),
      "the prompt's text",
    );
  },
);

t.test(
  "seed 001's config.yaml keys: refused with the command; this project's own problems without it",
  async (t) => {
    const base = shipped();
    const lines = refusal({
      ...base,
      job: { ...base.job, backoffLimit: 3, activeDeadlineSeconds: -1 },
      agent: { image: 'x' },
      telemetry: { enabled: true },
    });
    const hint =
      "seed 001's controller config.yaml (job.backoffLimit, agent:, telemetry:): `orchestrator config convert config.yaml`";
    for (const path of ['job.backoffLimit', 'agent', 'telemetry'])
      t.ok(
        lines.some((l) => l.startsWith(`${path}: Unknown field: this looks like ${hint}`)),
        path,
      );
    const own = lines.find((l) => l.startsWith('job.activeDeadlineSeconds'));
    t.ok(own, 'a bad value of a field the seed shares is refused');
    t.notMatch(own, /config convert/, '… without the hint');
  },
);

t.test('the hint comes from the table: a key shared with this project has none', async (t) => {
  t.equal(seedKeyAt('agents.rex.appId', true)?.key, 'agents.*.appId');
  t.equal(seedKeyAt('telemetry', true)?.key, 'telemetry.enabled', 'an unknown section holding seed keys');
  t.equal(seedKeyAt('telemetry', false), undefined, 'a section is a seed key only as an unknown field');
  t.equal(seedKeyAt('agents.rex.githubApp', false), undefined, 'githubApp means the same here');
  t.equal(seedKeyAt('job.podTemplate', true), undefined);
  t.ok(SEED_KEYS.every((k) => k.same || seedKeyAt(k.key.replaceAll('*', 'rex'), true) === k));
});
