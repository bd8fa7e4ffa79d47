import t from 'tap';
import {
  agentFromGithubApp,
  boundedName,
  codeRunActor,
  codeRunJobName,
  docsRunJobName,
  docsWorkspacePvcName,
  filesConfigMapName,
  githubRunName,
  isLabelValue,
  runLabelValue,
  taskRunJobName,
  uidHash,
  workspacePvcName,
} from './names.js';

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const UID = '3f2c9a1e-5b7d-4c10-9e8f-2a6b4d0c1e77';

t.test('a run object name: readable prefix, then a hash of the uid; the ConfigMap adds -files', async (t) => {
  const hash = uidHash(UID);
  t.match(hash, /^[0-9a-f]{8}$/);
  t.equal(taskRunJobName('payments', 7, 2, UID), `payments-task-7-run-2-${hash}`);
  t.equal(codeRunJobName('payments', 'rex', 7, 3, UID), `payments-rex-task-7-v3-${hash}`);
  t.equal(docsRunJobName('api.docs', 1, UID), `docs-api-docs-run-1-${hash}`, 'dots slugged');
  t.equal(filesConfigMapName(taskRunJobName('payments', 7, 2, UID)), `payments-task-7-run-2-${hash}-files`);
  t.equal(taskRunJobName('payments', 7, 2, UID), taskRunJobName('payments', 7, 2, UID), 'deterministic');
});

t.test('two run objects never share a name, whatever their kinds and fields', async (t) => {
  // Every object has its own uid: three TaskRuns, CodeRuns and DocsRuns with identical fields each.
  const names = [1, 2, 3].flatMap((i) => [
    taskRunJobName('docs-foo', 7, 1, `uid-task-${i}`),
    codeRunJobName('payments', 'rex', 7, 1, `uid-code-${i}`),
    // A DocsRun named so that its old name equalled the TaskRun's: docs-foo-task-7-run-1.
    docsRunJobName('foo-task-7', 1, `uid-docs-${i}`),
  ]);
  t.equal(new Set(names).size, names.length, 'same fields and attempt, other uid: other name');
  t.equal(
    docsRunJobName('foo-task-7', 1, 'uid-a').replace(/-[0-9a-f]{8}$/, ''),
    taskRunJobName('docs-foo', 7, 1, 'uid-a').replace(/-[0-9a-f]{8}$/, ''),
    'the readable parts alone would collide',
  );
  t.not(taskRunJobName('payments', 7, 1, UID), taskRunJobName('payments', 7, 2, UID), 'attempts differ');
});

t.test('long names are cut to 63, keep the uid hash whole and still tell attempts apart', async (t) => {
  const service = 'a'.repeat(60);
  const one = taskRunJobName(service, 1, 1, UID);
  const cms = [1, 2].map((attempt) => filesConfigMapName(taskRunJobName(service, 1, attempt, UID)));
  const docs = filesConfigMapName(docsRunJobName('x'.repeat(250), 1, UID));
  for (const name of [one, ...cms, docs]) {
    t.ok(name.length <= 63, `${name} within 63`);
    t.match(name, DNS1123);
    t.ok(name.includes(`-${uidHash(UID)}`), `${name} keeps the uid hash`);
  }
  t.equal(cms[0]?.length, 63, 'a cut ConfigMap name uses all 63');
  t.ok(one.startsWith('aaaa'), 'still starts with the service');
  t.not(cms[0], cms[1]);
  t.not(one, taskRunJobName(service, 1, 1, 'another-uid'));
  t.equal(taskRunJobName(service, 1, 1, UID), one, 'stable');
  t.equal(boundedName(`${'b'.repeat(54)}-${'c'.repeat(20)}`).length, 63);
  t.match(boundedName(`${'b'.repeat(54)}-${'c'.repeat(20)}`), DNS1123, 'no dash before the hash doubles up');
});

t.test('workspace PVCs: shared for implementation agents, per agent otherwise', async (t) => {
  t.equal(agentFromGithubApp('5DLabs-Cleo'), 'cleo');
  t.equal(agentFromGithubApp('5DLabs-Rex'), 'rex');
  t.equal(workspacePvcName('billing', 'rex', true), 'workspace-billing');
  t.equal(workspacePvcName('billing', 'blaze', true), 'workspace-billing');
  t.equal(workspacePvcName('billing', 'cleo', false), 'workspace-billing-cleo');
  t.equal(docsWorkspacePvcName('docs/API_v2'), 'docs-workspace-docs-api-v2');
  t.match(docsWorkspacePvcName('x'.repeat(100)), DNS1123);
});

t.test("a CodeRun's names say who it acts as: its App's agent, else its GitHub user", async (t) => {
  t.equal(codeRunActor({ githubApp: '5DLabs-Cleo' }), 'cleo');
  t.equal(codeRunActor({ githubUser: 'Swe-1-5dlabs' }), 'swe-1-5dlabs');
});

t.test('githubRunName: one name per key, a DNS label of at most 63 characters', async (t) => {
  const guid = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
  t.equal(githubRunName(guid), `github-${guid}`);
  t.equal(githubRunName(guid), githubRunName(guid), 'stable: a redelivery gets the same name');
  t.not(githubRunName('ABC'), githubRunName('abc'), 'case is kept apart by the hash');
  t.match(githubRunName('ABC'), /^github-abc-[0-9a-f]{8}$/);
  const dns = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  for (const key of [
    'a'.repeat(200),
    `${'a'.repeat(200)}b`,
    '!!!',
    'ci-0123456789abcdef0123456789abcdef01234567',
    'x--',
  ]) {
    const name = githubRunName(key);
    t.ok(name.length <= 63 && dns.test(name), `${name} is a DNS label`);
  }
  t.not(githubRunName('a'.repeat(200)), githubRunName(`${'a'.repeat(200)}b`));
});

t.test('a run label value is the name, or for a long name a bounded prefix and hash', async (t) => {
  t.equal(runLabelValue('pay-7'), 'pay-7');
  const long = `a.${'b'.repeat(250)}`;
  const value = runLabelValue(long);
  t.ok(isLabelValue(value), `a valid label value: ${value}`);
  t.not(value, runLabelValue(`${long.slice(0, -1)}c`), 'two long names sharing a prefix differ');
  t.equal(value, runLabelValue(long), 'stable');
});
