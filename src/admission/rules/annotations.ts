// A run's podAnnotations become annotations of real pods: every key must be a qualified name, all of
// them together fit the apiserver's limit on a pod's annotations (so that a Job is never refused for
// them after the run was admitted), and every key is one the platform team allows (config
// job.allowedPodAnnotations): an annotation can loosen the pod's isolation (an AppArmor profile) or
// bring it what a mesh or cloud agent grants, which whoever may create a run must not choose
// (docs/security.md).
import type { ControllerConfig } from '../../api/index.js';
import { qualifiedNameProblem } from '../../naming/index.js';
import { error, type Finding, showValue } from '../../validation/index.js';
import { field, type Rule } from './context.js';

/** The apiserver's limit on the total size of an object's annotations (keys and values). */
export const ANNOTATIONS_LIMIT_BYTES = 256 * 1024;

const mapAt = (object: unknown, path: string): Record<string, unknown> | undefined => {
  const value = field(object, path);
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
};

export const validPodAnnotations =
  (path: string): Rule<unknown> =>
  ({ object }) => {
    const annotations = mapAt(object, path);
    if (!annotations) return [];
    const findings = [];
    let bytes = 0;
    for (const [key, value] of Object.entries(annotations)) {
      bytes += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
      const problem = qualifiedNameProblem(key);
      if (problem)
        findings.push(
          error(
            'pod-annotations',
            `${path}[${showValue(key)}]`,
            `Invalid value: ${showValue(key)}: ${problem}`,
          ),
        );
    }
    if (bytes > ANNOTATIONS_LIMIT_BYTES)
      findings.push(
        error(
          'pod-annotations',
          path,
          `Too long: must have at most ${ANNOTATIONS_LIMIT_BYTES} bytes (keys and values), has ${bytes}: the apiserver refuses pods with more; shorten or drop some`,
        ),
      );
    return findings;
  };

/** Whether the config's allowlist admits `key`: an entry ending in '/' is a prefix, any other the key. */
export function annotationAllowed(key: string, config: ControllerConfig): boolean {
  return (config.job.allowedPodAnnotations ?? []).some((entry) =>
    entry.endsWith('/') ? key.startsWith(entry) : key === entry,
  );
}

/**
 * Every key the allowlist admits. On UPDATE only keys added or given another value are judged, so a
 * run admitted before the allowlist shrank can still be changed otherwise.
 */
export const allowedPodAnnotations =
  (path: string): Rule<unknown> =>
  ({ object, oldObject, config }) => {
    const annotations = mapAt(object, path);
    if (!annotations) return [];
    const before = mapAt(oldObject, path) ?? {};
    const findings: Finding[] = [];
    for (const [key, value] of Object.entries(annotations)) {
      if (annotationAllowed(key, config) || (Object.hasOwn(before, key) && before[key] === value)) continue;
      const allowed = config.job.allowedPodAnnotations ?? [];
      findings.push(
        error(
          'pod-annotations-allowed',
          `${path}[${showValue(key)}]`,
          `Forbidden: ${showValue(key)} is not an annotation runs may set: the controller config's job.allowedPodAnnotations allows ${allowed.length ? allowed.map((a) => showValue(a)).join(', ') : 'none'} (an entry ending in "/" allows that prefix); ask the platform team to add it`,
        ),
      );
    }
    return findings;
  };
