// Sample runs of every kind, used to try a template set before it is accepted (validate.ts) and by
// the tests. They exercise the optional parts: a repository, agentTools with restrictions, extra
// tools, a continued session, a sparse docs checkout.
import type {
  CodeRun,
  ControllerConfig,
  DocsRun,
  Run,
  RunKindName,
  TaskRun,
  ToolConfig,
} from '../api/index.js';

export interface SampleOptions {
  agent: string;
  /** The preset: CodeRun toolConfig; for the other kinds applied to the agent's profile by sampleConfig. */
  preset: ToolConfig;
  /** A continued run: attempt 2 (TaskRun, DocsRun) or continueSession (CodeRun). */
  continuing: boolean;
}

const metadata = (name: string) => ({
  name,
  namespace: 'agents',
  uid: '00000000-0000-0000-0000-000000000000',
});

export function sampleTaskRun({ agent }: SampleOptions): TaskRun {
  return {
    apiVersion: 'orchestrator.io/v1',
    kind: 'TaskRun',
    metadata: metadata('payments-task-7'),
    spec: {
      taskId: 7,
      serviceName: 'payments',
      agent,
      markdownFiles: [
        { filename: 'task.md', content: '# Retry failed card captures\n\nRetry up to three times.\n' },
        { filename: 'acceptance-criteria.md', fileType: 'acceptance-criteria', content: '- [ ] retried\n' },
        { filename: 'prompt.md', fileType: 'prompt', content: 'Be careful with money.\n' },
      ],
      repository: { url: 'https://github.com/acme/payments.git', branch: 'main', githubUser: 'octocat' },
      agentTools: [
        { name: 'Bash', enabled: true, restrictions: ['rm -rf:*'] },
        { name: 'WebSearch', enabled: false },
      ],
      dependsOn: [5, 6],
    },
  };
}

/** The profile's App, else one of the samples' organisation that the seed's rule maps to the agent. */
const sampleApp = (agent: string, config: ControllerConfig): string =>
  config.agents[agent]?.githubApp ?? `acme-${agent}`;

export function sampleCodeRun(
  { agent, preset, continuing }: SampleOptions,
  config: ControllerConfig,
): CodeRun {
  const app = sampleApp(agent, config);
  return {
    apiVersion: 'orchestrator.io/v1',
    kind: 'CodeRun',
    metadata: metadata(`payments-task-7-${agent}`),
    spec: {
      taskId: 7,
      service: 'payments',
      githubApp: app,
      repositoryUrl: 'https://github.com/acme/payments.git',
      docsRepositoryUrl: 'https://github.com/acme/payments-docs.git',
      docsProjectDirectory: 'projects/payments',
      workingDirectory: 'services/payments',
      toolConfig: preset,
      localTools: ['memory'],
      remoteTools: ['github_create_pull_request'],
      continueSession: continuing,
      contextVersion: 1,
      overwriteMemory: !continuing,
      // A continued run is also a remediation (the webhook's kind of continued run), so its prompt is tried too.
      ...(continuing
        ? {
            remediation: {
              trigger: 'comment' as const,
              feedback: 'Please handle a `null` card token.\n\n> quoted line',
              author: 'octocat',
              url: 'https://github.com/acme/payments/pull/12#issuecomment-1',
              pullRequestUrl: 'https://github.com/acme/payments/pull/12',
              sessionId: 'session-0001',
            },
          }
        : {}),
    },
    status: continuing ? { sessionId: 'session-1234' } : {},
  };
}

export function sampleDocsRun({ agent }: SampleOptions, config: ControllerConfig): DocsRun {
  return {
    apiVersion: 'orchestrator.io/v1',
    kind: 'DocsRun',
    metadata: metadata('payments-docs'),
    spec: {
      githubApp: sampleApp(agent, config),
      repositoryUrl: 'https://github.com/acme/payments-docs.git',
      workingDirectory: 'projects/payments',
      sourceBranch: 'main',
      includeCodebase: false,
    },
  };
}

/** The config with `agent`'s profile set to `preset` (the preset of TaskRuns and DocsRuns). */
export function sampleConfig(config: ControllerConfig, { agent, preset }: SampleOptions): ControllerConfig {
  const profile = config.agents[agent] ?? {
    image: 'example.invalid/agent:latest',
    model: 'claude-sonnet-5-5',
  };
  return { ...config, agents: { ...config.agents, [agent]: { ...profile, tools: preset } } };
}

export function sampleRun(
  kind: RunKindName,
  options: SampleOptions,
  config: ControllerConfig,
): { run: Run; attempt: number } {
  const attempt = options.continuing && kind !== 'CodeRun' ? 2 : 1;
  switch (kind) {
    case 'TaskRun':
      return { run: sampleTaskRun(options), attempt };
    case 'CodeRun':
      return { run: sampleCodeRun(options, config), attempt };
    case 'DocsRun':
      return { run: sampleDocsRun(options, config), attempt };
  }
}
