// The bound on a call's input (input-bound.ts, anthropic-cache.ts) and the gate that spends it
// (spend-gate.ts): bytes after the last cache breakpoint are plain input, bytes up to it writes at its
// lifetime's price, the window caps the tokens, and a call whose input a limit cannot pay is refused
// while one it can is admitted with its output capped to what is left after the input.
import t from 'tap';
import { ATTEMPT, SHIPPED_PRICES } from '../../test/harness/fakes/gateway.js';
import { MemoryLedger } from '../../test/harness/fakes/memory-ledger.js';
import { anthropic } from './anthropic.js';
import { anthropicInputBytes } from './anthropic-cache.js';
import type { PricedCall } from './handler.js';
import { inputCostMicros } from './input-bound.js';
import { LimitGate } from './spend-gate.js';

const price = SHIPPED_PRICES().models['claude-sonnet-4-6'];
if (!price) throw new Error('the shipped price table has no claude-sonnet-4-6');

const text = (n: number, cache?: object) => ({
  type: 'text',
  text: 'x'.repeat(n),
  ...(cache ? { cache_control: cache } : {}),
});
const request = (extra: object) => ({ model: 'claude-sonnet-4-6', max_tokens: 1000, ...extra });
const bytesOf = (body: object) => Buffer.byteLength(JSON.stringify(body));
const split = (body: object) => anthropicInputBytes(body, bytesOf(body));

t.test('no breakpoint: every byte is plain input', async (t) => {
  const body = request({ messages: [{ role: 'user', content: [text(5000)] }] });
  t.same(split(body), { input: bytesOf(body), cacheWrite: 0, cacheWrite1h: 0 });
});

t.test('bytes up to the last breakpoint may be writes, the rest is plain input', async (t) => {
  const after = { role: 'user', content: [text(3000)] };
  const body = request({
    system: [text(8000, { type: 'ephemeral' })],
    messages: [{ role: 'user', content: [text(2000, { type: 'ephemeral' })] }, after],
  });
  const bytes = split(body);
  t.equal(bytes.cacheWrite1h, 0, 'no one-hour breakpoint');
  t.ok(bytes.input >= 3000 && bytes.input < 3100, `the block after the breakpoint is input (${bytes.input})`);
  t.equal(bytes.input + bytes.cacheWrite, bytesOf(body), 'every byte is counted once');
  t.ok(bytes.cacheWrite >= 10_000, 'the prefix, and the request around it, are five-minute writes');
});

t.test(
  'a one-hour breakpoint prices its prefix at the one-hour price, the rest up to the last at 5m',
  async (t) => {
    const body = request({
      tools: [
        {
          name: 'read',
          description: 'y'.repeat(4000),
          input_schema: {},
          cache_control: { type: 'ephemeral', ttl: '1h' },
        },
      ],
      system: [text(6000, { type: 'ephemeral' })],
      messages: [{ role: 'user', content: [text(1000)] }],
    });
    const bytes = split(body);
    t.ok(
      bytes.cacheWrite >= 6000 && bytes.cacheWrite < 6100,
      `the system prompt is a 5m write (${bytes.cacheWrite})`,
    );
    t.ok(bytes.cacheWrite1h >= 4000, 'the tools, and what is not a block, are 1h writes');
    t.ok(bytes.input >= 1000 && bytes.input < 1100);
    t.equal(bytes.input + bytes.cacheWrite + bytes.cacheWrite1h, bytesOf(body));
  },
);

t.test(
  'a breakpoint at the top of the request, or nested in a tool result, makes all up to it a write',
  async (t) => {
    const top = request({
      cache_control: { type: 'ephemeral', ttl: '1h' },
      messages: [{ role: 'user', content: [text(900)] }],
    });
    t.same(split(top), { input: 0, cacheWrite: 0, cacheWrite1h: bytesOf(top) });
    const nested = request({
      messages: [
        { role: 'user', content: [text(900)] },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 't', content: [text(500, { type: 'ephemeral' })] }],
        },
      ],
    });
    t.same(split(nested), { input: 0, cacheWrite: bytesOf(nested), cacheWrite1h: 0 });
  },
);

t.test(
  'a breakpoint written with escapes is still one (the parsed body is read, not its bytes)',
  async (t) => {
    const raw = `{"model":"claude-sonnet-4-6","max_tokens":10,"messages":[{"role":"user","content":[{"type":"text","text":"${'z'.repeat(700)}","cache_\\u0063ontrol":{"type":"ephemeral","ttl":"\\u0031h"}}]}]}`;
    const bytes = anthropicInputBytes(JSON.parse(raw), Buffer.byteLength(raw));
    t.same(bytes, { input: 0, cacheWrite: 0, cacheWrite1h: Buffer.byteLength(raw) });
  },
);

t.test('the window caps the tokens, dearest kinds first; the 1M window only when asked for', async (t) => {
  const bound = (beta?: string) =>
    anthropic.inputBound(
      request({ messages: [{ role: 'user', content: [text(900_000, { type: 'ephemeral' })] }] }),
      900_100,
      beta ? { 'anthropic-beta': beta } : {},
    );
  t.equal(bound().maxTokens, 200_000);
  t.equal(bound('context-1m-2025-08-07').maxTokens, 1_000_000);
  // 200k tokens of five-minute writes at $3.75 per million: $0.75, not 900k bytes' $3.38.
  t.equal(inputCostMicros(price, bound()), 750_000);
  t.equal(inputCostMicros(price, bound('context-1m-2025-08-07')), Math.ceil(900_100 * 3.75));
  t.equal(
    inputCostMicros(price, {
      bytes: { input: 150_000, cacheWrite: 100_000, cacheWrite1h: 0 },
      maxTokens: 200_000,
    }),
    100_000 * 3.75 + 100_000 * 3,
    'the writes fill the window before plain input',
  );
});

const call = (input: PricedCall['input'], maxTokens = 1000): PricedCall => ({
  model: 'claude-sonnet-4-6',
  stream: true,
  maxTokens,
  priced: 'claude-sonnet-4-6',
  price,
  input,
});
const gateOf = (limitMicros: number) => {
  const ledger = new MemoryLedger();
  const gate = new LimitGate(ledger, {
    limits: async () => [
      { name: 'spec.limits.maxBudgetUsd', limitMicros, spentMicros: () => ledger.attemptSpent(ATTEMPT) },
    ],
  });
  return { ledger, gate };
};

t.test('a call whose input the remainder cannot pay is refused naming the limit, and recorded', async (t) => {
  const { ledger, gate } = gateOf(100_000);
  // 100k bytes of plain input may cost $0.30: more than the $0.10 left.
  const admission = await gate.admit(
    ATTEMPT,
    call({ bytes: { input: 100_000, cacheWrite: 0, cacheWrite1h: 0 }, maxTokens: 200_000 }),
  );
  t.same(admission, {
    allowed: false,
    message:
      "spec.limits.maxBudgetUsd is nearly spent: $0 of $0.1, and this call's input may cost up to $0.3",
  });
  t.same(
    [...ledger.refusals.values()],
    [admission.allowed ? '' : admission.message],
    'the attempt ends on it',
  );
});

t.test(
  'a call the remainder can pay is admitted with its output capped to what the input leaves',
  async (t) => {
    const { gate } = gateOf(100_000);
    // 20k bytes of input at most $0.06; $0.04 left buys 2666 output tokens at $15 per million.
    const admission = await gate.admit(
      ATTEMPT,
      call({ bytes: { input: 20_000, cacheWrite: 0, cacheWrite1h: 0 }, maxTokens: 200_000 }, 8000),
    );
    t.match(admission, { allowed: true, maxTokens: 2666 });
    t.match(
      await gate.admit(
        ATTEMPT,
        call({ bytes: { input: 10, cacheWrite: 0, cacheWrite1h: 0 }, maxTokens: 200_000 }),
      ),
      { allowed: false },
      'its input and output are held: nothing is left for another call while it is in flight',
    );
  },
);

t.test('the breakpoint decides: the same bytes are paid as input and refused as writes', async (t) => {
  const body = (cache?: object) => request({ messages: [{ role: 'user', content: [text(30_000, cache)] }] });
  const bound = (b: object) => anthropic.inputBound(b, bytesOf(b), {});
  const priced = (b: object) => call(bound(b), 100);
  // $0.10 pays 30k bytes of plain input ($0.09) and 100 output tokens, not 30k of five-minute writes ($0.1125).
  t.match(await gateOf(100_000).gate.admit(ATTEMPT, priced(body())), { allowed: true, maxTokens: 100 });
  t.match(await gateOf(100_000).gate.admit(ATTEMPT, priced(body({ type: 'ephemeral' }))), { allowed: false });
});
