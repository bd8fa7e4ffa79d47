import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { loadSchema } from '../api/schemas.js';
import { createAjv } from '../validation/schema-validator.js';
import { ConfigError, configFrom, defaultConfigFile, parseConfig } from './load.js';

const defaultText = readFileSync(defaultConfigFile(), 'utf8');

t.test('the shipped default config is valid and gets schema defaults', async (t) => {
  const config = parseConfig(defaultText);
  t.equal(config.defaultAgent, 'rex');
  t.ok(config.agents.rex?.image);
  t.equal(config.retries?.maxRetries, 3);
});

t.test("the config's defaults are exactly those ajv's useDefaults fills in", async (t) => {
  const fill = createAjv({ useDefaults: true }).compile(loadSchema('ControllerConfig'));
  const configs = {
    minimal: { defaultAgent: 'rex', agents: { rex: { image: 'agent:1' } } },
    'sections present but empty': {
      defaultAgent: 'rex',
      agents: { rex: { image: 'agent:1', podTemplate: {}, resources: {} }, cleo: { image: 'agent:2' } },
      job: { podTemplate: {} },
      retries: {},
      workspace: {},
      githubWebhook: {},
    },
    shipped: parse(defaultText),
  };
  for (const [name, value] of Object.entries(configs)) {
    const expected = structuredClone(value);
    t.ok(fill(expected), `${name}: valid`);
    const filled = configFrom(value, name);
    t.same(filled, expected, `${name}: the same config`);
    t.not(JSON.stringify(filled), JSON.stringify(value), `${name}: some defaults were filled`);
  }
});

t.test('every problem is reported with its path', async (t) => {
  const bad = `${defaultText.replace('defaultAgent: rex', 'defaultAgent: 7')}\nunknownKey: true\n`;
  const err = t.throws(() => parseConfig(bad, 'bad.yaml')) as ConfigError;
  t.ok(err instanceof ConfigError);
  t.match(err.message, /bad\.yaml/);
  t.match(err.message, /defaultAgent: Invalid value: 7: must be of type string/);
  t.match(err.message, /unknownKey: Unknown field/);
});

t.test('the default agent must be one of the agents', async (t) => {
  t.throws(
    () => parseConfig(defaultText.replace('defaultAgent: rex', 'defaultAgent: nobody')),
    /defaultAgent: Invalid value: "nobody": not one of the agents \(rex, blaze/,
  );
});

t.test('broken YAML is a ConfigError, not a crash', async (t) => {
  t.throws(() => parseConfig('agents: [unclosed', 'x.yaml'), { name: 'ConfigError', message: /x\.yaml/ });
});

t.test('job.allowedPodAnnotations: keys and prefixes ending in "/", a bad one named by index', async (t) => {
  const withAllowed = (list: string) =>
    defaultText.replace(/^ {2}allowedPodAnnotations: .*$/m, `  allowedPodAnnotations: ${list}`);
  t.same(parseConfig(withAllowed('[mesh.example.com/, team]')).job.allowedPodAnnotations, [
    'mesh.example.com/',
    'team',
  ]);
  t.throws(
    () => parseConfig(withAllowed('[ok/, Bad_Prefix/]')),
    /job\.allowedPodAnnotations\[1\]: Invalid value: "Bad_Prefix\/": the prefix before "\/" must be a DNS subdomain/,
  );
  t.same(
    parseConfig(defaultText.replace(/^ {2}allowedPodAnnotations: .*\n/m, '')).job.allowedPodAnnotations,
    ['sim.orchestrator.io/'],
    'the default',
  );
});

t.test('job.podAnnotations keys must be qualified names, named in the error', async (t) => {
  const withAnnotations = (key: string) =>
    defaultText.replace(/^job:\n/m, `job:\n  podAnnotations:\n    ${JSON.stringify(key)}: "v"\n`);
  t.equal(
    parseConfig(withAnnotations('mesh.example.com/inject')).job.podAnnotations?.['mesh.example.com/inject'],
    'v',
  );
  t.throws(
    () => parseConfig(withAnnotations('Bad_Prefix/x')),
    /job\.podAnnotations\["Bad_Prefix\/x"\]: Invalid value: the prefix before "\/" must be a DNS subdomain/,
  );
  t.throws(
    () => parseConfig(withAnnotations('-x')),
    /job\.podAnnotations\["-x"\]: Invalid value: the name must be 63 characters at most/,
  );
});

t.test('job.env: names a variable may have, and not the ones the operator sets', async (t) => {
  const withEnv = (name: string) => defaultText.replace(/^job:\n/m, `job:\n  env:\n    ${name}: "v"\n`);
  // A routing variable only with the gateway off, which the shipped config is not.
  const gatewayOff = (text: string) =>
    text.replace(/^gateway:\n {2}enabled: true$/m, 'gateway:\n  enabled: false');
  t.equal(parseConfig(gatewayOff(withEnv('ANTHROPIC_BASE_URL'))).job.env?.ANTHROPIC_BASE_URL, 'v');
  t.throws(
    () => parseConfig(withEnv('ANTHROPIC_BASE_URL')),
    /job\.env\["ANTHROPIC_BASE_URL"\]: Invalid value: reserved/,
  );
  t.throws(
    () => parseConfig(withEnv('GITHUB_TOKEN')),
    /job\.env\["GITHUB_TOKEN"\]: Invalid value: reserved: /,
  );
  t.throws(
    () => parseConfig(withEnv('ORCHESTRATOR_X')),
    /job\.env\["ORCHESTRATOR_X"\]: Invalid value: reserved/,
  );
  t.throws(() => parseConfig(withEnv('"1BAD"')), /job\.env\["1BAD"\]: Invalid value: must be a letter or _/);
});

t.test('an agent with clusterAccess needs a ServiceAccount of its own', async (t) => {
  const config = parseConfig(defaultText);
  t.equal(config.agents.tess?.clusterAccess, true, 'the testing agent has cluster access');
  t.notOk(config.agents.rex?.clusterAccess, 'the others have none (the default)');
  const withoutAccount = defaultText.replace(
    '    serviceAccountName: orchestrator-agent-cluster-access\n',
    '',
  );
  t.throws(
    () => parseConfig(withoutAccount),
    /agents\.tess\.serviceAccountName: Required value: an agent with clusterAccess runs as a ServiceAccount of its own/,
  );
});

t.test('imagePullPolicy: IfNotPresent and Never need an image with a fixed tag or digest', async (t) => {
  const withPolicy = (policy: string, image: string) =>
    defaultText.replace(
      '  rex:\n    image: ghcr.io/5dlabs/orchestrator-agent:0.1.0\n',
      `  rex:\n    image: ${image}\n    imagePullPolicy: ${policy}\n`,
    );
  t.equal(
    parseConfig(withPolicy('Never', 'orchestrator.local/agent:1.2')).agents.rex?.imagePullPolicy,
    'Never',
  );
  t.equal(
    parseConfig(withPolicy('IfNotPresent', 'registry:5000/agent@sha256:ab')).agents.rex?.imagePullPolicy,
    'IfNotPresent',
  );
  t.equal(
    parseConfig(withPolicy('Always', 'ghcr.io/5dlabs/claude:latest')).agents.rex?.imagePullPolicy,
    'Always',
  );
  t.throws(
    () => parseConfig(withPolicy('Never', 'ghcr.io/5dlabs/claude:latest')),
    /agents\.rex\.imagePullPolicy: Invalid value: "Never": the image "ghcr.io\/5dlabs\/claude:latest" has no tag or the tag latest/,
  );
  t.throws(
    () => parseConfig(withPolicy('IfNotPresent', 'registry:5000/agent')),
    /agents\.rex\.imagePullPolicy: Invalid value: "IfNotPresent": the image "registry:5000\/agent" has no tag/,
    'a registry port is not a tag',
  );
  t.throws(() => parseConfig(withPolicy('Sometimes', 'a:1')), /agents\.rex\.imagePullPolicy/);
});

t.test('githubWebhook: defaults, and patterns that name the task once', async (t) => {
  const hook = parseConfig(defaultText).githubWebhook;
  t.same(hook.secretFiles, []);
  t.equal(hook.branchPattern, 'feature/task-{taskId}-implementation');
  t.equal(hook.taskLabel, 'task-{taskId}');
  t.same(hook.authorAssociations, ['OWNER', 'MEMBER', 'COLLABORATOR']);
  const withHook = (yaml: string) => `${defaultText}\ngithubWebhook:\n${yaml}`;
  t.throws(
    () => parseConfig(withHook('  branchPattern: feature/x\n  taskLabel: "{taskId}-{taskId}"\n')),
    /githubWebhook\.branchPattern: Invalid value: "feature\/x": must contain \{taskId\} exactly once \(it has 0\)[\s\S]*githubWebhook\.taskLabel: Invalid value: "\{taskId\}-\{taskId\}": must contain \{taskId\} exactly once \(it has 2\)/,
  );
  t.throws(
    () => parseConfig(withHook('  repositories: [{ name: "not a repo", namespace: team-a }]\n')),
    /githubWebhook\.repositories\[0\]\.name: Invalid value: "not a repo"/,
  );
});

t.test("one profile per GitHub App: a run's App selects its profile", async (t) => {
  const both = defaultText
    .replace('  rex:\n', '  rex:\n    githubApp: acme-bot\n')
    .replace('  cleo:\n', '  cleo:\n    githubApp: Acme-Bot\n');
  t.throws(
    () => parseConfig(both, 'apps.yaml'),
    /agents\.cleo\.githubApp: Duplicate value: "Acme-Bot": agents\.rex\.githubApp names the same App/,
  );
  const one = parseConfig(defaultText.replace('  rex:\n', '  rex:\n    githubApp: acme-bot\n'));
  t.equal(one.agents.rex?.githubApp, 'acme-bot');
});
