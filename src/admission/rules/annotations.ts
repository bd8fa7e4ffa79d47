// A run's podAnnotations become annotations of real pods: every key must be a qualified name, and all
// of them together fit the apiserver's limit on a pod's annotations, so that a Job is never refused
// for them after the run was admitted.
import { qualifiedNameProblem } from '../../naming/names.js';
import { error, showValue } from '../../validation/finding.js';
import { field, type Rule } from './context.js';

/** The apiserver's limit on the total size of an object's annotations (keys and values). */
export const ANNOTATIONS_LIMIT_BYTES = 256 * 1024;

export const validPodAnnotations =
  (path: string): Rule<unknown> =>
  ({ object }) => {
    const annotations = field(object, path);
    if (annotations === null || typeof annotations !== 'object' || Array.isArray(annotations)) return [];
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
