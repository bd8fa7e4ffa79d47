// The generic run reconciler: one run (of the kind its strategy names) becomes a workspace PVC, an
// immutable ConfigMap and a Job per attempt, followed into status. Each reconcile is three steps, each
// in its own file and never returning to an earlier one: read the run's world from the caches
// (read.ts), decide the actions and the status (decide.ts, pure), act (act.ts). The one exception is a
// create that finds its name held by an object outside our caches: the attempt is then in the
// `conflict` state, which is decided and acted on once more.
// The design it implements: docs/design.md §4.
import { type ControllerConfig, kindFacts, type RunKindName, runResource } from '../../api/index.js';
import {
  type ApiRequester,
  type Clock,
  type ReconcileContext,
  type Reconciler,
  type Request,
  type ResourceType,
  type Result,
  realClock,
} from '../../runtime/index.js';
import type { RunRecorder } from '../metrics/index.js';
import { Actor } from './act.js';
import { attemptPlan, decide } from './decide.js';
import { type ReadSources, readRun } from './read.js';
import { logReconciled } from './reconciled-log.js';
import { type AttemptState, attemptFacts } from './world.js';

/** The caches and inputs a reconcile reads (read.ts), and what it writes with. */
export interface RunReconcilerOptions<K extends RunKindName> extends ReadSources<K> {
  client: ApiRequester;
  /** The current controller config (hot-reloaded: read at every reconcile). */
  config: () => ControllerConfig;
  /** The time. Default: real time. */
  clock?: Clock;
  /** Told what the reconciles wrote and created (docs/design.md §4.5). Default: nobody. */
  metrics?: RunRecorder;
}

/** Reconciles the runs of one kind, K, through that kind's strategy. */
export class RunReconciler<K extends RunKindName> implements Reconciler {
  readonly resource: ResourceType;
  private readonly clock: Clock;
  private readonly sources: ReadSources<K>;
  private readonly actor: Actor;

  constructor(private readonly opts: RunReconcilerOptions<K>) {
    const kind = opts.strategy.kind;
    this.resource = runResource(kind);
    this.clock = opts.clock ?? realClock;
    this.sources = opts;
    this.actor = new Actor({
      client: opts.client,
      resource: this.resource,
      kind,
      finalizer: kindFacts(kind).finalizer,
      capacity: opts.capacity,
      agentShells: opts.agentShells,
      seal: opts.seal,
      ...(opts.metrics ? { metrics: opts.metrics } : {}),
    });
  }

  async reconcile(
    { namespace, name }: Request,
    { signal, logger }: ReconcileContext,
  ): Promise<Result | undefined> {
    const config = this.opts.config();
    const now = this.clock.now();
    const world = readRun(this.sources, namespace, name, config, now);
    if (world.is === 'gone') return undefined;
    const input = { strategy: this.opts.strategy, config, now };
    const resolved = world.is === 'attempt' ? { resolved: world.resolved } : {};
    const ctx = { run: world.run, signal, logger, now, config, ...resolved };
    const plan = decide(world, input);
    const acted = await this.actor.act(plan, ctx);
    if (!acted.conflict) logReconciled(logger, this.opts.strategy.kind, world.run, plan);
    if (!acted.conflict || world.is !== 'attempt') return acted.result;
    const { state } = world;
    const claim = state.state === 'creating' ? { claim: state.claim } : {};
    const conflict: AttemptState = { ...attemptFacts(state), state: 'conflict', ...acted.conflict, ...claim };
    const settled = await this.actor.act(
      attemptPlan({ ...world, owed: { causes: [] }, state: conflict }, input),
      ctx,
    );
    return settled.result;
  }
}
