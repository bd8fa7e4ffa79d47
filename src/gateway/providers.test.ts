// The OpenAI and Gemini routes through the real handler, against their stand-ins
// (test/harness/remote/openai-standin.ts, gemini-standin.ts): the attempt's token checked and never
// forwarded, the platform's key sent, each answer's usage metered as the stand-in billed it, JSON and
// streamed, a spent limit refused in the provider's own error format before any upstream call, and the
// path prefixes routed.
import { request } from 'node:http';
import t from 'tap';
import { ATTEMPT, PLATFORM_KEY, TOKEN, testGateway } from '../../test/harness/fakes/gateway.js';
import { wholeUpstream } from '../../test/harness/fakes/stream-upstream.js';
import { GeminiStandin } from '../../test/harness/remote/gemini-standin.js';
import { sseFrame } from '../../test/harness/remote/model-script.js';
import { OpenaiStandin } from '../../test/harness/remote/openai-standin.js';
import { waitFor } from '../../test/harness/util/wait.js';
import { gemini } from './gemini.js';
import { openai } from './openai.js';
import { openaiUnmeterable } from './openai-unmeterable.js';
import { callCostMicros, type PriceTable } from './prices.js';
import { providerRoutes } from './provider-routes.js';
import { NO_TOKENS } from './tokens.js';

const PRICES: PriceTable = {
  models: {
    'gpt-5': {
      inputUsd: '1.25',
      outputUsd: '10',
      cacheWriteUsd: '1.25',
      cacheWrite1hUsd: '1.25',
      cacheReadUsd: '0.125',
    },
    'gemini-2.5-pro': {
      inputUsd: '1.25',
      outputUsd: '10',
      cacheWriteUsd: '1.25',
      cacheWrite1hUsd: '1.25',
      cacheReadUsd: '0.31',
    },
  },
};

function call(url: string, headers: Record<string, string>, body?: unknown) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', ...headers },
    });
    req.once('error', reject);
    req.once('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString() }));
    });
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const OPENAI_USAGE = {
  input_tokens: 3000,
  input_tokens_details: { cached_tokens: 1000, cache_write_tokens: 0 },
  output_tokens: 400,
  output_tokens_details: { reasoning_tokens: 100 },
  total_tokens: 3400,
};

for (const stream of [false, true])
  t.test(
    `OpenAI Responses (${stream ? 'streamed' : 'JSON'}): metered as billed, the platform's key upstream`,
    async (t) => {
      const standin = new OpenaiStandin({
        script: [{ text: 'hello' }],
        apiKey: PLATFORM_KEY,
        usage: OPENAI_USAGE,
      });
      const base = await standin.listen();
      t.teardown(() => standin.close());
      const gw = await testGateway({ upstream: base, provider: openai, prices: PRICES });
      t.teardown(() => gw.server.close());
      // `store: false`, as the Codex CLI sends it: a stored response is refused (openai-unmeterable.ts).
      const body = { model: 'gpt-5-codex', input: [{ role: 'user', content: 'hi' }], stream, store: false };
      const answer = await call(`${gw.url}/v1/responses`, { authorization: `Bearer ${TOKEN}` }, body);
      t.equal(answer.status, 200, answer.text);
      t.same(
        standin.requests.map((r) => r.problems),
        [[]],
        'the forwarded request has the SDK shapes',
      );
      await waitFor('the call recorded in the ledger', () => gw.ledger.entries.length === 1);
      const entry = gw.ledger.entries[0];
      t.same(entry?.attempt, ATTEMPT);
      const tokens = { input: 2000, output: 400, cacheWrite: 0, cacheWrite1h: 0, cacheRead: 1000 };
      t.same(entry?.call.tokens, tokens, 'the usage the stand-in billed, cached input priced as cache reads');
      t.equal(entry?.call.priced, 'gpt-5', 'priced by the longest entry the model starts with');
      t.equal(entry?.call.costMicros, callCostMicros(PRICES.models['gpt-5'] as never, tokens));
    },
  );

t.test(
  'OpenAI: a wrong token is refused before the stand-in hears of it; a spent limit likewise',
  async (t) => {
    const standin = new OpenaiStandin({ script: [], apiKey: PLATFORM_KEY, usage: OPENAI_USAGE });
    const base = await standin.listen();
    t.teardown(() => standin.close());
    const gw = await testGateway({
      upstream: base,
      provider: openai,
      prices: PRICES,
      limits: () => [{ name: 'spec.limits.maxBudgetUsd', limitMicros: 100, spentMicros: async () => 100 }],
    });
    t.teardown(() => gw.server.close());
    const body = { model: 'gpt-5', input: 'hi', store: false };
    const bad = await call(`${gw.url}/v1/responses`, { authorization: 'Bearer nope' }, body);
    t.equal(bad.status, 401);
    t.equal(JSON.parse(bad.text).error.code, 'invalid_api_key');
    const spent = await call(`${gw.url}/v1/responses`, { authorization: `Bearer ${TOKEN}` }, body);
    t.equal(spent.status, 429, "the API's quota answer, which the CLI does not retry");
    t.match(JSON.parse(spent.text).error, { code: 'insufficient_quota', message: /maxBudgetUsd is spent/ });
    t.equal(standin.requests.length, 0, 'nothing went upstream');
  },
);

t.test('OpenAI: what the gateway cannot meter is refused naming the field, nothing upstream', async (t) => {
  const standin = new OpenaiStandin({ script: [], apiKey: PLATFORM_KEY, usage: OPENAI_USAGE });
  const base = await standin.listen();
  t.teardown(() => standin.close());
  const gw = await testGateway({ upstream: base, provider: openai, prices: PRICES });
  t.teardown(() => gw.server.close());
  const asks: [string, Record<string, unknown>][] = [
    ['background', { background: true, store: true }],
    ['store', { store: true }],
    ['store', {}],
    ['previous_response_id', { store: false, previous_response_id: 'resp_1' }],
    ['conversation', { store: false, conversation: 'conv_1' }],
  ];
  for (const [field, ask] of asks) {
    const body = { model: 'gpt-5', input: 'hi', ...ask };
    const answer = await call(`${gw.url}/v1/responses`, { authorization: `Bearer ${TOKEN}` }, body);
    t.equal(answer.status, 400, JSON.stringify(ask));
    t.match(JSON.parse(answer.text).error, {
      type: 'invalid_request_error',
      message: new RegExp(`^${field}: must be`),
    });
  }
  t.equal(standin.requests.length, 0, 'nothing went upstream');
  t.equal(openaiUnmeterable({ model: 'gpt-5' }, '/v1/responses/compact'), undefined, 'compact keeps nothing');
});

t.test('OpenAI: a stream that ends before response.completed is billed its reservation', async (t) => {
  const events = [
    { type: 'response.created', response: { id: 'r', status: 'in_progress', usage: null } },
    { type: 'response.output_text.delta', delta: 'tok ' },
  ];
  const upstream = await wholeUpstream(t, 'text/event-stream', events.map((e) => sseFrame(e)).join(''));
  const gw = await testGateway({ upstream, provider: openai, prices: PRICES });
  t.teardown(() => gw.server.close());
  const body = { model: 'gpt-5', input: 'go', stream: true, store: false };
  const answer = await call(`${gw.url}/v1/responses`, { authorization: `Bearer ${TOKEN}` }, body);
  t.equal(answer.status, 200);
  await waitFor('the call recorded in the ledger', () => gw.ledger.entries.length === 1);
  // Any byte may be a cache write, at the input's price here; no max_output_tokens: the models' most.
  const tokens = { ...NO_TOKENS, input: Buffer.byteLength(JSON.stringify(body)), output: 128_000 };
  t.match(gw.ledger.entries[0]?.call, {
    cut: true,
    tokens,
    costMicros: callCostMicros(PRICES.models['gpt-5'] as never, tokens),
  });
});

const GEMINI_USAGE = {
  promptTokenCount: 5000,
  cachedContentTokenCount: 2000,
  candidatesTokenCount: 300,
  thoughtsTokenCount: 200,
  totalTokenCount: 5500,
};

for (const stream of [false, true])
  t.test(`Gemini (${stream ? 'streamGenerateContent' : 'generateContent'}): metered as billed`, async (t) => {
    const standin = new GeminiStandin({
      script: [{ text: 'hello' }],
      apiKey: PLATFORM_KEY,
      usage: GEMINI_USAGE,
    });
    const base = await standin.listen();
    t.teardown(() => standin.close());
    const gw = await testGateway({ upstream: base, provider: gemini, prices: PRICES });
    t.teardown(() => gw.server.close());
    const path = `/v1beta/models/gemini-2.5-pro:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
    const body = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };
    const answer = await call(`${gw.url}${path}`, { 'x-goog-api-key': TOKEN }, body);
    t.equal(answer.status, 200, answer.text);
    t.same(
      standin.requests.map((r) => r.problems),
      [[]],
    );
    const tokens = { input: 3000, output: 500, cacheWrite: 0, cacheWrite1h: 0, cacheRead: 2000 };
    t.same(
      gw.ledger.entries[0]?.call.tokens,
      tokens,
      'thoughts billed as output, cached prompt as cache reads',
    );
    t.equal(gw.ledger.entries[0]?.call.model, 'gemini-2.5-pro', 'the model the path names');
  });

t.test('Gemini: a stream that ends before its finish reason is billed its reservation', async (t) => {
  const chunk = {
    candidates: [{ index: 0, content: { role: 'model', parts: [{ text: 'partial' }] } }],
    usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 3 },
  };
  const upstream = await wholeUpstream(t, 'text/event-stream', `data: ${JSON.stringify(chunk)}\r\n\r\n`);
  const gw = await testGateway({ upstream, provider: gemini, prices: PRICES });
  t.teardown(() => gw.server.close());
  const body = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };
  const path = '/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse';
  t.equal((await call(`${gw.url}${path}`, { 'x-goog-api-key': TOKEN }, body)).status, 200);
  await waitFor('the call recorded in the ledger', () => gw.ledger.entries.length === 1);
  const tokens = { ...NO_TOKENS, input: Buffer.byteLength(JSON.stringify(body)), output: 65_536 };
  t.match(gw.ledger.entries[0]?.call, { cut: true, tokens }, 'its bound, not the 3 tokens stated so far');
});

t.test(
  'Gemini: a stream not in SSE, a key in the URL, a spent limit: refused, nothing upstream',
  async (t) => {
    const standin = new GeminiStandin({ script: [], apiKey: PLATFORM_KEY, usage: GEMINI_USAGE });
    const base = await standin.listen();
    t.teardown(() => standin.close());
    const gw = await testGateway({
      upstream: base,
      provider: gemini,
      prices: PRICES,
      limits: () => [{ name: 'budget "team-a"', limitMicros: 100, spentMicros: async () => 500 }],
    });
    t.teardown(() => gw.server.close());
    const body = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };
    const auth = { 'x-goog-api-key': TOKEN };
    // A batch or a cached content is billed apart from any call: neither is served.
    for (const path of ['/v1beta/models/gemini-2.5-pro:batchGenerateContent', '/v1beta/cachedContents'])
      t.equal((await call(`${gw.url}${path}`, auth, body)).status, 404, path);
    const json = await call(`${gw.url}/v1beta/models/gemini-2.5-pro:streamGenerateContent`, auth, body);
    t.equal(json.status, 400);
    t.match(JSON.parse(json.text).error, { status: 'INVALID_ARGUMENT', message: /alt=sse/ });
    const keyed = await call(
      `${gw.url}/v1beta/models/gemini-2.5-pro:generateContent?key=${TOKEN}`,
      auth,
      body,
    );
    t.equal(keyed.status, 400);
    t.match(JSON.parse(keyed.text).error.message, /x-goog-api-key/);
    const spent = await call(`${gw.url}/v1beta/models/gemini-2.5-pro:generateContent`, auth, body);
    t.equal(spent.status, 429);
    t.match(JSON.parse(spent.text).error, {
      status: 'RESOURCE_EXHAUSTED',
      message: /team-a.*is spent/,
      // A per-day QuotaFailure: the form the Gemini CLI takes as final rather than retrying for minutes.
      details: [
        { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaId: /PerDay$/ }] },
      ],
    });
    t.equal(standin.requests.length, 0);
  },
);

t.test(
  "one listener: each prefix to its provider, the prefix taken off; the root is Anthropic's",
  async (t) => {
    const seen: string[] = [];
    const tag = (name: string) => (req: { url?: string }, res: { end(s: string): void }) => {
      seen.push(`${name} ${req.url}`);
      res.end('');
    };
    const route = providerRoutes({
      anthropic: tag('anthropic'),
      openai: tag('openai'),
      gemini: tag('gemini'),
    } as never);
    for (const url of [
      '/v1/messages',
      '/openai/v1/responses',
      '/gemini/v1beta/models/m:generateContent?alt=sse',
      '/openaix/v1',
    ])
      route({ url } as never, { end: () => {} } as never);
    t.same(seen, [
      'anthropic /v1/messages',
      'openai /v1/responses',
      'gemini /v1beta/models/m:generateContent?alt=sse',
      'anthropic /openaix/v1',
    ]);
  },
);
