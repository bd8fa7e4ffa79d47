// The runs and config the Job builder's tests start from (src/controllers/agent/manifests*.test.ts,
// features/features.test.ts).
import {
  type CodeRun,
  type ControllerConfig,
  type DefaultedRun,
  resolveRun,
  type TaskRun,
} from '../../../src/api/index.js';
import { loadDefaultConfig } from '../../../src/config/index.js';
import { taskRunStrategy } from '../../../src/controllers/kind/strategy.js';
import { uidHash } from '../../../src/naming/index.js';

export const config = loadDefaultConfig();
// Not the shipped setting: the gateway and egress off, so that these unit cases see the builders'
// baseline; the cases of each protection turn it on (manifests-gateway.test.ts, manifests-egress.test.ts,
// decide-usage.test.ts), and the suites that start a manager run the shipped config.
config.gateway.enabled = false;
config.egress.enabled = false;
// No App keys: the Job's shape without the GitHub token broker's credential (github-credentials.test.ts
// covers which containers get it).
delete config.secrets.githubAppId;
delete config.secrets.githubAppPrivateKey;
/** The App the default profile acts as: each install names its own (the shipped config names none). */
export const APP = 'acme-rex';
Object.assign(config.agents.rex ?? {}, { githubApp: APP });
/** The attempt's Job name: the run's uid is u-1. */
export const JOB = `payments-task-7-run-2-${uidHash('u-1')}`;
// biome-ignore lint/suspicious/noExplicitAny: objects read back as JSON, checked field by field.
export type Json = Record<string, any>;

export function taskRun(
  spec: Partial<TaskRun['spec']> = {},
  cfg: ControllerConfig = config,
): DefaultedRun<'TaskRun'> {
  const run = {
    metadata: { name: 'pay-7', namespace: 'ns', uid: 'u-1' },
    spec: {
      taskId: 7,
      serviceName: 'payments',
      markdownFiles: [{ filename: 'task.md', content: 'x' }],
      ...spec,
    },
  };
  return resolveRun('TaskRun', run as TaskRun, cfg).run;
}

export const input = (run: DefaultedRun<'TaskRun'>, attempt = 2, cfg = config) => ({
  strategy: taskRunStrategy,
  run,
  config: cfg,
  attempt,
});

/** The agent's container of a pod template: an init container, after prepare (and a Docker sidecar). */
export const agentOf = (pod: Json): Json => pod.initContainers.find((c: Json) => c.name === 'agent');

/** A CodeRun of rex on acme/payments, with these spec fields. */
export const codeRun = (
  spec: Partial<CodeRun['spec']> = {},
  cfg: ControllerConfig = config,
): DefaultedRun<'CodeRun'> =>
  resolveRun(
    'CodeRun',
    {
      metadata: { name: 'pay-7-rex', namespace: 'ns', uid: 'u-2' },
      spec: {
        taskId: 7,
        service: 'payments',
        githubApp: APP,
        repositoryUrl: 'https://github.com/acme/payments',
        docsRepositoryUrl: 'https://github.com/acme/docs',
        ...spec,
      },
    } as CodeRun,
    cfg,
  ).run;
