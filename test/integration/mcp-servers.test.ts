// An MCP server from a Secret (issue 76 item 4), against the real apiserver, real RBAC and the webhooks:
// the controller config gives agent rex a server over HTTP whose Authorization header is a key of the
// Secret jira-mcp. A ServiceAccount allowed to create CodeRuns of rex, but not to read that Secret, is
// refused, the denial naming the Secret and the server; another, whose Role also lets it get the
// Secret, is admitted, and the Job's agent container (alone) gets the key by secretKeyRef, which the
// rendered mcp.json names as ${VARIABLE}, never by value.
import t from 'tap';
import type { ControllerConfig } from '../../src/api/index.js';
import { serviceAccountUser } from '../../src/app/service-account.js';
import { configFrom } from '../../src/config/load.js';
import type { KubeObject } from '../../src/runtime/index.js';
import { kubectl } from '../harness/cluster/cluster.js';
import { waitForPermission } from '../harness/deploy/api-identity.js';
import { applyObjects } from '../harness/deploy/kustomize.js';
import { sampleCodeRun, testConfig } from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { runPod } from '../harness/operator/run-pods.js';
import { startTestWebhooks } from '../harness/operator/webhook.js';

const suite = await reconcileSuite();
const { cluster } = suite;

const SECRET_VALUE = 'Bearer jira-token-not-to-be-rendered';
const VARIABLE = 'ORCHESTRATOR_MCP_1_JIRA_AUTHORIZATION';

// Validated as the operator loads it: the server's host is in the agent's egress allowlist.
const config: ControllerConfig = configFrom(
  testConfig((c) => {
    c.mcpServers = [
      {
        agents: ['rex'],
        servers: {
          jira: {
            url: 'https://jira.example.com/mcp',
            headers: { Authorization: { secretKeyRef: { name: 'jira-mcp', key: 'authorization' } } },
          },
        },
      },
    ];
    for (const allowlist of Object.values(c.egress.allowlists))
      allowlist.hosts = [...(allowlist.hosts ?? []), { host: 'jira.example.com', ports: [443] }];
  }),
);

/** A ServiceAccount of `ns` bound to a Role of its own name with `rules`. */
const submitter = (ns: string, name: string, rules: unknown[]): KubeObject[] => [
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name, namespace: ns },
    rules,
  } as KubeObject,
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name, namespace: ns },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
  } as KubeObject,
];

/** Creating CodeRuns of rex on acme's repositories: all but the MCP server's Secret. */
const SUBMIT = [
  { apiGroups: ['orchestrator.io'], resources: ['coderuns'], verbs: ['create'] },
  { apiGroups: ['orchestrator.io'], resources: ['agentprofiles'], resourceNames: ['rex'], verbs: ['use'] },
  { apiGroups: ['orchestrator.io'], resources: ['repositories'], verbs: ['use'] },
];
const READ_SECRET = { apiGroups: [''], resources: ['secrets'], resourceNames: ['jira-mcp'], verbs: ['get'] };

t.test(
  "a run whose agent's MCP server sends a Secret's key: refused unless its submitter may get the Secret",
  async (t) => {
    const webhooks = await startTestWebhooks(t, cluster, { config });
    const { namespace: ns, client } = await suite.start(t, config, {
      namespaceLabels: webhooks.namespaceLabels,
    });
    const pm = serviceAccountUser({ namespace: ns, name: 'pm' });
    const lead = serviceAccountUser({ namespace: ns, name: 'lead' });
    const applied = await applyObjects(cluster, [
      ...submitter(ns, 'pm', SUBMIT),
      ...submitter(ns, 'lead', [...SUBMIT, READ_SECRET]),
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'jira-mcp', namespace: ns },
        stringData: { authorization: SECRET_VALUE },
      } as KubeObject,
    ]);
    t.equal(applied.code, 0, applied.stderr);
    await waitForPermission(cluster, pm, ['create', 'coderuns.orchestrator.io', '-n', ns]);
    await waitForPermission(cluster, lead, ['get', 'secrets/jira-mcp', '-n', ns]);
    const create = (name: string, as: string) =>
      kubectl(cluster, ['create', '-n', ns, '-f', '-', `--as=${as}`], JSON.stringify(sampleCodeRun(name)));

    const refused = await create('refused', pm);
    t.not(refused.code, 0, 'refused');
    t.match(refused.stderr, /CodeRun\.orchestrator\.io "refused" is forbidden: /);
    t.match(
      refused.stderr,
      `spec.githubApp: kubectl auth can-i get secrets/jira-mcp -n ${ns} (MCP server jira's header Authorization)`,
      'the denial names the Secret, the permission and the server',
    );
    t.equal(
      (await kubectl(cluster, ['get', 'ocr', '-n', ns, '-o', 'name'])).stdout,
      '',
      'nothing was stored',
    );

    const admitted = await create('admitted', lead);
    t.equal(admitted.code, 0, `admitted for a submitter who may get the Secret: ${admitted.stderr}`);
    const pod = await runPod(client, 'CodeRun', ns, 'admitted');
    type Container = { name: string; env?: Array<Record<string, unknown>> };
    const spec = pod.spec as {
      initContainers: Container[];
      containers: Container[];
      volumes: Array<Record<string, unknown>>;
    };
    const agent = spec.initContainers.find((c) => c.name === 'agent');
    t.same(
      agent?.env?.filter((e) => e.name === VARIABLE),
      [{ name: VARIABLE, valueFrom: { secretKeyRef: { name: 'jira-mcp', key: 'authorization' } } }],
      "the agent container gets the header by the Secret's key",
    );
    for (const c of [...spec.initContainers, ...spec.containers].filter((c) => c.name !== 'agent'))
      t.notMatch(JSON.stringify(c), /jira-mcp/, `${c.name}: not given the Secret`);
    // The run's own ConfigMap, first of the projected sources (the agent shell's is the second).
    const volume = spec.volumes.find((v) => v.name === 'task-files') as {
      projected?: { sources: Array<{ configMap: { name: string } }> };
      configMap?: { name: string };
    };
    const configMap = volume.projected?.sources[0]?.configMap.name ?? volume.configMap?.name;
    const files = await client.request<{ data: Record<string, string> }>(
      'GET',
      `/api/v1/namespaces/${ns}/configmaps/${configMap}`,
    );
    const mcp = JSON.parse(files.data['mcp.json'] ?? '{}') as { mcpServers: Record<string, unknown> };
    t.same(mcp.mcpServers.jira, {
      type: 'http',
      url: 'https://jira.example.com/mcp',
      headers: { Authorization: `\${${VARIABLE}}` },
    });
    t.notMatch(JSON.stringify(files.data), SECRET_VALUE, "the Secret's value is in no rendered file");
  },
);
