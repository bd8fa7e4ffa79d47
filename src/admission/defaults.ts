// Defaulting at admission: what the controller would otherwise decide at run time is written into the
// object, so that what is stored in the cluster is exactly what will run. Every default is an `add`
// operation for an absent field: a value the user set is never touched.
import {
  type AgentProfile,
  type ApiKind,
  type ControllerConfig,
  FINALIZERS,
  LABELS,
  MANAGED_BY,
  type Priority,
} from '../api/index.js';
import { agentFromGithubApp, docsWorkspacePvcName, workspacePvcName } from '../naming/names.js';
import { addMissing, addToSet, escapePointer, isPlainObject } from './patch.js';
import type { PatchOperation } from './review.js';

type Obj = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** `record[key]` for own keys only: a user value like "constructor" must not find Object.prototype's. */
const own = <T>(record: Record<string, T> | undefined, key: string): T | undefined =>
  record && Object.hasOwn(record, key) ? record[key] : undefined;

/** The agent a run will use: TaskRun names it (or takes the default); the others derive it from githubApp. */
export function runAgent(kind: ApiKind, spec: Obj, config: ControllerConfig): string | undefined {
  if (kind === 'TaskRun') return str(spec.agent) ?? config.defaultAgent;
  const app = str(spec.githubApp);
  return app ? agentFromGithubApp(app) : undefined;
}

function resourcesFor(profile: AgentProfile | undefined, priority: Priority): Obj | undefined {
  const byPriority = profile?.resources as Record<string, Obj | undefined> | undefined;
  return own(byPriority, priority);
}

/** The workspace PVC of a run: per service (and agent), or per docs directory. */
function pvcName(
  kind: ApiKind,
  spec: Obj,
  agent: string | undefined,
  profile: AgentProfile | undefined,
): string | undefined {
  if (kind === 'DocsRun') {
    const dir = str(spec.workingDirectory);
    return dir ? docsWorkspacePvcName(dir) : undefined;
  }
  const service = str(kind === 'TaskRun' ? spec.serviceName : spec.service);
  return service && agent ? workspacePvcName(service, agent, profile?.role === 'implementation') : undefined;
}

/** The spec defaults of a run of `kind`, as a nested object of values (undefined = nothing to inject). */
export function specDefaults(
  kind: ApiKind,
  spec: Obj,
  config: ControllerConfig,
  agent = runAgent(kind, spec, config),
): Obj {
  const profile = agent ? own(config.agents, agent) : undefined;
  // Only a TaskRun has a priority; the other runs get the agent's standard resources.
  const priority = kind === 'TaskRun' ? ((str(spec.priority) ?? 'standard') as Priority) : 'standard';
  // Filled in place rather than spread: this runs on every review, and a spread object is slow to build.
  const defaults: Obj = kind === 'TaskRun' ? { agent, priority, retryAttempt: 1 } : {};
  defaults.model = profile?.model;
  defaults.image = profile?.image;
  defaults.serviceAccountName = profile?.serviceAccountName;
  defaults.workspace = {
    pvcName: pvcName(kind, spec, agent, profile),
    size: config.workspace?.size,
    storageClassName: config.workspace?.storageClassName,
  };
  defaults.resources = resourcesFor(profile, priority);
  return defaults;
}

/** The labels every run carries, so `kubectl get tr -l orchestrator.io/service=…` works. */
export function runLabels(
  kind: ApiKind,
  spec: Obj,
  config: ControllerConfig,
  agent = runAgent(kind, spec, config),
): Record<string, string | undefined> {
  const taskId = spec.taskId;
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.taskId]: typeof taskId === 'number' ? String(taskId) : undefined,
    [LABELS.service]: str(kind === 'TaskRun' ? spec.serviceName : spec.service),
    [LABELS.agent]: agent,
  };
}

/**
 * The JSON Patch that defaults `object`. Properties the schema does not know are left out by the
 * caller's schema (the apiserver prunes them), so only fields declared in schemas/ are added.
 */
export function defaultsPatch(kind: ApiKind, object: Obj, config: ControllerConfig): PatchOperation[] {
  const ops: PatchOperation[] = [];
  const metadata = isPlainObject(object.metadata) ? object.metadata : {};
  const spec = isPlainObject(object.spec) ? object.spec : undefined;
  if (spec) {
    const agent = runAgent(kind, spec, config);
    addMissing(spec, specDefaults(kind, spec, config, agent), '/spec', ops);
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries(runLabels(kind, spec, config, agent))) {
      if (value !== undefined && isLabelValue(value)) labels[key] = value;
    }
    const current = metadata.labels;
    if (!isPlainObject(current)) {
      if (Object.keys(labels).length) ops.push({ op: 'add', path: '/metadata/labels', value: labels });
    } else {
      for (const [key, value] of Object.entries(labels)) {
        if (current[key] === undefined)
          ops.push({ op: 'add', path: `/metadata/labels/${escapePointer(key)}`, value });
      }
    }
  }
  // Adding a finalizer to an object being deleted would block its deletion forever.
  if (!metadata.deletionTimestamp)
    ops.push(...addToSet(metadata.finalizers, FINALIZERS[kind], '/metadata/finalizers'));
  return ops;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const isLabelValue = (v: string) => v.length <= 63 && LABEL_VALUE.test(v);
