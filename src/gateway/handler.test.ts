import { once } from 'node:events';
import { createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { FakeApi } from '../../test/harness/fakes/fake-api.js';
import {
  ATTEMPT,
  PLATFORM_KEY,
  SHIPPED_PRICES,
  type TestGateway,
  TOKEN,
  testGateway,
} from '../../test/harness/fakes/gateway.js';
import {
  messages,
  openStream,
  reservedFor,
  slowUpstream,
  wholeUpstream,
} from '../../test/harness/fakes/stream-upstream.js';
import { say, sseFrame } from '../../test/harness/remote/model-script.js';
import { ModelStandin } from '../../test/harness/remote/model-standin.js';
import { waitFor } from '../../test/harness/util/wait.js';
import { KubeLedger } from './kube-ledger.js';
import { callCostMicros } from './prices.js';
import type { CallTokens } from './tokens.js';

const USAGE = {
  input_tokens: 1000,
  output_tokens: 500,
  cache_creation_input_tokens: 2000,
  cache_read_input_tokens: 4000,
};
// claude-sonnet-4-6 at $3 in, $15 out, $3.75 cache write, $0.30 cache read per million tokens.
const SONNET_COST_MICROS = 1000 * 3 + 500 * 15 + 2000 * 3.75 + 4000 * 0.3;
/** The most the input of messages() can cost: its bytes as tokens of plain input at $3 per million. */
const INPUT_MICROS = Buffer.byteLength(JSON.stringify(messages())) * 3;

const sonnet = SHIPPED_PRICES().models['claude-sonnet-4-6'];
if (!sonnet) throw new Error('the shipped price table has no claude-sonnet-4-6');
/** What `tokens` cost at the shipped claude-sonnet-4-6 price. */
const SONNET = (tokens: CallTokens) => callCostMicros(sonnet, tokens);

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
}

function call(
  base: string,
  path: string,
  opts: { method?: string; body?: unknown; token?: string | undefined; raw?: Buffer } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = opts.raw ?? (opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body)));
    const req = request(`${base}${path}`, {
      method: opts.method ?? (body ? 'POST' : 'GET'),
      headers: {
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        ...(opts.token === undefined ? {} : { 'x-api-key': opts.token }),
      },
    });
    req.once('error', reject);
    req.once('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.once('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString() }),
      );
    });
    req.end(body);
  });
}

/** The max_tokens of the last request the stand-in received. */
const maxTokensSent = (standin: ModelStandin) =>
  (standin.requests.at(-1)?.body as { max_tokens?: number } | undefined)?.max_tokens;

async function withStandin(t: Test) {
  const standin = new ModelStandin({
    script: [],
    apiKey: PLATFORM_KEY,
    aside: () => ({ ...say('hi there'), usage: USAGE }),
  });
  const base = await standin.listen();
  t.teardown(() => standin.close());
  return { standin, base };
}

t.test('a JSON call goes upstream with the platform key, never the token, and is metered', async (t) => {
  const { standin, base } = await withStandin(t);
  const gw = await testGateway({ upstream: base });
  t.teardown(() => gw.server.close());
  const answer = await call(gw.url, '/v1/messages', { body: messages(), token: TOKEN });
  t.equal(answer.status, 200, answer.text);
  t.match(JSON.parse(answer.text).usage, USAGE, 'the answer passes through unchanged');
  t.same(standin.problems, [], 'the forwarded request has the SDK shapes');
  t.equal(standin.requests.length, 1);
  t.equal(gw.ledger.entries.length, 1);
  const entry = gw.ledger.entries[0];
  t.same(entry?.attempt, ATTEMPT);
  t.same(entry?.call.tokens, {
    input: 1000,
    output: 500,
    cacheWrite: 2000,
    cacheWrite1h: 0,
    cacheRead: 4000,
  });
  t.equal(entry?.call.costMicros, SONNET_COST_MICROS);
  t.equal(entry?.call.priced, 'claude-sonnet-4-6');
});

t.test('a streamed call is metered from message_start and message_delta', async (t) => {
  const { base } = await withStandin(t);
  const gw = await testGateway({ upstream: base });
  t.teardown(() => gw.server.close());
  const answer = await call(gw.url, '/v1/messages', { body: messages({ stream: true }), token: TOKEN });
  t.equal(answer.status, 200);
  t.match(answer.headers['content-type'], /text\/event-stream/);
  t.match(answer.text, /event: message_stop/);
  t.equal(gw.ledger.entries[0]?.call.costMicros, SONNET_COST_MICROS);
  t.equal(gw.ledger.entries[0]?.call.cut, false);
});

t.test(
  'the calls the CLI makes besides messages pass unmetered; /api/hello is answered locally',
  async (t) => {
    const { standin, base } = await withStandin(t);
    const gw = await testGateway({ upstream: base });
    t.teardown(() => gw.server.close());
    t.equal((await call(gw.url, '/v1/models', { token: TOKEN })).status, 200);
    t.equal((await call(gw.url, '/v1/models/claude-haiku-4-5', { token: TOKEN })).status, 200);
    const counted = await call(gw.url, '/v1/messages/count_tokens', {
      body: { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] },
      token: TOKEN,
    });
    t.equal(counted.status, 200, counted.text);
    t.equal((await call(gw.url, '/api/hello')).status, 200);
    t.equal(standin.requests.length, 3, '/api/hello never reached the upstream');
    t.same(standin.problems, []);
    t.equal(gw.ledger.entries.length, 0);
    const unknown = await call(gw.url, '/v1/files', { token: TOKEN });
    t.equal(unknown.status, 404);
    t.equal(JSON.parse(unknown.text).error.type, 'not_found_error');
    // A batch is answered (and billed) long after its call: the gateway does not serve it.
    const batch = await call(gw.url, '/v1/messages/batches', { body: { requests: [] }, token: TOKEN });
    t.equal(batch.status, 404);
    t.equal(standin.requests.length, 3, 'nothing more reached the upstream');
  },
);

t.test('no valid token: 401 in the API format, before the body is read or the upstream asked', async (t) => {
  const { standin, base } = await withStandin(t);
  const gw = await testGateway({ upstream: base });
  t.teardown(() => gw.server.close());
  for (const token of [undefined, 'forged', PLATFORM_KEY]) {
    const answer = await call(gw.url, '/v1/messages', { body: messages(), token });
    t.equal(answer.status, 401);
    t.same(JSON.parse(answer.text), {
      type: 'error',
      error: { type: 'authentication_error', message: 'no valid attempt token (or its attempt has ended)' },
    });
    t.equal(answer.headers['x-should-retry'], 'false');
  }
  t.equal(standin.requests.length, 0);
});

t.test('a body past the limit is 413 and never forwarded', async (t) => {
  const { standin, base } = await withStandin(t);
  const gw = await testGateway({ upstream: base, bodyLimitBytes: 65536 });
  t.teardown(() => gw.server.close());
  const big = messages({ messages: [{ role: 'user', content: 'x'.repeat(70_000) }] });
  const answer = await call(gw.url, '/v1/messages', { body: big, token: TOKEN });
  t.equal(answer.status, 413);
  t.equal(standin.requests.length, 0);
});

t.test('a model without a price is refused, naming it; a stated fallback prices it', async (t) => {
  const { standin, base } = await withStandin(t);
  const models = {
    'claude-sonnet-4-6': {
      inputUsd: '3',
      outputUsd: '15',
      cacheWriteUsd: '3.75',
      cacheWrite1hUsd: '6',
      cacheReadUsd: '0.3',
    },
  };
  const refusing = await testGateway({ upstream: base, prices: { models } });
  t.teardown(() => refusing.server.close());
  const refused = await call(refusing.url, '/v1/messages', {
    body: messages({ model: 'claude-sonnet-4-20250514' }),
    token: TOKEN,
  });
  t.equal(refused.status, 400);
  t.match(JSON.parse(refused.text).error.message, /model: "claude-sonnet-4-20250514" has no price/);
  t.equal(standin.requests.length, 0);
  const falling = await testGateway({
    upstream: base,
    prices: { models, fallbackModel: 'claude-sonnet-4-6' },
  });
  t.teardown(() => falling.server.close());
  const priced = await call(falling.url, '/v1/messages', {
    body: messages({ model: 'claude-sonnet-4-20250514' }),
    token: TOKEN,
  });
  t.equal(priced.status, 200);
  t.equal(falling.ledger.entries[0]?.call.priced, 'claude-sonnet-4-6');
});

t.test('past the attempt limit the call is refused in the API format, naming the limit', async (t) => {
  const { standin, base } = await withStandin(t);
  const gw = await testGateway({
    upstream: base,
    limits: (ledger) => [
      {
        name: 'spec.limits.maxBudgetUsd',
        limitMicros: SONNET_COST_MICROS + 1,
        spentMicros: () => ledger.attemptSpent(ATTEMPT),
      },
    ],
  });
  t.teardown(() => gw.server.close());
  t.equal((await call(gw.url, '/v1/messages', { body: messages(), token: TOKEN })).status, 200);
  t.equal(maxTokensSent(standin), 1024, 'a call the remainder pays for is not capped');
  // $0.000001 is left: it pays neither the call's input nor an output token.
  const refused = await call(gw.url, '/v1/messages', { body: messages(), token: TOKEN });
  t.equal(refused.status, 402);
  const spent = `spec.limits.maxBudgetUsd is nearly spent: $${SONNET_COST_MICROS / 1e6} of $${(SONNET_COST_MICROS + 1) / 1e6}, and this call's input may cost up to $${INPUT_MICROS / 1e6}`;
  t.same(JSON.parse(refused.text).error, { type: 'billing_error', message: spent });
  t.equal(standin.requests.length, 1, 'the refused call never reached the upstream');
  t.same(
    [...gw.ledger.refusals.values()],
    [spent],
    'the refusal is in the ledger, for the attempt to end on',
  );
  let refuse = 0;
  const refusing = gw.ledger.refuse.bind(gw.ledger);
  gw.ledger.refuse = (...args) => {
    refuse++;
    return refusing(...args);
  };
  t.equal((await call(gw.url, '/v1/messages', { body: messages(), token: TOKEN })).status, 402);
  t.equal(refuse, 0, 'an agent calling again and again costs no further ledger write');
});

t.test(
  'a loop of calls billed past their reservation stops at the limit, though their records wait to be written',
  async (t) => {
    // Each call states 100k input tokens its small body could not hold: $0.315, far past its reservation.
    const standin = new ModelStandin({
      script: [],
      apiKey: PLATFORM_KEY,
      aside: () => ({ ...say('spent'), usage: { input_tokens: 100_000, output_tokens: 1_000 } }),
    });
    const base = await standin.listen();
    t.teardown(() => standin.close());
    // The cluster's ledger, writing a record at most every 5 s: the loop's calls end long before that.
    const ledger = new KubeLedger({
      client: new FakeApi(),
      namespace: 'orchestrator-system',
      records: { list: () => [], addHandler: () => () => {} },
      writeEveryMs: 5_000,
    });
    const gw = await testGateway({
      upstream: base,
      ledger,
      limits: (l) => [
        {
          name: 'spec.limits.maxBudgetUsd',
          limitMicros: 1_000_000,
          spentMicros: () => l.attemptSpent(ATTEMPT),
        },
      ],
    });
    t.teardown(() => gw.server.close());
    const codes: number[] = [];
    for (let i = 0; i < 6; i++)
      codes.push((await call(gw.url, '/v1/messages', { body: messages(), token: TOKEN })).status);
    // $0.945 after three calls leaves enough for a fourth's input; $1.26 after it leaves nothing.
    t.same(codes, [200, 200, 200, 200, 402, 402], 'refused from the call after the limit was passed');
    t.equal(standin.requests.length, 4, 'the refused calls never reached the upstream');
    t.equal(await ledger.attemptSpent(ATTEMPT), 1_260_000, 'every call counted the moment it was metered');
    await waitFor('the loop’s calls written to the ledger', () => gw.inFlight.calls === 0);
  },
);

t.test('a model name that is no model id is refused before it is priced or recorded', async (t) => {
  const { standin, base } = await withStandin(t);
  const gw = await testGateway({ upstream: base });
  t.teardown(() => gw.server.close());
  const long = await call(gw.url, '/v1/messages', {
    body: messages({ model: `claude-sonnet-4-6${'x'.repeat(200)}` }),
    token: TOKEN,
  });
  t.equal(long.status, 400);
  t.match(JSON.parse(long.text).error.message, /^model: must be a model id/);
  t.equal(standin.requests.length, 0);
});

t.test('near a limit, max_tokens is capped to what the remainder pays for', async (t) => {
  const { standin, base } = await withStandin(t);
  const gw = await testGateway({
    upstream: base,
    // What is left pays the call's input and buys 100 output tokens at $15 per million.
    limits: () => [{ name: 'budget "team-a"', limitMicros: INPUT_MICROS + 1500, spentMicros: async () => 0 }],
  });
  t.teardown(() => gw.server.close());
  t.equal((await call(gw.url, '/v1/messages', { body: messages(), token: TOKEN })).status, 200);
  t.equal(maxTokensSent(standin), 100);
});

t.test(
  'a large input is paid for before the output: capped as plain input, less as a write, refused as a 1h write',
  async (t) => {
    const { standin, base } = await withStandin(t);
    const gw = await testGateway({
      upstream: base,
      limits: () => [{ name: 'spec.limits.maxBudgetUsd', limitMicros: 40_000, spentMicros: async () => 0 }],
    });
    t.teardown(() => gw.server.close());
    const body = (cache?: object) =>
      messages({
        messages: [
          {
            role: 'user',
            content: [{ type: 'text', text: 'x'.repeat(10_000), ...(cache ? { cache_control: cache } : {}) }],
          },
        ],
      });
    const size = Buffer.byteLength(JSON.stringify(body()));
    // 10k bytes: at most $0.03 of plain input at $3 per million; the rest buys output at $15.
    t.equal((await call(gw.url, '/v1/messages', { body: body(), token: TOKEN })).status, 200);
    t.equal(maxTokensSent(standin), Math.floor((40_000 - size * 3) / 15));
    // Under a five-minute breakpoint the same bytes may be writes at $3.75: less is left for output.
    const fiveMinutes = body({ type: 'ephemeral' });
    t.equal((await call(gw.url, '/v1/messages', { body: fiveMinutes, token: TOKEN })).status, 200);
    const written = Math.ceil(Buffer.byteLength(JSON.stringify(fiveMinutes)) * 3.75);
    t.equal(maxTokensSent(standin), Math.floor((40_000 - written) / 15));
    // At the one-hour price ($6) the input alone may cost $0.06: refused before it is forwarded.
    const refused = await call(gw.url, '/v1/messages', {
      body: body({ type: 'ephemeral', ttl: '1h' }),
      token: TOKEN,
    });
    t.equal(refused.status, 402);
    t.match(
      JSON.parse(refused.text).error.message,
      /^spec\.limits\.maxBudgetUsd is nearly spent: \$0 of \$0\.04, and this call's input may cost up to \$0\.06/,
    );
    t.equal(standin.requests.length, 2, 'the refused call never reached the upstream');
  },
);

t.test(
  'events pass through as they arrive: the first reaches the client before the upstream ends',
  async (t) => {
    const upstream = await slowUpstream(t);
    const gw = await testGateway({ upstream: upstream.base });
    t.teardown(() => gw.server.close());
    const { res } = await openStream(`${gw.url}/v1/messages`);
    const [first] = (await once(res, 'data')) as [Buffer];
    t.match(first.toString(), /message_start/, 'the first event came while the upstream still held the rest');
    upstream.release();
    res.resume();
    await once(res, 'end');
    t.equal(gw.ledger.entries[0]?.call.tokens.output, 7);
    t.equal(gw.ledger.entries[0]?.call.tokens.input, 10);
  },
);

/** The one ledger entry of `gw`, once it is written. */
async function onlyEntry(gw: TestGateway) {
  await waitFor('the ledger entry of the call', () => gw.ledger.entries.length === 1);
  return gw.ledger.entries[0]?.call;
}

t.test('a client that goes away cancels the upstream call, which is billed its reservation', async (t) => {
  const upstream = await slowUpstream(t);
  const gw = await testGateway({ upstream: upstream.base });
  t.teardown(() => gw.server.close());
  const { res, destroy } = await openStream(`${gw.url}/v1/messages`);
  await once(res, 'data');
  destroy();
  await upstream.closed[0];
  t.pass('the upstream connection was closed while its answer was unfinished');
  // message_start stated 1 output token: the provider bills what it generated until the cut, unknown here.
  const reserved = reservedFor(messages({ stream: true }));
  t.match(await onlyEntry(gw), { cut: true, tokens: reserved, costMicros: SONNET(reserved) });
});

t.test('an upstream that does not answer in time: 504, its call billed its reservation', async (t) => {
  const upstream = await slowUpstream(t);
  const gw = await testGateway({ upstream: `${upstream.base}/hang`, timeoutMs: 200 });
  t.teardown(() => gw.server.close());
  const answer = await call(gw.url, '/v1/messages', { body: messages(), token: TOKEN });
  t.equal(answer.status, 504);
  t.equal(JSON.parse(answer.text).error.type, 'timeout_error');
  await upstream.closed[0];
  t.match(await onlyEntry(gw), { cut: true, tokens: reservedFor(messages()) });
});

t.test('a JSON call whose client leaves before the answer is billed its reservation', async (t) => {
  const upstream = await slowUpstream(t);
  const gw = await testGateway({ upstream: `${upstream.base}/hang` });
  t.teardown(() => gw.server.close());
  const body = messages({ max_tokens: 8000 });
  const req = request(`${gw.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
  });
  req.once('error', () => {});
  req.end(JSON.stringify(body));
  await waitFor('the call upstream', () => upstream.closed.length === 1);
  req.destroy();
  await upstream.closed[0];
  const reserved = reservedFor(body);
  t.match(await onlyEntry(gw), { cut: true, tokens: reserved, costMicros: SONNET(reserved) });
});

t.test('a call the upstream never received (its connection refused) is not billed', async (t) => {
  const gone = createServer();
  await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
  const { port } = gone.address() as AddressInfo;
  await new Promise((resolve) => gone.close(resolve));
  const gw = await testGateway({ upstream: `http://127.0.0.1:${port}` });
  t.teardown(() => gw.server.close());
  const answer = await call(gw.url, '/v1/messages', { body: messages(), token: TOKEN });
  t.equal(answer.status, 502);
  t.equal(await gw.inFlight.idle(10_000), true);
  t.equal(gw.ledger.entries.length, 0);
});

t.test(
  'a 2xx answer without usage, or a stream that errs after message_start, is billed its reservation',
  async (t) => {
    const noUsage = await wholeUpstream(
      t,
      'application/json',
      JSON.stringify({ type: 'message', content: [] }),
    );
    const gw = await testGateway({ upstream: noUsage });
    t.teardown(() => gw.server.close());
    t.equal((await call(gw.url, '/v1/messages', { body: messages(), token: TOKEN })).status, 200);
    t.match(await onlyEntry(gw), { cut: true, tokens: reservedFor(messages()) });
    const start = { type: 'message_start', message: { usage: { input_tokens: 10, output_tokens: 1 } } };
    const error = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
    const erring = await wholeUpstream(t, 'text/event-stream', sseFrame(start) + sseFrame(error));
    const streamed = await testGateway({ upstream: erring });
    t.teardown(() => streamed.server.close());
    const body = messages({ stream: true });
    t.equal((await call(streamed.url, '/v1/messages', { body, token: TOKEN })).status, 200);
    t.match(await onlyEntry(streamed), { cut: true, tokens: reservedFor(body) });
  },
);

t.test('near a limit, a cut call is billed the output cap it was forwarded with', async (t) => {
  const upstream = await slowUpstream(t);
  const gw = await testGateway({
    upstream: upstream.base,
    // What is left pays the call's input and buys 100 output tokens at $15 per million.
    limits: () => [
      {
        name: 'budget "team-a"',
        limitMicros: reservedFor(messages({ stream: true })).input * 3 + 1500,
        spentMicros: async () => 0,
      },
    ],
  });
  t.teardown(() => gw.server.close());
  const { res, destroy } = await openStream(`${gw.url}/v1/messages`);
  await once(res, 'data');
  destroy();
  const reserved = { ...reservedFor(messages({ stream: true })), output: 100 };
  t.match(await onlyEntry(gw), { cut: true, tokens: reserved, costMicros: SONNET(reserved) });
});
