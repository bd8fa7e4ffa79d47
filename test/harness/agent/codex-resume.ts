// Codex resuming its session on the real node (docs/agents.md "resume"; templates/agent-shell/cli-codex.sh):
// a CodeRun of an agent whose profile runs Codex (the world's defaultAgent, as a CodeRun acting as a
// GitHub user runs), then a new context version with continueSession: the second attempt runs
// `codex exec resume` with the recorded thread, so its first call carries the first attempt's turns.
import type { Test } from 'tap';
import { runPath } from '../../../src/cli/kinds.js';
import { e2eCodeRun, taskDocs } from './agent-e2e.js';
import type { agentWorld, Suite } from './agent-world.js';
import type { CliStandin, CliTurn } from './cli-standins.js';

/** What the first attempt's model says last, which the resumed conversation must carry. */
const FIRST_WORDS = 'Wrote RESUME.md, first attempt.';

/** The stand-in's answers for the two attempts, in order (after those of the runs before them). */
export const CODEX_RESUME_SCRIPT: CliTurn[] = [
  { shell: 'printf "first\\n" > RESUME.md' },
  { say: FIRST_WORDS },
  { say: 'Resumed.' },
];

export async function codexResume(
  t: Test,
  suite: Suite,
  world: Awaited<ReturnType<typeof agentWorld>>,
  standin: CliStandin,
): Promise<void> {
  const { git, user, client } = suite;
  const repo = git.repository('acme/codex-resume.git', 'main', { 'README.md': '# resume\n' });
  const docs = git.repository(
    'acme/codex-resume-docs.git',
    'main',
    taskDocs('projects/payments', 7, '# R\n'),
  );
  await world.create('CodeRun', e2eCodeRun(user.name, 'codex-resume', repo, docs, { service: 'resume' }));
  const first = await world.finished('CodeRun', 'codex-resume');
  t.equal(first.phase, 'Succeeded', first.message ?? '');
  t.match(first.sessionId, /^[0-9a-f-]{36}$/, "Codex's thread id, from the termination message");
  const before = standin.requests().length;

  await client.request('PATCH', runPath('CodeRun', world.ns, 'codex-resume'), {
    body: { spec: { contextVersion: 2, continueSession: true } },
    contentType: 'application/merge-patch+json',
  });
  const second = await world.finished('CodeRun', 'codex-resume', 2);
  t.equal(second.phase, 'Succeeded', second.message ?? '');
  t.equal(second.sessionId, first.sessionId, 'the same thread, resumed');
  const resumed = standin.requests()[before];
  t.match(
    JSON.stringify(resumed?.body),
    FIRST_WORDS,
    "the resumed attempt's first call carries the first attempt's turns",
  );
}
