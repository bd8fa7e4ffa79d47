import t from 'tap';
import { configFrom, loadDefaultConfig } from '../config/load.js';
import { defaulted } from './defaulting.js';
import {
  expandRepository,
  normalisedSpec,
  ORG_REPO,
  resolveModelAlias,
  specNormalisations,
} from './normalise.js';

const config = loadDefaultConfig();

t.test('org/repo means https://{github.host}/org/repo; anything else is no shorthand', async (t) => {
  t.equal(expandRepository('5dlabs/platform', config), 'https://github.com/5dlabs/platform');
  t.equal(expandRepository('acme/pay.ments_2-x.git', config), 'https://github.com/acme/pay.ments_2-x.git');
  const enterprise = configFrom({ ...config, github: { host: 'git.example.com:8443' } });
  t.equal(expandRepository('acme/pay', enterprise), 'https://git.example.com:8443/acme/pay');
  for (const notShorthand of [
    'https://github.com/acme/pay',
    'git@github.com:acme/pay.git',
    'ssh://git@github.com/acme/pay',
    'acme',
    'acme/pay/extra',
    '-acme/pay',
    'acme/',
    '/pay',
    'ac me/pay',
    'acme/pay?x',
    '',
  ]) {
    t.equal(expandRepository(notShorthand, config), undefined, notShorthand);
  }
  t.ok(ORG_REPO.test('a/b'));
});

t.test('a model alias resolves to its full id from the config; other names stay', async (t) => {
  t.same(config.modelAliases, {
    opus: 'claude-opus-5-5',
    sonnet: 'claude-sonnet-5-5',
    haiku: 'claude-haiku-4-5',
  });
  for (const id of Object.values(config.modelAliases))
    t.ok(config.models?.includes(id), `${id}: a configured model`);
  t.equal(resolveModelAlias('opus', config), 'claude-opus-5-5');
  t.equal(resolveModelAlias('claude-opus-5-5', config), undefined, 'already the id');
  t.equal(resolveModelAlias('gpt-imaginary', config), undefined, 'unknown: left for validation to warn');
  t.equal(resolveModelAlias('constructor', config), undefined, 'own keys only');
  t.equal(resolveModelAlias('Opus', config), undefined, 'aliases are exact');
  const mine = configFrom({ ...config, modelAliases: { fast: 'claude-haiku-4-5' } });
  t.equal(resolveModelAlias('fast', mine), 'claude-haiku-4-5');
  t.equal(resolveModelAlias('opus', mine), undefined, 'a map in the config replaces the default whole');
});

t.test('each kind: its repository URL fields and model, nothing else', async (t) => {
  t.same(
    specNormalisations(
      'CodeRun',
      { repositoryUrl: 'acme/pay', docsRepositoryUrl: 'acme/docs', model: 'sonnet', service: 'a/b' },
      config,
    ),
    [
      { path: ['repositoryUrl'], from: 'acme/pay', to: 'https://github.com/acme/pay', what: 'repository' },
      {
        path: ['docsRepositoryUrl'],
        from: 'acme/docs',
        to: 'https://github.com/acme/docs',
        what: 'repository',
      },
      { path: ['model'], from: 'sonnet', to: 'claude-sonnet-5-5', what: 'model-alias' },
    ],
  );
  const spec = { repository: { url: 'acme/pay', branch: 'dev' }, model: 'haiku' };
  t.same(normalisedSpec('TaskRun', spec, config), {
    repository: { url: 'https://github.com/acme/pay', branch: 'dev' },
    model: 'claude-haiku-4-5',
  });
  t.same(spec, { repository: { url: 'acme/pay', branch: 'dev' }, model: 'haiku' }, 'the input is kept');
  const explicit = { repositoryUrl: 'https://github.com/acme/pay', model: 'claude-sonnet-5-5' };
  t.equal(normalisedSpec('DocsRun', explicit, config), explicit, 'nothing to do: the same object');
  t.same(specNormalisations('TaskRun', { repository: 'acme/pay', model: 7 }, config), [], 'any JSON');
});

t.test("the reconciler's defaulted() makes the shorthands explicit too", async (t) => {
  const run = defaulted(
    'DocsRun',
    {
      spec: {
        repositoryUrl: 'acme/pay',
        workingDirectory: 'docs',
        githubApp: '5DLabs-Morgan',
        model: 'opus',
      },
    },
    config,
  );
  t.match(run.spec, { repositoryUrl: 'https://github.com/acme/pay', model: 'claude-opus-5-5' });
});
