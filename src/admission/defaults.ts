// The defaulting webhook's patch: the difference between the object as sent and the same object
// defaulted by the domain function (src/api/defaulting.ts), as explicit `add` operations. Defaulting
// only fills in what is absent, so the patch never touches a value the user set, and applying the
// webhook to its own output yields no operation.
// The design it implements: docs/design.md §7.
import { type ControllerConfig, defaulted, type RunKindName } from '../api/index.js';
import { additions } from './patch.js';
import type { PatchOperation } from './review.js';

/** The JSON Patch that defaults `object` (fields the schema does not declare are never added). */
export function defaultsPatch(
  kind: RunKindName,
  object: Record<string, unknown>,
  config: ControllerConfig,
): PatchOperation[] {
  const after = defaulted(kind, object, config);
  // The spec's defaults first, then labels and finalizer: the order kubectl users read them in.
  const ops = additions(object.spec, after.spec, '/spec');
  return additions(object.metadata, after.metadata, '/metadata', ops);
}
