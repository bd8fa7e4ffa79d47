import t from 'tap';
import { SHIPPED_PRICES } from '../../test/harness/fakes/gateway.js';
import { affordableOutputTokens, callCostMicros, priceEntry } from './prices.js';

const table = SHIPPED_PRICES();

t.test('a model is priced by the longest entry its name starts with', async (t) => {
  t.equal(priceEntry(table, 'claude-opus-4-5-20251101'), 'claude-opus-4-5');
  t.equal(priceEntry(table, 'claude-opus-4-20250514'), 'claude-opus-4');
  t.equal(priceEntry(table, 'claude-sonnet-4-6'), 'claude-sonnet-4-6');
  t.equal(priceEntry(table, 'claude-opus-45'), undefined, 'a prefix must end at a dash');
  t.equal(priceEntry(table, 'mistral-large-3'), undefined, 'unlisted, no fallback: refused');
  t.equal(priceEntry({ ...table, fallbackModel: 'claude-opus-4-1' }, 'mistral-large-3'), 'claude-opus-4-1');
  t.equal(priceEntry({ ...table, fallbackModel: 'missing' }, 'mistral-large-3'), undefined);
});

t.test('costs in micro-dollars, every token kind at its price, rounded up', async (t) => {
  const opus = table.models['claude-opus-4-1'];
  if (!opus) throw new Error('the shipped table has claude-opus-4-1');
  const tokens = {
    input: 1_000_000,
    output: 1_000_000,
    cacheWrite: 1_000_000,
    cacheWrite1h: 1_000_000,
    cacheRead: 1_000_000,
  };
  t.equal(callCostMicros(opus, tokens), (15 + 75 + 18.75 + 30 + 1.5) * 1_000_000);
  const haiku = table.models['claude-3-5-haiku'];
  if (!haiku) throw new Error('the shipped table has claude-3-5-haiku');
  // One cache-read token costs $0.00000008: billed as one micro-dollar, never zero.
  t.equal(callCostMicros(haiku, { input: 0, output: 0, cacheWrite: 0, cacheWrite1h: 0, cacheRead: 1 }), 1);
  t.equal(affordableOutputTokens(opus, 75), 1);
  t.equal(affordableOutputTokens(opus, 74), 0);
});
