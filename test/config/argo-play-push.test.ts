// A push to the task's branch during orchestrator-play's quality round, checked without a cluster
// (docs/argo.md "The event-gated play"; seed 002 §8.2 "Rex push events → Cancel Cleo/Tess, restart QA
// pipeline"): which pushes the Sensor github-play-gates turns into the play's push label, and how the
// round reads it (its waits' labels cleared when it opens, its waits ended and its runs cancelled by a
// push, the next round started). test/integration/argo-workflows/rounds.ts executes the round.
import t from 'tap';
import type { KubeObject } from '../../src/runtime/index.js';
import { conditionHolds, failureHolds } from '../harness/deploy/argo-conditions.js';
import {
  argoObjects,
  callee,
  playTemplates,
  type Template,
  template,
} from '../harness/deploy/argo-manifests.js';
import { patches } from '../harness/deploy/play-gates.js';
import { sensorEvent } from '../harness/deploy/sensor-eval.js';
import { githubPayload, type Payload } from '../harness/remote/github.js';
import { pullRequestOpened } from '../harness/remote/github-pull-request.js';

const objects = argoObjects();
const play = playTemplates(objects);
const stepsOf = (name: string) => template(play, name).steps?.flat() ?? [];
const stepIn = (tpl: string, name: string) => stepsOf(tpl).find((s) => s.name === name);
const param = (
  s: { arguments?: { parameters?: Array<{ name: string; value?: string }> } } | undefined,
  name: string,
) => s?.arguments?.parameters?.find((p) => p.name === name)?.value;
const push = (change: (p: Payload) => void = () => {}) => sensorEvent('push', githubPayload('push', change));

/**
 * A step's `when` as Argo evaluates it here: the steps' statuses and the parameters put in, then a
 * comparison of words and numbers joined by && and || (govaluate's, as these expressions use it).
 */
function whenHolds(when: string, statuses: Record<string, string>, params: Record<string, string>): boolean {
  const text = when
    .replace(/\{\{steps\.([a-z-]+)\.status\}\}/g, (_, step: string) => `'${statuses[step] ?? 'Omitted'}'`)
    .replace(/\{\{(?:inputs|workflow)\.parameters\.([a-z-]+)\}\}/g, (_, name: string) =>
      String(Number(params[name])),
    )
    .replace(/\b(Succeeded|Failed|Skipped|Error)\b(?!')/g, "'$1'")
    .replace(/([!=])=/g, '$1==');
  if (!/^[\s'()A-Za-z0-9<>=!&|]+$/.test(text)) throw new Error(`not a when this test reads: ${when}`);
  return Boolean(new Function(`return (${text});`)());
}

t.test(
  'a push to the task branch, by anyone but the quality and testing Apps, labels the play',
  async (t) => {
    const [done, ...more] = patches(push());
    t.same(more, [], 'one trigger');
    t.equal(done?.trigger, 'push');
    t.equal(done?.operation, 'patch');
    const [opened] = patches(sensorEvent('pull_request', pullRequestOpened(7).body));
    t.equal(
      done?.patch.metadata.name,
      opened?.patch.metadata.name,
      "the play its pull request's events go to",
    );
    t.equal(done?.patch.metadata.name, 'play-payments-t7');
    t.same(done?.patch.metadata.labels, { 'play-pushed': 'true' });
    t.same(done?.patch.metadata.annotations, { 'play-head': '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c' });
    const person = patches(
      push((p) => {
        p.sender.login = 'alice';
        p.sender.type = 'User';
      }),
    );
    t.same(
      person.map((d) => d.trigger),
      ['push'],
      "a person's push counts too",
    );
    const nothing: Array<[string, (p: Payload) => void]> = [
      ['the quality App', (p) => (p.sender.login = '5dlabs-cleo[bot]')],
      ['the testing App', (p) => (p.sender.login = '5dlabs-tess[bot]')],
      ['a branch deleted', (p) => (p.deleted = true)],
      ['another branch', (p) => (p.ref = 'refs/heads/main')],
      ['a tag named like the branch', (p) => (p.ref = 'refs/tags/feature/task-7-implementation')],
      ['a head that is not a commit id', (p) => (p.after = `${'a'.repeat(40)}\n${'x'.repeat(4096)}`)],
    ];
    for (const [what, change] of nothing)
      t.same(patches(push(change)), [], `a push by ${what} labels nothing`);
    t.same(
      patches(sensorEvent('pull_request', githubPayload('push'))),
      [],
      'the push payload as another event labels nothing',
    );
  },
);

t.test('the quality round: opened with its labels cleared, ended by a push, started again', async (t) => {
  const qa = stepsOf('qa');
  t.same(
    qa.map((s) => s.name),
    ['open', 'stages', 'watch', 'pushed', 'restart', 'pushed-too-often', 'failed'],
  );
  const cleared = JSON.parse(String(param(stepIn('qa', 'open'), 'labels'))) as Record<string, null>;
  const waits = stepsOf('stages').filter((s) => callee(s) === 'gate');
  t.same(
    Object.keys(cleared).sort(),
    ['play-pushed', ...waits.map((w) => String(param(w, 'label')))].sort(),
    "a round opens with no push and none of its waits' labels: an earlier round's events do not open them",
  );
  for (const label of Object.values(cleared)) t.equal(label, null, 'removed (merge patch)');
  t.ok(
    patches(push()).every((d) => Object.keys(d.patch.metadata.labels).every((l) => l in cleared)),
    "the push's label is one the round clears",
  );
  for (const w of waits) t.equal(param(w, 'aborted-by'), 'play-pushed', `${w.name}: a push ends the wait`);
  t.equal(
    param(
      stepsOf('play').find((s) => s.name === 'pull-request'),
      'aborted-by',
    ),
    undefined,
    "the author's own pushes before the pull request abort nothing",
  );

  const watcher = template(play, callee(stepIn('watch', 'push'))) as Template;
  t.equal(watcher.resource?.action, 'get');
  // What the watch of round 2 makes of its Workflow's labels (Argo: any failure requirement fails it).
  const watched = (labels: Record<string, string>) => {
    const wf = { metadata: { labels } };
    const at2 = (condition = '') => condition.replaceAll('{{inputs.parameters.round}}', '2');
    return failureHolds(at2(watcher.resource?.failureCondition), wf)
      ? 'Failed'
      : conditionHolds(at2(watcher.resource?.successCondition), wf)
        ? 'Succeeded'
        : 'waiting';
  };
  t.equal(watched({}), 'waiting');
  t.equal(watched({ 'play-pushed': 'true' }), 'Succeeded');
  t.equal(watched({ 'play-qa-ended': '2' }), 'Failed', 'the round ended');
  t.equal(watched({ 'play-qa-ended': '1' }), 'waiting', "an earlier round's end is not this one's");
  // A push that ended the round itself (its gate's wait saw it before the watch did): the watch fails,
  // and the round's `pushed` step, reading the label, starts the next round all the same.
  const both = { 'play-pushed': 'true', 'play-qa-ended': '2' };
  t.equal(watched(both), 'Failed');
  const hasLabel = template(play, callee(stepIn('qa', 'pushed'))) as Template;
  const labelled = (labels: Record<string, string>) =>
    conditionHolds(
      String(hasLabel.resource?.successCondition).replace('{{inputs.parameters.label}}', 'play-pushed'),
      {
        metadata: { labels },
      },
    )
      ? 'Succeeded'
      : 'Failed';
  const decided = (labels: Record<string, string>, stages: string) => {
    const statuses: Record<string, string> = { watch: watched(labels), stages };
    statuses.pushed = statuses.watch === 'Succeeded' ? 'Skipped' : labelled(labels);
    return ['restart', 'pushed-too-often', 'failed'].filter((name) =>
      whenHolds(String(stepIn('qa', name)?.when), statuses, { round: '2', 'qa-rounds': '5' }),
    );
  };
  t.same(decided({ 'play-pushed': 'true' }, 'Failed'), ['restart'], 'a push seen by the watch');
  t.same(decided(both, 'Failed'), ['restart'], 'a push that ended the round itself');
  t.same(decided({ 'play-qa-ended': '2' }, 'Failed'), ['failed'], 'a round that failed without a push');
  t.same(decided({ 'play-qa-ended': '2' }, 'Succeeded'), [], 'a round that succeeded');
  const ended = stepIn('qa', 'stages') as
    | { hooks?: { exit?: { arguments?: { parameters?: Array<{ name: string; value?: string }> } } } }
    | undefined;
  t.same(
    JSON.parse(String(param(ended?.hooks?.exit, 'labels'))),
    { 'play-qa-ended': '{{inputs.parameters.round}}' },
    'the round, however it ends, ends its watch',
  );
  const runNames = stepsOf('stages')
    .filter((s) => callee(s) === 'agent')
    .map((s) => param(s, 'name'));
  const cancelled = stepsOf('watch')
    .filter((s) => s.template === 'cancel-run')
    .map((s) => param(s, 'name'));
  t.same(cancelled, runNames, 'a push cancels the runs the round names');
  t.match(template(play, 'cancel-run').resource, {
    action: 'patch',
    mergeStrategy: 'merge',
    manifest: /kind: CodeRun[\s\S]*spec:\n\s+cancelled: true/,
  });
  const restart = stepIn('qa', 'restart');
  t.equal(restart?.template, 'qa', 'a push starts the round again');
  t.equal(param(restart, 'round'), '{{=asInt(inputs.parameters.round) + 1}}');
  t.same(
    decided({ 'play-pushed': 'true' }, 'Failed').length,
    1,
    'one decision per ending: restart, too many pushes, or failed',
  );
});

t.test('the accounts may do what the round does', async (t) => {
  const rules = (objects.find((o) => o.kind === 'Role' && o.metadata?.name === 'orchestrator-workflow')
    ?.rules ?? []) as Array<{ resources: string[]; verbs: string[] }>;
  const may = (resource: string, verb: string) =>
    rules.some((r) => r.resources.includes(resource) && r.verbs.includes(verb));
  t.ok(may('workflows', 'patch'), 'patch its own Workflow (the round clears and sets its labels)');
  t.ok(may('coderuns', 'patch'), 'patch a CodeRun (cancel it)');
  const account = String((play.spec as { serviceAccountName?: string }).serviceAccountName);
  t.equal(account, 'orchestrator-workflow');
  t.ok(objects.some((o: KubeObject) => o.kind === 'ServiceAccount' && o.metadata?.name === account));
});
