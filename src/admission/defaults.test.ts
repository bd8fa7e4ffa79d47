import t from 'tap';
import { loadDefaultConfig } from '../config/load.js';
import { specDefaults } from './defaults.js';

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
  const roleless = {
    ...config,
    agents: { ...config.agents, scout: { image: 'x' } },
  };
  t.equal(
    pvcOf('TaskRun', { serviceName: 'pay', agent: 'scout' }, roleless),
    'workspace-pay-scout',
    'no role: own',
  );
  const promoted = {
    ...config,
    agents: {
      ...config.agents,
      cleo: { ...config.agents.cleo, image: 'x', role: 'implementation' as const },
    },
  };
  t.equal(pvcOf('CodeRun', { service: 'pay', githubApp: '5DLabs-Cleo' }, promoted), 'workspace-pay');
});
