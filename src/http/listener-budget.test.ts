import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { ManualClock } from '../../test/harness/fakes/manual-clock.js';
import { type HttpError, readJsonBody } from './json-body.js';
import { jsonParseCost } from './json-cost.js';
import { ListenerBudget, type ListenerBudgetOptions } from './listener-budget.js';
import { TokenBuckets } from './token-buckets.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A server whose handler holds each request until `release()`, behind a budget. */
async function served(
  t: { teardown(fn: () => unknown): void },
  opts: Partial<ListenerBudgetOptions>,
  parse = false,
) {
  const budget = new ListenerBudget({
    name: 'test',
    maxConcurrent: 2,
    maxBytesInFlight: 1000,
    maxBodyBytes: 600,
    ...opts,
  });
  const waiting: Array<() => void> = [];
  const server = createServer(
    budget.guard(async (req, res) => {
      try {
        if (parse) await readJsonBody(req, { limitBytes: 2000, timeoutMs: 5000 });
        else req.resume();
        await new Promise<void>((resolve) => waiting.push(resolve));
        res.end('served');
      } catch (err) {
        const e = err as HttpError;
        res
          .writeHead(e.status, e.retryAfterSeconds ? { 'Retry-After': String(e.retryAfterSeconds) } : {})
          .end(e.message);
      }
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const port = (server.address() as AddressInfo).port;
  const send = (body?: string, headers: Record<string, string> = {}, path = '/'): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', method: 'POST', path, headers, agent: false }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const release = () => {
    for (const r of waiting.splice(0)) r();
  };
  const held = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => (waiting.length >= n ? resolve() : setTimeout(check, 5));
      check();
    });
  return { budget, send, release, held };
}

t.test('past the concurrency a request is 503 with Retry-After and Connection: close', async (t) => {
  const { budget, send, release, held } = await served(t, {});
  const first = [send('{}'), send('{}')];
  await held(2);
  const refused = await send('{}');
  t.equal(refused.status, 503);
  t.equal(refused.headers['retry-after'], '1');
  t.equal(refused.headers.connection, 'close');
  t.match(JSON.parse(refused.body), { listener: 'test', error: /limit of 2 requests at once/ });
  release();
  t.same(
    (await Promise.all(first)).map((r) => r.status),
    [200, 200],
  );
  t.same(budget.inFlight, { requests: 0, bytes: 0 }, 'everything released when the responses end');
  const again = send('{}');
  await held(1);
  release();
  t.equal((await again).status, 200, 'served again once there is room');
});

t.test('bodies: stated length reserved; too large 413 from the header; past the bytes 503', async (t) => {
  const { budget, send, release, held } = await served(t, { maxConcurrent: 10 });
  const big = send('x'.repeat(500));
  await held(1);
  t.same(budget.inFlight, { requests: 1, bytes: 500 });
  const tooLarge = await send('x'.repeat(601));
  t.equal(tooLarge.status, 413);
  t.match(tooLarge.body, /body of 601 bytes exceeds the test server's limit of 600/);
  const noRoom = await send('x'.repeat(501));
  t.equal(noRoom.status, 503, 'the bytes in flight would pass 1000');
  const unknownLength = await send('x', { 'transfer-encoding': 'chunked' });
  t.equal(unknownLength.status, 503, 'a body of unknown length reserves the whole per-request limit');
  const small = send('x'.repeat(400));
  await held(2);
  t.same(budget.inFlight, { requests: 2, bytes: 900 });
  release();
  t.same(
    (await Promise.all([big, small])).map((r) => r.status),
    [200, 200],
  );
});

t.test('no body allowed: any body is 413', async (t) => {
  const { send } = await served(t, { maxBodyBytes: 0, maxBytesInFlight: 0 });
  t.equal((await send('x')).status, 413);
  t.equal((await send('x', { 'transfer-encoding': 'chunked' })).status, 413);
});

t.test('per-address rate: 429 with the wait, before anything else', async (t) => {
  const clock = new ManualClock();
  const perAddress = new TokenBuckets({ ratePerSecond: 1, burst: 2, clock });
  const { send, release, held } = await served(t, { perAddress, maxConcurrent: 10 });
  const two = [send(), send()];
  await held(2);
  const third = await send();
  t.equal(third.status, 429);
  t.equal(third.headers['retry-after'], '1');
  clock.advance(1000);
  const fourth = send();
  await held(3);
  release();
  t.same(
    (await Promise.all([...two, fourth])).map((r) => r.status),
    [200, 200, 200],
  );
});

t.test(
  "parsing is reserved first: a body whose parse would not fit is 413, or 503 while others' do",
  async (t) => {
    const budget = 40_000;
    const { send, release, held } = await served(
      t,
      { maxConcurrent: 10, maxBytesInFlight: budget, maxBodyBytes: 2000 },
      true,
    );
    const objects = `[${'{},'.repeat(300)}{}]`;
    t.ok(jsonParseCost(Buffer.from(objects)) > budget, 'the estimate of 301 objects is above the budget');
    const never = await send(objects, { 'content-type': 'application/json' });
    t.equal(never.status, 413);
    t.match(never.body, /parsing this body would take about \d+ bytes/);
    const strings = JSON.stringify({ s: 'x'.repeat(300) });
    const cost = jsonParseCost(Buffer.from(strings));
    t.ok(cost + strings.length < budget && 2 * (cost + strings.length) > budget, 'one fits, two do not');
    const first = send(strings, { 'content-type': 'application/json' });
    await held(1);
    const busy = await send(strings, { 'content-type': 'application/json' });
    t.equal(busy.status, 503);
    t.equal(busy.headers['retry-after'], '1');
    release();
    t.equal((await first).status, 200);
  },
);

t.test('a target that is not a plain path is 400 before anything else, its connection closed', async (t) => {
  const { send, budget } = await served(t, {});
  for (const path of ['http://127.0.0.1/', '/a#b', '*']) {
    const refused = await send('{}', {}, path);
    t.equal(refused.status, 400, path);
    t.equal(refused.headers.connection, 'close');
    t.match(JSON.parse(refused.body), { error: /request target must be a path/ });
  }
  // Node's parser refuses a non-ASCII target itself, before any handler (koa would trim the path).
  t.equal((await send('{}', {}, '/caf\u00e9')).status, 400);
  t.same(budget.inFlight, { requests: 0, bytes: 0 }, 'nothing held for them');
});

t.test('a body is read no further than its ticket reserved, whatever the reader allows', async (t) => {
  // The reader (readJsonBody) would take 2000 bytes; the budget let the request in for 600.
  const { send } = await served(t, { maxConcurrent: 10 }, true);
  const chunked = await send(`"${'x'.repeat(1000)}"`, {
    'content-type': 'application/json',
    'transfer-encoding': 'chunked',
  });
  t.equal(chunked.status, 413);
  t.match(chunked.body, /body exceeds the limit of 600 bytes/);
});
