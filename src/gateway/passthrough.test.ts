// The gateway passing a streamed answer on: byte for byte and as it arrives, its usage read wherever
// the chunks are cut; and a stopping gateway letting the calls it serves end and recording them.
import { once } from 'node:events';
import t from 'tap';
import { testGateway } from '../../test/harness/fakes/gateway.js';
import {
  messages,
  openStream,
  reservedFor,
  slowUpstream,
  steppedUpstream,
} from '../../test/harness/fakes/stream-upstream.js';
import { sseFrame } from '../../test/harness/remote/model-script.js';
import { waitFor } from '../../test/harness/util/wait.js';

t.test(
  'each piece the upstream sends reaches the client, byte for byte, before the next is sent; usage cut anywhere is read',
  async (t) => {
    const usage = {
      input_tokens: 10,
      output_tokens: 1,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    };
    const stream = Buffer.from(
      [
        sseFrame({ type: 'message_start', message: { model: 'claude-sonnet-4-6', usage } } as never),
        sseFrame({
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'text_delta', text: 'é日本語✓' },
        } as never),
        sseFrame({ type: 'message_delta', usage: { output_tokens: 7 } } as never),
        sseFrame({ type: 'message_stop' }),
      ].join(''),
    );
    // Cut inside the first usage key, inside a three-byte character, inside the second usage key.
    const cuts = [stream.indexOf('"usage"') + 3, stream.indexOf('日') + 1, stream.lastIndexOf('"usage"') + 5];
    const pieces = [0, ...cuts, stream.length]
      .slice(1)
      .map((end, i, ends) => stream.subarray(i ? ends[i - 1] : 0, end));
    const upstream = await steppedUpstream(t, pieces);
    const gw = await testGateway({ upstream: upstream.base });
    t.teardown(() => gw.server.close());
    const { res } = await openStream(`${gw.url}/v1/messages`);
    const received: Buffer[] = [];
    res.on('data', (c: Buffer) => received.push(c));
    const ended = once(res, 'end');
    let expected = 0;
    for (const piece of pieces) {
      upstream.next();
      expected += piece.length;
      // Nothing more is sent until the client has all that was: a gateway that held bytes back waits here.
      await waitFor(`the client to have the first ${expected} bytes`, (note) => {
        const has = Buffer.concat(received).length;
        note(`${has} bytes`);
        return has >= expected;
      });
    }
    await ended;
    t.same(Buffer.concat(received), stream, 'the bytes passed through unchanged');
    await waitFor('the ledger entry', () => gw.ledger.entries.length === 1);
    t.same(gw.ledger.entries[0]?.call.tokens, {
      input: 10,
      output: 7,
      cacheWrite: 0,
      cacheWrite1h: 0,
      cacheRead: 0,
    });
  },
);

t.test('a stopping gateway lets the stream it serves end, records it, then closes', async (t) => {
  const upstream = await slowUpstream(t);
  const gw = await testGateway({ upstream: upstream.base });
  const { res } = await openStream(`${gw.url}/v1/messages`);
  const received: Buffer[] = [];
  res.on('data', (c: Buffer) => received.push(c));
  const ended = once(res, 'end');
  await waitFor('the first event', () => received.length > 0);
  let closed = false;
  const closing = gw.server.close(60_000).then(() => {
    closed = true;
  });
  t.equal(gw.server.serving(), false, 'not ready from the stop on (the Service routes no new call here)');
  t.equal(gw.inFlight.calls, 1);
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(closed, false, 'the call in flight holds the close');
  upstream.release();
  await ended;
  t.match(Buffer.concat(received).toString(), /message_stop/, 'the answer ran on to its end');
  await closing;
  t.equal(await gw.inFlight.idle(10_000), true, 'no call left unrecorded');
  t.equal(gw.ledger.entries.length, 1);
  t.same(
    { cut: gw.ledger.entries[0]?.call.cut, output: gw.ledger.entries[0]?.call.tokens.output },
    { cut: false, output: 7 },
  );
});

t.test('past its grace, the stream is cut, and counted in flight until its record is written', async (t) => {
  const upstream = await slowUpstream(t);
  const gw = await testGateway({ upstream: upstream.base });
  let write: () => void = () => {};
  const recording = gw.ledger.record.bind(gw.ledger);
  gw.ledger.record = (attempt, call) =>
    new Promise<void>((resolve) => {
      write = () => void recording(attempt, call).then(resolve);
    });
  const { res } = await openStream(`${gw.url}/v1/messages`);
  res.resume();
  await once(res, 'data');
  await gw.server.close(0);
  await upstream.closed[0];
  t.equal(await gw.inFlight.idle(200), false, 'the cut call is in flight while its record is not written');
  write();
  t.equal(await gw.inFlight.idle(10_000), true);
  t.same(
    { cut: gw.ledger.entries[0]?.call.cut, tokens: gw.ledger.entries[0]?.call.tokens },
    { cut: true, tokens: reservedFor(messages({ stream: true })) },
    'the call is billed its reservation, marked cut: its output was never stated',
  );
});
