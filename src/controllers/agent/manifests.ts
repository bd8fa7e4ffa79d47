// The objects a run attempt is made of, as pure functions of the (resolved) run: the workspace PVC,
// the attempt's immutable ConfigMap, the agent shell's ConfigMap it shares with the namespace's other
// runs, and its Job: a base every attempt has, then each feature's additions (features/). No I/O here,
// so every field can be unit-tested.
// The design it implements: docs/design.md §1.2 (Job shape, Job features).

import {
  ANNOTATIONS,
  API_VERSION,
  type ControllerConfig,
  clusterAccount,
  type DefaultedRun,
  LABELS,
  MANAGED_BY,
  type ResolvedRun,
  type RunKindName,
  type RunOf,
  resolvedOf,
} from '../../api/index.js';
import {
  AGENT_CONTAINER,
  BASE_BRANCH_DIR,
  PREPARE_CONTAINER,
  PUBLISH_CONTAINER,
  TASK_FILES_DIR,
  WORKSPACE_ROOT,
  WORKSPACE_VOLUME,
} from '../../naming/index.js';
import { type AgentShellFiles, ENTRY_SCRIPT_KEY } from '../../render/index.js';
import type { KubeObject, OwnerReference } from '../../runtime/index.js';
import { objectLabels, type RunStrategy } from '../kind/strategy.js';
import { agentEnv, type RunEnvSpec } from './env.js';
import { type AgentJob, JOB_FEATURES, type JobFeature, withAdditions } from './features/index.js';

export { WORKSPACE_VOLUME };

const BASE_BRANCH_VOLUME = 'base-branch';
/** Room for the instruction files (128 KiB each, 16 at most) and the setup script (1 MiB at most). */
const BASE_BRANCH_VOLUME_SIZE = '4Mi';
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
  /** The run resolved (src/api/resolved-run.ts); absent, it is resolved from `run`. */
  resolved?: ResolvedRun<K>;
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
  // Shared by the service's runs: it names none of them, nor the workflow or priority of one.
  const {
    [LABELS.run]: _run,
    [LABELS.workflowName]: _workflow,
    [LABELS.priority]: _priority,
    ...labels
  } = meta(input, '', false).labels;
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
function podIdentity<K extends RunKindName>(
  input: AttemptInput<K>,
  { profile }: ResolvedRun<K>,
  labels: Record<string, string>,
) {
  const { strategy, run, config } = input;
  const account = clusterAccount(strategy.kind, run.spec, config, profile);
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

/** The resolved run of an attempt: the one the reconciler resolved, else this defaulted run's. */
const resolvedRun = <K extends RunKindName>({ strategy, run, config, resolved }: AttemptInput<K>) =>
  resolved ?? resolvedOf(strategy.kind, run, config);

/** The Job every attempt has, before its features (features/): the three phases, identity, volumes. */
function baseJob<K extends RunKindName>(input: AttemptInput<K>, resolved: ResolvedRun<K>): AgentJob {
  const { strategy, run, config, attempt } = input;
  const spec = run.spec;
  const image = spec.image ?? '';
  // The profile's pull policy (schemas/controller-config), for every phase; else Kubernetes'.
  const pullPolicy = resolved.profile?.imagePullPolicy;
  const pull = pullPolicy ? { imagePullPolicy: pullPolicy } : {};
  const metadata = meta(input, strategy.jobName(run, attempt), true);
  const mounts = [
    { name: 'task-files', mountPath: TASK_FILES_DIR, readOnly: true },
    { name: WORKSPACE_VOLUME, mountPath: WORKSPACE_ROOT },
  ];
  // What prepare read from the base branch (instructions, setup script), on a volume of the pod's own
  // rather than the workspace, which earlier runs' agents wrote: prepare writes it, the agent's
  // container only reads it, the publisher has no use for it.
  const baseBranch = { name: BASE_BRANCH_VOLUME, mountPath: BASE_BRANCH_DIR };
  const identity = podIdentity(input, resolved, metadata.labels);
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
        metadata: { labels: identity.labels, ...podAnnotations(config, spec.podAnnotations) },
        spec: {
          restartPolicy: 'Never',
          ...identity.spec,
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
              // The run directory, the ConfigMap's files and the checkouts in place
              // (templates/agent-shell/lib.sh `entry`). RUN_DIR shows the layout in describe.
              command: entryCommand(PREPARE_FLAG),
              terminationMessagePolicy: 'FallbackToLogsOnError',
              env: [{ name: 'RUN_DIR', value: strategy.runDirectory(run, attempt) }],
              securityContext: containerSecurity,
              volumeMounts: [...mounts, baseBranch],
            },
            {
              name: AGENT_CONTAINER,
              image,
              ...pull,
              command: entryCommand(AGENT_FLAG),
              // Its result document when it fails (docs/result-protocol.md); a crash leaves its log tail.
              terminationMessagePolicy: 'FallbackToLogsOnError',
              // CodeRun's fields; the other kinds have none of them.
              env: agentEnv(spec as RunEnvSpec, config),
              ...(spec.resources ? { resources: spec.resources } : {}),
              securityContext: containerSecurity,
              volumeMounts: [...mounts, { ...baseBranch, readOnly: true }],
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
              env: [],
              securityContext: containerSecurity,
              volumeMounts: mounts,
            },
          ],
          volumes: [
            taskFilesVolume(strategy.configMapName(run, attempt), input.agentShell),
            { name: WORKSPACE_VOLUME, persistentVolumeClaim: { claimName: spec.workspace.pvcName ?? '' } },
            { name: BASE_BRANCH_VOLUME, emptyDir: { sizeLimit: BASE_BRANCH_VOLUME_SIZE } },
          ],
        },
      },
    },
  };
}

/** The attempt's Job: the base, and what each of `features` adds, in their order. */
export function attemptJob<K extends RunKindName>(
  input: AttemptInput<K>,
  features: readonly JobFeature[] = JOB_FEATURES,
): KubeObject {
  const resolved = resolvedRun(input);
  const base = baseJob(input, resolved);
  const context = { config: input.config, attempt: input.attempt };
  return withAdditions(
    base,
    features.map((feature) => feature(base, resolved, context)),
  );
}
