// What the apiserver would refuse in a pod's scheduling fields (schemas/shared/pod-template.yaml) beyond
// their schema: label keys (map keys, which a CRD schema cannot constrain) and the tolerations'
// key/operator/value combinations. Judged where a podTemplate enters: a run at admission
// (src/admission/rules/pod-template.ts) and the controller config when it loads, so that a Job is never
// refused for them after the fact.
import { qualifiedNameProblem } from '../naming/index.js';
import { error, type Finding, showValue } from './finding.js';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** Invalid label keys of a map (nodeSelector, matchLabels). */
function labelKeyFindings(map: unknown, path: string, rule: string): Finding[] {
  if (!isRecord(map)) return [];
  return Object.keys(map).flatMap((key) => {
    const problem = qualifiedNameProblem(key);
    return problem
      ? [
          error(
            rule,
            `${path}[${showValue(key)}]`,
            `Invalid value: ${showValue(key)}: a label key: ${problem}`,
          ),
        ]
      : [];
  });
}

/** What the apiserver's pod validation would refuse in a toleration, or undefined. */
function tolerationProblem(toleration: Record<string, unknown>): [string, string] | undefined {
  const { key, operator, value, effect, tolerationSeconds } = toleration;
  if (operator === 'Exists' && typeof value === 'string' && value !== '')
    return ['value', 'must be empty when operator is Exists'];
  if ((key === undefined || key === '') && operator !== 'Exists')
    return ['operator', 'must be Exists when key is empty (a toleration of every taint)'];
  if (typeof key === 'string' && key !== '') {
    const problem = qualifiedNameProblem(key);
    if (problem) return ['key', `a label key: ${problem}`];
  }
  if (tolerationSeconds !== undefined && effect !== 'NoExecute')
    return ['effect', 'must be NoExecute when tolerationSeconds is set'];
  return undefined;
}

/** Every `matchLabels` map below the affinity, with its path. */
function* matchLabelMaps(node: unknown, path: string): Generator<[unknown, string]> {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) yield* matchLabelMaps(item, `${path}[${i}]`);
    return;
  }
  if (!isRecord(node)) return;
  for (const [key, child] of Object.entries(node)) {
    if (key === 'matchLabels') yield [child, `${path}.matchLabels`];
    else yield* matchLabelMaps(child, `${path}.${key}`);
  }
}

/** Every problem of a podTemplate at `path` (e.g. `spec.podTemplate`, `agents.rex.podTemplate`). */
export function podTemplateFindings(template: unknown, path: string, rule: string): Finding[] {
  if (!isRecord(template)) return [];
  const findings = labelKeyFindings(template.nodeSelector, `${path}.nodeSelector`, rule);
  for (const [map, at] of matchLabelMaps(template.affinity, `${path}.affinity`))
    findings.push(...labelKeyFindings(map, at, rule));
  for (const [i, toleration] of (Array.isArray(template.tolerations) ? template.tolerations : []).entries()) {
    const problem = isRecord(toleration) ? tolerationProblem(toleration) : undefined;
    if (problem)
      findings.push(error(rule, `${path}.tolerations[${i}].${problem[0]}`, `Invalid value: ${problem[1]}`));
  }
  return findings;
}
