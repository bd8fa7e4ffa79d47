// A run's spec.podTemplate becomes fields of real pods (src/api/pod-template.ts): what the Job's pod
// would be refused for is refused here (src/validation/pod-template.ts), and a field the controller
// config locks (job.lockedPodFields, e.g. runtimeClassName: gvisor for every agent) may not be set by a
// run at all.
import { isDeepStrictEqual } from 'node:util';
import { configPodValue, type RunKindName, runPodTemplateOwn } from '../../api/index.js';
import { error, type Finding, showValue } from '../../validation/finding.js';
import { podTemplateFindings } from '../../validation/pod-template.js';
import { field, type Rule } from './context.js';

const RULE = 'pod-template';
const PATH = 'spec.podTemplate';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** A field the config locks, set (or changed, on UPDATE) by the run. */
function lockedFindings(
  kind: RunKindName,
  spec: Record<string, unknown>,
  own: Record<string, unknown>,
  old: Record<string, unknown> | undefined,
  config: Parameters<Rule<unknown>>[0]['config'],
): Finding[] {
  const locked = config.job.lockedPodFields;
  return locked.flatMap((name) => {
    const value = own[name];
    // Unchanged on UPDATE: a run stored before the lock may still be updated (its finalizer removed);
    // its pods take the config's value anyway.
    if (value === undefined || value === null || (old && isDeepStrictEqual(value, old[name]))) return [];
    const configured = configPodValue(kind, spec, config, name);
    const says = configured === undefined ? 'leaves it unset' : `sets ${showValue(configured)}`;
    return [
      error(
        RULE,
        `${PATH}.${name}`,
        `Forbidden: the controller config locks this field (job.lockedPodFields: ${locked.join(', ')}) and ${says} for this run's agent; remove it from the run`,
      ),
    ];
  });
}

export const validPodTemplate =
  (kind: RunKindName): Rule<unknown> =>
  ({ object, oldObject, operation, config }) => {
    const spec = field(object, 'spec');
    if (!isRecord(spec)) return [];
    const own = runPodTemplateOwn(spec);
    if (!own) return [];
    const oldSpec = operation === 'UPDATE' ? field(oldObject, 'spec') : undefined;
    const old = isRecord(oldSpec) ? (runPodTemplateOwn(oldSpec) ?? {}) : undefined;
    const findings = lockedFindings(kind, spec, own, old, config);
    findings.push(...podTemplateFindings(own, PATH, RULE));
    return findings;
  };
