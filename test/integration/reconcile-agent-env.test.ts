// A CodeRun's own environment and its Docker daemon reach the agent's pod: the controller builds the
// Job, the real Job controller creates the pod, and the pod is what is checked.
import t from 'tap';
import type { CodeRun, CodeRunStatus } from '../../src/api/index.js';
import { runPath } from '../../src/cli/kinds.js';
import type { KubeClient } from '../../src/runtime/index.js';
import { agentRoutes, SHIPPED_ROUTES } from '../harness/operator/gateway.js';
import { finishJob, testConfig } from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { runPod } from '../harness/operator/run-pods.js';
import { waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();

type Container = { name: string; env?: Array<Record<string, unknown>>; [k: string]: unknown };
type PodSpec = { initContainers: Container[]; containers: Container[]; volumes: unknown[] };

function codeRun(name: string, spec: Partial<CodeRun['spec']>): CodeRun {
  return {
    apiVersion: 'orchestrator.io/v1',
    kind: 'CodeRun',
    metadata: { name },
    spec: {
      taskId: 7,
      service: 'payments',
      githubApp: '5DLabs-Rex',
      repositoryUrl: 'https://github.com/acme/payments.git',
      docsRepositoryUrl: 'https://github.com/acme/payments-docs.git',
      ...spec,
    },
  };
}

/** Creates the run and returns its Job's pod, as the Job controller made it. */
async function podOf(client: KubeClient, namespace: string, run: CodeRun): Promise<PodSpec> {
  await client.request('POST', runPath('CodeRun', namespace), { body: run });
  return (await runPod(client, 'CodeRun', namespace, run.metadata?.name ?? '')).spec as PodSpec;
}

t.test(
  'env and envFromSecrets are in the pod, before the operator’s; it meets the restricted standard',
  async (t) => {
    // The pod is admitted under `restricted`: the run's variables change nothing about its security.
    const { namespace, client } = await suite.start(t, undefined, {
      namespaceLabels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
    });
    const pod = await podOf(
      client,
      namespace,
      codeRun('with-env', {
        env: { LOG_LEVEL: 'debug', FEATURES: 'a,b' },
        envFromSecrets: [{ name: 'OPENAI_API_KEY', secretName: 'api-keys', secretKey: 'openai' }],
      }),
    );
    const agent = pod.initContainers.find((c) => c.name === 'agent');
    t.same(agent?.env?.slice(0, 3), [
      { name: 'FEATURES', value: 'a,b' },
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'OPENAI_API_KEY', valueFrom: { secretKeyRef: { name: 'api-keys', key: 'openai' } } },
    ]);
    t.same(
      agentRoutes(agent?.env?.slice(3)),
      SHIPPED_ROUTES,
      "then the operator's: the gateway's and the egress proxy's (an App run's token comes from the operator's broker: none here)",
    );
    t.same(
      pod.initContainers.map((c) => c.name),
      ['prepare-workspace', 'agent'],
      'no Docker sidecar',
    );
  },
);

t.test(
  'with job.docker.allowed and egress off, a GitHub user run’s enableDocker adds the Docker sidecar and the Job still completes',
  async (t) => {
    // What a Docker run needs (src/api/docker-runs.ts): the daemon is root on the node.
    const config = testConfig((c) => {
      c.job.docker = { ...c.job.docker, allowed: true };
      c.egress.enabled = false;
    });
    const { namespace, client } = await suite.start(t, config);
    const run = codeRun('with-docker', { githubApp: undefined, githubUser: 'alice', enableDocker: true });
    const pod = await podOf(client, namespace, run);
    t.match(pod.initContainers, [
      { name: 'prepare-workspace' },
      { name: 'docker', restartPolicy: 'Always', securityContext: { privileged: true } },
      { name: 'agent' },
    ]);
    t.match(pod.initContainers[2]?.env?.at(-1), { name: 'DOCKER_HOST', value: 'tcp://127.0.0.1:2375' });
    const path = runPath('CodeRun', namespace, 'with-docker');
    const status = async () => (await client.request<{ status?: CodeRunStatus }>('GET', path)).status;
    await finishJob(client, namespace, (await status())?.jobName as string, 'Complete');
    await waitFor('phase Succeeded', async () => (await status())?.phase === 'Succeeded');
    t.pass('the agent ended, the sidecar was stopped, the run succeeded');
  },
);
