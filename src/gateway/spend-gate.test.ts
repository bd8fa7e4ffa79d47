import t from 'tap';
import { ATTEMPT, meteredCall, SHIPPED_PRICES } from '../../test/harness/fakes/gateway.js';
import { MemoryLedger } from '../../test/harness/fakes/memory-ledger.js';
import type { PricedCall } from './handler.js';
import { callCostMicros } from './prices.js';
import { LimitGate } from './spend-gate.js';

const price = SHIPPED_PRICES().models['claude-sonnet-4-6'];
if (!price) throw new Error('the shipped price table has no claude-sonnet-4-6');
const CALL: PricedCall = {
  model: 'claude-sonnet-4-6',
  stream: true,
  maxTokens: 100,
  priced: 'claude-sonnet-4-6',
  price,
  // A 10-byte body, no breakpoint: at most 10 input tokens.
  input: { bytes: { input: 10, cacheWrite: 0, cacheWrite1h: 0 }, maxTokens: 200_000 },
};
const INPUT = 10;
/** What a call that uses all of `output` tokens costs (with its 10 input tokens). */
const cost = (output: number) =>
  callCostMicros(price, { input: INPUT, output, cacheWrite: 0, cacheWrite1h: 0, cacheRead: 0 });

t.test('calls in flight at once share the remainder: no overshoot, not even one call input', async (t) => {
  const ledger = new MemoryLedger();
  // $0.00153 pays for exactly one call's 10 input tokens at $3 and 100 output tokens at $15 per million.
  const limit = {
    name: 'budget "team-a"',
    limitMicros: 1530,
    spentMicros: () => ledger.attemptSpent(ATTEMPT),
  };
  const gate = new LimitGate(ledger, { limits: async () => [limit] });
  const admissions = await Promise.all(Array.from({ length: 4 }, () => gate.admit(ATTEMPT, CALL)));
  const allowed = admissions.filter((a) => a.allowed);
  t.equal(allowed.length, 1, 'one call holds the remainder; the others are refused while it is in flight');
  const refused = admissions.find((a) => !a.allowed);
  t.match(refused, {
    message: /^budget "team-a" is spent: \$0 of \$0\.00153, \$0\.00153 more held by calls in flight/,
  });
  // Each admitted call produces all the output it was allowed, then its cost replaces its reservation.
  for (const a of allowed) {
    if (!a.allowed) continue;
    await gate.record(ATTEMPT, meteredCall(cost(a.maxTokens ?? CALL.maxTokens)));
    a.release?.();
  }
  const billed = await ledger.attemptSpent(ATTEMPT);
  t.ok(billed <= limit.limitMicros, `billed ${billed} ≤ limit ${limit.limitMicros}`);
  t.match(await gate.admit(ATTEMPT, CALL), { allowed: false }, 'once metered, the spend itself refuses');
});

t.test('a call that ends without usage gives its reservation back', async (t) => {
  const ledger = new MemoryLedger();
  const gate = new LimitGate(ledger, {
    limits: async () => [{ name: 'spec.limits.maxBudgetUsd', limitMicros: 3060, spentMicros: async () => 0 }],
  });
  const first = await gate.admit(ATTEMPT, CALL);
  t.match(first, { allowed: true, maxTokens: 100 });
  t.match(
    await gate.admit(ATTEMPT, CALL),
    { allowed: true, maxTokens: 100 },
    'the second call fits beside the first',
  );
  t.match(await gate.admit(ATTEMPT, CALL), { allowed: false }, 'a third does not, while both are in flight');
  const release = first.allowed ? first.release : undefined;
  release?.();
  release?.();
  t.match(
    await gate.admit(ATTEMPT, CALL),
    { allowed: true, maxTokens: 100 },
    'released once, however often called',
  );
  t.match(await gate.admit(ATTEMPT, CALL), { allowed: false });
});

t.test(
  'across replicas the bound is one remainder per further replica: each commits at most what it saw left',
  async (t) => {
    // Two replicas (each its own gate, reservations in its memory) over one ledger, as in the cluster.
    const ledger = new MemoryLedger();
    const limit = {
      name: 'budget "team-a"',
      limitMicros: 1530,
      spentMicros: () => ledger.attemptSpent(ATTEMPT),
    };
    const replicas = [0, 1].map(() => new LimitGate(ledger, { limits: async () => [limit] }));
    const remainder = limit.limitMicros;
    const admitted = [];
    for (const gate of replicas) {
      const first = await gate.admit(ATTEMPT, CALL);
      t.match(first, { allowed: true, maxTokens: 100 }, "a replica does not see the other one's reservation");
      t.match(await gate.admit(ATTEMPT, CALL), { allowed: false }, 'but never commits more than it saw left');
      admitted.push(first);
    }
    for (const a of admitted) {
      await replicas[0]?.record(ATTEMPT, meteredCall(cost(a.allowed ? (a.maxTokens ?? 0) : 0)));
      if (a.allowed) a.release?.();
    }
    const billed = await ledger.attemptSpent(ATTEMPT);
    t.equal(
      billed,
      limit.limitMicros + (replicas.length - 1) * remainder,
      'the worst case is reached, not passed',
    );
    for (const gate of replicas)
      t.match(await gate.admit(ATTEMPT, CALL), { allowed: false }, 'and then both refuse');
  },
);
