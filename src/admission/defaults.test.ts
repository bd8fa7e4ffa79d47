import t from 'tap';
import { specDefaults } from '../api/index.js';
import { configFrom, loadDefaultConfig } from '../config/load.js';

const config = loadDefaultConfig();

const pvcOf = (kind: 'TaskRun' | 'CodeRun', spec: Record<string, unknown>, c = config) =>
  (specDefaults(kind, spec, c).workspace as { pvcName?: string }).pvcName;

t.test("the workspace volume follows the agent's role", async (t) => {
  t.equal(pvcOf('TaskRun', { serviceName: 'pay', agent: 'rex' }), 'workspace-pay', 'implementation: shared');
  t.equal(
    pvcOf('TaskRun', { serviceName: 'pay', agent: 'blaze' }),
    'workspace-pay',
    'implementation: shared',
  );
  t.equal(pvcOf('CodeRun', { service: 'pay', githubApp: '5DLabs-Cleo' }), 'workspace-pay-cleo', 'quality');
  t.equal(
    pvcOf('CodeRun', { service: 'pay', githubApp: '5DLabs-Cipher' }),
    'workspace-pay-cipher',
    'security',
  );
  const roleless = configFrom({
    ...config,
    agents: { ...config.agents, scout: { image: 'x' } },
  });
  t.equal(
    pvcOf('TaskRun', { serviceName: 'pay', agent: 'scout' }, roleless),
    'workspace-pay-scout',
    'no role: own',
  );
  const promoted = configFrom({
    ...config,
    agents: {
      ...config.agents,
      cleo: { ...config.agents.cleo, image: 'x', role: 'implementation' },
    },
  });
  t.equal(pvcOf('CodeRun', { service: 'pay', githubApp: '5DLabs-Cleo' }, promoted), 'workspace-pay');
});
