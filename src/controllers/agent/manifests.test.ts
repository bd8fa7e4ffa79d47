import t from 'tap';
import {
  APP,
  agentOf,
  codeRun,
  config,
  input,
  JOB,
  type Json,
  taskRun,
} from '../../../test/harness/fakes/job-builder-runs.js';
import type { ControllerConfig, DefaultedRun } from '../../api/index.js';
import { configFrom } from '../../config/load.js';
import { TRACE_ANNOTATION } from '../../observability/traceparent.js';
import { agentShellFiles } from '../../render/index.js';
import { codeRunStrategy } from '../kind/strategy.js';
import { agentShellConfigMap, attemptConfigMap, attemptJob, workspacePvc } from './manifests.js';

const owner = {
  apiVersion: 'orchestrator.io/v1',
  kind: 'TaskRun',
  name: 'pay-7',
  uid: 'u-1',
  controller: true,
  blockOwnerDeletion: true,
};

t.test('the Job runs the entry script as a non-root, unprivileged container, owned by the run', async (t) => {
  const job = attemptJob(input(taskRun({ priority: 'high' }))) as Json;
  t.equal(job.metadata.name, JOB);
  t.same(job.metadata.ownerReferences, [owner]);
  t.same(job.metadata.labels, {
    'app.kubernetes.io/managed-by': 'orchestrator',
    'orchestrator.io/task-id': '7',
    'orchestrator.io/service': 'payments',
    'orchestrator.io/agent': 'rex',
    'orchestrator.io/priority': 'high',
    'orchestrator.io/github-app': APP,
    'orchestrator.io/run': 'pay-7',
  });
  t.same(job.spec.template.metadata.labels, job.metadata.labels);
  t.match(job.spec, { backoffLimit: 0, activeDeadlineSeconds: 7200, ttlSecondsAfterFinished: 3600 });
  const pod = job.spec.template.spec;
  t.match(pod.securityContext, {
    runAsNonRoot: true,
    runAsUser: 1000,
    // The agent user's own group, not the seed's 2000 (docs/seed-compatibility.md).
    fsGroup: 1000,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  const agent = agentOf(pod);
  t.same(agent.command, ['bash', '/task-files/container.sh', '--agent']);
  t.same(
    pod.initContainers.map((c: Json) => c.name),
    ['prepare-workspace', 'agent'],
    'the agent runs after prepare, as an init container',
  );
  const [publish] = pod.containers;
  t.match(publish, {
    name: 'publish',
    image: agent.image,
    command: ['bash', '/task-files/container.sh', '--publish'],
    terminationMessagePolicy: 'FallbackToLogsOnError',
  });
  t.notOk(publish.resources, "the agent's resources are the agent's");
  t.same(
    agent.resources,
    { requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '4', memory: '8Gi' } },
    'by priority',
  );
  for (const c of [...pod.initContainers, ...pod.containers])
    t.same(c.securityContext, {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  t.same(pod.volumes, [
    { name: 'task-files', configMap: { name: `${JOB}-files` } },
    { name: 'workspace', persistentVolumeClaim: { claimName: 'workspace-payments' } },
    { name: 'base-branch', emptyDir: { sizeLimit: '4Mi' } },
  ]);
  t.same(pod.initContainers[0].env, [{ name: 'RUN_DIR', value: '/workspace/payments/.task/7/run-2/' }]);
  t.same(
    pod.initContainers[0].command,
    ['bash', '/task-files/container.sh', '--prepare'],
    'the init container prepares the workspace from the ConfigMap',
  );
  const baseBranch = { name: 'base-branch', mountPath: '/base-branch' };
  t.same(
    pod.initContainers[0].volumeMounts,
    [...publish.volumeMounts, baseBranch],
    "prepare writes what it read from the base branch on the pod's own volume",
  );
  t.same(
    agent.volumeMounts,
    [...publish.volumeMounts, { ...baseBranch, readOnly: true }],
    "the agent's container only reads it",
  );
  t.same(
    publish.volumeMounts,
    [
      { name: 'task-files', mountPath: '/task-files', readOnly: true },
      { name: 'workspace', mountPath: '/workspace' },
    ],
    'a run with no GitHub credential: no other mount',
  );
});

t.test(
  "with an agent-shell ConfigMap the attempt's files and the agent shell's share /task-files; both name it",
  async (t) => {
    const agentShell = agentShellFiles(new Map([['agent-shell/lib.sh', 'lib() { :; }\n']]));
    const made = { ...input(taskRun()), agentShell: agentShell.name };
    const job = attemptJob(made) as Json;
    t.same(job.spec.template.spec.volumes[0], {
      name: 'task-files',
      projected: {
        sources: [{ configMap: { name: `${JOB}-files` } }, { configMap: { name: agentShell.name } }],
      },
    });
    t.equal(job.metadata.labels['orchestrator.io/agent-shell'], agentShell.name);
    const files = attemptConfigMap(made, { 'container.sh': 'true' }) as Json;
    t.equal(files.metadata.labels['orchestrator.io/agent-shell'], agentShell.name);
    t.notOk(
      (workspacePvc(made) as Json).metadata.labels['orchestrator.io/agent-shell'],
      'the workspace is not an attempt’s',
    );
    t.same(agentShellConfigMap('ns', agentShell), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: agentShell.name,
        namespace: 'ns',
        labels: {
          'app.kubernetes.io/managed-by': 'orchestrator',
          'orchestrator.io/agent-shell': agentShell.name,
        },
      },
      immutable: true,
      data: { 'agent-shell_lib.sh': 'lib() { :; }\n' },
    });
  },
);

t.test(
  "secrets come by secretKeyRef; an App run's agent container gets no GitHub credential, never the key",
  async (t) => {
    const env = (cfg: ControllerConfig, spec = {}) =>
      (attemptJob(input(taskRun(spec, cfg), 1, cfg)) as Json).spec.template.spec.initContainers[1].env;
    t.same(
      env(config, { agent: 'cleo' }),
      [
        {
          name: 'ANTHROPIC_API_KEY',
          valueFrom: { secretKeyRef: { name: 'orchestrator-secrets', key: 'ANTHROPIC_API_KEY' } },
        },
      ],
      "the agent's container: the model's key, no GitHub token (prepare and the publisher ask for theirs)",
    );
  },
);

t.test('the ConfigMap is immutable; the PVC is shared, so it has no owner and no run label', async (t) => {
  const run = taskRun();
  const cm = attemptConfigMap(input(run), { 'container.sh': 'echo' }) as Json;
  t.match(cm, {
    immutable: true,
    data: { 'container.sh': 'echo' },
    metadata: { name: `${JOB}-files`, ownerReferences: [owner] },
  });
  const pvc = workspacePvc(input(run)) as Json;
  t.equal(pvc.metadata.name, 'workspace-payments');
  t.notOk(pvc.metadata.ownerReferences);
  t.notOk(pvc.metadata.labels['orchestrator.io/run']);
  t.notOk(
    (workspacePvc(input(taskRun({ priority: 'high' }))) as Json).metadata.labels['orchestrator.io/priority'],
    "nor one run's priority",
  );
  const byWorkflow = taskRun();
  byWorkflow.metadata = { ...byWorkflow.metadata, labels: { 'workflows.argoproj.io/workflow': 'wf-1' } };
  t.equal(attemptJob(input(byWorkflow)).metadata?.labels?.['orchestrator.io/workflow-name'], 'wf-1');
  t.notOk(
    (workspacePvc(input(byWorkflow)) as Json).metadata.labels['orchestrator.io/workflow-name'],
    "the shared volume names no one run's workflow",
  );
  t.same(pvc.spec, { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } });
  const classy = workspacePvc(
    input(taskRun({ workspace: { pvcName: 'w', size: '1Gi', storageClassName: 'fast' } })),
  ) as Json;
  t.match(classy.spec, { storageClassName: 'fast', resources: { requests: { storage: '1Gi' } } });
});

t.test('the init image and the volume access modes come from the config', async (t) => {
  const run = taskRun();
  const defaults = attemptJob(input(run)) as Json;
  const init = () => defaults.spec.template.spec.initContainers[0];
  t.equal(init().image, run.spec.image, 'default: the agent image');
  t.same((workspacePvc(input(run)) as Json).spec.accessModes, ['ReadWriteOnce']);
  const custom: ControllerConfig = {
    ...config,
    job: { ...config.job, initImage: 'bash:5.2' },
    workspace: { ...config.workspace, accessModes: ['ReadWriteMany'] },
  };
  const job = attemptJob(input(run, 1, custom)) as Json;
  t.equal(job.spec.template.spec.initContainers[0].image, 'bash:5.2');
  t.equal(agentOf(job.spec.template.spec).image, run.spec.image, 'the agent keeps its image');
  t.same((workspacePvc(input(run, 1, custom)) as Json).spec.accessModes, ['ReadWriteMany']);
});

t.test("pod annotations: the config's for every pod, the run's winning key by key", async (t) => {
  const annotations = (run: DefaultedRun<'TaskRun'>, cfg = config) =>
    (attemptJob(input(run, 1, cfg)) as Json).spec.template.metadata.annotations;
  t.equal(annotations(taskRun()), undefined, 'none configured: none on the pod');
  const withJobWide = configFrom({
    ...config,
    job: { ...config.job, podAnnotations: { 'a.io/x': '1', y: '2' } },
  });
  t.same(annotations(taskRun(), withJobWide), { 'a.io/x': '1', y: '2' });
  t.same(
    annotations(taskRun({ podAnnotations: { y: 'run', 'sim.orchestrator.io/exit-code': '3' } }), withJobWide),
    {
      'a.io/x': '1',
      y: 'run',
      'sim.orchestrator.io/exit-code': '3',
    },
  );
});

const codeJob = (run: DefaultedRun<'CodeRun'>, cfg = config) =>
  (attemptJob({ strategy: codeRunStrategy, run, config: cfg, attempt: 1 }) as Json).spec.template.spec;

t.test("a CodeRun's env (by name) and envFromSecrets reach the agent, before the operator's", async (t) => {
  const pod = codeJob(
    codeRun({
      env: { LOG_LEVEL: 'debug', EMPTY: '' },
      envFromSecrets: [{ name: 'OPENAI_API_KEY', secretName: 'api-keys', secretKey: 'openai' }],
    }),
  );
  t.same(agentOf(pod).env, [
    { name: 'EMPTY', value: '' },
    { name: 'LOG_LEVEL', value: 'debug' },
    { name: 'OPENAI_API_KEY', valueFrom: { secretKeyRef: { name: 'api-keys', key: 'openai' } } },
    {
      name: 'ANTHROPIC_API_KEY',
      valueFrom: { secretKeyRef: { name: 'orchestrator-secrets', key: 'ANTHROPIC_API_KEY' } },
    },
  ]);
  t.same(
    pod.initContainers[0].env,
    [{ name: 'RUN_DIR', value: '/workspace/payments/.task/7/run-1/' }],
    'not the init container',
  );
});

t.test('without the webhooks, reserved names and double names cannot displace the operator', async (t) => {
  const pod = codeJob(
    codeRun({
      env: { ANTHROPIC_API_KEY: 'mine', ORCHESTRATOR_RUN_DIR: '/x', TOKEN: 'plain' },
      envFromSecrets: [
        { name: 'TOKEN', secretName: 's', secretKey: 'k' },
        { name: 'GITHUB_APP_ID', secretName: 's', secretKey: 'k' },
      ],
    }),
  );
  const env = agentOf(pod).env as Json[];
  t.same(
    env.map((e) => e.name),
    ['TOKEN', 'ANTHROPIC_API_KEY'],
    'each name once',
  );
  t.same(
    env[0],
    { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
    'the Secret, as Kubernetes would',
  );
  t.match(env[1], { valueFrom: { secretKeyRef: { name: 'orchestrator-secrets' } } }, "the operator's");
});

t.test(
  "the config's job.env: every agent's, under a CodeRun's own values, never the operator's",
  async (t) => {
    const cfg = structuredClone(config);
    cfg.job.env = { ANTHROPIC_BASE_URL: 'https://gateway.example', LOG_LEVEL: 'info', GITHUB_APP_ID: 'x' };
    const env = agentOf(codeJob(codeRun({ env: { LOG_LEVEL: 'debug' } }, cfg), cfg)).env as Json[];
    t.same(
      env.map((e) => [e.name, e.value ?? 'from a Secret']),
      [
        ['ANTHROPIC_BASE_URL', 'https://gateway.example'],
        ['LOG_LEVEL', 'debug'],
        ['ANTHROPIC_API_KEY', 'from a Secret'],
      ],
      "the App's id from job.env is not there (an App's pod gets a minted token, never the App's id or key)",
    );
    const task = attemptJob(input(taskRun({}, cfg), 2, cfg)) as Json;
    t.match(agentOf(task.spec.template.spec).env[0], { name: 'ANTHROPIC_BASE_URL' }, 'TaskRuns get it too');
  },
);

t.test('enableDocker: a privileged native sidecar only when the config allows it', async (t) => {
  const plain = codeJob(codeRun({ enableDocker: true }));
  t.same(
    plain.initContainers.map((c: Json) => c.name),
    ['prepare-workspace', 'agent'],
    'not allowed: no sidecar (admission and rendering refuse the run)',
  );
  const allowing = configFrom({ ...config, job: { ...config.job, docker: { allowed: true } } });
  t.same(codeJob(codeRun({}, allowing), allowing).initContainers.length, 2, 'allowed but not asked: none');
  const pod = codeJob(codeRun({ enableDocker: true }, allowing), allowing);
  const [prepare, docker, agent] = pod.initContainers;
  t.equal(prepare.name, 'prepare-workspace', 'the workspace is prepared first');
  t.equal(agent.name, 'agent', 'the daemon runs before the agent starts');
  t.match(docker, {
    name: 'docker',
    image: 'docker:27.5.1-dind',
    restartPolicy: 'Always',
    args: ['dockerd', '--host=unix:///var/run/docker.sock', '--host=tcp://127.0.0.1:2375', '--tls=false'],
    securityContext: { privileged: true, runAsNonRoot: false, runAsUser: 0 },
    startupProbe: { exec: { command: ['docker', 'info'] } },
  });
  t.same(docker.volumeMounts, [
    { name: 'docker-storage', mountPath: '/var/lib/docker' },
    { name: 'workspace', mountPath: '/workspace' },
  ]);
  t.same(pod.volumes.at(-1), { name: 'docker-storage', emptyDir: {} });
  t.same(agentOf(pod).env.at(-1), { name: 'DOCKER_HOST', value: 'tcp://127.0.0.1:2375' });
  t.same(agentOf(pod).securityContext, agentOf(plain).securityContext, 'the agent stays unprivileged');
  const pinned = configFrom({
    ...config,
    job: { ...config.job, docker: { allowed: true, image: 'registry.local/dind:1' } },
  });
  t.equal(
    codeJob(codeRun({ enableDocker: true }, pinned), pinned).initContainers[1].image,
    'registry.local/dind:1',
  );
});

t.test('no ServiceAccount token unless the agent has clusterAccess, then its own account', async (t) => {
  const rex = codeJob(codeRun());
  t.equal(rex.automountServiceAccountToken, false, 'rex: no token');
  t.equal(rex.serviceAccountName, 'orchestrator-agent');
  const job = attemptJob(input(taskRun())) as Json;
  t.equal(job.spec.template.spec.automountServiceAccountToken, false, 'a TaskRun neither');
  t.notOk(job.spec.template.metadata.labels['orchestrator.io/cluster-access']);

  const tessRun = codeRun({ githubApp: 'acme-tess' });
  const tessJob = attemptJob({ strategy: codeRunStrategy, run: tessRun, config, attempt: 1 }) as Json;
  const tess = tessJob.spec.template.spec;
  t.equal(tess.automountServiceAccountToken, true, 'tess (clusterAccess): a token');
  t.equal(tess.serviceAccountName, 'orchestrator-agent-cluster-access');
  t.equal(tessJob.spec.template.metadata.labels['orchestrator.io/cluster-access'], 'true', 'the pod says so');
  t.notOk(tessJob.metadata.labels['orchestrator.io/cluster-access'], 'the Job has no need of it');

  // Stored without the webhooks (which refuse it): the run's account never gets the token.
  const borrowed = codeJob(codeRun({ githubApp: 'acme-tess', serviceAccountName: 'admin' }));
  t.equal(borrowed.serviceAccountName, 'orchestrator-agent-cluster-access');
  t.equal(
    codeJob(codeRun({ serviceAccountName: 'admin' })).serviceAccountName,
    'admin',
    'without a token, any',
  );
});

t.test(
  "the agent gets the run's trace context as TRACEPARENT, and a run's own cannot displace it",
  async (t) => {
    const traceParent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const traced = (annotation: string | undefined, env: Record<string, string> = {}) => {
      const run = codeRun({ env });
      if (annotation !== undefined)
        run.metadata = { ...run.metadata, annotations: { [TRACE_ANNOTATION]: annotation } };
      return (agentOf(codeJob(run)).env as Json[]).filter((e) => e.name === 'TRACEPARENT');
    };
    t.same(traced(traceParent), [{ name: 'TRACEPARENT', value: traceParent }]);
    t.same(traced(undefined), [], 'none without a trace context');
    t.same(traced('garbage'), [], 'none for an invalid one');
    t.same(traced(traceParent, { TRACEPARENT: 'mine' }), [{ name: 'TRACEPARENT', value: traceParent }]);
    t.same(traced(undefined, { TRACEPARENT: 'mine' }), [], 'reserved even when the run has no trace');
  },
);
