// cli-usage.mjs: the usage the Codex and Gemini CLIs state at their end, in the result document's
// shape (the output formats of `codex exec --json` and `gemini --output-format stream-json`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

const SCRIPT = join(import.meta.dirname, 'cli-usage.mjs');

function usage(cli: string, lines: unknown[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cli-usage-')), 'agent.jsonl');
  writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\nnot json\n`);
  return execFileSync(process.execPath, [SCRIPT, cli, file], { encoding: 'utf8' });
}

t.test('codex: the turns summed, the cached input apart', async (t) => {
  const out = usage('codex', [
    { type: 'thread.started', thread_id: 't-1' },
    { type: 'turn.completed', usage: { input_tokens: 1000, cached_input_tokens: 400, output_tokens: 50 } },
    { type: 'turn.completed', usage: { input_tokens: 2000, cached_input_tokens: 1000, output_tokens: 70 } },
  ]);
  const [stop, doc] = out.split('\n');
  t.equal(stop, '');
  t.match(JSON.parse(doc ?? ''), {
    inputTokens: 1600,
    cacheReadInputTokens: 1400,
    outputTokens: 120,
    turns: 2,
    costUsd: '0',
  });
});

t.test("gemini: the result event's stats", async (t) => {
  const out = usage('gemini', [
    { type: 'init', session_id: 's-1' },
    {
      type: 'result',
      status: 'success',
      stats: { input_tokens: 5000, cached: 2000, output_tokens: 500, duration_ms: 42 },
    },
  ]);
  t.match(JSON.parse(out.split('\n')[1] ?? ''), {
    inputTokens: 3000,
    cacheReadInputTokens: 2000,
    outputTokens: 500,
    durationMs: 42,
  });
});

t.test('no usage stated, or another CLI: nothing', async (t) => {
  t.equal(usage('codex', [{ type: 'thread.started' }]), '');
  t.equal(usage('claude', [{ type: 'result' }]), '');
});
