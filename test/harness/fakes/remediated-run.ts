// The world a GitHub delivery meets in the router's unit tests: the webhook config that maps
// acme/payments to team-a, and the CodeRun of task 7 that a remediation run continues.
import { type CodeRun, type ControllerConfig, runLabels } from '../../../src/api/index.js';
import { configFrom } from '../../../src/config/load.js';
import { seedConfig } from '../util/app-configs.js';

/** Where the router lists and creates the CodeRuns of team-a. */
export const TEAM_A_CODERUNS = '/apis/orchestrator.io/v1/namespaces/team-a/coderuns';

/** The seed's config (its Apps: config/samples/seed) with acme/payments delivered to team-a, and any other `githubWebhook` field. */
export const webhookConfig = (hook: Record<string, unknown> = {}): ControllerConfig =>
  configFrom({
    ...seedConfig(),
    githubWebhook: { repositories: [{ name: 'acme/payments', namespace: 'team-a' }], ...hook },
  });

/** Rex's CodeRun of task 7 on acme/payments, as admission stored it; `spec` overrides its fields. */
export function previousCodeRun(
  config: ControllerConfig,
  opts: { name?: string; spec?: Partial<CodeRun['spec']>; status?: CodeRun['status'] } = {},
): CodeRun {
  const spec: CodeRun['spec'] = {
    taskId: 7,
    service: 'payments',
    githubApp: '5DLabs-Rex',
    repositoryUrl: 'https://github.com/acme/payments.git',
    docsRepositoryUrl: 'https://github.com/acme/payments-docs.git',
    contextVersion: 2,
    continueSession: false,
    overwriteMemory: true,
    ...opts.spec,
  };
  return {
    apiVersion: 'orchestrator.io/v1',
    kind: 'CodeRun',
    metadata: {
      name: opts.name ?? 'payments-task-7-rex',
      namespace: 'team-a',
      labels: runLabels('CodeRun', spec, config),
      creationTimestamp: '2026-11-20T10:00:00Z',
    },
    spec,
    ...(opts.status ? { status: opts.status } : {}),
  };
}
