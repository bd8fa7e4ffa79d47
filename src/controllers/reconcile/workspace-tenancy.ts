// Whose a workspace volume is. The operator records on each workspace claim it creates the submitter of
// the run that made it (orchestrator.io/submitted-by); a run of another submitter that would join it
// under the conventional name (`workspace-{service}`, the default the run got, which admission's
// reference check does not ask about) does not start: the volume holds the first submitter's checkout,
// git state and agent memory, and what their agent left there. A run that names the claim itself
// (spec.workspace.pvcName not its default) was authorised by admission (the submitter may `get` it) and
// joins. The trust decision: docs/security.md, "Workspaces and submitters".
import { ANNOTATIONS, type RunKindName, type RunOf, specDefaults } from '../../api/index.js';
import type { KubeObject } from '../../runtime/index.js';

/** The submitter a run or claim records; undefined when none (a run stored without the webhooks). */
export const submitterOf = (obj: KubeObject | undefined): string | undefined =>
  obj?.metadata?.annotations?.[ANNOTATIONS.submittedBy] || undefined;

/**
 * Why the run may not use `claim` (its cached workspace claim), or undefined when it may: the claim
 * records no submitter (made before they were recorded, or not by a run), records the run's own, or
 * the run named it explicitly.
 */
export function foreignWorkspace<K extends RunKindName>(
  kind: K,
  run: RunOf<K>,
  claim: KubeObject | undefined,
  config: Parameters<typeof specDefaults>[2],
): string | undefined {
  const owner = submitterOf(claim);
  const submitter = submitterOf(run as KubeObject);
  if (owner === undefined || owner === submitter) return undefined;
  const name = run.spec.workspace?.pvcName;
  const spec = run.spec as Record<string, unknown>;
  const conventional = (specDefaults(kind, spec, config).workspace as { pvcName?: string }).pvcName;
  if (name !== conventional) return undefined;
  const who = submitter === undefined ? 'a run with no recorded submitter' : `${submitter}'s run`;
  return (
    `PersistentVolumeClaim ${name} was created for the runs of ${owner}, and ${who} would share its ` +
    `checkout, git state and agent memory; set spec.workspace.pvcName to a workspace of your own ` +
    `(e.g. ${name}-${(submitter ?? 'mine')
      .replace(/[^a-z0-9-]/gi, '-')
      .toLowerCase()
      .slice(0, 20)}); a run cannot join another submitter's workspace under its own default name, since ` +
    `naming the default cannot be told from getting it`
  );
}
