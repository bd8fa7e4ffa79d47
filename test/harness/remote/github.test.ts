// deliverUntilAnswered: a 503 redelivered as GitHub's "Redeliver" does, the same GUID and body, a
// bounded number of times.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { deliverUntilAnswered } from './github.js';

/** A receiver answering each post with the next of `statuses` (the last one ever after). */
async function receiver(t: Test, statuses: number[]) {
  const seen: { id: string; body: string }[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({ id: String(req.headers['x-github-delivery']), body });
    res.writeHead(statuses[Math.min(seen.length, statuses.length) - 1] ?? 500, {
      'content-type': 'application/json',
    });
    res.end(JSON.stringify({ message: `post ${seen.length}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen };
}

t.test('a 503 is redelivered with the same GUID and body until another answer', async (t) => {
  const { url, seen } = await receiver(t, [503, 503, 201]);
  const answer = await deliverUntilAnswered(url, 's', { event: 'issues', body: '{"a":1}' });
  t.equal(answer.status, 201);
  t.equal(answer.redelivered, 2);
  t.equal(answer.body.message, 'post 3');
  t.equal(new Set(seen.map((s) => s.id)).size, 1, 'one GUID');
  t.same(
    seen.map((s) => s.body),
    ['{"a":1}', '{"a":1}', '{"a":1}'],
  );
});

t.test('at most `posts` posts, and any other answer is not redelivered', async (t) => {
  const down = await receiver(t, [503]);
  const given = await deliverUntilAnswered(down.url, 's', { event: 'issues', body: '{}' }, 2);
  t.equal(given.status, 503);
  t.equal(down.seen.length, 2);
  const refused = await receiver(t, [403]);
  const once = await deliverUntilAnswered(refused.url, 's', { event: 'issues', body: '{}' });
  t.equal(once.status, 403);
  t.equal(once.redelivered, 0);
  t.equal(refused.seen.length, 1);
});
