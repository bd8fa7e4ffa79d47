// The agent profiles' images, where the cluster can tell: the nodes' status.images lists what each
// kubelet holds. An image on a node was pullable; one on none, with imagePullPolicy Never, fails every
// pod (ErrImageNeverPull); one on none otherwise is pulled by the first run, and whether the name
// resolves is known only then, so the finding says how to try it now. Registry credentials are not
// read: a pull is the only honest test of them.
import { isForbidden, type KubeObject } from '../runtime/index.js';
import { type DoctorCheck, type DoctorFinding, ok, problem } from './check.js';

const NAME = 'agent-image';

interface NodeImages {
  node: string;
  names: Set<string>;
}

/** A reference as kubelets list it: a bare `name[:tag]` is Docker Hub's `docker.io/library/name`. */
export function imageNames(image: string): string[] {
  const first = image.split('/')[0] ?? '';
  const hasRegistry =
    image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return [image];
  return [image, image.includes('/') ? `docker.io/${image}` : `docker.io/library/${image}`];
}

/** Each image the profiles name, with the profiles and whether any of them never pulls. */
function profileImages(agents: Record<string, { image?: string; imagePullPolicy?: string }>) {
  const images = new Map<string, { profiles: string[]; never: boolean }>();
  for (const [profile, p] of Object.entries(agents)) {
    if (!p.image) continue;
    const entry = images.get(p.image) ?? { profiles: [], never: false };
    entry.profiles.push(profile);
    entry.never ||= p.imagePullPolicy === 'Never';
    images.set(p.image, entry);
  }
  return images;
}

export const agentImageCheck: DoctorCheck = {
  name: NAME,
  description: "the agent profiles' images on the nodes (status.images), or how to try the pull",
  async run(ctx) {
    let nodes: NodeImages[];
    try {
      const list = await ctx.client.request<{ items?: KubeObject[] }>('GET', '/api/v1/nodes', {
        query: { limit: 500 },
      });
      nodes = (list.items ?? []).map((n) => {
        const status = n.status as { images?: { names?: string[] }[] } | undefined;
        return {
          node: n.metadata?.name ?? '',
          names: new Set((status?.images ?? []).flatMap((i) => i.names ?? [])),
        };
      });
    } catch (err) {
      // A starting manager may not list nodes (config/rbac grants it none): not its question.
      if (isForbidden(err) && ctx.atStart) return [];
      throw err;
    }
    const findings: DoctorFinding[] = [];
    for (const [image, { profiles, never }] of profileImages(ctx.config.agents)) {
      const names = imageNames(image);
      const on = nodes.filter((n) => names.some((name) => n.names.has(name))).map((n) => n.node);
      const who = `agents ${profiles.join(', ')}`;
      if (on.length)
        findings.push(
          ok(
            NAME,
            `${image} (${who}) is on node ${on[0]}${on.length > 1 ? ` and ${on.length - 1} more` : ''}`,
          ),
        );
      else if (never)
        findings.push(
          problem(
            NAME,
            'error',
            `${image} (${who}, imagePullPolicy Never) is on no node: their pods fail with ErrImageNeverPull`,
            `load it onto the nodes (kind: kind load docker-image ${image}), or set agents.<name>.imagePullPolicy: IfNotPresent and push it`,
          ),
        );
      else if (!ctx.atStart)
        findings.push(
          problem(
            NAME,
            'warning',
            `${image} (${who}) is on no node yet: the first run's pod pulls it, and a name the nodes cannot pull shows then as ErrImagePull`,
            `kubectl run orchestrator-image-check --image=${image} --restart=Never --rm -i --command -- true (pulls it now)`,
          ),
        );
    }
    return findings;
  },
};
