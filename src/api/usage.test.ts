// Dollar strings and usage sums (usage.ts): exact in micro-dollars, recorded once per attempt.
import t from 'tap';
import { addUsage, formatUsd, newAttemptUsage, parseUsd, recordUsage, showUsd } from './usage.js';

t.test('dollars as decimal strings, exact to the micro-dollar', async (t) => {
  t.equal(parseUsd('0.1'), 100_000);
  t.equal(parseUsd('12.000001'), 12_000_001);
  t.equal(parseUsd('1.2345678'), undefined, 'more than 6 fraction digits');
  t.equal(parseUsd('-1'), undefined);
  t.equal(parseUsd(1), undefined, 'a number is not a dollar string');
  t.equal(formatUsd(100_000), '0.1');
  t.equal(formatUsd(12_000_000), '12');
  t.equal(formatUsd((parseUsd('0.1') ?? 0) + (parseUsd('0.2') ?? 0)), '0.3', 'no float drift');
  t.equal(showUsd('0.017849'), '$0.02');
  t.equal(showUsd('0.000123'), '$0.000123', 'a small cost is not shown as zero');
  t.equal(showUsd(undefined), '$0.00');
});

t.test('usages add up, by model too', async (t) => {
  const a = {
    costUsd: '0.5',
    inputTokens: 10,
    turns: 2,
    models: [{ model: 'm1', costUsd: '0.5', inputTokens: 10 }],
  };
  const b = {
    costUsd: '0.25',
    outputTokens: 5,
    turns: 1,
    models: [{ model: 'm2', costUsd: '0.25', outputTokens: 5 }],
  };
  t.same(addUsage(a, b), {
    costUsd: '0.75',
    inputTokens: 10,
    outputTokens: 5,
    cacheCreationInputTokens: 0,
    cacheReadInputTokens: 0,
    turns: 3,
    durationMs: 0,
    models: [
      {
        model: 'm1',
        costUsd: '0.5',
        inputTokens: 10,
        outputTokens: 0,
        cacheCreationInputTokens: 0,
        cacheReadInputTokens: 0,
      },
      {
        model: 'm2',
        costUsd: '0.25',
        inputTokens: 0,
        outputTokens: 5,
        cacheCreationInputTokens: 0,
        cacheReadInputTokens: 0,
      },
    ],
  });
});

t.test('an attempt is recorded once; the total keeps what the list drops', async (t) => {
  const entry = (attempt: number) => ({ attempt, finishedAt: '2026-11-24T00:00:00Z', costUsd: '1' });
  const once = recordUsage(undefined, [entry(1)]);
  t.equal(once.usage?.costUsd, '1');
  t.same(recordUsage(once, [entry(1)]), once, 'the same attempt again: nothing changes');
  let status = once;
  for (let i = 2; i <= 40; i++) status = recordUsage(status, [entry(i)]);
  t.equal(status.attemptUsage?.length, 32, 'the newest 32 kept');
  t.equal(status.attemptUsage?.[0]?.attempt, 9);
  t.equal(status.usage?.costUsd, '40', 'the total counts all 40');
  t.same(recordUsage(status, [entry(3)]), status, 'a dropped attempt is not counted again');
  t.same(newAttemptUsage(once, recordUsage(once, [entry(2)])), [entry(2)], 'what a write adds');
});
