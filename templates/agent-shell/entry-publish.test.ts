// The publisher (templates/agent-shell/publish.sh), run for real after the agent's phase against a
// local bare repository: what it refuses to push and says so in the result, what it never overwrites,
// and that nothing the agent writes in the run directory speaks for it. Protected paths:
// entry-protected-paths.test.ts.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { configFrom } from '../../src/config/load.js';
import { renderCodeRun } from '../../src/render/index.js';
import { sampleCodeRun } from '../../src/render/samples.js';
import { entryFixture as fixture, git } from '../../test/harness/agent/entry-script.js';
import {
  BRANCH,
  PUBLISH_CONFIG as config,
  PR,
  REX as rex,
  PUBLISH_TEMPLATES as set,
  publishFixture as setup,
  summaryOf,
} from '../../test/harness/agent/publish-fixture.js';

t.test('a push larger than publish.maxPushBytes is refused, saying its size', async (t) => {
  const small = configFrom({ ...config, publish: { ...config.publish, maxPushBytes: 4096 } });
  const { f, render, onRemote } = setup(t, small);
  const r = f.run(render(1), { STUB_PR_URL: PR, STUB_WORK_BYTES: '65536' });
  t.equal(r.status, 0, r.log);
  t.match(
    summaryOf(r.result),
    /^not pushed: the push would send \d+ bytes, more than publish\.maxPushBytes \(4096\)$/,
  );
  t.notOk(onRemote());
  const again = f.run(render(2), { STUB_PR_URL: PR });
  t.match(
    summaryOf(again.result),
    /^not pushed: the push would send \d+ bytes/,
    'the blob is still on the branch',
  );
});

t.test('commits on the remote work branch that the agent lacks are never overwritten', async (t) => {
  const { f, url, render } = setup(t);
  const first = f.run(render(1), { STUB_PR_URL: PR });
  t.equal(first.status, 0, first.log);
  // Someone else pushes to the work branch meanwhile.
  const other = path.join(f.root, 'other');
  git(['clone', '-q', '--branch', BRANCH, url, other]);
  git(
    ['-c', 'user.name=o', '-c', 'user.email=o@o', 'commit', '-q', '--allow-empty', '-m', 'not the agent'],
    other,
  );
  git(['push', '-q', 'origin', BRANCH], other);
  const theirs = git(['rev-parse', BRANCH], url).trim();
  // The next attempt resumes the checkout, which lacks that commit, and the agent commits on it.
  const second = f.run(render(2), { STUB_PR_URL: PR });
  t.equal(second.status, 0, second.log);
  t.match(
    summaryOf(second.result),
    /^not pushed: pushing feature\/task-7-implementation was refused: the work branch on the remote has commits this attempt lacks \((non-fast-forward|fetch first)\); they are never forced over$/,
  );
  t.equal(git(['rev-parse', BRANCH], url).trim(), theirs, "the other commit is still the branch's tip");
  t.same(
    git(['for-each-ref', '--format=%(refname)'], url).trim().split('\n').sort(),
    ['refs/heads/feature/task-7-implementation', 'refs/heads/main'],
    'no other ref was made',
  );
});

t.test(
  'a work branch the remote lists but cannot send: not pushed, saying so, not compared with the base',
  async (t) => {
    // After the first attempt's push the remote's branch names a commit it cannot send, as when a fetch
    // fails. Read as "no branch", the work was compared with main: what earlier attempts pushed counted
    // as this one's change (a protected file among it refused in the agent's name).
    const { f, url, render } = setup(t);
    const first = f.run(render(1), { STUB_PR_URL: PR });
    t.equal(first.status, 0, first.log);
    git(['update-ref', '-d', `refs/heads/${BRANCH}`], url);
    const ref = path.join(url, 'refs', 'heads', ...BRANCH.split('/'));
    mkdirSync(path.dirname(ref), { recursive: true });
    writeFileSync(ref, `${'1'.repeat(40)}\n`);
    const second = f.run(render(2), { STUB_PR_URL: PR });
    t.equal(second.status, 0, second.log);
    t.match(
      summaryOf(second.result),
      /^not pushed: fetching feature\/task-7-implementation from \S+ failed \(.+\)$/,
    );
  },
);

t.test('what the agent writes in the run directory does not speak for the publisher', async (t) => {
  const { f, render } = setup(t);
  const r = f.run(render(1), { STUB_FORGE: '1' });
  t.equal(r.status, 0, r.log);
  const doc = JSON.parse(r.result) as Record<string, unknown>;
  t.notOk('pullRequestUrl' in doc, 'a pull request URL the agent wrote is not reported');
  t.equal(doc.workCompleted, false);
});

t.test("a CodeRun's baseBranch is where its work starts and what its pull request targets", async (t) => {
  const f = fixture(t);
  const repo = f.origin(path.join(f.root, 'payments.git'), 'trunk', { 'README.md': 'hello\n' });
  const docs = f.origin(path.join(f.root, 'docs.git'), 'main', {
    'projects/payments/.taskmaster/docs/task-7/task.md': '# Seven\n',
  });
  // A release branch with a commit the default branch lacks.
  const work = path.join(f.root, 'release-work');
  git(['clone', '--quiet', repo, work]);
  git(['checkout', '--quiet', '-b', 'release/2'], work);
  writeFileSync(path.join(work, 'RELEASE.md'), 'two\n');
  git(['add', 'RELEASE.md'], work);
  git(['-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '--quiet', '-m', 'release two'], work);
  git(['push', '--quiet', 'origin', 'release/2'], work);

  const run = sampleCodeRun(rex, config);
  Object.assign(run.spec, { repositoryUrl: repo, docsRepositoryUrl: docs, baseBranch: 'release/2' });
  const rendered = renderCodeRun(set, run, config, 1, f.options);
  const r = f.run(rendered, { STUB_PR_URL: PR });
  t.equal(r.status, 0, r.log);
  t.equal(readFileSync(path.join(rendered.context.paths.repo ?? '', 'RELEASE.md'), 'utf8'), 'two\n');
  const created = (gh: string[][]) => gh.find((call) => call.includes('POST'));
  t.ok(created(r.gh)?.includes('base=release/2'), 'the pull request targets release/2');

  // None named: the repository's default branch, as the remote says (not a guessed main).
  const plain = sampleCodeRun(rex, config);
  Object.assign(plain.spec, { repositoryUrl: repo, docsRepositoryUrl: docs });
  const other = fixture(t);
  const p = other.run(renderCodeRun(set, plain, config, 1, other.options), { STUB_PR_URL: PR });
  t.equal(p.status, 0, p.log);
  t.ok(created(p.gh)?.includes('base=trunk'), 'the pull request targets trunk');
});

t.test(
  'a push the remote did not answer is tried again; one it never answers is not pushed, saying so',
  async (t) => {
    // Twice without an answer, then pushed: the third of the three tries (1 s apart, then 2).
    const { f, render, onRemote } = setup(t);
    f.gitFailing('push', 2);
    const r = f.run(render(1), { STUB_PR_URL: PR, GIT_RETRY_PAUSE: '1' });
    t.equal(r.status, 0, r.log);
    t.equal(summaryOf(r.result), `pull request ${PR}`);
    t.ok(onRemote(), 'pushed');
    t.match(r.log, /git push: the remote did not answer \(try 1 of 3\); trying again in 1s/);
    t.match(r.log, /git push: the remote did not answer \(try 2 of 3\); trying again in 2s/);

    const never = setup(t);
    never.f.gitFailing('push', 3);
    const failed = never.f.run(never.render(1), { STUB_PR_URL: PR, GIT_RETRY_PAUSE: '1' });
    t.equal(failed.status, 0, 'the agent succeeded: the attempt did, its work not pushed');
    t.equal(
      summaryOf(failed.result),
      `not pushed: pushing ${BRANCH} to ${never.url} failed (fatal: unable to access 'https://flaky.test/': Recv failure: Connection reset by peer)`,
    );
    t.notOk(never.onRemote());
  },
);
