// A run's App selects its profile by the config, whatever the App is called.
import t from 'tap';
import { loadDefaultConfig } from '../config/load.js';
import { runAgent, runWorkspace } from './defaulting.js';
import { agentOfGithubApp } from './github-app-agent.js';

const config = loadDefaultConfig();
Object.assign(config.agents.cleo ?? {}, { githubApp: 'Acme-Review-Bot' });

t.test('the profile naming the App runs it, compared without case', async (t) => {
  t.equal(agentOfGithubApp(config, 'Acme-Review-Bot'), 'cleo');
  t.equal(agentOfGithubApp(config, 'acme-review-bot'), 'cleo', 'GitHub compares App names without case');
  t.equal(runAgent('CodeRun', { githubApp: 'acme-review-bot' }, config), 'cleo');
  t.equal(runAgent('DocsRun', { githubApp: 'acme-review-bot' }, config), 'cleo');
  t.equal(
    runWorkspace('CodeRun', { githubApp: 'acme-review-bot', service: 'payments' }, config),
    'workspace-payments-cleo',
    "the workspace is the profile's (cleo's own), not the App name's",
  );
});

t.test("an App no profile names: the seed's rule, the part after its last '-'", async (t) => {
  t.equal(agentOfGithubApp(config, 'you-tess'), 'tess');
  t.equal(agentOfGithubApp(config, '5DLabs-Rex'), 'rex');
  t.equal(agentOfGithubApp(config, 'Solo'), 'solo');
});
