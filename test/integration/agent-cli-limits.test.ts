// What an agent spent and the limits that stop it (docs/economics.md), with the real Claude Code CLI
// run by the rendered entry script against the scripted model stand-in (as agent-cli.test.ts): the
// result document's usage is exactly what the CLI's final result event reported, and an agent that
// never stops is ended by --max-turns or --max-budget-usd with its own stop reason, its work pushed or
// not as the profile's onLimit says.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { loadTemplateSet, renderCodeRun } from '../../src/render/index.js';
import { sampleCodeRun } from '../../src/render/samples.js';
import { agentCliBinary, apiKeyConfig } from '../harness/agent/agent-cli.js';
import { expectedUsage, lastResultEvent } from '../harness/agent/cli-usage.js';
import { entryFixture, git } from '../harness/agent/entry-script.js';
import { offlineNamespace } from '../harness/cluster/offline.js';
import { say, type Turn, tool } from '../harness/remote/model-script.js';
import { modelStandinProcess } from '../harness/remote/model-standin-process.js';

const set = loadTemplateSet();
const API_KEY = 'sk-ant-standin-dummy';
const BRANCH = 'feature/task-7-implementation';

interface Limits {
  maxTurns?: number;
  maxBudgetUsd?: string;
  onLimit?: 'push' | 'discard';
}

/** Runs one CodeRun attempt with the real CLI against `script`; returns the stream, the document, the repo. */
async function attempt(t: Test, script: Turn[], limits: Limits) {
  const offline = await offlineNamespace(t);
  const prefix = offline.prefix ?? [];
  const f = entryFixture(t, { agentCli: agentCliBinary(), prefix });
  const repo = f.origin(path.join(f.root, 'payments.git'), 'main', { 'services/payments/x.txt': 'x\n' });
  const docs = f.origin(path.join(f.root, 'docs.git'), 'main', {
    'projects/payments/.taskmaster/docs/task-7/task.md': '# Seven\n',
  });
  const config = apiKeyConfig();
  const rex = config.agents.rex;
  if (!rex) throw new Error('the default config has no rex');
  rex.limits = { onLimit: limits.onLimit ?? 'push' };
  const run = sampleCodeRun({ agent: 'rex', preset: 'minimal', continuing: false }, config);
  const { onLimit: _, ...spec } = limits;
  Object.assign(run.spec, { repositoryUrl: repo, docsRepositoryUrl: docs, limits: spec });
  const rendered = renderCodeRun(set, run, config, 1, f.options);
  const workDir = path.join(rendered.context.paths.repo ?? '', 'services/payments');
  const model = await modelStandinProcess(t, f.root, {
    apiKey: API_KEY,
    prefix,
    script: script.map((turn) =>
      'blocks' in turn
        ? {
            ...turn,
            blocks: turn.blocks.map((b) =>
              b.type === 'tool_use' && typeof b.input.file_path === 'string'
                ? { ...b, input: { ...b.input, file_path: path.join(workDir, b.input.file_path) } }
                : b,
            ),
          }
        : turn,
    ),
  });
  const r = f.run(rendered, {
    ANTHROPIC_BASE_URL: model.base,
    ANTHROPIC_API_KEY: API_KEY,
    NODE_EXTRA_CA_CERTS: model.caFile,
  });
  const result = lastResultEvent(readFileSync(path.join(rendered.context.paths.run, 'agent.jsonl'), 'utf8'));
  return { r, result, doc: JSON.parse(r.result) as Record<string, unknown>, repo, model };
}

t.test(
  'the result document carries the usage the CLI reported, cache tokens and cost included',
  async (t) => {
    const cached = { input_tokens: 1200, cache_creation_input_tokens: 800, cache_read_input_tokens: 5000 };
    const { r, result, doc } = await attempt(
      t,
      [
        { ...tool('Write', { file_path: 'hello.txt', content: 'hello\n' }), usage: cached },
        { ...say('Wrote hello.txt.'), usage: { ...cached, output_tokens: 40 } },
      ],
      { maxTurns: 10, maxBudgetUsd: '5' },
    );
    t.equal(r.status, 0, 'the entry script exits 0', { log: r.status === 0 ? '' : r.log });
    t.ok(result, 'the stream ends with a result event');
    if (!result) return;
    t.match(result, { subtype: 'success' });
    t.ok(Number(result.total_cost_usd) > 0, `the CLI priced the calls: $${result.total_cost_usd}`);
    t.same(doc.usage, expectedUsage(result), 'the usage is what the CLI reported');
    t.ok(
      (doc.usage as { cacheReadInputTokens: number }).cacheReadInputTokens >= 10_000,
      'cache reads counted',
    );
    t.notOk(doc.stopReason, 'no limit stopped it');
  },
);

t.test('an agent that never stops is ended by its turn limit; onLimit push keeps its work', async (t) => {
  const { r, result, doc, repo } = await attempt(
    t,
    [
      tool('Write', { file_path: 'partial.txt', content: 'half done\n' }),
      { ...tool('Bash', { command: 'true', description: 'Think again' }), repeat: true },
    ],
    { maxTurns: 3 },
  );
  t.ok(result, 'the stream ends with a result event', { log: result ? '' : r.log });
  t.match(result, { subtype: 'error_max_turns' }, 'the CLI stopped it at its turn limit');
  t.equal(doc.stopReason, 'TurnLimitReached');
  t.equal(doc.workCompleted, false, 'a stopped agent did not complete its work');
  t.match(String(doc.summary), /turn limit \(3 turns\)/);
  t.equal((doc.usage as { turns: number }).turns, result?.num_turns, 'its partial usage');
  t.equal(
    git(['show', `${BRANCH}:services/payments/partial.txt`], repo),
    'half done\n',
    'its work was pushed',
  );
});

t.test(
  'an agent over its spend limit is ended with BudgetExceeded; onLimit discard pushes nothing',
  async (t) => {
    // 200,000 input tokens a turn: $0.60 at the model's list price, over the $0.10 limit after one turn.
    const costly = { input_tokens: 200_000 };
    const { r, result, doc, repo } = await attempt(
      t,
      [
        { ...tool('Write', { file_path: 'partial.txt', content: 'half done\n' }), usage: costly },
        { ...tool('Bash', { command: 'true', description: 'Think again' }), usage: costly, repeat: true },
      ],
      { maxBudgetUsd: '0.1', onLimit: 'discard' },
    );
    t.ok(result, 'the stream ends with a result event', { log: result ? '' : r.log });
    t.match(result, { subtype: 'error_max_budget_usd' }, 'the CLI stopped it at its spend limit');
    t.equal(doc.stopReason, 'BudgetExceeded');
    t.match(String(doc.summary), /spend limit \(\$0\.1\)/);
    t.ok(
      Number((doc.usage as { costUsd: string }).costUsd) >= 0.1,
      'its usage shows the spend that stopped it',
    );
    t.match(r.log, /not pushed \(onLimit discard\)/);
    t.equal(git(['ls-remote', '--heads', repo, BRANCH], repo).trim(), '', 'nothing was pushed');
  },
);
