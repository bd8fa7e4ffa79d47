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

t.test('a cut stream states what it saw, not final; no usage at all is undefined', async (t) => {
  const reader = new SseUsageReader();
  t.equal(reader.usage(), undefined);
  t.equal(reader.final(), false);
  reader.push(Buffer.from(stream.slice(0, stream.indexOf('message_delta'))));
  t.equal(reader.usage()?.output, 1);
  t.equal(reader.final(), false, "message_start's output is not the call's: it is billed its reservation");
  reader.push(Buffer.from(stream.slice(stream.indexOf('message_delta'))));
  t.equal(reader.final(), true, 'message_delta states the whole output');
});

t.test('an over-long line is dropped, not held, and the events after it still count', async (t) => {
  const reader = new SseUsageReader();
  reader.push(Buffer.from(`data: ${'x'.repeat(300 * 1024)}`));
  reader.push(Buffer.from(`${'y'.repeat(1024)}\n\n${stream}`));
  t.equal(reader.usage()?.output, 55);
});

// Usage lines with multi-byte characters in them and before them, and a text delta that names "usage"
// (read and passed over), cut at every byte: one cut, then two.
const tricky = Buffer.from(
  [
    frame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'usage' } }),
    stream.replace('"end_turn"', '"stop_sequence","stop_sequence":"fin ✓ é"'),
    frame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: '日本語' } }),
  ].join(''),
);
const trickyUsage = { input: 12, output: 55, cacheWrite: 100, cacheWrite1h: 200, cacheRead: 40 };

t.test(
  'usage split anywhere across chunks, even inside the key or a character: the same counts',
  async (t) => {
    const whole = new SseUsageReader();
    whole.push(tricky);
    t.same(whole.usage(), trickyUsage);
    let wrong = 0;
    for (let i = 0; i <= tricky.length; i++) {
      const reader = new SseUsageReader();
      reader.push(tricky.subarray(0, i));
      reader.push(tricky.subarray(i));
      if (JSON.stringify(reader.usage()) !== JSON.stringify(trickyUsage)) wrong++;
    }
    t.equal(wrong, 0, 'in two pieces, cut at each byte');
    for (let i = 0; i < tricky.length; i += 5)
      for (let j = i; j < tricky.length; j += 3) {
        const reader = new SseUsageReader();
        for (const piece of [tricky.subarray(0, i), tricky.subarray(i, j), tricky.subarray(j)])
          reader.push(piece);
        if (JSON.stringify(reader.usage()) !== JSON.stringify(trickyUsage)) wrong++;
      }
    t.equal(wrong, 0, 'in three pieces');
  },
);
