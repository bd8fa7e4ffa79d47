import t from 'tap';
import { SseUsageReader } from './sse-usage.js';

const frame = (event: { type: string; [field: string]: unknown }) =>
  `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

const stream = [
  frame({
    type: 'message_start',
    message: {
      model: 'claude-opus-4-5',
      usage: {
        input_tokens: 12,
        output_tokens: 1,
        cache_creation_input_tokens: 300,
        cache_read_input_tokens: 40,
        cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 },
      },
    },
  }),
  frame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'é'.repeat(10) } }),
  frame({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 55 } }),
  frame({ type: 'message_stop' }),
].join('');

t.test(
  'counts from message_start, the cumulative output from message_delta, 1-hour writes apart',
  async (t) => {
    const whole = new SseUsageReader();
    whole.push(Buffer.from(stream));
    const expected = { input: 12, output: 55, cacheWrite: 100, cacheWrite1h: 200, cacheRead: 40 };
    t.same(whole.usage(), expected);
    t.equal(whole.answeredModel(), 'claude-opus-4-5');
    // The same bytes cut everywhere, even inside a UTF-8 character: the same counts.
    const bytes = Buffer.from(stream);
    for (const size of [1, 2, 3, 7, 64]) {
      const reader = new SseUsageReader();
      for (let i = 0; i < bytes.length; i += size) reader.push(bytes.subarray(i, i + size));
      t.same(reader.usage(), expected, `in chunks of ${size} bytes`);
    }
  },
);

t.test('a cut stream states what it saw; no usage at all is undefined', async (t) => {
  const reader = new SseUsageReader();
  t.equal(reader.usage(), undefined);
  reader.push(Buffer.from(stream.slice(0, stream.indexOf('message_delta'))));
  t.equal(reader.usage()?.output, 1);
});

t.test('an over-long line is dropped, not held, and the events after it still count', async (t) => {
  const reader = new SseUsageReader();
  reader.push(Buffer.from(`data: ${'x'.repeat(300 * 1024)}`));
  reader.push(Buffer.from(`${'y'.repeat(1024)}\n\n${stream}`));
  t.equal(reader.usage()?.output, 55);
});
