// The result document (docs/result-protocol.md) the entry script leaves in the termination message
// file, from real runs of the rendered script: a pull request opened, no changes, the agent failing,
// the script failing before the agent, no repository; and the JSON writer itself with odd characters,
// and the 4096-byte limit.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import t, { type Test } from 'tap';
import { loadDefaultConfig } from '../../src/config/load.js';
import { loadTemplateSet, renderCodeRun, renderTaskRun } from '../../src/render/index.js';
import { sampleCodeRun, sampleTaskRun } from '../../src/render/samples.js';
import { entryFixture as fixture, git } from '../../test/harness/agent/entry-script.js';

const config = loadDefaultConfig();
const set = loadTemplateSet();
const rex = { agent: 'rex', preset: 'default' as const, continuing: false };
const PROTOCOL = 'orchestrator.io/result/v1';
const PR = 'https://github.com/acme/payments/pull/7';
const BRANCH = 'feature/task-7-implementation';

/** The document: at most 4096 bytes, valid UTF-8 and JSON, one object with the protocol marker. */
function parsed(t: Test, text: string): Record<string, unknown> {
  t.ok(Buffer.byteLength(text) <= 4096, `${Buffer.byteLength(text)} bytes`);
  t.notOk(text.includes('\uFFFD'), 'valid UTF-8');
  const doc = JSON.parse(text) as Record<string, unknown>;
  t.equal(doc.protocol, PROTOCOL);
  return doc;
}

const controlsAs = (s: string, by: string) => [...s].map((c) => (c < ' ' ? by : c)).join('');

function taskRunWithRepo(f: ReturnType<typeof fixture>) {
  const url = f.origin(path.join(f.root, 'payments.git'), 'main', { 'README.md': 'hello\n' });
  const spec = sampleTaskRun(rex);
  spec.spec.repository = { url, branch: 'main' };
  return { url, spec, rendered: renderTaskRun(set, spec, config, 1, f.options) };
}

t.test('a pull request opened: its URL, the pushed commit, the session, work completed', async (t) => {
  const f = fixture(t);
  const { url, rendered } = taskRunWithRepo(f);
  const r = f.run(rendered, { STUB_PR_URL: PR });
  t.equal(r.status, 0, r.log);
  t.same(parsed(t, r.result), {
    protocol: PROTOCOL,
    workCompleted: true,
    pullRequestUrl: PR,
    commit: git(['rev-parse', BRANCH], url).trim(),
    sessionId: 'sess-42',
    summary: `pull request ${PR}`,
  });
});

t.test('a change to a workflow file: not pushed, no pull request, the reason in the summary', async (t) => {
  const f = fixture(t);
  const { url, rendered } = taskRunWithRepo(f);
  const r = f.run(rendered, { STUB_PR_URL: PR, STUB_WORK_FILE: '.github/workflows/ci.yml' });
  t.equal(r.status, 0, r.log);
  t.same(parsed(t, r.result), {
    protocol: PROTOCOL,
    workCompleted: false,
    commit: git(['rev-parse', BRANCH], path.join(rendered.context.paths.repo ?? '')).trim(),
    sessionId: 'sess-42',
    summary: 'not pushed: the agent changed .github/workflows/ci.yml; agent rex may not',
  });
  t.notMatch(git(['branch', '--list'], url), BRANCH, 'the work branch was not pushed');
  t.same(r.gh, [], 'no pull request asked for');
});

t.test('the pull request through the REST API: listed by head, created when none is open', async (t) => {
  const f = fixture(t);
  const { rendered, spec } = taskRunWithRepo(f);
  const r = f.run(rendered, { STUB_PR_URL: PR });
  t.equal(r.status, 0, r.log);
  const [list, create] = r.gh;
  const owner = path.basename(f.root);
  t.same(list?.slice(1), [
    'api',
    '--method',
    'GET',
    `repos/${owner}/payments/pulls`,
    '-f',
    `head=${owner}:${BRANCH}`,
    '-f',
    'state=open',
    '--jq',
    '.[0].html_url // empty',
  ]);
  t.match(create?.slice(1, 5), ['api', '--method', 'POST', `repos/${owner}/payments/pulls`]);
  t.ok(
    create?.includes(`head=${BRANCH}`) && create.includes('base=main'),
    'head and base of the new pull request',
  );
  t.ok(
    create?.some((a) => a.startsWith('title=')),
    'a title',
  );

  const found = f.run(rendered, { STUB_PR_EXISTING: 'https://github.com/acme/payments/pull/3' });
  t.equal(found.status, 0, found.log);
  t.same(
    found.gh.map((call) => call[3]),
    ['GET'],
    'an open pull request of the branch is reused, none created',
  );
  t.match(JSON.parse(found.result), { pullRequestUrl: 'https://github.com/acme/payments/pull/3' });

  // A new attempt (its own directory, no pull-request-url left by the runs above).
  const refused = f.run(renderTaskRun(set, spec, config, 3, f.options), {});
  t.match(refused.log, /could not open a pull request: gh: Validation Failed \(HTTP 422\)/);
  t.notOk('pullRequestUrl' in JSON.parse(refused.result));
});

t.test('no changes: the base commit, no pull request, work not completed', async (t) => {
  const f = fixture(t);
  const { url, rendered } = taskRunWithRepo(f);
  const r = f.run(rendered, { STUB_NO_WORK: '1' });
  t.equal(r.status, 0, r.log);
  t.same(parsed(t, r.result), {
    protocol: PROTOCOL,
    workCompleted: false,
    commit: git(['rev-parse', 'main'], url).trim(),
    sessionId: 'sess-42',
    summary: `no changes: the agent finished without a commit on ${BRANCH}`,
  });
});

t.test('the agent failing: its exit status, the exit status kept, the work saved', async (t) => {
  const f = fixture(t);
  const { url, rendered } = taskRunWithRepo(f);
  const failed = f.run(rendered, { STUB_EXIT: '3' });
  t.equal(failed.status, 3, 'the result never changes the exit status');
  t.match(parsed(t, failed.result), {
    workCompleted: false,
    commit: git(['rev-parse', BRANCH], url).trim(),
    summary: 'the agent exited with status 3',
  });
  t.notOk('pullRequestUrl' in JSON.parse(failed.result));
  const withPr = f.run(rendered, { STUB_EXIT: '4', STUB_PR_URL: PR });
  t.equal(withPr.status, 4);
  t.match(parsed(t, withPr.result), {
    workCompleted: false,
    pullRequestUrl: PR,
    summary: `the agent exited with status 4; its work so far is on ${PR}`,
  });
});

t.test('the agent failing: its last words, from its final event or else its stderr', async (t) => {
  const f = fixture(t);
  const { rendered } = taskRunWithRepo(f);
  const stderr = f.run(rendered, { STUB_EXIT: '1', STUB_STDERR: 'Error: unknown option --bogus' });
  t.match(parsed(t, stderr.result), {
    summary: 'the agent exited with status 1: Error: unknown option --bogus',
  });
  const api = f.run(rendered, {
    STUB_EXIT: '1',
    STUB_STDERR: 'noise',
    STUB_RESULT: 'API Error: 400 quota\\nexceeded',
  });
  t.match(parsed(t, api.result), {
    summary: 'the agent exited with status 1: API Error: 400 quota exceeded',
  });
});

t.test('a TaskRun without a repository: work completed when the agent succeeds', async (t) => {
  const f = fixture(t);
  const spec = sampleTaskRun(rex);
  delete spec.spec.repository;
  const r = f.run(renderTaskRun(set, spec, config, 1, f.options));
  t.equal(r.status, 0, r.log);
  t.same(parsed(t, r.result), {
    protocol: PROTOCOL,
    workCompleted: true,
    sessionId: 'sess-42',
    summary: 'the agent finished (no repository)',
  });
});

t.test('failing before the agent: why, in one line, odd characters intact, cut to fit', async (t) => {
  const f = fixture(t);
  const odd = `q"uote \\back\\slash\nnew\tline \u0001 é 😀 '$(x)`;
  const repo = f.origin(path.join(f.root, 'payments.git'), 'main', { a: 'a' });
  const docs = f.origin(path.join(f.root, `docs ${controlsAs(odd, '_')}.git`), 'main', {
    'x.md': 'x',
  });
  const run = sampleCodeRun(rex, config);
  Object.assign(run.spec, { repositoryUrl: repo, docsRepositoryUrl: docs, docsProjectDirectory: odd });
  const r = f.run(renderCodeRun(set, run, config, 1, f.options));
  t.equal(r.status, 1);
  t.same(r.argv, [], 'the agent never ran');
  const doc = parsed(t, r.result);
  t.same(Object.keys(doc), ['protocol', 'workCompleted', 'summary'], 'no checkout yet: no commit');
  t.equal(doc.workCompleted, false);
  t.equal(
    doc.summary,
    `failed before the agent ran: no task documentation at ${controlsAs(odd, ' ')}/.taskmaster/docs/task-7 in ${docs} (branch main)`,
  );

  const long = `${'é'.repeat(3000)}"\\`;
  Object.assign(run.spec, { docsProjectDirectory: long });
  const cut = parsed(t, f.run(renderCodeRun(set, run, config, 1, f.options)).result);
  const summary = cut.summary as string;
  t.ok(
    Buffer.byteLength(summary) <= 1024,
    `the summary is cut to 1024 bytes (${Buffer.byteLength(summary)})`,
  );
  t.match(summary, /^failed before the agent ran: no task documentation at éé+$/, 'on a character boundary');
});

t.test('an unwritable result file is reported and changes nothing', async (t) => {
  const f = fixture(t);
  const spec = sampleTaskRun(rex);
  delete spec.spec.repository;
  const rendered = renderTaskRun(set, spec, config, 1, f.options);
  const r = f.run(rendered, { ORCHESTRATOR_RESULT_FILE: path.join(f.root, 'missing', 'dir', 'log') });
  t.equal(r.status, 0, r.log);
  t.match(r.log, /cannot write the result to \S+missing\/dir\/log/);
  t.equal(f.run(rendered, { STUB_EXIT: '2', ORCHESTRATOR_RESULT_FILE: '/dev/full' }).status, 2);
});

t.test('the JSON writer: quotes, backslashes, control characters, unicode; cuts keep UTF-8', async (t) => {
  const lib = renderTaskRun(set, sampleTaskRun(rex), config, 1).data['agent-shell_result.sh'] as string;
  const bash = (body: string, ...args: string[]) =>
    spawnSync('bash', ['-c', `${lib}\n${body}`, 'bash', ...args], { encoding: 'utf8' }).stdout;
  const controls = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join('');
  // (The name escapes U+2028/9 too: raw, they would break the test's own output lines.)
  for (const value of [
    'plain',
    '',
    `"quoted" and \\backslashed\\ and \\"both\\"`,
    `lines\nand\r\ntabs\t${controls}\u007f`,
    'é, 😀, 中文, \u2028 \u2029',
    "'$(id)' `id` $HOME %s %%",
  ])
    t.equal(
      JSON.parse(bash('json_string "$1"', value)),
      value,
      JSON.stringify(value).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`),
    );
  const cuts = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => bash('utf8_prefix "$1" "$2"', 'aé😀', String(n)));
  t.same(cuts, ['a', 'a', 'aé', 'aé', 'aé', 'aé', 'aé😀', 'aé😀']);
  t.equal(bash('one_line "$1"', 'a\nb\tc\u0001d'), 'a b c d');
});
