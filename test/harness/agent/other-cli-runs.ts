// The real-node proof of the CLIs other than Claude Code (test/integration/agent-e2e.test.ts; docs/agents.md):
// a TaskRun (a prompt run) of an agent whose profile names the CLI runs the real CLI in the agent image, through the
// model gateway to its provider's stand-in; its work is pushed and its pull request opened, and its
// usage is what the stand-in billed. Then a TaskRun of the same agent over its spend limit is stopped
// by the gateway's refusal, and one of the Gemini CLI over its turn limit by the CLI. Each CLI's
// repository carries a hostile project configuration (hostile-checkout.ts), which must neither run,
// nor reach the agent's environment, nor instruct the model; the base branch's AGENTS.md instructs it.
import type { Test } from 'tap';
import { promptTaskId } from '../../../src/api/index.js';
import { featureBranch } from '../../../src/render/context.js';
import { ledgerRows } from '../operator/gateway.js';
import { expectTurnLimitStop } from './agent-e2e.js';
import { agentWorld, type Suite } from './agent-world.js';
import { type CliBill, type CliStandin, cliStandin, type OtherCli } from './cli-standins.js';
import { CODEX_RESUME_SCRIPT, codexResume } from './codex-resume.js';
import { checkGeminiMcp, GEMINI_MCP_TURN } from './gemini-tools.js';
import {
  GEMINI_READ_TURN,
  HOSTILE_CHECKOUTS,
  HOSTILE_INSTRUCTION,
  HOSTILE_MARKERS,
  PROBE_VARIABLE,
} from './hostile-checkout.js';

/** What the base branch's AGENTS.md says: a model request carrying it had the repository's instructions. */
const BASE_INSTRUCTION = 'BASE-INSTRUCTION: the repository asks for a test with every change.';

const MODELS: Record<OtherCli, string> = { codex: 'gpt-5.3-codex', gemini: 'gemini-2.5-pro' };
const PROVIDERS = { codex: 'openai', gemini: 'gemini' } as const;

// Each answer: 180k input tokens at $1, 20k cached at $0.10, 1k output at $10 per million: $0.192.
const BILL: CliBill = { input: 200_000, cached: 20_000, output: 1_000 };
const PRICE = {
  inputUsd: '1',
  outputUsd: '10',
  cacheWriteUsd: '1',
  cacheWrite1hUsd: '1',
  cacheReadUsd: '0.1',
};

export async function otherCliRuns(t: Test, suite: Suite, cli: OtherCli): Promise<void> {
  const { git, user } = suite;
  // The spender's 30 shell calls would cost $5.76: its $1 cap is reached within the first six. Each
  // command differs: the Gemini CLI ends a session by itself when it sees the same call repeated.
  const spend = Array.from({ length: 30 }, (_, i) => ({ shell: `echo spend-${i}` }));
  const standin = await cliStandin(
    t,
    cli,
    suite.apiKey,
    [
      ...(cli === 'gemini' ? [GEMINI_MCP_TURN, GEMINI_READ_TURN] : []),
      { shell: `printf "by ${cli}[$${PROBE_VARIABLE}]\\n" > CLI.md` },
      { say: 'Wrote CLI.md.' },
      ...(cli === 'codex' ? CODEX_RESUME_SCRIPT : []),
      ...spend,
    ],
    BILL,
  );
  const world = await agentWorld(t, suite, [], {
    providers: { [PROVIDERS[cli]]: standin.url },
    configure(config) {
      const rex = config.agents.rex;
      if (!rex) throw new Error('the shipped config has no agent rex');
      // Codex stops at no turn count: its profile has the spend limit only (admission refuses maxTurns).
      const limits = cli === 'codex' ? { maxBudgetUsd: rex.limits?.maxBudgetUsd } : rex.limits;
      config.agents[cli] = { ...rex, cli, model: MODELS[cli], limits } as typeof rex;
      config.gateway.prices.models = { ...config.gateway.prices.models, [MODELS[cli]]: PRICE };
      // A CodeRun acting as a GitHub user runs the default agent: Codex's, for its resume.
      if (cli === 'codex') config.defaultAgent = cli;
    },
  });
  const { create, finished, ops } = world;
  const hostile = HOSTILE_CHECKOUTS[cli];
  if (!ops) throw new Error('the world has no gateway namespace');
  // The base branch's instructions are the repository's; the hostile configuration is on the work
  // branch the prompt run resumes, as an earlier agent would have pushed it.
  const repo = git.repository(`acme/${cli}.git`, 'main', {
    'README.md': `# ${cli}\n`,
    'AGENTS.md': `${BASE_INSTRUCTION}\n`,
  });
  const prompt = 'Write CLI.md.\n';
  const workBranch = featureBranch(promptTaskId(prompt, repo, 'main'));
  git.branch(`acme/${cli}.git`, workBranch, hostile.files);
  const taskRun = (name: string, limits?: Record<string, unknown>) =>
    create('TaskRun', {
      apiVersion: 'orchestrator.io/v1',
      kind: 'TaskRun',
      metadata: { name },
      spec: {
        taskId: 3,
        serviceName: name,
        agent: cli,
        repository: { url: repo, branch: 'main', githubUser: user.name },
        markdownFiles: [{ filename: 'task.md', content: '# Write CLI.md\n' }],
        ...(limits ? { limits } : {}),
      },
    } as Parameters<typeof create<'TaskRun'>>[1]);

  // The first a prompt run (`orchestrator run -p`): admission's defaulting derives its task and service.
  await create('TaskRun', {
    apiVersion: 'orchestrator.io/v1',
    kind: 'TaskRun',
    metadata: { name: `${cli}-3` },
    spec: { agent: cli, prompt, repository: { url: repo, githubUser: user.name } },
  } as Parameters<typeof create<'TaskRun'>>[1]);
  const run = await finished('TaskRun', `${cli}-3`);
  t.equal(run.phase, 'Succeeded', run.message ?? '');
  const requests = standin.requests();
  t.same(
    requests.flatMap((r) => r.problems),
    [],
    `every request the real ${cli} CLI sent had the shape of its provider's SDK types`,
  );
  t.ok(
    requests.length > 0 && requests.every((r) => r.status === 200),
    `its ${requests.length} calls came with the platform key (the gateway's), none refused`,
  );
  if (cli === 'gemini') {
    checkGeminiMcp(t, requests);
    t.ok(
      requests.some((r) => /"functionResponse":\{[^}]*"name":"read_file"/.test(JSON.stringify(r.body))),
      'the CLI read docs/notes.md with its file tool, beside docs/GEMINI.md',
    );
  }
  const branch = git.branches(`acme/${cli}.git`).find((b) => b !== 'main') ?? '';
  t.equal(branch, workBranch, "the prompt's task branch");
  t.equal(
    git.read(`acme/${cli}.git`, branch, 'CLI.md')?.content,
    `by ${cli}[]\n`,
    `pushed to ${branch}, written with no ${PROBE_VARIABLE} from the checkout's configuration`,
  );
  for (const marker of HOSTILE_MARKERS)
    t.notOk(
      git.read(`acme/${cli}.git`, branch, marker),
      `${marker}: the checkout's ${hostile.config} configured nothing the CLI ran`,
    );
  const instructing = Object.entries(hostile.files).flatMap(([file, text]) =>
    text.includes(HOSTILE_INSTRUCTION) ? [file] : [],
  );
  t.notOk(
    requests.some((r) => JSON.stringify(r.body).includes(HOSTILE_INSTRUCTION)),
    `the checkout's ${instructing.join(', ')} reached no model request`,
  );
  t.ok(
    requests.some((r) => JSON.stringify(r.body).includes(BASE_INSTRUCTION)),
    `the base branch's AGENTS.md reached the model, as ${cli}'s own instructions`,
  );
  t.same(
    git.pulls.filter((p) => p.repo === cli).map((p) => [p.owner, p.head, p.base]),
    [['acme', branch, 'main']],
    'its pull request opened at the GitHub stand-in',
  );
  t.match(run.pullRequestUrl, `https://github.com/acme/${cli}/pull/`, 'status.pullRequestUrl');
  const billed = standin.billed();
  t.match(
    run.usage,
    {
      inputTokens: billed.input - billed.cached,
      cacheReadInputTokens: billed.cached,
      outputTokens: billed.output,
    },
    `status.usage is what the stand-in billed (${JSON.stringify(billed)})`,
  );
  const ledger = (await ledgerRows(suite.client, ops)).filter((r) => r.run === `${cli}-3`);
  t.equal(
    ledger.reduce((n, r) => n + r.calls, 0),
    requests.length,
    'every call went through the gateway, which metered it',
  );
  t.equal(
    ledger.reduce((n, r) => n + r.costMicros, 0),
    requests.length * 192_000,
    'at the price table: $0.192 a call',
  );

  if (cli === 'codex') await codexResume(t, suite, world, standin);

  // Over its spend limit: the gateway refuses its calls, and the CLI stops at the refusal.
  const reached = standin.requests().length;
  await taskRun(`${cli}-spender`, { maxBudgetUsd: '1' });
  const spender = await finished('TaskRun', `${cli}-spender`);
  t.equal(spender.phase, 'Failed', spender.message ?? '');
  t.match(spender.message, 'attempt 1 stopped: the model gateway refused its calls');
  t.match(spender.attemptUsage, [{ attempt: 1, stopReason: 'BudgetExceeded' }]);
  // The gateway holds a call's worst-case input before it forwards it (docs/economics.md): the call
  // whose input the rest of the cap could not pay is refused, so the attempt never passes its cap.
  t.match(spender.message, /this call's input may cost up to \$/, 'refused for the input it could not pay');
  const spent = standin.requests().length - reached;
  t.ok(spent >= 1 && spent < 30, `the cap let ${spent} calls reach the model, not the 30 scripted`);
  const micros = (await ledgerRows(suite.client, ops))
    .filter((r) => r.run === `${cli}-spender`)
    .reduce((n, r) => n + r.costMicros, 0);
  t.ok(micros > 0 && micros <= 1_000_000, `it spent $${micros / 1e6}, within its cap of $1`);
  if (cli === 'gemini')
    await geminiTurnLimit(t, world.finished, standin, () => taskRun('gemini-turns', { maxTurns: 2 }));
}

/**
 * The Gemini CLI keeps a turn limit itself (model.maxSessionTurns): the script's calls left are shell
 * calls without end, and the CLI stops after the run's two turns, a turn a call.
 */
async function geminiTurnLimit(
  t: Test,
  finished: Awaited<ReturnType<typeof agentWorld>>['finished'],
  standin: CliStandin,
  start: () => Promise<unknown>,
): Promise<void> {
  const before = standin.requests().length;
  await start();
  expectTurnLimitStop(t, await finished('TaskRun', 'gemini-turns'), 2);
  t.equal(standin.requests().length - before, 2, 'two calls reached the model, one a turn');
}
