// The operator in the loop of the Argo suites (test/integration/argo-events.test.ts): the admission
// webhooks (defaults and the submitter's reference checks, asked of the real apiserver for Argo's
// executor account) and the run controllers, on a namespace whose agents run on the real node.
// The agents are simulated: the real node's busybox runs an entry script that reports a pull request
// and a cost through the result protocol (the agent container's termination message), fails, or works
// until cancelled, as each test chooses. What the real agent does is test/integration/agent-e2e.test.ts's; what these suites check
// is what Argo makes of the status the operator writes.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import type { Test } from 'tap';
import type { ControllerConfig } from '../../../src/api/index.js';
import type { Cluster } from '../../../src/cluster/index.js';
import { defaultTemplateDir, loadTemplateSet } from '../../../src/render/index.js';
import type { KubeClient } from '../../../src/runtime/index.js';
import { testNamespace } from '../cluster/cluster.js';
import { createSecret } from '../cluster/secrets.js';
import { type OperatorOptions, startOperator, testConfig } from '../operator/operator.js';
import { startTestWebhooks } from '../operator/webhook.js';
import { applyObjects } from './kustomize.js';
import { roleGrant } from './rbac.js';

/** An agent that fails: the agent (profile name) and the task it fails on. */
export interface FailingAgent {
  agent: string;
  taskId: number;
}

/** How the simulated agents end: those that fail, and those that work until cancelled in a round's first run. */
export interface SimulatedAgents {
  failing?: FailingAgent[];
  /** Agents (and tasks) whose run of a quality round's first round (`…-r1`) works until it is cancelled. */
  holding?: FailingAgent[];
}

const listed = (agents: FailingAgent[] = []) => agents.map((f) => `${f.agent}:${f.taskId}`).join(' ');

/**
 * A CodeRun's entry script standing in for the agent (POSIX sh: busybox's sh runs it as `bash`):
 * the prepare step does nothing; the agent reports `{repository}/pull/{task}` as its pull request and
 * a cost of 0.0{task} USD, fails with a result that says its work is not done, or (holding, in round
 * 1) sleeps until the operator stops it.
 */
const simulatedEntryScript = ({ failing, holding }: SimulatedAgents) => `#!/usr/bin/env bash
{{!-- The simulated agent of test/harness/deploy/argo-operator.ts. --}}
set -eu
AGENT={{shq agent.name}}
TASK_ID={{shq task.id}}
RUN={{shq run.name}}
REPOSITORY={{shq repo.url}}
[ "\${1:-}" = --prepare ] && exit 0
result() {
  printf '{"protocol":"orchestrator.io/result/v1","workCompleted":%s,%s"summary":"%s"}' "$1" "$2" "$3" > "\${ORCHESTRATOR_RESULT_FILE:-/dev/termination-log}"
}
case " ${listed(failing)} " in
  *" $AGENT:$TASK_ID "*) result false '' "$AGENT failed task $TASK_ID (simulated)"; exit 1 ;;
esac
case "$RUN" in
  *-r1) case " ${listed(holding)} " in *" $AGENT:$TASK_ID "*) sleep 86400 ;; esac ;;
esac
result true "\\"pullRequestUrl\\":\\"$REPOSITORY/pull/$TASK_ID\\",\\"usage\\":{\\"costUsd\\":\\"0.0$TASK_ID\\"}," "$AGENT finished task $TASK_ID (simulated)"
`;

/** The shipped templates with the CodeRun entry script replaced by the simulated agent. */
export function simulatedAgentTemplates(agents: SimulatedAgents) {
  const dir = mkdtempSync(join(tmpdir(), 'argo-agent-templates-'));
  cpSync(defaultTemplateDir(), dir, { recursive: true });
  writeFileSync(join(dir, 'code', 'container.sh.hbs'), simulatedEntryScript(agents));
  return loadTemplateSet(dir);
}

/** Small enough that a chain's pods, Argo's and Argo Events' fit on the one real node. */
const SMALL = { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '500m', memory: '128Mi' } };

/** The shipped config (testConfig) with every agent on `image`, small, and no retries. */
export function simulatedAgentConfig(image: string): ControllerConfig {
  return testConfig((c) => {
    for (const profile of Object.values(c.agents)) {
      profile.image = image;
      profile.imagePullPolicy = 'Never';
      profile.resources = { high: SMALL, standard: SMALL, low: SMALL };
    }
    c.retries.maxRetries = 0;
  });
}

export interface OperatorNamespaceOptions extends SimulatedAgents {
  /** The repositories Argo's executor account may use. */
  repositories: string[];
  /** Where the operator says App runs' refusals and Workflows' stages (runControllers' option). */
  pullRequestComments?: OperatorOptions['pullRequestComments'];
  /** Where the operator reads the plays' task markers (runControllers' option). */
  taskMarkers?: OperatorOptions['taskMarkers'];
  /** The operator's metrics registry. */
  registry?: Registry;
}

/**
 * A namespace routed through the webhooks, with the operator reconciling it and the Secret the
 * agents' pods name; `repositories` granted to Argo's executor account (grantWorkflowRepositories).
 */
export async function operatorNamespace(
  t: Test,
  cluster: Cluster,
  client: KubeClient,
  image: string,
  { repositories, pullRequestComments, taskMarkers, registry, ...agents }: OperatorNamespaceOptions,
): Promise<string> {
  const config = simulatedAgentConfig(image);
  const webhooks = await startTestWebhooks(t, cluster, { config });
  const ns = await testNamespace(t, cluster, webhooks.namespaceLabels);
  const templates = simulatedAgentTemplates(agents);
  await startOperator(t, cluster, ns, config, {
    inputs: { config: () => config, templates: () => templates },
    ...(pullRequestComments ? { pullRequestComments } : {}),
    ...(taskMarkers ? { taskMarkers } : {}),
    ...(registry ? { registry } : {}),
  });
  const key = config.secrets.apiKey;
  if (key) await createSecret(client, ns, key.name, { [key.key]: 'unused' });
  await grantWorkflowRepositories(cluster, ns, repositories);
  return ns;
}

/**
 * `repositories` and the DAG's restricted testing app (tess) granted to Argo's executor account in
 * `ns`, as docs/argo.md tells a team to (the shipped Role grants the unrestricted agent profiles only).
 */
export async function grantWorkflowRepositories(cluster: Cluster, ns: string, repositories: string[]) {
  const grant = roleGrant(
    ns,
    'workflow-repositories',
    { kind: 'ServiceAccount', name: 'orchestrator-workflow', namespace: ns },
    [
      {
        apiGroups: ['orchestrator.io'],
        resources: ['repositories'],
        resourceNames: repositories,
        verbs: ['use'],
      },
      {
        apiGroups: ['orchestrator.io'],
        resources: ['agentprofiles'],
        resourceNames: ['tess'],
        verbs: ['use-restricted'],
      },
    ],
  );
  const applied = await applyObjects(cluster, grant);
  if (applied.code !== 0) throw new Error(`granting the repositories: ${applied.stderr}`);
}
