// Deletes the runtime ConfigMaps of earlier templates (docs/design.md §2.3) once nothing uses them: no
// cached Job mounts one and no attempt's ConfigMap, whose Job is yet to be made, names it. The current
// version stays in every namespace that has had a run (it is small, and the next run needs it). Woken
// by a runtime ConfigMap's own events and by the deletion of a Job or ConfigMap that used an earlier
// version; the current one is looked at again now and then, since a template reload makes it earlier.
// Deleted only if its data hashes to its name: a ConfigMap merely labelled like one is not ours.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { LABELS } from '../api/index.js';
import { RUNTIME_CONFIGMAP_PREFIX, runtimeName, type TemplateSet } from '../render/index.js';
import {
  type ApiRequester,
  CONFIGMAPS,
  Controller,
  type EventMapper,
  type EventSource,
  isNotFound,
  type KubeObject,
  type ReadOnlyStore,
  type ReconcileContext,
  type Reconciler,
  type Request,
  type Result,
  resourcePath,
} from '../runtime/index.js';
import { filtered, never } from './event-filters.js';
import { deleteExactly } from './reconcile/owned-objects.js';

/** How often the current version is looked at again (a template reload makes it an earlier one). */
export const CURRENT_RECHECK_MS = 10 * 60_000;

const runtimeOf = (obj: KubeObject): string | undefined => obj.metadata?.labels?.[LABELS.runtime];

/** Whether `obj` is a runtime ConfigMap: its label names itself. */
export const isRuntimeConfigMap = (obj: KubeObject): boolean =>
  !!obj.metadata?.name?.startsWith(RUNTIME_CONFIGMAP_PREFIX) && runtimeOf(obj) === obj.metadata.name;

export interface RuntimeSweeperOptions {
  client: ApiRequester;
  /** The ConfigMaps (ours, metadata only) and Jobs (ours) of the runs. */
  configMaps: ReadOnlyStore;
  jobs: ReadOnlyStore;
  templates: () => TemplateSet;
}

export class RuntimeSweeper implements Reconciler {
  constructor(private readonly opts: RuntimeSweeperOptions) {}

  async reconcile(
    { namespace, name }: Request,
    { signal, logger }: ReconcileContext,
  ): Promise<Result | undefined> {
    const { configMaps, jobs, templates, client } = this.opts;
    const found = configMaps.get(namespace, name);
    if (!found || !isRuntimeConfigMap(found)) return undefined;
    if (name === templates().runtime.name) return { requeueAfter: CURRENT_RECHECK_MS };
    const uses = (obj: KubeObject) => obj !== found && runtimeOf(obj) === name;
    // A user's deletion of the last one brings this back (the watches below).
    if (jobs.list(namespace).some(uses) || configMaps.list(namespace).some(uses)) return undefined;
    // Its labels anyone may set: only one whose data hashes to its name is a runtime, so ours to delete.
    let stored: KubeObject & { data?: Record<string, unknown>; immutable?: boolean };
    try {
      stored = await client.request('GET', resourcePath(CONFIGMAPS, namespace, name), { signal });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    if (stored.immutable !== true || runtimeName(stored.data ?? {}) !== name) {
      logger.info(
        { namespace, configMap: name },
        'left alone: labelled as a runtime, but its data is not one',
      );
      return undefined;
    }
    if (await deleteExactly(client, CONFIGMAPS, stored, signal))
      logger.info({ namespace, configMap: name }, 'runtime ConfigMap of earlier templates deleted');
    return undefined;
  }
}

/** A runtime ConfigMap wakes its own sweep; a Job or attempt's ConfigMap gone wakes its runtime's. */
export function runtimeSweeperController(
  opts: RuntimeSweeperOptions & {
    configMapEvents: EventSource;
    jobEvents: EventSource;
    registry: Registry;
    logger: Logger;
  },
): Controller {
  const own: EventMapper = (obj) =>
    isRuntimeConfigMap(obj) ? [{ namespace: obj.metadata?.namespace ?? '', name: runtimeOf(obj) ?? '' }] : [];
  const user: EventMapper = (obj) => {
    const name = runtimeOf(obj);
    if (!name || isRuntimeConfigMap(obj) || name === opts.templates().runtime.name) return [];
    return [{ namespace: obj.metadata?.namespace ?? '', name }];
  };
  const gone = { add: never, update: never };
  return new Controller({
    name: 'runtime-sweeper',
    reconciler: new RuntimeSweeper(opts),
    registry: opts.registry,
    logger: opts.logger,
  })
    .watch(opts.configMapEvents, own)
    .watch(filtered(opts.configMapEvents, gone), user)
    .watch(filtered(opts.jobEvents, gone), user);
}
