import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { ManualClock } from '../../test/harness/fakes/manual-clock.js';
import { waitFor } from '../../test/harness/util/wait.js';
import { ApiError, KubeClient } from './kube-client.js';
import {
  type LeaderElectionOptions,
  LeaderElector,
  type Lease,
  type LeaseLock,
  microTime,
} from './leader-election.js';

/** One Lease in memory with the apiserver's optimistic concurrency: a stale resourceVersion gets 409. */
class MemoryLock implements LeaseLock {
  describe = 'memory/lease';
  lease: Lease | undefined;
  private version = 0;
  /** When set, every replace hangs forever (a wedged connection without a timeout). */
  hang = false;

  async get(): Promise<Lease | undefined> {
    return structuredClone(this.lease);
  }

  async create(spec: Lease['spec']): Promise<Lease> {
    if (this.lease) throw new ApiError(409, 'AlreadyExists', 'exists');
    this.lease = {
      metadata: { name: 'lease', resourceVersion: String(++this.version) },
      spec: structuredClone(spec),
    };
    return structuredClone(this.lease);
  }

  async replace(lease: Lease): Promise<Lease> {
    if (this.hang) return new Promise(() => undefined);
    if (lease.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion)
      throw new ApiError(409, 'Conflict', 'stale');
    this.lease = {
      ...structuredClone(lease),
      metadata: { ...lease.metadata, resourceVersion: String(++this.version) },
    };
    return structuredClone(this.lease);
  }
}

const client = new KubeClient(new KubeConfig());

function elector(lock: MemoryLock, identity: string, extra: Partial<LeaderElectionOptions> = {}) {
  const events: string[] = [];
  const registry = new Registry();
  const e = new LeaderElector({
    client,
    lock,
    identity,
    namespace: 'ns',
    name: 'lease',
    watchLease: false,
    registry,
    logger: pino({ level: 'silent' }),
    onStartedLeading: () => {
      events.push('started');
    },
    onStoppedLeading: () => {
      events.push('stopped');
    },
    ...extra,
  });
  return { e, events, registry };
}

t.test('MicroTime has exactly six fractional digits', async (t) => {
  t.equal(microTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), '2026-01-02T03:04:05.678000Z');
});

t.test('settings client-go would refuse are refused', async (t) => {
  const lock = new MemoryLock();
  t.throws(() => elector(lock, 'a', { leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }), /leaseDuration/);
  t.throws(() => elector(lock, 'a', { renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }), /renewDeadline/);
});

t.test(
  'a held Lease is taken only after it went unchanged for its duration, by the candidate clock',
  async (t) => {
    const lock = new MemoryLock();
    const clock = new ManualClock();
    const a = elector(lock, 'a', { clock }).e;
    const b = elector(lock, 'b', { clock }).e;
    t.equal(await a.tryAcquireOrRenew(1000), 'ok', 'a creates the Lease');
    t.match(lock.lease?.spec, { holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 });
    t.match(lock.lease?.spec?.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    t.equal(await b.tryAcquireOrRenew(1000), 'held');
    clock.advance(10_000);
    t.equal(await a.tryAcquireOrRenew(1000), 'ok', 'a renews');
    clock.advance(10_000);
    t.equal(
      await b.tryAcquireOrRenew(1000),
      'held',
      '20 s after b first looked, but a renewed 10 s ago as b sees it',
    );
    clock.advance(14_999);
    t.equal(await b.tryAcquireOrRenew(1000), 'held', 'not yet expired');
    clock.advance(1);
    t.equal(await b.tryAcquireOrRenew(1000), 'ok', 'unchanged for 15 s: b takes it');
    t.match(lock.lease?.spec, { holderIdentity: 'b', leaseTransitions: 1 });
    t.not(lock.lease?.spec?.acquireTime, undefined);
  },
);

t.test('of two candidates writing from the same read, only one wins', async (t) => {
  const lock = new MemoryLock();
  await lock.create({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 3 });
  const a = elector(lock, 'a').e;
  const b = elector(lock, 'b').e;
  const results = await Promise.all([a.tryAcquireOrRenew(1000), b.tryAcquireOrRenew(1000)]);
  t.same(results.sort(), ['failed', 'ok']);
  t.equal(lock.lease?.spec?.leaseTransitions, 4, 'a released Lease taken: one more transition');
});

t.test('run leads, renews, and stop releases the Lease like ReleaseOnCancel', async (t) => {
  const lock = new MemoryLock();
  const { e, events, registry } = elector(lock, 'a', {
    leaseDurationMs: 1_000,
    renewDeadlineMs: 600,
    retryPeriodMs: 100,
  });
  e.run();
  await waitFor('a to lead', () => e.isLeader, { intervalMs: 1 });
  t.match(await registry.metrics(), /leader_election_master_status\{name="lease"\} 1/);
  const firstRenew = lock.lease?.spec?.renewTime;
  await waitFor('a renewal', () => lock.lease?.spec?.renewTime !== firstRenew, { intervalMs: 5 });
  t.not(lock.lease?.spec?.renewTime, firstRenew, 'renewed meanwhile');
  await e.stop();
  t.same(events, ['started', 'stopped']);
  t.match(lock.lease?.spec, { holderIdentity: '', leaseDurationSeconds: 1 });
  t.match(await registry.metrics(), /leader_election_master_status\{name="lease"\} 0/);
});

t.test(
  'the liveness check fails once a leader has not renewed for a lease duration (wedged renew loop)',
  async (t) => {
    const lock = new MemoryLock();
    const clock = new ManualClock();
    const { e } = elector(lock, 'a', { clock });
    t.equal(e.livenessCheck(), undefined, 'a standby is healthy');
    e.run();
    await waitFor('a to lead', () => e.isLeader, { intervalMs: 1 });
    lock.hang = true;
    clock.advance(2_000);
    await sleep(5);
    t.equal(e.livenessCheck(), undefined, 'renewal pending, not overdue');
    clock.advance(13_000);
    t.equal(e.livenessCheck(), undefined, 'exactly a lease duration');
    clock.advance(1);
    t.match(e.livenessCheck(), /last renewal was 15001 ms ago/);
    t.ok(e.isLeader, 'the loop is stuck, so it never stepped down: only the probe notices');
  },
);

t.test(
  'release survives a renewal that landed unseen, and never releases a Lease that changed hands',
  async (t) => {
    for (const [holder, expected] of [
      ['a', ''],
      ['someone-else', 'someone-else'],
    ] as const) {
      const lock = new MemoryLock();
      const { e } = elector(lock, 'a', { leaseDurationMs: 1_000, renewDeadlineMs: 600, retryPeriodMs: 100 });
      e.run();
      await waitFor('a to lead', () => e.isLeader, { intervalMs: 1 });
      // Another write moved the resourceVersion past the one the elector holds.
      await lock.replace({ ...(await lock.get()), spec: { ...lock.lease?.spec, holderIdentity: holder } });
      await e.stop();
      t.equal(lock.lease?.spec?.holderIdentity, expected, `holder ${holder} before the stop`);
    }
  },
);
