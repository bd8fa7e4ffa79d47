// The deployment manifests as `kubectl apply -k` sees them: a kustomization rendered with the cluster's
// kubectl (kustomize built in), parsed into objects, and sent back to the apiserver.
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Cluster } from '../../../src/cluster/index.js';
import type { KubeObject } from '../../../src/runtime/index.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { type CommandResult, kubectl } from '../cluster/cluster.js';
import { scaled } from '../util/wait.js';

/** `kubectl kustomize dir`, parsed; throws with kubectl's stderr when the build fails. */
export async function kustomize(cluster: Cluster, dir: string): Promise<KubeObject[]> {
  const built = await kubectl(cluster, ['kustomize', dir]);
  if (built.code !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${built.stderr}`);
  return parseObjects(built.stdout);
}

/** The objects of a YAML stream (empty documents skipped). */
export const parseObjects = (stream: string): KubeObject[] =>
  parseAllDocuments(stream)
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);

/**
 * The CRDs of the kinds the install uses besides its own, established: the Prometheus Operator's and
 * cert-manager's from the stand-ins in test/fixtures/deploy.
 */
export async function installDeployFixtures(cluster: Cluster): Promise<void> {
  const dir = join(packageRoot(), 'test', 'fixtures', 'deploy');
  const applied = await kubectl(cluster, ['apply', '--server-side', '-f', dir]);
  if (applied.code !== 0) throw new Error(`applying ${dir}: ${applied.stderr}`);
  // kubectl's own limit before the harness kills it (at 150 s scaled), so that its error says what it waited for.
  const established = await kubectl(
    cluster,
    [
      'wait',
      '--for=condition=Established',
      `--timeout=${scaled(120)}s`,
      'crd',
      '-l',
      'orchestrator.io/test-fixture=true',
    ],
    undefined,
    150_000,
  );
  if (established.code !== 0) throw new Error(`the fixture CRDs: ${established.stderr}`);
}

/**
 * Server-side dry run of `objects`, after making the namespaces they name (a dry run of a Namespace
 * makes none, and namespaced objects are dry-run into theirs). Returns kubectl's answer and how many
 * objects the apiserver accepted.
 */
export async function dryRun(
  cluster: Cluster,
  objects: KubeObject[],
): Promise<CommandResult & { accepted: number }> {
  const named = new Set(objects.flatMap((o) => (o.metadata?.namespace ? [o.metadata.namespace] : [])));
  if (named.size) {
    const namespaces = [...named].map((name) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    }));
    const ns = await applyObjects(cluster, namespaces);
    if (ns.code !== 0) return { ...ns, accepted: 0 };
  }
  const result = await applyObjects(cluster, objects, { dryRun: true });
  const accepted = result.stdout.split('\n').filter((l) => l.endsWith('(server dry run)')).length;
  return { ...result, accepted };
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
