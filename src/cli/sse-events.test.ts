// sseEvents: the REST API's server-sent events read back into watch events, however the text is cut.
import t from 'tap';
import type { WatchEvent } from '../runtime/index.js';
import { sseEvents } from './sse-events.js';

const run = (name: string, resourceVersion: string) => ({ metadata: { name, resourceVersion } });

t.test('events cut anywhere, heartbeats and CRLF: each change once, in order', async (t) => {
  const seen: WatchEvent[] = [];
  const feed = sseEvents((e) => seen.push(e));
  const text =
    `: watching\n\nid: 5\nevent: ADDED\ndata: ${JSON.stringify(run('a', '5'))}\n\n` +
    ': keep-alive\r\n\r\n' +
    `id: 6\r\nevent: MODIFIED\r\ndata: ${JSON.stringify(run('a', '6'))}\r\n\r\n` +
    `event: DELETED\ndata: ${JSON.stringify(run('a', '7'))}\n\n`;
  for (let i = 0; i < text.length; i += 7) feed(text.slice(i, i + 7));
  t.same(
    seen.map((e) => [e.type, e.object.metadata?.resourceVersion]),
    [
      ['ADDED', '5'],
      ['MODIFIED', '6'],
      ['DELETED', '7'],
    ],
  );
});

t.test("the API's error event is the apiserver's ERROR, its Status the object", async (t) => {
  const seen: WatchEvent[] = [];
  sseEvents((e) => seen.push(e))(
    `event: error\ndata: ${JSON.stringify({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old' })}\n\n`,
  );
  t.match(seen, [{ type: 'ERROR', object: { code: 410, reason: 'Expired' } }]);
});

t.test('an event not yet ended is held until its blank line', async (t) => {
  const seen: WatchEvent[] = [];
  const feed = sseEvents((e) => seen.push(e));
  feed(`event: ADDED\ndata: ${JSON.stringify(run('b', '9'))}\n`);
  t.same(seen, [], 'nothing before the blank line');
  feed('\n');
  t.equal(seen.length, 1);
});

t.test('an event that never ends is refused past 16 MiB, not held', async (t) => {
  const feed = sseEvents(() => {});
  const line = `data: ${'x'.repeat(1024 * 1024)}\n`;
  t.throws(() => {
    for (let i = 0; i < 17; i++) feed(line);
  }, /an event of over 16 MiB/);
});
