// The manager owns the runtime's parts and their lifecycle, in this order:
//   start: metrics + probe servers → informers (on every replica, so standbys stay warm) → caches
//          synced (readiness) → campaign for the Lease → controllers run while leading.
//   lease lost: controllers stop taking work, in-flight reconciles get until the Lease could pass to
//          another replica (leaseDuration − renewDeadline), then the manager campaigns again.
//   stop (SIGTERM/SIGINT): controllers stop taking work → in-flight reconciles finish (bounded by
//          gracefulShutdownTimeout; renewals go on meanwhile) → the Lease is released → informers
//          stop → servers close.
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { collectDefaultMetrics, type Metric, Registry } from 'prom-client';
import type { Cache } from './cache.js';
import type { Controller } from './controller.js';
import { boundPort, closeServer, type ListenAddress, listen } from './http-server.js';
import type { KubeClient } from './kube-client.js';
import { type LeaderElectionOptions, LeaderElector } from './leader-election.js';
import { type MetricsServing, type ServingEndpoint, serveMetrics } from './metrics-server.js';
import { type Check, HealthChecks, probeHandler } from './probes.js';

export type LeaderElectionConfig = Omit<
  LeaderElectionOptions,
  'client' | 'registry' | 'logger' | 'onStartedLeading' | 'onStoppedLeading'
>;

export interface ManagerOptions {
  client: KubeClient;
  registry: Registry;
  logger: Logger;
  /** The Lease to campaign for, or false to run controllers at once (a single replica; development). */
  leaderElection: LeaderElectionConfig | false;
  /**
   * Where /metrics is served: an address (plain HTTP, no authentication), a server of the caller's
   * (HTTPS with access checks), or false for nowhere. Default plain HTTP on port 8080, every interface.
   */
  metrics?: MetricsServing | false;
  /** Where /healthz and /readyz are served, or false for nowhere. Default port 8081 on every interface. */
  probes?: ListenAddress | false;
  /** How long stop() waits for in-flight reconciles before giving up on them. Default 30 s (controller-runtime's). */
  gracefulShutdownTimeoutMs?: number;
  /** How long start() waits for the caches to fill. Default 2 min (controller-runtime's CacheSyncTimeout). */
  cacheSyncTimeoutMs?: number;
  /** Add prom-client's Node.js process metrics to the registry. Default true. */
  collectDefaultMetrics?: boolean;
}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

const withDefaultMetrics = new WeakSet<Registry>();

export class Manager {
  readonly healthz = new HealthChecks('healthz');
  readonly readyz = new HealthChecks('readyz');
  readonly elector: LeaderElector | undefined;
  private readonly opts: ManagerOptions;
  private readonly logger: Logger;
  private readonly informers: Cache[] = [];
  private readonly controllers: Controller[] = [];
  private readonly servers: { metrics?: ServingEndpoint; probes?: Server } = {};
  private state: State = 'new';
  /** Serialises starting and stopping the controllers as leadership comes and goes. */
  private leaderWork: Promise<unknown> = Promise.resolve();
  private stopping: Promise<void> | undefined;
  /** Resolves when a stop is asked for (a signal, or stop()): before anything has stopped. */
  readonly stopRequested: Promise<void>;
  private requestStop!: () => void;

  constructor(opts: ManagerOptions) {
    this.opts = opts;
    this.stopRequested = new Promise((resolve) => {
      this.requestStop = resolve;
    });
    this.logger = opts.logger.child({ component: 'manager' });
    if (opts.leaderElection) {
      this.elector = new LeaderElector({
        ...opts.leaderElection,
        client: opts.client,
        registry: opts.registry,
        logger: opts.logger.child({ component: 'leader-election' }),
        onStartedLeading: () => this.startControllers(),
        onStoppedLeading: () => this.stopControllersAfterLoss(),
      });
    }
    this.healthz.add('ping', () => undefined);
    if (this.elector) {
      const elector = this.elector;
      this.healthz.add('leader-election', () => elector.livenessCheck());
    }
    this.readyz.add('informers-synced', () => {
      const pending = this.informers.filter((i) => !i.hasSynced());
      return pending.length
        ? `${pending.length} of ${this.informers.length} caches not synced yet`
        : undefined;
    });
  }

  addInformer(informer: Cache): void {
    this.informers.push(informer);
  }

  addController(controller: Controller): void {
    this.controllers.push(controller);
  }

  /** Adds a readiness check to /readyz (e.g. "webhook serving"). */
  addReadyzCheck(name: string, check: Check): void {
    this.readyz.add(name, check);
  }

  get isLeader(): boolean {
    return this.elector ? this.elector.isLeader : this.state === 'running';
  }

  get metricsPort(): number | undefined {
    return this.servers.metrics?.port;
  }

  get probesPort(): number | undefined {
    return this.servers.probes ? boundPort(this.servers.probes) : undefined;
  }

  /** Resolves once running: servers bound, caches synced, campaigning (or reconciling). */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`manager already ${this.state}`);
    this.state = 'starting';
    try {
      await this.startServers();
      for (const informer of this.informers) informer.start();
      // A signal during the sync must not wait out the sync timeout.
      await Promise.race([this.waitForCaches(), this.stopRequested]);
    } catch (err) {
      await this.stop();
      throw err;
    }
    if (this.stopping) return;
    this.state = 'running';
    if (this.elector) this.elector.run();
    else await this.startControllers();
    this.logger.info({ metricsPort: this.metricsPort, probesPort: this.probesPort }, 'manager started');
  }

  /** Graceful stop in the order described at the top of this file. Safe to call more than once. */
  stop(): Promise<void> {
    this.requestStop();
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /**
   * Runs until the first of `signals`, then stops gracefully; a second signal exits at once (code 1).
   * Resolves once stopped, so that the caller can exit 0.
   */
  async runUntilSignal(signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): Promise<void> {
    let received = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      received++;
      if (received > 1) {
        this.logger.error({ signal }, 'second signal: exiting without waiting');
        process.exit(1);
      }
      this.logger.info({ signal }, 'signal received: shutting down');
      void this.stop();
    };
    for (const signal of signals) process.on(signal, onSignal);
    try {
      await this.start();
      await this.stopRequested;
      await this.stopping;
    } finally {
      for (const signal of signals) process.off(signal, onSignal);
    }
  }

  private async shutdown(): Promise<void> {
    const started = Date.now();
    this.state = 'stopping';
    const timeoutMs = this.opts.gracefulShutdownTimeoutMs ?? 30_000;
    const drained = await this.serial(() => this.stopControllers(timeoutMs));
    if (this.elector) {
      // Releasing while a reconcile may still run would let a new leader overlap it: let the Lease expire.
      if (!drained) this.logger.warn('in-flight reconciles did not finish; not releasing the Lease');
      await this.elector.stop({ release: drained });
    }
    await Promise.all(this.informers.map((i) => i.stop()));
    const { metrics, probes } = this.servers;
    await Promise.all([metrics?.close(), probes && closeServer(probes)]);
    this.opts.client.close();
    this.state = 'stopped';
    this.logger.info({ ms: Date.now() - started, drained }, 'manager stopped');
  }

  private async startServers(): Promise<void> {
    const { metrics = { port: 8080 }, probes = { port: 8081 }, registry } = this.opts;
    if ((this.opts.collectDefaultMetrics ?? true) && !withDefaultMetrics.has(registry)) {
      addNodeProcessMetrics(registry);
      withDefaultMetrics.add(registry);
    }
    if (metrics) this.servers.metrics = await serveMetrics(registry, metrics);
    if (probes) this.servers.probes = await listen(probeHandler(this.healthz, this.readyz), probes);
  }

  private async waitForCaches(): Promise<void> {
    const timeoutMs = this.opts.cacheSyncTimeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`caches not synced within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([Promise.all(this.informers.map((i) => i.synced)), timedOut]);
    } finally {
      clearTimeout(timer);
    }
    this.logger.info({ informers: this.informers.length }, 'caches synced');
  }

  private startControllers(): Promise<void> {
    return this.serial(() => {
      if (this.state !== 'running') return;
      for (const controller of this.controllers) controller.start();
    });
  }

  /** After a lost Lease another replica may lead once leaseDuration has passed; stop before that. */
  private async stopControllersAfterLoss(): Promise<void> {
    const elector = this.elector as LeaderElector;
    const budget = Math.max(0, elector.leaseDurationMs - elector.renewDeadlineMs);
    await this.serial(() => this.stopControllers(budget));
  }

  private async stopControllers(timeoutMs: number): Promise<boolean> {
    const results = await Promise.all(this.controllers.map((c) => c.stop({ timeoutMs })));
    return results.every(Boolean);
  }

  private serial<T>(fn: () => T | Promise<T>): Promise<T> {
    const next = this.leaderWork.then(fn);
    this.leaderWork = next.catch(() => undefined);
    return next;
  }
}

/**
 * prom-client's default Node.js process metrics, less the three gauges it names `*_total`
 * (nodejs_active_{handles,requests,resources}_total): promtool rejects a gauge with a counter's suffix,
 * and the per-type gauges without the suffix carry the same numbers.
 */
function addNodeProcessMetrics(registry: Registry): void {
  const defaults = new Registry();
  collectDefaultMetrics({ register: defaults });
  for (const metric of defaults.getMetricsAsArray()) {
    // Typed as a numeric enum, but at run time the type is the exposition's word ('counter', …).
    const type = metric.type as unknown as string;
    if (type !== 'counter' && metric.name.endsWith('_total')) continue;
    registry.registerMetric(metric as unknown as Metric);
  }
}
