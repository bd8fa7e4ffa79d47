// The reference rows of what the platform chooses for a run's pod unless its submitter may choose
// (docs/security.md "Images, placement and size"): the image the pod runs, which would receive the
// run's GitHub token and Secrets, and the PriorityClass it is scheduled with, which may preempt others.
// An image the agent profile names, or one a pattern of the config allows (agents.<name>.allowedImages,
// job.allowedImages), needs no grant; a priorityClassName must also be one job.runPodTemplate lists
// (src/admission/rules/placement.ts), and the config's own needs nothing.
import { configPodValue, GROUP, runAgent, runPodTemplateOwn, runProfile } from '../../api/index.js';
import type { Named, Reference, RunView } from './row.js';

/**
 * An image reference without its tag and digest (`ghcr.io/acme/agent:1.2@sha256:…` → `ghcr.io/acme/agent`):
 * a grant of that name allows every tag. A `:` before the last `/` is a registry's port, not a tag.
 */
export function imageRepository(image: string): string {
  const at = image.indexOf('@');
  const named = at === -1 ? image : image.slice(0, at);
  const colon = named.lastIndexOf(':');
  return colon > named.lastIndexOf('/') ? named.slice(0, colon) : named;
}

/** Whether a pattern allows the image: the reference as written, or a prefix when it ends in `*`. */
export function imageMatches(image: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.endsWith('*') ? image.startsWith(p.slice(0, -1)) : image === p));
}

/** spec.image, unless it is the agent profile's or a pattern of the config allows it. */
export function namedImage({ kind, spec, config }: RunView): Named[] {
  const image = typeof spec.image === 'string' && spec.image !== '' ? spec.image : undefined;
  if (!image) return [];
  const profile = runProfile(kind, spec, config, runAgent(kind, spec, config));
  if (image === profile?.image) return [];
  if (imageMatches(image, [...(profile?.allowedImages ?? []), ...config.job.allowedImages])) return [];
  return [{ path: 'spec.image', name: image }];
}

/** spec.podTemplate.priorityClassName, unless it is the one the config gives the run's pods anyway. */
export function namedPriorityClass({ kind, spec, config }: RunView): Named[] {
  const name = runPodTemplateOwn(spec)?.priorityClassName;
  if (typeof name !== 'string' || name === '') return [];
  return name === configPodValue(kind, spec, config, 'priorityClassName')
    ? []
    : [{ path: 'spec.podTemplate.priorityClassName', name }];
}

export const IMAGE_REFERENCE: Reference = {
  field: 'spec.image',
  group: GROUP,
  resource: 'images',
  // A grant of the reference as written, or of its repository (every tag and digest).
  anyOf: [{ verb: 'use' }, { verb: 'use', name: imageRepository }],
  use: "the agent's pod would run this image instead of its agent profile's, with the run's GitHub token and Secrets; a pattern in the controller config's agents.<agent>.allowedImages or job.allowedImages would allow it for every submitter",
  named: namedImage,
};

export const PRIORITY_CLASS_REFERENCE: Reference = {
  field: 'spec.podTemplate.priorityClassName',
  group: 'scheduling.k8s.io',
  resource: 'priorityclasses',
  clusterScoped: true,
  anyOf: [{ verb: 'use' }],
  use: "the agent's pod would be scheduled with this priority, before (and preempting) pods of lower priority",
  named: namedPriorityClass,
};
