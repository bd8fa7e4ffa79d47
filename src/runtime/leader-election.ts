// Leader election on a coordination.k8s.io/v1 Lease with client-go's semantics: a candidate takes the
// Lease when it is free or when its record has not changed for leaseDuration by the candidate's own
// clock (no cross-node clock comparison); the leader renews every retryPeriod and gives up leadership
// if it cannot renew within renewDeadline; every write carries the resourceVersion it read, so two
// candidates can never both win. On a graceful stop the leader releases the Lease so a standby can
// take over at once instead of waiting for it to expire.
// The design it implements: docs/design.md §9.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type Clock, realClock } from './clock.js';
import { Informer } from './informer.js';
import {
  type CallOptions,
  isConflict,
  isNotFound,
  type KubeClient,
  type ResourceType,
  resourcePath,
} from './kube-client.js';
import { leaderElectionMetrics } from './metrics.js';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** MicroTime: RFC 3339 with exactly six fractional digits. */
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; [field: string]: unknown };
  spec?: LeaseSpec;
}

/** client-go's resourcelock.Interface for a Lease: read, create, replace (with resourceVersion). */
export interface LeaseLock {
  describe: string;
  /** The Lease, or undefined when it does not exist. */
  get(opts: CallOptions): Promise<Lease | undefined>;
  create(spec: LeaseSpec, opts: CallOptions): Promise<Lease>;
  /** Fails with 409 Conflict when `lease.metadata.resourceVersion` is not the current one. */
  replace(lease: Lease, opts: CallOptions): Promise<Lease>;
}

const LEASES: ResourceType = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease' };

export function leaseLock(client: KubeClient, namespace: string, name: string): LeaseLock {
  const collection = resourcePath(LEASES, namespace);
  const item = resourcePath(LEASES, namespace, name);
  return {
    describe: `${namespace}/${name}`,
    async get(opts) {
      try {
        return await client.request<Lease>('GET', item, opts);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    create: (spec, opts) =>
      client.request<Lease>('POST', collection, {
        ...opts,
        body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec },
      }),
    replace: (lease, opts) => client.request<Lease>('PUT', item, { ...opts, body: lease }),
  };
}

/** Kubernetes MicroTime: `2026-01-02T03:04:05.678000Z` (the apiserver rejects millisecond precision). */
export function microTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export interface LeaderElectionOptions {
  client: KubeClient;
  /** Namespace of the Lease: the manager's own namespace. */
  namespace: string;
  /** Name of the Lease; also the `name` label of leader_election_master_status. */
  name: string;
  /** This candidate's identity. Default: hostname (the pod name in a pod) + `_` + random hex. */
  identity?: string;
  /** How long a Lease is honoured after its last observed change. Default 15 s; whole seconds on the wire. */
  leaseDurationMs?: number;
  /** The leader steps down when it could not renew for this long. Default 10 s. */
  renewDeadlineMs?: number;
  /** Interval between renewals, and between acquisition attempts. Default 2 s. */
  retryPeriodMs?: number;
  /** Acquisition attempts wait retryPeriod × (1 + jitter × random). Default 1.2 (client-go's JitterFactor). */
  retryJitter?: number;
  /** Release the Lease on a graceful stop, like client-go's ReleaseOnCancel. Default true. */
  releaseOnCancel?: boolean;
  /**
   * Watch the Lease so that a standby campaigns the moment it is released rather than at its next
   * retry; handover after a graceful stop then takes milliseconds. Default true.
   */
  watchLease?: boolean;
  registry: Registry;
  logger: Logger;
  /** Called on becoming leader: start leader-only work. */
  onStartedLeading: () => void | Promise<void>;
  /** Called on losing or giving up leadership: stop leader-only work; campaigning resumes after it settles. */
  onStoppedLeading: () => void | Promise<void>;
  /** Called when another identity is seen holding the Lease. Default: log it. */
  onNewLeader?: (identity: string) => void;
  /** The Lease access. Default: leaseLock(client, namespace, name). */
  lock?: LeaseLock;
  /** Default: the real monotonic clock. */
  clock?: Clock;
  /** Default Math.random. */
  random?: () => number;
}

type Attempt = 'ok' | 'held' | 'failed';

export class LeaderElector {
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  private readonly opts: LeaderElectionOptions;
  private readonly lock: LeaseLock;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly status: ReturnType<typeof leaderElectionMetrics>['masterStatus'];
  private readonly watcher: Informer | undefined;
  private leading = false;
  /** The Lease as last read or written: the fast path renews against its resourceVersion. */
  private current: Lease | undefined;
  /** The record as last seen changed, and when (by our clock): the basis of expiry. */
  private observed: { raw: string; at: number; holder: string } | undefined;
  private lastRenewAt = 0;
  private stopping: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(opts: LeaderElectionOptions) {
    this.opts = opts;
    this.identity = opts.identity ?? `${hostname()}_${randomBytes(5).toString('hex')}`;
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    const jitter = opts.retryJitter ?? 1.2;
    // client-go's NewLeaderElector checks, so that a renewal can always land before the lease lapses.
    if (this.leaseDurationMs <= this.renewDeadlineMs)
      throw new RangeError('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= jitter * this.retryPeriodMs) {
      throw new RangeError('renewDeadline must be greater than retryPeriod × retryJitter');
    }
    if (this.retryPeriodMs <= 0 || this.leaseDurationMs < 1000) {
      throw new RangeError('retryPeriod must be positive and leaseDuration at least 1 s');
    }
    this.lock = opts.lock ?? leaseLock(opts.client, opts.namespace, opts.name);
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    this.logger = opts.logger.child({ lease: this.lock.describe, identity: this.identity });
    this.status = leaderElectionMetrics(opts.registry).masterStatus;
    this.status.set({ name: opts.name }, 0);
    if (opts.watchLease ?? true) {
      this.watcher = new Informer({
        client: opts.client,
        resource: LEASES,
        namespace: opts.namespace,
        fieldSelector: `metadata.name=${opts.name}`,
        logger: this.logger,
      });
      const released = (lease: Lease | undefined) => {
        if (!lease?.spec?.holderIdentity) this.wake?.();
      };
      this.watcher.addHandler({
        onAdd: (obj) => released(obj as Lease),
        onUpdate: (_old, obj) => released(obj as Lease),
        onDelete: () => released(undefined),
      });
    }
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Starts campaigning; leadership is then won, lost and won again until stop(). */
  run(): void {
    if (this.loop) return;
    this.stopping = new AbortController();
    this.watcher?.start();
    this.loop = this.campaign(this.stopping.signal);
  }

  /**
   * Stops campaigning and renewing. A leader releases the Lease when `release` (default:
   * releaseOnCancel) — callers stop leader work first, so that no one else starts it meanwhile.
   */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.stopping?.abort(new Error('leader election stopped'));
    await this.loop;
    this.loop = undefined;
    await this.watcher?.stop();
    if (!this.leading) return;
    if (opts.release ?? this.opts.releaseOnCancel ?? true) await this.release();
    await this.stepDown('stopped');
  }

  /**
   * Liveness: fails while this process acts as leader although its last renewal is older than the
   * lease duration — the renew loop is wedged and another replica may already lead.
   */
  livenessCheck(): string | undefined {
    if (!this.leading) return undefined;
    const since = this.clock.nowMs() - this.lastRenewAt;
    if (since <= this.leaseDurationMs) return undefined;
    return `leader of ${this.lock.describe} but its last renewal was ${Math.round(since)} ms ago (lease duration ${this.leaseDurationMs} ms)`;
  }

  /** One acquire-or-renew step, as client-go's tryAcquireOrRenew; exposed for tests. */
  async tryAcquireOrRenew(timeoutMs: number, signal?: AbortSignal): Promise<Attempt> {
    const now = this.clock.nowMs();
    const wallNow = microTime(Date.now());
    const call: CallOptions = { timeoutMs, ...(signal ? { signal } : {}) };
    const durationSeconds = Math.max(1, Math.round(this.leaseDurationMs / 1000));
    // Fast path: the leader writes over the Lease it last wrote, trusting its resourceVersion.
    if (this.leading && this.current?.spec?.holderIdentity === this.identity) {
      try {
        const spec = { ...this.current.spec, leaseDurationSeconds: durationSeconds, renewTime: wallNow };
        return this.wrote(await this.lock.replace({ ...this.current, spec }, call), now);
      } catch (err) {
        if (signal?.aborted) return 'failed';
        this.logger.debug({ err }, 'optimistic renewal failed; re-reading the Lease');
      }
    }
    let lease: Lease | undefined;
    try {
      lease = await this.lock.get(call);
      if (!lease) {
        const spec = {
          holderIdentity: this.identity,
          leaseDurationSeconds: durationSeconds,
          acquireTime: wallNow,
          renewTime: wallNow,
          leaseTransitions: 0,
        };
        return this.wrote(await this.lock.create(spec, call), now);
      }
    } catch (err) {
      this.logger.warn({ err }, 'could not read or create the Lease');
      return 'failed';
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    this.observe(lease, now);
    const observedAt = this.observed?.at ?? now;
    if (holder && holder !== this.identity && observedAt + (spec.leaseDurationSeconds ?? 0) * 1000 > now) {
      this.current = lease;
      return 'held';
    }
    const ours = holder === this.identity;
    const next: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: durationSeconds,
      acquireTime: ours && spec.acquireTime ? spec.acquireTime : wallNow,
      renewTime: wallNow,
      leaseTransitions: ours ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
    };
    try {
      return this.wrote(await this.lock.replace({ ...lease, spec: next }, call), now);
    } catch (err) {
      // A 409 means another candidate wrote first: it won this round.
      this.logger.debug({ err }, 'writing the Lease failed');
      return 'failed';
    }
  }

  private wrote(lease: Lease, at: number): Attempt {
    this.current = lease;
    this.lastRenewAt = at;
    this.observe(lease, at);
    return 'ok';
  }

  private observe(lease: Lease, now: number): void {
    const raw = JSON.stringify(lease.spec ?? {});
    if (this.observed?.raw === raw) return;
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder && holder !== this.identity && holder !== this.observed?.holder) {
      if (this.opts.onNewLeader) this.opts.onNewLeader(holder);
      else this.logger.info({ leader: holder }, 'new leader observed');
    }
    this.observed = { raw, at: now, holder };
  }

  private async campaign(stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      this.logger.info('campaigning for leadership');
      let attempt: Attempt = 'failed';
      while (!stop.aborted) {
        attempt = await this.tryAcquireOrRenew(this.renewDeadlineMs, stop);
        if (attempt === 'ok') break;
        await this.pause(
          this.retryPeriodMs * (1 + (this.opts.retryJitter ?? 1.2) * this.random()),
          stop,
          true,
        );
      }
      if (attempt !== 'ok') return;
      this.leading = true;
      this.status.set({ name: this.opts.name }, 1);
      // Won in the same instant as stop(): no leader work starts; stop() releases the Lease.
      if (stop.aborted) return;
      this.logger.info({ leaseTransitions: this.current?.spec?.leaseTransitions }, 'became leader');
      await this.callback('onStartedLeading');
      const reason = await this.keepRenewing(stop);
      if (stop.aborted) return;
      await this.stepDown(reason);
    }
  }

  /** Renews every retryPeriod; returns why leadership ended (only when it did, or on stop). */
  private async keepRenewing(stop: AbortSignal): Promise<string> {
    for (;;) {
      await this.pause(this.retryPeriodMs, stop, false);
      if (stop.aborted) return 'stopped';
      for (;;) {
        const remaining = this.lastRenewAt + this.renewDeadlineMs - this.clock.nowMs();
        if (remaining <= 0) return `could not renew within the renew deadline (${this.renewDeadlineMs} ms)`;
        const attempt = await this.tryAcquireOrRenew(remaining, stop);
        if (stop.aborted) return 'stopped';
        if (attempt === 'ok') break;
        if (attempt === 'held') return `the Lease is held by ${this.current?.spec?.holderIdentity}`;
        await this.pause(Math.min(this.retryPeriodMs, Math.max(0, remaining - 1)), stop, false);
      }
    }
  }

  private async stepDown(reason: string): Promise<void> {
    this.leading = false;
    this.status.set({ name: this.opts.name }, 0);
    this.logger.warn({ reason }, 'stopped leading');
    await this.callback('onStoppedLeading');
  }

  private async release(): Promise<void> {
    const lease = this.current;
    if (!lease) return;
    const wallNow = microTime(Date.now());
    // client-go's release: no holder, a 1 s duration, transitions kept.
    const spec: LeaseSpec = {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: wallNow,
      renewTime: wallNow,
      leaseTransitions: lease.spec?.leaseTransitions ?? 0,
    };
    const call = { timeoutMs: this.renewDeadlineMs };
    try {
      try {
        this.current = await this.lock.replace({ ...lease, spec }, call);
      } catch (err) {
        // A renewal aborted by stop() may have landed after all, moving the resourceVersion: re-read,
        // and release only what is still ours.
        if (!isConflict(err)) throw err;
        const fresh = await this.lock.get(call);
        if (fresh?.spec?.holderIdentity !== this.identity) return;
        this.current = await this.lock.replace({ ...fresh, spec }, call);
      }
      this.logger.info('released the Lease');
    } catch (err) {
      this.logger.warn({ err }, 'could not release the Lease; it will expire instead');
    }
  }

  private async callback(name: 'onStartedLeading' | 'onStoppedLeading'): Promise<void> {
    try {
      await this.opts[name]();
    } catch (err) {
      this.logger.error({ err }, `${name} failed`);
    }
  }

  /** Waits `ms`, or less when stopped, or (when `wakeable`) when the Lease is seen released. */
  private pause(ms: number, stop: AbortSignal, wakeable: boolean): Promise<void> {
    if (stop.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.clock.clearTimeout(timer);
        stop.removeEventListener('abort', done);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = this.clock.setTimeout(done, ms);
      stop.addEventListener('abort', done, { once: true });
      if (wakeable) this.wake = done;
    });
  }
}
