// What the gateway forwards of a call's body (call-body.ts, allowlist.ts; decision 0067), through the real
// handler for each provider: the provider's server-side tools (MCP connector, web search and fetch, code
// execution), fields and beta flags outside the allowlist, and a body repeating a key are refused in
// the provider's error format, naming the field and the rule, before any upstream call or ledger entry;
// a body the agent CLI sends (the shapes recorded from the pinned CLIs) goes upstream as JSON.stringify
// of what the gateway parsed and priced, never its raw bytes.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { PLATFORM_KEY, TOKEN, testGateway } from '../../test/harness/fakes/gateway.js';
import { anthropic } from './anthropic.js';
import { gemini } from './gemini.js';
import { openai } from './openai.js';
import type { PriceTable } from './prices.js';
import type { Provider } from './provider.js';

const PRICE = {
  inputUsd: '1',
  outputUsd: '10',
  cacheWriteUsd: '1',
  cacheWrite1hUsd: '1',
  cacheReadUsd: '0.1',
};
const PRICES: PriceTable = {
  models: { 'claude-opus-4-6': PRICE, 'claude-haiku-4-5': PRICE, 'gpt-5': PRICE, 'gemini-2.5-pro': PRICE },
};

/** Each provider's route, credential header and a JSON answer stating usage. */
const API = {
  anthropic: {
    path: '/v1/messages?beta=true',
    auth: { 'x-api-key': TOKEN, 'anthropic-version': '2023-06-01' },
    answer: { type: 'message', content: [], usage: { input_tokens: 100, output_tokens: 10 } },
  },
  openai: {
    path: '/v1/responses',
    auth: { authorization: `Bearer ${TOKEN}` },
    answer: { object: 'response', output: [], usage: { input_tokens: 100, output_tokens: 10 } },
  },
  gemini: {
    path: '/v1beta/models/gemini-2.5-pro:generateContent',
    auth: { 'x-goog-api-key': TOKEN },
    answer: { candidates: [], usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 10 } },
  },
} as const;

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
}

/** A gateway for `provider` before an upstream that records each request's headers and raw bytes. */
async function gateway(t: Test, provider: Provider) {
  const api = API[provider.name as keyof typeof API];
  const received: Received[] = [];
  const upstream = createServer(async (req, res) => {
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    received.push({ headers: req.headers, raw: Buffer.concat(parts).toString() });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(api.answer));
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  t.teardown(() => {
    upstream.closeAllConnections();
    upstream.close();
  });
  const gw = await testGateway({
    upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    provider,
    prices: PRICES,
  });
  t.teardown(() => gw.server.close());
  const post = (raw: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const req = request(`${gw.url}${api.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...api.auth, ...headers },
      });
      req.once('error', reject);
      req.once('response', (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.once('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(parts).toString()) }),
        );
      });
      req.end(raw);
    });
  return { post, received, ledger: gw.ledger };
}

/** The message of an error answer in each provider's format. */
const messageOf = (body: unknown): string => (body as { error: { message: string } }).error.message;

/** `raw` is refused 400 in the provider's format, its message matching `rule`; nothing goes upstream. */
async function refused(
  t: Test,
  provider: Provider,
  raw: string,
  rule: RegExp,
  headers: Record<string, string> = {},
) {
  const { post, received, ledger } = await gateway(t, provider);
  const answer = await post(raw, headers);
  t.equal(answer.status, 400, JSON.stringify(answer.body));
  t.same(
    answer.body,
    provider.error('invalid_request', messageOf(answer.body)).body,
    "the provider's format",
  );
  t.match(messageOf(answer.body), rule);
  t.equal(received.length, 0, 'nothing reached the provider');
  t.equal(ledger.entries.length, 0, 'nothing was metered');
}

const CLAUDE_BETAS =
  'claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,thinking-token-count-2026-05-13,advanced-tool-use-2025-11-20,effort-2025-11-24,thinking-display-updates-2026-08-18';

/** A Messages body with the fields Claude Code 2.1.330 sends. */
const claudeBody = (extra: Record<string, unknown> = {}) => ({
  model: 'claude-opus-4-6',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }] }],
  system: [{ type: 'text', text: 'You are Claude Code.' }],
  tools: [{ name: 'Bash', description: 'run', input_schema: { type: 'object' } }],
  metadata: { user_id: 'u' },
  max_tokens: 64,
  thinking: { type: 'adaptive', display: 'updates' },
  context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
  output_config: { effort: 'high' },
  stream: false,
  ...extra,
});

t.test('Anthropic: the attack of G5 (an MCP connector, web fetch and search, their betas) is refused', (t) =>
  refused(
    t,
    anthropic,
    JSON.stringify(
      claudeBody({
        mcp_servers: [{ type: 'url', url: 'https://attacker.example/mcp', name: 'store' }],
        tools: [
          { type: 'web_fetch_20250910', name: 'web_fetch', max_uses: 50 },
          { type: 'web_search_20250305', name: 'web_search', max_uses: 1000 },
        ],
      }),
    ),
    /^mcp_servers: not forwarded: the gateway forwards only the fields the agent CLIs send \(model, messages/,
    { 'anthropic-beta': 'mcp-client-2025-04-04,web-fetch-2025-09-10' },
  ),
);

for (const type of [
  'web_fetch_20250910',
  'web_search_20250305',
  'code_execution_20250825',
  'mcp_toolset',
  'bash_20250124',
])
  t.test(`Anthropic: a tool of type ${type} is refused`, (t) =>
    refused(
      t,
      anthropic,
      JSON.stringify(
        claudeBody({
          tools: [
            { name: 'Bash', input_schema: {} },
            { type, name: 'x' },
          ],
        }),
      ),
      new RegExp(
        `^tools\\[1\\]: "${type}" is refused: only the agent's own tools are forwarded \\(custom\\)`,
      ),
    ),
  );

t.test('Anthropic: a beta flag the CLI does not send is refused, naming it', (t) =>
  refused(
    t,
    anthropic,
    JSON.stringify(claudeBody()),
    /^anthropic-beta: "mcp-client-2025-04-04" is not a beta flag/,
    {
      'anthropic-beta': `${CLAUDE_BETAS},mcp-client-2025-04-04`,
    },
  ),
);

t.test('Anthropic: a body giving "model" twice is refused, not priced as the last', (t) =>
  refused(
    t,
    anthropic,
    '{"model":"claude-opus-4-6","max_tokens":64,"messages":[{"role":"user","content":"hi"}],"model":"claude-haiku-4-5"}',
    /^model: a key given twice in one object is refused/,
  ),
);

t.test('Anthropic: a key repeated deep in the body (spelt with an escape) is refused', (t) =>
  refused(
    t,
    anthropic,
    '{"model":"claude-opus-4-6","max_tokens":64,"messages":[{"role":"user","content":[{"type":"text","text":"a","\\u0074ext":"b"}]}]}',
    /^text: a key given twice in one object is refused/,
  ),
);

t.test(
  "Anthropic: the CLI's body and betas go upstream as the gateway parsed them, not as sent",
  async (t) => {
    const { post, received, ledger } = await gateway(t, anthropic);
    // Spaces, and escapes JSON.stringify does not write: the forwarded bytes differ from these.
    const raw = JSON.stringify(claudeBody(), null, 2).replace('"hi"', '"\\u0068i\\/"');
    const answer = await post(raw, { 'anthropic-beta': `${CLAUDE_BETAS},context-1m-2025-08-07` });
    t.equal(answer.status, 200, JSON.stringify(answer.body));
    t.equal(received.length, 1);
    t.equal(received[0]?.raw, JSON.stringify(JSON.parse(raw)), 'JSON.stringify of the parsed body');
    t.not(received[0]?.raw, raw);
    t.equal(received[0]?.headers['anthropic-beta'], `${CLAUDE_BETAS},context-1m-2025-08-07`);
    t.equal(received[0]?.headers['x-api-key'], PLATFORM_KEY);
    t.equal(ledger.entries.length, 1, 'metered');
  },
);

/** A Responses body with the fields Codex 0.171.0 sends (its web_search off, as cli-codex.sh sets it). */
const codexBody = (extra: Record<string, unknown> = {}) => ({
  model: 'gpt-5-codex',
  stream: false,
  input: [{ type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'be brief' }] }],
  tools: [
    { type: 'function', name: 'exec_command', parameters: { type: 'object' } },
    { type: 'namespace', name: 'multi_agent_v1', tools: [{ type: 'function', name: 'close_agent' }] },
    { type: 'custom', name: 'apply_patch' },
  ],
  tool_choice: 'auto',
  parallel_tool_calls: true,
  reasoning: { summary: 'auto' },
  store: false,
  include: ['reasoning.encrypted_content'],
  prompt_cache_key: 'k',
  client_metadata: { session_id: 's' },
  ...extra,
});

for (const [what, tool] of [
  ['web_search', { type: 'web_search' }],
  ['mcp', { type: 'mcp', server_label: 'store', server_url: 'https://attacker.example/mcp' }],
  ['code_interpreter', { type: 'code_interpreter', container: { type: 'auto' } }],
  ['web_search in a namespace', { type: 'namespace', name: 'n', tools: [{ type: 'web_search' }] }],
] as const)
  t.test(`OpenAI: a ${what} tool is refused`, (t) =>
    refused(
      t,
      openai,
      JSON.stringify(codexBody({ tools: [{ type: 'function', name: 'f' }, tool] })),
      /^tools\[1\]: "(web_search|mcp|code_interpreter)" is refused: only the agent's own tools are forwarded \(function, custom, namespace\)/,
    ),
  );

t.test('OpenAI: a field the CLI does not send (service_tier: another price) is refused', (t) =>
  refused(t, openai, JSON.stringify(codexBody({ service_tier: 'priority' })), /^service_tier: not forwarded/),
);

t.test('OpenAI: a beta flag is refused', (t) =>
  refused(t, openai, JSON.stringify(codexBody()), /^openai-beta: "assistants=v2" is not a beta flag/, {
    'openai-beta': 'assistants=v2',
  }),
);

t.test("OpenAI: Codex's body goes upstream as the gateway parsed it", async (t) => {
  const { post, received } = await gateway(t, openai);
  const raw = JSON.stringify(codexBody(), null, 1);
  const answer = await post(raw);
  t.equal(answer.status, 200, JSON.stringify(answer.body));
  t.equal(received[0]?.raw, JSON.stringify(JSON.parse(raw)));
});

/** A generateContent body with the fields the Gemini CLI 0.61.0 sends. */
const geminiBody = (extra: Record<string, unknown> = {}) => ({
  contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
  systemInstruction: { parts: [{ text: 'be brief' }] },
  tools: [{ functionDeclarations: [{ name: 'run_shell_command', parameters: { type: 'object' } }] }],
  generationConfig: { temperature: 0, topP: 1, topK: 64, thinkingConfig: { includeThoughts: true } },
  ...extra,
});

for (const kind of ['googleSearch', 'urlContext', 'codeExecution', 'googleSearchRetrieval'])
  t.test(`Gemini: a ${kind} tool is refused`, (t) =>
    refused(
      t,
      gemini,
      JSON.stringify(geminiBody({ tools: [{ functionDeclarations: [] }, { [kind]: {} }] })),
      new RegExp(
        `^tools\\[1\\]: "${kind}" is refused: only the agent's own tools are forwarded \\(functionDeclarations\\)`,
      ),
    ),
  );

t.test('Gemini: a field the CLI does not send (cachedContent) is refused', (t) =>
  refused(
    t,
    gemini,
    JSON.stringify(geminiBody({ cachedContent: 'cachedContents/x' })),
    /^cachedContent: not forwarded/,
  ),
);

t.test("Gemini: the CLI's body goes upstream as the gateway parsed it", async (t) => {
  const { post, received } = await gateway(t, gemini);
  const raw = JSON.stringify(geminiBody(), null, 1);
  const answer = await post(raw);
  t.equal(answer.status, 200, JSON.stringify(answer.body));
  t.equal(received[0]?.raw, JSON.stringify(JSON.parse(raw)));
});
