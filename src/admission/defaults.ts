// The defaulting webhook's patch: the difference between the object as sent and the same object
// defaulted by the domain function (src/api/defaulting.ts), as explicit `add` operations, and a
// `replace` for each shorthand made explicit (src/api/normalise.ts). Defaulting only fills in what is
// absent, so the patch never touches another value the user set, and applying the webhook to its own
// output yields no operation.
// The design it implements: docs/design.md §7.

import type { PatchOperation } from '../admission/request.js';
import { type ControllerConfig, defaulted, type RunKindName, specNormalisations } from '../api/index.js';
import { isPlainObject } from '../util/index.js';
import { type Finding, showValue, warning } from '../validation/index.js';
import { patchOps } from './patch.js';

/** The JSON Patch that defaults `object` (fields the schema does not declare are never added). */
export function defaultsPatch(
  kind: RunKindName,
  object: Record<string, unknown>,
  config: ControllerConfig,
): PatchOperation[] {
  const after = defaulted(kind, object, config);
  // The spec's defaults first, then labels and finalizer: the order kubectl users read them in.
  const ops = patchOps(object.spec, after.spec, '/spec');
  return patchOps(object.metadata, after.metadata, '/metadata', ops);
}

/**
 * What the user should know of the defaulting: a model alias names a model that changes over time, so
 * the id it was resolved to is said (kubectl prints it as a warning). `org/repo` is said by the
 * stored object itself.
 */
export function defaultingWarnings(
  kind: RunKindName,
  object: Record<string, unknown>,
  config: ControllerConfig,
): Finding[] {
  if (!isPlainObject(object.spec)) return [];
  return specNormalisations(kind, object.spec, config)
    .filter((n) => n.what === 'model-alias')
    .map((n) =>
      warning(
        'model-alias',
        `spec.${n.path.join('.')}`,
        `${showValue(n.from)} is an alias (modelAliases in the controller config): stored as ${showValue(n.to)}`,
      ),
    );
}
