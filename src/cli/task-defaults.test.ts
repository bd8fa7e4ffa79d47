// The rule of the default App, on configs written here: the defaultAgent's for a CodeRun, the one
// documentation agent's for a DocsRun, and each way a config can have none, said.
import t from 'tap';
import type { ControllerConfig } from '../api/index.js';
import { defaultGithubApp } from './task-defaults.js';

type Agents = ControllerConfig['agents'];
const config = (agents: Record<string, Partial<Agents[string]>>, defaultAgent = 'coder') => ({
  agents: Object.fromEntries(Object.entries(agents).map(([n, a]) => [n, { image: 'img', ...a }])) as Agents,
  defaultAgent,
});

t.test('a CodeRun takes the App of the defaultAgent', async (t) => {
  const c = config({
    coder: { githubApp: 'Acme-Coder', role: 'implementation' },
    other: { githubApp: 'Acme-Other' },
  });
  t.same(defaultGithubApp(c, 'CodeRun'), { app: 'Acme-Coder' });
  t.same(defaultGithubApp(config({ coder: {} }), 'CodeRun'), {
    none: 'its defaultAgent (coder) has no githubApp',
  });
});

t.test('a DocsRun takes the App of the one documentation agent', async (t) => {
  const writer = { githubApp: 'Acme-Writer', role: 'documentation' as const };
  t.same(defaultGithubApp(config({ coder: { githubApp: 'Acme-Coder' }, writer }), 'DocsRun'), {
    app: 'Acme-Writer',
  });
  t.same(defaultGithubApp(config({ coder: { githubApp: 'Acme-Coder' } }), 'DocsRun'), {
    none: 'no agent with role documentation has a githubApp',
  });
  t.same(
    defaultGithubApp(config({ coder: {}, writer: { role: 'documentation' } }), 'DocsRun'),
    { none: 'no agent with role documentation has a githubApp' },
    'a documentation agent without an App is none',
  );
  t.same(
    defaultGithubApp(config({ coder: {}, a: writer, b: { ...writer, githubApp: 'Acme-B' } }), 'DocsRun'),
    { none: 'several agents with role documentation (a, b)' },
    'two: no guess',
  );
});
