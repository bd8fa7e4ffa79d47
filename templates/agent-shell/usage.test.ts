// usage.mjs run for real, as result.sh runs it on the agent CLI's stream (node usage.mjs agent.jsonl):
// the last result event read whatever surrounds it, the usage in the result document's shape (the
// integration suite's expectation, test/harness/agent/cli-usage.ts, agrees on a real-looking event),
// the limit that stopped the agent, and nothing at all when there is no result.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { expectedUsage } from '../../test/harness/agent/cli-usage.js';

const PROGRAM = path.join(import.meta.dirname, 'usage.mjs');

/** usage.mjs over a stream of `lines` (objects as JSON, strings as they are): its exit and stdout lines. */
function run(t: Test, lines: unknown[]) {
  const stream = path.join(t.testdir(), 'agent.jsonl');
  writeFileSync(stream, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'));
  const r = spawnSync(process.execPath, [PROGRAM, stream], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr, out: r.stdout };
}

/** The two lines of a result: the stop reason, and the usage parsed. */
function parsed(t: Test, lines: unknown[]) {
  const { status, stderr, out } = run(t, lines);
  t.equal(status, 0, stderr);
  t.match(out, /^[A-Za-z]*\n\{.*\}\n$/, 'two lines');
  const [stop, usage] = out.split('\n');
  return { stop, usage: JSON.parse(usage ?? '') as Record<string, unknown> };
}

const model = (costUSD: number, tokens: number) => ({
  costUSD,
  inputTokens: tokens,
  outputTokens: tokens * 2,
  cacheCreationInputTokens: tokens * 3,
  cacheReadInputTokens: tokens * 4,
});

t.test('the last result event, its tokens summed over its models, the costliest first', async (t) => {
  const result = {
    type: 'result',
    subtype: 'success',
    total_cost_usd: 0.0123456,
    num_turns: 7,
    duration_ms: 91_000,
    usage: { input_tokens: 1, output_tokens: 1, cache_creation_input_tokens: 1, cache_read_input_tokens: 1 },
    modelUsage: { 'claude-haiku': model(0.0003, 10), 'claude-sonnet': model(0.012, 100) },
  };
  const { stop, usage } = parsed(t, [
    { type: 'system', subtype: 'init' },
    { type: 'result', subtype: 'success', total_cost_usd: 9 },
    'not JSON: a stray line',
    { type: 'assistant', message: {} },
    result,
    '{"type":"result", cut off',
  ]);
  t.equal(stop, '', 'no limit stopped it');
  t.same(usage, {
    costUsd: '0.012346',
    inputTokens: 110,
    outputTokens: 220,
    cacheCreationInputTokens: 330,
    cacheReadInputTokens: 440,
    turns: 7,
    durationMs: 91_000,
    models: [
      { model: 'claude-sonnet', costUsd: '0.012', ...tokensOf(model(0.012, 100)) },
      { model: 'claude-haiku', costUsd: '0.0003', ...tokensOf(model(0.0003, 10)) },
    ],
  });
  t.same(usage, expectedUsage(result), "what the integration suite expects of the operator's status");
});

function tokensOf(m: ReturnType<typeof model>) {
  const { costUSD: _, ...tokens } = m;
  return tokens;
}

t.test('without models: the main loop usage; what is not a count is 0; whole dollars', async (t) => {
  const { usage } = parsed(t, [
    {
      type: 'result',
      total_cost_usd: 2,
      num_turns: -1,
      duration_ms: 1.5,
      usage: { input_tokens: 5, output_tokens: '6', cache_creation_input_tokens: null },
    },
  ]);
  t.same(usage, {
    costUsd: '2',
    inputTokens: 5,
    outputTokens: 0,
    cacheCreationInputTokens: 0,
    cacheReadInputTokens: 0,
    turns: 0,
    durationMs: 0,
  });
  const odd = parsed(t, [{ type: 'result', total_cost_usd: 'a lot', usage: null, modelUsage: null }]);
  t.same(odd.usage.costUsd, '0', 'a cost that is not a number is 0');
});

t.test('at most four models, none with an empty or overlong id', async (t) => {
  const modelUsage = Object.fromEntries([
    ...[1, 2, 3, 4, 5].map((i) => [`m${i}`, model(i / 100, i)]),
    ['', model(1, 1)],
    ['x'.repeat(129), model(1, 1)],
  ]);
  const { usage } = parsed(t, [{ type: 'result', modelUsage }]);
  const models = usage.models as Array<{ model: string }>;
  t.same(
    models.map((m) => m.model),
    ['m5', 'm4', 'm3', 'm2'],
  );
  t.equal(usage.inputTokens, 15, 'the totals count every model kept out of the list too');
});

t.test('the limit that ended the agent, and only a known one', async (t) => {
  t.equal(parsed(t, [{ type: 'result', subtype: 'error_max_turns' }]).stop, 'TurnLimitReached');
  t.equal(parsed(t, [{ type: 'result', subtype: 'error_max_budget_usd' }]).stop, 'BudgetExceeded');
  for (const subtype of ['error_during_execution', 'constructor', 'toString', undefined]) {
    t.equal(parsed(t, [{ type: 'result', subtype }]).stop, '', String(subtype));
  }
});

t.test('no result event: nothing, and success; no stream: a failure result.sh ignores', async (t) => {
  t.same(run(t, [{ type: 'assistant' }, 'garbage', '']), { status: 0, stderr: '', out: '' });
  const r = spawnSync(process.execPath, [PROGRAM, '/nonexistent/agent.jsonl'], { encoding: 'utf8' });
  t.not(r.status, 0);
  t.equal(r.stdout, '');
  const none = spawnSync(process.execPath, [PROGRAM], { encoding: 'utf8' });
  t.same([none.status, none.stdout], [0, ''], 'no stream named: nothing');
});
