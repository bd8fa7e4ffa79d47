// The scheduling and isolation fields of an agent's pod (nodeSelector, tolerations, affinity,
// priorityClassName, runtimeClassName) from three levels: the config's job.podTemplate, the agent
// profile's podTemplate, the run's spec.podTemplate, the more specific winning (docs/design.md §7.1).
//
// Computed when each attempt's Job is made, not stored in the run at admission: the config's levels may
// change (a new node pool, a RuntimeClass rolled out), and a stored copy would be indistinguishable from
// what the run's submitter set, which the closed fields (job.runPodTemplate, job.lockedPodFields) must
// tell apart.
import { runProfile } from './defaulting.js';
import type { RunKindName } from './kinds.js';
import type { ControllerConfig, PodTemplate, PodTemplateField } from './types.js';

type Obj = Record<string, unknown>;

export const POD_TEMPLATE_FIELDS: readonly PodTemplateField[] = [
  'nodeSelector',
  'tolerations',
  'affinity',
  'priorityClassName',
  'runtimeClassName',
];

/** Maps merge key by key; a list or an object whose parts depend on each other is replaced whole. */
const MERGED_KEY_BY_KEY: ReadonlySet<PodTemplateField> = new Set(['nodeSelector']);

const isRecord = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The run's own podTemplate, as stored (undefined when it sets none or it is not an object). */
export function runPodTemplateOwn(spec: Obj): Partial<Record<PodTemplateField, unknown>> | undefined {
  return isRecord(spec.podTemplate) ? spec.podTemplate : undefined;
}

/** The value the config gives a field (profile over job), whatever the run says. */
export function configPodValue(
  kind: RunKindName,
  spec: Obj,
  config: ControllerConfig,
  field: PodTemplateField,
): unknown {
  return mergedField(field, [config.job.podTemplate, runProfile(kind, spec, config)?.podTemplate]);
}

function mergedField(field: PodTemplateField, levels: (Obj | undefined)[]): unknown {
  let value: unknown;
  for (const level of levels) {
    const own = level?.[field];
    if (own === undefined || own === null) continue;
    value = MERGED_KEY_BY_KEY.has(field) && isRecord(value) && isRecord(own) ? { ...value, ...own } : own;
  }
  return value;
}

/** Whether job.runPodTemplate lets a run set any of `field` (admission judges which values). */
function opened(field: PodTemplateField, config: ControllerConfig): boolean {
  const open = config.job.runPodTemplate;
  switch (field) {
    case 'nodeSelector':
      return open.nodeSelectorKeys.length > 0;
    case 'tolerations':
      return open.tolerationKeys.length > 0 || open.tolerateAll;
    case 'affinity':
      return open.affinity;
    case 'priorityClassName':
      return open.priorityClassNames.length > 0;
    case 'runtimeClassName':
      return open.runtimeClassNames.length > 0;
  }
}

/**
 * The fields a run may not set at all: those job.runPodTemplate does not open (every one by default)
 * and those job.lockedPodFields lists (which closes a field even where it is opened).
 */
export function closedPodFields(config: ControllerConfig): PodTemplateField[] {
  const locked = new Set(config.job.lockedPodFields);
  return POD_TEMPLATE_FIELDS.filter((f) => locked.has(f) || !opened(f, config));
}

/**
 * The pod fields of a run's attempt: each field from the most specific level that sets it (nodeSelector
 * merged key by key). A field closed to runs takes the config's levels only, so a run stored before
 * the config closed it (or admitted without the webhooks) cannot escape it; the values of an opened
 * field are judged at admission (src/admission/rules/placement.ts).
 */
export function runPodTemplate(
  kind: RunKindName,
  spec: Obj,
  config: ControllerConfig,
  agentProfile = runProfile(kind, spec, config),
): PodTemplate {
  const locked = new Set(closedPodFields(config));
  const own = runPodTemplateOwn(spec);
  const profile = agentProfile?.podTemplate;
  const out: Obj = {};
  for (const field of POD_TEMPLATE_FIELDS) {
    const levels = [config.job.podTemplate, profile, locked.has(field) ? undefined : own];
    const value = mergedField(field, levels);
    if (value !== undefined) out[field] = value;
  }
  return out as PodTemplate;
}
