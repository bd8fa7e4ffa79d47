// Where a run's pod may go is the platform's (docs/security.md "Images, placement and size"): a run's
// spec.podTemplate may not widen it unless the controller config opens the field (job.runPodTemplate,
// per field and value); job.lockedPodFields closes a field even so. A nodeSelector key the config or
// the profile sets stays theirs; a toleration without a key (tolerate every taint) needs tolerateAll;
// a priorityClassName also needs the submitter's `use` of it (the reference table asks RBAC). On UPDATE
// a value the stored run already had is not judged again: a run stored before the config closed it
// may still be updated (its finalizer removed), and its Jobs take the config's value for a closed field.
import { isDeepStrictEqual } from 'node:util';
import {
  type ControllerConfig,
  closedPodFields,
  configPodValue,
  type PodTemplateField,
  type RunKindName,
} from '../../api/index.js';
import { isPlainObject } from '../../util/index.js';
import { error, type Finding, showValue } from '../../validation/index.js';

const RULE = 'placement';
const LOCKED_RULE = 'pod-template';
const PATH = 'spec.podTemplate';
const OPEN = 'job.runPodTemplate';

type Obj = Record<string, unknown>;

/** The config key that opens each field to runs. */
const OPENED_BY: Record<PodTemplateField, string> = {
  nodeSelector: `${OPEN}.nodeSelectorKeys`,
  tolerations: `${OPEN}.tolerationKeys (or ${OPEN}.tolerateAll)`,
  affinity: `${OPEN}.affinity: true`,
  priorityClassName: `${OPEN}.priorityClassNames`,
  runtimeClassName: `${OPEN}.runtimeClassNames`,
};

interface FieldInput {
  kind: RunKindName;
  spec: Obj;
  config: ControllerConfig;
  value: unknown;
  /** The stored run's value of the field (UPDATE), to leave what it already had. */
  old: unknown;
}

const says = (configured: unknown) =>
  configured === undefined ? 'leaves it unset' : `sets ${showValue(configured)}`;

/** A field no config key opens to runs (or one job.lockedPodFields locks). */
function closedFinding(name: PodTemplateField, input: FieldInput): Finding {
  const configured = configPodValue(input.kind, input.spec, input.config, name);
  const locked = input.config.job.lockedPodFields;
  if (locked.includes(name))
    return error(
      LOCKED_RULE,
      `${PATH}.${name}`,
      `Forbidden: the controller config locks this field (job.lockedPodFields: ${locked.join(', ')}) and ${says(configured)} for this run's agent; remove it from the run`,
    );
  return error(
    RULE,
    `${PATH}.${name}`,
    `Forbidden: where the agent's pod runs is the platform's: the controller config lets runs set no ${name} (${OPENED_BY[name]} would allow it) and ${says(configured)} for this run's agent; remove it from the run`,
  );
}

function nodeSelectorFindings(input: FieldInput): Finding[] {
  if (!isPlainObject(input.value)) return [];
  const configured = configPodValue(input.kind, input.spec, input.config, 'nodeSelector');
  const theirs = isPlainObject(configured) ? configured : {};
  const old = isPlainObject(input.old) ? input.old : {};
  const keys = input.config.job.runPodTemplate.nodeSelectorKeys;
  return Object.entries(input.value).flatMap(([key, value]) => {
    if (old[key] === value || theirs[key] === value) return [];
    const path = `${PATH}.nodeSelector[${showValue(key)}]`;
    if (key in theirs)
      return [
        error(
          RULE,
          path,
          `Forbidden: the controller config or the agent profile sets this node label to ${showValue(theirs[key])}; a run may not change it`,
        ),
      ];
    if (keys.includes(key)) return [];
    return [
      error(
        RULE,
        path,
        `Forbidden: a run may not choose nodes by this label: not in ${OPEN}.nodeSelectorKeys (${keys.join(', ')}), which would allow it`,
      ),
    ];
  });
}

function tolerationFindings(input: FieldInput): Finding[] {
  if (!Array.isArray(input.value)) return [];
  const open = input.config.job.runPodTemplate;
  const configured = configPodValue(input.kind, input.spec, input.config, 'tolerations');
  // Tolerations the run already had, or the config gives its pods anyway, widen nothing.
  const known = [
    ...(Array.isArray(input.old) ? input.old : []),
    ...(Array.isArray(configured) ? configured : []),
  ];
  return input.value.flatMap((toleration, i) => {
    if (!isPlainObject(toleration) || known.some((k) => isDeepStrictEqual(k, toleration))) return [];
    const path = `${PATH}.tolerations[${i}]`;
    const key = typeof toleration.key === 'string' ? toleration.key : '';
    if (key === '')
      return open.tolerateAll
        ? []
        : [
            error(
              RULE,
              path,
              `Forbidden: a toleration without a key tolerates every taint (the control plane's, every dedicated pool's); ${OPEN}.tolerateAll: true would allow it`,
            ),
          ];
    if (open.tolerationKeys.includes(key)) return [];
    return [
      error(
        RULE,
        `${path}.key`,
        `Forbidden: a run may not tolerate taint ${showValue(key)}: not in ${OPEN}.tolerationKeys (${open.tolerationKeys.join(', ')}), which would allow it`,
      ),
    ];
  });
}

/** A class name (priority, runtime) from the config's list, or the one the config sets anyway. */
function classFinding(name: 'priorityClassName' | 'runtimeClassName', input: FieldInput): Finding[] {
  const { value } = input;
  if (typeof value !== 'string' || value === input.old) return [];
  if (value === configPodValue(input.kind, input.spec, input.config, name)) return [];
  const open = input.config.job.runPodTemplate;
  const list = name === 'priorityClassName' ? open.priorityClassNames : open.runtimeClassNames;
  if (list.includes(value)) return [];
  const also =
    name === 'priorityClassName'
      ? `, and its submitter must also be allowed to use priorityclasses ${showValue(value)} (API group scheduling.k8s.io)`
      : '';
  return [
    error(
      RULE,
      `${PATH}.${name}`,
      `Forbidden: ${showValue(value)} is not one of ${OPENED_BY[name]} (${list.join(', ')}), which would allow it${also}`,
    ),
  ];
}

const JUDGE: Record<PodTemplateField, (input: FieldInput) => Finding[]> = {
  nodeSelector: nodeSelectorFindings,
  tolerations: tolerationFindings,
  affinity: () => [],
  priorityClassName: (input) => classFinding('priorityClassName', input),
  runtimeClassName: (input) => classFinding('runtimeClassName', input),
};

/** What the run's own podTemplate sets beyond what the config lets runs set. */
export function placementFindings(
  kind: RunKindName,
  spec: Obj,
  own: Obj,
  old: Obj | undefined,
  config: ControllerConfig,
): Finding[] {
  const closed = new Set(closedPodFields(config));
  return (Object.keys(JUDGE) as PodTemplateField[]).flatMap((name) => {
    const value = own[name];
    if (value === undefined || value === null || (old && isDeepStrictEqual(value, old[name]))) return [];
    const input = { kind, spec, config, value, old: old?.[name] };
    return closed.has(name) ? [closedFinding(name, input)] : JUDGE[name](input);
  });
}
