// The model stand-in's answers, consumed by the official SDK (its streaming parser and its error
// classes), and its checks of the requests it receives: what test/harness/README.md calls "checked".
import Anthropic, { APIError } from '@anthropic-ai/sdk';
import type { Message, RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import t, { type Test } from 'tap';
import { fail, say, type Turn, tool } from './model-script.js';
import { ModelStandin } from './model-standin.js';

const KEY = 'sk-standin-test';
const MODEL = 'claude-sonnet-4-6';
const WRITE = { file_path: '/work/hello.txt', content: 'hello, "world"\n{nested: [1, 2]}\n' };
const TOOLS = [
  {
    name: 'Write',
    description: 'Writes a file',
    input_schema: { type: 'object' as const, properties: { file_path: { type: 'string' } } },
  },
];

async function standin(t: Test, script: Turn[]) {
  const s = new ModelStandin({ script, apiKey: KEY });
  const baseURL = await s.listen();
  t.teardown(() => s.close());
  return { s, client: new Anthropic({ apiKey: KEY, baseURL, maxRetries: 0, timeout: 30_000 }), baseURL };
}

const ask = (content: string) => ({
  model: MODEL,
  max_tokens: 1024,
  tools: TOOLS,
  messages: [{ role: 'user' as const, content }],
});

t.test(
  'streaming: the SDK parser rebuilds text and tool input from the events, in the contract order',
  async (t) => {
    const { s, client } = await standin(t, [tool('Write', WRITE, 'I will write the file.'), say('Done.')]);
    const events: RawMessageStreamEvent[] = [];
    const stream = client.messages.stream(ask('write hello.txt'));
    stream.on('streamEvent', (event) => events.push(event));
    const first = await stream.finalMessage();

    t.equal(first.stop_reason, 'tool_use');
    t.equal(first.model, MODEL);
    t.match(first.content, [
      { type: 'text', text: 'I will write the file.' },
      { type: 'tool_use', name: 'Write', input: WRITE, id: /^toolu_/ },
    ]);
    const types = events.map((e) => e.type);
    t.same(
      types.slice(0, 2),
      ['message_start', 'content_block_start'],
      'message_start, then the first block',
    );
    t.same(types.slice(-2), ['message_delta', 'message_stop']);
    t.ok(
      events.filter((e) => e.type === 'content_block_delta').length > 4,
      'text and tool input arrive in several deltas',
    );
    t.ok(
      events.some((e) => e.type === 'content_block_delta' && e.delta.type === 'input_json_delta'),
      'tool input as input_json_delta',
    );
    t.same(s.problems, [], 'the SDK request had the shapes the SDK types require');
    t.equal(s.turns[0]?.stream, true);
  },
);

t.test(
  'a conversation: each request carries the earlier turns, and the script answers in order',
  async (t) => {
    const { s, client } = await standin(t, [tool('Write', WRITE), say('All done.')]);
    const first = await client.messages.create(ask('write hello.txt'));
    const call = first.content.find((b) => b.type === 'tool_use');
    if (call?.type !== 'tool_use') throw new Error('the first turn called no tool');
    const second: Message = await client.messages
      .stream({
        ...ask('write hello.txt'),
        messages: [
          { role: 'user', content: 'write hello.txt' },
          { role: 'assistant', content: first.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'written' }] },
        ],
      })
      .finalMessage();

    t.equal(first.stop_reason, 'tool_use', 'non-streaming answer parsed by the SDK');
    t.match(second, { stop_reason: 'end_turn', content: [{ type: 'text', text: 'All done.' }] });
    t.same(
      s.turns.map((r) => r.turn),
      [0, 1],
    );
    t.match(s.turns[1]?.body, { messages: [{}, { role: 'assistant', content: [{ id: call.id }] }, {}] });
    t.same(s.problems, []);
  },
);

t.test('error turns reach the SDK as its typed API errors', async (t) => {
  const { s, client } = await standin(t, [
    fail(529, 'overloaded_error', 'Overloaded'),
    fail(400, 'invalid_request_error', 'prompt is too long'),
  ]);
  const overloaded = await client.messages.create(ask('hi')).catch((err: unknown) => err);
  t.type(overloaded, APIError);
  t.match(overloaded, { status: 529, error: { type: 'error', error: { type: 'overloaded_error' } } });
  t.match((overloaded as APIError).requestID, /^req_/, 'the request-id header is read');
  const invalid = await client.messages
    .stream(ask('hi'))
    .finalMessage()
    .catch((err: unknown) => err);
  t.type(invalid, Anthropic.BadRequestError);
  t.match(invalid, { message: /prompt is too long/ });
  t.same(
    s.requests.map((r) => r.status),
    [529, 400],
  );
});

t.test('count_tokens, the model list and side queries answer; a wrong key is refused', async (t) => {
  const { s, client, baseURL } = await standin(t, []);
  const counted = await client.messages.countTokens({
    model: MODEL,
    messages: [{ role: 'user', content: 'hi' }],
  });
  t.ok(counted.input_tokens > 0);
  const models = await client.models.list();
  t.ok(
    models.data.some((m) => m.id === MODEL),
    'the model list names the model',
  );
  const title = await client.messages.create({
    model: MODEL,
    max_tokens: 32,
    messages: [{ role: 'user', content: 'title?' }],
  });
  t.match(title.content, [{ type: 'text' }], 'a request without tools is a side query, not a turn');
  t.same(s.turns, []);

  const stranger = new Anthropic({ apiKey: 'wrong', baseURL, maxRetries: 0 });
  const refused = await stranger.models.list().catch((err: unknown) => err);
  t.type(refused, Anthropic.AuthenticationError);
});

t.test('requests without the shapes the SDK types require are refused, naming the field', async (t) => {
  const { s, baseURL } = await standin(t, [say('never')]);
  const post = (body: unknown) =>
    fetch(`${baseURL}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const cases: [string, unknown, RegExp][] = [
    ['no max_tokens', { model: MODEL, messages: [{ role: 'user', content: 'x' }] }, /max_tokens: required/],
    ['no model', { max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }, /model: required/],
    ['an unknown role', { ...ask('x'), messages: [{ role: 'robot', content: 'x' }] }, /messages\[0\]\.role/],
    [
      'an unknown block type',
      { ...ask('x'), messages: [{ role: 'user', content: [{ type: 'sound' }] }] },
      /messages\[0\]\.content\[0\]\.type/,
    ],
    [
      'a tool_result without its tool_use',
      {
        ...ask('x'),
        messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1' }] }],
      },
      /tool_result toolu_1 answers no tool_use/,
    ],
    [
      'a tool_use left unanswered',
      {
        ...ask('x'),
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_2', name: 'Write', input: {} }] },
          { role: 'user', content: 'go on' },
        ],
      },
      /tool_use toolu_2 of messages\[1\] has no tool_result/,
    ],
    ['a tool without a schema', { ...ask('x'), tools: [{ name: 'Write' }] }, /tools\[0\]\.input_schema/],
  ];
  for (const [what, body, rule] of cases) {
    const res = await post(body);
    t.equal(res.status, 400, what);
    t.match(
      await res.json(),
      { type: 'error', error: { type: 'invalid_request_error', message: rule } },
      what,
    );
  }
  t.equal(s.problems.length, cases.length, 'each refusal is recorded for the test to see');
  t.same(s.turns, [], 'no refused request took a turn of the script');
});

t.test(
  'a conversation longer than the script is answered with an error and recorded as a problem',
  async (t) => {
    const { s, client } = await standin(t, [say('only turn')]);
    await client.messages.create(ask('one'));
    const over = await client.messages.create(ask('two')).catch((err: unknown) => err);
    t.type(over, Anthropic.InternalServerError);
    t.match(s.problems, [/the script has 1 turns; turn 2 was asked/]);
  },
);
