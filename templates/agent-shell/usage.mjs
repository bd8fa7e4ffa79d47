// What the agent CLI reported at its end, for the result document (result.sh `record_usage`,
// docs/result-protocol.md): node templates/agent-shell/usage.mjs STREAM, where STREAM is the CLI's
// stream-json output (agent.jsonl). The last `result` event of the stream gives two lines on stdout:
// the limit that ended the agent (TurnLimitReached, BudgetExceeded, or an empty line), and its usage in
// the document's shape. Nothing, and exit 0, when the stream has no result event. A plain file of the
// agent shell: it ships verbatim beside result.sh and runs on the agent image's node, which the CLI
// needs anyway; shell has no JSON parser, and the image need not have jq.
import { readFileSync } from 'node:fs';

/** The token counts of the document, as the CLI's modelUsage names them. */
const TOKEN_KINDS = ['inputTokens', 'outputTokens', 'cacheCreationInputTokens', 'cacheReadInputTokens'];
/** Models kept in the document, the costliest first, and the longest model id kept. */
const MAX_MODELS = 4;
const MAX_MODEL_ID = 128;
/** The result event's subtype for each limit that can end the agent. */
const STOP_REASONS = { error_max_turns: 'TurnLimitReached', error_max_budget_usd: 'BudgetExceeded' };

/** The last `result` event of a stream-json text, or undefined; lines that are not JSON are skipped. */
function lastResult(text) {
  for (const line of text.split('\n').reverse()) {
    try {
      const event = JSON.parse(line);
      if (event?.type === 'result') return event;
    } catch {
      // Not JSON (a partial last line, a stray print): not an event.
    }
  }
  return undefined;
}

/** A count: a non-negative safe integer, anything else 0. */
const count = (v) => (Number.isSafeInteger(v) && v >= 0 ? v : 0);

/** Dollars as a decimal string rounded to micro-dollars, no trailing zeros ("0.0123", "2"). */
function dollars(v) {
  const micros = Math.round(Math.max(0, Number(v) || 0) * 1e6);
  const whole = String(Math.floor(micros / 1e6));
  const fraction = String(micros % 1e6)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}

/**
 * The usage of a result event: cost, tokens, turns and duration. Tokens are summed over modelUsage
 * when it is there (the CLI's own advice: `usage` counts the main loop only).
 */
function usageOf(result) {
  const u = result.usage ?? {};
  const total = {
    costUsd: dollars(result.total_cost_usd),
    inputTokens: count(u.input_tokens),
    outputTokens: count(u.output_tokens),
    cacheCreationInputTokens: count(u.cache_creation_input_tokens),
    cacheReadInputTokens: count(u.cache_read_input_tokens),
    turns: count(result.num_turns),
    durationMs: count(result.duration_ms),
  };
  const models = Object.entries(result.modelUsage ?? {})
    .filter(([model]) => model.length > 0 && model.length <= MAX_MODEL_ID)
    .map(([model, m]) => {
      const entry = { model, costUsd: dollars(m?.costUSD) };
      for (const kind of TOKEN_KINDS) entry[kind] = count(m?.[kind]);
      return entry;
    });
  if (models.length === 0) return total;
  for (const kind of TOKEN_KINDS) total[kind] = models.reduce((sum, m) => sum + m[kind], 0);
  models.sort((a, b) => Number(b.costUsd) - Number(a.costUsd));
  total.models = models.slice(0, MAX_MODELS);
  return total;
}

// No stream named (a test runner trying every file of this folder): nothing to report.
const [stream] = process.argv.slice(2);
const result = stream === undefined ? undefined : lastResult(readFileSync(stream, 'utf8'));
if (result) {
  const stop = Object.hasOwn(STOP_REASONS, result.subtype) ? STOP_REASONS[result.subtype] : '';
  process.stdout.write(`${stop}\n${JSON.stringify(usageOf(result))}\n`);
}
