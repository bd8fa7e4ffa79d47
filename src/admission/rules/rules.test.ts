import t from 'tap';
import { loadDefaultConfig } from '../../config/load.js';
import { validateRun } from '../validate-run.js';
import { MARKDOWN_BUDGET_BYTES, relativePathProblem, repositoryUrlProblem } from './index.js';

const config = loadDefaultConfig();

const taskRun = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'orchestrator.io/v1',
  kind: 'TaskRun',
  metadata: { name: 'x' },
  spec: { taskId: 4, serviceName: 'api', markdownFiles: [{ filename: 'task.md', content: '#' }], ...spec },
});

const findings = (object: unknown, oldObject?: unknown) =>
  validateRun({ kind: 'TaskRun', object, oldObject, operation: oldObject ? 'UPDATE' : 'CREATE', config }).map(
    (f) => `${f.severity} ${f.rule} ${f.path}: ${f.message}`,
  );

t.test('a valid TaskRun has no finding', async (t) => {
  t.same(findings(taskRun()), []);
});

t.test('duplicate filenames name both places', async (t) => {
  const [f] = findings(
    taskRun({
      markdownFiles: [
        { filename: 'a.md', content: '' },
        { filename: 'b.md', content: '' },
        { filename: 'a.md', content: '' },
      ],
    }),
  );
  t.match(
    f,
    /^error unique-filenames spec\.markdownFiles\[2\]\.filename: Duplicate value: "a\.md" \(also spec\.markdownFiles\[0\]\)/,
  );
});

t.test('the size budget message gives the sizes and the largest files', async (t) => {
  const big = 'x'.repeat(MARKDOWN_BUDGET_BYTES / 2);
  const all = findings(
    taskRun({
      markdownFiles: [
        { filename: 'a.md', content: big },
        { filename: 'b.md', content: big },
      ],
    }),
  );
  t.equal(all.length, 1);
  t.match(
    all[0],
    /size-budget spec\.markdownFiles: Too long: the files total 896\.0 KiB \(917512 bytes\), over the budget of 896\.0 KiB/,
  );
  t.match(all[0], /largest: spec\.markdownFiles\[0\] 448\.0 KiB/);
  t.same(
    findings(
      taskRun({ markdownFiles: [{ filename: 'a.md', content: 'x'.repeat(MARKDOWN_BUDGET_BYTES - 4) }] }),
    ),
    [],
    'at the budget is fine',
  );
});

t.test('identity fields are immutable and retryAttempt never decreases', async (t) => {
  const old = taskRun({ retryAttempt: 3 });
  t.match(findings(taskRun({ retryAttempt: 2, taskId: 5 }), old), [
    /^error immutable spec\.taskId: Invalid value: 5: field is immutable \(was 4\)/,
    /^error never-decrease spec\.retryAttempt: Invalid value: 2: may not decrease \(was 3\)/,
  ]);
  t.same(findings(taskRun({ retryAttempt: 4 }), old), [], 'raising is fine');
  t.match(findings(taskRun({ serviceName: 'web', retryAttempt: 3 }), old), [/immutable spec\.serviceName/]);
});

t.test('agent, model and dependsOn rules', async (t) => {
  t.match(findings(taskRun({ agent: 'zed' })), [
    /^error known-agent spec\.agent: Unsupported value: "zed": known agents: "rex", "blaze"/,
  ]);
  t.match(findings(taskRun({ model: 'other' })), [/^warning unknown-model spec\.model/]);
  t.match(findings(taskRun({ dependsOn: [1, 4] })), [/^error depends-on-self spec\.dependsOn\[1\]/]);
});

t.test('schema violations come with kubectl-style paths, all at once', async (t) => {
  const run = taskRun({ taskId: 0, priority: 'urgent', markdownFiles: [{ filename: 'a.txt' }] });
  delete (run.spec as Record<string, unknown>).serviceName;
  const all = findings(run);
  t.match(all.join('\n'), /spec\.taskId: Invalid value: 0/);
  t.match(
    all.join('\n'),
    /spec\.priority: Unsupported value: "urgent": supported values: "high", "standard", "low"/,
  );
  t.match(all.join('\n'), /spec\.markdownFiles\[0\]\.filename: Invalid value: "a\.txt"/);
  t.match(all.join('\n'), /spec\.serviceName: Required value/);
});

t.test('repository URLs: https or SSH, with an org and a repo, no credentials', async (t) => {
  for (const ok of [
    'https://github.com/a/b',
    'https://github.com/a/b.git',
    'git@github.com:a/b.git',
    'ssh://git@github.com/a/b',
  ]) {
    t.equal(repositoryUrlProblem(ok), undefined, ok);
  }
  t.match(repositoryUrlProblem('http://github.com/a/b'), /scheme http is not allowed/);
  t.match(repositoryUrlProblem('https://u:p@github.com/a/b'), /must not embed credentials/);
  t.match(repositoryUrlProblem('https://github.com/a'), /organisation and a repository/);
  t.match(repositoryUrlProblem('github.com/a/b'), /must be an https URL/);
});

t.test('relative paths may not escape or pose as options', async (t) => {
  t.equal(relativePathProblem('docs/api'), undefined);
  t.match(relativePathProblem('/etc'), /relative/);
  t.match(relativePathProblem('a/../../b'), /\.\./);
  t.match(relativePathProblem('-rf'), /option/);
  t.match(relativePathProblem('a\\b'), /separators/);
});

t.test('CodeRun: githubApp recognised, contextVersion never decreases', async (t) => {
  const codeRun = (spec: Record<string, unknown>) => ({
    kind: 'CodeRun',
    metadata: { name: 'c' },
    spec: {
      taskId: 1,
      service: 'api',
      githubApp: '5DLabs-Rex',
      repositoryUrl: 'https://github.com/a/b',
      docsRepositoryUrl: 'https://github.com/a/d',
      ...spec,
    },
  });
  const run = (object: unknown, oldObject?: unknown) =>
    validateRun({
      kind: 'CodeRun',
      object,
      oldObject,
      operation: oldObject ? 'UPDATE' : 'CREATE',
      config,
    }).map((f) => f.rule);
  t.same(run(codeRun({})), []);
  t.same(run(codeRun({ githubApp: '5DLabs-Unknown' })), ['github-app']);
  t.same(run(codeRun({ contextVersion: 1 }), codeRun({ contextVersion: 2 })), ['never-decrease']);
});

t.test('pod annotations: qualified-name keys and the apiserver size limit', async (t) => {
  t.same(findings(taskRun({ podAnnotations: { 'sim.orchestrator.io/delay': '30s', team: 'payments' } })), []);
  t.match(findings(taskRun({ podAnnotations: { 'bad key': 'x', 'UPPER.io/x': 'y' } })), [
    /^error pod-annotations spec\.podAnnotations\["bad key"\]: Invalid value: "bad key": the name must be 63 characters at most/,
    /^error pod-annotations spec\.podAnnotations\["UPPER\.io\/x"\]: Invalid value: "UPPER\.io\/x": the prefix before "\/" must be a DNS subdomain/,
  ]);
  const big = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`k${i}`, 'x'.repeat(60_000)]));
  t.match(findings(taskRun({ podAnnotations: big })), [
    /^error pod-annotations spec\.podAnnotations: Too long: must have at most 262144 bytes \(keys and values\), has 300010/,
  ]);
});
