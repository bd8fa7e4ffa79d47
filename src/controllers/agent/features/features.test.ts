// The Job's features (features/): each one, off, leaves the Job exactly as without it, and on, adds to
// it; the list's order is the order of what they add.
import t from 'tap';
import type { Json } from '../../../../test/harness/fakes/job-builder-runs.js';
import type { CodeRun, ControllerConfig, TaskRun } from '../../../api/index.js';
import { resolveRun } from '../../../api/index.js';
import { loadDefaultConfig } from '../../../config/load.js';
import { codeRunStrategy, taskRunStrategy } from '../../kind/strategy.js';
import { attemptJob } from '../manifests.js';
import { JOB_FEATURES, type JobFeature } from './index.js';

/** Every feature off: no pod template, no GitHub identity, no model key, egress and telemetry off. */
const off = loadDefaultConfig();
delete off.secrets.apiKey;
// The shipped config has the gateway and egress on: here they are turned off, to be turned on one by one.
off.gateway.enabled = false;
off.egress.enabled = false;
const taskRun = (spec: Partial<TaskRun['spec']> = {}, annotations: Record<string, string> = {}): TaskRun => ({
  metadata: { name: 'pay-7', namespace: 'ns', uid: 'u-1', annotations },
  spec: {
    taskId: 7,
    serviceName: 'payments',
    markdownFiles: [{ filename: 'task.md', content: 'x' }],
    ...spec,
  },
});
const codeRun = (spec: Partial<CodeRun['spec']> = {}): CodeRun => ({
  metadata: { name: 'pay-7-rex', namespace: 'ns', uid: 'u-2' },
  spec: {
    taskId: 7,
    service: 'payments',
    githubApp: 'acme-rex',
    repositoryUrl: 'https://github.com/acme/payments',
    docsRepositoryUrl: 'https://github.com/acme/docs',
    ...spec,
  },
});
const changed = (change: (c: ControllerConfig) => void): ControllerConfig => {
  const c = structuredClone(off);
  change(c);
  return c;
};
const TRACE = { 'orchestrator.io/traceparent': '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };

/** A team MCP server with a header from a Secret (docs/tools.md). */
const JIRA = {
  jira: {
    url: 'https://jira.example.com/mcp',
    headers: {
      Authorization: { secretKeyRef: { name: 'jira-mcp', key: 'authorization' } },
      'X-Team': { value: 'team-literal-value' },
    },
  },
};

type Case = { config: ControllerConfig; run: TaskRun | CodeRun };
/** Each feature with a run and config that leave it off, and one that turns it on. */
const CASES: Record<string, { off: Case; on: Case }> = {
  placement: {
    off: { config: off, run: taskRun() },
    on: {
      config: changed((c) => Object.assign(c.job, { podTemplate: { nodeSelector: { pool: 'a' } } })),
      run: taskRun(),
    },
  },
  githubPhases: {
    off: { config: off, run: taskRun() },
    on: {
      config: off,
      run: taskRun({ repository: { url: 'git@github.com:acme/payments.git', githubUser: 'alice' } }),
    },
  },
  modelGateway: {
    off: { config: off, run: taskRun() },
    on: { config: changed((c) => Object.assign(c.gateway, { enabled: true })), run: taskRun() },
  },
  egressProxy: {
    off: { config: off, run: taskRun() },
    on: {
      config: changed((c) =>
        Object.assign(c.egress, { enabled: true, allowlists: { default: { port: 3128 } } }),
      ),
      run: taskRun(),
    },
  },
  docker: {
    off: { config: changed((c) => Object.assign(c.job.docker, { allowed: true })), run: codeRun() },
    on: {
      config: changed((c) => Object.assign(c.job.docker, { allowed: true })),
      run: codeRun({ enableDocker: true }),
    },
  },
  telemetry: {
    off: { config: off, run: taskRun() },
    on: { config: off, run: taskRun({}, TRACE) },
  },
  mcpHeaders: {
    off: {
      config: changed((c) => Object.assign(c, { mcpServers: [{ namespaces: ['other'], servers: JIRA }] })),
      run: taskRun(),
    },
    on: {
      config: changed((c) => Object.assign(c, { mcpServers: [{ namespaces: ['ns'], servers: JIRA }] })),
      run: taskRun(),
    },
  },
};

/** The Job of attempt 1 as JSON text: byte for byte, key order included. */
function jobText({ config, run }: Case, features: readonly JobFeature[]): string {
  const at = { config, attempt: 1 };
  if ('serviceName' in run.spec) {
    const resolved = resolveRun('TaskRun', run as TaskRun, config);
    return JSON.stringify(
      attemptJob({ ...at, strategy: taskRunStrategy, run: resolved.run, resolved }, features),
    );
  }
  const resolved = resolveRun('CodeRun', run as CodeRun, config);
  return JSON.stringify(
    attemptJob({ ...at, strategy: codeRunStrategy, run: resolved.run, resolved }, features),
  );
}

t.test('every feature has a case', async (t) => {
  t.same(Object.keys(CASES).sort(), JOB_FEATURES.map((f) => f.name).sort());
});

for (const feature of JOB_FEATURES)
  t.test(`${feature.name}: off, no trace in the Job; on, its additions`, async (t) => {
    const cases = CASES[feature.name];
    if (!cases) throw new Error(`no case for ${feature.name}`);
    const without = JOB_FEATURES.filter((f) => f !== feature);
    t.equal(jobText(cases.off, JOB_FEATURES), jobText(cases.off, without), 'off: the Job as without it');
    t.not(jobText(cases.on, JOB_FEATURES), jobText(cases.on, without), 'on: it adds to the Job');
  });

t.test('the list is in a stable order, and what the features add follows it', async (t) => {
  t.same(
    JOB_FEATURES.map((f) => f.name),
    ['placement', 'githubPhases', 'modelGateway', 'egressProxy', 'docker', 'telemetry', 'mcpHeaders'],
  );
  const all = changed((c) => {
    Object.assign(c.gateway, { enabled: true });
    Object.assign(c.egress, { enabled: true, allowlists: { default: { port: 3128 } } });
    Object.assign(c.job.docker, { allowed: true });
  });
  const run = codeRun({
    enableDocker: true,
    githubApp: undefined,
    githubUser: 'alice',
    repositoryUrl: 'git@github.com:acme/payments.git',
  });
  Object.assign(run.metadata ?? {}, { annotations: TRACE });
  const pod = JSON.parse(jobText({ config: all, run }, JOB_FEATURES)).spec.template.spec as Json;
  const names = (c: Json) => (c.env as Json[]).map((e) => e.name as string);
  const [prepare, sidecar, agent] = pod.initContainers as Json[];
  t.equal(sidecar?.name, 'docker', 'the sidecar right after prepare');
  const proxy = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'];
  t.same(
    names(agent ?? {}).slice(-11),
    [
      'ANTHROPIC_BASE_URL',
      'ORCHESTRATOR_MODEL_TOKEN_URL',
      'ORCHESTRATOR_MODEL_TOKEN_CREDENTIAL_FILE',
      ...proxy,
      'DOCKER_HOST',
      'TRACEPARENT',
    ],
    'the agent: model, proxy, Docker, trace',
  );
  const prepared = names(prepare ?? {});
  t.same(
    [prepared[0], prepared.slice(-6)],
    ['RUN_DIR', proxy],
    'prepare: the base, then its credential, then the proxy',
  );
  t.ok(prepared.length > 7, 'a credential between them');
  t.same(
    (pod.volumes as Json[]).map((v) => v.name),
    ['task-files', 'workspace', 'base-branch', 'docker-storage', 'github-ssh', 'model-token-credential'],
  );
});

t.test(
  'mcpHeaders: each Secret header a variable of the agent container alone, by secretKeyRef',
  async (t) => {
    const config = changed((c) => Object.assign(c, { mcpServers: [{ namespaces: ['ns'], servers: JIRA }] }));
    const text = jobText({ config, run: taskRun() }, JOB_FEATURES);
    const pod = JSON.parse(text).spec.template.spec as Json;
    const [prepare, agent] = pod.initContainers as Json[];
    const publish = (pod.containers as Json[])[0];
    t.same(
      ((agent?.env ?? []) as Json[]).filter((e) => String(e.name).startsWith('ORCHESTRATOR_MCP_')),
      [
        {
          name: 'ORCHESTRATOR_MCP_1_JIRA_AUTHORIZATION',
          valueFrom: { secretKeyRef: { name: 'jira-mcp', key: 'authorization' } },
        },
      ],
    );
    for (const c of [prepare, publish])
      t.notMatch(JSON.stringify(c), /jira-mcp/, `${c?.name}: not given the Secret`);
    t.notMatch(
      text,
      /team-literal-value/,
      'a literal header is not in the Job (the rendered mcp.json has it)',
    );
  },
);
