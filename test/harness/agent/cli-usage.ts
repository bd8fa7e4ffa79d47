// What a result document's usage should say of the Claude Code CLI's final `result` event
// (docs/result-protocol.md): its own figures, the cost rounded to the micro-dollar, the tokens summed over
// modelUsage, the models costliest first. Tests compare the operator's status with this.

/** The last `result` event of a stream of JSON lines (the CLI's stdout, or the agent container's log). */
export function lastResultEvent(stream: string): Record<string, unknown> | undefined {
  const events = stream
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return {};
      }
    });
  return events.findLast((e) => e.type === 'result');
}

const KINDS = ['inputTokens', 'outputTokens', 'cacheCreationInputTokens', 'cacheReadInputTokens'] as const;

export function expectedUsage(result: Record<string, unknown>) {
  const usd = (v: unknown) => String(Math.round(Number(v) * 1e6) / 1e6);
  const byModel = Object.entries(result.modelUsage as Record<string, Record<string, number>>).map(
    ([model, m]) => ({
      model,
      costUsd: usd(m.costUSD),
      inputTokens: m.inputTokens,
      outputTokens: m.outputTokens,
      cacheCreationInputTokens: m.cacheCreationInputTokens,
      cacheReadInputTokens: m.cacheReadInputTokens,
    }),
  );
  const total: Record<string, unknown> = {
    costUsd: usd(result.total_cost_usd),
    turns: result.num_turns,
    durationMs: result.duration_ms,
  };
  for (const kind of KINDS) total[kind] = byModel.reduce((s, m) => s + (m[kind] ?? 0), 0);
  return { ...total, models: byModel.sort((a, b) => Number(b.costUsd) - Number(a.costUsd)) };
}
