// A run's defaults, as one domain function: `defaulted(kind, run, config)` is the run as it will run —
// the schema's `default:` values (schema-defaults.ts), the agent's profile (model, image, service account, limits, resources by priority), the workspace volume,
// the labels and the cleanup finalizer filled in where absent. The mutating webhook stores it (its
// patch is the difference, src/admission/patch.ts); the reconciler's resolver (resolved-run.ts) calls
// it directly, so a run admitted without the webhooks runs the same (docs/design.md §7).
//
// The input may be any JSON (the mutating webhook runs before validation): every read is guarded, and
// a value the user set is never replaced — only a shorthand is made explicit first (normalise.ts).
import { docsWorkspacePvcName, isLabelValue, workspacePvcName } from '../naming/index.js';
import { isPlainObject } from '../util/index.js';
import type { DefaultedRuns } from './generated/defaulted.js';
import { agentOfGithubApp } from './github-app-agent.js';
import { runGithubAuth } from './github-auth.js';
import { kindFacts, type RunKindName, type RunOf, serviceField, taskIdField } from './kinds.js';
import { LABELS, MANAGED_BY } from './labels.js';
import { normalisedSpec } from './normalise.js';
import { promptDefaults } from './prompt-task.js';
import { defaultRunLimits } from './run-limits.js';
import { type DefaultTree, defaultTree, withSchemaDefaults } from './schema-defaults.js';
import { loadSchema } from './schemas.js';
import type { AgentProfile, ControllerConfig } from './types.js';

/**
 * A run of kind K as defaulted() returns it: the fields with a schema default, and those it fills from
 * the config (labels, workspace, a TaskRun's agent: scripts/generate-defaulted.js), are required.
 */
export type DefaultedRun<K extends RunKindName> = DefaultedRuns[K];

type Obj = Record<string, unknown>;

/** A field counts as set unless absent or null (the apiserver prunes nulls of non-nullable fields). */
const isSet = (v: unknown): boolean => v !== undefined && v !== null;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** `record[key]` for own keys only: a user value like "constructor" must not find Object.prototype's. */
const own = <T>(record: Record<string, T> | undefined, key: string): T | undefined =>
  record && Object.hasOwn(record, key) ? record[key] : undefined;

/**
 * The agent a run will use: a TaskRun names it (or takes the default); the others run the profile
 * of their githubApp (github-app-agent.ts), and a run acting as a GitHub user takes the default agent.
 */
export function runAgent(kind: RunKindName, spec: Obj, config: ControllerConfig): string | undefined {
  if (kind === 'TaskRun') return str(spec.agent) ?? config.defaultAgent;
  const app = str(spec.githubApp);
  if (app) return agentOfGithubApp(config, app);
  return str(spec.githubUser) ? config.defaultAgent : undefined;
}

/** The profile of the agent a run will use, if the config has one by that name. */
export function runProfile(
  kind: RunKindName,
  spec: Obj,
  config: ControllerConfig,
  agent = runAgent(kind, spec, config),
): AgentProfile | undefined {
  return agent ? own(config.agents, agent) : undefined;
}

/** The run's service, from the kind's service field (a DocsRun has none). */
export function runService(kind: RunKindName, spec: Obj): string | undefined {
  const field = serviceField(kind);
  return field === undefined ? undefined : str(spec[field]);
}

/** The workspace PVC of a run: per service (and agent, unless it shares the service's), or per docs directory. */
function pvcName(kind: RunKindName, spec: Obj, agent: string | undefined, profile: AgentProfile | undefined) {
  if (kind === 'DocsRun') {
    const dir = str(spec.workingDirectory);
    return dir ? docsWorkspacePvcName(dir) : undefined;
  }
  const service = runService(kind, spec);
  return service && agent ? workspacePvcName(service, agent, profile?.role === 'implementation') : undefined;
}

/** The workspace PVC a run's Jobs mount: the one its spec names, else the default it gets. */
export function runWorkspace(kind: RunKindName, spec: Obj, config: ControllerConfig): string | undefined {
  const set = isPlainObject(spec.workspace) ? str(spec.workspace.pvcName) : undefined;
  if (set) return set;
  const agent = runAgent(kind, spec, config);
  return pvcName(kind, spec, agent, runProfile(kind, spec, config, agent));
}

const trees = new Map<RunKindName, DefaultTree | undefined>();

/** The default tree of a kind's schema, read once (defaulting runs on every admission review). */
function kindDefaults(kind: RunKindName): DefaultTree | undefined {
  if (!trees.has(kind)) trees.set(kind, defaultTree(loadSchema(kind)));
  return trees.get(kind);
}

/** `spec` with its kind's schema defaults (what the apiserver applies to a stored run). */
export function specWithSchemaDefaults(kind: RunKindName, spec: Obj): Obj {
  const tree = kindDefaults(kind)?.properties?.spec;
  return tree ? (withSchemaDefaults(spec, tree) as Obj) : spec;
}

/** The priority whose resources a run gets: only a TaskRun has one; the other runs get the agent's standard. */
export function runPriority(kind: RunKindName, spec: Obj): string | undefined {
  return kind === 'TaskRun' ? str(spec.priority) : 'standard';
}

/**
 * The spec defaults of a run of `kind` that come from the config, as a nested object of values
 * (undefined = nothing to inject). `spec` has its schema defaults already (a TaskRun's priority).
 */
export function specDefaults(
  kind: RunKindName,
  spec: Obj,
  config: ControllerConfig,
  agent = runAgent(kind, spec, config),
): Obj {
  const profile = runProfile(kind, spec, config, agent);
  const priority = runPriority(kind, spec);
  // Filled in place rather than spread: this runs on every review, and a spread object is slow to build.
  const defaults: Obj = kind === 'TaskRun' ? { agent } : {};
  defaults.model = profile?.model;
  defaults.image = profile?.image;
  defaults.serviceAccountName = profile?.serviceAccountName;
  defaults.workspace = {
    pvcName: pvcName(kind, spec, agent, profile),
    size: config.workspace.size,
    storageClassName: config.workspace.storageClassName,
  };
  defaults.limits = defaultRunLimits(profile);
  defaults.resources =
    priority === undefined
      ? undefined
      : own(profile?.resources as Record<string, Obj | undefined> | undefined, priority);
  return defaults;
}

/** The labels every run carries (and every object made for it), so `kubectl get otr -l …` works. */
export function runLabels(
  kind: RunKindName,
  spec: Obj,
  config: ControllerConfig,
  agent = runAgent(kind, spec, config),
): Record<string, string> {
  const labels: Record<string, string> = { [LABELS.managedBy]: MANAGED_BY };
  const taskField = taskIdField(kind);
  const taskId = taskField === undefined ? undefined : spec[taskField];
  if (typeof taskId === 'number') labels[LABELS.taskId] = String(taskId);
  const service = runService(kind, spec);
  if (service !== undefined) labels[LABELS.service] = service;
  if (agent !== undefined) labels[LABELS.agent] = agent;
  if (kind === 'TaskRun' && typeof spec.priority === 'string') labels[LABELS.priority] = spec.priority;
  const auth = runGithubAuth(spec, config, agent);
  if (auth.method === 'app' && isLabelValue(auth.app)) labels[LABELS.githubApp] = auth.app;
  return labels;
}

/**
 * `current` with every leaf of `defaults` it lacks; a missing parent object is added whole. Undefined
 * defaults (nothing to inject) are skipped. Subtrees without a change are shared, not copied.
 */
export function withDefaults(current: Obj, defaults: Obj): Obj {
  let out: Obj | undefined;
  for (const key of Object.keys(defaults)) {
    const value = defaults[key];
    if (value === undefined) continue;
    const existing = current[key];
    let next: unknown;
    if (!isSet(existing)) next = prune(value);
    else if (isPlainObject(existing) && isPlainObject(value)) next = withDefaults(existing, value);
    if (next === undefined || next === existing) continue;
    out ??= { ...current };
    out[key] = next;
  }
  return out ?? current;
}

/** Drops undefined members (and objects left empty), so a default never carries them. */
function prune(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  let out: Obj | undefined;
  for (const key of Object.keys(value)) {
    const pruned = prune(value[key]);
    if (pruned === undefined) continue;
    out ??= {};
    out[key] = pruned;
  }
  return out;
}

/**
 * The run as it will run: shorthands made explicit (`org/repo`, model aliases), then the schema's
 * defaults, a prompt run's task id and service (prompt-task.ts), the config's spec defaults, labels and the cleanup finalizer filled in where absent. A run
 * being deleted gets no finalizer (it would block the deletion forever). Returns `run` itself when
 * nothing was missing; never modifies it. Any JSON is taken (the mutating webhook runs before
 * validation); the DefaultedRun type holds only for a run of the kind's type.
 */
export function defaulted<K extends RunKindName>(
  kind: K,
  run: RunOf<K>,
  config: ControllerConfig,
): DefaultedRun<K>;
export function defaulted(kind: RunKindName, run: Obj, config: ControllerConfig): Obj;
export function defaulted(kind: RunKindName, run: object, config: ControllerConfig): object {
  const object = run as Obj;
  const metadata = isPlainObject(object.metadata) ? object.metadata : {};
  let nextMeta = metadata;
  let out = object;
  if (isPlainObject(object.spec)) {
    const explicit = specWithSchemaDefaults(kind, normalisedSpec(kind, object.spec, config));
    // A prompt run's task id and service first: its workspace and labels are named after them.
    const spec = kind === 'TaskRun' ? withDefaults(explicit, promptDefaults(explicit)) : explicit;
    const agent = runAgent(kind, spec, config);
    const nextSpec = withDefaults(spec, specDefaults(kind, spec, config, agent));
    if (nextSpec !== object.spec) out = { ...out, spec: nextSpec };
    const labels: Obj = {};
    for (const [key, value] of Object.entries(runLabels(kind, spec, config, agent)))
      if (isLabelValue(value)) labels[key] = value;
    // Labels that are not a map are the validator's to refuse; defaulting leaves them alone.
    if (!isSet(metadata.labels) || isPlainObject(metadata.labels))
      nextMeta = withDefaults(nextMeta, { labels });
  }
  const { finalizer } = kindFacts(kind);
  const finalizers = nextMeta.finalizers;
  if (!nextMeta.deletionTimestamp && !(Array.isArray(finalizers) && finalizers.includes(finalizer)))
    nextMeta = {
      ...nextMeta,
      finalizers: Array.isArray(finalizers) ? [...finalizers, finalizer] : [finalizer],
    };
  if (nextMeta !== metadata) out = { ...out, metadata: nextMeta };
  return out;
}
