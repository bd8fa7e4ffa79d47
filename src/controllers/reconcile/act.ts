// Step three of a reconcile: the plan's actions carried out, in order, in this one place. Every write
// is guarded (a uid precondition, a resourceVersion, a JSON-patch `test`), so a stale read makes a
// write fail rather than overwrite: the plan then stops and the run is looked at again.
// The design it implements: docs/design.md §4, §6.1.
import type { Logger } from 'pino';
import {
  API_VERSION,
  agentShellOf,
  type ControllerConfig,
  type ResolvedRun,
  type RunKindName,
  type RunOf,
  type RunStatus,
} from '../../api/index.js';
import {
  type ApiRequester,
  CONFIGMAPS,
  isConflict,
  isNotFound,
  JOBS,
  type KubeObject,
  PVCS,
  type ResourceType,
  type Result,
  resourcePath,
} from '../../runtime/index.js';
import type { Capacity } from '../capacity/index.js';
import type { RunRecorder } from '../metrics/index.js';
import { FAILURE_ANNOTATION, type FailureCause } from '../pods/index.js';
import type { Seal } from '../provenance/index.js';
import type { AgentShellConfigMaps } from './agent-shell-configmaps.js';
import { type Action, CONFLICT_REQUEUE_MS, type Plan } from './decide.js';
import { recordEvent } from './events.js';
import { RunFinalizer } from './finalizer.js';
import { createIfMissing, createOrAdopt, deleteExactly } from './owned-objects.js';

export interface ActorOptions {
  client: ApiRequester;
  resource: ResourceType;
  kind: RunKindName;
  finalizer: string;
  capacity: Capacity;
  /** The agent-shell ConfigMaps known to be ours, shared with the reader. */
  agentShells: AgentShellConfigMaps;
  metrics?: RunRecorder;
  /** Seals the attempt's ConfigMap and Job as the operator's (provenance/). */
  seal: Seal;
}

/** How a plan ended: done (with when to look again), or stopped by a name someone else holds. */
export type Acted =
  | { result: Result | undefined; conflict?: undefined }
  | { conflict: { object: 'ConfigMap' | 'Job'; message: string }; result?: undefined };

/** What an action needs of the reconcile it belongs to. */
export interface ActContext {
  run: RunOf<RunKindName>;
  signal: AbortSignal;
  logger: Logger;
  now: Date;
  /** The config the plan was made under (the metrics' agent labels). */
  config: ControllerConfig;
  /** The run as the reconcile resolved it (a run at an attempt), for the metrics' labels. */
  resolved?: ResolvedRun;
}

/**
 * Where an action kind without a case ends: `a` is `never` only when every kind has one, so a new
 * action fails to compile rather than silently doing nothing (undefined is a valid outcome of do()).
 */
function unhandled(a: never): never {
  throw new Error(`no case for action "${(a as { do: string }).do}"`);
}

/** A stale read: the plan stops, the run is looked at again shortly. */
const STALE = Symbol('stale');

export class Actor {
  private readonly finalizer: RunFinalizer;

  constructor(private readonly opts: ActorOptions) {
    this.finalizer = new RunFinalizer(opts.client, opts.resource, opts.finalizer);
  }

  async act(plan: Plan, ctx: ActContext): Promise<Acted> {
    for (const action of plan.actions) {
      const outcome = await this.do(action, ctx);
      if (outcome === STALE) return { result: { requeueAfter: CONFLICT_REQUEUE_MS } };
      if (outcome) return { conflict: outcome };
    }
    return { result: plan.requeueAfter === undefined ? undefined : { requeueAfter: plan.requeueAfter } };
  }

  private async do(
    a: Action,
    ctx: ActContext,
  ): Promise<typeof STALE | { object: 'ConfigMap' | 'Job'; message: string } | undefined> {
    const { client } = this.opts;
    const { run, signal } = ctx;
    switch (a.do) {
      case 'addFinalizer':
        return (await this.finalizer.add(run, signal, a.also)) === 'conflict' ? STALE : undefined;
      case 'finalize': {
        const { outcome, gaveUp } = await this.finalizer.finalize(run, signal);
        if (gaveUp) {
          const involved = { ...run, apiVersion: API_VERSION, kind: this.opts.kind };
          const event = { type: 'Warning' as const, reason: 'CleanupRefused', message: gaveUp };
          await recordEvent(client, involved, event, ctx);
        }
        return outcome === 'conflict' ? STALE : undefined;
      }
      case 'deleteRun':
        if (await deleteExactly(client, this.opts.resource, run, signal))
          ctx.logger.info(
            { phase: run.status?.phase },
            'finished run deleted (cleanup.ttlSecondsAfterFinished)',
          );
        return undefined;
      case 'reserve':
        this.opts.capacity.reserve(a.claim, a.job);
        return undefined;
      case 'release':
        this.opts.capacity.release(a.key);
        return undefined;
      case 'deleteJob':
        // Foreground: the Job stays until its pods are gone, so the log keeper still finds whose
        // attempt an ending pod is, and keeps its logs or says they are lost (src/controllers/logs).
        await deleteExactly(client, JOBS, a.job, signal, 'Foreground');
        return undefined;
      case 'annotateJob':
        return (await this.annotateJob(a.job, a.cause, a.deadline, signal)) ? undefined : STALE;
      case 'create':
        return this.create(a, ctx);
      case 'writeStatus':
        return (await this.writeStatus(a, ctx)) ? undefined : STALE;
      default:
        return unhandled(a);
    }
  }

  /**
   * The attempt's ConfigMap, workspace, agent-shell ConfigMap and Job; a name held by an object not ours
   * stops here, and so does an adopted ConfigMap rendered for another agent shell than the Job's.
   */
  private async create(a: Action & { do: 'create' }, { run, signal }: ActContext) {
    const { client, metrics, seal } = this.opts;
    const uid = run.metadata?.uid ?? '';
    const owner = { uid, status: run.status, kind: this.opts.kind, seal };
    const configMap = a.configMap && seal.stamp(a.configMap, 'ConfigMap', uid);
    const namespace = run.metadata?.namespace ?? '';
    // The ConfigMaps and the workspace do not depend on each other: made at once, a round trip less
    // before the Job. A PVC the cache does not show yet may still exist: createIfMissing takes its 409
    // as success. (A workspace is the service's, not the run's: made while the ConfigMap turns out to
    // be someone else's, it waits for the run's next attempt like any other.)
    const [files, , agentShell] = await Promise.all([
      configMap && createOrAdopt(client, CONFIGMAPS, configMap, owner, signal),
      a.workspace && createIfMissing(client, PVCS, a.workspace, signal),
      a.agentShell && this.opts.agentShells.ensure(client, namespace, a.agentShell, signal),
    ]);
    if (files?.conflict) return { object: 'ConfigMap' as const, message: files.conflict };
    if (files?.created) metrics?.created('ConfigMap');
    if (agentShell?.created) metrics?.created('ConfigMap');
    if (agentShell?.conflict) return { object: 'ConfigMap' as const, message: agentShell.conflict };
    // Made by an earlier reconcile under other templates: the cache shows its agent shell shortly.
    if (files && !files.created && agentShellOf(files.object) !== agentShellOf(a.configMap)) return STALE;
    const made = await createOrAdopt(client, JOBS, seal.stamp(a.job, 'Job', uid), owner, signal);
    if (made.conflict) return { object: 'Job' as const, message: made.conflict };
    if (made.created) metrics?.created('Job');
    return undefined;
  }

  /** PUT on /status with the read resourceVersion: false when someone wrote in between. */
  private async writeStatus(a: Action & { do: 'writeStatus' }, ctx: ActContext): Promise<boolean> {
    const { run, signal, logger } = ctx;
    const { client, resource, kind } = this.opts;
    const path = `${resourcePath(resource, run.metadata?.namespace, run.metadata?.name)}/status`;
    try {
      await client.request('PUT', path, { body: { ...run, status: a.status }, signal, discardAnswer: true });
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
    const before: RunStatus | undefined = run.status;
    this.opts.metrics?.statusWritten(run, before, a.status, ctx.config, ctx.now, ctx.resolved);
    if (a.transition)
      logger.info(
        {
          run: { kind, namespace: run.metadata?.namespace, name: run.metadata?.name },
          attempt: a.status.attempt,
          job: a.status.jobName,
          from: a.transition.from,
          phase: a.transition.to,
          reason: a.transition.reason,
        },
        `run ${a.transition.from ?? 'new'} → ${a.transition.to}`,
      );
    const involved = { ...run, apiVersion: API_VERSION, kind };
    for (const e of a.events) await recordEvent(client, involved, e, ctx);
    return true;
  }

  /**
   * Records the cause on our Job (and shortens its deadline): a merge patch guarded by the Job's
   * resourceVersion, so a Job that changed meanwhile is looked at again instead of overwritten. False
   * when it had changed: no event need follow (the Job controller's count updates wake no reconcile,
   * event-filters.ts jobFinished), so the plan stops as a stale read and the run is read again shortly.
   */
  private async annotateJob(
    job: KubeObject,
    cause: FailureCause,
    deadline: number | undefined,
    signal: AbortSignal,
  ): Promise<boolean> {
    const { namespace, name, resourceVersion } = job.metadata ?? {};
    const body = {
      metadata: { resourceVersion, annotations: { [FAILURE_ANNOTATION]: JSON.stringify(cause) } },
      ...(deadline === undefined ? {} : { spec: { activeDeadlineSeconds: deadline } }),
    };
    try {
      await this.opts.client.request('PATCH', resourcePath(JOBS, namespace, name), {
        body,
        contentType: 'application/merge-patch+json',
        signal,
        discardAnswer: true,
      });
    } catch (err) {
      if (isConflict(err)) return false;
      // Gone: its deletion brings another reconcile.
      if (!isNotFound(err)) throw err;
    }
    return true;
  }
}
