// The cleanup finalizer's contract: a run carries it from its first reconcile; when the run is deleted,
// its Jobs (Background propagation: their pods go too) and ConfigMaps are deleted (those its uid
// controls, each guarded by its own uid: never another run's of the same name), and only then is the
// finalizer removed — with a JSON patch whose `test` op makes it fail if the finalizers changed
// meanwhile (another writer), in which case the next reconcile tries again. The workspace PVC is never
// deleted: it carries the agent's session from one run to the next. Every step is idempotent, so a
// restart in the middle converges.
// The design it implements: docs/design.md §6.1.
import { LABELS } from '../../api/index.js';
import { runLabelValue } from '../../naming/index.js';
import {
  type ApiRequester,
  CONFIGMAPS,
  isBadRequest,
  isConflict,
  isInvalid,
  isNotFound,
  JOBS,
  type KubeObject,
  type ResourceType,
  resourcePath,
} from '../../runtime/index.js';
import { deleteOwned } from './owned-objects.js';

export type FinalizerOutcome = 'done' | 'conflict';

export class RunFinalizer {
  constructor(
    private readonly client: ApiRequester,
    private readonly resource: ResourceType,
    readonly name: string,
  ) {}

  /**
   * Adds the finalizer to the run (the caller checked it is missing), and `also` in the same patch
   * (the run's trace context at its first reconcile).
   */
  add(run: KubeObject, signal: AbortSignal, also: object[] = []): Promise<FinalizerOutcome> {
    const current = run.metadata?.finalizers;
    const ops = current
      ? [
          { op: 'test', path: '/metadata/finalizers', value: current },
          { op: 'add', path: '/metadata/finalizers/-', value: this.name },
        ]
      : [
          { op: 'test', path: '/metadata/resourceVersion', value: run.metadata?.resourceVersion },
          { op: 'add', path: '/metadata/finalizers', value: [this.name] },
        ];
    return this.patch(run, [...ops, ...also], signal);
  }

  /**
   * Deletes the run's Jobs and ConfigMaps, then removes the finalizer. A cleanup the apiserver refuses
   * for a reason retrying cannot fix (400, 422: a request it will never accept) does not hold the
   * deletion: `gaveUp` says why (for an Event), the objects are left to the garbage collector through
   * their ownerReferences, and the finalizer goes.
   */
  async finalize(
    run: KubeObject,
    signal: AbortSignal,
  ): Promise<{ outcome: FinalizerOutcome; gaveUp?: string }> {
    const finalizers = run.metadata?.finalizers ?? [];
    const index = finalizers.indexOf(this.name);
    if (index < 0) return { outcome: 'done' };
    const namespace = run.metadata?.namespace ?? '';
    const selector = `${LABELS.run}=${runLabelValue(run.metadata?.name ?? '')}`;
    const uid = run.metadata?.uid;
    let gaveUp: string | undefined;
    for (const resource of [JOBS, CONFIGMAPS])
      try {
        await deleteOwned(this.client, resource, namespace, selector, uid, signal);
      } catch (err) {
        if (!isBadRequest(err) && !isInvalid(err)) throw err;
        gaveUp = `cleanup of the run's ${resource.plural} was refused (${(err as Error).message}); they are left to the garbage collector (their ownerReferences)`;
      }
    const ops = [
      { op: 'test', path: '/metadata/finalizers', value: finalizers },
      { op: 'remove', path: `/metadata/finalizers/${index}` },
    ];
    const outcome = await this.patch(run, ops, signal);
    return gaveUp && outcome === 'done' ? { outcome, gaveUp } : { outcome };
  }

  private async patch(run: KubeObject, ops: unknown[], signal: AbortSignal): Promise<FinalizerOutcome> {
    const path = resourcePath(this.resource, run.metadata?.namespace, run.metadata?.name);
    try {
      await this.client.request('PATCH', path, {
        body: ops,
        contentType: 'application/json-patch+json',
        signal,
        discardAnswer: true,
      });
      return 'done';
    } catch (err) {
      // A failed `test` is 422 (Invalid); the object gone is 404: either way the cache will tell us more.
      if (isInvalid(err) || isConflict(err)) return 'conflict';
      if (isNotFound(err)) return 'done';
      throw err;
    }
  }
}
