// The row of the team MCP servers' Secrets: a run whose agent (in its namespace) gets a server with a
// header from a Secret names that Secret, at the field that chose the agent; its submitter must be
// allowed get on it, and the denial names the server, the Secret, the key and the Role rule.
import t from 'tap';
import { RuleReviewer } from '../../../test/harness/fakes/access-reviewers.js';
import type { ResourceAttributes } from '../../auth/index.js';
import { configFrom, loadDefaultConfig } from '../../config/load.js';
import { judgeReferences } from './check.js';
import { referencesToCheck } from './table.js';

const base = loadDefaultConfig();
const config = configFrom({
  ...base,
  egress: { ...base.egress, enabled: false },
  agents: {
    ...base.agents,
    rex: {
      ...base.agents.rex,
      mcpServers: {
        sentry: {
          url: 'https://sentry.example.com/mcp',
          headers: { Authorization: { secretKeyRef: { name: 'sentry-mcp', key: 'token' } } },
        },
      },
    },
  },
  mcpServers: [
    {
      namespaces: ['payments'],
      servers: {
        jira: {
          url: 'https://jira.example.com/mcp',
          headers: {
            Authorization: { secretKeyRef: { name: 'jira-mcp', key: 'authorization' } },
            'X-Team': { value: 'payments' },
          },
        },
      },
    },
  ],
});
const taskRun = (agent: string, namespace: string) => ({
  kind: 'TaskRun' as const,
  config,
  namespace,
  spec: { agent, taskId: 1, serviceName: 'pay', markdownFiles: [{ filename: 'task.md', content: 'x' }] },
});
const secretsOf = (run: ReturnType<typeof taskRun>, stored?: ReturnType<typeof taskRun>) =>
  referencesToCheck(run, stored)
    .filter((c) => c.reference.resource === 'secrets')
    .map((c) => [c.path, c.name]);

t.test("the Secrets of the servers a run's agent gets in its namespace, at spec.agent", async (t) => {
  t.same(secretsOf(taskRun('rex', 'payments')), [
    ['spec.agent', 'sentry-mcp'],
    ['spec.agent', 'jira-mcp'],
  ]);
  t.same(
    secretsOf(taskRun('rex', 'billing')),
    [['spec.agent', 'sentry-mcp']],
    "another namespace: the profile's only",
  );
  t.same(secretsOf(taskRun('cleo', 'billing')), [], 'no server, no Secret');
  t.same(secretsOf(taskRun('rex', 'payments'), taskRun('rex', 'payments')), [], 'an UPDATE asks nothing new');
  t.same(
    secretsOf(taskRun('rex', 'payments'), taskRun('cleo', 'payments')),
    [['spec.agent', 'sentry-mcp']],
    "an UPDATE to an agent with more servers asks for their Secrets only (the namespace's were asked before)",
  );
  const code = referencesToCheck({
    kind: 'CodeRun',
    config,
    namespace: 'billing',
    spec: { githubApp: 'acme-rex', service: 'pay' },
  });
  t.same(
    code.filter((c) => c.reference.resource === 'secrets').map((c) => c.path),
    ['spec.githubApp'],
    'a CodeRun: at the App that chose the agent',
  );
});

t.test('refused: the Secret, the server, the key and the rule', async (t) => {
  const user = { username: 'alice', groups: [] };
  const rbac = new RuleReviewer(
    (_u, a) =>
      (a as { resource: ResourceAttributes }).resource.resource !== 'secrets' ||
      (a as { resource: ResourceAttributes }).resource.name !== 'jira-mcp',
  );
  const findings = await judgeReferences(
    rbac,
    user,
    'payments',
    referencesToCheck(taskRun('rex', 'payments')),
  );
  t.same(
    findings.map((f) => [f.rule, f.path, f.message]),
    [
      [
        'reference-access',
        'spec.agent',
        'secrets "jira-mcp" is forbidden: User "alice" cannot get resource "secrets" in API group "" in the namespace "payments": the agent would send its key "authorization" as header Authorization to MCP server jira (controller config mcpServers[0].servers.jira); a Role rule allowing it: {apiGroups: [""], resources: [secrets], resourceNames: [jira-mcp], verbs: [get]}',
      ],
    ],
  );
});
