// The objects a run attempt is made of, as pure functions of the (defaulted) run: the workspace PVC,
// the attempt's immutable ConfigMap and its Job. No I/O here, so every field can be unit-tested.
import { type ControllerConfig, LABELS, type Run, type SecretKeyRef } from '../api/index.js';
import {
  AGENT_ENV,
  ENTRY_SCRIPT_KEY,
  DEFAULT_CONFIGMAP_DIR as TASK_FILES_DIR,
  DEFAULT_WORKSPACE_ROOT as WORKSPACE_DIR,
} from '../render/index.js';
import type { KubeObject, OwnerReference } from '../runtime/index.js';
import type { RunKind } from './run-kind.js';

/** The entry script's argument that makes it prepare the workspace only (the init container). */
export const PREPARE_FLAG = '--prepare';
const RUN_AS_USER = 1000;

export interface AttemptInput {
  strategy: RunKind;
  run: Run;
  config: ControllerConfig;
  attempt: number;
}

export function controllerReference(strategy: RunKind, run: Run): OwnerReference {
  return {
    apiVersion: 'orchestrator.io/v1',
    kind: strategy.kind,
    name: run.metadata?.name ?? '',
    uid: run.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

function meta(input: AttemptInput, name: string, owned: boolean) {
  const { strategy, run, config } = input;
  return {
    name,
    namespace: run.metadata?.namespace,
    labels: strategy.labels(run as never, config),
    ...(owned ? { ownerReferences: [controllerReference(strategy, run)] } : {}),
  };
}

/** The workspace volume: shared across attempts (and runs of the service), so it has no owner. */
export function workspacePvc(input: AttemptInput): KubeObject {
  const workspace = input.run.spec.workspace ?? {};
  // Shared by the service's runs: it names none of them.
  const labels = { ...meta(input, '', false).labels };
  delete labels[LABELS.run];
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { ...meta(input, workspace.pvcName ?? '', false), labels },
    spec: {
      accessModes: input.config.workspace?.accessModes ?? ['ReadWriteOnce'],
      resources: { requests: { storage: workspace.size ?? '10Gi' } },
      ...(workspace.storageClassName ? { storageClassName: workspace.storageClassName } : {}),
    },
  };
}

export function attemptConfigMap(input: AttemptInput, data: Record<string, string>): KubeObject {
  const { strategy, run, attempt } = input;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(input, strategy.configMapName(run as never, attempt), true),
    immutable: true,
    data,
  };
}

/** The env var of one configured secret key; `{githubApp}` in its name is the run's app, lower case. */
function secretEnv(name: string, ref: SecretKeyRef | undefined, githubApp: string | undefined) {
  if (!ref) return [];
  if (ref.name.includes('{githubApp}') && !githubApp) return [];
  const secret = ref.name.replaceAll('{githubApp}', (githubApp ?? '').toLowerCase());
  return [{ name, valueFrom: { secretKeyRef: { name: secret, key: ref.key } } }];
}

const containerSecurity = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

export function attemptJob(input: AttemptInput): KubeObject {
  const { strategy, run, config, attempt } = input;
  const spec = run.spec;
  const image = spec.image ?? '';
  const githubApp = strategy.githubApp(run as never, config);
  const secrets = config.secrets ?? {};
  const metadata = meta(input, strategy.jobName(run as never, attempt), true);
  const mounts = [
    { name: 'task-files', mountPath: TASK_FILES_DIR, readOnly: true },
    { name: 'workspace', mountPath: WORKSPACE_DIR },
  ];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata,
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: config.job?.activeDeadlineSeconds,
      ttlSecondsAfterFinished: config.job?.ttlSecondsAfterFinished,
      template: {
        metadata: { labels: metadata.labels },
        spec: {
          restartPolicy: 'Never',
          ...(spec.serviceAccountName ? { serviceAccountName: spec.serviceAccountName } : {}),
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUN_AS_USER,
            runAsGroup: RUN_AS_USER,
            fsGroup: RUN_AS_USER,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          initContainers: [
            {
              name: 'prepare-workspace',
              image: config.job?.initImage ?? image,
              // The entry script's first half: the run directory and the ConfigMap's files in place
              // (templates/partials/shell-lib.sh.hbs `entry`). RUN_DIR shows the layout in describe.
              command: ['bash', `${TASK_FILES_DIR}/${ENTRY_SCRIPT_KEY}`, PREPARE_FLAG],
              env: [{ name: 'RUN_DIR', value: strategy.runDirectory(run as never, attempt) }],
              securityContext: containerSecurity,
              volumeMounts: mounts,
            },
          ],
          containers: [
            {
              name: 'agent',
              image,
              command: ['bash', `${TASK_FILES_DIR}/${ENTRY_SCRIPT_KEY}`],
              env: [
                ...secretEnv(AGENT_ENV.apiKey, secrets.apiKey, githubApp),
                ...secretEnv(AGENT_ENV.githubAppId, secrets.githubAppId, githubApp),
                ...secretEnv(AGENT_ENV.githubAppPrivateKey, secrets.githubAppPrivateKey, githubApp),
              ],
              ...(spec.resources ? { resources: spec.resources } : {}),
              securityContext: containerSecurity,
              volumeMounts: mounts,
            },
          ],
          volumes: [
            { name: 'task-files', configMap: { name: strategy.configMapName(run as never, attempt) } },
            { name: 'workspace', persistentVolumeClaim: { claimName: spec.workspace?.pvcName ?? '' } },
          ],
        },
      },
    },
  };
}
