// The objects a run attempt is made of, as pure functions of the (defaulted) run: the workspace PVC,
// the attempt's immutable ConfigMap, the agent shell's ConfigMap it shares with the namespace's other
// runs, and its Job. No I/O here, so every field can be unit-tested.
// The design it implements: docs/design.md §1.2 (Job shape).

import { agentCli } from '../../agent-cli/index.js';
import {
  ANNOTATIONS,
  API_VERSION,
  type ControllerConfig,
  clusterAccount,
  type DefaultedRun,
  LABELS,
  MANAGED_BY,
  type RunKindName,
  type RunOf,
  runAgent,
  runGithubAuth,
  runPodTemplate,
  runProfile,
} from '../../api/index.js';
import { agentAllowlist, proxyEnv } from '../../egress/index.js';
import { AGENT_CONTAINER, PREPARE_CONTAINER, PUBLISH_CONTAINER } from '../../naming/containers.js';
import { TASK_FILES_DIR, WORKSPACE_ROOT } from '../../naming/names.js';
import { runTraceParent } from '../../observability/traceparent.js';
import { type AgentShellFiles, ENTRY_SCRIPT_KEY } from '../../render/index.js';
import type { KubeObject, OwnerReference } from '../../runtime/index.js';
import { objectLabels, type RunStrategy } from '../kind/strategy.js';
import { dockerSidecar } from './docker-sidecar.js';
import { agentEnv, type RunEnvSpec } from './env.js';
import { phaseCredentials } from './github-credentials.js';

/** The pod volume of the workspace PVC (capacity reads a Job's workspace from it). */
export const WORKSPACE_VOLUME = 'workspace';
/**
 * The entry script's argument in each of the pod's containers, one phase each (templates/agent-shell/lib.sh
 * `entry`): prepare checks out, the agent works, the publisher pushes (docs/security.md, "Phases and
 * their credentials").
 */
export const PREPARE_FLAG = '--prepare';
const AGENT_FLAG = '--agent';
const PUBLISH_FLAG = '--publish';
const RUN_AS_USER = 1000;

export interface AttemptInput<K extends RunKindName = RunKindName> {
  strategy: RunStrategy<K>;
  /** As defaulted() returns it: what defaulting guarantees is not defaulted again here. */
  run: DefaultedRun<K>;
  config: ControllerConfig;
  attempt: number;
  /**
   * The agent-shell ConfigMap the attempt's files go with (docs/design.md §2.3). Absent: the attempt's
   * own ConfigMap holds the agent shell too (one made by an operator before the agent shell had its own).
   */
  agentShell?: string;
}

export function controllerReference(kind: RunKindName, run: RunOf<RunKindName>): OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind,
    name: run.metadata?.name ?? '',
    uid: run.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

function meta<K extends RunKindName>(input: AttemptInput<K>, name: string, owned: boolean) {
  const { strategy, run, config, agentShell } = input;
  const labels = objectLabels(strategy.kind, run, config);
  return {
    name,
    namespace: run.metadata?.namespace,
    labels: owned && agentShell ? { ...labels, [LABELS.agentShell]: agentShell } : labels,
    ...(owned ? { ownerReferences: [controllerReference(strategy.kind, run)] } : {}),
  };
}

/** The workspace volume: shared across attempts (and runs of the service), so it has no owner. */
export function workspacePvc<K extends RunKindName>(input: AttemptInput<K>): KubeObject {
  const workspace = input.run.spec.workspace;
  // Shared by the service's runs: it names none of them, nor the workflow of one.
  const { [LABELS.run]: _run, [LABELS.workflowName]: _workflow, ...labels } = meta(input, '', false).labels;
  // Whose it is: a run of another submitter does not join it under its conventional name
  // (src/controllers/reconcile/workspace-tenancy.ts).
  const submitter = input.run.metadata?.annotations?.[ANNOTATIONS.submittedBy];
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      ...meta(input, workspace.pvcName ?? '', false),
      labels,
      ...(submitter ? { annotations: { [ANNOTATIONS.submittedBy]: submitter } } : {}),
    },
    spec: {
      accessModes: input.config.workspace.accessModes,
      resources: { requests: { storage: workspace.size } },
      ...(workspace.storageClassName ? { storageClassName: workspace.storageClassName } : {}),
    },
  };
}

export function attemptConfigMap<K extends RunKindName>(
  input: AttemptInput<K>,
  data: Record<string, string>,
): KubeObject {
  const { strategy, run, attempt } = input;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(input, strategy.configMapName(run, attempt), true),
    immutable: true,
    data,
  };
}

/**
 * The agent shell's files for the runs of `namespace`: shared, so owned by none of them (the agent shell
 * sweeper deletes a version no Job uses any more: controllers/agent-shell-sweeper.ts). Its label names
 * itself, which is how the sweeper and the reconciler tell it from a run's ConfigMap.
 */
export function agentShellConfigMap(namespace: string, agentShell: AgentShellFiles): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: agentShell.name,
      namespace,
      labels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.agentShell]: agentShell.name },
    },
    immutable: true,
    data: { ...agentShell.data },
  };
}

/** The /task-files volume: the attempt's ConfigMap, and the agent shell's projected beside it. */
function taskFilesVolume(configMap: string, agentShell: string | undefined) {
  if (!agentShell) return { name: 'task-files', configMap: { name: configMap } };
  const sources = [{ configMap: { name: configMap } }, { configMap: { name: agentShell } }];
  return { name: 'task-files', projected: { sources } };
}

function podAnnotations(config: ControllerConfig, own: Record<string, string> | undefined) {
  const annotations = { ...config.job.podAnnotations, ...own };
  return Object.keys(annotations).length > 0 ? { annotations } : {};
}

/**
 * Who the pod is to the Kubernetes API (docs/design.md §1.2, agent sandbox): no token at all, unless
 * the agent's profile has clusterAccess; then the profile's ServiceAccount, and a label the shipped
 * NetworkPolicy lets reach the apiserver.
 */
function podIdentity<K extends RunKindName>(input: AttemptInput<K>, labels: Record<string, string>) {
  const { strategy, run, config } = input;
  const account = clusterAccount(strategy.kind, run.spec, config);
  const serviceAccountName = account ?? run.spec.serviceAccountName;
  return {
    labels: account ? { ...labels, [LABELS.clusterAccess]: 'true' } : labels,
    spec: {
      ...(serviceAccountName ? { serviceAccountName } : {}),
      automountServiceAccountToken: account !== undefined,
    },
  };
}

const containerSecurity = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

const entryCommand = (flag: string) => ['bash', `${TASK_FILES_DIR}/${ENTRY_SCRIPT_KEY}`, flag];

export function attemptJob<K extends RunKindName>(input: AttemptInput<K>): KubeObject {
  const { strategy, run, config, attempt } = input;
  const spec = run.spec;
  const image = spec.image ?? '';
  const agent = runAgent(strategy.kind, spec, config);
  const auth = runGithubAuth(spec, config, agent);
  // The profile's pull policy (schemas/controller-config), for both containers; else Kubernetes'.
  const profile = runProfile(strategy.kind, spec, config, agent);
  const pullPolicy = profile?.imagePullPolicy;
  const pull = pullPolicy ? { imagePullPolicy: pullPolicy } : {};
  // The GitHub credentials are the prepare and publish containers' only: the checkout's read-only one
  // and the publisher's write one; the agent's container gets none.
  const read = phaseCredentials(auth, config, 'read');
  const write = phaseCredentials(auth, config, 'write');
  const metadata = meta(input, strategy.jobName(run, attempt), true);
  const mounts = [
    { name: 'task-files', mountPath: TASK_FILES_DIR, readOnly: true },
    { name: WORKSPACE_VOLUME, mountPath: WORKSPACE_ROOT },
  ];
  // CodeRun's fields; the other kinds have none of them.
  const own = spec as RunEnvSpec & { enableDocker?: boolean };
  const docker = dockerSidecar(own.enableDocker, config, WORKSPACE_VOLUME);
  const identity = podIdentity(input, metadata.labels);
  // With egress on, every container goes out through the allowlist's proxy port (src/egress).
  const allowlist = agentAllowlist(config, agent);
  const podLabels = allowlist ? { ...identity.labels, [LABELS.egress]: allowlist } : identity.labels;
  const proxy = proxyEnv(config, agent, run.metadata?.namespace ?? '');
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata,
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: config.job.activeDeadlineSeconds,
      ttlSecondsAfterFinished: config.job.ttlSecondsAfterFinished,
      template: {
        // The config's annotations for every pod, then the run's own, which win key by key.
        metadata: { labels: podLabels, ...podAnnotations(config, spec.podAnnotations) },
        spec: {
          restartPolicy: 'Never',
          ...identity.spec,
          // Placement and isolation: config, profile, run (docs/design.md §7.1).
          ...runPodTemplate(strategy.kind, spec, config),
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUN_AS_USER,
            runAsGroup: RUN_AS_USER,
            fsGroup: RUN_AS_USER,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          initContainers: [
            {
              name: PREPARE_CONTAINER,
              image: config.job.initImage ?? image,
              ...pull,
              // The run directory, the ConfigMap's files and the checkouts in place, with the read-only
              // credential (templates/agent-shell/lib.sh `entry`). RUN_DIR shows the layout in describe.
              command: entryCommand(PREPARE_FLAG),
              terminationMessagePolicy: 'FallbackToLogsOnError',
              env: [{ name: 'RUN_DIR', value: strategy.runDirectory(run, attempt) }, ...read.env, ...proxy],
              securityContext: containerSecurity,
              volumeMounts: [...mounts, ...read.mounts],
            },
            ...(docker ? [docker.container] : []),
            {
              name: AGENT_CONTAINER,
              image,
              ...pull,
              command: entryCommand(AGENT_FLAG),
              // Its result document when it fails (docs/result-protocol.md); a crash leaves its log tail.
              terminationMessagePolicy: 'FallbackToLogsOnError',
              env: agentEnv(own, {
                cli: agentCli(profile?.cli),
                proxy,
                config,
                auth,
                dockerHost: docker?.dockerHost,
                traceParent: runTraceParent(run),
                telemetry: {
                  namespace: run.metadata?.namespace ?? '',
                  kind: strategy.kind,
                  name: run.metadata?.name ?? '',
                  attempt,
                  agent: agent ?? '',
                  job: metadata.name,
                },
              }),
              ...(spec.resources ? { resources: spec.resources } : {}),
              securityContext: containerSecurity,
              volumeMounts: mounts,
            },
          ],
          // The publisher: the main container, so it starts only once the agent's has exited, and its
          // result document is the attempt's (docs/result-protocol.md).
          containers: [
            {
              name: PUBLISH_CONTAINER,
              image,
              ...pull,
              command: entryCommand(PUBLISH_FLAG),
              terminationMessagePolicy: 'FallbackToLogsOnError',
              env: [...write.env, ...proxy],
              securityContext: containerSecurity,
              volumeMounts: [...mounts, ...write.mounts],
            },
          ],
          volumes: [
            taskFilesVolume(strategy.configMapName(run, attempt), input.agentShell),
            { name: WORKSPACE_VOLUME, persistentVolumeClaim: { claimName: spec.workspace.pvcName ?? '' } },
            ...(docker ? [docker.volume] : []),
            ...read.volumes,
            ...write.volumes.filter((v) => !read.volumes.some((r) => r.name === v.name)),
          ],
        },
      },
    },
  };
}
