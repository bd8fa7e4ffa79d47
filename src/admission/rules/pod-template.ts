// A run's spec.podTemplate becomes fields of real pods (src/api/pod-template.ts): what the Job's pod
// would be refused for is refused here (src/validation/pod-template.ts), and so is what would widen
// where the pod may go beyond what the controller config lets runs choose (placement.ts).
import { type RunKindName, runPodTemplateOwn } from '../../api/index.js';
import { podTemplateFindings } from '../../validation/index.js';
import { field, type Rule } from './context.js';
import { placementFindings } from './placement.js';

const RULE = 'pod-template';
const PATH = 'spec.podTemplate';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

export const validPodTemplate =
  (kind: RunKindName): Rule<unknown> =>
  ({ object, oldObject, operation, config }) => {
    const spec = field(object, 'spec');
    if (!isRecord(spec)) return [];
    const own = runPodTemplateOwn(spec);
    if (!own) return [];
    const oldSpec = operation === 'UPDATE' ? field(oldObject, 'spec') : undefined;
    const old = isRecord(oldSpec) ? (runPodTemplateOwn(oldSpec) ?? {}) : undefined;
    const findings = placementFindings(kind, spec, own, old, config);
    findings.push(...podTemplateFindings(own, PATH, RULE));
    return findings;
  };
