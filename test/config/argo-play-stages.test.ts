// orchestrator-play's seed stages and parameters checked without a cluster (docs/argo.md "The
// event-gated play"): every seed parameter declared and carried into the runs' fields by
// coderun-template, each stage's retry cap, the deploy and acceptance stages after the approving
// review and each optional by its App, and the task association's check run by sh as its container
// runs it, the marker's reading (the operator's) among what it compares. test/integration/argo-workflows/stages.ts executes the same on Argo.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import {
  argoObjects,
  argumentsOf,
  callee,
  createdRun,
  playTemplates,
  SAMPLE_PARAMETERS,
  type Template,
  template,
  workflowTemplate,
} from '../harness/deploy/argo-manifests.js';

const objects = argoObjects();
const play = playTemplates(objects);
const coderun = template(workflowTemplate('coderun-template', objects), 'coderun');
const stepsOf = (name: string) => template(play, name).steps?.flat() ?? [];
const args = (s: { arguments?: { parameters?: Array<{ name: string; value?: string }> } } | undefined) =>
  Object.fromEntries((s?.arguments?.parameters ?? []).map((p) => [p.name, p.value]));
const sample = { ...SAMPLE_PARAMETERS };

t.test(
  "coderun-template: model, task requirements and the retry cap are the run's fields, left out when empty",
  async (t) => {
    const bare = createdRun(coderun, sample);
    for (const field of ['model', 'env', 'envFromSecrets', 'maxRetries'])
      t.notOk(field in (bare.spec as object), `${field}: left out by default`);
    const requirements = {
      env: { RUST_LOG: 'debug' },
      envFromSecrets: [{ name: 'DATABASE_URL', secretName: 'payments-db', secretKey: 'url' }],
    };
    const full = createdRun(coderun, {
      ...sample,
      model: 'claude-opus-5-5',
      'task-requirements': JSON.stringify(requirements),
      'max-retries': '5',
    });
    t.match(full.spec, { model: 'claude-opus-5-5', maxRetries: 5, ...requirements });
    t.throws(
      () => createdRun(coderun, { ...sample, 'max-retries': '5\nserviceAccountName: admin' }),
      /not an integer/,
      'a cap that is not an integer writes nothing into the manifest',
    );
    // What Argo's validation parses before anything runs: each expression tag replaced by a word
    // (SubstituteResourceManifestExpressions; a parameter is a placeholder already), so a tag may not
    // stand where a word would break the YAML.
    for (const wt of objects.filter((o) => o.kind === 'WorkflowTemplate'))
      for (const tp of (wt.spec as { templates: Template[] }).templates.filter((x) => x.resource?.manifest)) {
        // One word per distinct tag, as Argo's placeholders (one per expression, one per parameter).
        const seen = new Map<string, string>();
        const word = (tag: string) => {
          if (!seen.has(tag)) seen.set(tag, `placeholder-${seen.size + 1}`);
          return String(seen.get(tag));
        };
        const words = String(tp.resource?.manifest)
          .replace(/\{\{\s*=\s*(.+?)\s*\}\}/g, word)
          .replace(/\{\{[^{}]+\}\}/g, word);
        t.doesNotThrow(() => parse(words), `${wt.metadata?.name} ${tp.name}: YAML as Argo checks it`);
      }
    const quoted = createdRun(coderun, { ...sample, model: 'opus"\nimage: evil' });
    t.equal((quoted.spec as { model?: string }).model, 'opus"\nimage: evil', 'the model is one quoted value');
    t.notOk('image' in (quoted.spec as object));
  },
);

t.test("the play's parameters: the seed's names, each carried to every stage's run", async (t) => {
  const declared = argumentsOf(play.spec);
  for (const name of [
    'service-id',
    'service',
    'model',
    'task-requirements',
    'overwrite-memory',
    'docs-branch',
  ])
    t.ok(name in declared, `${name} is a parameter of the play`);
  t.equal(declared['quality-retries'], '5', 'quality: 5 retries');
  t.equal(declared['testing-retries'], '5', 'testing: 5 retries');
  for (const app of ['deploy-app', 'acceptance-app']) t.equal(declared[app], '', `${app}: off unless given`);
  const run = args(stepsOf('agent').find((s) => s.name === 'run'));
  t.match(run, {
    service: '{{workflow.parameters.service-id}}{{workflow.parameters.service}}',
    model: '{{workflow.parameters.model}}',
    'task-requirements': '{{workflow.parameters.task-requirements}}',
    'overwrite-memory': '{{workflow.parameters.overwrite-memory}}',
    'docs-branch': '{{workflow.parameters.docs-branch}}',
    'max-retries': '{{inputs.parameters.max-retries}}',
  });
});

t.test(
  'each stage its App and cap; deploy and acceptance after the approving review, each when its App is given',
  async (t) => {
    const steps = stepsOf(play.spec.entrypoint);
    const names = steps.map((s) => s.name);
    t.ok(
      names.indexOf('qa') < names.indexOf('deploy'),
      'deploy after the quality round (its approving review)',
    );
    t.ok(names.indexOf('deploy') < names.indexOf('acceptance'), 'then acceptance');
    t.ok(names.indexOf('acceptance') < names.indexOf('approval'), "then a person's approval");
    const stages = [...steps, ...stepsOf('stages'), ...stepsOf('organization')];
    for (const stage of ['implementation', 'quality', 'testing', 'deploy', 'acceptance']) {
      const step = stages.find((s) => s.name === (stage === 'implementation' ? 'agent' : stage));
      t.match(
        args(step),
        {
          'github-app': `{{workflow.parameters.${stage}-app}}`,
          'max-retries': `{{workflow.parameters.${stage}-retries}}`,
        },
        `${stage}: its App and its cap`,
      );
    }
    for (const stage of ['deploy', 'acceptance'])
      t.equal(steps.find((s) => s.name === stage)?.when, `'{{workflow.parameters.${stage}-app}}' != ''`);
    t.same(
      stepsOf('stages').map((s) => s.name),
      ['quality', 'ready-for-qa', 'associated', 'testing', 'approved'],
      'the association checked again once ready-for-qa reported the labels',
    );
  },
);

t.test(
  "the association's check: this task's branch and task label pass, another's fail saying so",
  async (t) => {
    const check = template(play, 'check-association').container;
    const script = String(check?.command?.[2]);
    const dir = mkdtempSync(join(tmpdir(), 'association-'));
    const ours = { MARKER: 'task-9', MARKER_DETAIL: 'm', MARKER_PR: '5', PR: '5' };
    const run = (branch: string, labels: string[] | string, marker: Record<string, string> = ours) => {
      const log = join(dir, `log-${Math.random()}`);
      const out = spawnSync('sh', ['-c', script.replaceAll('/dev/termination-log', log)], {
        env: {
          PATH: process.env.PATH,
          TASK: '9',
          BRANCH: branch,
          LABELS: typeof labels === 'string' ? labels : JSON.stringify(labels),
          ...marker,
        },
      });
      let message = '';
      try {
        message = readFileSync(log, 'utf8');
      } catch {}
      return { code: out.status, message };
    };
    const own = 'feature/task-9-implementation';
    t.same(run(own, ['task-9', 'ready-for-qa']), { code: 0, message: '' }, "the task's own");
    t.same(run(own, ['bug']), { code: 0, message: '' }, 'no task label yet: nothing to say');
    t.same(run('', '', { ...ours, PR: '' }), { code: 0, message: '' }, 'nothing reported');
    t.same(run(own, ['task-9', 'task-9']), { code: 0, message: '' });
    t.same(run(own, ['task-9', 'task-4']), {
      code: 1,
      message: "task association: the pull request's task labels are task-4 task-9, not task-9 alone",
    });
    t.same(run(own, ['task-91']), {
      code: 1,
      message: "task association: the pull request's task labels are task-91, not task-9 alone",
    });
    t.same(run('feature/task-4-implementation', ['task-9']), {
      code: 1,
      message:
        "task association: the pull request's branch is feature/task-4-implementation, not feature/task-9-implementation",
    });
    // The marker's reading, as the operator records it (decision 0057): compared, never run.
    const at = '.orchestrator/tasks/task-9.json at 0123456789ab of acme/payments#5';
    const marker = (MARKER: string, MARKER_DETAIL: string) => ({ ...ours, MARKER, MARKER_DETAIL });
    t.same(run(own, ['task-9'], marker('missing', `${at} is missing`)), {
      code: 1,
      message: `task association: missing marker: ${at} is missing`,
    });
    t.same(run(own, ['task-9'], marker('task-4', `${at} names task 4`)), {
      code: 1,
      message: `task association: the marker names another task: ${at} names task 4, not task 9`,
    });
    t.same(run(own, ['task-9'], marker('task-91', `${at} names task 91`)).code, 1, 'task-91 is not task-9');
    t.same(run(own, ['task-9'], marker('unreadable', `${at} is unreadable: it is not JSON`)), {
      code: 1,
      message: `task association: unreadable marker: ${at} is unreadable: it is not JSON`,
    });
    t.same(run(own, ['task-9'], marker('', '')), {
      code: 1,
      message: 'task association: unreadable marker: no reading recorded',
    });
    t.same(
      run(own, ['task-9'], marker('$(touch /tmp/x)', '`id`')),
      {
        code: 1,
        message: 'task association: unreadable marker: `id`',
      },
      'a reading is only compared and printed, never run',
    );
    t.same(
      run(own, ['task-9'], marker('unchecked', 'not read: the operator holds no GitHub App keys')),
      { code: 0, message: '' },
      'unchecked (no App keys): branch and labels only',
    );
    t.same(run(own, ['task-9'], { ...ours, MARKER_PR: '6' }), {
      code: 1,
      message: "task association: the marker was read on pull request #6, the play's is #5",
    });
  },
);

t.test('the association waits for the operator’s reading of the marker, and fails without one', async (t) => {
  const steps = stepsOf('associated');
  t.same(
    steps.map((s) => s.name),
    ['recorded', 'unrecorded', 'read', 'check'],
  );
  const [recorded, unrecorded] = steps;
  t.equal(callee(recorded), 'wait-for-label');
  t.match(args(recorded), { label: 'play-marker-read', timeout: '{{inputs.parameters.marker-timeout}}' });
  t.equal(unrecorded?.when, '{{steps.recorded.status}} != Succeeded');
  t.match(
    args(unrecorded).reason,
    /^task association: the operator recorded no reading of the task's marker file in \{\{inputs\.parameters\.marker-timeout\}\}s/,
  );
  const read = template(play, 'read-pull-request') as Template & {
    outputs?: { parameters?: Array<{ name: string; valueFrom?: { jsonPath?: string } }> };
  };
  t.same(
    Object.fromEntries((read.outputs?.parameters ?? []).map((p) => [p.name, p.valueFrom?.jsonPath])),
    {
      branch: '{.metadata.annotations.play-branch}',
      labels: '{.metadata.annotations.play-labels}',
      'pr-number': '{.metadata.annotations.play-pr-number}',
      marker: '{.metadata.annotations.play-marker}',
      'marker-detail': '{.metadata.annotations.play-marker-detail}',
      'marker-pr': '{.metadata.annotations.play-marker-pr}',
    },
    'the Sensor’s annotations and the operator’s',
  );
});
