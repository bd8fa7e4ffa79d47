// The deployment manifests as `kubectl apply -k` sees them: a kustomization rendered with the cluster's
// kubectl (kustomize built in), parsed into objects, and sent back to the apiserver.
import { parseAllDocuments } from 'yaml';
import type { Cluster } from '../../src/cluster/index.js';
import type { KubeObject } from '../../src/runtime/index.js';
import { type CommandResult, kubectl } from './cluster.js';

/** `kubectl kustomize dir`, parsed; throws with kubectl's stderr when the build fails. */
export async function kustomize(cluster: Cluster, dir: string): Promise<KubeObject[]> {
  const built = await kubectl(cluster, ['kustomize', dir]);
  if (built.code !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${built.stderr}`);
  return parseAllDocuments(built.stdout).map((doc) => doc.toJS() as KubeObject);
}

/** Server-side apply of `objects` (as one YAML stream), for real or with `--dry-run=server`. */
export function applyObjects(
  cluster: Cluster,
  objects: KubeObject[],
  opts: { dryRun?: boolean } = {},
): Promise<CommandResult> {
  const stream = objects.map((o) => JSON.stringify(o)).join('\n---\n');
  return kubectl(
    cluster,
    [
      'apply',
      '--server-side',
      '--force-conflicts',
      '--field-manager=orchestrator-test',
      ...(opts.dryRun ? ['--dry-run=server'] : []),
      '-f',
      '-',
    ],
    stream,
  );
}

/** The objects of `kind` (and `name`, if given). */
export const ofKind = (objects: KubeObject[], kind: string, name?: string): KubeObject[] =>
  objects.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));

/** The one object of `kind` (and `name`); throws naming what is missing or ambiguous. */
export function one(objects: KubeObject[], kind: string, name?: string): KubeObject {
  const found = ofKind(objects, kind, name);
  if (found.length !== 1)
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0] as KubeObject;
}
