// A failure before the agent runs says why in the result document's summary (issue 38 item 6): the
// step that failed (cloning, fetching) and the cause in git's own words, not only an exit status; the
// cause is still in the log, and no credential reaches the summary.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { loadDefaultConfig } from '../../src/config/load.js';
import { loadTemplateSet, renderCodeRun, renderTaskRun } from '../../src/render/index.js';
import { sampleCodeRun, sampleTaskRun } from '../../src/render/samples.js';
import { entryFixture as fixture } from '../../test/harness/agent/entry-script.js';

const config = loadDefaultConfig();
const set = loadTemplateSet();
const rex = { agent: 'rex', preset: 'default' as const, continuing: false };

function summaryOf(t: Test, result: string): string {
  const doc = JSON.parse(result) as { summary?: string; workCompleted?: boolean };
  t.equal(doc.workCompleted, false);
  return doc.summary ?? '';
}

t.test('a repository that does not exist: the summary names the clone and git’s cause', async (t) => {
  const f = fixture(t);
  const repo = f.origin(path.join(f.root, 'payments.git'), 'main', { a: 'a' });
  const docs = path.join(f.root, 'no-such-docs.git');
  const run = sampleCodeRun(rex, config);
  Object.assign(run.spec, { repositoryUrl: repo, docsRepositoryUrl: docs });
  const r = f.run(renderCodeRun(set, run, config, 1, f.options));
  t.equal(r.status, 128, 'git’s status is the script’s');
  t.same(r.argv, [], 'the agent never ran');
  t.equal(
    summaryOf(t, r.result),
    `failed before the agent ran: cloning ${docs}: repository '${docs}' does not exist`,
  );
  t.match(r.log, /fatal: repository '.*no-such-docs\.git' does not exist/, 'and the log keeps git’s words');
  t.notMatch(r.log, /did not answer/, 'an answer (no such repository) is not asked again');
});

t.test(
  'an unreachable host over https: the cause is git’s, the credentials in the URL are cut',
  async (t) => {
    const f = fixture(t);
    const token = 'ghp_0123456789abcdefABCDEF0123456789';
    const spec = sampleTaskRun(rex);
    spec.spec.repository = { url: `https://someone:${token}@git.invalid/acme/payments.git`, branch: 'main' };
    const r = f.run(renderTaskRun(set, spec, config, 1, f.options), { GIT_RETRY_PAUSE: '1' });
    t.not(r.status, 0);
    t.same(r.argv, [], 'the agent never ran');
    const summary = summaryOf(t, r.result);
    t.equal(
      summary,
      'failed before the agent ran: asking https://someone:[REDACTED]@git.invalid/acme/payments.git for the branch feature/task-7-implementation: Could not resolve host: git.invalid',
    );
    t.notOk(r.result.includes(token), 'the token is not in the result document');
    const retries = r.log.split('\n').filter((l) => l.includes('the remote did not answer'));
    t.equal(retries.length, 2, `asked three times in all: ${retries.join(' | ')}`);
    t.notOk(retries.join('\n').includes('git.invalid'), 'the retries name the command, not its URL');
  },
);

t.test('a remote that does not answer for a moment is asked again, and the run goes on', async (t) => {
  const f = fixture(t);
  const repo = f.origin(path.join(f.root, 'payments.git'), 'main', { a: 'a' });
  const spec = sampleTaskRun(rex);
  spec.spec.repository = { url: repo, branch: 'main' };
  f.gitFailing('ls-remote', 1);
  const r = f.run(renderTaskRun(set, spec, config, 1, f.options), { GIT_RETRY_PAUSE: '1' });
  t.equal(r.status, 0, r.log);
  t.match(r.log, /git ls-remote: the remote did not answer \(try 1 of 3\); trying again in 1s/);
  t.match(
    r.log,
    /starting the branch feature\/task-7-implementation from main/,
    'the branch question answered',
  );
  t.not(r.argv.length, 0, 'the agent ran');
});

t.test('a resumed checkout whose remote is gone: the summary names the fetch', async (t) => {
  const f = fixture(t);
  const repo = f.origin(path.join(f.root, 'payments.git'), 'main', { a: 'a' });
  const docs = f.origin(path.join(f.root, 'docs.git'), 'main', {
    '.taskmaster/docs/task-7/task.md': '# Task 7\n',
  });
  const run = sampleCodeRun(rex, config);
  Object.assign(run.spec, { repositoryUrl: repo, docsRepositoryUrl: docs, docsProjectDirectory: '.' });
  const first = f.run(renderCodeRun(set, run, config, 1, f.options));
  t.equal(first.status, 0, first.log);
  rmSync(docs, { recursive: true, force: true });
  const r = f.run(renderCodeRun(set, run, config, 2, f.options));
  t.not(r.status, 0);
  t.match(
    summaryOf(t, r.result),
    new RegExp(
      `^failed before the agent ran: fetching main from ${docs.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .+`,
    ),
  );
});

t.test('redact: the run’s tokens by value, passwords in URLs and GitHub token shapes', async (t) => {
  const lib = renderTaskRun(set, sampleTaskRun(rex), config, 1).data['agent-shell_result.sh'] as string;
  const redact = (text: string, env: Record<string, string> = {}) =>
    spawnSync('bash', ['-c', `${lib}\nredact "$1"`, 'bash', text], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...env },
    }).stdout;
  t.equal(
    redact('a https://u:p4ss@h/x and ssh://git:s3cret@h:22/y, twice https://v:w@h/', {}),
    'a https://u:[REDACTED]@h/x and ssh://git:[REDACTED]@h:22/y, twice https://v:[REDACTED]@h/',
  );
  t.equal(
    redact('token ghs_abcdefghijklmnop0123 and github_pat_11AAAAAAAAAAAAAAAAAAAA_x here'),
    'token ghs_[REDACTED] and github_pat_[REDACTED] here',
  );
  t.equal(
    redact('said my-own-secret-value twice: my-own-secret-value', { GITHUB_TOKEN: 'my-own-secret-value' }),
    'said [REDACTED] twice: [REDACTED]',
  );
  t.equal(redact('short abc stays', { GH_TOKEN: 'abc' }), 'short abc stays', 'too short to cut safely');
  t.equal(redact('plain text, é 😀 $(x)'), 'plain text, é 😀 $(x)');
});
