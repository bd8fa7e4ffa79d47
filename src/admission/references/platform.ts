// The reference rows of what the platform chooses for a run's pod unless its submitter may choose
// (docs/security.md "Images, placement and size"): the image the pod runs, which would receive the
// run's GitHub token and Secrets, and the PriorityClass it is scheduled with, which may preempt others.
// An image the agent profile names, or one a pattern of the config allows (agents.<name>.allowedImages,
// job.allowedImages), needs no grant; a priorityClassName must also be one job.runPodTemplate lists
// (src/admission/rules/placement.ts), and the config's own needs nothing.
import {
  type ControllerConfig,
  configPodValue,
  type RunKindName,
  runAgent,
  runPodTemplateOwn,
  runProfile,
} from '../../api/index.js';

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

type Run = { kind: RunKindName; spec: Record<string, unknown>; config: ControllerConfig };
type Named = { path: string; name: string }[];

/** spec.image, unless it is the agent profile's or a pattern of the config allows it. */
export function namedImage({ kind, spec, config }: Run): Named {
  const image = typeof spec.image === 'string' && spec.image !== '' ? spec.image : undefined;
  if (!image) return [];
  const profile = runProfile(kind, spec, config, runAgent(kind, spec, config));
  if (image === profile?.image) return [];
  if (imageMatches(image, [...(profile?.allowedImages ?? []), ...config.job.allowedImages])) return [];
  return [{ path: 'spec.image', name: image }];
}

/** spec.podTemplate.priorityClassName, unless it is the one the config gives the run's pods anyway. */
export function namedPriorityClass({ kind, spec, config }: Run): Named {
  const name = runPodTemplateOwn(spec)?.priorityClassName;
  if (typeof name !== 'string' || name === '') return [];
  return name === configPodValue(kind, spec, config, 'priorityClassName')
    ? []
    : [{ path: 'spec.podTemplate.priorityClassName', name }];
}
