// What the Codex or Gemini CLI reported at its end, for the result document (their cli_usage,
// agent-shell/cli-codex.sh and cli-gemini.sh; Claude Code's is usage.mjs): node cli-usage.mjs CLI
// STREAM, where STREAM is the CLI's JSON-lines output. Two lines on stdout, as usage.mjs writes them:
// the limit that ended the agent (TurnLimitReached, or empty) and its usage in the document's shape.
// Neither CLI states a cost: costUsd is "0", and with the gateway the ledger is the bill
// (docs/agents.md). Nothing, and exit 0, when the stream states no usage.
import { readFileSync } from 'node:fs';

const count = (v) => (Number.isSafeInteger(v) && v >= 0 ? v : 0);

/** The JSON events of a stream; lines that are not JSON are skipped. */
function events(text) {
  return text.split('\n').flatMap((line) => {
    try {
      const event = JSON.parse(line);
      return typeof event === 'object' && event !== null ? [event] : [];
    } catch {
      return [];
    }
  });
}

/** Codex `exec --json`: each turn.completed states that turn's usage; the cached input is within the input. */
function codex(all) {
  const turns = all.filter((e) => e.type === 'turn.completed');
  if (turns.length === 0) return undefined;
  const sum = (key) => turns.reduce((n, e) => n + count(e.usage?.[key]), 0);
  const cached = sum('cached_input_tokens');
  return {
    stop: '',
    usage: {
      inputTokens: sum('input_tokens') - cached,
      outputTokens: sum('output_tokens'),
      cacheReadInputTokens: cached,
      turns: turns.length,
    },
  };
}

/** Gemini `--output-format stream-json`: the result event's stats; a turn limit ends it with an error status. */
function gemini(all) {
  const result = all.findLast((e) => e.type === 'result');
  if (!result?.stats) return undefined;
  const s = result.stats;
  const cached = count(s.cached);
  return {
    stop: /turn/i.test(String(result.error?.message ?? '')) ? 'TurnLimitReached' : '',
    usage: {
      inputTokens: Math.max(0, count(s.input_tokens) - cached),
      outputTokens: count(s.output_tokens),
      cacheReadInputTokens: cached,
      durationMs: count(s.duration_ms),
    },
  };
}

const READERS = { codex, gemini };
const [cli, stream] = process.argv.slice(2);
const read = Object.hasOwn(READERS, cli ?? '') ? READERS[cli] : undefined;
const found = read && stream !== undefined ? read(events(readFileSync(stream, 'utf8'))) : undefined;
if (found) {
  const usage = { costUsd: '0', cacheCreationInputTokens: 0, turns: 0, durationMs: 0, ...found.usage };
  process.stdout.write(`${found.stop}\n${JSON.stringify(usage)}\n`);
}
