// The run's orchestrator.io/submitted-by annotation, made unforgeable by the mutating webhook: on
// CREATE it is the requester as the apiserver authenticated them, unless the requester is trusted to
// state it (the manager's own identity, creating runs for the REST API's callers); on UPDATE it keeps
// the stored value whoever asks. The design it implements: docs/design.md §7.

import type { AdmissionRequest, PatchOperation } from '../admission/request.js';
import { ANNOTATIONS } from '../api/index.js';
import { isPlainObject } from '../util/index.js';
import { escapePointer } from './patch.js';

const KEY = ANNOTATIONS.submittedBy;

const annotationsOf = (object: unknown): Record<string, unknown> | undefined => {
  const metadata = isPlainObject(object) ? object.metadata : undefined;
  const annotations = isPlainObject(metadata) ? metadata.annotations : undefined;
  return isPlainObject(annotations) ? annotations : undefined;
};

/** The run's recorded submitter (its submitted-by annotation); undefined when it has none. */
export function submitterOf(object: unknown): string | undefined {
  const value = annotationsOf(object)?.[KEY];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** What the annotation must be after admission; undefined: absent. */
export function submittedBy(request: AdmissionRequest, trusted: ReadonlySet<string>): string | undefined {
  const stated = annotationsOf(request.object)?.[KEY];
  if (request.operation === 'UPDATE') {
    const stored = annotationsOf(request.oldObject)?.[KEY];
    return typeof stored === 'string' ? stored : undefined;
  }
  const username = request.userInfo?.username ?? '';
  if (trusted.has(username) && typeof stated === 'string' && stated !== '') return stated;
  return username || undefined;
}

/** The JSON Patch operations that make the annotation what `submittedBy` says (none when it already is). */
export function submitterPatch(request: AdmissionRequest, trusted: ReadonlySet<string>): PatchOperation[] {
  // No metadata object: nothing to annotate (the apiserver refuses such an object anyway).
  if (!isPlainObject(request.object?.metadata)) return [];
  const want = submittedBy(request, trusted);
  const annotations = annotationsOf(request.object);
  const have = annotations?.[KEY];
  if (have === want) return [];
  const path = `/metadata/annotations/${escapePointer(KEY)}`;
  if (want === undefined) return [{ op: 'remove', path }];
  if (!annotations) return [{ op: 'add', path: '/metadata/annotations', value: { [KEY]: want } }];
  return [{ op: have === undefined ? 'add' : 'replace', path, value: want }];
}
